"""The demo's pictures: landscapes and cityscapes drawn in code, and one real portrait.

Drawn scenes keep the install small (no image library beyond Pillow and numpy, which the server needs anyway)
and are the same on every machine (seeded). Face detection needs a real face, so one photograph ships with the
package: ``astronaut.jpg``, NASA's portrait of astronaut Eileen Collins (public domain, from the NASA Great
Images database, as bundled by scikit-image's ``skimage.data.astronaut``).
"""

from __future__ import annotations

import io
import math
import random
from importlib import resources

import numpy as np
from PIL import Image, ImageDraw, ImageOps

Colour = tuple[int, int, int]
WIDTH, HEIGHT = 1200, 800


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def _sky(top: Colour, bottom: Colour, size: tuple[int, int]) -> Image.Image:
    """A vertical gradient with a little film grain, so no two skies hash alike."""
    width, height = size
    ramp = np.linspace(0.0, 1.0, height)[:, None, None]
    pixels = np.array(top, float) * (1 - ramp) + np.array(bottom, float) * ramp
    grain = np.random.default_rng(width * height).normal(0, 3, (height, width, 3))
    return Image.fromarray(np.clip(pixels + grain, 0, 255).astype(np.uint8), "RGB")


def _ridge(draw: ImageDraw.ImageDraw, rng: random.Random, base: int, amplitude: int, colour: Colour) -> None:
    """A band of land whose top follows a few summed sine waves (dunes, hills, waves)."""
    waves = [(rng.uniform(0.002, 0.02), rng.uniform(0, math.tau), rng.uniform(0.3, 1.0)) for _ in range(3)]
    top = [
        (x, base - amplitude * sum(weight * math.sin(freq * x + phase) for freq, phase, weight in waves) / 2)
        for x in range(0, WIDTH + 10, 10)
    ]
    draw.polygon([*top, (WIDTH, HEIGHT), (0, HEIGHT)], fill=colour)


def dunes(seed: int, sky: Colour, sand: Colour) -> bytes:
    rng = random.Random(seed)
    image = _sky(sky, (250, 200, 140), (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    draw.ellipse((760, 180, 880, 300), fill=(255, 236, 180))
    for layer in range(4):
        shade = tuple(max(0, channel - 25 * layer) for channel in sand)
        _ridge(draw, rng, 430 + 90 * layer, 120 - 20 * layer, shade)  # type: ignore[arg-type]
    return _jpeg(image)


def coast(seed: int, sky: Colour, sea: Colour) -> bytes:
    rng = random.Random(seed)
    image = _sky(sky, (200, 225, 240), (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 420, WIDTH, HEIGHT), fill=sea)
    for row in range(40):
        y = 430 + row * 9
        for _ in range(12):
            x = rng.randrange(WIDTH)
            draw.line((x, y, x + rng.randrange(20, 90), y), fill=(230, 240, 250), width=2)
    _ridge(draw, rng, 700, 60, (214, 190, 140))
    return _jpeg(image)


def mountains(seed: int, sky: Colour, rock: Colour) -> bytes:
    rng = random.Random(seed)
    image = _sky(sky, (235, 240, 245), (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    for layer in range(3):
        peaks = [(x, rng.randrange(180 + 120 * layer, 380 + 120 * layer)) for x in range(-100, WIDTH + 200, 200)]
        shade = tuple(min(255, channel + 35 * (2 - layer)) for channel in rock)
        draw.polygon([*peaks, (WIDTH, HEIGHT), (0, HEIGHT)], fill=shade)
        if layer == 0:
            for x, y in peaks:
                draw.polygon([(x - 40, y + 50), (x, y), (x + 40, y + 50)], fill=(250, 250, 252))
    return _jpeg(image)


def night(seed: int, sky: Colour) -> bytes:
    rng = random.Random(seed)
    image = _sky((5, 8, 25), sky, (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    for _ in range(600):
        x, y, bright = rng.randrange(WIDTH), rng.randrange(560), rng.randrange(150, 256)
        draw.point((x, y), fill=(bright, bright, bright))
    draw.ellipse((900, 90, 980, 170), fill=(245, 245, 225))
    _ridge(draw, rng, 650, 80, (10, 12, 18))
    return _jpeg(image)


def city(seed: int, sky: Colour, lit: bool) -> bytes:
    rng = random.Random(seed)
    image = _sky(sky, (250, 170, 110) if not lit else (60, 40, 90), (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    x = 0
    while x < WIDTH:
        width, height = rng.randrange(60, 140), rng.randrange(200, 600)
        grey = rng.randrange(30, 80)
        draw.rectangle((x, HEIGHT - height, x + width, HEIGHT), fill=(grey, grey, grey + 10))
        for wy in range(HEIGHT - height + 15, HEIGHT - 10, 22):
            for wx in range(x + 8, x + width - 12, 18):
                if rng.random() < (0.55 if lit else 0.15):
                    draw.rectangle((wx, wy, wx + 8, wy + 10), fill=(255, 214, 120))
        x += width + rng.randrange(0, 12)
    return _jpeg(image)


def forest(seed: int, canopy: Colour) -> bytes:
    rng = random.Random(seed)
    image = _sky((170, 200, 220), (220, 235, 220), (HEIGHT, WIDTH))
    draw = ImageDraw.Draw(image)
    for _ in range(70):
        x, base = rng.randrange(HEIGHT), rng.randrange(600, WIDTH + 100)
        height = rng.randrange(250, 600)
        shade = tuple(max(0, channel - rng.randrange(0, 40)) for channel in canopy)
        draw.rectangle((x - 6, base - 60, x + 6, base), fill=(70, 50, 30))
        draw.polygon([(x - 70, base - 50), (x, base - height), (x + 70, base - 50)], fill=shade)
    return _jpeg(image)


def astronaut(mirrored: bool = False) -> bytes:
    """The public-domain portrait bundled with the package; ``mirrored`` makes a second, distinct photo."""
    data = resources.files(__package__).joinpath("astronaut.jpg").read_bytes()
    if not mirrored:
        return data
    with Image.open(io.BytesIO(data)) as image:
        return _jpeg(ImageOps.mirror(image.convert("RGB")).crop((0, 0, 512, 480)))


def release_pdf(subject: str) -> bytes:
    """A one-page PDF standing in for a signed release (what ``submitModelRelease`` checks: header and trailer)."""
    text = f"Release signed by {subject} for Lensgraph demo photos.".replace("(", "[").replace(")", "]")
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    body += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return body
