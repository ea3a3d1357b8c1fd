"""RECAPTURE: a photo of a screen or a print shows the display's grid as sharp periodic peaks in its spectrum.

The RAW development's luminance, high-passed, is cut into 128 px Hann-windowed tiles whose power spectra are
averaged (Welch). Each frequency is compared with the median of its 9x9 neighbourhood; a natural scene's spectrum
is smooth, a screen grid (and the moire it beats into with the sensor) stands out by orders of magnitude.
Very low frequencies and the two axes (the frame's and the scene's straight edges) are left out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from lensgraph.domain.forensics import Analyzer, Outcome, VerificationCheck
from lensgraph.domain.forensics.alignment import luminance, shrink
from lensgraph.domain.forensics.scoring import confidence_from_margin

TILE = 128
MAX_TILES = 256
ANALYSIS_PX = 2048
# Calibrated (tests/forensics/calibrate.py) on pairs generated with other seeds than the accuracy test's.
PEAK_THRESHOLD = 60.0


def check_recapture(raw_developed: NDArray[np.float32]) -> VerificationCheck:
    grey = shrink(luminance(raw_developed), ANALYSIS_PX)
    peak, where = _peak_ratio(grey)
    details: dict[str, Any] = {"peakRatio": round(peak, 2), "peakFrequency": where}
    if peak < 0:
        return VerificationCheck(Analyzer.RECAPTURE, Outcome.INCONCLUSIVE, 0.5, details)
    confidence = confidence_from_margin(np.log(peak), np.log(PEAK_THRESHOLD), 0.5)
    outcome = Outcome.FAIL if peak > PEAK_THRESHOLD else Outcome.PASS
    return VerificationCheck(Analyzer.RECAPTURE, outcome, confidence, details)


def _peak_ratio(grey: NDArray[np.float32]) -> tuple[float, list[float]]:
    high = grey - ndimage.gaussian_filter(grey, 3.0)
    rows, cols = grey.shape[0] // TILE, grey.shape[1] // TILE
    if rows * cols < 4:
        return -1.0, []
    window = np.outer(np.hanning(TILE), np.hanning(TILE)).astype(np.float32)
    spectrum = np.zeros((TILE, TILE), dtype=np.float64)
    stride = max(1, int(np.ceil(rows * cols / MAX_TILES)))
    for index in range(0, rows * cols, stride):
        r, c = divmod(index, cols)
        tile = high[r * TILE : (r + 1) * TILE, c * TILE : (c + 1) * TILE]
        spectrum += np.abs(np.fft.fft2((tile - tile.mean()) * window)) ** 2
    spectrum = np.fft.fftshift(spectrum)
    background = ndimage.median_filter(spectrum, size=9, mode="wrap")
    ratio = spectrum / np.maximum(background, 1e-12)
    centre = TILE // 2
    fy, fx = np.mgrid[-centre:centre, -centre:centre]
    ratio[(np.abs(fy) <= 1) | (np.abs(fx) <= 1) | (fy * fy + fx * fx < 36)] = 0.0
    row, col = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    frequency = [round(float(fy[row, col]) / TILE, 4), round(float(fx[row, col]) / TILE, 4)]
    return float(ratio[row, col]), frequency
