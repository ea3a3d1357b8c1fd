"""Finds where the JPEG lies on the RAW development: orientation (4 rotations x flip), crop and scale.

Coarse: normalised cross-correlation of the JPEG over the RAW at 192 px, for each orientation and 11 scales
(stopping at a near-certain match). Mid: the best candidate refined at 512 px (scale +-3 %, a window
around it). Fine: phase correlation
of tiles at analysis resolution, with an affine fit per axis, for sub-pixel agreement (the noise needs it).
Rotations by other angles than quarter turns (straightening) are not searched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage
from skimage.feature import match_template
from skimage.registration import phase_cross_correlation
from skimage.transform import resize

Array = NDArray[np.float32]
COARSE_PX = 192
MID_PX = 512
# A coarse match this good is taken without trying the other orientations and scales.
SURE_MATCH = 0.98
# Below this correlation at the mid scale the JPEG is not a view of the RAW at all.
MIN_MATCH = 0.7


@dataclass(frozen=True)
class AlignedPair:
    """The RAW development and the JPEG sampled on one grid (RAW orientation, the JPEG's crop), float32 0..1."""

    raw: Array
    jpeg: Array
    transform: int  # 0-3 quarter turns counter-clockwise, +4: then mirrored left-right
    match: float  # normalised cross-correlation at the mid scale
    scale: tuple[float, float]  # RAW development pixels per JPEG pixel (y, x)
    offset: tuple[float, float]  # RAW development coordinates of the JPEG's origin (y, x)
    grid_origin: tuple[float, float]
    grid_step: float  # RAW development pixels per grid pixel
    jpeg_shape: tuple[int, int]  # the JPEG as analysed (after its EXIF orientation)
    crop_fraction: float  # share of the RAW's area the JPEG shows
    jpeg_pixel: int = 1  # pixels of the JPEG file per pixel of the analysed JPEG (when the adapter reduced it)

    def jpeg_rect(self, top: int, left: int, height: int, width: int) -> tuple[int, int, int, int]:
        """A grid rectangle as (x, y, width, height) in the JPEG's own pixel coordinates."""
        corners = []
        for gy, gx in ((top, left), (top + height, left + width)):
            ry = self.grid_origin[0] + gy * self.grid_step
            rx = self.grid_origin[1] + gx * self.grid_step
            uy = (ry - self.offset[0]) / self.scale[0]
            ux = (rx - self.offset[1]) / self.scale[1]
            corners.append(unorient_point(uy, ux, self.transform, self.jpeg_shape))
        ys = sorted(c[0] for c in corners)
        xs = sorted(c[1] for c in corners)
        h, w = self.jpeg_shape
        y0, x0 = max(0, round(ys[0])), max(0, round(xs[0]))
        y1, x1 = min(h, round(ys[1])), min(w, round(xs[1]))
        k = self.jpeg_pixel
        return x0 * k, y0 * k, max(0, x1 - x0) * k, max(0, y1 - y0) * k


def orient(image: NDArray[Any], transform: int) -> NDArray[Any]:
    turned = np.rot90(image, transform % 4, axes=(0, 1))
    return turned[:, ::-1] if transform >= 4 else turned


def unorient_point(y: float, x: float, transform: int, shape: tuple[int, int]) -> tuple[float, float]:
    """Maps a continuous point of orient(image, transform) back to the image (of the given shape)."""
    height, width = shape
    for _ in range(transform % 4):
        height, width = width, height
    if transform >= 4:
        x = width - x
    for _ in range(transform % 4):
        # rot90: B[i, j] = A[j, n - i] with A of width n; undoing one turn at a time.
        height, width = width, height
        y, x = x, width - y
    return y, x


def luminance(rgb: Array) -> Array:
    return np.asarray(rgb[..., 0] * 0.2126 + rgb[..., 1] * 0.7152 + rgb[..., 2] * 0.0722, dtype=np.float32)


def block_mean(image: Array, factor: int) -> Array:
    """Area reduction by an integer factor (the edge that does not fill a block is dropped)."""
    if factor <= 1:
        return image
    h, w = image.shape[0] // factor * factor, image.shape[1] // factor * factor
    cut = image[:h, :w]
    shape = (h // factor, factor, w // factor, factor, *image.shape[2:])
    return np.asarray(cut.reshape(shape).mean(axis=(1, 3), dtype=np.float32), dtype=np.float32)


def shrink(image: Array, longest: int) -> Array:
    """Anti-aliased reduction so the longer side is at most ``longest``."""
    factor = max(image.shape[:2]) / longest
    if factor <= 1:
        return image
    reduced = block_mean(image, int(factor))
    size = (max(1, round(image.shape[0] / factor)), max(1, round(image.shape[1] / factor)))
    resized = resize(reduced, size + image.shape[2:], anti_aliasing=True, preserve_range=True)
    return np.asarray(resized, dtype=np.float32)


def _resized(image: Array, height: int, width: int) -> Array:
    return np.asarray(resize(image, (height, width), anti_aliasing=True, preserve_range=True), dtype=np.float32)


def align(raw_rgb: Array, jpeg_rgb: Array, *, jpeg_pixel: int = 1) -> AlignedPair | None:
    """The JPEG on the RAW development's grid, or None when no orientation/crop/scale makes them match."""
    raw_gray, jpeg_gray = luminance(raw_rgb), luminance(jpeg_rgb)
    found = _coarse(raw_gray, jpeg_gray)
    if found is None:
        return None
    transform, scale, offset = found
    jpeg_oriented = orient(jpeg_gray, transform)
    scale, offset, match = _mid(raw_gray, jpeg_oriented, scale, offset)
    if match < MIN_MATCH:
        return None
    scale_yx, offset_yx = _fine(raw_gray, jpeg_oriented, (scale, scale), (offset[0], offset[1]))
    del raw_gray, jpeg_gray, jpeg_oriented
    aligned = _sample_pair(raw_rgb, orient(jpeg_rgb, transform), transform, match, scale_yx, offset_yx, jpeg_rgb.shape)
    return replace(aligned, jpeg_pixel=jpeg_pixel) if aligned is not None else None


def _coarse(raw_gray: Array, jpeg_gray: Array) -> tuple[int, float, tuple[float, float]] | None:
    raw_small = shrink(raw_gray, COARSE_PX)
    factor_raw = raw_gray.shape[1] / raw_small.shape[1]
    jpeg_small = shrink(jpeg_gray, COARSE_PX)
    factor_jpeg = jpeg_gray.shape[1] / jpeg_small.shape[1]
    best: tuple[float, int, float, tuple[float, float]] | None = None
    for transform in range(8):
        oriented = orient(jpeg_small, transform)
        # Orientation changes which axis the width factor applies to.
        jpeg_factor = factor_jpeg if transform % 2 == 0 else jpeg_gray.shape[0] / jpeg_small.shape[0]
        most = min(raw_small.shape[0] / oriented.shape[0], raw_small.shape[1] / oriented.shape[1])
        for share in most * np.geomspace(1.0, 0.3, 11):
            height, width = round(oriented.shape[0] * share), round(oriented.shape[1] * share)
            if min(height, width) < 12 or height > raw_small.shape[0] or width > raw_small.shape[1]:
                continue
            template = _resized(np.ascontiguousarray(oriented), height, width)
            if template.std() < 1e-3:
                continue
            scores = match_template(raw_small, template)
            y, x = np.unravel_index(int(np.argmax(scores)), scores.shape)
            score = float(scores[y, x])
            if best is None or score > best[0]:
                scale = factor_raw * (width / oriented.shape[1]) / jpeg_factor
                best = (score, transform, scale, (y * factor_raw, x * factor_raw))
            if best is not None and best[0] >= SURE_MATCH:
                return best[1], best[2], best[3]
    if best is None:
        return None
    return best[1], best[2], best[3]


def _mid(
    raw_gray: Array, jpeg_oriented: Array, scale: float, offset: tuple[float, float]
) -> tuple[float, tuple[float, float], float]:
    raw_mid = shrink(raw_gray, MID_PX)
    factor = raw_gray.shape[1] / raw_mid.shape[1]
    # The JPEG once at about the mid scale; each candidate scale is a small resize of that.
    jpeg_mid = shrink(jpeg_oriented, max(16, round(max(jpeg_oriented.shape) * scale / factor * 1.05)))
    jpeg_factor = jpeg_oriented.shape[1] / jpeg_mid.shape[1]
    best = (-1.0, scale, offset)
    for candidate in scale * np.linspace(0.97, 1.03, 7):
        size = candidate / factor * jpeg_factor  # mid pixels per jpeg_mid pixel
        height, width = round(jpeg_mid.shape[0] * size), round(jpeg_mid.shape[1] * size)
        if min(height, width) < 12:
            continue
        template = _resized(jpeg_mid, height, width)
        margin = round(0.06 * max(raw_mid.shape)) + 6
        top = max(0, round(offset[0] / factor) - margin)
        left = max(0, round(offset[1] / factor) - margin)
        window = raw_mid[top : top + height + 2 * margin, left : left + width + 2 * margin]
        if window.shape[0] < height or window.shape[1] < width or template.std() < 1e-3:
            continue
        scores = match_template(window, template)
        y, x = np.unravel_index(int(np.argmax(scores)), scores.shape)
        if scores[y, x] > best[0]:
            best = (float(scores[y, x]), float(candidate), ((top + y) * factor, (left + x) * factor))
    return best[1], best[2], best[0]


def _fine(
    raw_gray: Array, jpeg_oriented: Array, scale: tuple[float, float], offset: tuple[float, float]
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Two passes of tile phase correlation, each fitting RAW = scale * JPEG + offset per axis."""
    for _ in range(3):
        pairs = []
        height = jpeg_oriented.shape[0] * scale[0]
        width = jpeg_oriented.shape[1] * scale[1]
        tile = int(min(256, height / 3, width / 3))
        if tile < 32:
            break
        for fy in (0.2, 0.5, 0.8):
            for fx in (0.2, 0.5, 0.8):
                top = int(np.clip(offset[0] + fy * height - tile / 2, 0, raw_gray.shape[0] - tile))
                left = int(np.clip(offset[1] + fx * width - tile / 2, 0, raw_gray.shape[1] - tile))
                reference = raw_gray[top : top + tile, left : left + tile]
                if reference.shape != (tile, tile) or reference.std() < 0.01:
                    continue
                moving = _sample_gray(jpeg_oriented, top, left, tile, scale, offset)
                if moving.std() < 0.01:
                    continue
                shift, error, _ = phase_cross_correlation(reference, moving, upsample_factor=10, normalization=None)
                if not np.isfinite(error) or max(abs(shift)) > tile / 4:
                    continue
                # The moving tile shows the RAW content at tile position + shift.
                centre = (top + tile / 2, left + tile / 2)
                jpeg_point = ((centre[0] - offset[0]) / scale[0], (centre[1] - offset[1]) / scale[1])
                pairs.append((jpeg_point, (centre[0] + shift[0], centre[1] + shift[1])))
        if len(pairs) < 3:
            break
        fitted = []
        for axis in (0, 1):
            u = np.array([p[0][axis] for p in pairs])
            q = np.array([p[1][axis] for p in pairs])
            if np.ptp(u) < 1:
                fitted.append((scale[axis], offset[axis]))
                continue
            slope, intercept = np.polyfit(u, q, 1)
            fitted.append((float(slope), float(intercept)))
        scale = (fitted[0][0], fitted[1][0])
        offset = (fitted[0][1], fitted[1][1])
    return scale, offset


def _sample_gray(
    jpeg: Array, top: int, left: int, size: int, scale: tuple[float, float], offset: tuple[float, float]
) -> Array:
    ys = (np.arange(top, top + size, dtype=np.float32) - offset[0]) / scale[0]
    xs = (np.arange(left, left + size, dtype=np.float32) - offset[1]) / scale[1]
    step = int(1 / min(scale))
    source, ys, xs = _prefiltered(jpeg, step, ys, xs)
    yy, xx = np.meshgrid(ys, xs, indexing="ij")
    return np.asarray(ndimage.map_coordinates(source, [yy, xx], order=1, mode="nearest"), dtype=np.float32)


def _prefiltered(image: Array, step: int, ys: Array, xs: Array) -> tuple[Array, Array, Array]:
    """Reduce by the sampling step first, so sampling a finer image does not alias."""
    if step < 2:
        return image, ys, xs
    shift = np.float32((step - 1) / 2)
    return block_mean(image, step), (ys - shift) / np.float32(step), (xs - shift) / np.float32(step)


def _sample_pair(
    raw_rgb: Array,
    jpeg_oriented: Array,
    transform: int,
    match: float,
    scale: tuple[float, float],
    offset: tuple[float, float],
    jpeg_shape: tuple[int, ...],
) -> AlignedPair | None:
    step = max(1.0, float(min(scale)))
    top, left = max(0.0, offset[0]), max(0.0, offset[1])
    bottom = min(float(raw_rgb.shape[0]), offset[0] + jpeg_oriented.shape[0] * scale[0])
    right = min(float(raw_rgb.shape[1]), offset[1] + jpeg_oriented.shape[1] * scale[1])
    rows, cols = int((bottom - top) / step) - 1, int((right - left) / step) - 1
    if rows < 32 or cols < 32:
        return None
    gy = top + np.arange(rows, dtype=np.float32) * step
    gx = left + np.arange(cols, dtype=np.float32) * step
    raw = _sample_rgb(raw_rgb, int(step), gy, gx)
    jpeg = _sample_rgb(jpeg_oriented, int(1 / min(scale)), (gy - offset[0]) / scale[0], (gx - offset[1]) / scale[1])
    covered = (bottom - top) * (right - left) / (raw_rgb.shape[0] * raw_rgb.shape[1])
    return AlignedPair(
        raw=raw,
        jpeg=jpeg,
        transform=transform,
        match=match,
        scale=scale,
        offset=offset,
        grid_origin=(top, left),
        grid_step=step,
        jpeg_shape=(jpeg_shape[0], jpeg_shape[1]),
        crop_fraction=float(covered),
    )


def _sample_rgb(image: Array, step: int, ys: Array, xs: Array) -> Array:
    out = np.empty((len(ys), len(xs), 3), dtype=np.float32)
    yy, xx = np.meshgrid(ys, xs, indexing="ij")
    for channel in range(3):
        plane = np.ascontiguousarray(image[..., channel], dtype=np.float32)
        source, sy, sx = _prefiltered(plane, step, yy, xx)
        out[..., channel] = ndimage.map_coordinates(source, [sy, sx], order=1, mode="nearest")
        del source, plane
    return out
