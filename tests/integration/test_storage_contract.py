"""One contract, two adapters: the same tests run on the ``file://`` folder and on S3 (moto's server on 127.0.0.1).

Clients upload the way ``UploadTarget`` tells them (a PUT for files, a form POST for S3) and download over HTTP.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from lensgraph.adapters.storage import OPAQUE, SAFETY_HEADERS, ObjectTooLarge, Storage, UploadTarget
from lensgraph.adapters.storage.local import LocalStorage
from lensgraph.adapters.storage.s3 import S3Storage

HOUR = timedelta(hours=1)
PNG = "image/png"


# Fixtures (moto_url and s3_client come from conftest.py) ----------------------------------------


@pytest.fixture(params=["file", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "file":
        return LocalStorage(tmp_path / "files", b"test-key", "http://testserver")
    s3_client = request.getfixturevalue("s3_client")
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=bucket)
    return S3Storage(bucket, prefix="lg", endpoint_url=request.getfixturevalue("moto_url"))


@pytest.fixture
async def http(storage: Storage) -> AsyncIterator[httpx.AsyncClient]:
    """What a client uses: real HTTP to 127.0.0.1, and the /files endpoint in-process for the file adapter."""
    mounts = {}
    if isinstance(storage, LocalStorage):
        app = Starlette(routes=[Route("/files/{key:path}", storage.handle, methods=["GET", "HEAD", "PUT"])])
        mounts["http://testserver"] = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(mounts=mounts, trust_env=False, timeout=10) as client:
        yield client


# Moto checks neither signatures nor expiry: the rules about links run on the file adapter only.
file_only = pytest.mark.parametrize("storage", ["file"], indirect=True)
s3_only = pytest.mark.parametrize("storage", ["s3"], indirect=True)


async def upload(http: httpx.AsyncClient, target: UploadTarget, data: bytes, content_type: str) -> httpx.Response:
    """Sends the bytes as the target says: a form POST of its fields plus the file, or a plain request."""
    if target.method == "POST":
        files = {"file": ("upload", data, content_type)}
        return await http.post(target.url, data=target.fields, files=files)
    return await http.request(target.method, target.url, headers=target.headers, content=data)


def key() -> str:
    return f"photos/{uuid.uuid4().hex}.png"


# The contract -----------------------------------------------------------------------------------


async def test_an_upload_within_the_limit_is_stored(storage: Storage, http: httpx.AsyncClient) -> None:
    name, data = key(), b"\x89PNG" + bytes(range(256)) * 4
    target = await storage.presign_upload(name, content_type=PNG, max_bytes=2000, expires_in=HOUR)

    response = await upload(http, target, data, PNG)

    assert response.is_success, response.text
    stored = await storage.stat(name)
    assert stored is not None
    assert (stored.key, stored.size) == (name, len(data))
    assert await storage.read(name, max_bytes=2000) == data


async def test_a_body_over_the_limit_is_refused(storage: Storage, http: httpx.AsyncClient) -> None:
    name = key()
    target = await storage.presign_upload(name, content_type=PNG, max_bytes=10, expires_in=HOUR)

    if isinstance(storage, S3Storage):
        # Moto's server ignores POST policy conditions (it stores any size), so we check the signed policy that
        # real S3 enforces: it bounds the size and fixes the type.
        policy = json.loads(base64.b64decode(target.fields["policy"]))
        assert ["content-length-range", 1, 10] in policy["conditions"]
        assert {"Content-Type": PNG} in policy["conditions"]
        assert target.fields["Content-Type"] == PNG
        return
    response = await upload(http, target, b"x" * 11, PNG)
    assert response.status_code == 413
    assert await storage.stat(name) is None


async def test_a_presigned_download_serves_the_bytes(storage: Storage, http: httpx.AsyncClient) -> None:
    name = key()
    await storage.write(name, b"picture", content_type=PNG)

    response = await http.get(
        await storage.presign_download(name, expires_in=HOUR, media_type=PNG, filename="sunset.png")
    )

    assert response.status_code == 200
    assert response.content == b"picture"
    assert response.headers["content-type"] == PNG
    assert response.headers["content-disposition"].startswith('attachment; filename="sunset.png"')


async def test_a_download_url_made_at_once_serves_the_bytes_inline(storage: Storage, http: httpx.AsyncClient) -> None:
    name = key()
    await storage.write(name, b"picture", content_type=PNG)

    url = storage.download_url_now(name, expires_in=HOUR, media_type=PNG)

    assert url is not None  # the credentials are at hand: no signing waits here
    response = await http.get(url)
    assert (response.status_code, response.content) == (200, b"picture")
    assert (response.headers["content-type"], response.headers["content-disposition"]) == (PNG, "inline")


async def test_downloads_are_served_as_the_server_says_never_as_stored(
    storage: Storage, http: httpx.AsyncClient
) -> None:
    name = f"uploads/{uuid.uuid4().hex}/evil.html"
    await storage.write(name, b"<script>alert(1)</script>", content_type="text/html")

    as_page = await http.get(await storage.presign_download(name, expires_in=HOUR, media_type="text/html"))
    as_image = await http.get(await storage.presign_download(name, expires_in=HOUR, media_type=PNG))

    assert (as_page.headers["content-type"], as_page.headers["content-disposition"]) == (OPAQUE, "inline")
    assert (as_image.headers["content-type"], as_image.headers["content-disposition"]) == (PNG, "inline")


async def test_digest_is_the_sha256_of_what_is_stored_now(storage: Storage) -> None:
    name = key()
    assert await storage.digest(name) is None
    await storage.write(name, b"first", content_type=PNG)
    assert await storage.digest(name) == hashlib.sha256(b"first").hexdigest()
    assert await storage.digest(name) == hashlib.sha256(b"first").hexdigest()

    await storage.write(name, b"second", content_type=PNG)

    assert await storage.digest(name) == hashlib.sha256(b"second").hexdigest()


async def test_an_ended_upload_is_gone(storage: Storage, http: httpx.AsyncClient) -> None:
    name, data = key(), b"\x89PNG" + bytes(range(64))
    target = await storage.presign_upload(name, content_type=PNG, max_bytes=2000, expires_in=HOUR)
    assert (await upload(http, target, data, PNG)).is_success

    await storage.end_upload(name)
    await storage.end_upload(name)

    assert await storage.stat(name) is None


async def test_write_then_read_round_trips(storage: Storage) -> None:
    name = key()
    await storage.write(name, b"first", content_type=PNG)
    await storage.write(name, b"second", content_type=PNG)

    assert await storage.read(name, max_bytes=6) == b"second"


async def test_read_refuses_an_object_over_max_bytes(storage: Storage) -> None:
    name = key()
    await storage.write(name, b"0123456789", content_type=PNG)

    with pytest.raises(ObjectTooLarge):
        await storage.read(name, max_bytes=9)


async def test_a_missing_object_has_no_stat_and_cannot_be_read(storage: Storage) -> None:
    assert await storage.stat(key()) is None
    with pytest.raises(FileNotFoundError):
        await storage.read(key(), max_bytes=100)


async def test_read_chunks_gives_the_bytes_in_bounded_chunks(storage: Storage) -> None:
    name, data = key(), bytes(range(256)) * 1000 + b"tail"
    await storage.write(name, data, content_type=PNG)

    chunks = [chunk async for chunk in storage.read_chunks(name, chunk_size=10_000)]

    assert b"".join(chunks) == data
    assert len(chunks) >= len(data) // 10_000 and max(len(chunk) for chunk in chunks) <= 10_000
    with pytest.raises(FileNotFoundError):
        [chunk async for chunk in storage.read_chunks(key())]


async def test_delete_removes_and_can_be_repeated(storage: Storage) -> None:
    name = key()
    await storage.write(name, b"bytes", content_type=PNG)

    await storage.delete(name)
    await storage.delete(name)

    assert await storage.stat(name) is None


async def test_delete_folder_removes_what_is_under_it_and_nothing_beside_it(storage: Storage) -> None:
    folder = f"folders/{uuid.uuid4().hex}"
    inside = [f"{folder}/a.pdf", f"{folder}/b.pdf", f"{folder}/deeper/c.pdf"]
    beside = [f"{folder}-sibling/d.pdf", f"{folder}.pdf"]
    for name in inside + beside:
        await storage.write(name, b"bytes", content_type=PNG)

    await storage.delete_folder(folder)
    await storage.delete_folder(folder)

    assert [await storage.stat(name) for name in inside] == [None, None, None]
    assert all([await storage.stat(name) for name in beside])


# S3 only ----------------------------------------------------------------------------------------


@s3_only
async def test_s3_downloads_name_the_file(storage: S3Storage, http: httpx.AsyncClient) -> None:
    name = key()
    await storage.write(name, b"picture", content_type=PNG)

    url = await storage.presign_download(name, expires_in=HOUR, media_type=PNG, filename='été "1".png')

    disposition = parse_qs(urlsplit(url).query)["response-content-disposition"][0]
    assert disposition == "attachment; filename=\"_t_ _1_.png\"; filename*=UTF-8''%C3%A9t%C3%A9%20%221%22.png"
    response = await http.get(url)
    assert response.headers["content-disposition"] == disposition
    assert parse_qs(urlsplit(url).query)["response-content-type"] == [PNG]


@s3_only
async def test_s3_digests_come_from_the_checksum_s3_keeps(storage: S3Storage, s3_client: Any) -> None:
    name = key()
    await storage.write(name, b"picture", content_type=PNG)
    head = s3_client.head_object(Bucket=storage.bucket, Key=f"lg/{name}", ChecksumMode="ENABLED")
    assert base64.b64decode(head["ChecksumSHA256"]).hex() == hashlib.sha256(b"picture").hexdigest()

    # An object written by anyone else, without a checksum, is hashed instead.
    s3_client.put_object(Bucket=storage.bucket, Key=f"lg/{name}", Body=b"swapped")

    assert await storage.digest(name) == hashlib.sha256(b"swapped").hexdigest()


@s3_only
async def test_s3_keys_live_under_the_prefix(storage: S3Storage, s3_client: Any) -> None:
    await storage.write("a/b.png", b"bytes", content_type=PNG)

    head = s3_client.head_object(Bucket=storage.bucket, Key="lg/a/b.png")
    assert (head["ContentLength"], head["ContentType"]) == (5, PNG)


# Link rules, on the file adapter ----------------------------------------------------------------


@file_only
async def test_a_tampered_signature_is_refused(storage: LocalStorage, http: httpx.AsyncClient) -> None:
    name = key()
    await storage.write(name, b"secret", content_type=PNG)
    url = httpx.URL(await storage.presign_download(name, expires_in=HOUR, media_type=PNG))
    signature = url.params["sig"]
    tampered = url.copy_set_param("sig", ("0" if signature[0] != "0" else "1") + signature[1:])

    assert (await http.get(tampered)).status_code == 403
    assert (await http.get(url.copy_set_param("exp", str(int(url.params["exp"]) + 3600)))).status_code == 403


@file_only
async def test_an_expired_link_is_refused(storage: LocalStorage, http: httpx.AsyncClient) -> None:
    name = key()
    await storage.write(name, b"secret", content_type=PNG)
    past = timedelta(seconds=-1)

    assert (await http.get(await storage.presign_download(name, expires_in=past, media_type=PNG))).status_code == 403
    target = await storage.presign_upload(key(), content_type=PNG, max_bytes=100, expires_in=past)
    assert (await upload(http, target, b"data", PNG)).status_code == 403


@file_only
async def test_a_download_link_cannot_upload(storage: LocalStorage, http: httpx.AsyncClient) -> None:
    name = key()
    await storage.write(name, b"original", content_type=PNG)
    url = await storage.presign_download(name, expires_in=HOUR, media_type=PNG)

    assert (await http.put(url, content=b"replaced")).status_code == 403
    assert await storage.read(name, max_bytes=100) == b"original"


@file_only
async def test_an_upload_without_content_length_is_refused(storage: LocalStorage, http: httpx.AsyncClient) -> None:
    name = key()
    target = await storage.presign_upload(name, content_type=PNG, max_bytes=100, expires_in=HOUR)

    async def chunked() -> AsyncIterator[bytes]:
        yield b"data"

    response = await http.put(target.url, headers=target.headers, content=chunked())

    assert 400 <= response.status_code < 500
    assert await storage.stat(name) is None
    assert list(storage.root.rglob("*.partial")) == []


@file_only
@pytest.mark.parametrize("declared", ["3", "9"])
async def test_a_body_that_is_not_its_content_length_is_refused(
    storage: LocalStorage, http: httpx.AsyncClient, declared: str
) -> None:
    name = key()
    target = await storage.presign_upload(name, content_type=PNG, max_bytes=100, expires_in=HOUR)
    headers = {**target.headers, "Content-Length": declared}

    response = await http.put(target.url, headers=headers, content=b"123456")

    assert 400 <= response.status_code < 500
    assert await storage.stat(name) is None
    assert list(storage.root.rglob("*.partial")) == []


@file_only
async def test_a_key_cannot_leave_the_folder(storage: LocalStorage, http: httpx.AsyncClient) -> None:
    with pytest.raises(ValueError):
        await storage.write("../escaped", b"data", content_type=PNG)
    with pytest.raises(ValueError):
        await storage.stat("../escaped")

    # No link is ever signed for such a key, and the endpoint refuses one (dots escaped so httpx keeps them).
    with pytest.raises(ValueError):
        await storage.presign_upload("../escaped", content_type=PNG, max_bytes=100, expires_in=HOUR)
    target = await storage.presign_upload("escaped", content_type=PNG, max_bytes=100, expires_in=HOUR)
    url = target.url.replace("/files/escaped", "/files/%2E%2E/escaped")
    response = await http.put(url, headers=target.headers, content=b"data")

    assert response.status_code == 403
    assert not (storage.root.parent / "escaped").exists()
    # Nor is a folder outside it, or the storage folder itself, ever removed.
    kept = key()
    await storage.write(kept, b"data", content_type=PNG)
    for outside in ("..", "../escaped", "", "/", "."):
        with pytest.raises(ValueError):
            await storage.delete_folder(outside)
    assert await storage.stat(kept) is not None


@file_only
async def test_file_links_enforce_type_and_non_empty_bodies(storage: LocalStorage, http: httpx.AsyncClient) -> None:
    target = await storage.presign_upload("typed", content_type=PNG, max_bytes=100, expires_in=HOUR)
    wrong_type = await http.put(target.url, headers={"Content-Type": "text/html"}, content=b"<script>")
    empty = await http.put(target.url, headers=target.headers, content=b"")
    assert (wrong_type.status_code, empty.status_code) == (415, 400)
    assert await storage.stat("typed") is None


@file_only
async def test_file_download_names_the_file(storage: LocalStorage, http: httpx.AsyncClient) -> None:
    await storage.write("named", b"data", content_type=PNG)
    url = await storage.presign_download("named", expires_in=HOUR, media_type=PNG, filename="sunset été.png")
    response = await http.get(url)
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"sunset _t_.png\"; filename*=UTF-8''sunset%20%C3%A9t%C3%A9.png"
    )


@file_only
async def test_file_links_take_one_file_and_none_after_the_upload_ended(
    storage: LocalStorage, http: httpx.AsyncClient
) -> None:
    name, first, second = key(), b"first file", b"other file"
    target = await storage.presign_upload(name, content_type=PNG, max_bytes=100, expires_in=HOUR)
    answers = await asyncio.gather(*(upload(http, target, body, PNG) for body in (first, second) * 3))
    assert sorted(answer.status_code for answer in answers) == [200, 409, 409, 409, 409, 409]
    stored = await storage.read(name, max_bytes=100)
    assert stored in (first, second)

    await storage.end_upload(name)

    assert (await upload(http, target, first, PNG)).status_code == 410
    assert await storage.stat(name) is None
    assert list(storage.root.rglob("*.partial")) == []


@file_only
async def test_every_file_answer_is_inert(storage: LocalStorage, http: httpx.AsyncClient) -> None:
    await storage.write("page", b"<script>alert(1)</script>", content_type="text/html")
    target = await storage.presign_upload("new", content_type=PNG, max_bytes=100, expires_in=HOUR)
    answers = [
        await http.get(await storage.presign_download("page", expires_in=HOUR, media_type="text/html")),
        await http.head(await storage.presign_download("page", expires_in=HOUR, media_type=PNG, filename="a.png")),
        await http.get(await storage.presign_download("missing", expires_in=HOUR, media_type=PNG)),
        await http.get("http://testserver/files/page"),
        await upload(http, target, b"data", PNG),
        await upload(http, target, b"data", PNG),
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 404, 403, 200, 409]
    for answer in answers:
        for header, value in SAFETY_HEADERS.items():
            assert answer.headers[header] == value
        assert answer.headers["content-disposition"] and "html" not in answer.headers["content-type"]


@file_only
@pytest.mark.parametrize("bad", ["/etc/passwd", "a/../../b", "a//b", "./a", "a\\..\\b", "a\x00b", ""])
async def test_signing_refuses_every_key_that_could_leave_the_folder(storage: LocalStorage, bad: str) -> None:
    with pytest.raises(ValueError):
        await storage.presign_download(bad, expires_in=HOUR, media_type=PNG)


async def test_signing_a_download_touches_neither_disk_nor_network(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signing is computation: a page of 100 thumbnails signs 100 URLs, none of them worth a filesystem call or a
    thread hop (S3's credentials here are static, as the environment gives them)."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("signing a URL did I/O")

    monkeypatch.setattr(Path, "resolve", refuse)
    monkeypatch.setattr(Path, "stat", refuse)
    monkeypatch.setattr(asyncio, "to_thread", refuse)
    url = await storage.presign_download("photos/one/thumbnail.jpg", expires_in=HOUR, media_type="image/jpeg")
    assert urlsplit(url).path.endswith("photos/one/thumbnail.jpg")


@file_only
async def test_a_file_keeps_one_download_link_for_a_tenth_of_its_lifetime(storage: LocalStorage) -> None:
    name = key()
    before = time.time()
    links = {await storage.presign_download(name, expires_in=HOUR, media_type=PNG) for _ in range(3)}
    links.add(storage.download_url_now(name, expires_in=HOUR, media_type=PNG))
    after = time.time()

    assert len(links) == 1  # the same link: browsers and CDNs cache the file across page views
    (link,) = links
    expires = int(parse_qs(urlsplit(link).query)["exp"][0])
    # At least the lifetime asked for, at most one step (5 minutes for an hour) more.
    assert before + HOUR.total_seconds() <= expires <= after + HOUR.total_seconds() + 300
    assert expires % 300 == 0
    # Another lifetime or disposition is another link.
    assert await storage.presign_download(name, expires_in=HOUR, media_type=PNG, filename="a.png") != link
