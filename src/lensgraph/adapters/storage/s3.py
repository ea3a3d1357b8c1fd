"""``s3://`` storage: any S3-compatible service through boto3, with presigned URLs the clients use directly."""

from __future__ import annotations

import asyncio
from contextlib import closing
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from lensgraph.adapters.storage import ObjectTooLarge, StoredObject, UploadTarget

MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Storage:
    def __init__(
        self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None, region: str = "us-east-1"
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        # Custom endpoints (MinIO, moto, a bare IP) rarely resolve bucket subdomains: address them by path.
        config = Config(s3={"addressing_style": "path" if endpoint_url else "auto"}, signature_version="s3v4")
        self._client: Any = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url, region_name=region, config=config
        )

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    # Every boto3 call runs in a thread: even presigning may fetch credentials over the network.

    async def presign_upload(
        self, key: str, *, content_type: str, max_bytes: int, expires_in: timedelta
    ) -> UploadTarget:
        """A form POST whose signed policy bounds the size and fixes the type, so S3 itself refuses other bodies."""
        post = await asyncio.to_thread(
            self._client.generate_presigned_post,
            Bucket=self.bucket,
            Key=self._key(key),
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=int(expires_in.total_seconds()),
        )
        return UploadTarget(
            url=post["url"],
            method="POST",
            headers={},
            fields=post["fields"],
            expires_at=datetime.now(UTC) + expires_in,
        )

    async def presign_download(self, key: str, *, expires_in: timedelta, filename: str | None = None) -> str:
        """An expiring GET URL; with a filename, browsers save the file under that name."""
        params = {"Bucket": self.bucket, "Key": self._key(key)}
        if filename is not None:
            params["ResponseContentDisposition"] = attachment(filename)
        url: str = await asyncio.to_thread(
            self._client.generate_presigned_url,
            "get_object",
            Params=params,
            ExpiresIn=int(expires_in.total_seconds()),
        )
        return url

    async def stat(self, key: str) -> StoredObject | None:
        """The object's size, or None when there is no such object (any other failure raises)."""
        try:
            head = await asyncio.to_thread(self._client.head_object, Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if _is_missing(error):
                return None
            raise
        return StoredObject(key=key, size=int(head["ContentLength"]))

    async def read(self, key: str, *, max_bytes: int) -> bytes:
        """The object's bytes; ObjectTooLarge past max_bytes, FileNotFoundError when missing (as the file adapter)."""

        def read_bounded() -> bytes:
            try:
                response = self._client.get_object(Bucket=self.bucket, Key=self._key(key))
            except ClientError as error:
                if _is_missing(error):
                    raise FileNotFoundError(key) from error
                raise
            with closing(response["Body"]) as body:
                if int(response["ContentLength"]) > max_bytes:
                    raise ObjectTooLarge(key)
                data: bytes = body.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise ObjectTooLarge(key)
            return data

        return await asyncio.to_thread(read_bounded)

    async def write(self, key: str, data: bytes, *, content_type: str) -> None:
        """Stores the bytes under key, replacing any previous object (S3 puts are atomic)."""
        await asyncio.to_thread(
            self._client.put_object, Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type
        )

    async def delete(self, key: str) -> None:
        """Removes the object; a missing one is not an error."""
        await asyncio.to_thread(self._client.delete_object, Bucket=self.bucket, Key=self._key(key))


def attachment(filename: str) -> str:
    """A Content-Disposition naming the file: an ASCII fallback plus the exact UTF-8 name (RFC 6266)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _is_missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in MISSING
