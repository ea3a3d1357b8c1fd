"""Gallery rules: what a studio's client gallery holds, who may keep one, and how its fields are cleaned."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from enum import Enum
from uuid import UUID

from lensgraph.domain.errors import DomainError, ErrorCode

MAX_TITLE = 200
MAX_GALLERY_PHOTOS = 5000
MAX_WATERMARK_TEXT = 80
MAX_CLIENT_NAME = 200
MAX_SET_NAME = 100
MAX_COLLECTION_NAME = 100
MIN_PASSWORD = 4
MAX_PASSWORD = 200
FALLBACK_SLUG = "gallery"
ACCENT_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class GalleryStatus(Enum):
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"


class WatermarkKind(Enum):
    """What a watermarked gallery stamps on its previews: its watermark text, or the studio's logo."""

    TEXT = "TEXT"
    LOGO = "LOGO"


class DownloadPolicy(Enum):
    NONE = "NONE"
    WEB_SIZE = "WEB_SIZE"
    FULL_SIZE = "FULL_SIZE"


def clean_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not 1 <= len(cleaned) <= MAX_TITLE:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Give a title of 1 to {MAX_TITLE} characters.", ["title"])
    return cleaned


def clean_accent_colour(colour: str | None) -> str | None:
    if colour is None:
        return None
    if not ACCENT_PATTERN.fullmatch(colour.strip()):
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the accent colour as #RRGGBB.", ["accentColor"])
    return colour.strip().upper()


def clean_client_email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not EMAIL_PATTERN.fullmatch(cleaned):
        raise DomainError(ErrorCode.INVALID_INPUT, "This is not an email address.", ["clientEmail"])
    return cleaned


def clean_client_name(name: str | None) -> str:
    cleaned = " ".join((name or "").split())
    if len(cleaned) > MAX_CLIENT_NAME:
        raise DomainError(ErrorCode.INVALID_INPUT, f"At most {MAX_CLIENT_NAME} characters.", ["clientName"])
    return cleaned


def clean_watermark_text(text: str | None) -> str:
    cleaned = " ".join((text or "").split())
    if len(cleaned) > MAX_WATERMARK_TEXT:
        raise DomainError(ErrorCode.INVALID_INPUT, f"At most {MAX_WATERMARK_TEXT} characters.", ["watermarkText"])
    return cleaned


def check_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"A gallery password has {MIN_PASSWORD} to {MAX_PASSWORD} characters.",
            ["password"],
        )


def check_expiry(expires_at: datetime | None, now: datetime) -> None:
    if expires_at is not None and expires_at <= now:
        raise DomainError(ErrorCode.INVALID_INPUT, "Choose an expiry in the future.", ["expiresAt"])


def check_room(photo_count: int, adding: int) -> None:
    if photo_count + adding > MAX_GALLERY_PHOTOS:
        raise DomainError(
            ErrorCode.QUOTA_EXCEEDED, f"A gallery holds at most {MAX_GALLERY_PHOTOS} photos.", ["photoIds"]
        )


def check_reorder(
    current: Collection[UUID], requested: Sequence[UUID], what: str = "photos", field: str = "photoIds"
) -> list[UUID]:
    """The new order names every photo (or set) of the gallery exactly once, and nothing else."""
    if len(set(requested)) != len(requested) or set(requested) != set(current):
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"Give exactly the gallery's {len(current)} {what}, in their new order.", [field]
        )
    return list(requested)


def clean_set_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= MAX_SET_NAME:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Name the set in 1 to {MAX_SET_NAME} characters.", ["name"])
    return cleaned


def is_expired(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and expires_at <= now


def check_open_to_clients(expires_at: datetime | None, now: datetime, field: str = "slug") -> None:
    """An expired gallery opens to no client, whether or not the sweep has announced it yet."""
    if is_expired(expires_at, now):
        raise DomainError(ErrorCode.GALLERY_EXPIRED, "This gallery has expired; ask your photographer.", [field])


def visitor_by_address(address: str | None) -> str:
    """Who viewed an open gallery without unlocking it: their address, as the daily view count tells visitors."""
    return f"address:{address or 'unknown'}"


def check_archivable(status: GalleryStatus) -> None:
    if status is GalleryStatus.ARCHIVED:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "This gallery is archived already.", ["id"])


def watermark_key(gallery_id: UUID, photo_id: UUID, text: str, logo_id: UUID | None) -> str:
    """Where a preview stamped with these settings lives: the key names them, so a preview stamped with other
    settings is never shown for these, and a job run twice writes the same file."""
    fingerprint = hashlib.sha256(f"{text}|{logo_id or '-'}".encode()).hexdigest()[:16]
    return f"galleries/{gallery_id}/{photo_id}/watermarked-{fingerprint}.jpg"


def watermark_text(text: str, studio_name: str) -> str:
    """The text a gallery stamps: its own, else its studio's name."""
    return text or f"© {studio_name}"


def check_restorable(status: GalleryStatus) -> None:
    if status is not GalleryStatus.ARCHIVED:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "Only an archived gallery can be restored.", ["id"])


def clean_collection_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= MAX_COLLECTION_NAME:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"Name the collection in 1 to {MAX_COLLECTION_NAME} characters.", ["name"]
        )
    return cleaned


def reminder_window(now: datetime, days_before: int) -> datetime | None:
    """Galleries expiring before this instant are due a reminder; None when reminders are off (0 days)."""
    return now + timedelta(days=days_before) if days_before > 0 else None


def reminder_text(title: str, link: str, expires_at: datetime, client_name: str) -> tuple[str, str]:
    """The reminder's subject and body: which gallery, where to open it, and when it closes."""
    when = expires_at.strftime("%A %d %B %Y at %H:%M UTC")
    greeting = f"Hello {client_name}," if client_name else "Hello,"
    body = (
        f'{greeting}\n\nYour gallery "{title}" closes on {when}.\n'
        f"Open it before then: {link}\n\nAfter that date it opens to no one; ask your photographer to extend it.\n"
    )
    return f'Your gallery "{title}" closes soon', body


class GalleryOrder(Enum):
    NEWEST_FIRST = "NEWEST_FIRST"
    OLDEST_FIRST = "OLDEST_FIRST"
    TITLE = "TITLE"
