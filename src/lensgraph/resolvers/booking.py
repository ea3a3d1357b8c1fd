"""Booking: session types, the studio's weekly schedule in its time zone, open slots, and bookings.

Every booking change takes the studio's write lock before it reads the bookings it checks against, so two
requests for one slot are decided one after the other (PostgreSQL row lock; SQLite's write lock).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from lensgraph.adapters import calendar_feed as calendar_feed_adapter
from lensgraph.adapters import tokens
from lensgraph.domain import money
from lensgraph.domain import studio as rules
from lensgraph.domain.accounts import Role
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import BookingCreated
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.policies import can_view_studio_record
from lensgraph.domain.studio import BookingStatus, LeadStatus, Schedule, Window
from lensgraph.persistence import studio as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.collections import user_by_username
from lensgraph.persistence.db import ConstraintViolation, UnitOfWork
from lensgraph.persistence.loaders import referenced
from lensgraph.persistence.models import Booking, Client, SessionType, User
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.studio import require_studio

NO_SESSION_TYPE = "No such session type."


# Session types ------------------------------------------------------------------------------------


async def _own_session_type(ctx: Context, uow: UnitOfWork, session_type_id: UUID) -> SessionType:
    viewer = require_studio(ctx)
    found = await uow.session.get(SessionType, session_type_id)
    if found is None or found.deleted_at is not None or not can_view_studio_record(viewer, found.studio_id):
        raise DomainError(ErrorCode.NOT_FOUND, NO_SESSION_TYPE, ["id"])
    return found


async def create_session_type(
    ctx: Context, *, name: str, duration_minutes: int, buffer_minutes: int, price: money.Money
) -> SessionType:
    viewer = require_studio(ctx)
    rules.check_session_length(duration_minutes, buffer_minutes)
    if price.amount < 0:
        raise DomainError(ErrorCode.INVALID_INPUT, "A price is not negative.", ["price", "amount"])
    session_type = SessionType(
        studio_id=viewer.user_id,
        name=rules.clean_name(name),
        duration_minutes=duration_minutes,
        buffer_minutes=buffer_minutes,
        price_amount=price.amount,
        currency=price.currency.value,
    )
    async with ctx.db.unit_of_work() as uow:
        await queries.profile(uow.session, viewer.user_id)
        uow.session.add(session_type)
    return session_type


async def update_session_type(
    ctx: Context,
    session_type_id: UUID,
    *,
    name: str | None,
    duration_minutes: int | None,
    buffer_minutes: int | None,
    price: money.Money | None,
) -> SessionType:
    """Bookings already made keep their times; new ones use the new length."""
    async with ctx.db.unit_of_work() as uow:
        found = await _own_session_type(ctx, uow, session_type_id)
        duration = found.duration_minutes if duration_minutes is None else duration_minutes
        buffer = found.buffer_minutes if buffer_minutes is None else buffer_minutes
        rules.check_session_length(duration, buffer)
        found.duration_minutes, found.buffer_minutes = duration, buffer
        if name is not None:
            found.name = rules.clean_name(name)
        if price is not None:
            if price.amount < 0:
                raise DomainError(ErrorCode.INVALID_INPUT, "A price is not negative.", ["price", "amount"])
            found.price_amount, found.currency = price.amount, price.currency.value
    return found


async def delete_session_type(ctx: Context, session_type_id: UUID) -> None:
    """No longer offered; bookings made for it stay."""
    async with ctx.db.unit_of_work() as uow:
        (await _own_session_type(ctx, uow, session_type_id)).deleted_at = utcnow()


async def list_session_types(ctx: Context, page: PageRequest) -> Page[SessionType]:
    viewer = require_studio(ctx)
    return await paginate(
        ctx.reads,
        queries.session_types_of(viewer.user_id),
        [SessionType.created_at, SessionType.id],
        page,
        descending=False,
    )


async def session_type_by_id(ctx: Context, session_type_id: UUID) -> SessionType | None:
    """Offered session types are public (a studio's price list); deleted ones only their studio sees."""
    found = await ctx.loaders.session_type.load(session_type_id)
    if found is None or (found.deleted_at is not None and not can_view_studio_record(ctx.viewer, found.studio_id)):
        return None
    return found


def price_of(session_type: SessionType) -> money.Money:
    return money.Money(session_type.price_amount, money.Currency(session_type.currency))


# The schedule ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StudioSchedule:
    time_zone: str
    windows: list[Window]
    blocked_dates: list[date]


async def update_schedule(
    ctx: Context, *, time_zone: str | None, windows: Sequence[Window] | None, blocked_dates: Sequence[date] | None
) -> StudioSchedule:
    """Replaces what is given: the time zone, all weekly windows, all blocked dates."""
    viewer = require_studio(ctx)
    zone = rules.time_zone(time_zone).key if time_zone is not None else None
    checked_windows = rules.check_windows(windows) if windows is not None else None
    checked_dates = rules.check_blocked_dates(blocked_dates) if blocked_dates is not None else None
    async with ctx.db.unit_of_work() as uow:
        studio = await queries.lock_studio(uow.session, viewer.user_id)
        if zone is not None:
            studio.time_zone = zone
        if checked_windows is not None:
            await queries.replace_windows(uow.session, viewer.user_id, checked_windows)
        if checked_dates is not None:
            await queries.replace_blocked_dates(uow.session, viewer.user_id, checked_dates)
    return await schedule(ctx)


async def schedule(ctx: Context) -> StudioSchedule:
    viewer = require_studio(ctx)
    async with ctx.db.session() as session:
        found = await queries.schedule_of(session, viewer.user_id)
    return StudioSchedule(
        time_zone=found.zone.key,
        windows=sorted(found.windows, key=lambda item: (item.weekday, item.start_minute)),
        blocked_dates=sorted(found.blocked),
    )


# Slots and bookings ---------------------------------------------------------------------------------


def _lengths(session_type: SessionType) -> tuple[timedelta, timedelta]:
    return timedelta(minutes=session_type.duration_minutes), timedelta(minutes=session_type.buffer_minutes)


async def available_slots(
    ctx: Context, studio: str, session_type_id: UUID, start_from: datetime, until: datetime
) -> list[datetime]:
    """Public: when a session of this type can start, within at most 31 days."""
    rules.check_slot_span(start_from, until)
    async with ctx.db.session() as session:
        owner = await user_by_username(session, studio.strip().lower())
        session_type = await session.get(SessionType, session_type_id)
        if owner is None or owner.role is not Role.STUDIO:
            raise DomainError(ErrorCode.NOT_FOUND, "No such studio.", ["studio"])
        if session_type is None or session_type.deleted_at is not None or session_type.studio_id != owner.id:
            raise DomainError(ErrorCode.NOT_FOUND, NO_SESSION_TYPE, ["sessionTypeId"])
        found = await queries.schedule_of(session, owner.id)
        duration, buffer = _lengths(session_type)
        busy = await queries.busy_between(session, owner.id, start_from - rules.MAX_SLOT_SPAN, until + duration)
    return rules.available_slots(found, duration, buffer, busy, start_from, until, utcnow())


async def _check_free(
    uow: UnitOfWork, schedule_found: Schedule, session_type: SessionType, start: datetime, leaving_out: UUID | None
) -> None:
    duration, buffer = _lengths(session_type)
    # Any booking that could reach this slot starts at most a day (the longest session plus buffer) before it.
    busy = await queries.busy_between(
        uow.session,
        session_type.studio_id,
        start - timedelta(minutes=rules.MAX_SESSION_MINUTES + rules.MAX_BUFFER_MINUTES),
        start + duration + buffer,
        leaving_out=leaving_out,
    )
    rules.check_bookable(schedule_found, duration, buffer, busy, start, utcnow())


@dataclass(frozen=True)
class ClientDetails:
    name: str
    email: str
    phone: str | None


async def book_session(ctx: Context, session_type_id: UUID, start: datetime, details: ClientDetails) -> Booking:
    """Public or signed in. The studio's client with this address is reused (and becomes BOOKED), or created."""
    name = rules.clean_name(details.name, "client.name")
    email = rules.clean_email(details.email, "client.email")
    phone = rules.clean_phone(details.phone)
    async with ctx.db.session() as session:
        studio_id = await queries.studio_of_session_type(session, session_type_id)
    if studio_id is None:
        raise DomainError(ErrorCode.NOT_FOUND, NO_SESSION_TYPE, ["sessionTypeId"])
    try:
        async with ctx.db.unit_of_work() as uow:
            await queries.lock_studio(uow.session, studio_id)
            # Read again under the lock: a length changed or a type deleted meanwhile counts.
            session_type = await uow.session.get(SessionType, session_type_id)
            if session_type is None or session_type.deleted_at is not None:
                raise DomainError(ErrorCode.NOT_FOUND, NO_SESSION_TYPE, ["sessionTypeId"])
            await _check_free(uow, await queries.schedule_of(uow.session, studio_id), session_type, start, None)
            client = await queries.client_by_email(uow.session, studio_id, email)
            if client is None:
                client = Client(
                    studio_id=studio_id, name=name, emails=[email], phone=phone, tags=[], status=LeadStatus.BOOKED
                )
                uow.session.add(client)
                await queries.index_client(uow.session, client)
            else:
                client.status = rules.status_after_booking(client.status)
            duration, buffer = _lengths(session_type)
            booking = Booking(
                id=ctx.new_id("booking"),
                studio_id=studio_id,
                client_id=client.id,
                session_type_id=session_type.id,
                starts_at=start,
                ends_at=start + duration,
                busy_until=start + duration + buffer,
            )
            uow.session.add(booking)
            uow.emit(BookingCreated(audience=(studio_id,), booking_id=booking.id, starts_at=start))
    except ConstraintViolation:
        # The session type or studio was deleted meanwhile.
        raise DomainError(ErrorCode.NOT_FOUND, NO_SESSION_TYPE, ["sessionTypeId"]) from None
    return booking


async def _own_booking(ctx: Context, uow: UnitOfWork, booking_id: UUID) -> Booking:
    viewer = require_studio(ctx)
    await queries.lock_studio(uow.session, viewer.user_id)
    booking = await uow.session.get(Booking, booking_id)
    if booking is None or not can_view_studio_record(viewer, booking.studio_id):
        raise DomainError(ErrorCode.NOT_FOUND, "No such booking of yours.", ["id"])
    if booking.status is not BookingStatus.CONFIRMED:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "This booking is cancelled.", ["id"])
    return booking


