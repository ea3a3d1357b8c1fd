"""Client downloads from a gallery: what a client may take (the gallery's policy and PIN), and how the zip names it.

A download is one photo, several, one set or the whole gallery, zipped. WEB_SIZE gives the 1280 px rendition (the
watermarked one when the gallery is watermarked: the same image the client sees); FULL_SIZE gives the originals,
byte for byte, never watermarked: a studio that delivers full-size files is delivering its finished work, and a
watermark would mean re-encoding it (losing its quality and metadata). A studio that wants protected downloads
chooses WEB_SIZE.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.files import download_name, safe_stem
from lensgraph.domain.galleries import DownloadPolicy

PIN_PATTERN = re.compile(r"[0-9]{4,8}")
MAX_PHOTOS_NAMED = 500
# The download link is good for this long (fetching it again, after a broken stream, records the download once).
DOWNLOAD_LINK_LIFETIME = timedelta(minutes=15)
WRONG_PIN = "This download PIN is not the gallery's."
PIN_NEEDED = "This gallery's downloads need its download PIN."


class DownloadKind(Enum):
    PHOTOS = "PHOTOS"
    SET = "SET"
    GALLERY = "GALLERY"


class DownloadSize(Enum):
    """Which file of each photo a download holds."""

    WEB = "WEB"
    ORIGINAL = "ORIGINAL"


def check_download_pin(pin: str) -> None:
    if not PIN_PATTERN.fullmatch(pin):
        raise DomainError(ErrorCode.INVALID_INPUT, "A download PIN has 4 to 8 digits.", ["downloadPin"])


def download_size(policy: DownloadPolicy) -> DownloadSize:
    """What the policy gives; NONE gives nothing."""
    if policy is DownloadPolicy.NONE:
        raise DomainError(ErrorCode.DOWNLOADS_DISABLED, "This gallery does not offer downloads.", ["galleryId"])
    return DownloadSize.WEB if policy is DownloadPolicy.WEB_SIZE else DownloadSize.ORIGINAL


def download_kind(photo_count: int, set_named: bool) -> DownloadKind:
    """Photos named, a set, or (neither) the whole gallery; never both."""
    if photo_count and set_named:
        raise DomainError(ErrorCode.INVALID_INPUT, "Ask for photos or for a set, not both.", ["photoIds"])
    if photo_count > MAX_PHOTOS_NAMED:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"Name at most {MAX_PHOTOS_NAMED} photos, or ask for a set.", ["photoIds"]
        )
    if photo_count:
        return DownloadKind.PHOTOS
    return DownloadKind.SET if set_named else DownloadKind.GALLERY


@dataclass(frozen=True)
class MemberSource:
    """One photo of a download: its title, the set folder it goes in (if any) and the stored file's type."""

    title: str
    folder: str | None
    media_type: str


def member_names(members: Sequence[MemberSource]) -> list[str]:
    """Names inside the zip, in order: each title made harmless (no path parts), in its set's folder, and
    unique ignoring case ("Beach.jpg", "Beach (2).jpg"), so no member overwrites another when unpacked."""
    taken: set[str] = set()
    names = []
    for member in members:
        folder = safe_stem(member.folder, fallback="Set") if member.folder else None
        name = download_name(member.title, member.media_type, fallback="photo")
        stem, dot, extension = name.rpartition(".")
        candidate, number = name, 1
        while (full := f"{folder}/{candidate}" if folder else candidate).lower() in taken:
            number += 1
            candidate = f"{stem} ({number}){dot}{extension}"
        taken.add(full.lower())
        names.append(full)
    return names


def zip_name(gallery_title: str) -> str:
    return f"{safe_stem(gallery_title, fallback='gallery')}.zip"
