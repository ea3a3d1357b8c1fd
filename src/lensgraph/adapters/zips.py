"""Zip archives written as a stream (stream-zip): members go out as they are read, so neither the archive nor a
whole member is ever held in memory or written to disk.

stream-zip writes synchronously; it runs in a thread of its own per archive, pulling each member's chunks from
the event loop and handing the archive's chunks back through a small queue (which also holds it back when the
client reads slowly). Its own ``async_stream_zip`` was not used: it runs the writer in the loop's default executor,
where it competes with (and, with a few archives at once, could starve) the threads storage reads run in, and in
a uvicorn server it ended archives early without an error (2,000 members of the bench: the stream stopped after
940 local headers, no central directory), which this bridge does not.
"""

from __future__ import annotations

import asyncio
import stat
import threading
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Coroutine, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from stream_zip import ZIP_64, stream_zip

# Photos are compressed already: deflate's stored blocks (level 0) cost a copy, where level 9 would burn a CPU for
# nothing. ZIP_64 with a data descriptor needs neither the size nor the CRC before the member's bytes.
STORED_DEFLATE_LEVEL = 0
MEMBER_MODE = stat.S_IFREG | 0o644
OUT_CHUNK = 256 * 1024
# Archive chunks written ahead of the client: the most memory one archive holds (a few hundred KiB).
QUEUE_CHUNKS = 4
T = TypeVar("T")


@dataclass(frozen=True)
class ZipMember:
    name: str
    modified_at: datetime
    chunks: AsyncIterable[bytes]


class _Abandoned(Exception):
    """The reader went away (client disconnected): the writer thread stops."""


class _End:
    """The writer finished the archive."""


async def zip_stream(members: AsyncIterable[ZipMember]) -> AsyncIterator[bytes]:
    """The archive's bytes in chunks of about 256 KiB, members in the order given; an error in a member's chunks
    (or in ``members``) is raised here, and the archive stays unfinished."""
    loop = asyncio.get_running_loop()
    output: asyncio.Queue[bytes | BaseException | _End] = asyncio.Queue(maxsize=QUEUE_CHUNKS)
    abandoned = threading.Event()

    def on_loop(coroutine: Coroutine[Any, Any, T]) -> T:
        if abandoned.is_set():
            coroutine.close()
            raise _Abandoned
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    def chunks_of(source: AsyncIterable[bytes]) -> Iterator[bytes]:
        iterator = aiter(source)
        while (chunk := on_loop(anext(iterator, None))) is not None:
            yield chunk

    def files() -> Iterator[tuple[str, datetime, int, Any, Iterator[bytes]]]:
        iterator = aiter(members)
        while (member := on_loop(anext(iterator, None))) is not None:
            yield member.name, member.modified_at, MEMBER_MODE, ZIP_64, chunks_of(member.chunks)

    def write() -> None:
        try:
            archive = stream_zip(
                files(),
                chunk_size=OUT_CHUNK,
                get_compressobj=lambda: zlib.compressobj(STORED_DEFLATE_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS),
            )
            for chunk in archive:
                on_loop(output.put(chunk))
            on_loop(output.put(_End()))
        except _Abandoned:
            return
        except BaseException as error:  # handed to the reader, which raises it
            if not abandoned.is_set():
                on_loop(output.put(error))

    writer = threading.Thread(target=write, name="zip-writer", daemon=True)
    writer.start()
    try:
        while not isinstance(item := await output.get(), _End):
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        abandoned.set()
        # A writer waiting for room in the queue gets it, then sees it is abandoned.
        while not output.empty():
            output.get_nowait()
        await asyncio.to_thread(writer.join)
