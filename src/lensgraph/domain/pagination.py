"""Keyset pagination arguments: validated here, applied in persistence."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from enum import Enum
from typing import Any

from lensgraph.domain.errors import DomainError, ErrorCode

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# A list's search text, in characters.
MAX_SEARCH = 200


class SortDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@dataclass(frozen=True)
class PageRequest:
    """``limit`` rows after (or before) the ``cursor`` key; ``backward`` when paging with last/before."""

    limit: int
    cursor: tuple[Any, ...] | None
    backward: bool


def encode_cursor(key: tuple[Any, ...]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str, field: str) -> tuple[Any, ...]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(ErrorCode.INVALID_INPUT, "This cursor is not valid.", [field]) from exc
    if not isinstance(key, list) or not key:
        raise DomainError(ErrorCode.INVALID_INPUT, "This cursor is not valid.", [field])
    return tuple(key)


def page_request(first: int | None, after: str | None, last: int | None, before: str | None) -> PageRequest:
    if first is not None and last is not None:
        raise DomainError(ErrorCode.INVALID_INPUT, "Use either first or last, not both.", ["first"])
    if after is not None and before is not None:
        raise DomainError(ErrorCode.INVALID_INPUT, "Use either after or before, not both.", ["after"])
    if (first is not None and before is not None) or (last is not None and after is not None):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "Page forwards with first/after or backwards with last/before.",
            ["before" if before else "after"],
        )
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
            raise DomainError(ErrorCode.INVALID_INPUT, f"{name} must be between 0 and {MAX_PAGE_SIZE}.", [name])
    backward = last is not None or (before is not None and first is None)
    size = last if backward else first
    limit = DEFAULT_PAGE_SIZE if size is None else size
    cursor_text = before if backward else after
    cursor = decode_cursor(cursor_text, "before" if backward else "after") if cursor_text else None
    return PageRequest(limit=limit, cursor=cursor, backward=backward)


def check_search(search: str | None) -> str | None:
    """A list's ``search`` argument, spaces collapsed; None when empty; INVALID_INPUT over MAX_SEARCH characters."""
    cleaned = " ".join((search or "").split())
    if len(cleaned) > MAX_SEARCH:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Search with at most {MAX_SEARCH} characters.", ["search"])
    return cleaned or None
