"""Runs every analyser over a decoded pair and combines their checks into a report (pure: decoding is the
adapter's)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lensgraph.domain.forensics import ForensicReport, VerificationCheck
from lensgraph.domain.forensics.alignment import align
from lensgraph.domain.forensics.content_credentials import check_content_credentials
from lensgraph.domain.forensics.development import fit_development
from lensgraph.domain.forensics.exif_consistency import check_exif_consistency
from lensgraph.domain.forensics.histogram import check_histogram
from lensgraph.domain.forensics.raw_integrity import check_raw_integrity
from lensgraph.domain.forensics.recapture import check_recapture
from lensgraph.domain.forensics.sensor_noise import check_sensor_noise
from lensgraph.domain.forensics.structural_similarity import check_structural_similarity
from lensgraph.domain.forensics.verdict import combine


@dataclass
class DecodedPair:
    """What the adapter decoded. Arrays are float32 0..1 RGB except ``sensor`` (the raw Bayer mosaic)."""

    sensor: NDArray[Any]
    raw_facts: Mapping[str, Any]
    raw_developed: NDArray[np.float32]  # camera white balance, half size: one pixel per 2x2 Bayer block
    raw_metadata: Mapping[str, Any]
    jpeg: NDArray[np.float32]  # after its EXIF orientation, possibly box-reduced by ``jpeg_pixel``
    jpeg_metadata: Mapping[str, Any]
    jpeg_pixel: int = 1  # JPEG pixels per pixel of ``jpeg``
    credentials: Mapping[str, Any] | None = None  # the JPEG's C2PA manifest store, when it has one
    credentials_error: str | None = None  # a manifest is there but could not be read


def analyse(pair: DecodedPair) -> ForensicReport:
    checks: list[VerificationCheck] = [
        check_raw_integrity(pair.sensor, pair.raw_facts),
        check_exif_consistency(pair.raw_metadata, pair.jpeg_metadata),
    ]
    aligned = align(pair.raw_developed, pair.jpeg, jpeg_pixel=pair.jpeg_pixel)
    development = fit_development(aligned.raw, aligned.jpeg) if aligned is not None else None
    checks.append(check_structural_similarity(aligned, development))
    checks.append(check_histogram(aligned, development))
    checks.append(check_sensor_noise(aligned))
    del aligned, development
    checks.append(check_recapture(pair.raw_developed))
    checks.append(check_content_credentials(pair.credentials, pair.credentials_error))
    authentic, confidence, integrity, security = combine(checks)
    return ForensicReport(
        authentic=authentic,
        confidence=confidence,
        integrity_score=integrity,
        security_score=security,
        checks=tuple(checks),
        raw_metadata=dict(pair.raw_metadata),
        image_metadata=dict(pair.jpeg_metadata),
    )
