"""Object storage for photos, renditions and documents: a local folder or any S3-compatible service.

Clients never send files through GraphQL: they get a presigned upload target, send the bytes straight
to storage, then confirm. Local storage takes a signed PUT; S3 takes a presigned form POST, because only
a POST policy can bound the size. Downloads are presigned, expiring URLs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol


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

    async def presign_download(self, key: str, *, expires_in: timedelta, filename: str | None = None) -> str: ...

    async def stat(self, key: str) -> StoredObject | None: ...

    async def read(self, key: str, *, max_bytes: int) -> bytes: ...

    async def write(self, key: str, data: bytes, *, content_type: str) -> None: ...

    async def delete(self, key: str) -> None: ...


class ObjectTooLarge(Exception):
    pass


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
