"""``file://`` storage: a local folder, with HMAC-signed expiring URLs served by ``/files``."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import hmac
import math
import os
import re
import shutil
import stat
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, quote_plus
from uuid import uuid4

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from lensgraph.adapters.storage import (
    READ_CHUNK,
    SAFETY_HEADERS,
    ObjectTooLarge,
    StoredObject,
    UploadTarget,
    content_disposition,
    served_type,
)

CHUNK = 64 * 1024
INLINE = content_disposition(None)
# A download link's expiry is rounded up to a step of a tenth of its lifetime (at most 5 minutes): within a step
# a file keeps one link, so browsers and CDNs cache it across page views, and the server signs it once per step.
EXPIRY_STEP_MAX_SECONDS = 300
DOWNLOAD_LINKS_KEPT = 20_000
# Digests of files unchanged since they were hashed: delivering an original costs a stat, not a full read.
DIGEST_CACHE_SIZE = 10_000
ENDED = "This upload is over: request a new upload."
ALREADY_SENT = "A file was already sent with this link: request a new upload to send another."


class _Version(NamedTuple):
    """What changes when a file is replaced or written to: its inode, size and change times."""

    inode: int
    size: int
    modified_ns: int
    changed_ns: int


# Keys as the server makes them (ids, "/", "." and "-"): quoted, they stay the same.
_UNQUOTED_KEY = re.compile(r"[A-Za-z0-9_.~/-]+")


def _check_key(key: str) -> None:
    """A key names a file below the storage folder: relative, with no empty, "." or ".." part (nor a backslash or a
    NUL). Substring tests over the key between slashes: a few C calls per signed URL, no list of parts."""
    between = f"/{key}/"
    if "//" in between or "/./" in between or "/../" in between or "\\" in key or "\x00" in key:
        raise ValueError("storage key escapes the storage folder")


def _quoted_key(key: str) -> str:
    return key if _UNQUOTED_KEY.fullmatch(key) else quote(key)


@functools.lru_cache(maxsize=256)
def _form_quoted(value: str) -> str:
    return quote_plus(value)


class LocalStorage:
    def __init__(self, root: Path, signing_key: bytes, public_url: str) -> None:
        self.root = root.resolve()
        self._key = hashlib.sha256(b"files:" + signing_key).digest()
        self._public_url = public_url.rstrip("/")
        self._digests: OrderedDict[Path, tuple[_Version, str]] = OrderedDict()
        self._digests_lock = threading.Lock()
        # Download links by what they sign, oldest first (dropped past ``DOWNLOAD_LINKS_KEPT``).
        self._download_links: dict[tuple[str, int, str, str], str] = {}
        self._download_links_lock = threading.Lock()

    # Signing ------------------------------------------------------------------------------------

    def _signature(
        self, operation: str, key: str, expires: int, max_bytes: int, content_type: str, disposition: str
    ) -> str:
        message = f"{operation}\n{key}\n{expires}\n{max_bytes}\n{content_type}\n{disposition}".encode()
        return hmac.digest(self._key, message, "sha256").hex()

    def _download_url(self, key: str, expires_in: timedelta, content_type: str, disposition: str) -> str:
        lifetime = expires_in.total_seconds()
        step = max(1, min(EXPIRY_STEP_MAX_SECONDS, int(lifetime // 10)))
        expires = -(-math.ceil(time.time() + lifetime) // step) * step
        signed = (key, expires, content_type, disposition)
        url = self._download_links.get(signed)
        if url is None:
            url = self._url("get", key, expires, content_type=content_type, disposition=disposition)
            with self._download_links_lock:  # jobs running in threads sign links too
                self._download_links[signed] = url
                if len(self._download_links) > DOWNLOAD_LINKS_KEPT:
                    del self._download_links[next(iter(self._download_links))]
        return url

    def _url(
        self, operation: str, key: str, expires: int, *, content_type: str, max_bytes: int = 0, disposition: str = ""
    ) -> str:
        """The type (a PUT's required one, a GET's served one) and a GET's disposition are signed with the key.
        Pure computation: the key is checked by its text here (no filesystem call per URL), and resolved on use."""
        _check_key(key)
        signature = self._signature(operation, key, expires, max_bytes, content_type, disposition)
        # urlencode's form, written out: only the type and disposition need quoting, and they repeat.
        return (
            f"{self._public_url}/files/{_quoted_key(key)}?op={operation}&exp={expires}&max={max_bytes}"
            f"&ct={_form_quoted(content_type)}&cd={_form_quoted(disposition)}&sig={signature}"
        )

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError("storage key escapes the storage folder")
        return path

    # Storage protocol ---------------------------------------------------------------------------

    async def presign_upload(
        self, key: str, *, content_type: str, max_bytes: int, expires_in: timedelta
    ) -> UploadTarget:
        """A signed PUT that stores one file, once: a key that holds an object, or held one, refuses it."""
        expires = int(time.time() + expires_in.total_seconds())
        return UploadTarget(
            url=self._url("put", key, expires, content_type=content_type, max_bytes=max_bytes),
            method="PUT",
            headers={"Content-Type": content_type},
            expires_at=datetime.now(UTC) + expires_in,
        )

    async def end_upload(self, key: str) -> None:
        """Marks the upload ended before removing its object, so its PUT URL stays refused until it expires."""
        path = self._path(key)

        def end() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            _ended_marker(path).touch()
            path.unlink(missing_ok=True)

        await asyncio.to_thread(end)

    async def presign_download(
        self, key: str, *, expires_in: timedelta, media_type: str, filename: str | None = None
    ) -> str:
        return self._download_url(key, expires_in, served_type(media_type), content_disposition(filename))

    def download_url_now(self, key: str, *, expires_in: timedelta, media_type: str) -> str:
        return self._download_url(key, expires_in, served_type(media_type), INLINE)

    async def stat(self, key: str) -> StoredObject | None:
        path = self._path(key)
        try:
            found = await asyncio.to_thread(path.stat)
        except FileNotFoundError:
            return None
        return StoredObject(key=key, size=found.st_size) if stat.S_ISREG(found.st_mode) else None

    async def read(self, key: str, *, max_bytes: int) -> bytes:
        path = self._path(key)

        def read_bounded() -> bytes:
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise ObjectTooLarge(key)
            return data

        return await asyncio.to_thread(read_bounded)

    async def read_chunks(self, key: str, *, chunk_size: int = READ_CHUNK) -> AsyncIterator[bytes]:
        """Each chunk read in a thread; the file stays open only while the caller iterates."""
        handle = await asyncio.to_thread(self._path(key).open, "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, chunk_size):
                yield chunk
        finally:
            handle.close()

    async def write(self, key: str, data: bytes, *, content_type: str) -> None:
        await asyncio.to_thread(self._write_atomically, self._path(key), data)

    async def digest(self, key: str) -> str | None:
        """Hashed in a thread, streaming; a file not changed since it was last hashed is not read again."""
        path = self._path(key)
        return await asyncio.to_thread(self._digest, path)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def delete_folder(self, folder: str) -> None:
        """The folder's tree; the storage folder itself is refused (as any key outside it)."""
        path = self._path(folder.rstrip("/"))

        def remove_tree() -> None:
            with contextlib.suppress(FileNotFoundError):
                shutil.rmtree(path)

        await asyncio.to_thread(remove_tree)

    def _digest(self, path: Path) -> str | None:
        try:
            before = _version(path)
            with self._digests_lock:
                cached = self._digests.get(path)
            if cached is not None and cached[0] == before:
                return cached[1]
            hasher = hashlib.sha256()
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    hasher.update(chunk)
        except (FileNotFoundError, IsADirectoryError):
            return None
        digest = hasher.hexdigest()
        # A write during the hashing leaves nothing cached: the next delivery hashes again.
        if _version(path) == before:
            with self._digests_lock:
                self._digests[path] = (before, digest)
                if len(self._digests) > DIGEST_CACHE_SIZE:
                    self._digests.popitem(last=False)
        return digest

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
        """PUT stores an upload within its signed size limit; GET and HEAD serve a download.

        Every answer, refusals included, carries the safety headers and a type and disposition of ours.
        """
        response = await self._answer(request)
        response.headers.update(SAFETY_HEADERS)
        response.headers.setdefault("Content-Disposition", "inline")
        return response

    async def _answer(self, request: Request) -> Response:
        key = request.path_params["key"]
        params = request.query_params
        operation = "put" if request.method == "PUT" else "get"
        try:
            expires, max_bytes = int(params.get("exp", "")), int(params.get("max", ""))
        except ValueError:
            return _refuse(403, "This link is not valid.")
        content_type, disposition = params.get("ct", ""), params.get("cd", "")
        expected = self._signature(operation, key, expires, max_bytes, content_type, disposition)
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
            headers = {"Cache-Control": "private, max-age=300", "Content-Disposition": disposition or "attachment"}
            return FileResponse(path, media_type=served_type(content_type), headers=headers)
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
        used = await asyncio.to_thread(_used, path)
        if used is not None:
            return used
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
            refused = await asyncio.to_thread(_store_once, partial, path)
        except ObjectTooLarge:
            return _refuse(400, "The body does not match its Content-Length.")
        finally:
            # Nothing half-written stays behind: the stored file, if any, is the link.
            partial.unlink(missing_ok=True)
        return refused or JSONResponse({"stored": True}, status_code=200)


