"""``python -m bench generate | run | compare | search``: make the dataset, then print the table of figures."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import orjson
import typer

from bench.dataset import DEFAULT_DATABASE_URL, DatasetExists, Sizes, generate, remove_sqlite_file, sqlite_path
from bench.harness import WorkloadFailed, render_table
from bench.peers.specs import ALL_WORKLOADS
from bench.runner import run
from bench.workloads import WORKLOADS

cli = typer.Typer(
    help="Lensgraph's benchmark: a generated dataset, GraphQL workloads, and a raw baseline beside each.",
    no_args_is_help=True,
    add_completion=False,
)
DATABASE_URL = typer.Option(
    DEFAULT_DATABASE_URL, "--database-url", help="SQLite file or postgresql+asyncpg://... (an empty database)."
)


@cli.command("generate")
def generate_command(
    database_url: str = DATABASE_URL,
    photographers: int = typer.Option(Sizes.photographers, min=1, help="Photographers sharing the photos."),
    photos: int = typer.Option(Sizes.photos, min=1, help="READY public photos of those photographers."),
    collections: int = typer.Option(Sizes.collections, min=1, help="Collections; the first 20 are bench-curator's."),
    photos_per_collection: int = typer.Option(Sizes.photos_per_collection, min=1),
    brands: int = typer.Option(Sizes.brands, min=0),
    deep_photos: int = typer.Option(Sizes.deep_photos, min=1, help="Photos of bench-deep, on top of --photos."),
    seed: int = typer.Option(7, help="The same seed always gives the same rows."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Delete the SQLite file first, if it exists."),
) -> None:
    """Migrate the database, then fill it with the dataset (READY public photos, tags, collections)."""
    if overwrite:
        try:
            remove_sqlite_file(database_url)
        except ValueError as refused:
            raise typer.BadParameter(str(refused), param_hint="--overwrite") from None
    sizes = Sizes(photographers, photos, collections, photos_per_collection, brands, deep_photos)
    try:
        generated = asyncio.run(generate(database_url, sizes, seed))
    except DatasetExists as exists:
        typer.echo(f"{exists} (or pass --overwrite for a SQLite file)", err=True)
        raise typer.Exit(1) from None
    counts = ", ".join(f"{count:,} {table}" for table, count in generated.rows.items())
    typer.echo(f"generated {counts} in {generated.seconds:.1f} s")


@cli.command("run")
def run_command(
    database_url: str = DATABASE_URL,
    iterations: int = typer.Option(50, min=1, help="Timed iterations per workload (deep-list: walks)."),
    warmup: int = typer.Option(3, min=0, help="Untimed iterations first."),
    workload: list[str] = typer.Option(
        list(WORKLOADS), "--workload", "-w", help=f"Repeat to choose several: {', '.join(WORKLOADS)}."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON instead of a table."),
) -> None:
    """Run the workloads against a generated database and print statements per request and latencies."""
    unknown = sorted(set(workload) - set(WORKLOADS))
    if unknown:
        raise typer.BadParameter(f"unknown workload {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    path = sqlite_path(database_url)
    if path is not None and not path.exists():
        raise typer.BadParameter(f"{path} does not exist: run `python -m bench generate` first")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        report = asyncio.run(run(database_url, workload, iterations=iterations, warmup=warmup))
    except WorkloadFailed as failed:
        typer.echo(f"workload failed: {failed}", err=True)
        raise typer.Exit(1) from None
    if json_output:
        typer.echo(orjson.dumps(report.as_json(), option=orjson.OPT_INDENT_2).decode())
        return
    typer.echo(report.heading())
    typer.echo(render_table(report.results))
    for note in report.notes():
        typer.echo(note)


@cli.command("search")
def search_command(
    database_url: str = typer.Option(
        "sqlite+aiosqlite:///./bench-search.db",
        "--database-url",
        help="SQLite file or postgresql+asyncpg://...: generated when empty, reused (vectors added) otherwise.",
    ),
    photos: int = typer.Option(20_000, min=1, help="Photos to generate into an empty database."),
    iterations: int = typer.Option(50, min=1, help="Timed searches per mode."),
) -> None:
    """Semantic and hybrid search p50/p99 at scale, embedding throughput, and the memory of the loaded model."""
    from bench.search import run as run_search

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    typer.echo(run_search(database_url, photos, iterations).render())


@cli.command("forensics")
def forensics_command(
    json_output: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Time one analyse_pair on a generated 24-megapixel RAW + JPEG pair and measure its peak memory."""
    from bench.forensics import run as run_forensics

    figures = run_forensics()
    if json_output:
        typer.echo(orjson.dumps(figures, option=orjson.OPT_INDENT_2).decode())
        return
    typer.echo(
        f"forensics: {figures['pixels']:,} px pair (DNG {figures['raw_mb']} MB, JPEG {figures['jpeg_mb']} MB): "
        f"analyse_pair {figures['analyse_seconds']} s, peak RSS {figures['peak_rss_mb']} MB "
        f"({figures['rss_after_imports_mb']} MB after imports); authentic={figures['authentic']}"
    )
    for analyzer, outcome in dict(figures["checks"]).items():  # type: ignore[call-overload]
        typer.echo(f"  {analyzer}: {outcome}")


