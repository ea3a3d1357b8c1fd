"""Reading images with Pillow: sniffing, a decompression-bomb guard, metadata, renditions, hashes, faces."""

from __future__ import annotations

import io
import threading
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import cv2
import imagehash
import numpy as np
from PIL import ExifTags, Image, ImageDraw, ImageOps, IptcImagePlugin, UnidentifiedImageError
from pillow_heif import register_heif_opener

from lensgraph.domain.photos import EmbeddedText

register_heif_opener()

# Our own, lower limit is checked first (domain.photos.MAX_PIXELS); this stops Pillow itself from
# ever decoding something absurd if a caller forgets.
Image.MAX_IMAGE_PIXELS = 200_000_000

# OpenCV's bundled frontal-face Haar cascade: inside the wheel, so detection works offline.
FACE_CASCADE_PATH = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
# The cascade's own window: it cannot see a smaller face.
MIN_FACE_PX = 24
# OpenCV does not promise that one classifier detects safely in several threads at once, and analyses run in
# worker threads: each thread loads its own.
_per_thread = threading.local()


class ImageUnreadable(Exception):
    pass


@dataclass(frozen=True)
class Header:
    """What the first bytes say, without decoding pixels."""

    format: str | None
    width: int
    height: int


@dataclass
class Analysis:
    width: int
    height: int
    exif: dict[str, Any]
    gps: dict[str, float] | None
    rights: dict[str, str]
    captured_at: datetime | None
    phash: str
    palette: list[tuple[int, int, int]]
    face_count: int
    renditions: dict[str, bytes] = field(default_factory=dict)
    # The photographer's title, caption and keywords as IPTC IIM or XMP carry them.
    text: EmbeddedText = field(default_factory=EmbeddedText)


def read_header(data: bytes) -> Header:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                return Header(format=image.format, width=image.width, height=image.height)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError):
        return Header(format=None, width=0, height=0)


