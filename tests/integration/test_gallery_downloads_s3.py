"""Gallery downloads with ``s3://`` storage (moto's S3 server on 127.0.0.1): the zip is streamed from the bucket,
member by member in chunks, and holds the stored files byte for byte."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from lensgraph.config import Settings
from tests.api.test_galleries import studio
from tests.api.test_gallery_downloads import Stored, fetch_zip, gallery_with, key_of, request, token_for


@pytest.fixture
def settings(settings: Settings, moto_url: str, s3_client: Any) -> Settings:
    bucket = f"galleries-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=bucket)
    return settings.model_copy(update={"storage": f"s3://{bucket}/lg", "s3_endpoint": moto_url})


async def test_a_gallery_zips_from_the_bucket(client, services):
    owner, stored = await studio(client), Stored()
    titles = ["Arrival", "Vows", "Dance"]
    gallery, photos = await gallery_with(client, services, owner, stored, titles, downloadPolicy="FULL_SIZE")
    token = await token_for(client, gallery)

    _, archive = await fetch_zip(client, (await request(client, token, slug=gallery["slug"]))["url"])

    assert archive.namelist() == ["Arrival.jpg", "Vows.jpg", "Dance.jpg"]
    for name, gid in zip(archive.namelist(), photos, strict=True):
        assert archive.read(name) == stored.original[key_of(gid)]


async def test_web_size_zips_the_watermarked_renditions_from_the_bucket(client, services):
    owner, stored = await studio(client), Stored()
    gallery, photos = await gallery_with(
        client, services, owner, stored, ["Arrival", "Vows"], downloadPolicy="WEB_SIZE", watermark=True
    )
    token = await token_for(client, gallery)

    _, archive = await fetch_zip(client, (await request(client, token, slug=gallery["slug"]))["url"])

    assert [archive.read(name) for name in archive.namelist()] == [stored.watermarked[key_of(gid)] for gid in photos]
