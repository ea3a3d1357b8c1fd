"""HISTOGRAM: the JPEG's tones and colours are a development of the RAW's.

After the fitted development model (monotone curve per channel, one saturation factor), compares per-channel
histograms (earth mover's distance), the joint chroma histogram (total variation), and a map of 16 px blocks
whose colour the model cannot explain (a recoloured, dodged or burned area).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from lensgraph.domain.forensics import Analyzer, Outcome, VerificationCheck
from lensgraph.domain.forensics.alignment import AlignedPair, block_mean, shrink
from lensgraph.domain.forensics.development import Development
from lensgraph.domain.forensics.regions import block_regions
from lensgraph.domain.forensics.scoring import confidence_from_margin

ANALYSIS_PX = 512
BLOCK = 16
TONE_BINS = 64
CHROMA_BINS = 24
CHROMA_PX = 128
# Calibrated (tests/forensics/calibrate.py) on pairs generated with other seeds than the accuracy test's.
TONE_THRESHOLD = 0.03
CHROMA_THRESHOLD = 0.3
LOCAL_THRESHOLD = 0.07
MIN_BLOCKS = 2


def check_histogram(pair: AlignedPair | None, development: Development | None) -> VerificationCheck:
    if pair is None or development is None:
        return VerificationCheck(Analyzer.HISTOGRAM, Outcome.INCONCLUSIVE, 0.5, {"aligned": False})
    modelled = shrink(development.apply(pair.raw), ANALYSIS_PX)
    jpeg = shrink(pair.jpeg, ANALYSIS_PX)
    tone = max(_earth_movers(modelled[..., c], jpeg[..., c]) for c in range(3))
    # Colours of the content, not of the noise (which downsizing and noise reduction legitimately narrow).
    chroma = _chroma_distance(shrink(modelled, CHROMA_PX), shrink(jpeg, CHROMA_PX))
    residual = np.abs(modelled - jpeg).max(axis=-1)
    blocks = block_mean(residual, BLOCK)
    # Relative to the image's own typical residual: JPEG compression and sharpening raise every block alike.
    excess = blocks - float(np.median(blocks))
    regions = block_regions(
        excess > LOCAL_THRESHOLD, excess, BLOCK * pair.raw.shape[1] / modelled.shape[1], pair, MIN_BLOCKS
    )
    worst = float(excess.max())
    details: dict[str, Any] = {
        "toneDistance": round(tone, 4),
        "chromaDistance": round(chroma, 4),
        "worstBlockExcess": round(worst, 4),
        "curves": [[round(float(v), 3) for v in curve[::8]] for curve in development.curves],
        "saturation": round(development.saturation, 3),
    }
    margins = [
        (tone, TONE_THRESHOLD, 0.01),
        (chroma, CHROMA_THRESHOLD, 0.08),
        (worst, LOCAL_THRESHOLD, 0.04),
    ]
    if tone > TONE_THRESHOLD or chroma > CHROMA_THRESHOLD or regions:
        failing = [m for m in margins if m[0] > m[1]]
        confidence = max(confidence_from_margin(*m) for m in failing)
        return VerificationCheck(Analyzer.HISTOGRAM, Outcome.FAIL, confidence, details, regions)
    confidence = min(confidence_from_margin(*m) for m in margins)
    return VerificationCheck(Analyzer.HISTOGRAM, Outcome.PASS, confidence, details)


def _earth_movers(a: NDArray[np.float32], b: NDArray[np.float32]) -> float:
    ha = np.histogram(a, bins=TONE_BINS, range=(0.0, 1.0))[0].astype(np.float64)
    hb = np.histogram(b, bins=TONE_BINS, range=(0.0, 1.0))[0].astype(np.float64)
    cdf = np.cumsum(ha / ha.sum()) - np.cumsum(hb / hb.sum())
    return float(np.abs(cdf).sum() / TONE_BINS)


def _chroma_distance(a: NDArray[np.float32], b: NDArray[np.float32]) -> float:
    def histogram(image: NDArray[np.float32]) -> NDArray[np.float64]:
        grey = image.mean(axis=-1)
        bright = grey > 0.04  # chroma of near-black pixels is noise
        red = (image[..., 0] - grey)[bright]
        blue = (image[..., 2] - grey)[bright]
        counts = np.histogram2d(red, blue, bins=CHROMA_BINS, range=[[-0.4, 0.4], [-0.4, 0.4]])[0]
        total = counts.sum()
        return np.asarray(counts / total if total else counts, dtype=np.float64)

    return float(0.5 * np.abs(histogram(a) - histogram(b)).sum())
