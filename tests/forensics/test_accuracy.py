"""Accuracy of analyse_pair on a labelled set of simulated-camera pairs (tests/forensics/dataset.py).

Thresholds were calibrated with ``python -m tests.forensics.calibrate`` on seeds 1000 and 1001; this test scores
seed SCORED_SEED, never used for calibration. ``pytest -s`` prints the confusion table per manipulation kind.
Runs in the SQLite pass only (tests/forensics is not in the PostgreSQL pass; the skip says so explicitly).
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest

from lensgraph.adapters.forensics import analyse_pair
from lensgraph.domain.forensics import ForensicReport, Outcome
from tests.forensics.calibrate import CALIBRATION_SEEDS
from tests.forensics.dataset import Pair, generate, write

SCORED_SEED = 7
MIN_ACCURACY = 0.9

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("LENSGRAPH_TEST_DATABASE_URL")), reason="database-free: runs in the SQLite pass only"
)


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Pair, ForensicReport]]:
    assert SCORED_SEED not in CALIBRATION_SEEDS
    folder = tmp_path_factory.mktemp("forensic-pairs")
    results = []
    for pair, raw_path, image_path in write(generate(SCORED_SEED), folder):
        results.append((pair, analyse_pair(Path(raw_path), Path(image_path))))
        raw_path.unlink()
        image_path.unlink()
    return results


def confusion_table(scored: list[tuple[Pair, ForensicReport]]) -> str:
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # pairs, judged authentic, judged manipulated
    caught_by: dict[str, set[str]] = defaultdict(set)
    for pair, report in scored:
        row = rows[pair.kind]
        row[0] += 1
        row[1 if report.authentic else 2] += 1
        caught_by[pair.kind].update(c.analyzer.value for c in report.checks if c.outcome is Outcome.FAIL)
    heading = f"{'kind':30} {'truth':>11} {'pairs':>5} {'->authentic':>11} {'->manipulated':>13} {'correct':>7}"
    lines = [f"{heading}  failing checks", "-" * 120]
    for kind in sorted(rows, key=lambda k: (not k.startswith("authentic"), k)):
        pairs, judged_authentic, judged_manipulated = rows[kind]
        truth = "authentic" if kind.startswith("authentic") else "manipulated"
        correct = judged_authentic if truth == "authentic" else judged_manipulated
        checks = ", ".join(sorted(caught_by[kind])) or "-"
        counts = f"{pairs:5} {judged_authentic:11} {judged_manipulated:13} {correct:4}/{pairs:<2}"
        lines.append(f"{kind:30} {truth:>11} {counts}  {checks}")
    total = len(scored)
    right = sum(1 for pair, report in scored if report.authentic == pair.authentic)
    lines.append("-" * 120)
    lines.append(
        f"accuracy {right}/{total} = {right / total:.1%} (seed {SCORED_SEED}; thresholds from seeds "
        f"{', '.join(map(str, CALIBRATION_SEEDS))})"
    )
    return "\n".join(lines)


def test_accuracy_on_the_labelled_set(scored: list[tuple[Pair, ForensicReport]]) -> None:
    print("\n" + confusion_table(scored))
    assert len(scored) >= 40
    rejected = [pair.name for pair, report in scored if pair.authentic and not report.authentic]
    assert rejected == [], f"authentic pairs rejected: {rejected}"
    right = sum(1 for pair, report in scored if report.authentic == pair.authentic)
    assert right / len(scored) >= MIN_ACCURACY


def test_local_edits_are_located(scored: list[tuple[Pair, ForensicReport]]) -> None:
    """A caught local edit comes with at least one region, inside the JPEG."""
    for pair, report in scored:
        if not pair.kind.startswith("local/") or report.authentic:
            continue
        regions = [region for check in report.checks for region in check.regions]
        assert regions, pair.name
        width, height = report.image_metadata["width"], report.image_metadata["height"]
        for region in regions:
            assert region.x >= 0 and region.x + region.width <= width, (pair.name, region)
            assert region.y >= 0 and region.y + region.height <= height, (pair.name, region)
