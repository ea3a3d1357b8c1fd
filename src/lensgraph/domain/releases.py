"""Model and property releases: what a release document may be, and what a release must say.

A release is the signed permission of a person (MODEL) or of a property's owner (PROPERTY) to use photos
of them commercially. Photographers upload the signed document and say which of their photos it covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TypeVar

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.files import media_type_of
from lensgraph.domain.photos import ReleaseKind, safe_filename

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# Declared type -> the format the bytes must sniff as.
DOCUMENT_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
MAX_SUBJECT_NAME = 200
MAX_DETAILS = 2000
MAX_PHOTOS_PER_CHANGE = 100
# A PDF ends with %%EOF, possibly followed by a little whitespace or a stray newline; a file without one
# in its tail was cut off in transit.
PDF_TAIL_BYTES = 1024
# The signing date is the signer's local date: ahead of UTC by up to 14 hours, so one day of grace.
SIGNING_DATE_GRACE = timedelta(days=1)
SUBJECT_FIELD = {ReleaseKind.MODEL: "modelName", ReleaseKind.PROPERTY: "propertyName"}

T = TypeVar("T")


def check_document_request(filename: str, mime_type: str, size: int) -> str:
    """Returns a safe file name; refuses types other than PDF, JPEG, PNG and files over 20 MB."""
    if mime_type not in DOCUMENT_TYPES:
        accepted = ", ".join(sorted(DOCUMENT_TYPES))
        raise DomainError(ErrorCode.UPLOAD_INVALID, f"Upload the signed release as one of: {accepted}.", ["mimeType"])
    if size <= 0:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the file's size in bytes.", ["fileSizeBytes"])
    if size > MAX_DOCUMENT_BYTES:
        megabytes = MAX_DOCUMENT_BYTES // (1024 * 1024)
        raise DomainError(
            ErrorCode.UPLOAD_INVALID, f"Release documents may be at most {megabytes} MB.", ["fileSizeBytes"]
        )
    return safe_filename(filename)


def looks_like_pdf(data: bytes) -> bool:
    """A PDF starts with its ``%PDF-`` header and, unless truncated, ends with ``%%EOF``."""
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-PDF_TAIL_BYTES:]


def check_document_format(declared_mime: str, sniffed_format: str | None) -> str:
    """What the bytes are, not what the client said, decides (as for photos): answers their media type."""
    expected = DOCUMENT_TYPES[declared_mime]
    if sniffed_format is None:
        raise DomainError(ErrorCode.UPLOAD_INVALID, f"The file is not a readable {expected}.", ["uploadId"])
    if sniffed_format != expected:
        raise DomainError(
            ErrorCode.UPLOAD_INVALID, f"The file is {sniffed_format}, not {expected} as declared.", ["uploadId"]
        )
    return media_type_of(sniffed_format, DOCUMENT_TYPES)


def clean_subject_name(name: str, kind: ReleaseKind) -> str:
    """The model's full name or the property's name, whitespace collapsed."""
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_SUBJECT_NAME:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"Give a name of 1 to {MAX_SUBJECT_NAME} characters.", [SUBJECT_FIELD[kind]]
        )
    return cleaned


def clean_details(details: str | None) -> str:
    cleaned = (details or "").strip()
    if len(cleaned) > MAX_DETAILS:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {MAX_DETAILS} characters.", ["details"])
    return cleaned


def check_signed_on(signed_on: date, today: date) -> None:
    """A release cannot have been signed in the future."""
    if signed_on > today + SIGNING_DATE_GRACE:
        raise DomainError(ErrorCode.INVALID_INPUT, "The signing date cannot be in the future.", ["signedOn"])


def clean_photo_ids(photo_ids: Sequence[T]) -> list[T]:
    """Unique, in the order given; 1 to 100 at a time."""
    unique = list(dict.fromkeys(photo_ids))
    if not 1 <= len(unique) <= MAX_PHOTOS_PER_CHANGE:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Name 1 to {MAX_PHOTOS_PER_CHANGE} of your photos.", ["photoIds"])
    return unique
