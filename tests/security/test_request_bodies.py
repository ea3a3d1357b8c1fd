"""Every route reads its body within a limit, declared or not: an 80 MiB chunked body is answered 413 after
little more than the limit was read, the rest left unread (it never grows the server)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from lensgraph.app.accounts import MAX_FORM_BYTES
from lensgraph.app.payments import MAX_EVENT_BYTES

HUGE = 80 * 1024 * 1024
CHUNK = 64 * 1024


class CountingBody:
    """A chunked body of ``HUGE`` bytes made as the server asks for it, counting what it handed over."""

    def __init__(self, first: bytes) -> None:
        self.first = first
        self.consumed = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.consumed += len(self.first)
        yield self.first
        while self.consumed < HUGE:
            self.consumed += CHUNK
            yield b" " * CHUNK


ROUTES = [
    ("/graphql", "application/json", b'{"query": "{ __typename }", "padding": "', 1_000_000),
    ("/hooks/stripe", "application/json", b'{"id": "evt_1", "padding": "', MAX_EVENT_BYTES),
    ("/reset-password", "application/x-www-form-urlencoded", b"token=abc&password=", MAX_FORM_BYTES),
]


@pytest.mark.parametrize("path, content_type, start, limit", ROUTES)
async def test_a_chunked_body_past_the_limit_is_refused_without_being_read(client, path, content_type, start, limit):
    body = CountingBody(start)
    answer = await client.http.post(path, content=body, headers={"content-type": content_type})
    assert answer.status_code == 413
    assert "content-length" not in answer.request.headers
    # What was read: the limit and the chunk that crossed it, not the 80 MiB sent.
    assert body.consumed <= limit + 2 * CHUNK


@pytest.mark.parametrize("path, content_type, start, limit", ROUTES)
async def test_a_declared_length_past_the_limit_is_refused_before_anything_is_read(
    client, path, content_type, start, limit
):
    body = CountingBody(start)
    headers = {"content-type": content_type, "content-length": str(HUGE)}
    answer = await client.http.post(path, content=body, headers=headers)
    assert answer.status_code == 413
    assert body.consumed <= len(start) + CHUNK


async def test_a_reset_form_within_its_limit_is_still_read(client):
    answer = await client.http.post("/reset-password", data={"token": "not-a-token", "password": "long enough pw"})
    assert answer.status_code == 400
    assert "Password not changed" in answer.text
