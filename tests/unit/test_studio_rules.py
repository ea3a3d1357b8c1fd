"""Slots in a studio's time zone (DST days in Europe/Paris), bookability, schedule and client input rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.studio import (
    Busy,
    LeadStatus,
    Schedule,
    Window,
    available_slots,
    check_bookable,
    check_windows,
    clean_emails,
    parse_hour_minute,
    status_after_booking,
    time_zone,
)

PARIS = time_zone("Europe/Paris")
HOUR = timedelta(hours=1)
NOW = datetime(2027, 1, 1, tzinfo=UTC)
# Europe/Paris: 2027-03-28 02:00 -> 03:00 (spring forward); 2027-10-31 03:00 -> 02:00 (fall back).
SPRING_FORWARD = date(2027, 3, 28)
FALL_BACK = date(2027, 10, 31)


def every_day(start: str, end: str) -> list[Window]:
    return [Window(day, parse_hour_minute(start, "s"), parse_hour_minute(end, "e")) for day in range(7)]


def slots_on(day: date, windows: list[Window], duration: timedelta = HOUR, busy: list[Busy] | None = None) -> list:
    schedule = Schedule(PARIS, windows, frozenset())
    start = datetime.combine(day, time(), tzinfo=PARIS)
    until = datetime.combine(day + timedelta(days=1), time(), tzinfo=PARIS)
    return available_slots(schedule, duration, timedelta(0), busy or [], start, until, NOW)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def local_hours(slots: list[datetime]) -> list[str]:
    return [slot.astimezone(PARIS).strftime("%H:%M") for slot in slots]


def test_a_morning_window_keeps_its_local_hours_across_spring_forward():
    before = slots_on(SPRING_FORWARD - timedelta(days=1), every_day("09:00", "12:00"))
    after = slots_on(SPRING_FORWARD, every_day("09:00", "12:00"))
    assert local_hours(before) == local_hours(after)
    assert before[0] == utc(SPRING_FORWARD - timedelta(days=1), 8)  # CET, UTC+1
    assert after[0] == utc(SPRING_FORWARD, 7)  # CEST, UTC+2
    assert after[-1] == utc(SPRING_FORWARD, 9)  # 11:00 local, the last hour-long start before 12:00


def test_the_night_of_spring_forward_has_one_hour_less_and_no_skipped_times():
    slots = slots_on(SPRING_FORWARD, every_day("01:00", "04:00"))
    # 01:00-04:00 local is two real hours: one-hour starts every 15 minutes from 01:00 to 02:00 real time.
    assert len(slots) == 5
    assert local_hours(slots) == ["01:00", "01:15", "01:30", "01:45", "03:00"]
    assert all(later - earlier == timedelta(minutes=15) for earlier, later in pairwise(slots))


def test_the_night_of_fall_back_has_one_hour_more_and_repeats_local_times():
    slots = slots_on(FALL_BACK, every_day("01:00", "04:00"))
    # Four real hours: starts every 15 minutes over three of them, 02:00-02:45 local twice (CEST, then CET).
    assert len(slots) == 13
    assert local_hours(slots).count("02:15") == 2
    assert slots[0] == datetime(2027, 10, 30, 23, tzinfo=UTC)  # 01:00 CEST is 23:00 UTC the day before
    assert slots[-1] == utc(FALL_BACK, 2)  # 03:00 CET, ending at 04:00 local


def test_bookings_and_their_buffers_take_slots_away():
    day = date(2027, 6, 7)
    held = [Busy(utc(day, 8), utc(day, 9) + timedelta(minutes=30))]  # 10:00-11:00 local, 30 minutes' buffer
    slots = slots_on(day, every_day("09:00", "13:00"), busy=held)
    assert local_hours(slots) == ["09:00", "11:30", "11:45", "12:00"]


def test_blocked_dates_and_the_past_have_no_slots():
    day = date(2027, 6, 7)
    schedule = Schedule(PARIS, every_day("09:00", "12:00"), frozenset({day}))
    start = utc(day, 0)
    assert available_slots(schedule, HOUR, timedelta(0), [], start, start + timedelta(days=1), NOW) == []
    open_schedule = Schedule(PARIS, every_day("09:00", "12:00"), frozenset())
    late = utc(day, 8, 30)  # 10:30 local: starts from then on are left
    assert local_hours(
        available_slots(open_schedule, HOUR, timedelta(0), [], start, start + timedelta(days=1), late)
    ) == [
        "10:30",
        "10:45",
        "11:00",
    ]


def test_a_booking_must_start_on_a_free_slot():
    day = date(2027, 6, 7)
    schedule = Schedule(PARIS, every_day("09:00", "12:00"), frozenset())
    check_bookable(schedule, HOUR, timedelta(0), [], utc(day, 7), NOW)
    refusals = [
        (utc(day, 6), ErrorCode.SLOT_UNAVAILABLE),  # 08:00 local, before opening
        (utc(day, 9, 30), ErrorCode.SLOT_UNAVAILABLE),  # 11:30 local would end after 12:00
        (utc(day, 7, 5), ErrorCode.SLOT_UNAVAILABLE),  # off the 15-minute grid
        (datetime(2026, 6, 1, 7, tzinfo=UTC), ErrorCode.INVALID_INPUT),  # the past
    ]
    for start, code in refusals:
        with pytest.raises(DomainError) as refused:
            check_bookable(schedule, HOUR, timedelta(0), [], start, NOW)
        assert refused.value.code is code
    with pytest.raises(DomainError) as taken:
        check_bookable(schedule, HOUR, timedelta(0), [Busy(utc(day, 7, 30), utc(day, 8, 30))], utc(day, 7), NOW)
    assert taken.value.code is ErrorCode.SLOT_TAKEN


def test_time_zones_and_windows_are_checked():
    assert time_zone("America/New_York").key == "America/New_York"
    for bad in ["Mars/Olympus", "", "../etc/passwd", "/etc/localtime"]:
        with pytest.raises(DomainError) as refused:
            time_zone(bad)
        assert refused.value.field == ["timeZone"]
    with pytest.raises(DomainError):
        check_windows([Window(0, 600, 720), Window(0, 700, 800)])
    with pytest.raises(DomainError):
        check_windows([Window(7, 600, 720)])
    with pytest.raises(DomainError):
        parse_hour_minute("25:00", "start")
    assert parse_hour_minute("24:00", "end") == 24 * 60


def test_client_rules():
    assert clean_emails(["A@Example.com", "a@example.com", "b@example.com"]) == ["a@example.com", "b@example.com"]
    assert status_after_booking(LeadStatus.LEAD) is LeadStatus.BOOKED
    assert status_after_booking(LeadStatus.PAST) is LeadStatus.ACTIVE
    assert status_after_booking(LeadStatus.ACTIVE) is LeadStatus.ACTIVE
