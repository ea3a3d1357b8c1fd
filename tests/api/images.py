"""Test images made on the fly: textured JPEGs with EXIF, and files that only pretend to be images."""

from __future__ import annotations

import io
import random
import struct
import zlib

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw


def photo_jpeg(width: int = 1600, height: int = 1000, seed: int = 1, *, artist: str = "Ada Lovelace") -> bytes:
    """Shapes on a gradient with noise: enough structure for a meaningful perceptual hash."""
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x, y = rng.randrange(width), rng.randrange(height)
        radius = rng.randrange(20, max(21, width // 5))
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Canon", "EOS R5"
    exif[0x013B], exif[0x8298] = artist, f"(c) {artist}"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def jpeg_of(pixels: NDArray[np.uint8]) -> bytes:
    """An RGB array (e.g. a ``skimage.data`` sample photo, bundled offline) as JPEG bytes."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def resized(data: bytes, factor: float) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        smaller = image.resize((int(image.width * factor), int(image.height * factor)))
        buffer = io.BytesIO()
        smaller.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid PNG header announcing 900 megapixels, with almost no data behind it."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )
