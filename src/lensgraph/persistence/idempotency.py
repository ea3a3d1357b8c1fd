"""Idempotency keys: claimed by an INSERT that the unique (caller, key) constraint lets through once; every later
change is a conditional UPDATE or DELETE checked by row count, never "read, check, write"."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.idempotency import KeyState
from lensgraph.persistence.models import IdempotencyKey


def claim(caller: str, key: str, request_hash: str, now: datetime, expires_at: datetime) -> IdempotencyKey:
    """The row that claims ``key`` for ``caller``; added and flushed, it raises a constraint violation when the
    caller already holds the key (the other request's row, committed or not, decides)."""
    return IdempotencyKey(
        caller=caller,
        key=key,
        request_hash=request_hash,
        state=KeyState.IN_PROGRESS,
        claimed_at=now,
        attempts=1,
        expires_at=expires_at,
    )


async def held_key(session: AsyncSession, caller: str, key: str) -> IdempotencyKey | None:
    found: IdempotencyKey | None = await session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.caller == caller, IdempotencyKey.key == key)
    )
    return found


async def take_over(session: AsyncSession, row_id: UUID, attempts: int, now: datetime) -> bool:
    """Claims a released or abandoned key again, if nobody did since it was read (its attempt count is the same)."""
    result = await session.execute(
        update(IdempotencyKey)
        .where(
            IdempotencyKey.id == row_id,
            IdempotencyKey.attempts == attempts,
            IdempotencyKey.state != KeyState.DONE,
        )
        .values(state=KeyState.IN_PROGRESS, claimed_at=now, attempts=attempts + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def settle(
    session: AsyncSession,
    row_id: UUID,
    attempts: int,
    state: KeyState,
    now: datetime,
    response: tuple[int, dict[str, Any], bytes] | None = None,
) -> bool:
    """Ends the holder's claim (DONE with its answer, or RELEASED); False when another request took the key over
    meanwhile (this one was thought abandoned), whose answer then stands."""
    status, headers, body = response if response else (None, None, None)
    result = await session.execute(
        update(IdempotencyKey)
        .where(
            IdempotencyKey.id == row_id,
            IdempotencyKey.attempts == attempts,
            IdempotencyKey.state == KeyState.IN_PROGRESS,
        )
        .values(state=state, response_status=status, response_headers=headers, response_body=body, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def forget(session: AsyncSession, row_id: UUID, attempts: int) -> None:
    """Drops the holder's claim (its request never ran)."""
    await session.execute(
        delete(IdempotencyKey)
        .where(IdempotencyKey.id == row_id, IdempotencyKey.attempts == attempts)
        .execution_options(synchronize_session=False)
    )


async def forget_expired(session: AsyncSession, row_id: UUID, now: datetime) -> None:
    await session.execute(
        delete(IdempotencyKey)
        .where(IdempotencyKey.id == row_id, IdempotencyKey.expires_at <= now)
        .execution_options(synchronize_session=False)
    )


async def purge_expired(session: AsyncSession, now: datetime, batch: int) -> int:
    """Deletes up to ``batch`` expired keys (oldest first, by the expiry index); answers how many."""
    expired = (
        select(IdempotencyKey.id)
        .where(IdempotencyKey.expires_at <= now)
        .order_by(IdempotencyKey.expires_at)
        .limit(batch)
    )
    result = await session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.id.in_(expired)).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