async def cancel_booking(ctx: Context, booking_id: UUID) -> Booking:
    """The studio cancels; the time is free again."""
    async with ctx.db.unit_of_work() as uow:
        booking = await _own_booking(ctx, uow, booking_id)
        booking.status = BookingStatus.CANCELLED
    return booking


async def reschedule_booking(ctx: Context, booking_id: UUID, start: datetime) -> Booking:
    """The same rules as a new booking, the booking's own time left out of what it may not overlap."""
    async with ctx.db.unit_of_work() as uow:
        booking = await _own_booking(ctx, uow, booking_id)
        session_type = await uow.session.get(SessionType, booking.session_type_id)
        assert session_type is not None
        await _check_free(
            uow, await queries.schedule_of(uow.session, booking.studio_id), session_type, start, booking.id
        )
        duration, buffer = _lengths(session_type)
        booking.starts_at, booking.ends_at, booking.busy_until = start, start + duration, start + duration + buffer
    return booking


async def list_bookings(
    ctx: Context, page: PageRequest, start_from: datetime | None, until: datetime | None
) -> Page[Booking]:
    """Your bookings by start time, cancelled ones included."""
    viewer = require_studio(ctx)
    return await paginate(
        ctx.reads,
        queries.bookings_of(viewer.user_id, start_from, until),
        [Booking.starts_at, Booking.id],
        page,
        descending=False,
    )


