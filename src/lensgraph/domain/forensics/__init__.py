"""Forensic analysis of a RAW + JPEG pair: the vocabulary every analyser and the verification use case share.

Analysers are pure functions over decoded pixel arrays and metadata (decoding lives in ``adapters.forensics``);
each returns one ``VerificationCheck``, and ``combine`` (in this package) turns the checks into a verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Analyzer(Enum):
    RAW_INTEGRITY = "RAW_INTEGRITY"
    EXIF_CONSISTENCY = "EXIF_CONSISTENCY"
    STRUCTURAL_SIMILARITY = "STRUCTURAL_SIMILARITY"
    HISTOGRAM = "HISTOGRAM"
    SENSOR_NOISE = "SENSOR_NOISE"
    RECAPTURE = "RECAPTURE"
    CONTENT_CREDENTIALS = "CONTENT_CREDENTIALS"


class Outcome(Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    INCONCLUSIVE = "INCONCLUSIVE"


@dataclass(frozen=True)
class Region:
    """A local finding, in the JPEG's pixel coordinates (after its EXIF orientation is applied)."""

    x: int
    y: int
    width: int
    height: int
    score: float


@dataclass(frozen=True)
class VerificationCheck:
    analyzer: Analyzer
    outcome: Outcome
    confidence: float  # 0..1: how sure the analyser is of its outcome
    details: Mapping[str, Any]  # JSON-serialisable evidence
    regions: tuple[Region, ...] = ()


@dataclass(frozen=True)
class ForensicReport:
    """What one analysis of a pair concluded, with every check's evidence kept."""

    authentic: bool
    confidence: float  # 0..1, in the verdict as given
    integrity_score: float  # 0..1: is the RAW a genuine, whole camera file (RAW integrity, EXIF)
    security_score: float  # 0..1: is the JPEG an unmanipulated development of it (pixels, noise, recapture)
    checks: tuple[VerificationCheck, ...]
    raw_metadata: Mapping[str, Any] = field(default_factory=dict)
    image_metadata: Mapping[str, Any] = field(default_factory=dict)


class UnreadableInput(Exception):
    """The pair cannot be analysed at all (say, the RAW is not a RAW): the verification fails with this reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
