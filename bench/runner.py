"""Runs the chosen workloads against a generated database and gathers the report."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bench.harness import Figures, Result, running_app, time_iterations
from bench.workloads import WORKLOADS, check_same_answers
from lensgraph.persistence.models import Collection, Photo, User


@dataclass
class Report:
    """The figures of one run and what they were measured on."""

    database: str
    dataset: dict[str, int]
    iterations: int
    warmup: int
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    machine: str = field(default_factory=lambda: f"{platform.machine()}, {os.cpu_count()} CPUs")
    python: str = field(default_factory=platform.python_version)
    results: list[Result] = field(default_factory=list)
    # Requests one iteration sends, per workload (deep-list walks every page).
    requests_per_iteration: dict[str, int] = field(default_factory=dict)

    def heading(self) -> str:
        counts = ", ".join(f"{count:,} {table}" for table, count in self.dataset.items())
        return (
            f"Lensgraph bench, {self.started_at:%Y-%m-%d %H:%M} UTC, {self.database}: {counts}\n"
            f"{self.machine}, Python {self.python}; {self.iterations} iterations after {self.warmup} warm-up"
        )

    def notes(self) -> list[str]:
        pages = self.requests_per_iteration.get("deep-list")
        return [f"deep-list: one request per page of 100, {pages} pages per walk"] if pages else []

    def as_json(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "database": self.database,
            "dataset": self.dataset,
            "machine": self.machine,
            "python": self.python,
            "iterations": self.iterations,
            "warmup": self.warmup,
            "requests_per_iteration": self.requests_per_iteration,
            "results": [result.as_json() for result in self.results],
        }


async def run(database_url: str, names: list[str], *, iterations: int, warmup: int) -> Report:
    """Checks each workload's answer against its baseline once, then times both the same way."""
    async with running_app(database_url) as app:
        engine = app.services.db.engine
        async with engine.connect() as connection:
            dataset = {
                model.__tablename__: int(await connection.scalar(select(func.count()).select_from(model)) or 0)
                for model in (User, Photo, Collection)
            }
        report = Report(engine.dialect.name, dataset, iterations, warmup)
        for name in names:
            workload = await WORKLOADS[name](app)
            first_api, first_baseline = await workload.through_api(), await workload.baseline()
            check_same_answers(name, first_api, first_baseline, app.files_url)
            report.requests_per_iteration[name] = len(first_api)
            api = await time_iterations(workload.through_api, iterations=iterations, warmup=warmup)
            baseline = await time_iterations(workload.baseline, iterations=iterations, warmup=warmup)
            report.results.append(Result(name, Figures.of(api), Figures.of(baseline)))
    return report
