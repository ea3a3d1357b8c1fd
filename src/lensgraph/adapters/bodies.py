"""Request bodies read within a limit, the one way every route reads a body.

The limit holds whether or not ``Content-Length`` is declared: a declared length past it is refused before
anything is read, and a chunked body is counted as it streams and left unread past the limit, so a large
body never grows the server beyond the limit.
"""

from __future__ import annotations

from starlette.requests import Request


class BodyTooLarge(Exception):
    """The body is longer than its route accepts: answer 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is larger than the {limit} bytes this route accepts.")
        self.limit = limit


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, at most ``limit`` bytes; BodyTooLarge past it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge(limit)
    return bytes(body)