@cli.command("gallery-zip")
def gallery_zip_command(
    photos: int = typer.Option(2000, min=1, help="Photos in the gallery (small generated JPEGs)."),
    query_clients: int = typer.Option(4, min=1, help="Clients querying the gallery page, idle and during the zip."),
    idle_seconds: float = typer.Option(5.0, min=0.5, help="How long the idle latencies are measured."),
    json_output: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Zip a whole FULL_SIZE gallery through a real server while other clients query it: throughput, latency
    p50/p95 idle and during the zip, the server's resident memory."""
    from bench.gallery_zip import run as run_gallery_zip

    figures = run_gallery_zip(photos=photos, query_clients=query_clients, idle_seconds=idle_seconds)
    if json_output:
        typer.echo(orjson.dumps(figures.as_json(), option=orjson.OPT_INDENT_2).decode())
        return
    for line in figures.lines():
        typer.echo(line)


@cli.command("compare")
def compare_command(
    database_url: str = typer.Option(..., "--database-url", help="postgresql+asyncpg://... holding the bench data."),
    rounds: int = typer.Option(3, min=1, help="Alternating rounds; the systems' order rotates each round."),
    seconds: float = typer.Option(10.0, "--seconds", min=1, help="Seconds measured per run."),
    warmup: float = typer.Option(3.0, min=0, help="Seconds of load before each run, not measured."),
    connections: int = typer.Option(16, min=1, help="Keep-alive connections of the load driver."),
    workload: list[str] = typer.Option(
        list(ALL_WORKLOADS), "--workload", "-w", help=f"Repeat to choose several: {', '.join(ALL_WORKLOADS)}."
    ),
    peer_dir: Path | None = typer.Option(
        None, help="Where Node 22 and PostGraphile 5 are installed (default $LENSGRAPH_BENCH_PEERS or ~/.cache)."
    ),
    count_statements: bool = typer.Option(True, help="Count statements per request on the wire first."),
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON instead of tables."),
) -> None:
    """Lensgraph beside PostGraphile 5 and a plain Python server, each a process on one core: the same rows
    checked first, then req/s and latency in alternating rounds, their ratios, and statements per request."""
    from bench.peers.compare import ComparisonFailed, Options, compare
    from bench.peers.systems import (
        SystemFailed,
        default_peer_dir,
        pin_this_process_to_the_load_core,
        stop_on_sigterm,
        workdir,
    )

    unknown = sorted(set(workload) - set(ALL_WORKLOADS))
    if unknown:
        raise typer.BadParameter(f"unknown workload {', '.join(unknown)}; choose from {', '.join(ALL_WORKLOADS)}")
    if not database_url.startswith("postgresql"):
        raise typer.BadParameter("compare runs on PostgreSQL: postgresql+asyncpg://...", param_hint="--database-url")
    options = Options(
        database_url,
        rounds=rounds,
        seconds=seconds,
        warmup=warmup,
        connections=connections,
        workloads=tuple(dict.fromkeys(workload)),
        peer_dir=peer_dir or default_peer_dir(),
        count_statements=count_statements,
    )
    pin_this_process_to_the_load_core()
    stop_on_sigterm()
    try:
        with workdir() as folder:
            comparison = compare(options, folder, lambda line: typer.echo(line, err=True))
    except (ComparisonFailed, SystemFailed) as failed:
        typer.echo(f"compare failed: {failed}", err=True)
        raise typer.Exit(1) from None
    if json_output:
        typer.echo(orjson.dumps(comparison.as_json(), option=orjson.OPT_INDENT_2).decode())
    else:
        typer.echo(comparison.render())
    if comparison.faults:
        typer.echo(f"{comparison.faults} answers under load were errors: these figures measure nothing", err=True)
        raise typer.Exit(1)


@cli.command("driver-check")
def driver_check_command(
    seconds: float = typer.Option(5.0, min=1, help="Seconds measured."),
    connections: int = typer.Option(16, min=1),
) -> None:
    """The load driver's ceiling: req/s against a trivial HTTP server on the other core."""
    from bench.peers.driver_check import ceiling

    typer.echo(ceiling(seconds=seconds, connections=connections))


if __name__ == "__main__":
    cli()
