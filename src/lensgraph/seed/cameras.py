"""Simulated cameras: skimage's sample photos rendered through a Bayer sensor with its own pattern noise, as DNG.
The demo's verifications, the forensics tests and ``python -m bench forensics`` all shoot with these.

Each camera has a fixed PRNU pattern (multiplicative, seeded by its serial), shot and read noise, channel
sensitivities (so the camera white balance matters), 12-bit data in 16-bit words; the DNG carries Make, Model,
serial, lens and exposure tags. Developments of it (JPEGs) go through rawpy, as a photographer's converter would.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
import rawpy
from pidng.core import RAW2DNG
from pidng.defs import CalibrationIlluminant, CFAPattern, DNGVersion, Orientation, PhotometricInterpretation
from pidng.dng import DNGTags, Tag
from PIL import Image
from skimage import data as samples

BLACK = 256
WHITE = 4095
SCENES = ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "camera", "brick", "moon")
# XYZ (D65) to linear sRGB: the sensor's primaries are sRGB's, so the DNG's colour matrix is this one.
XYZ_TO_SRGB = ((3.2406, -1.5372, -0.4986), (-0.9689, 1.8758, 0.0415), (0.0557, -0.2040, 1.0570))


@dataclass(frozen=True)
class Camera:
    make: str
    model: str
    serial: str
    lens: str
    sensitivity: tuple[float, float, float]  # raw R, G, B response to a white scene (camera white balance)
    full_well: float = 9000.0  # electrons at the white level
    read_noise: float = 2.5  # DN
    prnu_strength: float = 0.01


CAMERAS = (
    Camera("Lensgraph Optics", "LG-1", "LG1-000417", "LG 35mm F1.8", (0.52, 1.0, 0.71)),
    Camera("Northlight", "NX-20", "NX20-88213", "Northlight 50mm F2", (0.61, 1.0, 0.55), full_well=7000.0),
)


@dataclass(frozen=True)
class Exposure:
    iso: int = 200
    exposure_time: tuple[int, int] = (1, 125)
    f_number: tuple[int, int] = (28, 10)
    focal_length: tuple[int, int] = (35, 1)
    captured_at: datetime = datetime(2026, 6, 14, 10, 30, 15)


def scene(name: str, width: int, height: int, *, shift: tuple[float, float] = (0.0, 0.0), zoom: float = 1.0) -> Any:
    """The sample photo, linear light (float32, 0..1), resized to cover width x height; shift/zoom move the camera."""
    source = _sample(name)
    sh, sw = source.shape[:2]
    scale = max(width / sw, height / sh) * zoom
    matrix = np.array(
        [[scale, 0, (width - sw * scale) / 2 + shift[0]], [0, scale, (height - sh * scale) / 2 + shift[1]]],
        dtype=np.float64,
    )
    srgb = cv2.warpAffine(source, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)
    srgb = np.clip(srgb, 0.0, 1.0)
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4).astype(np.float32)
    # The lens and the anti-aliasing filter: about a pixel of blur, so no detail is finer than the optics pass.
    return cv2.GaussianBlur(linear, (0, 0), 1.2)


@lru_cache(maxsize=16)
def _sample(name: str) -> Any:
    image = getattr(samples, name)()
    if image.ndim == 2:  # a grey sample gets a warm tint, so every scene has colour
        image = np.stack([image * 1.0, image * 0.93, image * 0.8], axis=-1).clip(0, 255)
    return (image[..., :3] / 255.0).astype(np.float32)


def prnu(camera: Camera, height: int, width: int) -> Any:
    """The camera's fixed photo-response non-uniformity: the same pattern for every shot of the same size."""
    rng = np.random.default_rng(zlib.crc32(camera.serial.encode()))
    return (1.0 + camera.prnu_strength * rng.standard_normal((height, width), dtype=np.float32)).astype(np.float32)


def mosaic(linear: Any, camera: Camera, rng: np.random.Generator, *, exposure: float = 0.8, iso: int = 200) -> Any:
    """An RGGB Bayer capture of a linear scene: PRNU, shot noise, read noise, black level, 12-bit clipping.

    Higher ISO: fewer electrons fill the same range (the camera's full well is at ISO 200), so more shot noise."""
    height, width = linear.shape[0] // 2 * 2, linear.shape[1] // 2 * 2
    electrons = np.empty((height, width), dtype=np.float32)
    sens = camera.sensitivity
    electrons[0::2, 0::2] = linear[0:height:2, 0:width:2, 0] * sens[0]
    electrons[0::2, 1::2] = linear[0:height:2, 1:width:2, 1] * sens[1]
    electrons[1::2, 0::2] = linear[1:height:2, 0:width:2, 1] * sens[1]
    electrons[1::2, 1::2] = linear[1:height:2, 1:width:2, 2] * sens[2]
    full_well = camera.full_well * 200 / iso
    electrons *= exposure * full_well
    electrons *= prnu(camera, height, width)
    electrons += np.sqrt(np.maximum(electrons, 0.0)) * rng.standard_normal((height, width), dtype=np.float32)
    dn_per_electron = (WHITE - BLACK) / full_well
    electrons *= dn_per_electron
    electrons += BLACK + camera.read_noise * rng.standard_normal((height, width), dtype=np.float32)
    return np.clip(np.rint(electrons), 0, WHITE).astype(np.uint16)


