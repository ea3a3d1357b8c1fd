"""The figures of a comparison: medians over rounds, per-round ratios, the cost per browse row, the tables."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any

from bench.peers.specs import COST_PAGES

# (numerator, denominator) of the ratios shown, when both systems ran.
RATIOS = (("lensgraph", "postgraphile"), ("lensgraph", "plain"), ("plain", "postgraphile"))
NAMES = {"lensgraph": "Lensgraph", "postgraphile": "PostGraphile", "plain": "plain"}


@dataclass(frozen=True)
class Run:
    """One measured run of one workload on one system in one round."""

    round: int
    workload: str
    system: str
    load_average: float
    figures: dict[str, Any]

    @property
    def rps(self) -> float:
        rps: float = self.figures["rps"]
        return rps

    @property
    def faults(self) -> int:
        faults: int = self.figures["errors"] + self.figures["failed_connections"]
        return faults

    def as_json(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "workload": self.workload,
            "system": self.system,
            "load_average": self.load_average,
            **self.figures,
        }


@dataclass(frozen=True)
class Statements:
    """Per request, counted on the wire: SQL statements, all statements (with BEGIN, ROLLBACK, pings), and
    round trips to PostgreSQL."""

    sql: float
    statements: float
    round_trips: float

    def cell(self) -> str:
        return f"{self.sql:g} / {self.statements:g} / {self.round_trips:g}"


@dataclass
class Comparison:
    systems: list[str]
    workloads: list[str]
    runs: list[Run] = field(default_factory=list)
    statements: dict[str, dict[str, Statements]] = field(default_factory=dict)  # system -> workload -> counts
    notes: list[str] = field(default_factory=list)
    heading: str = ""

    def runs_of(self, workload: str, system: str) -> list[Run]:
        return [run for run in self.runs if run.workload == workload and run.system == system]

    def median(self, workload: str, system: str, figure: str) -> float:
        values = [run.figures[figure] for run in self.runs_of(workload, system)]
        return statistics.median(values) if values else math.nan

    def ratios(self, workload: str, numerator: str, denominator: str) -> list[float]:
        """numerator req/s over denominator req/s within each round both ran."""
        by_round = {(run.system, run.round): run.rps for run in self.runs if run.workload == workload}
        rounds = sorted({run.round for run in self.runs})
        return [
            by_round[(numerator, number)] / by_round[(denominator, number)]
            for number in rounds
            if (numerator, number) in by_round and by_round.get((denominator, number))
        ]

    def pairs(self) -> list[tuple[str, str]]:
        return [(a, b) for a, b in RATIOS if a in self.systems and b in self.systems]

    def cost_per_row(self, system: str) -> tuple[float, float] | None:
        """(ms per request, µs per photo): a least-squares line through browse at 10, 50 and 100 photos, each
        request's time taken as 1 / (median req/s), the server being one process on one core."""
        points = [
            (rows, 1000 / rps)
            for name, rows in COST_PAGES.items()
            if (rps := self.median(name, system, "rps")) and not math.isnan(rps)
        ]
        if len(points) < 2:
            return None
        mean_x = statistics.fmean(x for x, _ in points)
        mean_y = statistics.fmean(y for _, y in points)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x, _ in points)
        return mean_y - slope * mean_x, slope * 1000

    @property
    def faults(self) -> int:
        return sum(run.faults for run in self.runs)

    def table(self) -> str:
        heads = [f"{NAMES[s]} req/s (p50/p99 ms)" for s in self.systems]
        heads += [f"{NAMES[a]}/{NAMES[b]} (rounds)" for a, b in self.pairs()]
        lines = ["| workload | " + " | ".join(heads) + " |", "|---" * (len(heads) + 1) + "|"]
        for workload in self.workloads:
            cells = []
            for system in self.systems:
                faults = sum(run.faults for run in self.runs_of(workload, system))
                cells.append(
                    f"{self.median(workload, system, 'rps'):,.0f} ({self.median(workload, system, 'p50_ms'):.1f}"
                    f"/{self.median(workload, system, 'p99_ms'):.1f})" + (f" {faults} ERRORS" if faults else "")
                )
            for a, b in self.pairs():
                per_round = self.ratios(workload, a, b)
                median = statistics.median(per_round) if per_round else math.nan
                cells.append(f"**{median:.3f}** ({' '.join(f'{value:.3f}' for value in per_round)})")
            lines.append(f"| {workload} | " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def statements_table(self) -> str:
        systems = [s for s in self.systems if s in self.statements]
        lines = [
            "| workload | " + " | ".join(f"{NAMES[s]} SQL / all statements / round trips" for s in systems) + " |",
            "|---" * (len(systems) + 1) + "|",
        ]
        for workload in self.workloads:
            cells = [self.statements[s][w].cell() if (w := workload) in self.statements[s] else "-" for s in systems]
            lines.append(f"| {workload} | " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def cost_lines(self) -> list[str]:
        found = []
        for system in self.systems:
            fitted = self.cost_per_row(system)
            if fitted:
                found.append(f"{NAMES[system]} {fitted[0]:.2f} ms + {fitted[1]:.0f} µs per photo")
        return [f"Cost per browse row (first = 10/50/100): {'; '.join(found)}"] if found else []

    def render(self) -> str:
        parts = [self.heading, "", self.table(), "", *self.cost_lines()]
        if self.statements:
            parts += ["", "Per request, counted on the wire (see README):", self.statements_table()]
        return "\n".join([*parts, *self.notes])

    def as_json(self) -> dict[str, Any]:
        return {
            "heading": self.heading,
            "systems": self.systems,
            "workloads": self.workloads,
            "runs": [run.as_json() for run in self.runs],
            "medians": {
                workload: {
                    system: {figure: self.median(workload, system, figure) for figure in ("rps", "p50_ms", "p99_ms")}
                    for system in self.systems
                }
                for workload in self.workloads
            },
            "ratios": {f"{a}/{b}": {w: self.ratios(w, a, b) for w in self.workloads} for a, b in self.pairs()},
            "cost_per_row": {
                system: dict(zip(("ms_per_request", "us_per_photo"), fitted, strict=True))
                for system in self.systems
                if (fitted := self.cost_per_row(system))
            },
            "statements": {
                system: {
                    w: {"sql": s.sql, "statements": s.statements, "round_trips": s.round_trips}
                    for w, s in counts.items()
                }
                for system, counts in self.statements.items()
            },
            "notes": self.notes,
        }
