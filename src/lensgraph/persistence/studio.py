"""Queries of the studio area: clients and their index rows, the schedule, bookings and their loaders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Select, delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.studio import BookingStatus, Busy, LeadStatus, Schedule, Window, time_zone
from lensgraph.persistence.base import dialect_insert, grouped, like_pattern, take_write_lock
from lensgraph.persistence.models import (
    AvailabilityWindow,
    BlockedDate,
    Booking,
    Client,
    ClientEmail,
    ClientTag,
    SessionType,
    StudioProfile,
)


def clients_of(studio_id: UUID, *, status: LeadStatus | None, tag: str | None, search: str | None) -> Select[Client]:
    """A studio's clients, filtered by lead status, by tag (through its index rows) and by a search of the name
    and addresses."""
    query = select(Client).where(Client.studio_id == studio_id)
    if status is not None:
        query = query.where(Client.status == status)
    if tag is not None:
        query = query.where(exists().where(ClientTag.client_id == Client.id, ClientTag.tag == tag))
    if search:
        pattern = like_pattern(search)
        query = query.where(
            or_(
                func.lower(Client.name).like(pattern, escape="\\"),
                exists().where(ClientEmail.client_id == Client.id, ClientEmail.email.like(pattern, escape="\\")),
            )
        )
    return query


async def client_by_email(session: AsyncSession, studio_id: UUID, email: str) -> Client | None:
    return await session.scalar(
        select(Client)
        .join(ClientEmail, ClientEmail.client_id == Client.id)
        .where(ClientEmail.studio_id == studio_id, ClientEmail.email == email)
    )


async def emails_taken(session: AsyncSession, studio_id: UUID, emails: Sequence[str], client_id: UUID | None) -> bool:
    """Whether another client of the studio already has one of these addresses."""
    query = select(ClientEmail.email).where(ClientEmail.studio_id == studio_id, ClientEmail.email.in_(emails))
    if client_id is not None:
        query = query.where(ClientEmail.client_id != client_id)
    return (await session.scalar(query.limit(1))) is not None


async def index_client(session: AsyncSession, client: Client) -> None:
    """Writes the client's email and tag rows to match its lists (the unique email key decides races)."""
    await session.flush()
    await session.execute(delete(ClientEmail).where(ClientEmail.client_id == client.id))
    await session.execute(delete(ClientTag).where(ClientTag.client_id == client.id))
    if client.emails:
        await session.execute(
            dialect_insert(session, ClientEmail).values(
                [{"studio_id": client.studio_id, "email": email, "client_id": client.id} for email in client.emails]
            )
        )
    if client.tags:
        await session.execute(
            dialect_insert(session, ClientTag).values([{"client_id": client.id, "tag": tag} for tag in client.tags])
        )


# The schedule ------------------------------------------------------------------------------------


