"""How analysers turn a measured score and a calibrated threshold into an outcome and a confidence."""

from __future__ import annotations

import math


def confidence_from_margin(score: float, threshold: float, spread: float) -> float:
    """0.5 at the threshold, towards 1 as the score moves away from it by several calibrated spreads."""
    distance = abs(score - threshold) / spread if spread > 0 else math.inf
    return round(min(0.99, 0.5 + 0.5 * (1 - math.exp(-distance))), 3)
