"""Booking through the API: session types, the schedule, availableSlots, bookSession and its races, cancel and
reschedule, booking.created, and bad input."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar
from sqlalchemy import func, select

from lensgraph.domain.events import public_payload
from lensgraph.domain.global_ids import decode as from_global_id
from lensgraph.persistence.models import Booking, Client, OutboxEvent, StudioProfile
from tests.api.factories import user_key
from tests.api.helpers import Account, sign_up

CREATE_SESSION_TYPE = """
mutation($input: CreateSessionTypeInput!) {
  createSessionType(input: $input) {
    sessionType { id name durationMinutes bufferMinutes price { amount currency } }
    userErrors { field code }
  }
}"""
SCHEDULE = """
mutation($input: UpdateStudioScheduleInput!) {
  updateStudioSchedule(input: $input) {
    schedule { timeZone weeklyAvailability { weekday start end } blockedDates }
    userErrors { field code }
  }
}"""
SLOTS = """
query($studio: String!, $type: ID!, $from: DateTime!, $to: DateTime!) {
  availableSlots(studio: $studio, sessionTypeId: $type, from: $from, to: $to)
}"""
BOOK = """
mutation($input: BookSessionInput!) {
  bookSession(input: $input) {
    booking { id startsAt endsAt status client { name emails status } sessionType { name } }
    userErrors { field code }
  }
}"""
CANCEL = """
mutation($input: CancelBookingInput!) {
  cancelBooking(input: $input) { booking { id status } userErrors { field code } }
}"""
RESCHEDULE = """
mutation($input: RescheduleBookingInput!) {
  rescheduleBooking(input: $input) { booking { id startsAt endsAt } userErrors { field code } }
}"""

# A Monday in June 2030: Paris is UTC+2, so 09:00 local is 07:00 UTC.
MONDAY = datetime(2030, 6, 3, tzinfo=UTC)


def at(hour: int, minute: int = 0, days: int = 0) -> str:
    return (MONDAY + timedelta(days=days, hours=hour, minutes=minute)).isoformat()


async def studio_with_session_type(client: Any, *, buffer: int = 0) -> tuple[Account, str]:
    studio = await sign_up(client, role="STUDIO")
    created = await client.data(
        CREATE_SESSION_TYPE,
        {
            "input": {
                "name": "Portrait",
                "durationMinutes": 60,
                "bufferMinutes": buffer,
                "price": {"amount": 15000, "currency": "EUR"},
            }
        },
        token=studio.access_token,
    )
    assert created["createSessionType"]["userErrors"] == []
    schedule = await client.data(
        SCHEDULE,
        {
            "input": {
                "timeZone": "Europe/Paris",
                "weeklyAvailability": [{"weekday": 0, "start": "09:00", "end": "12:00"}],
                "blockedDates": ["2030-06-10"],
            }
        },
        token=studio.access_token,
    )
    assert schedule["updateStudioSchedule"] == {
        "schedule": {
            "timeZone": "Europe/Paris",
            "weeklyAvailability": [{"weekday": 0, "start": "09:00", "end": "12:00"}],
            "blockedDates": ["2030-06-10"],
        },
        "userErrors": [],
    }
    return studio, created["createSessionType"]["sessionType"]["id"]


async def book(
    client: Any, session_type: str, start: str, email: str = "ann@example.com", name: str = "Ann", **kwargs: Any
) -> Any:
    answer = await client.data(
        BOOK,
        {"input": {"sessionTypeId": session_type, "start": start, "client": {"name": name, "email": email}}},
        **kwargs,
    )
    return answer["bookSession"]


def codes(payload: dict[str, Any]) -> list[tuple[list[str] | None, str]]:
    return [(error["field"], error["code"]) for error in payload["userErrors"]]


async def slots(client: Any, studio: Account, session_type: str, start: str, end: str) -> list[str]:
    answer = await client.data(SLOTS, {"studio": studio.username, "type": session_type, "from": start, "to": end})
    return [datetime.fromisoformat(slot).astimezone(UTC).isoformat() for slot in answer["availableSlots"]]


async def test_book_a_slot_publicly_then_it_is_gone_with_its_buffer(client, services):
    studio, session_type = await studio_with_session_type(client, buffer=30)
    monday = await slots(client, studio, session_type, at(0), at(24))
    assert monday == [at(7), at(7, 15), at(7, 30), at(7, 45), at(8), at(8, 15), at(8, 30), at(8, 45), at(9)]
    # The next Monday is blocked; the Monday after has slots again.
    assert await slots(client, studio, session_type, at(0, days=7), at(24, days=7)) == []
    assert len(await slots(client, studio, session_type, at(0, days=14), at(24, days=14))) == 9

    booked = await book(client, session_type, at(8))
    assert booked["userErrors"] == []
    assert datetime.fromisoformat(booked["booking"]["startsAt"]) == datetime.fromisoformat(at(8))
    assert booked["booking"]["status"] == "CONFIRMED"
    # An anonymous booker sees what they booked, not the studio's client record.
    assert booked["booking"]["client"] is None
    assert booked["booking"]["sessionType"] == {"name": "Portrait"}
    # 10:00-11:00 local holds until 11:30 with its buffer, and no hour fits between 11:30 and noon; a 09:00 start
    # would be free of it without buffers, but its own 30 minutes after 10:00 overlap: nothing is left that day.
    assert await slots(client, studio, session_type, at(0), at(24)) == []

    async with services.db.session() as session:
        events = (await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "booking.created"))).all()
        client_row = await session.scalar(select(Client))
    assert len(events) == 1
    shown = public_payload("booking.created", events[0].payload)
    assert shown["bookingId"] == booked["booking"]["id"]
    assert datetime.fromisoformat(shown["startsAt"]) == datetime.fromisoformat(at(8))
    assert events[0].audience == [str(user_key(studio))]
    assert client_row is not None and client_row.status.value == "BOOKED" and client_row.emails == ["ann@example.com"]

    # The same address again (another slot a week later) reuses the client.
    again = await book(client, session_type, at(7, days=14), email="ANN@example.com")
    assert again["userErrors"] == []
    async with services.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Client)) == 1
        assert await session.scalar(select(func.count()).select_from(Booking)) == 2


async def test_bad_bookings_are_refused_and_write_nothing(client, services):
    studio, session_type = await studio_with_session_type(client)
    assert (await book(client, session_type, at(8)))["userErrors"] == []
    other, other_type = await studio_with_session_type(client)
    refusals = [
        (at(6), [(["start"], "SLOT_UNAVAILABLE")]),  # 08:00 local, before opening
        (at(7, 5), [(["start"], "SLOT_UNAVAILABLE")]),  # off the grid
        (at(7, days=7), [(["start"], "SLOT_UNAVAILABLE")]),  # a blocked date
        (at(8, 30), [(["start"], "SLOT_TAKEN")]),  # overlaps the booking at 10:00 local
        (at(8), [(["start"], "SLOT_TAKEN")]),
        ("2020-06-01T07:00:00+00:00", [(["start"], "INVALID_INPUT")]),  # the past
    ]
    for start, expected in refusals:
        assert codes(await book(client, session_type, start)) == expected, start
    unknown = await book(client, other_type.replace(other_type[-4:], "AAAA"), at(7))
    assert codes(unknown)[0][1] == "NOT_FOUND"
    bad_email = await client.data(
        BOOK, {"input": {"sessionTypeId": session_type, "start": at(7), "client": {"name": "X", "email": "nope"}}}
    )
    assert codes(bad_email["bookSession"]) == [(["client.email"], "INVALID_INPUT")]
    bad_zone = await client.data(SCHEDULE, {"input": {"timeZone": "Mars/Olympus"}}, token=studio.access_token)
    assert codes(bad_zone["updateStudioSchedule"]) == [(["timeZone"], "INVALID_INPUT")]
    async with services.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Booking)) == 1
        assert await session.scalar(select(func.count()).select_from(Client)) == 1
        assert (
            await session.scalar(
                select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "booking.created")
            )
            == 1
        )
    # Another studio cannot cancel or move this studio's booking.
    booking_id = (await client.data("{ viewer { bookings { edges { node { id } } } } }", token=studio.access_token))[
        "viewer"
    ]["bookings"]["edges"][0]["node"]["id"]
    assert codes(
        (await client.data(CANCEL, {"input": {"id": booking_id}}, token=other.access_token))["cancelBooking"]
    ) == [(["id"], "NOT_FOUND")]
    moved = await client.data(RESCHEDULE, {"input": {"id": booking_id, "start": at(7)}}, token=other.access_token)
    assert codes(moved["rescheduleBooking"]) == [(["id"], "NOT_FOUND")]


async def test_cancel_and_reschedule_follow_the_same_rules(client):
    studio, session_type = await studio_with_session_type(client)
    first = (await book(client, session_type, at(7)))["booking"]["id"]
    assert (await book(client, session_type, at(9), email="bob@example.com"))["userErrors"] == []
    token = studio.access_token
    onto_taken = await client.data(RESCHEDULE, {"input": {"id": first, "start": at(9)}}, token=token)
    assert codes(onto_taken["rescheduleBooking"]) == [(["start"], "SLOT_TAKEN")]
    # Moving within its own time (15 minutes later) is allowed: its own booking is left out.
    moved = await client.data(RESCHEDULE, {"input": {"id": first, "start": at(7, 15)}}, token=token)
    assert moved["rescheduleBooking"]["userErrors"] == []
    assert datetime.fromisoformat(moved["rescheduleBooking"]["booking"]["endsAt"]) == datetime.fromisoformat(at(8, 15))
    cancelled = await client.data(CANCEL, {"input": {"id": first}}, token=token)
    assert cancelled["cancelBooking"] == {"booking": {"id": first, "status": "CANCELLED"}, "userErrors": []}
    twice = await client.data(CANCEL, {"input": {"id": first}}, token=token)
    assert codes(twice["cancelBooking"]) == [(["id"], "INVALID_TRANSITION")]
    # The cancelled time is free again.
    assert (await book(client, session_type, at(7), email="cy@example.com"))["userErrors"] == []


async def test_concurrent_bookings_of_one_slot_one_wins(client, services):
    _, session_type = await studio_with_session_type(client)
    attempts = 8
    answers = await asyncio.gather(
        *(book(client, session_type, at(8), email=f"racer{index}@example.com") for index in range(attempts))
    )
    winners = [answer for answer in answers if answer["userErrors"] == []]
    losers = [codes(answer) for answer in answers if answer["userErrors"]]
    assert len(winners) == 1
    assert all(loser[0][1] in {"SLOT_TAKEN", "CONFLICT"} for loser in losers), losers
    assert any(loser[0][1] == "SLOT_TAKEN" for loser in losers)
    async with services.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Booking)) == 1
        # A loser's client record was rolled back with its booking.
        assert await session.scalar(select(func.count()).select_from(Client)) == 1


ROTATE = "mutation { rotateCalendarFeed { url userErrors { field code } } }"


async def test_the_calendar_feed_lists_bookings_at_a_secret_url_that_rotation_replaces(client, services):
    studio, session_type = await studio_with_session_type(client)
    booked = (await book(client, session_type, at(8)))["booking"]["id"]
    assert (await book(client, session_type, at(7, days=14), "bob@example.com", "Bob"))["userErrors"] == []
    cancelled = (await book(client, session_type, at(7), email="cy@example.com"))["booking"]["id"]
    await client.data(CANCEL, {"input": {"id": cancelled}}, token=studio.access_token)

    url = (await client.data(ROTATE, token=studio.access_token))["rotateCalendarFeed"]["url"]
    secret = url.split("token=")[1]
    async with services.db.session() as session:
        stored = await session.scalar(select(StudioProfile.calendar_token_digest))
    assert stored is not None and secret not in stored

    answer = await client.http.get(url.replace(services.settings.public_url.rstrip("/"), ""))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    feed = Calendar.from_ical(answer.content)
    events = sorted(feed.walk("VEVENT"), key=lambda event: event.decoded("dtstart"))
    assert [str(event["summary"]) for event in events] == ["Portrait: Ann", "Portrait: Bob"]
    assert events[0].decoded("dtstart") == datetime.fromisoformat(at(8))
    assert events[0].decoded("dtend") == datetime.fromisoformat(at(9))
    assert str(events[0]["uid"]) == f"{from_global_id(booked)[1]}@lensgraph"

    newer = (await client.data(ROTATE, token=studio.access_token))["rotateCalendarFeed"]["url"]
    assert newer != url
    assert (await client.http.get(url.replace(services.settings.public_url.rstrip("/"), ""))).status_code == 404
    assert (await client.http.get("/calendar.ics?token=guess")).status_code == 404
    assert (await client.http.get("/calendar.ics")).status_code == 404
    photographer = await sign_up(client)
    refused = await client.execute(ROTATE, token=photographer.access_token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
