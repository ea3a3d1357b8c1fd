"""A studio's bookings as an iCalendar (RFC 5545) document, for Google Calendar and other calendar apps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from icalendar import Calendar, Event

PRODUCT_ID = "-//Lensgraph//Studio bookings//EN"


@dataclass(frozen=True)
class FeedEntry:
    booking_id: UUID
    starts_at: datetime
    ends_at: datetime
    updated_at: datetime
    title: str


def render(calendar_name: str, entries: Sequence[FeedEntry], now: datetime) -> bytes:
    """One VEVENT per booking, keyed by the booking's id so that a moved booking moves in the calendar too."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", calendar_name)
    for entry in entries:
        event = Event()
        event.add("uid", f"{entry.booking_id}@lensgraph")
        event.add("dtstamp", now)
        event.add("last-modified", entry.updated_at)
        event.add("dtstart", entry.starts_at)
        event.add("dtend", entry.ends_at)
        event.add("summary", entry.title)
        calendar.add_component(event)
    document: bytes = calendar.to_ical()
    return document
