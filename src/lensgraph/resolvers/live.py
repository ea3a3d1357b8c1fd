"""What every subscription shares: messages from the pubsub, ended when the credential expires or is ended
(the account disabled, its sessions ended)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from lensgraph.domain.policies import Viewer
from lensgraph.persistence.base import utcnow
from lensgraph.resolvers.auth import still_current
from lensgraph.resolvers.context import Context


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
