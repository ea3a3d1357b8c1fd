"""What every subscription shares at the socket: when the subscriber's credential expires or is ended, the
socket closes with 4403, so the client reconnects with a fresh token."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, TypeVar

from starlette.websockets import WebSocket

from lensgraph.resolvers import live

TOKEN_EXPIRED_CLOSE_CODE = 4403

T = TypeVar("T")


async def until_credential_expires(request: Any, stream: AsyncIterator[T]) -> AsyncGenerator[T, None]:
    """Everything ``stream`` yields, until the credential it was opened with ends (``live.CredentialExpired``):
    then the socket is closed with TOKEN_EXPIRED_CLOSE_CODE instead of the subscription failing with an error."""
    try:
        async for item in stream:
            yield item
    except live.CredentialExpired:
        await close_expired(request)


async def close_expired(request: Any) -> None:
    """graphql-transport-ws has no re-authentication message: the client reconnects with a fresh token."""
    if isinstance(request, WebSocket):
        await request.close(TOKEN_EXPIRED_CLOSE_CODE, "Access token expired")
