"""The imaging adapter's logo watermark: scaled, faded, its transparency kept, the result a decodable JPEG."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from lensgraph.adapters import imaging


def jpeg(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def logo() -> bytes:
    """An opaque blue square in the middle of a transparent 100 x 100 logo."""
    image = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((30, 30, 70, 70), fill=(0, 0, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_the_logo_is_stamped_scaled_and_faded_where_it_is_opaque_only():
    grey = jpeg((1000, 600), (128, 128, 128))
    stamped = Image.open(io.BytesIO(imaging.watermarked(grey, longest=1280, logo=logo())))
    assert stamped.format == "JPEG" and stamped.size == (1000, 600)
    centre = stamped.getpixel((500, 300))
    corner = stamped.getpixel((20, 20))
    # Blue shows (faded: not pure blue) where the logo is opaque; the transparent rest leaves the photo as it was.
    assert centre[2] > centre[0] + 40 and centre[0] > 30
    assert all(abs(channel - 128) <= 3 for channel in corner)
    # Scaled to 30% of the width: 300 px wide, so the square spans about 120 px around the centre.
    assert all(abs(channel - 128) <= 3 for channel in stamped.getpixel((500 - 90, 300)))


def test_logo_and_text_watermarks_differ_and_a_bad_logo_is_refused():
    photo = jpeg((400, 300), (90, 140, 60))
    by_text = imaging.watermarked(photo, longest=200, text="Smith & Co")
    by_logo = imaging.watermarked(photo, longest=200, logo=logo())
    assert Image.open(io.BytesIO(by_text)).size == Image.open(io.BytesIO(by_logo)).size == (200, 150)
    assert by_text != by_logo
    with pytest.raises(imaging.ImageUnreadable):
        imaging.watermarked(photo, longest=200, logo=b"not an image")
