"""STRUCTURAL_SIMILARITY: the JPEG shows the RAW's content (SSIM after alignment and the development model).

Global SSIM at 512 px and a map of 16 px blocks: a content change (pasted, cloned, removed object) shows as a
group of blocks far below the image's own level.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from skimage.metrics import structural_similarity

from lensgraph.domain.forensics import Analyzer, Outcome, VerificationCheck
from lensgraph.domain.forensics.alignment import AlignedPair, block_mean, luminance, shrink
from lensgraph.domain.forensics.development import Development
from lensgraph.domain.forensics.regions import block_regions
from lensgraph.domain.forensics.scoring import confidence_from_margin

ANALYSIS_PX = 512
FINE_PX = 1024
BLOCK = 16
# Calibrated (tests/forensics/calibrate.py) on pairs generated with other seeds than the accuracy test's.
GLOBAL_THRESHOLD = 0.80
LOCAL_THRESHOLD = 0.8
MIN_BLOCKS = 2


def check_structural_similarity(pair: AlignedPair | None, development: Development | None) -> VerificationCheck:
    if pair is None or development is None:
        return VerificationCheck(
            Analyzer.STRUCTURAL_SIMILARITY,
            Outcome.FAIL,
            0.95,
            {"aligned": False, "reason": "no orientation, crop and scale of the RAW matches the JPEG"},
        )
    modelled = shrink(luminance(development.apply(pair.raw)), ANALYSIS_PX)
    jpeg = shrink(luminance(pair.jpeg), ANALYSIS_PX)
    score, ssim_map = structural_similarity(
        modelled, jpeg, data_range=1.0, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, full=True
    )
    # At the finer scale too: heavy smoothing (a painterly filter) hides at 512 px.
    fine = structural_similarity(
        shrink(luminance(development.apply(pair.raw)), FINE_PX),
        shrink(luminance(pair.jpeg), FINE_PX),
        data_range=1.0,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
    )
    blocks = block_mean(ssim_map.astype(np.float32), BLOCK)
    suspicious = blocks < LOCAL_THRESHOLD
    block_in_grid = BLOCK * pair.raw.shape[1] / modelled.shape[1]
    regions = block_regions(suspicious, 1.0 - blocks, block_in_grid, pair, MIN_BLOCKS)
    lowest = float(blocks.min())
    details: dict[str, Any] = {
        "aligned": True,
        "ssim": round(float(score), 4),
        "ssimFine": round(float(fine), 4),
        "lowestBlockSsim": round(lowest, 4),
        "orientation": pair.transform,
        "scale": [round(v, 4) for v in pair.scale],
        "cropFraction": round(pair.crop_fraction, 4),
        "match": round(pair.match, 4),
        "saturation": round(development.saturation, 3),
    }
    if score < GLOBAL_THRESHOLD:
        confidence = confidence_from_margin(float(score), GLOBAL_THRESHOLD, 0.05)
        return VerificationCheck(Analyzer.STRUCTURAL_SIMILARITY, Outcome.FAIL, confidence, details, regions)
    if regions:
        confidence = confidence_from_margin(lowest, LOCAL_THRESHOLD, 0.1)
        return VerificationCheck(Analyzer.STRUCTURAL_SIMILARITY, Outcome.FAIL, confidence, details, regions)
    confidence = min(
        confidence_from_margin(float(score), GLOBAL_THRESHOLD, 0.05),
        confidence_from_margin(lowest, LOCAL_THRESHOLD, 0.1),
    )
    return VerificationCheck(Analyzer.STRUCTURAL_SIMILARITY, Outcome.PASS, confidence, details)
