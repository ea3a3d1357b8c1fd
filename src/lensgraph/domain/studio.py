"""Studio rules: clients and their lead status, session types, the weekly schedule and the bookable slots."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lensgraph.domain.errors import DomainError, ErrorCode

MAX_NAME = 200
MAX_NOTES = 10_000
MAX_TAGS = 20
MAX_TAG = 40
MAX_EMAILS = 5
MAX_SESSION_MINUTES = 24 * 60
MAX_BUFFER_MINUTES = 12 * 60
# Slots start on this grid from a window's start: fine enough for any session length, few enough to list.
SLOT_STEP = timedelta(minutes=15)
# availableSlots answers at most this span at once.
MAX_SLOT_SPAN = timedelta(days=31)
MAX_BLOCKED_DATES = 366
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
HOUR_MINUTE = re.compile(r"([01]\d|2[0-3]):([0-5]\d)|24:00")
# Where a studio's calendar feed is read. Its secret travels as the ``token`` query parameter, which every log
# redacts (a path segment would be written to access logs as it is).
CALENDAR_PATH = "/calendar.ics"
# The feed lists bookings from this long ago onwards: calendar apps keep what they already fetched.
CALENDAR_HISTORY = timedelta(days=90)


class LeadStatus(Enum):
    LEAD = "LEAD"
    BOOKED = "BOOKED"
    ACTIVE = "ACTIVE"
    PAST = "PAST"


class BookingStatus(Enum):
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


def clean_name(name: str, field: str = "name") -> str:
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= MAX_NAME:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Give a name of 1 to {MAX_NAME} characters.", [field])
    return cleaned


def clean_email(email: str, field: str = "email") -> str:
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not EMAIL_PATTERN.fullmatch(cleaned):
        raise DomainError(ErrorCode.INVALID_INPUT, "This is not an email address.", [field])
    return cleaned


def clean_emails(emails: Sequence[str]) -> list[str]:
    """Lowercased, each once, in the order given; the first is where the studio writes."""
    cleaned = list(dict.fromkeys(clean_email(email, "emails") for email in emails))
    if len(cleaned) > MAX_EMAILS:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Give at most {MAX_EMAILS} addresses.", ["emails"])
    return cleaned


def clean_tags(tags: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(" ".join(tag.split()).lower() for tag in tags))
    if len(cleaned) > MAX_TAGS or any(not 1 <= len(tag) <= MAX_TAG for tag in cleaned):
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"Give at most {MAX_TAGS} tags of 1 to {MAX_TAG} characters.", ["tags"]
        )
    return cleaned


def clean_notes(notes: str | None) -> str:
    cleaned = (notes or "").strip()
    if len(cleaned) > MAX_NOTES:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Notes hold at most {MAX_NOTES} characters.", ["notes"])
    return cleaned


def clean_phone(phone: str | None) -> str:
    cleaned = (phone or "").strip()
    if len(cleaned) > 40:
        raise DomainError(ErrorCode.INVALID_INPUT, "A phone number has at most 40 characters.", ["phone"])
    return cleaned


def status_after_booking(status: LeadStatus) -> LeadStatus:
    """A lead who books becomes BOOKED; an active or past client keeps (or regains) a running relationship."""
    if status is LeadStatus.LEAD:
        return LeadStatus.BOOKED
    return LeadStatus.ACTIVE if status is LeadStatus.PAST else status


def calendar_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{CALENDAR_PATH}?token={token}"


# Session types and the schedule ------------------------------------------------------------------


def check_session_length(duration_minutes: int, buffer_minutes: int) -> None:
    if not 5 <= duration_minutes <= MAX_SESSION_MINUTES:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"A session lasts 5 to {MAX_SESSION_MINUTES} minutes.", ["durationMinutes"]
        )
    if not 0 <= buffer_minutes <= MAX_BUFFER_MINUTES:
        raise DomainError(ErrorCode.INVALID_INPUT, f"A buffer is 0 to {MAX_BUFFER_MINUTES} minutes.", ["bufferMinutes"])


def time_zone(name: str) -> ZoneInfo:
    """An IANA time zone by name (``Europe/Paris``); anything zoneinfo does not know is refused."""
    try:
        if not name or name != name.strip() or name.startswith("/") or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(
            ErrorCode.INVALID_INPUT, "Give an IANA time zone such as Europe/Paris.", ["timeZone"]
        ) from None


@dataclass(frozen=True)
class Window:
    """Bookable hours on one weekday (0 Monday ... 6 Sunday), in the studio's local time; ``end`` may be 24:00."""

    weekday: int
    start_minute: int
    end_minute: int


