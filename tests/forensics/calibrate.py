"""``python -m tests.forensics.calibrate [seed ...]``: each analyser's measured scores on generated pairs.

The thresholds in domain/forensics/*.py were read off this table for seeds 1000 and 1001 (the defaults): between
the authentic developments' worst score and the manipulated pairs', with margin on the authentic side. The
accuracy test scores other seeds (see test_accuracy.py), so no threshold was fitted to the pairs it scores.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from lensgraph.adapters.forensics import analyse_pair
from lensgraph.domain.forensics import Analyzer
from tests.forensics.dataset import generate, write

CALIBRATION_SEEDS = (1000, 1001)
COLUMNS = (
    (Analyzer.STRUCTURAL_SIMILARITY, "ssim"),
    (Analyzer.STRUCTURAL_SIMILARITY, "ssimFine"),
    (Analyzer.STRUCTURAL_SIMILARITY, "lowestBlockSsim"),
    (Analyzer.HISTOGRAM, "toneDistance"),
    (Analyzer.HISTOGRAM, "chromaDistance"),
    (Analyzer.HISTOGRAM, "worstBlockExcess"),
    (Analyzer.SENSOR_NOISE, "medianCorrelation"),
    (Analyzer.SENSOR_NOISE, "normalisedCorrelation"),
    (Analyzer.SENSOR_NOISE, "brokenBlocks"),
    (Analyzer.SENSOR_NOISE, "noiseRatio"),
    (Analyzer.RECAPTURE, "peakRatio"),
)


def main(seeds: list[int]) -> None:
    header = f"{'pair':30} {'kind':26} " + " ".join(f"{name[:9]:>9}" for _, name in COLUMNS) + "  verdict / failing"
    print(header)
    with tempfile.TemporaryDirectory() as folder:
        for seed in seeds:
            for pair, raw_path, image_path in write(generate(seed), Path(folder)):
                report = analyse_pair(raw_path, image_path)
                checks = {check.analyzer: check for check in report.checks}
                cells = [_cell(checks[analyzer].details.get(key)) for analyzer, key in COLUMNS]
                failing = [c.analyzer.value[:6] for c in report.checks if c.outcome.value == "FAIL"]
                verdict = "ok " if report.authentic == pair.authentic else "BAD"
                print(f"{pair.name:30} {pair.kind:26} " + " ".join(cells) + f"  {verdict} {','.join(failing)}")
                raw_path.unlink()
                image_path.unlink()


def _cell(value: Any) -> str:
    if value is None:
        return f"{'-':>9}"
    return f"{value:9.4f}" if isinstance(value, float) else f"{value!s:>9}"


if __name__ == "__main__":
    main([int(seed) for seed in sys.argv[1:]] or list(CALIBRATION_SEEDS))
