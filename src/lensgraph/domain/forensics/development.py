"""The development model: what a RAW converter may do to the RAW's tones and colours without changing content.

Per channel a monotone increasing curve (white balance, exposure, contrast, tone curves), then one global
saturation factor. Fitted on the aligned pixels by binned means and isotonic regression, twice: the second time
without the pixels the first fit explains worst, so a local edit does not bend the curves towards itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import isotonic_regression

Array = NDArray[np.float32]
BINS = 64
SATURATION_RANGE = (0.5, 2.0)


@dataclass(frozen=True)
class Development:
    curves: NDArray[np.float64]  # (3, BINS): output at each bin centre
    saturation: float

    def apply(self, raw: Array) -> Array:
        centres = (np.arange(BINS) + 0.5) / BINS
        out = np.empty_like(raw)
        for channel in range(3):
            out[..., channel] = np.interp(raw[..., channel], centres, self.curves[channel])
        grey = out.mean(axis=-1, keepdims=True)
        out -= grey
        out *= self.saturation
        out += grey
        return np.clip(out, 0.0, 1.0, out=out)


def fit_development(raw: Array, jpeg: Array) -> Development:
    step = max(1, int(np.sqrt(raw.shape[0] * raw.shape[1] / 250_000)))
    raw_sample = raw[::step, ::step].reshape(-1, 3)
    jpeg_sample = jpeg[::step, ::step].reshape(-1, 3)
    keep = np.ones(len(raw_sample), dtype=bool)
    model = _fit(raw_sample, jpeg_sample, keep)
    residual = np.abs(model.apply(raw_sample[:, None, :])[:, 0, :] - jpeg_sample).max(axis=1)
    keep = residual <= max(float(np.percentile(residual, 90)), 0.02)
    return _fit(raw_sample, jpeg_sample, keep)


def _fit(raw: Array, jpeg: Array, keep: NDArray[np.bool_]) -> Development:
    curves = np.zeros((3, BINS))
    centres = (np.arange(BINS) + 0.5) / BINS
    for channel in range(3):
        index = np.minimum((raw[keep, channel] * BINS).astype(np.int64), BINS - 1)
        counts = np.bincount(index, minlength=BINS).astype(np.float64)
        sums = np.bincount(index, weights=jpeg[keep, channel], minlength=BINS)
        filled = counts > 0
        if not filled.any():
            curves[channel] = centres
            continue
        means = np.interp(centres, centres[filled], sums[filled] / counts[filled])
        curves[channel] = isotonic_regression(means, weights=np.maximum(counts, 1e-3), increasing=True).x
    partial = Development(curves, 1.0).apply(raw[keep][:, None, :])[:, 0, :]
    chroma_raw = partial - partial.mean(axis=1, keepdims=True)
    chroma_jpeg = jpeg[keep] - jpeg[keep].mean(axis=1, keepdims=True)
    energy = float((chroma_raw * chroma_raw).sum())
    saturation = float((chroma_raw * chroma_jpeg).sum()) / energy if energy > 0 else 1.0
    return Development(curves, float(np.clip(saturation, *SATURATION_RANGE)))
