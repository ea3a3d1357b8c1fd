"""Collection rules: slugs, what a collection may hold and in what order; the lightbox's own rule."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from uuid import UUID

from lensgraph.domain.errors import DomainError, ErrorCode

MIN_SLUG = 3
MAX_SLUG = 80
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# What a title with too few Latin letters or digits to make a slug of (say "東京") becomes.
FALLBACK_SLUG = "collection"
# A collection is a curated selection; reordering sends all of its photo IDs, so they stay few.
MAX_COLLECTION_PHOTOS = 1000


def clean_slug(slug: str) -> str:
    """A slug chosen by the user: lowercase letters, digits and single dashes, 3 to 80 characters."""
    candidate = slug.strip().lower()
    if not MIN_SLUG <= len(candidate) <= MAX_SLUG or not SLUG_PATTERN.fullmatch(candidate):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"Use {MIN_SLUG} to {MAX_SLUG} lowercase letters, digits and dashes (not at either end, not doubled).",
            ["slug"],
        )
    return candidate


def slug_from_title(title: str) -> str:
    """The slug a title suggests: accents and apostrophes dropped, anything else between words one dash."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().replace("'", "")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:MAX_SLUG].rstrip("-")
    return slug if len(slug) >= MIN_SLUG else FALLBACK_SLUG


def numbered_slug(base: str, number: int) -> str:
    """``base-<number>``, shortened so that it still fits in a slug."""
    suffix = f"-{number}"
    return base[: MAX_SLUG - len(suffix)].rstrip("-") + suffix


def first_free_slug(base: str, taken: Collection[str]) -> str:
    """A derived slug someone already has gets the first free number: ``summer``, ``summer-2``, ``summer-3``."""
    if base not in taken:
        return base
    number = 2
    while numbered_slug(base, number) in taken:
        number += 1
    return numbered_slug(base, number)


def check_room(photo_count: int) -> None:
    if photo_count >= MAX_COLLECTION_PHOTOS:
        raise DomainError(
            ErrorCode.QUOTA_EXCEEDED,
            f"A collection holds at most {MAX_COLLECTION_PHOTOS} photos.",
            ["collectionId"],
        )


def check_reorder(current: Collection[UUID], requested: Sequence[UUID]) -> list[UUID]:
    """The new order must name every photo of the collection exactly once, and nothing else."""
    if len(set(requested)) != len(requested):
        raise DomainError(ErrorCode.INVALID_INPUT, "Name each photo only once.", ["photoIds"])
    if set(requested) != set(current):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"Give exactly the collection's {len(current)} photos, in their new order.",
            ["photoIds"],
        )
    return list(requested)


def check_lightbox_photo(viewer_id: UUID, owner_id: UUID) -> None:
    """A lightbox gathers other people's photos (whether the photo is visible is asked of the policy first)."""
    if viewer_id == owner_id:
        raise DomainError(ErrorCode.INVALID_INPUT, "Your own photos do not go in your lightbox.", ["photoId"])
