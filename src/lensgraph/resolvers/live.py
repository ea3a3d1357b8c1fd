"""What every subscription shares: messages from the pubsub, ended when the credential expires or is ended
(the account disabled, its sessions ended)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any
from uuid import UUID

from lensgraph.domain.policies import Viewer
from lensgraph.persistence.base import utcnow
from lensgraph.resolvers.auth import still_current
from lensgraph.resolvers.context import Context

# How often a subscription following one object reads it again when no event names it.
RECHECK_SECONDS = 5.0


class CredentialExpired(Exception):
    """The subscriber's credential ran out or was ended while the subscription was open."""


async def messages(ctx: Context, viewer: Viewer, *channels: str) -> AsyncGenerator[dict[str, Any], None]:
    async with ctx.services.pubsub.subscribe(*channels) as stream:
        iterator = aiter(stream)
        while True:
            remaining = None if viewer.expires_at is None else (viewer.expires_at - utcnow()).total_seconds()
            if remaining is not None and remaining <= 0:
                raise CredentialExpired
            try:
                message = await asyncio.wait_for(anext(iterator), remaining)
            except TimeoutError:
                raise CredentialExpired from None
            if not await still_current(ctx.services, viewer):
                raise CredentialExpired
            yield message


async def rechecks(ctx: Context, viewer: Viewer, channel: str, key_field: str, key: UUID) -> AsyncGenerator[None, None]:
    """The moments a subscription following one object reads it again: at once, then whenever an event on
    ``channel`` names ``key`` in ``key_field``, and every RECHECK_SECONDS (so a change published before the
    subscription reached the pubsub is not missed). Use it under ``contextlib.aclosing``."""
    changes = messages(ctx, viewer, channel)
    pending = asyncio.ensure_future(anext(changes))
    try:
        while True:
            yield
            while True:
                done, _ = await asyncio.wait({pending}, timeout=RECHECK_SECONDS)
                if not done:
                    break
                message = pending.result()
                pending = asyncio.ensure_future(anext(changes))
                if message.get("data", {}).get(key_field) == str(key):
                    break
    finally:
        # The generator cannot be closed while the pending read is still inside it.
        pending.cancel()
        with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration, CredentialExpired):
            await pending
        await changes.aclose()
