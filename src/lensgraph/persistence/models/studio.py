"""A studio's business: its schedule, clients, session types and bookings."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.studio import BookingStatus, LeadStatus
from lensgraph.persistence.base import Base, Entity


class StudioProfile(Entity):
    """One per studio: its time zone. Bookings lock this row first, so one studio's bookings are decided in turn."""

    __tablename__ = "studio_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    # SHA-256 of the calendar feed's secret (the URL is shown once, when rotated); null until a feed is made.
    calendar_token_digest: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    # The studio's logo: one of its own photos (a PNG keeps its transparency), shown on galleries and stamped
    # as their watermark when they choose LOGO.
    logo_photo_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("photos.id", ondelete="SET NULL"), index=True, default=None
    )


class AvailabilityWindow(Base):
    __tablename__ = "availability_windows"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    studio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]
    start_minute: Mapped[int]
    end_minute: Mapped[int]


class BlockedDate(Base):
    __tablename__ = "blocked_dates"

    studio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)


class Client(Entity):
    __tablename__ = "clients"

    studio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    # Lowercased, the first one where the studio writes; each is also a ClientEmail row (unique per studio).
    emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    phone: Mapped[str] = mapped_column(String(40), default="")
    # Lowercased; each is also a ClientTag row, which the tag filter reads through its index.
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[LeadStatus] = mapped_column(
        Enum(LeadStatus, name="client_status", native_enum=False, length=12), default=LeadStatus.LEAD
    )
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_clients_studio_created", "studio_id", "created_at", "id"),
        Index("ix_clients_studio_status_created", "studio_id", "status", "created_at", "id"),
    )


class ClientEmail(Base):
    """An address belongs to one client of a studio: a booking by that address finds them."""

    __tablename__ = "client_emails"

    studio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)


class ClientTag(Base):
    __tablename__ = "client_tags"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True)

    __table_args__ = (Index("ix_client_tags_tag", "tag", "client_id"),)


class SessionType(Entity):
    __tablename__ = "session_types"

    studio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int]
    buffer_minutes: Mapped[int] = mapped_column(default=0)
    price_amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    # Deleting keeps the row for the bookings that name it; it is no longer offered.
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (Index("ix_session_types_studio_created", "studio_id", "created_at", "id"),)


class Booking(Entity):
    __tablename__ = "bookings"

    studio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    session_type_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("session_types.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # The end plus the session type's buffer: the time no other booking may overlap.
    busy_until: Mapped[datetime]
    status: Mapped[BookingStatus] = mapped_column(
        Enum(BookingStatus, name="booking_status", native_enum=False, length=12), default=BookingStatus.CONFIRMED
    )
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_bookings_studio_starts", "studio_id", "starts_at", "id"),
        Index("ix_bookings_studio_busy", "studio_id", "busy_until"),
    )
