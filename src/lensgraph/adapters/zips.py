"""Zip archives written as a stream (stream-zip): members go out as they are read, so neither the archive nor a
whole member is ever held in memory or written to disk."""

from __future__ import annotations

import stat
import zlib
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from stream_zip import ZIP_64, async_stream_zip

# Photos are compressed already: deflate's stored blocks (level 0) cost a copy, where level 9 would burn a CPU for
# nothing. ZIP_64 with a data descriptor needs neither the size nor the CRC before the member's bytes.
STORED_DEFLATE_LEVEL = 0
MEMBER_MODE = stat.S_IFREG | 0o644
OUT_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ZipMember:
    name: str
    modified_at: datetime
    chunks: AsyncIterable[bytes]


async def zip_stream(members: AsyncIterable[ZipMember]) -> AsyncIterator[bytes]:
    """The archive's bytes in chunks of about 64 KiB, members in the order given."""

    async def files() -> AsyncIterator[tuple[str, datetime, int, object, AsyncIterable[bytes]]]:
        async for member in members:
            yield member.name, member.modified_at, MEMBER_MODE, ZIP_64, member.chunks

    archive = async_stream_zip(
        files(),  # type: ignore[arg-type]
        chunk_size=OUT_CHUNK,
        get_compressobj=lambda: zlib.compressobj(STORED_DEFLATE_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS),
    )
    async for chunk in archive:
        yield chunk
