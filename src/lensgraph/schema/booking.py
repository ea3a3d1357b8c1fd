"""Booking: session types, the studio's schedule, open slots, bookings."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import studio as rules
from lensgraph.domain.money import Money as DomainMoney
from lensgraph.domain.money import parse_currency
from lensgraph.domain.pagination import page_request
from lensgraph.persistence.loaders import referenced
from lensgraph.persistence.models import Booking as BookingRow
from lensgraph.persistence.models import SessionType as SessionTypeRow
from lensgraph.resolvers import booking
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import (
    Connection,
    Money,
    MoneyInput,
    Node,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)

if TYPE_CHECKING:
    from lensgraph.schema.studio import Client

BookingStatus = strawberry.enum(rules.BookingStatus, description="A booking holds its time until cancelled.")


def _money(value: MoneyInput) -> DomainMoney:
    return DomainMoney(value.amount, parse_currency(value.currency, "price.currency"))


@node_type
@strawberry.type(description="A kind of session a studio offers: its length, price and the buffer after it.")
class SessionType(Node):
    _row: strawberry.Private[SessionTypeRow]
    name: str
    duration_minutes: int
    buffer_minutes: int = strawberry.field(description="Kept free after each session of this type.")
    price: Money
    deleted: bool = strawberry.field(description="No longer offered; bookings made for it stay.")

    @classmethod
    def from_row(cls, row: SessionTypeRow) -> SessionType:
        return cls(
            _row=row,
            id=to_global_id("SessionType", row.id),
            name=row.name,
            duration_minutes=row.duration_minutes,
            buffer_minutes=row.buffer_minutes,
            price=Money.from_domain(booking.price_of(row)),
            deleted=row.deleted_at is not None,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> SessionType | None:
        row = await booking.session_type_by_id(info.context, key)
        return cls.from_row(row) if row else None


@node_type
@strawberry.type(description="A session booked with a studio. Seen by that studio alone.")
class Booking(Node):
    _row: strawberry.Private[BookingRow]
    starts_at: datetime
    ends_at: datetime
    status: BookingStatus  # type: ignore[valid-type]
    created_at: datetime

    @classmethod
    def from_row(cls, row: BookingRow) -> Booking:
        return cls(
            _row=row,
            id=to_global_id("Booking", row.id),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            status=row.status,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Booking | None:
        row = await booking.booking_by_id(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field
    async def session_type(self, info: Info[Context, None]) -> SessionType:
        return SessionType.from_row(await referenced(info.context.loaders.session_type, self._row.session_type_id))

    @strawberry.field(description="The studio's client record: null to anyone but the studio (a public booker too).")
    async def client(
        self, info: Info[Context, None]
    ) -> Annotated[Client, strawberry.lazy("lensgraph.schema.studio")] | None:
        from lensgraph.schema.studio import Client

        row = await booking.client_of(info.context, self._row)
        return Client.from_row(row) if row else None


@strawberry.type(description="Bookable hours on one weekday, in the studio's time zone.")
class AvailabilityWindow:
    weekday: int = strawberry.field(description="0 Monday ... 6 Sunday.")
    start: str = strawberry.field(description="HH:MM local time.")
    end: str = strawberry.field(description="HH:MM local time; 24:00 is midnight at the day's end.")


@strawberry.type(description="When a studio takes sessions.")
class StudioSchedule:
    time_zone: str = strawberry.field(description="IANA name, e.g. Europe/Paris.")
    weekly_availability: list[AvailabilityWindow]
    blocked_dates: list[date] = strawberry.field(description="Local dates with no sessions.")

    @classmethod
    def from_domain(cls, found: booking.StudioSchedule) -> StudioSchedule:
        return cls(
            time_zone=found.time_zone,
            weekly_availability=[
                AvailabilityWindow(
                    weekday=item.weekday,
                    start=rules.format_minutes(item.start_minute),
                    end=rules.format_minutes(item.end_minute),
                )
                for item in found.windows
            ],
            blocked_dates=found.blocked_dates,
        )


@strawberry.type
class ViewerBooking:
    """Fields of ``Viewer`` about session types, the schedule and bookings."""

    @strawberry.field(description="Studios: the session types you offer, oldest first.")
    async def session_types(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[SessionType]:
        page = await booking.list_session_types(info.context, page_request(first, after, last, before))
        return Connection[SessionType].from_page(page, SessionType.from_row)

    @strawberry.field(description="Studios: your bookings by start time, from `from` up to `to` when given.")
    async def bookings(
        self,
        info: Info[Context, None],
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Booking]:
        page = await booking.list_bookings(info.context, page_request(first, after, last, before), from_, to)
        return Connection[Booking].from_page(page, Booking.from_row)

    @strawberry.field(description="Studios: your time zone, weekly availability and blocked dates.")
    async def studio_schedule(self, info: Info[Context, None]) -> StudioSchedule:
        return StudioSchedule.from_domain(await booking.schedule(info.context))


@strawberry.type
class BookingQueries:
    @strawberry.field(
        description="Public: when a session of this type can start with the studio, in [from, to) (at most 31 days)."
    )
    async def available_slots(
        self,
        info: Info[Context, None],
        studio: str,
        session_type_id: strawberry.ID,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
    ) -> list[datetime]:
        return await booking.available_slots(
            info.context, studio, expect_global_id(session_type_id, "SessionType", "sessionTypeId"), from_, to
        )


# Inputs and payloads ---------------------------------------------------------------------------


@strawberry.input
class CreateSessionTypeInput:
    name: str
    duration_minutes: int
    price: MoneyInput
    buffer_minutes: int = 0


@strawberry.input
class UpdateSessionTypeInput:
    id: strawberry.ID
    name: str | None = None
    duration_minutes: int | None = None
    buffer_minutes: int | None = None
    price: MoneyInput | None = None


@strawberry.type
class SessionTypePayload:
    session_type: SessionType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeleteSessionTypeInput:
    id: strawberry.ID


@strawberry.type
class DeleteSessionTypePayload:
    deleted_session_type_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class AvailabilityWindowInput:
    weekday: int = strawberry.field(description="0 Monday ... 6 Sunday.")
    start: str = strawberry.field(description="HH:MM")
    end: str = strawberry.field(description="HH:MM, up to 24:00")


@strawberry.input
class UpdateStudioScheduleInput:
    time_zone: str | None = strawberry.field(default=None, description="IANA name, e.g. Europe/Paris.")
    weekly_availability: list[AvailabilityWindowInput] | None = strawberry.field(
        default=None, description="Replaces all windows when given."
    )
    blocked_dates: list[date] | None = strawberry.field(default=None, description="Replaces all when given.")


@strawberry.type
class UpdateStudioSchedulePayload:
    schedule: StudioSchedule | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class BookingClientInput:
    name: str
    email: str
    phone: str | None = None


@strawberry.input
class BookSessionInput:
    session_type_id: strawberry.ID
    start: datetime = strawberry.field(description="One of availableSlots.")
    client: BookingClientInput


@strawberry.type
class BookingPayload:
    booking: Booking | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CancelBookingInput:
    id: strawberry.ID


@strawberry.input
class RescheduleBookingInput:
    id: strawberry.ID
    start: datetime


def _windows(given: list[AvailabilityWindowInput]) -> list[rules.Window]:
    return [
        rules.Window(
            item.weekday,
            rules.parse_hour_minute(item.start, "weeklyAvailability"),
            rules.parse_hour_minute(item.end, "weeklyAvailability"),
        )
        for item in given
    ]


@strawberry.type
class RotateCalendarFeedPayload:
    url: str | None = strawberry.field(
        default=None, description="Shown this once: subscribe to it in a calendar app. The previous URL stops working."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class BookingMutations:
    @strawberry.mutation(description="Studios: offer a kind of session.")
    @returns_user_errors(SessionTypePayload)
    async def create_session_type(self, info: Info[Context, None], input: CreateSessionTypeInput) -> SessionTypePayload:
        row = await booking.create_session_type(
            info.context,
            name=input.name,
            duration_minutes=input.duration_minutes,
            buffer_minutes=input.buffer_minutes,
            price=_money(input.price),
        )
        return SessionTypePayload(session_type=SessionType.from_row(row))

    @strawberry.mutation(description="Change what is given; bookings already made keep their times.")
    @returns_user_errors(SessionTypePayload)
    async def update_session_type(self, info: Info[Context, None], input: UpdateSessionTypeInput) -> SessionTypePayload:
        row = await booking.update_session_type(
            info.context,
            expect_global_id(input.id, "SessionType"),
            name=input.name,
            duration_minutes=input.duration_minutes,
            buffer_minutes=input.buffer_minutes,
            price=_money(input.price) if input.price else None,
        )
        return SessionTypePayload(session_type=SessionType.from_row(row))

    @strawberry.mutation(description="Stop offering a session type; its bookings stay.")
    @returns_user_errors(DeleteSessionTypePayload)
    async def delete_session_type(
        self, info: Info[Context, None], input: DeleteSessionTypeInput
    ) -> DeleteSessionTypePayload:
        await booking.delete_session_type(info.context, expect_global_id(input.id, "SessionType"))
        return DeleteSessionTypePayload(deleted_session_type_id=input.id)

    @strawberry.mutation(description="Studios: set your time zone, weekly availability or blocked dates.")
    @returns_user_errors(UpdateStudioSchedulePayload)
    async def update_studio_schedule(
        self, info: Info[Context, None], input: UpdateStudioScheduleInput
    ) -> UpdateStudioSchedulePayload:
        found = await booking.update_schedule(
            info.context,
            time_zone=input.time_zone,
            windows=_windows(input.weekly_availability) if input.weekly_availability is not None else None,
            blocked_dates=input.blocked_dates,
        )
        return UpdateStudioSchedulePayload(schedule=StudioSchedule.from_domain(found))

    @strawberry.mutation(description="Public or signed in: book one of availableSlots; a taken time is SLOT_TAKEN.")
    @returns_user_errors(BookingPayload)
    async def book_session(self, info: Info[Context, None], input: BookSessionInput) -> BookingPayload:
        row = await booking.book_session(
            info.context,
            expect_global_id(input.session_type_id, "SessionType", "sessionTypeId"),
            input.start,
            booking.ClientDetails(input.client.name, input.client.email, input.client.phone),
        )
        return BookingPayload(booking=Booking.from_row(row))

    @strawberry.mutation(description="Studios: cancel a booking; its time is free again.")
    @returns_user_errors(BookingPayload)
    async def cancel_booking(self, info: Info[Context, None], input: CancelBookingInput) -> BookingPayload:
        row = await booking.cancel_booking(info.context, expect_global_id(input.id, "Booking"))
        return BookingPayload(booking=Booking.from_row(row))

    @strawberry.mutation(description="Studios: move a booking to another open slot.")
    @returns_user_errors(BookingPayload)
    async def reschedule_booking(self, info: Info[Context, None], input: RescheduleBookingInput) -> BookingPayload:
        row = await booking.reschedule_booking(info.context, expect_global_id(input.id, "Booking"), input.start)
        return BookingPayload(booking=Booking.from_row(row))

    @strawberry.mutation(description="Studios: a new secret iCalendar URL of your bookings; the old one stops working.")
    @returns_user_errors(RotateCalendarFeedPayload)
    async def rotate_calendar_feed(self, info: Info[Context, None]) -> RotateCalendarFeedPayload:
        return RotateCalendarFeedPayload(url=await booking.rotate_calendar_feed(info.context))