async def profile(session: AsyncSession, studio_id: UUID) -> StudioProfile:
    """The studio's profile row, made with the defaults the first time it is needed."""
    found = await session.scalar(select(StudioProfile).where(StudioProfile.user_id == studio_id))
    if found is not None:
        return found
    await session.execute(
        dialect_insert(session, StudioProfile)
        .values(user_id=studio_id, time_zone="UTC")
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    created = await session.scalar(select(StudioProfile).where(StudioProfile.user_id == studio_id))
    assert created is not None
    return created


async def lock_studio(session: AsyncSession, studio_id: UUID) -> StudioProfile:
    """Takes the studio's write lock before anything is read: bookings of one studio are decided one at a time, on
    both databases (a first write, not a read, opens the transaction, so SQLite waits here instead of failing)."""
    if not await take_write_lock(session, StudioProfile, StudioProfile.user_id == studio_id):
        return await profile(session, studio_id)
    found = await session.scalar(select(StudioProfile).where(StudioProfile.user_id == studio_id))
    assert found is not None
    return found


async def schedule_of(session: AsyncSession, studio_id: UUID) -> Schedule:
    zone = await session.scalar(select(StudioProfile.time_zone).where(StudioProfile.user_id == studio_id))
    windows = (await session.scalars(select(AvailabilityWindow).where(AvailabilityWindow.studio_id == studio_id))).all()
    blocked = (await session.scalars(select(BlockedDate.day).where(BlockedDate.studio_id == studio_id))).all()
    return Schedule(
        zone=time_zone(zone or "UTC"),
        windows=[Window(row.weekday, row.start_minute, row.end_minute) for row in windows],
        blocked=frozenset(blocked),
    )


async def replace_windows(session: AsyncSession, studio_id: UUID, windows: Sequence[Window]) -> None:
    await session.execute(delete(AvailabilityWindow).where(AvailabilityWindow.studio_id == studio_id))
    session.add_all(
        AvailabilityWindow(
            studio_id=studio_id, weekday=item.weekday, start_minute=item.start_minute, end_minute=item.end_minute
        )
        for item in windows
    )


async def replace_blocked_dates(session: AsyncSession, studio_id: UUID, days: Sequence[date]) -> None:
    await session.execute(delete(BlockedDate).where(BlockedDate.studio_id == studio_id))
    session.add_all(BlockedDate(studio_id=studio_id, day=day) for day in days)


# Session types and bookings ---------------------------------------------------------------------


async def studio_of_session_type(session: AsyncSession, session_type_id: UUID) -> UUID | None:
    """The studio offering a session type that is not deleted."""
    return await session.scalar(
        select(SessionType.studio_id).where(SessionType.id == session_type_id, SessionType.deleted_at.is_(None))
    )


def session_types_of(studio_id: UUID) -> Select[SessionType]:
    return select(SessionType).where(SessionType.studio_id == studio_id, SessionType.deleted_at.is_(None))


async def busy_between(
    session: AsyncSession, studio_id: UUID, start: datetime, until: datetime, *, leaving_out: UUID | None = None
) -> list[Busy]:
    """The confirmed bookings (with their buffers) that overlap ``[start, until)``."""
    query = select(Booking.starts_at, Booking.busy_until).where(
        Booking.studio_id == studio_id,
        Booking.status == BookingStatus.CONFIRMED,
        Booking.busy_until > start,
        Booking.starts_at < until,
    )
    if leaving_out is not None:
        query = query.where(Booking.id != leaving_out)
    return [Busy(row.starts_at, row.busy_until) for row in (await session.execute(query)).all()]


def bookings_of(studio_id: UUID, start: datetime | None, until: datetime | None) -> Select[Booking]:
    query = select(Booking).where(Booking.studio_id == studio_id)
    if start is not None:
        query = query.where(Booking.starts_at >= start)
    if until is not None:
        query = query.where(Booking.starts_at < until)
    return query


async def bookings_of_clients(session: AsyncSession, client_ids: Sequence[UUID]) -> list[list[Booking]]:
    """Loader batch: each client's bookings, latest start first, in one statement."""
    rows = await session.scalars(
        select(Booking).where(Booking.client_id.in_(client_ids)).order_by(Booking.starts_at.desc(), Booking.id)
    )
    return grouped(((row.client_id, row) for row in rows), client_ids)


async def profile_by_calendar_digest(session: AsyncSession, digest: str) -> StudioProfile | None:
    return await session.scalar(select(StudioProfile).where(StudioProfile.calendar_token_digest == digest))


async def feed_bookings(session: AsyncSession, studio_id: UUID, since: datetime, limit: int) -> list[Booking]:
    """Confirmed bookings starting from ``since``, earliest first, with their session type names."""
    rows = await session.scalars(
        select(Booking)
        .where(Booking.studio_id == studio_id, Booking.status == BookingStatus.CONFIRMED, Booking.starts_at >= since)
        .order_by(Booking.starts_at, Booking.id)
        .limit(limit)
    )
    return list(rows)


async def names_of(session: AsyncSession, booking_rows: Sequence[Booking]) -> tuple[dict[UUID, str], dict[UUID, str]]:
    """The session type names and client names the bookings name, in two statements."""
    type_ids = {row.session_type_id for row in booking_rows}
    client_ids = {row.client_id for row in booking_rows}
    types = (await session.execute(select(SessionType.id, SessionType.name).where(SessionType.id.in_(type_ids)))).all()
    clients = (await session.execute(select(Client.id, Client.name).where(Client.id.in_(client_ids)))).all()
    return {row.id: row.name for row in types}, {row.id: row.name for row in clients}
