"""EXIF_CONSISTENCY: the JPEG's camera, lens, exposure and capture time are the RAW's.

Both sides are plain dicts with the keys of ``FIELDS`` (strings, numbers, capture time as ISO text).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lensgraph.domain.forensics import Analyzer, Outcome, VerificationCheck

IDENTITY = ("make", "model", "serial")
FIELDS = (*IDENTITY, "lens", "iso", "exposure_time", "f_number", "focal_length", "captured_at")
NUMERIC_TOLERANCE = 0.02
# Fewer fields present on both sides than this says nothing either way (say, a JPEG stripped of EXIF).
MIN_COMPARED = 2


def check_exif_consistency(raw: Mapping[str, Any], jpeg: Mapping[str, Any]) -> VerificationCheck:
    fields: dict[str, dict[str, Any]] = {}
    mismatched: list[str] = []
    for name in FIELDS:
        left, right = raw.get(name), jpeg.get(name)
        if left in (None, "") or right in (None, ""):
            continue
        same = _same(name, left, right)
        fields[name] = {"raw": left, "jpeg": right, "match": same}
        if not same:
            mismatched.append(name)
    details: dict[str, Any] = {
        "fields": fields,
        "mismatched": mismatched,
        "jpegSoftware": jpeg.get("software"),
        "rawSoftware": raw.get("software"),
    }
    if mismatched:
        identity = any(name in IDENTITY for name in mismatched)
        return VerificationCheck(Analyzer.EXIF_CONSISTENCY, Outcome.FAIL, 0.95 if identity else 0.85, details)
    if len(fields) < MIN_COMPARED:
        return VerificationCheck(Analyzer.EXIF_CONSISTENCY, Outcome.INCONCLUSIVE, 0.5, details)
    confidence = 0.9 if all(name in fields for name in IDENTITY) else 0.7
    return VerificationCheck(Analyzer.EXIF_CONSISTENCY, Outcome.PASS, confidence, details)


def _same(name: str, left: Any, right: Any) -> bool:
    if isinstance(left, int | float) and isinstance(right, int | float):
        return abs(float(left) - float(right)) <= NUMERIC_TOLERANCE * max(abs(float(left)), abs(float(right)), 1e-9)
    a, b = _text(left), _text(right)
    if name == "make":
        # "NIKON CORPORATION" in one file and "NIKON" in the other is the same maker.
        return a.split(" ")[0] == b.split(" ")[0]
    if name == "model":
        return a == b or a.endswith(b) or b.endswith(a)
    if name == "captured_at":
        return a[:19] == b[:19]
    return a == b


def _text(value: Any) -> str:
    return " ".join(str(value).replace("\x00", " ").split()).casefold()
