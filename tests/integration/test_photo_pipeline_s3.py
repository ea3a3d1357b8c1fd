"""The photo pipeline through the API with ``s3://`` storage, against moto's S3 server on 127.0.0.1.

The client uploads as a browser would (a multipart form POST of the presigned fields, then the file), the API
confirms and the in-process worker analyses from the bucket; renditions are fetched over real HTTP.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from PIL import Image

from lensgraph.app.services import Services
from lensgraph.config import Settings
from lensgraph.jobs.broker import Jobs
from tests.api.helpers import sign_up
from tests.api.images import photo_jpeg
from tests.api.test_photos import PHOTO, confirm

PREFIX = "lg"
# The payload as a browser client asks for it: a form POST needs the `fields` as well.
REQUEST = """mutation($input: RequestPhotoUploadInput!) { requestPhotoUpload(input: $input) {
  uploadId uploadUrl method headers fields userErrors { field code message } } }"""
DELETE = """mutation($input: DeletePhotoInput!) { deletePhoto(input: $input) { ok userErrors { code } } }"""


@pytest.fixture
def bucket(s3_client: Any) -> str:
    name = f"photos-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def settings(settings: Settings, moto_url: str, bucket: str) -> Settings:
    return settings.model_copy(update={"storage": f"s3://{bucket}/{PREFIX}", "s3_endpoint": moto_url})


@pytest.fixture
async def worker(services: Services) -> AsyncIterator[Jobs]:
    """The in-process worker (memory broker): the analysis reads and writes the bucket."""
    await services.jobs.start()
    try:
        yield services.jobs
    finally:
        await services.jobs.stop()


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    """Real HTTP to the S3 server, as a browser would send it (no proxies from the environment)."""
    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        yield http


async def request_upload(client, account, data: bytes) -> dict[str, Any]:
    variables = {"input": {"filename": "sunset.jpg", "mimeType": "image/jpeg", "fileSizeBytes": len(data)}}
    target = (await client.data(REQUEST, variables, token=account.access_token))["requestPhotoUpload"]
    assert target["userErrors"] == [], target
    return target


async def post_form(browser: httpx.AsyncClient, target: dict[str, Any], data: bytes) -> httpx.Response:
    """A multipart form: every presigned field first, then the file (S3 ignores fields after the file)."""
    assert target["method"] == "POST" and target["fields"], target
    files = {"file": ("sunset.jpg", data, "image/jpeg")}
    return await browser.post(target["uploadUrl"], headers=target["headers"], data=target["fields"], files=files)


async def settle(jobs: Jobs) -> None:
    """Waits, with a deadline, until the worker has run every queued job."""
    await asyncio.to_thread(jobs.broker.join, "default", timeout=60_000)


async def fetch_jpeg(browser: httpx.AsyncClient, url: str) -> Image.Image:
    response = await browser.get(url)
    assert response.status_code == 200, response.text
    image = Image.open(io.BytesIO(response.content))
    image.load()
    assert image.format == "JPEG"
    return image


def keys_in(s3_client: Any, bucket: str) -> list[str]:
    listed = s3_client.list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", []))


async def test_upload_by_form_post_analyse_from_the_bucket_and_delete(
    client, worker: Jobs, browser: httpx.AsyncClient, s3_client: Any, bucket: str
) -> None:
    owner = await sign_up(client, role="PHOTOGRAPHER")
    data = photo_jpeg()

    target = await request_upload(client, owner, data)
    posted = await post_form(browser, target, data)
    assert posted.is_success, posted.text
    [uploaded] = keys_in(s3_client, bucket)
    assert uploaded.startswith(f"{PREFIX}/uploads/") and "sunset" not in uploaded

    confirmed = await confirm(client, owner, target["uploadId"], title="Sunset")
    assert confirmed["userErrors"] == []
    assert confirmed["photo"]["status"] == "PROCESSING"
    await settle(worker)

    photo_id = confirmed["photo"]["id"]
    node = (await client.data(PHOTO, {"id": photo_id}, token=owner.access_token))["node"]
    assert node["status"] == "READY"
    assert (node["width"], node["height"], node["orientation"]) == (1600, 1000, "LANDSCAPE")
    assert node["exif"]["cameraMake"] == "Canon"
    assert (await fetch_jpeg(browser, node["thumbnailUrl"])).size == (256, 160)
    assert (await fetch_jpeg(browser, node["previewUrl"])).size == (1280, 800)
    original = await browser.get(node["originalUrl"])
    assert original.content == data and original.headers["content-type"] == "image/jpeg"
    assert original.headers["content-disposition"].startswith('attachment; filename="Sunset.jpg"')
    stored = keys_in(s3_client, bucket)
    # The checked bytes, copied by the server under a key of its own; the upload object is gone.
    assert uploaded not in stored and len(stored) == 4  # the original, the thumbnail, the preview, the watermarked one
    [original_key] = [key for key in stored if key.endswith("/original.jpg")]
    head = s3_client.head_object(Bucket=bucket, Key=original_key, ChecksumMode="ENABLED")
    assert head["ContentType"] == "image/jpeg" and head["ChecksumSHA256"]

    deleted = (await client.data(DELETE, {"input": {"id": photo_id}}, token=owner.access_token))["deletePhoto"]
    assert deleted == {"ok": True, "userErrors": []}
    assert keys_in(s3_client, bucket) == []
    assert (await client.data(PHOTO, {"id": photo_id}, token=owner.access_token))["node"] is None


async def test_a_post_over_the_declared_size_is_caught_at_confirmation(
    client, browser: httpx.AsyncClient, s3_client: Any, bucket: str
) -> None:
    # Real S3 refuses this POST by the policy's content-length-range; moto's server does not check POST
    # policies and stores it, so the API's own size check at confirmation is what is tested here.
    owner = await sign_up(client)
    data = photo_jpeg()
    target = await request_upload(client, owner, data)
    policy = json.loads(base64.b64decode(target["fields"]["policy"]))
    assert ["content-length-range", 1, len(data)] in policy["conditions"]

    posted = await post_form(browser, target, data + b"extra")
    assert posted.is_success, posted.text

    refused = await confirm(client, owner, target["uploadId"])
    assert refused["photo"] is None
    assert [error["code"] for error in refused["userErrors"]] == ["UPLOAD_INVALID"]
    assert keys_in(s3_client, bucket) == []
