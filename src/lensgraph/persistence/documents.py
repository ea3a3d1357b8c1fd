"""Queries of studio documents: templates, documents by client, and the conditional updates that move a
document's status (so that two requests never both complete one)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.documents import OPEN_STATUSES, DocumentStatus
from lensgraph.persistence.base import grouped
from lensgraph.persistence.models import Booking, DocumentTemplate, SessionType, StudioDocument, StudioProfile


def templates_of(studio_id: UUID) -> Select[DocumentTemplate]:
    return select(DocumentTemplate).where(DocumentTemplate.studio_id == studio_id)


async def documents_of_clients(session: AsyncSession, client_ids: Sequence[UUID]) -> list[list[StudioDocument]]:
    """Loader batch: each client's documents, newest first, in one statement."""
    rows = await session.scalars(
        select(StudioDocument)
        .where(StudioDocument.client_id.in_(client_ids))
        .order_by(StudioDocument.created_at.desc(), StudioDocument.id.desc())
    )
    return grouped(((row.client_id, row) for row in rows), client_ids)


async def time_zone_of(session: AsyncSession, studio_id: UUID) -> str:
    found = await session.scalar(select(StudioProfile.time_zone).where(StudioProfile.user_id == studio_id))
    return found or "UTC"


async def booked_session(session: AsyncSession, booking_id: UUID) -> tuple[Booking, str] | None:
    """A booking with its session type's name."""
    row = (
        await session.execute(
            select(Booking, SessionType.name)
            .join(SessionType, SessionType.id == Booking.session_type_id)
            .where(Booking.id == booking_id)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def _changed(session: AsyncSession, where: Sequence[ColumnElement[bool]], **values: Any) -> bool:
    """One conditional UPDATE of documents: whether it found a row to change (the database decides races)."""
    result = await session.execute(
        update(StudioDocument).where(*where).values(**values).execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def claim_link(session: AsyncSession, document_id: UUID, token_digest: str, now: datetime) -> bool:
    """Gives a document its link, once: the row not yet mailed and still open takes the digest."""
    where = [
        StudioDocument.id == document_id,
        StudioDocument.mailed_at.is_(None),
        StudioDocument.status.in_(OPEN_STATUSES),
    ]
    return await _changed(session, where, token_digest=token_digest, mailed_at=now, updated_at=now)


async def by_token_digest(session: AsyncSession, token_digest: str) -> StudioDocument | None:
    return await session.scalar(select(StudioDocument).where(StudioDocument.token_digest == token_digest))


async def mark_viewed_by_digest(session: AsyncSession, token_digest: str, now: datetime) -> bool:
    """SENT becomes VIEWED the first time the client opens the link."""
    where = [StudioDocument.token_digest == token_digest, StudioDocument.status == DocumentStatus.SENT]
    return await _changed(session, where, status=DocumentStatus.VIEWED, viewed_at=now, updated_at=now)


async def complete(session: AsyncSession, document_id: UUID, token_digest: str, now: datetime, **values: Any) -> bool:
    """Completes an open document through its link: the one UPDATE that finds it open wins; any other finds no
    row to change."""
    where = [
        StudioDocument.id == document_id,
        StudioDocument.token_digest == token_digest,
        StudioDocument.status.in_(OPEN_STATUSES),
    ]
    return await _changed(
        session,
        where,
        status=DocumentStatus.COMPLETED,
        completed_at=now,
        # A link used straight from the mail, without opening the document first, was viewed all the same.
        viewed_at=func.coalesce(StudioDocument.viewed_at, now),
        updated_at=now,
        **values,
    )


async def void(session: AsyncSession, document_id: UUID, now: datetime) -> bool:
    where = [StudioDocument.id == document_id, StudioDocument.status.in_(OPEN_STATUSES)]
    return await _changed(session, where, status=DocumentStatus.VOID, voided_at=now, updated_at=now)