def shot(name: str, camera: Camera, seed: int, width: int, height: int, exposure: Exposure | None = None) -> bytes:
    """A DNG of the sample photo ``name`` taken with ``camera``: the same seed makes the same file."""
    raw = mosaic(scene(name, width, height), camera, np.random.default_rng(seed))
    return dng(raw, camera, exposure or Exposure())


def clone(pixels: Any, box: tuple[int, int, int, int], source: tuple[int, int]) -> Any:
    """A local edit: the ``box`` (top, left, height, width) of the pixels covered by a copy of another part."""
    top, left, height, width = box
    out = pixels.copy()
    out[top : top + height, left : left + width] = pixels[source[0] : source[0] + height, source[1] : source[1] + width]
    return out


def dng(raw: Any, camera: Camera, exposure: Exposure) -> bytes:
    """Uncompressed 16-bit-word DNG (12-bit data) with the camera's and the exposure's tags."""
    height, width = raw.shape
    tags = DNGTags()
    for tag, value in (
        (Tag.ImageWidth, width),
        (Tag.ImageLength, height),
        (Tag.TileWidth, width),
        (Tag.TileLength, height),
        (Tag.Orientation, Orientation.Horizontal),
        (Tag.PhotometricInterpretation, PhotometricInterpretation.Color_Filter_Array),
        (Tag.SamplesPerPixel, 1),
        (Tag.BitsPerSample, 16),
        (Tag.CFARepeatPatternDim, [2, 2]),
        (Tag.CFAPattern, CFAPattern.RGGB),
        (Tag.BlackLevel, BLACK),
        (Tag.WhiteLevel, WHITE),
        (Tag.ColorMatrix1, [[round(v * 10000), 10000] for row in XYZ_TO_SRGB for v in row]),
        (Tag.CalibrationIlluminant1, CalibrationIlluminant.D65),
        (Tag.AsShotNeutral, [[round(s / camera.sensitivity[1] * 10000), 10000] for s in camera.sensitivity]),
        (Tag.Make, camera.make),
        (Tag.Model, camera.model),
        (Tag.UniqueCameraModel, f"{camera.make} {camera.model}"),
        (Tag.CameraSerialNumber, camera.serial),
        (Tag.EXIFPhotoBodySerialNumber, camera.serial),
        (Tag.EXIFPhotoLensModel, camera.lens),
        (Tag.PhotographicSensitivity, exposure.iso),
        (Tag.ExposureTime, [list(exposure.exposure_time)]),
        (Tag.FNumber, [list(exposure.f_number)]),
        (Tag.FocalLength, [list(exposure.focal_length)]),
        (Tag.DateTimeOriginal, exposure.captured_at.strftime("%Y:%m:%d %H:%M:%S")),
        (Tag.DateTime, exposure.captured_at.strftime("%Y:%m:%d %H:%M:%S")),
        (Tag.DNGVersion, DNGVersion.V1_4),
        (Tag.DNGBackwardVersion, DNGVersion.V1_2),
    ):
        tags.set(tag, value)
    writer = RAW2DNG()
    writer.options(tags, path="", compress=False)
    return bytes(writer.convert(raw))


def develop(
    raw_dng: bytes,
    *,
    wb: tuple[float, float, float, float] | None = None,
    bright: float = 1.0,
    gamma: tuple[float, float] = (2.222, 4.5),
    half_size: bool = False,
) -> Any:
    """A photographer's development of the DNG (rawpy, as LibRaw-based converters do): 8-bit sRGB."""
    with rawpy.imread(io.BytesIO(raw_dng)) as raw:
        return raw.postprocess(
            use_camera_wb=wb is None,
            user_wb=list(wb) if wb is not None else None,
            bright=bright,
            gamma=gamma,
            no_auto_bright=True,
            half_size=half_size,
            demosaic_algorithm=rawpy.DemosaicAlgorithm.AHD,
            output_bps=8,
        )


def jpeg(
    rgb: Any,
    camera: Camera | None,
    exposure: Exposure | None,
    *,
    quality: int = 90,
    software: str = "Lensgraph Develop 1.0",
    orientation: int = 1,
) -> bytes:
    """The developed pixels as a JPEG carrying the camera's EXIF (or none when camera is None)."""
    image = Image.fromarray(rgb)
    exif = Image.Exif()
    if orientation != 1:
        exif[0x0112] = orientation
    if camera is not None and exposure is not None:
        exif[0x010F] = camera.make
        exif[0x0110] = camera.model
        exif[0x0131] = software
        exif[0x0132] = exposure.captured_at.strftime("%Y:%m:%d %H:%M:%S")
        sub = exif.get_ifd(0x8769)
        sub[0x829A] = exposure.exposure_time[0] / exposure.exposure_time[1]
        sub[0x829D] = exposure.f_number[0] / exposure.f_number[1]
        sub[0x8827] = exposure.iso
        sub[0x9003] = exposure.captured_at.strftime("%Y:%m:%d %H:%M:%S")
        sub[0x920A] = exposure.focal_length[0] / exposure.focal_length[1]
        sub[0xA431] = camera.serial
        sub[0xA434] = camera.lens
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, exif=exif.tobytes())
    return buffer.getvalue()
