"""Idempotent mutations: claiming a caller's ``Idempotency-Key`` for a request, waiting for or replaying what it
holds, and keeping (or releasing) the answer once the request has run."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from lensgraph.domain import idempotency as rules
from lensgraph.domain.idempotency import HeldKey, KeyState, Outcome, Repeat
from lensgraph.persistence import idempotency as rows
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import ConstraintViolation
from lensgraph.resolvers.context import Services

FIRST_PAUSE_SECONDS = 0.02
LONGEST_PAUSE_SECONDS = 0.25


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Claim:
    """A request's hold on its key. ``request_key`` is the same on every retry of a crashed attempt (the row
    stays) and differs from any other caller's or any later use of the key: what the request creates derives
    its ids and its Stripe idempotency keys from it."""

    row_id: UUID
    attempts: int

    @property
    def request_key(self) -> str:
        return self.row_id.hex


async def claim_key(services: Services, caller: str, key: str, request_hash: str) -> Claim | StoredAnswer:
    """Claims ``key`` for this request, or answers what it holds. Raises ``IDEMPOTENCY_KEY_REUSED`` for another
    body, ``CONFLICT`` when the first request with the key is still running after ``WAIT_FOR_FIRST``."""
    deadline = time.monotonic() + rules.WAIT_FOR_FIRST.total_seconds()
    pause = FIRST_PAUSE_SECONDS
    while True:
        now = utcnow()
        try:
            async with services.db.unit_of_work() as uow:
                row = rows.claim(caller, key, request_hash, now, now + rules.KEY_LIFETIME)
                uow.session.add(row)
                await uow.session.flush()
            return Claim(row.id, row.attempts)
        except ConstraintViolation:
            pass  # the caller holds this key already: see what it holds
        async with services.db.unit_of_work() as uow:
            held = await rows.held_key(uow.session, caller, key)
            repeat = (
                rules.on_repeat(
                    HeldKey(held.request_hash, held.state, held.claimed_at, held.expires_at), request_hash, now
                )
                if held is not None
                else None  # swept or forgotten since the insert failed: claim it again
            )
            if held is not None and repeat is Repeat.REPLAY:
                return StoredAnswer(held.response_status or 200, held.response_headers or {}, held.response_body or b"")
            if repeat is Repeat.REUSED:
                raise rules.reused_key()
            if held is not None and repeat is Repeat.EXPIRED:
                await rows.forget_expired(uow.session, held.id, now)
            if (
                held is not None
                and repeat is Repeat.TAKE_OVER
                and await rows.take_over(uow.session, held.id, held.attempts, now)
            ):
                return Claim(held.id, held.attempts + 1)
        if time.monotonic() >= deadline:
            raise rules.still_running()
        if repeat is Repeat.WAIT:
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE_SECONDS)


async def settle_key(
    services: Services, claim: Claim, status: int, headers: dict[str, str], body: bytes, decoded: dict[str, Any] | None
) -> Outcome:
    """Keeps the answer of a request that ran, releases the key of one that crashed, forgets one that never ran."""
    outcome = rules.outcome(status, decoded)
    now = utcnow()
    async with services.db.unit_of_work() as uow:
        if outcome is Outcome.FINAL:
            await rows.settle(uow.session, claim.row_id, claim.attempts, KeyState.DONE, now, (status, headers, body))
        elif outcome is Outcome.CRASHED:
            await rows.settle(uow.session, claim.row_id, claim.attempts, KeyState.RELEASED, now)
        else:
            await rows.forget(uow.session, claim.row_id, claim.attempts)
    return outcome


async def release_key(services: Services, claim: Claim) -> None:
    """The request failed without an answer (an exception): a retry with the same body may run it again."""
    async with services.db.unit_of_work() as uow:
        await rows.settle(uow.session, claim.row_id, claim.attempts, KeyState.RELEASED, utcnow())
