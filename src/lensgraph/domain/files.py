"""Files the API keeps: where an upload and a confirmed file are stored, and what a download is called.

Where a confirmed file is stored and what it is served as come from what its bytes were found to be, never
from the name the client gave; that name survives at most in a sanitised download name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from uuid import UUID

# An upload URL is single-use and dies at confirmation; unused, it expires after this.
UPLOAD_URL_LIFETIME = timedelta(minutes=15)
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/tiff": "tif",
    "image/webp": "webp",
    "image/heic": "heic",
    "application/pdf": "pdf",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
}
MAX_DOWNLOAD_STEM = 100
# Nothing that separates paths, quotes a header, or no one can see.
UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|;]+')


def upload_key(user_id: UUID, upload_id: UUID) -> str:
    """Where the client's bytes wait to be checked; no part of it is the client's choice."""
    return f"uploads/{user_id}/{upload_id}"


def stored_key(folder: str, record_id: UUID, name: str, media_type: str) -> str:
    """Where checked bytes live for good, e.g. ``photos/<id>/original.jpg``, named by their sniffed type."""
    return f"{folder}/{record_id}/{name}.{EXTENSIONS[media_type]}"


def media_type_of(sniffed_format: str, accepted: Mapping[str, str]) -> str:
    """The media type of a sniffed format, from a ``media type -> format`` table of accepted types."""
    return next(media_type for media_type, format_name in accepted.items() if format_name == sniffed_format)


def download_name(label: str, media_type: str, fallback: str = "file") -> str:
    """A name to save a download under: the label made harmless, with the extension of the sniffed type."""
    return f"{safe_stem(label, fallback)}.{EXTENSIONS.get(media_type, 'bin')}"


def safe_stem(label: str, fallback: str = "file") -> str:
    """The label made harmless as (part of) a file name: no path separators, controls or quotes, no dots at
    either end (so never "." or ".."), at most MAX_DOWNLOAD_STEM characters."""
    stem = " ".join(UNSAFE_IN_NAMES.sub(" ", label).split()).strip(". ")[:MAX_DOWNLOAD_STEM].rstrip(". ")
    return stem or fallback