async def booking_by_id(ctx: Context, booking_id: UUID) -> Booking | None:
    found = await ctx.loaders.booking.load(booking_id)
    return found if found and can_view_studio_record(ctx.viewer, found.studio_id) else None


async def client_of(ctx: Context, booking: Booking) -> Client | None:
    """Only the studio reads its client record: whoever booked by an address must not read its notes."""
    if not can_view_studio_record(ctx.viewer, booking.studio_id):
        return None
    return await referenced(ctx.loaders.client, booking.client_id)


# The calendar feed ---------------------------------------------------------------------------------

# Calendar apps fetch the whole feed each time: it stays a bounded document.
MAX_FEED_BOOKINGS = 2000
FEED_NOT_FOUND = "No calendar feed has this address."


async def rotate_calendar_feed(ctx: Context) -> str:
    """A new secret feed URL, shown this once (only its digest is kept); the previous URL stops working."""
    viewer = require_studio(ctx)
    secret = tokens.new_secret()
    async with ctx.db.unit_of_work() as uow:
        studio = await queries.lock_studio(uow.session, viewer.user_id)
        studio.calendar_token_digest = tokens.digest(secret)
    return rules.calendar_url(ctx.settings.public_url, secret)


async def calendar_feed(ctx: Context, token: str) -> bytes:
    """The studio's confirmed bookings from 90 days ago on, for whoever holds the feed's secret URL."""
    if not token:
        raise DomainError(ErrorCode.NOT_FOUND, FEED_NOT_FOUND, ["token"])
    now = utcnow()
    async with ctx.db.session() as session:
        studio = await queries.profile_by_calendar_digest(session, tokens.digest(token))
        if studio is None:
            raise DomainError(ErrorCode.NOT_FOUND, FEED_NOT_FOUND, ["token"])
        owner = await session.get(User, studio.user_id)
        rows = await queries.feed_bookings(session, studio.user_id, now - rules.CALENDAR_HISTORY, MAX_FEED_BOOKINGS)
        type_names, client_names = await queries.names_of(session, rows)
    entries = [
        calendar_feed_adapter.FeedEntry(
            booking_id=row.id,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            updated_at=row.updated_at,
            title=f"{type_names.get(row.session_type_id, 'Session')}: {client_names.get(row.client_id, '')}",
        )
        for row in rows
    ]
    name = f"{owner.username if owner else 'Studio'} bookings"
    return calendar_feed_adapter.render(name, entries, now)
