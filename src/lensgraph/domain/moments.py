"""Moments as the API takes them: every ``DateTime`` is an instant in UTC.

A moment written with an offset can name an instant whose UTC form lies outside the years 1 to 9999
(``0001-01-01T00:00:00+14:00`` is in year 0): no ``datetime`` holds it, so it is refused where it is read,
not when a query or a computation later overflows.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_moment(moment: datetime) -> datetime:
    """The same instant in UTC; a moment without an offset is taken as UTC. ValueError when the UTC form is
    outside the years 1 to 9999."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("its UTC time is outside the years 1 to 9999") from None
