"""SENSOR_NOISE: the JPEG carries this RAW's own noise, block by block.

The noise residual (a separable second difference [1, -2, 1] in both axes: the highest frequencies, where
sensor noise outweighs the scene after the lens's blur) of the JPEG, at the RAW development's resolution,
correlates with the RAW's in every block of an authentic development: the shot and read noise of this exposure
are in both. Another exposure of the same scene, or pixels pasted, cloned, removed or painted, carry other noise:
their blocks do not correlate. Only blocks where noise dominates the residual count: the scene's own fine detail
is in both images whatever the exposure, so textured blocks correlate even between two shots. The noise level at
each brightness is the lower envelope (10th percentile) of the RAW's residual energy over blocks of that
brightness; a block is noise-dominated when that level is at least NOISE_SHARE of its residual energy.
Clipped and black blocks are left out too.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from lensgraph.domain.forensics import Analyzer, Outcome, VerificationCheck
from lensgraph.domain.forensics.alignment import AlignedPair, luminance
from lensgraph.domain.forensics.regions import block_regions
from lensgraph.domain.forensics.scoring import confidence_from_margin

Array = NDArray[np.float32]
# Calibrated (tests/forensics/calibrate.py) on pairs generated with other seeds than the accuracy test's.
# Median block correlation, divided by the JPEG's noise ratio when below 1 (a JPEG that kept less of the finest
# detail, by compression or softening, is expected to correlate less), below this: not this exposure's noise.
GLOBAL_THRESHOLD = 0.3
BROKEN_SHARE = 0.3  # a block correlating less than this share of the median is broken
# Below this median a block's correlation is too close to its own sampling noise to call it broken.
LOCALISE_MIN_MEDIAN = 0.3
MIN_BLOCKS = 3
# The JPEG's residual this much weaker than the RAW's: noise reduced or downsized away, nothing to compare.
MIN_NOISE_RATIO = 0.4
MIN_USABLE_BLOCKS = 24
NOISE_SHARE = 0.7
LEVEL_BINS = 12


def check_sensor_noise(pair: AlignedPair | None) -> VerificationCheck:
    if pair is None:
        return VerificationCheck(Analyzer.SENSOR_NOISE, Outcome.INCONCLUSIVE, 0.5, {"aligned": False})
    raw, jpeg = luminance(pair.raw), luminance(pair.jpeg)
    raw_noise, jpeg_noise = _residual(raw), _residual(jpeg)
    block = int(np.clip(round(np.sqrt(raw.shape[0] * raw.shape[1] / 400)), 24, 96))
    correlation, usable = _block_correlation(raw_noise, jpeg_noise, raw, block)
    del raw_noise, jpeg_noise
    values = correlation[usable]
    details: dict[str, Any] = {"blockSize": block, "usableBlocks": int(usable.sum()), "gridStep": pair.grid_step}
    if values.size < MIN_USABLE_BLOCKS:
        return VerificationCheck(Analyzer.SENSOR_NOISE, Outcome.INCONCLUSIVE, 0.5, details)
    median = float(np.median(values))
    ratio = _noise_ratio(raw, jpeg)
    details.update(medianCorrelation=round(median, 4), noiseRatio=round(ratio, 3))
    if ratio < MIN_NOISE_RATIO:
        # Downsizing, resampling or noise reduction took the finest frequencies: nothing to compare.
        return VerificationCheck(Analyzer.SENSOR_NOISE, Outcome.INCONCLUSIVE, 0.5, details)
    normalised = median / min(1.0, ratio)
    details["normalisedCorrelation"] = round(normalised, 4)
    if normalised < GLOBAL_THRESHOLD:
        confidence = confidence_from_margin(normalised, GLOBAL_THRESHOLD, 0.1)
        return VerificationCheck(Analyzer.SENSOR_NOISE, Outcome.FAIL, confidence, details)
    if median < LOCALISE_MIN_MEDIAN:
        return VerificationCheck(
            Analyzer.SENSOR_NOISE, Outcome.PASS, confidence_from_margin(normalised, GLOBAL_THRESHOLD, 0.1), details
        )
    broken = usable & (correlation < BROKEN_SHARE * median)
    regions = block_regions(broken, (median - correlation).astype(np.float32), block, pair, MIN_BLOCKS)
    details["brokenBlocks"] = int(broken.sum())
    if regions:
        return VerificationCheck(Analyzer.SENSOR_NOISE, Outcome.FAIL, 0.85, details, regions)
    return VerificationCheck(
        Analyzer.SENSOR_NOISE, Outcome.PASS, confidence_from_margin(normalised, GLOBAL_THRESHOLD, 0.1), details
    )


SECOND_DIFFERENCE = np.array([1.0, -2.0, 1.0], dtype=np.float32)


def _residual(image: Array) -> Array:
    rows = ndimage.convolve1d(image, SECOND_DIFFERENCE, axis=0)
    return np.asarray(ndimage.convolve1d(rows, SECOND_DIFFERENCE, axis=1), dtype=np.float32)


def _block_correlation(a: Array, b: Array, raw: Array, block: int) -> tuple[Array, NDArray[np.bool_]]:
    rows, cols = a.shape[0] // block, a.shape[1] // block
    h, w = rows * block, cols * block

    def blocks(x: Array) -> Array:
        return x[:h, :w].reshape(rows, block, cols, block).transpose(0, 2, 1, 3).reshape(rows, cols, -1)

    left, right = blocks(a), blocks(b)
    left = left - left.mean(axis=-1, keepdims=True)
    right = right - right.mean(axis=-1, keepdims=True)
    energy = np.sqrt((left * left).sum(axis=-1) * (right * right).sum(axis=-1))
    correlation = np.where(energy > 0, (left * right).sum(axis=-1) / np.maximum(energy, 1e-12), 0.0)
    level = blocks(raw)
    # Clipped or black blocks have no noise to compare.
    usable = (np.percentile(level, 5, axis=-1) > 0.02) & (np.percentile(level, 95, axis=-1) < 0.97)
    energy_raw = (left * left).mean(axis=-1)
    usable &= energy_raw > 1e-10
    usable &= _noise_dominated(level.mean(axis=-1), energy_raw, usable)
    return correlation.astype(np.float32), usable


def _noise_dominated(mean: Array, energy: Array, usable: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Blocks whose residual energy is mostly the noise expected at their brightness."""
    if usable.sum() < MIN_USABLE_BLOCKS:
        return usable
    edges = np.quantile(mean[usable], np.linspace(0, 1, LEVEL_BINS + 1))
    centres, floors = [], []
    for low, high in itertools.pairwise(edges):
        members = usable & (mean >= low) & (mean <= high)
        if members.sum() >= 3:
            centres.append(float(mean[members].mean()))
            floors.append(float(np.percentile(energy[members], 10)))
    if len(centres) < 2:
        return usable
    expected = np.interp(mean, centres, floors)
    return np.asarray(expected >= NOISE_SHARE * energy)


def _noise_ratio(raw: Array, jpeg: Array) -> float:
    """The JPEG's residual strength relative to the RAW's, on the tone scale of each (median absolute)."""
    raw_scale = float(np.median(np.abs(_residual(raw)))) / max(float(raw.std()), 1e-6)
    jpeg_scale = float(np.median(np.abs(_residual(jpeg)))) / max(float(jpeg.std()), 1e-6)
    return jpeg_scale / raw_scale if raw_scale > 0 else 0.0
