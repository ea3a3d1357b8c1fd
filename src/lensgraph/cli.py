"""``lensgraph serve | worker | migrate | seed | grant-admin | export-schema | export-event-schemas``."""

from __future__ import annotations

import asyncio
import json
import logging
import logging.config
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typer

from lensgraph.adapters.logs import LogFormat, logging_config
from lensgraph.config import Settings, SettingsInvalid, load_settings

cli = typer.Typer(help="Lensgraph: one GraphQL API for photo businesses.", no_args_is_help=True)


def _log_config(log_format: LogFormat = "text") -> dict[str, Any]:
    """uvicorn's logging, and ours beside it, every handler redacting secrets from what it writes."""
    from uvicorn.config import LOGGING_CONFIG

    return logging_config(LOGGING_CONFIG, log_format)


def _settings() -> Settings:
    """The settings, or exit 2 with a line per bad variable (its name and what it expects), not a traceback."""
    logging.config.dictConfig(_log_config())
    try:
        settings = load_settings()
    except SettingsInvalid as invalid:
        for line in invalid.lines:
            typer.echo(line, err=True)
        raise typer.Exit(2) from None
    if settings.log_format != "text":
        logging.config.dictConfig(_log_config(settings.log_format))
    return settings


@cli.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    from lensgraph.persistence.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    typer.echo("database is up to date")


def address_defaults(host: str, port: int, environ: Mapping[str, str]) -> dict[str, str]:
    """The public URL (in links) and WebSocket origins of the address served, for those not set: so that
    ``serve --port 9000`` hands out links to port 9000 and lets GraphiQL on 9000 open its socket."""
    shown_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
    defaults = {
        "LENSGRAPH_PUBLIC_URL": f"http://{shown_host}:{port}",
        "LENSGRAPH_ALLOWED_ORIGINS": json.dumps(
            list(dict.fromkeys([f"http://{shown_host}:{port}", f"http://127.0.0.1:{port}", f"http://localhost:{port}"]))
        ),
    }
    return {name: value for name, value in defaults.items() if name not in environ}


@cli.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    demo: bool = typer.Option(False, "--demo", help="Load the demo marketplace (once per database) before serving."),
    workers: int = typer.Option(1, help="uvicorn worker processes."),
) -> None:
    """Migrate the database, then serve GraphQL (GraphiQL at /graphql in a browser)."""
    import uvicorn

    from lensgraph.app.going_away import IMPORT_PATH as GOING_AWAY_WEBSOCKETS
    from lensgraph.persistence.migrate import upgrade

    # Set in the environment, so every uvicorn worker process builds the same settings.
    os.environ.update(address_defaults(host, port, os.environ))
    settings = _settings()
    upgrade(settings.database_url)
    if demo:
        _seed_demo(settings)
    uvicorn.run(
        "lensgraph.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        # SIGTERM: stop accepting, close WebSockets with 1001, wait this long for requests in flight.
        ws=GOING_AWAY_WEBSOCKETS,
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_seconds),
        log_level="info",
        access_log=settings.access_log,
        # Applied again in each worker process uvicorn starts.
        log_config=_log_config(settings.log_format),
    )


@cli.command()
def worker(processes: int = typer.Option(1, help="Worker processes."), threads: int = typer.Option(4)) -> None:
    """Run background jobs from the Redis or RabbitMQ broker in LENSGRAPH_BROKER."""
    import os
    import sys

    settings = _settings()
    if settings.broker == "memory":
        raise typer.BadParameter("LENSGRAPH_BROKER is 'memory': jobs run inside the server; set redis:// or amqp://")
    # exec, not a child process: signals from a supervisor reach dramatiq directly. On SIGTERM dramatiq stops
    # fetching, lets running jobs finish for the grace period and hands the jobs it had fetched back to the broker.
    grace_ms = str(int(settings.shutdown_grace_seconds * 1000))
    arguments = ["-m", "dramatiq", "lensgraph.jobs.worker", "--processes", str(processes), "--threads", str(threads)]
    arguments += ["--worker-shutdown-timeout", grace_ms]
    os.execv(sys.executable, [sys.executable, *arguments])