def check_decodes(data: bytes) -> None:
    """Decodes every pixel: a truncated or corrupt file fails here, not later in analysis."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageUnreadable(str(exc)) from exc


def analyse(data: bytes, *, watermark_text: str, thumbnail_px: int, preview_px: int) -> Analysis:
    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        exif = opened.getexif()
        iptc = IptcImagePlugin.getiptcinfo(opened) or {}
        text = embedded_text(opened, iptc)
        image = ImageOps.exif_transpose(opened).convert("RGB")
    facts, gps, captured_at = _exif_facts(exif)
    preview = _fit(image, preview_px)
    return Analysis(
        width=image.width,
        height=image.height,
        exif=facts,
        gps=gps,
        rights=_rights(exif, iptc),
        captured_at=captured_at,
        phash=str(imagehash.phash(image)),
        palette=_palette(image),
        face_count=count_faces(preview),
        renditions={
            "thumbnail": _jpeg(_fit(image, thumbnail_px)),
            "preview": _jpeg(preview),
            "watermarked": _jpeg(_watermark(preview, watermark_text)),
        },
        text=text,
    )


def check_raw_decodes(data: bytes) -> None:
    """Unpacks a camera RAW's sensor data (LibRaw, through rawpy): a file cut short or corrupt fails here, at
    creation, rather than in the analysis. No demosaicing: the analysis develops it."""
    import rawpy  # a heavy import only the verification path needs

    try:
        with rawpy.imread(io.BytesIO(data)) as raw:
            raw.raw_image_visible  # noqa: B018  (the property unpacks the data)
    except (rawpy.LibRawError, ValueError, OSError) as exc:
        raise ImageUnreadable(str(exc)) from exc


def read_gps(data: bytes) -> dict[str, float] | None:
    """Where an image says it was taken (its GPS EXIF, signed decimal degrees), as ``analyse`` reads a photo's."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            return _gps(opened.getexif().get_ifd(ExifTags.IFD.GPSInfo))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def perceptual_hash(data: bytes) -> str:
    """imagehash's pHash of an image as shown (EXIF orientation applied), as ``analyse`` computes a photo's: what a
    catalogue photo and a verified image are matched by."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageUnreadable(str(exc)) from exc
    return str(imagehash.phash(image))


def count_faces(image: Image.Image) -> int:
    """Frontal faces in a preview-size image (detection time grows with pixels; faces that matter show at 1280 px)."""
    gray = np.asarray(image.convert("L"))
    # Chosen on skimage's astronaut (its one face found from 256 to 2048 px) against coffee, rocket, a cat and
    # generated shapes (no face): scaleFactor 1.05 found faces in coffee foam, 1.1 does not; minNeighbors 5,
    # because with fewer the shapes and the cat got faces and the astronaut two; minSize a tenth of the short
    # side, because smaller hits were texture in upscaled images, and a face that small is rarely recognisable
    # enough to need a release.
    side = max(MIN_FACE_PX, min(gray.shape) // 10)
    faces = _face_cascade().detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(side, side))
    return len(faces)


def _face_cascade() -> cv2.CascadeClassifier:
    cascade: cv2.CascadeClassifier | None = getattr(_per_thread, "face_cascade", None)
    if cascade is None:
        cascade = cv2.CascadeClassifier(FACE_CASCADE_PATH)
        if cascade.empty():
            raise RuntimeError(f"OpenCV's face cascade did not load from {FACE_CASCADE_PATH}")
        _per_thread.face_cascade = cascade
    return cascade


def _fit(image: Image.Image, longest: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    return copy


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    return buffer.getvalue()


def _watermark(image: Image.Image, text: str) -> Image.Image:
    """A repeated diagonal line of text: visible enough to deter reuse, light enough to judge the photo."""
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    font_size = max(12, image.width // 30)
    step = font_size * 6
    for y in range(-image.height, image.height * 2, step):
        for x in range(-image.width, image.width * 2, step * 3):
            draw.text((x, y), text, fill=(255, 255, 255, 90), font_size=font_size)
    rotated = overlay.rotate(30, expand=False)
    return Image.alpha_composite(image.convert("RGBA"), rotated).convert("RGB")


# A logo watermark: its width against the picture's, and how opaque it is stamped.
LOGO_WIDTH_SHARE = 0.3
LOGO_OPACITY = 0.45


def _logo_watermark(image: Image.Image, logo: Image.Image) -> Image.Image:
    """The logo, scaled to a share of the picture's width and faded, stamped in its centre and its lower right
    corner; the logo's own transparency is kept, so only its drawing shows."""
    mark = logo.convert("RGBA")
    width = max(8, int(image.width * LOGO_WIDTH_SHARE))
    height = max(1, round(mark.height * width / mark.width))
    mark = mark.resize((width, height), Image.Resampling.LANCZOS)
    mark.putalpha(mark.getchannel("A").point(lambda alpha: int(alpha * LOGO_OPACITY)))
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    overlay.alpha_composite(mark, ((image.width - width) // 2, (image.height - height) // 2))
    small = mark.resize((max(4, width // 2), max(1, height // 2)), Image.Resampling.LANCZOS)
    margin = max(4, image.width // 50)
    corner = (max(0, image.width - small.width - margin), max(0, image.height - small.height - margin))
    overlay.alpha_composite(small, corner)
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")


def watermarked(data: bytes, *, longest: int, text: str | None = None, logo: bytes | None = None) -> bytes:
    """A JPEG of the image at most ``longest`` px, stamped with ``logo`` (any image Pillow reads, alpha kept)
    when given, else with ``text``. A gallery's own watermark; the pipeline's is made in ``analyse``."""
    image = _fit(_shown(data), longest)
    if logo is not None:
        try:
            with Image.open(io.BytesIO(logo)) as opened:
                opened.load()
                return _jpeg(_logo_watermark(image, opened))
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            raise ImageUnreadable(str(exc)) from exc
    return _jpeg(_watermark(image, text or ""))


def _palette(image: Image.Image, colors: int = 5) -> list[tuple[int, int, int]]:
    small = image.resize((64, 64))
    quantized = small.quantize(colors=colors)
    palette = quantized.getpalette() or []
    # A quantized (P mode) image's colors are palette indexes; Pillow types them as any pixel value.
    counts = sorted(quantized.getcolors() or [], reverse=True)
    return [tuple(palette[index * 3 : index * 3 + 3]) for _count, index in counts]  # type: ignore[misc, operator]


EXIF_FIELDS = {
    "Make": "cameraMake",
    "Model": "cameraModel",
    "LensModel": "lens",
    "ExposureTime": "exposureTime",
    "FNumber": "fNumber",
    "ISOSpeedRatings": "iso",
    "FocalLength": "focalLength",
    "Software": "software",
}


def _exif_facts(exif: Image.Exif) -> tuple[dict[str, Any], dict[str, float] | None, datetime | None]:
    merged: dict[str, Any] = {}
    for tag, value in {**exif, **exif.get_ifd(ExifTags.IFD.Exif)}.items():
        name = ExifTags.TAGS.get(tag)
        if name in EXIF_FIELDS:
            merged[EXIF_FIELDS[name]] = _plain(value)
        elif name == "Flash" and isinstance(value, int):
            merged["flash"] = "fired" if value & 1 else "off"
        elif name == "SceneCaptureType" and isinstance(value, int):
            merged["scene"] = {1: "landscape", 2: "portrait", 3: "night"}.get(value)
    merged = {key: value for key, value in merged.items() if value not in (None, "")}
    captured = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    return merged, _gps(exif.get_ifd(ExifTags.IFD.GPSInfo)), _capture_time(captured)


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode(errors="replace").strip("\x00 ")
    if isinstance(value, str):
        return value.strip("\x00 ")
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    try:
        return float(value) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        return str(value)


def _gps(info: dict[int, Any]) -> dict[str, float] | None:
    try:
        latitude = _degrees(info[2], info[1])
        longitude = _degrees(info[4], info[3])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    return {"latitude": round(latitude, 6), "longitude": round(longitude, 6)}


def _degrees(value: tuple[Any, Any, Any], reference: str) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    decimal = degrees + minutes / 60 + seconds / 3600
    return -decimal if reference in {"S", "W"} else decimal


def _capture_time(value: Any) -> datetime | None:
    try:
        return datetime.strptime(str(value), "%Y:%m:%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _rights(exif: Image.Exif, iptc: dict[tuple[int, int], Any]) -> dict[str, str]:
    """Creator, copyright and usage terms from EXIF and IPTC, whichever the camera or editor wrote."""
    found = {
        "creator": exif.get(ExifTags.Base.Artist) or iptc.get((2, 80)),
        "copyright": exif.get(ExifTags.Base.Copyright) or iptc.get((2, 116)),
        "usageTerms": iptc.get((2, 40)),
    }
    rights: dict[str, str] = {}
    for key, value in found.items():
        if isinstance(value, list):
            value = value[0] if value else None
        if value:
            rights[key] = str(_plain(value))
    return rights


# The photographer's text -------------------------------------------------------------------------

IPTC_TITLE, IPTC_KEYWORDS, IPTC_CAPTION, IPTC_CHARSET = (2, 5), (2, 25), (2, 120), (1, 90)
# ISO 2022 escape sequence for UTF-8 in IPTC's record 1 (1:90): without it, IIM text is usually Latin-1/cp1252.
IPTC_UTF8 = b"\x1b%G"


def embedded_text(image: Image.Image, iptc: dict[tuple[int, int], Any]) -> EmbeddedText:
    """Title, caption and keywords from XMP (Unicode by definition, so preferred) or else IPTC IIM; keywords from
    both. Pillow reads both (XMP through defusedxml); nothing here parses bytes by hand."""
    xmp = _xmp_fields(image)
    utf8 = _first(iptc.get(IPTC_CHARSET)) == IPTC_UTF8
    iptc_title = _iptc_texts(iptc.get(IPTC_TITLE), utf8)
    iptc_caption = _iptc_texts(iptc.get(IPTC_CAPTION), utf8)
    keywords = [*xmp.get("subject", []), *_iptc_texts(iptc.get(IPTC_KEYWORDS), utf8)]
    return EmbeddedText(
        title=next(iter([*xmp.get("title", []), *iptc_title]), ""),
        caption=next(iter([*xmp.get("description", []), *iptc_caption]), ""),
        keywords=tuple(keywords),
    )


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def decode_text(value: bytes, utf8: bool = False) -> str:
    """IPTC text as the file declares it (1:90), else UTF-8 when it decodes as such, else cp1252 (what editors
    without the declaration wrote), never an exception."""
    if utf8:
        return value.decode("utf-8", errors="replace")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("cp1252", errors="replace")


def _iptc_texts(value: Any, utf8: bool) -> list[str]:
    values = value if isinstance(value, list) else [value] if value is not None else []
    texts = (decode_text(item, utf8) if isinstance(item, bytes) else str(item) for item in values)
    return [text.strip("\x00 ") for text in texts if text.strip("\x00 ")]


# dc:title and dc:description are language alternatives (rdf:Alt), dc:subject a bag (rdf:Bag) of keywords.
XMP_DUBLIN_CORE = ("title", "description", "subject")


def _xmp_fields(image: Image.Image) -> dict[str, list[str]]:
    """dc:title, dc:description and dc:subject from the XMP packet, x-default language first."""
    try:
        xmp = image.getxmp()
    except Exception:  # a malformed packet loses its text, not the photo
        return {}
    found: dict[str, list[str]] = {}
    for description in _descriptions(xmp):
        for name in XMP_DUBLIN_CORE:
            if name in description and name not in found:
                texts = _xmp_strings(description[name])
                if texts:
                    found[name] = texts
    return found


def _descriptions(xmp: Any) -> list[dict[str, Any]]:
    """Every rdf:Description of the packet (one, or several when the writer split namespaces)."""
    rdf = xmp.get("xmpmeta", {}).get("RDF", {}) if isinstance(xmp, dict) else {}
    found = rdf.get("Description", []) if isinstance(rdf, dict) else []
    return [item for item in (found if isinstance(found, list) else [found]) if isinstance(item, dict)]


def _xmp_strings(value: Any) -> list[str]:
    """The strings of an rdf:Alt / rdf:Bag / rdf:Seq or a plain value; an x-default alternative comes first."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [text for item in value for text in _xmp_strings(item)]
    if not isinstance(value, dict):
        return []
    if "text" in value:
        return _xmp_strings(value["text"])
    for container in ("Alt", "Bag", "Seq"):
        if container in value:
            items = value[container].get("li", []) if isinstance(value[container], dict) else []
            items = items if isinstance(items, list) else [items]
            default = [item for item in items if isinstance(item, dict) and item.get("lang") == "x-default"]
            return _xmp_strings(default + [item for item in items if item not in default])
    return []


# Verification reports -----------------------------------------------------------------------------


def _shown(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            return ImageOps.exif_transpose(opened).convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageUnreadable(str(exc)) from exc


def thumbnail(data: bytes, longest: int) -> bytes:
    """A small JPEG of an image as shown (EXIF orientation applied)."""
    return _jpeg(_fit(_shown(data), longest))


# The strip's colours: the verdict's mark, on a dark band that reads on any photo.
STRIP_BAND = (16, 18, 22, 225)
STRIP_TEXT = (255, 255, 255, 255)
VERDICT_MARKS = {"AUTHENTIC": (46, 160, 67, 255), "NOT AUTHENTIC": (207, 34, 46, 255)}
NO_VERDICT_MARK = (150, 150, 150, 255)


def with_verification_strip(data: bytes, lines: tuple[str, str], verdict: str, longest: int) -> bytes:
    """The image at most ``longest`` px, with a band across its bottom saying the verdict, the report's short code
    and the date: whoever sees a copy can look the report up."""
    image = _fit(_shown(data), longest)
    band_height = max(36, image.height // 9)
    top = image.height - band_height
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rectangle((0, top, image.width, image.height), fill=STRIP_BAND)
    pad = max(4, band_height // 8)
    mark = band_height - 2 * pad
    draw.rectangle((pad, top + pad, pad + mark, top + pad + mark), fill=VERDICT_MARKS.get(verdict, NO_VERDICT_MARK))
    font_size = max(9, (band_height - 3 * pad) // 2)
    left = 2 * pad + mark
    draw.text((left, top + pad), lines[0], fill=STRIP_TEXT, font_size=font_size)
    draw.text((left, top + 2 * pad + font_size), lines[1], fill=STRIP_TEXT, font_size=font_size)
    return _jpeg(Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB"))
