"""The labelled pairs the accuracy test scores and the calibration script measures: (RAW, JPEG, kind, label).

Kinds: authentic developments (white balance, exposure, contrast, crop, resize, rotation, quality, sharpening,
noise reduction, EXIF orientation), another shot from the same camera a second later (scene moved; EXIF forged to
the first shot's), local edits (clone, paste, remove, recolour, dodge/burn), global heavy manipulation, screen
recapture, another camera's EXIF. The seed decides everything: calibration and scoring use disjoint seeds.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

from lensgraph.seed.cameras import CAMERAS, SCENES, Camera, Exposure, clone, develop, dng, jpeg, mosaic, scene

WIDTH, HEIGHT = 1200, 800
COLOURFUL = ("astronaut", "coffee", "chelsea", "rocket")


@dataclass(frozen=True)
class Pair:
    name: str
    kind: str  # what was done, e.g. "authentic/crop" or "local/clone"
    authentic: bool
    raw: bytes
    image: bytes


@dataclass(frozen=True)
class Shot:
    camera: Camera
    exposure: Exposure
    scene: str
    raw: bytes


def shoot(
    rng: np.random.Generator,
    *,
    camera: Camera | None = None,
    name: str | None = None,
    shift: tuple[float, float] = (0.0, 0.0),
    exposure: Exposure | None = None,
    linear: Any = None,
) -> Shot:
    camera = camera or CAMERAS[int(rng.integers(len(CAMERAS)))]
    name = name or SCENES[int(rng.integers(len(SCENES)))]
    exposure = exposure or Exposure(
        iso=int(rng.choice([100, 200, 400, 800])),
        exposure_time=(1, int(rng.choice([60, 125, 250, 500]))),
        captured_at=Exposure().captured_at + timedelta(minutes=int(rng.integers(0, 5000))),
    )
    if linear is None:
        linear = scene(name, WIDTH, HEIGHT, shift=shift, zoom=1.0 + abs(shift[0]) / 2000)
    raw = mosaic(linear, camera, rng, exposure=float(rng.uniform(0.55, 0.9)), iso=exposure.iso)
    return Shot(camera, exposure, name, dng(raw, camera, exposure))


# --- authentic developments -------------------------------------------------------------------------------


def _authentic(rng: np.random.Generator, shot: Shot, variant: str) -> tuple[Any, dict[str, Any]]:
    """A legitimate development: pixels (uint8) and jpeg() keyword arguments."""
    wb = None
    bright, gamma = 1.0, (2.222, 4.5)
    if variant in ("white-balance", "combined"):
        base = [1 / s for s in shot.camera.sensitivity]
        wb = (base[0] * rng.uniform(0.8, 1.2), 1.0, base[2] * rng.uniform(0.8, 1.2), 1.0)
    if variant in ("exposure", "combined"):
        bright = float(rng.uniform(0.7, 1.5))
    if variant == "contrast":
        gamma = (2.4, 12.92)
    pixels = develop(shot.raw, wb=wb, bright=bright, gamma=gamma)
    image = Image.fromarray(pixels)
    options: dict[str, Any] = {"quality": int(rng.integers(85, 96))}
    if variant in ("contrast", "combined"):
        image = ImageEnhance.Contrast(image).enhance(float(rng.uniform(1.15, 1.4)))
    if variant in ("crop", "combined"):
        share = rng.uniform(0.55, 0.9)
        w, h = int(image.width * share), int(image.height * rng.uniform(0.55, 0.9))
        left, top = int(rng.integers(0, image.width - w)), int(rng.integers(0, image.height - h))
        image = image.crop((left, top, left + w, top + h))
    if variant in ("resize", "combined"):
        share = rng.uniform(0.45, 0.85)
        image = image.resize((int(image.width * share), int(image.height * share)), Image.Resampling.LANCZOS)
    if variant == "rotation":
        image = image.transpose(
            [Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270][int(rng.integers(3))]
        )
    if variant == "exif-orientation":
        # Pixels stored sideways, the EXIF orientation (6: rotate 90 clockwise to view) puts them right.
        image = image.transpose(Image.Transpose.ROTATE_90)
        options["orientation"] = 6
    if variant == "quality":
        options["quality"] = int(rng.integers(70, 78))
    if variant == "sharpen":
        image = image.filter(ImageFilter.UnsharpMask(radius=1.5, percent=int(rng.integers(50, 90)), threshold=2))
    if variant == "noise-reduction":
        image = image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.5, 0.8))))
    return np.asarray(image), options


AUTHENTIC_VARIANTS = (
    "plain",
    "white-balance",
    "exposure",
    "contrast",
    "crop",
    "resize",
    "rotation",
    "exif-orientation",
    "quality",
    "sharpen",
    "noise-reduction",
    "combined",
    "crop",
    "resize",
    "quality",
    "combined",
)


# --- manipulations ----------------------------------------------------------------------------------------


def _box(
    rng: np.random.Generator, shape: tuple[int, ...], share: tuple[float, float] = (0.14, 0.22)
) -> tuple[int, int, int, int]:
    h, w = shape[:2]
    bh, bw = int(h * rng.uniform(*share)), int(w * rng.uniform(*share))
    top, left = int(rng.integers(h // 10, h - bh - h // 10)), int(rng.integers(w // 10, w - bw - w // 10))
    return top, left, bh, bw


def _feathered(shape: tuple[int, ...], box: tuple[int, int, int, int], sigma: float = 4.0) -> Any:
    mask = np.zeros(shape[:2], dtype=np.float32)
    top, left, bh, bw = box
    mask[top : top + bh, left : left + bw] = 1.0
    return cv2.GaussianBlur(mask, (0, 0), sigma)[..., None]


def _clone(rng: np.random.Generator, pixels: Any, _: Shot) -> Any:
    top, left, bh, bw = _box(rng, pixels.shape)
    source_top = (top + pixels.shape[0] // 2) % (pixels.shape[0] - bh)
    source_left = (left + pixels.shape[1] // 3) % (pixels.shape[1] - bw)
    return clone(pixels, (top, left, bh, bw), (source_top, source_left))


def _paste(rng: np.random.Generator, pixels: Any, shot: Shot) -> Any:
    other_name = next(name for name in rng.permutation(SCENES) if name != shot.scene)
    other = shoot(rng, camera=shot.camera, name=str(other_name))
    donor = develop(other.raw)
    top, left, bh, bw = _box(rng, pixels.shape)
    mask = _feathered(pixels.shape, (top, left, bh, bw), 2.0)
    patch = np.zeros_like(pixels)
    patch[top : top + bh, left : left + bw] = donor[:bh, :bw]
    return (pixels * (1 - mask) + patch * mask).astype(np.uint8)


def _remove(rng: np.random.Generator, pixels: Any, _: Shot) -> Any:
    top, left, bh, bw = _box(rng, pixels.shape, (0.1, 0.16))
    mask = np.zeros(pixels.shape[:2], dtype=np.uint8)
    mask[top : top + bh, left : left + bw] = 255
    return cv2.inpaint(pixels, mask, 5, cv2.INPAINT_TELEA)


def _recolour(rng: np.random.Generator, pixels: Any, _: Shot) -> Any:
    hsv = cv2.cvtColor(pixels, cv2.COLOR_RGB2HSV).astype(np.float32)
    hsv[..., 0] = (hsv[..., 0] + rng.uniform(30, 70)) % 180
    hsv[..., 1] = np.minimum(hsv[..., 1] * 1.3 + 20, 255)
    shifted = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB).astype(np.float32)
    mask = _feathered(pixels.shape, _box(rng, pixels.shape))
    return (pixels * (1 - mask) + shifted * mask).astype(np.uint8)


def _dodge_burn(rng: np.random.Generator, pixels: Any, _: Shot) -> Any:
    gain = rng.choice([rng.uniform(1.45, 1.7), rng.uniform(0.5, 0.65)])
    mask = _feathered(pixels.shape, _box(rng, pixels.shape, (0.18, 0.26)), 10.0)
    return np.clip(pixels * (1 + (gain - 1) * mask), 0, 255).astype(np.uint8)


def _painterly(rng: np.random.Generator, pixels: Any, _: Shot) -> Any:
    smoothed = cv2.medianBlur(cv2.bilateralFilter(pixels, 9, 60, 9), 9)
    return cv2.addWeighted(smoothed, 1.6, cv2.GaussianBlur(smoothed, (0, 0), 3), -0.6, 0)


def _channel_swap(rng: np.random.Generator, pixels: Any, _: Shot) -> Any:
    return np.ascontiguousarray(pixels[..., [2, 0, 1]])


def _warp(rng: np.random.Generator, pixels: Any, _: Shot) -> Any:
    h, w = pixels.shape[:2]
    field = rng.standard_normal((2, 6, 9)).astype(np.float32) * float(rng.uniform(6, 10))
    dy, dx = (cv2.resize(f, (w, h), interpolation=cv2.INTER_CUBIC) for f in field)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    return cv2.remap(pixels, xs + dx, ys + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _replace_half(rng: np.random.Generator, pixels: Any, shot: Shot) -> Any:
    other_name = next(name for name in rng.permutation(SCENES) if name != shot.scene)
    donor = develop(shoot(rng, camera=shot.camera, name=str(other_name)).raw)
    out = pixels.copy()
    rows = int(pixels.shape[0] * rng.uniform(0.35, 0.5))
    out[:rows] = donor[:rows, : pixels.shape[1]]
    return out


LOCAL_EDITS: dict[str, Callable[[np.random.Generator, Any, Shot], Any]] = {
    "clone": _clone,
    "paste": _paste,
    "remove": _remove,
    "recolour": _recolour,
    "dodge-burn": _dodge_burn,
}
GLOBAL_EDITS: dict[str, Callable[[np.random.Generator, Any, Shot], Any]] = {
    "painterly": _painterly,
    "channel-swap": _channel_swap,
    "warp": _warp,
    "replaced-half": _replace_half,
}


def screen_capture(name: str, rng: np.random.Generator) -> Any:
    """The scene shown on an RGB-stripe screen and photographed: the screen's grid beats with the sensor's."""
    fine = 3
    height, width = HEIGHT * fine, WIDTH * fine
    pitch = float(rng.uniform(2.3, 3.6)) * fine  # fine pixels per screen pixel
    angle = np.deg2rad(rng.uniform(-3, 3))
    source = scene(name, int(WIDTH / pitch * fine) + 2, int(HEIGHT / pitch * fine) + 2)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    u = (xs * np.cos(angle) + ys * np.sin(angle)) / pitch
    v = (-xs * np.sin(angle) + ys * np.cos(angle)) / pitch
    del xs, ys
    col = np.clip(u.astype(np.int32), 0, source.shape[1] - 1)
    row = np.clip(v.astype(np.int32), 0, source.shape[0] - 1)
    stripe = ((u - np.floor(u)) * 3).astype(np.int32)
    lit = (v - np.floor(v)) < 0.85
    screen = np.zeros((height, width, 3), dtype=np.float32)
    for channel in range(3):
        screen[..., channel] = np.where((stripe == channel) & lit, source[row, col, channel] * 3.2, 0.0)
    del u, v, col, row, stripe, lit
    screen = cv2.GaussianBlur(screen, (0, 0), 0.5 * fine)
    small = screen.reshape(HEIGHT, fine, WIDTH, fine, 3).mean(axis=(1, 3))
    return np.clip(small, 0, 1).astype(np.float32)


def generate(seed: int) -> Iterator[Pair]:
    """The labelled set for one seed: 16 authentic, 4 other shots, 10 local edits, 4 global, 4 recaptures,
    3 wrong-EXIF pairs (41 pairs)."""
    rng = np.random.default_rng(seed)

    def pair(
        name: str, kind: str, authentic: bool, shot: Shot, pixels: Any, *, exif_shot: Shot | None = None, **options: Any
    ) -> Pair:
        exif = exif_shot or shot
        return Pair(name, kind, authentic, shot.raw, jpeg(pixels, exif.camera, exif.exposure, **options))

    for index, variant in enumerate(AUTHENTIC_VARIANTS):
        shot = shoot(rng)
        pixels, options = _authentic(rng, shot, variant)
        yield pair(f"{seed}-{variant}-{index}", f"authentic/{variant}", True, shot, pixels, **options)
    for index in range(4):
        first = shoot(rng, name=SCENES[(seed + index) % len(SCENES)])
        shift = (float(rng.uniform(2, 5)) * rng.choice([-1, 1]), float(rng.uniform(1, 4)) * rng.choice([-1, 1]))
        second = shoot(
            rng,
            camera=first.camera,
            name=first.scene,
            shift=shift,
            exposure=replace(first.exposure, captured_at=first.exposure.captured_at + timedelta(seconds=1)),
        )
        # The forger copies the first shot's EXIF onto the second shot's development.
        yield pair(f"{seed}-other-shot-{index}", "other-shot", False, first, develop(second.raw), exif_shot=first)
    for index, (edit, function) in enumerate(list(LOCAL_EDITS.items()) * 2):
        shot = shoot(rng)
        pixels = function(rng, develop(shot.raw), shot)
        yield pair(f"{seed}-{edit}-{index}", f"local/{edit}", False, shot, pixels, quality=int(rng.integers(85, 95)))
    for edit, function in GLOBAL_EDITS.items():
        # Colourful scenes: swapping the channels of a near-grey one is no more than a white balance.
        shot = shoot(rng, name=COLOURFUL[int(rng.integers(len(COLOURFUL)))])
        yield pair(f"{seed}-{edit}", f"global/{edit}", False, shot, function(rng, develop(shot.raw), shot))
    for index in range(4):
        name = SCENES[int(rng.integers(len(SCENES)))]
        shot = shoot(rng, name=name, linear=screen_capture(name, rng))
        yield pair(f"{seed}-recapture-{index}", "recapture", False, shot, develop(shot.raw))
    for index in range(3):
        shot = shoot(rng)
        other = next(camera for camera in CAMERAS if camera != shot.camera)
        lying = Shot(
            other if index != 1 else replace(shot.camera, serial=shot.camera.serial + "9"),
            shot.exposure,
            shot.scene,
            shot.raw,
        )
        pixels, options = _authentic(rng, shot, "plain")
        yield pair(f"{seed}-wrong-exif-{index}", "wrong-exif", False, shot, pixels, exif_shot=lying, **options)


def write(pairs: Iterator[Pair], folder: Any) -> list[tuple[Pair, Any, Any]]:
    """Each pair as two files in ``folder``: (pair, raw path, jpeg path)."""
    written = []
    for item in pairs:
        raw_path, image_path = folder / f"{item.name}.dng", folder / f"{item.name}.jpg"
        raw_path.write_bytes(item.raw)
        image_path.write_bytes(item.image)
        written.append((replace(item, raw=b"", image=b""), raw_path, image_path))
    return written


def to_png(pixels: Any) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()
