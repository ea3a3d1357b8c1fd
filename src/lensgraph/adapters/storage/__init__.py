"""Object storage for photos, renditions and documents: a local folder or any S3-compatible service.

Clients never send files through GraphQL: they get a presigned upload target, send the bytes straight
to storage, then confirm. Local storage takes a signed PUT; S3 takes a presigned form POST, because only
a POST policy can bound the size. Downloads are presigned, expiring URLs.

What a client uploads is untrusted until the API checked it: a download's type and disposition are the
server's (carried in the signed URL), never guessed from the key, and answers forbid sniffing and scripts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import quote

# Types served as themselves: images and PDFs the API checked or made, and its own plain-text documents.
# Anything else is served as bytes to save, so no stored object can become a page of the serving origin.
SERVED_AS_THEMSELVES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/tiff",
        "image/webp",
        "image/heic",
        "application/pdf",
        "video/mp4",
        "video/quicktime",
        "text/plain; charset=utf-8",
    }
)
OPAQUE = "application/octet-stream"
# Chunked reads hand out this much at a time: big enough to keep the thread hops few, small enough to stream.
READ_CHUNK = 256 * 1024
# Every answer about a stored object: no MIME sniffing, and nothing in it runs even if a browser renders it.
SAFETY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
}


@dataclass(frozen=True)
class UploadTarget:
    """Where and how to send the bytes. ``fields`` is set for a form POST (S3's size-bounded uploads)."""

    url: str
    method: str
    headers: dict[str, str]
    expires_at: datetime
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int


class Storage(Protocol):
    async def presign_upload(
        self, key: str, *, content_type: str, max_bytes: int, expires_in: timedelta
    ) -> UploadTarget: ...

    async def end_upload(self, key: str) -> None:
        """Removes the upload's object; where the adapter can, its upload URL refuses any further write."""
        ...

    async def presign_download(
        self, key: str, *, expires_in: timedelta, media_type: str, filename: str | None = None
    ) -> str:
        """A URL serving the object as ``media_type``: an attachment saved as ``filename``, inline without one."""
        ...

    def download_url_now(self, key: str, *, expires_in: timedelta, media_type: str) -> str | None:
        """``presign_download``'s inline URL when making it needs no waiting (it is pure computation), else None:
        lists of thousands of links are then made without a coroutine each."""
        ...

    async def stat(self, key: str) -> StoredObject | None: ...

    async def read(self, key: str, *, max_bytes: int) -> bytes: ...

    def read_chunks(self, key: str, *, chunk_size: int = READ_CHUNK) -> AsyncIterator[bytes]:
        """The object's bytes in chunks of at most ``chunk_size``, never all at once; FileNotFoundError when missing
        (raised at the first chunk)."""
        ...

    async def write(self, key: str, data: bytes, *, content_type: str) -> None: ...

    async def digest(self, key: str) -> str | None:
        """The object's SHA-256 (hex), or None when there is no such object."""
        ...

    async def delete(self, key: str) -> None: ...

    async def delete_folder(self, folder: str) -> None:
        """Removes every object whose key starts with ``folder/``; an empty or missing folder is not an error."""
        ...


class ObjectTooLarge(Exception):
    pass


def served_type(media_type: str) -> str:
    """The Content-Type a download is answered with: the given type if it is a safe one, else opaque bytes."""
    return media_type if media_type in SERVED_AS_THEMSELVES else OPAQUE


def content_disposition(filename: str | None) -> str:
    """Inline without a name; with one, an attachment: an ASCII fallback plus the exact UTF-8 name (RFC 6266)."""
    if filename is None:
        return "inline"
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def create_storage(
    url: str, *, signing_key: bytes, public_url: str, s3_endpoint: str | None, s3_region: str = "us-east-1"
) -> Storage:
    """``file://path`` (relative to the working folder) or ``s3://bucket[/prefix]``."""
    if url.startswith("file://"):
        from pathlib import Path

        from lensgraph.adapters.storage.local import LocalStorage

        return LocalStorage(Path(url.removeprefix("file://")), signing_key, public_url)
    if url.startswith("s3://"):
        from lensgraph.adapters.storage.s3 import S3Storage

        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        return S3Storage(bucket, prefix=prefix, endpoint_url=s3_endpoint, region=s3_region)
    raise ValueError("LENSGRAPH_STORAGE must be file://folder or s3://bucket")