def parse_hour_minute(value: str, field: str) -> int:
    """``HH:MM`` (00:00 to 24:00) as minutes since midnight."""
    if not HOUR_MINUTE.fullmatch(value):
        raise DomainError(ErrorCode.INVALID_INPUT, "Write times as HH:MM, 00:00 to 24:00.", [field])
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def format_minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_windows(windows: Sequence[Window]) -> list[Window]:
    """Each window ends after it starts, and windows of one weekday do not overlap."""
    ordered = sorted(windows, key=lambda window: (window.weekday, window.start_minute))
    for index, window in enumerate(ordered):
        if not 0 <= window.weekday <= 6:
            raise DomainError(ErrorCode.INVALID_INPUT, "A weekday is 0 (Monday) to 6 (Sunday).", ["weekly"])
        if window.end_minute <= window.start_minute:
            raise DomainError(ErrorCode.INVALID_INPUT, "A window ends after it starts.", ["weekly"])
        previous = ordered[index - 1] if index else None
        if previous and previous.weekday == window.weekday and window.start_minute < previous.end_minute:
            raise DomainError(ErrorCode.INVALID_INPUT, "Windows of one weekday must not overlap.", ["weekly"])
    return ordered


def check_blocked_dates(dates: Iterable[date]) -> list[date]:
    unique = sorted(set(dates))
    if len(unique) > MAX_BLOCKED_DATES:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Block at most {MAX_BLOCKED_DATES} dates.", ["blockedDates"])
    return unique


# Slots -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Busy:
    """Time a booking holds: from its start to its end plus its session type's buffer."""

    start: datetime
    until: datetime


@dataclass(frozen=True)
class Schedule:
    zone: ZoneInfo
    windows: Sequence[Window]
    blocked: frozenset[date]


def _local_instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time. A time the clocks skip (spring forward) counts as the same
    distance past midnight's offset, which zoneinfo gives with fold=0; a repeated time is its first occurrence."""
    moment = datetime.combine(day, time()) + timedelta(minutes=minute)
    return moment.replace(tzinfo=zone).astimezone(UTC)


def available_slots(
    schedule: Schedule,
    duration: timedelta,
    buffer: timedelta,
    busy: Iterable[Busy],
    start_from: datetime,
    until: datetime,
    now: datetime,
) -> list[datetime]:
    """Start times (UTC) in ``[start_from, until)`` when a session fits inside a window, not on a blocked date,
    not in the past, and its time plus buffer overlaps no booking's time plus buffer.

    Windows are turned into real instants before slots are cut, so a day when the clocks change has the hours
    it really has: a 09:00-12:00 window is three hours on either side of a change, and a 01:00-04:00 window is
    two hours on the spring-forward night and four on the fall-back one.
    """
    held = sorted(busy, key=lambda item: item.start)
    first_day = start_from.astimezone(schedule.zone).date() - timedelta(days=1)
    last_day = until.astimezone(schedule.zone).date()
    by_weekday: dict[int, list[Window]] = {}
    for window in schedule.windows:
        by_weekday.setdefault(window.weekday, []).append(window)
    slots: list[datetime] = []
    day = first_day
    while day <= last_day:
        if day not in schedule.blocked:
            for window in by_weekday.get(day.weekday(), []):
                opens = _local_instant(day, window.start_minute, schedule.zone)
                closes = _local_instant(day, window.end_minute, schedule.zone)
                candidate = opens
                while candidate + duration <= closes:
                    if (
                        start_from <= candidate < until
                        and candidate >= now
                        and not _overlaps(candidate, candidate + duration + buffer, held)
                    ):
                        slots.append(candidate)
                    candidate += SLOT_STEP
        day += timedelta(days=1)
    return sorted(set(slots))


def _overlaps(start: datetime, until: datetime, held: Sequence[Busy]) -> bool:
    return any(item.start < until and start < item.until for item in held)


def check_slot_span(start_from: datetime, until: datetime) -> None:
    if until <= start_from:
        raise DomainError(ErrorCode.INVALID_INPUT, "`to` comes after `from`.", ["to"])
    if until - start_from > MAX_SLOT_SPAN:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Ask for at most {MAX_SLOT_SPAN.days} days at once.", ["to"])


def check_bookable(
    schedule: Schedule,
    duration: timedelta,
    buffer: timedelta,
    busy: Sequence[Busy],
    start: datetime,
    now: datetime,
) -> None:
    """A booking's start must be one of the slots: in the future, inside availability, free of other bookings."""
    if start < now:
        raise DomainError(ErrorCode.INVALID_INPUT, "This start is in the past.", ["start"])
    free = available_slots(schedule, duration, buffer, (), start, start + SLOT_STEP, now)
    if start not in free:
        raise DomainError(ErrorCode.SLOT_UNAVAILABLE, "The studio does not take sessions at this time.", ["start"])
    if _overlaps(start, start + duration + buffer, busy):
        raise DomainError(ErrorCode.SLOT_TAKEN, "This time is already booked.", ["start"])
