"""Turning a map of suspicious blocks into Regions in the JPEG's own coordinates."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from lensgraph.domain.forensics import Region
from lensgraph.domain.forensics.alignment import AlignedPair

MAX_REGIONS = 12


def block_regions(
    suspicious: NDArray[np.bool_],
    scores: NDArray[np.float32],
    block: float,
    pair: AlignedPair,
    min_blocks: int,
) -> tuple[Region, ...]:
    """Connected groups of at least ``min_blocks`` suspicious blocks (``block`` grid pixels wide), largest first."""
    labels, _ = ndimage.label(suspicious)
    found: list[tuple[int, Region]] = []
    for index, window in enumerate(ndimage.find_objects(labels), start=1):
        if window is None:
            continue
        members = labels[window] == index
        size = int(members.sum())
        if size < min_blocks:
            continue
        rows, cols = window
        x, y, width, height = pair.jpeg_rect(
            round(rows.start * block),
            round(cols.start * block),
            round((rows.stop - rows.start) * block),
            round((cols.stop - cols.start) * block),
        )
        score = float(np.mean(scores[window][members]))
        found.append((size, Region(x=x, y=y, width=width, height=height, score=round(score, 3))))
    found.sort(key=lambda item: -item[0])
    return tuple(region for _, region in found[:MAX_REGIONS])
