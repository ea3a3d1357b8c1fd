"""Proofing: a gallery's client picks favourites in named lists, comments on photos, and submits a selection.

A client is the email they unlocked the gallery with. Each (gallery, client, list) is one selection: OPEN while
the client picks, SUBMITTED once sent to the studio (frozen until the studio reopens it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum

from lensgraph.domain.analytics import Window
from lensgraph.domain.errors import DomainError, ErrorCode

DEFAULT_LIST = "Favorites"
MAX_LIST_NAME = 50
MAX_COMMENT = 2000
MAX_NOTE = 2000
# The most photos a selection limit can name: a gallery holds at most this many (domain/galleries.py).
MAX_SELECTION_LIMIT = 5000


class SelectionStatus(Enum):
    OPEN = "OPEN"
    SUBMITTED = "SUBMITTED"


def clean_list_name(name: str | None) -> str:
    """The list a favourite goes in: DEFAULT_LIST when none is named."""
    cleaned = " ".join((name or "").split()) or DEFAULT_LIST
    if len(cleaned) > MAX_LIST_NAME:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Name the list in at most {MAX_LIST_NAME} characters.", ["list"])
    return cleaned


def clean_comment(body: str) -> str:
    cleaned = body.strip()
    if not 1 <= len(cleaned) <= MAX_COMMENT:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Write 1 to {MAX_COMMENT} characters.", ["body"])
    return cleaned


def clean_note(note: str | None) -> str:
    cleaned = (note or "").strip()
    if len(cleaned) > MAX_NOTE:
        raise DomainError(ErrorCode.INVALID_INPUT, f"At most {MAX_NOTE} characters.", ["note"])
    return cleaned


def check_limits(minimum: int | None, maximum: int | None) -> None:
    """The studio's limits: each from 0 (min) or 1 (max) up to a gallery's size, min no more than max."""
    if minimum is not None and not 0 <= minimum <= MAX_SELECTION_LIMIT:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Give a minimum of 0 to {MAX_SELECTION_LIMIT}.", ["selectionMin"])
    if maximum is not None and not 1 <= maximum <= MAX_SELECTION_LIMIT:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Give a maximum of 1 to {MAX_SELECTION_LIMIT}.", ["selectionMax"])
    if minimum is not None and maximum is not None and minimum > maximum:
        raise DomainError(ErrorCode.INVALID_INPUT, "The minimum is above the maximum.", ["selectionMin"])


def check_open(status: SelectionStatus) -> None:
    if status is SelectionStatus.SUBMITTED:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            "This selection was submitted: ask your photographer to reopen it to change it.",
            ["list"],
        )


def check_room(picked: int, maximum: int | None) -> None:
    """One more favourite fits under the studio's maximum."""
    if maximum is not None and picked + 1 > maximum:
        raise DomainError(
            ErrorCode.SELECTION_LIMIT, f"This gallery allows at most {maximum} photos in a selection.", ["photoId"]
        )


def check_submittable(picked: int, minimum: int | None, maximum: int | None) -> None:
    if minimum is not None and picked < minimum:
        raise DomainError(
            ErrorCode.SELECTION_LIMIT, f"Pick at least {minimum} photos before submitting ({picked} so far).", ["list"]
        )
    if maximum is not None and picked > maximum:
        raise DomainError(
            ErrorCode.SELECTION_LIMIT, f"Pick at most {maximum} photos before submitting ({picked} so far).", ["list"]
        )


# Gallery analytics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GalleryDay:
    """One UTC day of a gallery: visitors (each counted once a day), favourites picked, selections submitted,
    downloads completed."""

    day: date
    views: int
    favorites: int
    selections: int
    downloads: int = 0


@dataclass(frozen=True)
class GalleryFigures:
    days: list[GalleryDay]
    views: int
    unique_visitors: int
    favorites: int
    selections: int
    downloads: int = 0


def gallery_figures(
    chosen: Window,
    views: Mapping[date, int],
    favorites: Mapping[date, int],
    selections: Mapping[date, int],
    unique_visitors: int,
    downloads: Mapping[date, int] | None = None,
) -> GalleryFigures:
    """Every day of the window, oldest first, zero where nothing happened, and the window's totals."""
    downloads = downloads or {}
    days = [
        GalleryDay(day, views.get(day, 0), favorites.get(day, 0), selections.get(day, 0), downloads.get(day, 0))
        for day in chosen.dates()
    ]
    return GalleryFigures(
        days=days,
        views=sum(item.views for item in days),
        unique_visitors=unique_visitors,
        favorites=sum(item.favorites for item in days),
        selections=sum(item.selections for item in days),
        downloads=sum(item.downloads for item in days),
    )


class GalleryActivityKind(Enum):
    """What a client did, as the studio's live feed tells it; each is one event type."""

    VIEWED = "gallery.viewed"
    FAVORITED = "gallery.favorited"
    VALIDATED = "gallery.validated"
    DOWNLOADED = "gallery.downloaded"
