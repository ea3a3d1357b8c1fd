"""Decoding a RAW + JPEG pair for forensic analysis: rawpy for the RAW (sensor data and a development with the
camera's white balance), Pillow for the JPEG (EXIF orientation applied), the RAW's TIFF/EXIF tags with tifffile,
C2PA manifests with c2pa-python. The analysis itself is ``domain.forensics.analysis``.

Which failures are which: a file that is no camera RAW (a renamed JPEG, an unknown format), a RAW LibRaw cannot
decode at all, or a JPEG that is not one or does not decode, raise ``UnreadableInput`` (the verification FAILS
with the reason). A RAW that decodes but whose sensor data is implausible (truncated, constant, out of range,
8-bit data dressed up) yields a report whose RAW_INTEGRITY check fails, so authentic is False.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import c2pa
import numpy as np
import orjson
import rawpy
import tifffile
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from lensgraph.domain.forensics import ForensicReport, UnreadableInput
from lensgraph.domain.forensics.analysis import DecodedPair, analyse

SNIFF_BYTES = 65_536
# TIFF-based RAWs that are not DNG or CR2 say who made them in IFD0's Make.
MAKERS = {
    "nikon": "NEF",
    "sony": "ARW",
    "pentax": "PEF",
    "ricoh": "PEF",
    "samsung": "SRW",
    "olympus": "ORF",
    "canon": "CR2",
    "panasonic": "RW2",
    "leica": "RW2",
}
TAG_MAKE, TAG_DNG_VERSION = 271, 50706
JPEG_MAGIC = b"\xff\xd8\xff"


def sniff_raw(source: Path | bytes) -> str | None:
    """The RAW format by its magic bytes and TIFF structure (CR2, CR3, ARW, NEF, DNG, RAF, ORF, RW2, PEF, SRW)."""
    head = _head(source)
    if head[4:12] == b"ftypcrx ":
        return "CR3"
    if head.startswith(b"FUJIFILMCCD-RAW"):
        return "RAF"
    if head[:4] in (b"IIRO", b"IIRS", b"MMOR"):
        return "ORF"
    if head[:4] == b"IIU\x00":
        return "RW2"
    if head[:4] not in (b"II*\x00", b"MM\x00*"):
        return None
    if head[8:10] == b"CR" and head[10] == 2:
        return "CR2"
    tags = _ifd0_tags(head)
    if TAG_DNG_VERSION in tags:
        return "DNG"
    make = tags.get(TAG_MAKE)
    if isinstance(make, str):
        for maker, name in MAKERS.items():
            if make.casefold().startswith(maker):
                return name
    return None


def is_jpeg(source: Path | bytes) -> bool:
    """Starts like a JPEG and Pillow reads its header as one (pixels are not decoded)."""
    head = _head(source)
    if not head.startswith(JPEG_MAGIC):
        return False
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
            return image.format == "JPEG"
    except (UnidentifiedImageError, OSError, SyntaxError):
        return False


def analyse_pair(raw_path: Path, image_path: Path) -> ForensicReport:
    """Decodes both files and runs every analyser (CPU bound: call it from a worker thread)."""
    raw_format = sniff_raw(raw_path)
    if raw_format is None:
        kind = "a JPEG" if is_jpeg(raw_path) else "not a camera RAW file"
        raise UnreadableInput(f"the RAW file is {kind} (expected CR2, CR3, ARW, NEF, DNG, RAF, ORF, RW2, PEF or SRW)")
    sensor, facts, developed, thumbnail = _decode_raw(raw_path, raw_format)
    raw_metadata = {**_raw_metadata(raw_path, raw_format, thumbnail), "format": raw_format}
    raw_metadata.update(width=int(sensor.shape[1]), height=int(sensor.shape[0]))
    jpeg, jpeg_metadata, jpeg_pixel = _decode_jpeg(image_path, developed.shape)
    credentials, credentials_error = read_content_credentials(image_path)
    return analyse(
        DecodedPair(
            sensor=sensor,
            raw_facts=facts,
            raw_developed=developed,
            raw_metadata=raw_metadata,
            jpeg=jpeg,
            jpeg_metadata=jpeg_metadata,
            jpeg_pixel=jpeg_pixel,
            credentials=credentials,
            credentials_error=credentials_error,
        )
    )


def read_content_credentials(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The JPEG's C2PA manifest store as JSON (validated by c2pa), None when it has none, or why it is unreadable."""
    try:
        with c2pa.Reader(path) as reader:
            store = orjson.loads(reader.json())
    except c2pa.C2paError.ManifestNotFound:
        return None, None
    except c2pa.C2paError as error:
        return None, f"the C2PA manifest could not be read: {error}"
    return (store if isinstance(store, dict) else None), None


def _decode_raw(path: Path, raw_format: str) -> tuple[Any, dict[str, Any], Any, Any]:
    try:
        with rawpy.imread(str(path)) as raw:
            sensor = raw.raw_image_visible.copy()
            facts = {
                "format": raw_format,
                "white_level": int(raw.white_level),
                "black_levels": [int(v) for v in raw.black_level_per_channel],
                "bits_per_sample": _bits(int(raw.white_level)),
                "colors": raw.color_desc.decode(errors="replace"),
                "camera_white_balance": [round(float(v), 4) for v in raw.camera_whitebalance],
            }
            # Half size: one RGB pixel per 2x2 Bayer block, no demosaicing, so the sensor's own noise survives.
            developed = raw.postprocess(use_camera_wb=True, half_size=True, output_bps=16, no_auto_bright=True)
            try:
                thumb = raw.extract_thumb()
                thumbnail = thumb.data if thumb.format == rawpy.ThumbFormat.JPEG else None
            except (rawpy.LibRawError, ValueError):
                thumbnail = None
    except rawpy.LibRawError as error:
        raise UnreadableInput(f"the {raw_format} file does not decode: {error}") from error
    image = developed.astype(np.float32)
    image /= 65535.0
    del developed
    return sensor, facts, image, thumbnail


