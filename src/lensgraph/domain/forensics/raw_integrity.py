"""RAW_INTEGRITY: the RAW decodes into plausible sensor data (not truncated, constant, out of range, or an 8-bit
image dressed as a RAW)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lensgraph.domain.forensics import Analyzer, Outcome, VerificationCheck

MIN_SIDE = 320
MAX_SIDE = 20_000
# A real sensor's noise fills the levels it spans; an 8-bit picture scaled to 12 bits uses one level in 16.
MIN_LEVEL_FILL = 0.3
# Rows at the bottom that are all one value: a file cut short (LibRaw fills what is missing with zeros).
MAX_FLAT_TAIL = 0.02


def check_raw_integrity(sensor: NDArray[Any], facts: Mapping[str, Any]) -> VerificationCheck:
    """``sensor``: the visible Bayer mosaic as decoded; ``facts``: format, bits, black and white levels."""
    problems: list[str] = []
    height, width = sensor.shape[:2]
    white = int(facts.get("white_level") or 0)
    black = int(max(facts.get("black_levels") or [0]))
    bits = int(facts.get("bits_per_sample") or 16)
    details: dict[str, Any] = {
        "format": facts.get("format"),
        "width": int(width),
        "height": int(height),
        "bitsPerSample": bits,
        "blackLevel": black,
        "whiteLevel": white,
    }
    if not (min(height, width) >= MIN_SIDE and max(height, width) <= MAX_SIDE):
        problems.append(f"implausible sensor size {width}x{height}")
    if white <= black or white > (1 << min(bits, 16)) - 1:
        problems.append(f"white level {white} does not fit {bits}-bit data above black level {black}")
    sample = sensor[:: max(1, height // 1024), :: max(1, width // 1024)]
    low, high = int(sample.min()), int(sample.max())
    details["range"] = [low, high]
    if white > 0 and high > white:
        problems.append(f"values up to {high} above the white level {white}")
    if float(sample.std()) < 1.0:
        problems.append("the sensor data is constant")
    tail = _flat_tail_share(sensor)
    details["flatTailRows"] = round(tail, 4)
    if tail > MAX_FLAT_TAIL:
        problems.append(f"the last {tail:.0%} of rows are one value: the file looks truncated")
    fill = _level_fill(sample)
    details["levelFill"] = round(fill, 3)
    if fill < MIN_LEVEL_FILL:
        problems.append(f"only {fill:.0%} of the levels in the data's range occur: quantised like an 8-bit image")
    details["problems"] = problems
    if problems:
        return VerificationCheck(Analyzer.RAW_INTEGRITY, Outcome.FAIL, 0.95, details)
    return VerificationCheck(Analyzer.RAW_INTEGRITY, Outcome.PASS, 0.9, details)


def _flat_tail_share(sensor: NDArray[Any]) -> float:
    rows = sensor.shape[0]
    flat = 0
    for row in range(rows - 1, -1, -1):
        line = sensor[row]
        if line.min() != line.max():
            break
        flat += 1
    return flat / int(rows)


def _level_fill(sample: NDArray[Any]) -> float:
    """Share of the integer levels between the 5th and 60th percentiles of one CFA channel that occur."""
    channel = np.asarray(sample[0::2, 0::2]).ravel().astype(np.int64)
    low, high = (int(v) for v in np.percentile(channel, [5, 60]))
    span = high - low + 1
    if span < 16:
        return 1.0  # too dark or flat to tell
    inside = channel[(channel >= low) & (channel <= high)]
    return int(np.unique(inside).size) / span