def _seed_demo(settings: Settings) -> None:
    from lensgraph.seed import banner, seed_demo

    typer.echo("Demo data: checking (a first start analyses 27 photos and 4 RAW + JPEG pairs, about 15-30 s)...")
    typer.echo(banner(asyncio.run(seed_demo(settings))))


@cli.command()
def seed() -> None:
    """Load the demo accounts and marketplace (once per database)."""
    _seed_demo(_settings())


@cli.command()
def reindex(batch: int = typer.Option(64, min=1, max=1000, help="Photos embedded per batch.")) -> None:
    """Embed every analysed photo never embedded, or embedded by another model or version (semantic search).

    Resumable: stopped and run again, it skips what is already current."""
    from lensgraph.adapters.embeddings import EmbeddingsUnavailable, get_embedder
    from lensgraph.jobs.embeddings import ReindexProgress
    from lensgraph.jobs.embeddings import reindex as run_reindex
    from lensgraph.persistence.db import Database

    settings = _settings()
    try:
        embedder = get_embedder(settings.embeddings)
    except EmbeddingsUnavailable as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None

    def report(progress: ReindexProgress) -> None:
        typer.echo(f"checked {progress.checked} photos, embedded {progress.embedded}")

    async def run() -> ReindexProgress:
        database = Database(settings.database_url)
        try:
            return await run_reindex(database, embedder, batch=batch, report=report)
        finally:
            await database.dispose()

    done = asyncio.run(run())
    typer.echo(f"reindex done: {done.embedded} embedded with {embedder.model_name} ({embedder.model_version})")


@cli.command("grant-admin")
def grant_admin(email: str = typer.Argument(..., help="The email of an existing account.")) -> None:
    """Make an existing account an ADMIN (moderation: duplicates, and later content and reports)."""
    from lensgraph.domain.accounts import Role
    from lensgraph.persistence import accounts
    from lensgraph.persistence.db import Database

    async def grant() -> bool:
        database = Database(_settings().database_url)
        try:
            async with database.unit_of_work() as uow:
                return await accounts.grant_role(uow.session, email.strip().lower(), Role.ADMIN)
        finally:
            await database.dispose()

    if not asyncio.run(grant()):
        raise typer.BadParameter(f"no account has the email {email}")
    typer.echo(f"{email} is now an ADMIN")


@cli.command("vapid-keys")
def vapid_keys() -> None:
    """Make a VAPID key pair for Web Push: set the private key as LENSGRAPH_VAPID_PRIVATE_KEY (keep it secret)."""
    from lensgraph.adapters.push import generate_vapid_keys

    keys = generate_vapid_keys()
    typer.echo(f"LENSGRAPH_VAPID_PRIVATE_KEY={keys.private_key}")
    typer.echo(f"# public key (pushPublicKey answers it; browsers subscribe with it): {keys.public_key}")


@cli.command("export-schema")
def export_schema(
    output: Path = typer.Option(Path("schema.graphql"), "--output", "-o", help="Where to write the SDL; - for stdout."),
) -> None:
    """Write the GraphQL SDL that partners generate clients from."""
    from lensgraph.schema.schema import sdl

    text = sdl()
    if str(output) == "-":
        typer.echo(text, nl=False)
    else:
        output.write_text(text)
        typer.echo(f"wrote {output}")


@cli.command("export-event-schemas")
def export_event_schemas(
    output: Path = typer.Option(
        Path("docs/events.schema.json"), "--output", "-o", help="Where to write the JSON Schema; - for stdout."
    ),
) -> None:
    """Write the JSON Schema of every event payload (webhook bodies, notification data)."""
    from lensgraph.domain.event_schemas import event_schemas_json

    text = event_schemas_json()
    if str(output) == "-":
        typer.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text)
        typer.echo(f"wrote {output}")


def main() -> None:
    cli()