def _bits(white_level: int) -> int:
    return max(8, int(white_level).bit_length())


def _decode_jpeg(path: Path, raw_shape: tuple[int, ...]) -> tuple[Any, dict[str, Any], int]:
    """The JPEG's pixels (box-reduced when at least twice the RAW development's size), metadata, reduction."""
    if not is_jpeg(path):
        raise UnreadableInput("the image is not a JPEG")
    try:
        with Image.open(path) as opened:
            opened.load()
            metadata = _exif_metadata(opened.getexif())
            metadata.update(width=opened.width, height=opened.height)
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise UnreadableInput(f"the JPEG does not decode: {error}") from error
    long_ratio = max(image.size) / max(raw_shape[:2])
    short_ratio = min(image.size) / min(raw_shape[:2])
    reduction = max(1, int(min(long_ratio, short_ratio)))
    if reduction > 1:
        image = image.reduce(reduction)
    pixels = np.asarray(image, dtype=np.float32)
    pixels /= 255.0
    return pixels, metadata, reduction


def _raw_metadata(path: Path, raw_format: str, thumbnail: bytes | None) -> dict[str, Any]:
    """TIFF/EXIF tags of TIFF-based RAWs; otherwise (CR3, RAF, ...) the EXIF of the embedded JPEG preview."""
    merged: dict[str, Any] = {}
    try:
        with tifffile.TiffFile(path) as tiff:
            page = tiff.pages.first
            for tag in page.tags.values():
                merged[tag.name] = tag.value
            exif = merged.get("ExifTag")
            if isinstance(exif, Mapping):
                merged.update(exif)
    except (tifffile.TiffFileError, OSError, ValueError, struct.error, IndexError):
        pass
    if merged:
        return _normalised(merged)
    if thumbnail is not None:
        try:
            with Image.open(io.BytesIO(thumbnail)) as preview:
                return _exif_metadata(preview.getexif())
        except (OSError, SyntaxError, ValueError):
            pass
    return {}


def _exif_metadata(exif: Image.Exif) -> dict[str, Any]:
    named = {ExifTags.TAGS.get(tag, str(tag)): value for tag, value in exif.items()}
    named.update({ExifTags.TAGS.get(tag, str(tag)): value for tag, value in exif.get_ifd(ExifTags.IFD.Exif).items()})
    return _normalised(named)


def _normalised(tags: Mapping[str, Any]) -> dict[str, Any]:
    """EXIF names (TIFF/EXIF spelling, as tifffile and Pillow give them) to the analysers' keys."""

    def first(*names: str) -> Any:
        for name in names:
            value = tags.get(name)
            if value not in (None, "", b""):
                return value
        return None

    captured = first("DateTimeOriginal", "DateTime")
    out = {
        "make": _text(first("Make")),
        "model": _text(first("Model")),
        "serial": _text(first("BodySerialNumber", "CameraSerialNumber", "SerialNumber")),
        "lens": _text(first("LensModel")),
        "iso": _number(first("ISOSpeedRatings", "PhotographicSensitivity")),
        "exposure_time": _number(first("ExposureTime")),
        "f_number": _number(first("FNumber")),
        "focal_length": _number(first("FocalLength")),
        "captured_at": _capture_time(captured),
        "software": _text(first("Software")),
        "orientation": _number(first("Orientation")),
    }
    return {key: value for key, value in out.items() if value is not None}


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    if value is None:
        return None
    text = " ".join(str(value).replace("\x00", " ").split())
    return text or None


def _number(value: Any) -> float | None:
    if isinstance(value, tuple | list):
        if len(value) == 2 and all(isinstance(v, int) for v in value):
            return round(value[0] / value[1], 6) if value[1] else None
        value = value[0] if value else None
    try:
        return round(float(value), 6) if value is not None else None
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def _capture_time(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S").isoformat()
    except ValueError:
        return None


def _head(source: Path | bytes) -> bytes:
    if isinstance(source, bytes):
        return source[:SNIFF_BYTES]
    with open(source, "rb") as file:
        return file.read(SNIFF_BYTES)


def _ifd0_tags(head: bytes) -> dict[int, Any]:
    """IFD0's tags from a TIFF header (only ASCII values are read; others map to True)."""
    order = "<" if head[:2] == b"II" else ">"
    try:
        (offset,) = struct.unpack_from(order + "I", head, 4)
        (count,) = struct.unpack_from(order + "H", head, offset)
        tags: dict[int, Any] = {}
        for index in range(min(count, 512)):
            tag, kind, length, value = struct.unpack_from(order + "HHI4s", head, offset + 2 + index * 12)
            if kind == 2:  # ASCII
                if length <= 4:
                    raw = value[:length]
                else:
                    (where,) = struct.unpack(order + "I", value)
                    raw = head[where : where + length]
                tags[tag] = raw.split(b"\x00")[0].decode(errors="replace")
            else:
                tags[tag] = True
        return tags
    except struct.error:
        return {}
