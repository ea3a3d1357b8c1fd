"""The streamed zip writer: members in order and whole, errors surfaced, and a reader going away stops the writer."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from lensgraph.adapters.zips import OUT_CHUNK, ZipMember, zip_stream

MOMENT = datetime(2026, 12, 4, 12, 0)


async def chunks(data: bytes, size: int = 10_000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def members(contents: dict[str, bytes]) -> AsyncIterator[ZipMember]:
    for name, data in contents.items():
        yield ZipMember(name, MOMENT, chunks(data))


async def test_members_come_out_whole_and_in_order():
    contents = {"a.jpg": bytes(range(256)) * 3000, "set/b.jpg": b"", "c.jpg": b"x" * 5}
    archive = b"".join([chunk async for chunk in zip_stream(members(contents))])

    opened = zipfile.ZipFile(io.BytesIO(archive))
    assert opened.namelist() == list(contents) and opened.testzip() is None
    assert {name: opened.read(name) for name in opened.namelist()} == contents


async def test_an_error_in_a_member_is_raised_to_the_reader():
    async def failing() -> AsyncIterator[bytes]:
        yield b"start"
        raise OSError("storage went away")

    async def listed() -> AsyncIterator[ZipMember]:
        yield ZipMember("broken.jpg", MOMENT, failing())

    with pytest.raises(OSError, match="storage went away"):
        [chunk async for chunk in zip_stream(listed())]


async def test_a_reader_that_stops_early_stops_the_writer_thread():
    big = {f"{index}.jpg": bytes([index]) * OUT_CHUNK for index in range(50)}
    stream = zip_stream(members(big))
    first = await anext(stream)
    assert first.startswith(b"PK\x03\x04")

    await stream.aclose()

    assert not any(thread.name == "zip-writer" for thread in threading.enumerate())