def _used(path: Path) -> JSONResponse | None:
    """The refusal of a PUT to an upload that ended, or that already holds a file."""
    if _ended_marker(path).exists():
        return _refuse(410, ENDED)
    if path.exists():
        return _refuse(409, ALREADY_SENT)
    return None


def _store_once(partial: Path, path: Path) -> JSONResponse | None:
    """Makes the received file the key's object unless the key holds one or its upload ended meanwhile."""
    try:
        # A hard link fails when the key already holds an object: of two concurrent PUTs, one stores.
        os.link(partial, path)
    except FileExistsError:
        return _refuse(409, ALREADY_SENT)
    if _ended_marker(path).exists():
        # The upload ended while this body arrived: what it ended with is what counts.
        path.unlink(missing_ok=True)
        return _refuse(410, ENDED)
    return None


def _version(path: Path) -> _Version:
    found = path.stat()
    if not stat.S_ISREG(found.st_mode):
        raise IsADirectoryError(path)
    return _Version(found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def _partial_for(path: Path) -> Path:
    """A unique hidden name beside the target: no two writes share it, and no real key is clobbered."""
    return path.with_name(f".{path.name}.{uuid4().hex}.partial")


def _ended_marker(path: Path) -> Path:
    """A hidden empty file beside an upload's key saying the upload was confirmed or refused."""
    return path.with_name(f".{path.name}.ended")


def _refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
