"""``file://`` storage: a local folder, with HMAC-signed expiring URLs served by ``/files``."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode
from uuid import uuid4

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from lensgraph.adapters.storage import ObjectTooLarge, StoredObject, UploadTarget

CHUNK = 64 * 1024


class LocalStorage:
    def __init__(self, root: Path, signing_key: bytes, public_url: str) -> None:
        self.root = root.resolve()
        self._key = hashlib.sha256(b"files:" + signing_key).digest()
        self._public_url = public_url.rstrip("/")

    # Signing ------------------------------------------------------------------------------------

    def _signature(self, operation: str, key: str, expires: int, max_bytes: int, content_type: str) -> str:
        message = f"{operation}\n{key}\n{expires}\n{max_bytes}\n{content_type}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def _url(self, operation: str, key: str, expires_in: timedelta, max_bytes: int = 0, content_type: str = "") -> str:
        """For a GET, ``content_type`` carries the download file name instead (signed all the same)."""
        self._path(key)
        expires = int(time.time() + expires_in.total_seconds())
        query = {"op": operation, "exp": str(expires), "max": str(max_bytes), "ct": content_type}
        query["sig"] = self._signature(operation, key, expires, max_bytes, content_type)
        return f"{self._public_url}/files/{quote(key)}?{urlencode(query)}"

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError("storage key escapes the storage folder")
        return path

    # Storage protocol ---------------------------------------------------------------------------

    async def presign_upload(
        self, key: str, *, content_type: str, max_bytes: int, expires_in: timedelta
    ) -> UploadTarget:
        return UploadTarget(
            url=self._url("put", key, expires_in, max_bytes, content_type),
            method="PUT",
            headers={"Content-Type": content_type},
            expires_at=datetime.now(UTC) + expires_in,
        )

    async def presign_download(self, key: str, *, expires_in: timedelta, filename: str | None = None) -> str:
        return self._url("get", key, expires_in, content_type=filename or "")

    async def stat(self, key: str) -> StoredObject | None:
        path = self._path(key)
        try:
            stat = await asyncio.to_thread(path.stat)
        except FileNotFoundError:
            return None
        return StoredObject(key=key, size=stat.st_size) if path.is_file() else None

    async def read(self, key: str, *, max_bytes: int) -> bytes:
        path = self._path(key)

        def read_bounded() -> bytes:
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise ObjectTooLarge(key)
            return data

        return await asyncio.to_thread(read_bounded)

    async def write(self, key: str, data: bytes, *, content_type: str) -> None:
        await asyncio.to_thread(self._write_atomically, self._path(key), data)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    @staticmethod
    def _write_atomically(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = _partial_for(path)
        try:
            partial.write_bytes(data)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    # The /files endpoint ------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        """PUT stores an upload within its signed size limit; GET serves a download. Both check the signature."""
        key = request.path_params["key"]
        params = request.query_params
        operation = "put" if request.method == "PUT" else "get"
        try:
            expires, max_bytes = int(params.get("exp", "")), int(params.get("max", ""))
        except ValueError:
            return _refuse(403, "This link is not valid.")
        content_type = params.get("ct", "")
        expected = self._signature(operation, key, expires, max_bytes, content_type)
        if params.get("op") != operation or not hmac.compare_digest(expected, params.get("sig", "")):
            return _refuse(403, "This link is not valid.")
        if expires < time.time():
            return _refuse(403, "This link has expired.")
        try:
            path = self._path(key)
        except ValueError:
            return _refuse(403, "This link is not valid.")
        if operation == "get":
            if not path.is_file():
                return _refuse(404, "Not found.")
            headers = {"Cache-Control": "private, max-age=300"}
            if content_type:
                headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(content_type)}"
            return FileResponse(path, headers=headers)
        if request.headers.get("content-type", "").split(";")[0].strip() != content_type:
            return _refuse(415, f"Send the file as {content_type}, as the upload was requested.")
        return await self._receive(request, path, max_bytes)

    async def _receive(self, request: Request, path: Path, max_bytes: int) -> Response:
        declared = request.headers.get("content-length")
        if declared is None or not declared.isdigit():
            return _refuse(411, "Send a Content-Length header.")
        if int(declared) == 0:
            return _refuse(400, "The file is empty.")
        if int(declared) > max_bytes:
            return _refuse(413, f"The file is larger than the {max_bytes} bytes allowed.")
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = _partial_for(path)
        received = 0
        try:
            with partial.open("wb") as handle:
                async for chunk in request.stream():
                    received += len(chunk)
                    if received > int(declared):
                        raise ObjectTooLarge(path.name)
                    await asyncio.to_thread(handle.write, chunk)
            if received != int(declared):
                raise ObjectTooLarge(path.name)
            os.replace(partial, path)
        except ObjectTooLarge:
            return _refuse(400, "The body does not match its Content-Length.")
        finally:
            # Nothing half-written stays behind: after a success the partial file is already gone.
            partial.unlink(missing_ok=True)
        return Response(status_code=200)


def _partial_for(path: Path) -> Path:
    """A unique hidden name beside the target: no two writes share it, and no real key is clobbered."""
    return path.with_name(f".{path.name}.{uuid4().hex}.partial")


def _refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
