"""``s3://`` storage: any S3-compatible service through boto3, with presigned URLs the clients use directly."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from lensgraph.adapters.storage import (
    READ_CHUNK,
    ObjectTooLarge,
    StoredObject,
    UploadTarget,
    content_disposition,
    served_type,
)

MISSING = {"404", "NoSuchKey", "NotFound"}
CHUNK = 1024 * 1024


class S3Storage:
    def __init__(
        self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None, region: str = "us-east-1"
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        # Custom endpoints (MinIO, moto, a bare IP) rarely resolve bucket subdomains: address them by path.
        config = Config(s3={"addressing_style": "path" if endpoint_url else "auto"}, signature_version="s3v4")
        session = boto3.session.Session()
        self._client: Any = session.client("s3", endpoint_url=endpoint_url, region_name=region, config=config)
        # The object the client signs with (botocore's session keeps one): presigning is pure computation with
        # it, unless it is missing or due for a refresh, which may ask a metadata service over the network.
        self._credentials: Any = session.get_credentials()

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _signs_offline(self) -> bool:
        credentials = self._credentials
        refresh_needed = getattr(credentials, "refresh_needed", None)
        return credentials is not None and not (refresh_needed is not None and refresh_needed())

    async def _presign(self, sign: Any, *args: Any, **kwargs: Any) -> Any:
        """A presigned URL or form: in the loop when it is pure computation (nearly always, and a thread hop per URL
        would cost more than the signing), in a thread when credentials must be fetched first."""
        if self._signs_offline():
            return sign(*args, **kwargs)
        return await asyncio.to_thread(sign, *args, **kwargs)

    # The other boto3 calls go over the network: each runs in a thread.

    async def presign_upload(
        self, key: str, *, content_type: str, max_bytes: int, expires_in: timedelta
    ) -> UploadTarget:
        """A form POST whose signed policy bounds the size and fixes the type, so S3 itself refuses other bodies."""
        post = await self._presign(
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

    async def end_upload(self, key: str) -> None:
        """Deletes the upload's object. A presigned POST cannot be revoked: until it expires, a late POST can
        still store an object under this key, which nothing reads again (the upload was confirmed or refused)."""
        await self.delete(key)

    async def presign_download(
        self, key: str, *, expires_in: timedelta, media_type: str, filename: str | None = None
    ) -> str:
        """An expiring GET URL whose answer has our type and disposition, whatever the object's metadata says."""
        url: str = await self._presign(
            self._client.generate_presigned_url, "get_object", **self._download(key, expires_in, media_type, filename)
        )
        return url

    def download_url_now(self, key: str, *, expires_in: timedelta, media_type: str) -> str | None:
        if not self._signs_offline():
            return None
        url: str = self._client.generate_presigned_url("get_object", **self._download(key, expires_in, media_type))
        return url

    def _download(
        self, key: str, expires_in: timedelta, media_type: str, filename: str | None = None
    ) -> dict[str, Any]:
        params = {
            "Bucket": self.bucket,
            "Key": self._key(key),
            "ResponseContentType": served_type(media_type),
            "ResponseContentDisposition": content_disposition(filename),
        }
        return {"Params": params, "ExpiresIn": int(expires_in.total_seconds())}

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

    async def read_chunks(self, key: str, *, chunk_size: int = READ_CHUNK) -> AsyncIterator[bytes]:
        """One GET, its body read a chunk at a time in a thread: nothing is buffered beyond a chunk."""

        def open_body() -> Any:
            try:
                return self._client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
            except ClientError as error:
                if _is_missing(error):
                    raise FileNotFoundError(key) from error
                raise

        body = await asyncio.to_thread(open_body)
        try:
            while chunk := await asyncio.to_thread(body.read, chunk_size):
                yield chunk
        finally:
            body.close()

    async def write(self, key: str, data: bytes, *, content_type: str) -> None:
        """Stores the bytes under key, replacing any previous object (S3 puts are atomic).

        S3 checks and keeps the object's SHA-256, so ``digest`` needs no download.
        """

        def put() -> None:
            self._client.put_object(
                Bucket=self.bucket,
                Key=self._key(key),
                Body=data,
                ContentType=content_type,
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=base64.b64encode(hashlib.sha256(data).digest()).decode(),
            )

        await asyncio.to_thread(put)

    async def digest(self, key: str) -> str | None:
        """The SHA-256 S3 kept for the object when it has a whole-object one; otherwise the object is hashed."""

        def digest() -> str | None:
            try:
                head = self._client.head_object(Bucket=self.bucket, Key=self._key(key), ChecksumMode="ENABLED")
            except ClientError as error:
                if _is_missing(error):
                    return None
                raise
            kept = head.get("ChecksumSHA256")
            # A multipart object's checksum ("...-3") is of its parts, not of its bytes.
            if kept and "-" not in kept:
                return base64.b64decode(kept).hex()
            return self._hash_object(key)

        return await asyncio.to_thread(digest)

    def _hash_object(self, key: str) -> str | None:
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if _is_missing(error):
                return None
            raise
        hasher = hashlib.sha256()
        with closing(response["Body"]) as body:
            while chunk := body.read(CHUNK):
                hasher.update(chunk)
        return hasher.hexdigest()

    async def delete(self, key: str) -> None:
        """Removes the object; a missing one is not an error."""
        await asyncio.to_thread(self._client.delete_object, Bucket=self.bucket, Key=self._key(key))

    async def delete_folder(self, folder: str) -> None:
        """Lists the folder's objects a page (at most 1,000) at a time, and deletes each page in one request."""

        def delete_pages() -> None:
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self._key(folder.rstrip("/")) + "/"
            )
            for page in pages:
                objects = [{"Key": item["Key"]} for item in page.get("Contents", ())]
                if objects:
                    self._client.delete_objects(Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})

        await asyncio.to_thread(delete_pages)


def _is_missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in MISSING
