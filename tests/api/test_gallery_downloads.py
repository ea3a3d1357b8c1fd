"""Client downloads from galleries through the API: unlock, ask for a download, fetch the streamed zip through the
ASGI app and open it; the policy, the PIN and its throttle, tokens of other galleries, the studio's record of
downloads, and the signed gallery.downloaded webhook."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from PIL import Image
from sqlalchemy import select

from lensgraph.adapters import imaging
from lensgraph.domain.photos import PREVIEW_PX, THUMBNAIL_PX
from lensgraph.persistence.models import GalleryDownload, OutboxEvent, Photo
from lensgraph.schema.core import from_global_id, to_global_id
from tests.api.factories import ready_photos
from tests.api.images import photo_jpeg
from tests.api.test_galleries import ADD, codes, created, mutate, photo_gid, studio
from tests.api.test_gallery_access import HEADER, unlock
from tests.api.test_webhooks import create_endpoint
from tests.api.webhook_receiver import Receiver, standard_webhooks_valid

REQUEST = """mutation($input: RequestGalleryDownloadInput!) { requestGalleryDownload(input: $input) {
  url expiresAt photoCount userErrors { field code message } } }"""
CREATE_SET = """mutation($input: CreateGallerySetInput!) { createGallerySet(input: $input) {
  gallerySet { id } userErrors { code } } }"""
UPDATE = """mutation($input: UpdateGalleryInput!) { updateGallery(input: $input) {
  gallery { downloadPolicy downloadPinSet } userErrors { field code } } }"""
DOWNLOADS = """query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Gallery {
  downloads(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
    edges { node { id clientEmail kind size photoCount sizeBytes downloadedAt set { id } } } } } } }"""
CLIENT_VIEW = "query($slug: String!) { gallery(slug: $slug) { downloadPolicy downloadPinRequired } }"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


class Stored:
    """The files of the photos made for a test, by photo id: original, plain and watermarked previews."""

    def __init__(self) -> None:
        self.original: dict[UUID, bytes] = {}
        self.preview: dict[UUID, bytes] = {}
        self.watermarked: dict[UUID, bytes] = {}


async def photos_with_files(services, owner, titles: list[str], stored: Stored, seed: int = 1) -> list[str]:
    """READY photos whose original and renditions (made by the imaging adapter, as analysis makes them) are stored."""
    made = []
    for index, title in enumerate(titles):
        original = photo_jpeg(1600, 1000, seed=seed * 100 + index)
        renditions = imaging.analyse(
            original, watermark_text="© studio · Lensgraph", thumbnail_px=THUMBNAIL_PX, preview_px=PREVIEW_PX
        ).renditions
        [photo_id] = await ready_photos(
            services,
            owner,
            1,
            title=title,
            size_bytes=len(original),
            original_sha256=hashlib.sha256(original).hexdigest(),
        )
        keys = {
            "original": f"photos/{photo_id}/original.jpg",
            "preview": f"photos/{photo_id}/preview.jpg",
            "watermarked": f"photos/{photo_id}/watermarked.jpg",
        }
        contents = {"original": original, "preview": renditions["preview"], "watermarked": renditions["watermarked"]}
        for name, key in keys.items():
            await services.storage.write(key, contents[name], content_type="image/jpeg")
        async with services.db.unit_of_work() as uow:
            photo = await uow.session.get(Photo, photo_id)
            photo.preview_key, photo.watermarked_key = keys["preview"], keys["watermarked"]
        stored.original[photo_id] = original
        stored.preview[photo_id] = renditions["preview"]
        stored.watermarked[photo_id] = renditions["watermarked"]
        made.append(photo_gid(photo_id))
    return made


async def gallery_with(client, services, owner, stored: Stored, titles: list[str], **fields: Any):
    photos = await photos_with_files(services, owner, titles, stored)
    gallery = await created(client, owner, password="confetti", **fields)
    assert (await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=photos))["userErrors"] == []
    return gallery, photos


async def token_for(client, gallery, email: str = "jane@example.com") -> str:
    unlocked = await unlock(client, gallery["slug"], "confetti", email)
    assert unlocked["userErrors"] == []
    return unlocked["accessToken"]


async def request(client, token: str | None, **values: Any) -> dict[str, Any]:
    headers = {HEADER: token} if token else {}
    return (await client.data(REQUEST, {"input": values}, headers=headers))["requestGalleryDownload"]


async def fetch_zip(client, url: str) -> tuple[Any, zipfile.ZipFile]:
    response = await client.http.get(url)
    assert response.status_code == 200, response.text
    return response, zipfile.ZipFile(io.BytesIO(response.content))


def key_of(gid: str) -> UUID:
    return from_global_id(gid)[1]


async def test_a_whole_full_size_gallery_zips_every_original_in_set_folders(client, services):
    owner, stored = await studio(client), Stored()
    gallery, photos = await gallery_with(
        client,
        services,
        owner,
        stored,
        ["Beach", "Beach", "Vows/rings", "..", "Cake", "cake"],
        downloadPolicy="FULL_SIZE",
    )
    ceremony = (await mutate(client, owner, CREATE_SET, galleryId=gallery["id"], name="Ceremony"))["gallerySet"]
    moved = await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=photos[1:3], setId=ceremony["id"])
    assert moved["userErrors"] == []
    token = await token_for(client, gallery, "Jane@Example.com")

    asked = await request(client, token, slug=gallery["slug"])
    assert asked["userErrors"] == [] and asked["photoCount"] == 6 and asked["expiresAt"]
    response, archive = await fetch_zip(client, asked["url"])

    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith('attachment; filename="Smith wedding.zip"')
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    # Unique, harmless names; the set's photos in its folder, the others at the top.
    assert archive.namelist() == [
        "Beach.jpg",
        "Ceremony/Beach.jpg",
        "Ceremony/Vows rings.jpg",
        "photo.jpg",
        "Cake.jpg",
        "cake (2).jpg",
    ]
    assert archive.testzip() is None
    for name, gid in zip(archive.namelist(), photos, strict=True):
        assert archive.read(name) == stored.original[key_of(gid)], name

    # The studio sees it, once, however often the link is fetched.
    await fetch_zip(client, asked["url"])
    node = (await client.data(DOWNLOADS, {"id": gallery["id"]}, token=owner.access_token))["node"]
    assert node["downloads"]["totalCount"] == 1
    [download] = [edge["node"] for edge in node["downloads"]["edges"]]
    assert download["clientEmail"] == "jane@example.com" and download["kind"] == "GALLERY"
    assert download["size"] == "FULL_SIZE" and download["photoCount"] == 6 and download["set"] is None
    assert download["sizeBytes"] == sum(len(data) for data in stored.original.values())
    async with services.db.session() as session:
        payloads = (
            await session.scalars(select(OutboxEvent.payload).where(OutboxEvent.type == "gallery.downloaded"))
        ).all()
    assert len(payloads) == 1 and payloads[0]["kind"] == "GALLERY" and payloads[0]["photoCount"] == 6

    # The gallery's analytics count it on the day its stream ended.
    today = datetime.now(UTC).date().isoformat()
    analytics = """query($id: ID!, $day: Date!) { node(id: $id) { ... on Gallery {
      analytics(from: $day, to: $day) { downloads days { day downloads } } } } }"""
    figures = await client.data(analytics, {"id": gallery["id"], "day": today}, token=owner.access_token)
    assert figures["node"]["analytics"] == {"downloads": 1, "days": [{"day": today, "downloads": 1}]}


async def test_web_size_gives_the_watermarked_renditions_and_a_set_zips_flat(client, services):
    owner, stored = await studio(client), Stored()
    gallery, photos = await gallery_with(
        client, services, owner, stored, ["One", "Two", "Three"], downloadPolicy="WEB_SIZE", watermark=True
    )
    portraits = (await mutate(client, owner, CREATE_SET, galleryId=gallery["id"], name="Portraits"))["gallerySet"]
    await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=photos[1:], setId=portraits["id"])
    token = await token_for(client, gallery)

    some = await request(client, token, slug=gallery["slug"], photoIds=[photos[2], photos[0]])
    _, archive = await fetch_zip(client, some["url"])
    # The gallery's order, whatever the order asked.
    assert archive.namelist() == ["One.jpg", "Three.jpg"]
    for name, gid in zip(archive.namelist(), [photos[0], photos[2]], strict=True):
        data = archive.read(name)
        assert data == stored.watermarked[key_of(gid)] and data != stored.preview[key_of(gid)]
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            assert image.format == "JPEG" and max(image.size) == PREVIEW_PX

    in_set = await request(client, token, slug=gallery["slug"], setId=portraits["id"])
    _, archive = await fetch_zip(client, in_set["url"])
    assert archive.namelist() == ["Two.jpg", "Three.jpg"]

    # Without the watermark, the plain renditions.
    await mutate(client, owner, UPDATE, id=gallery["id"], watermark=False)
    plain = await request(client, token, slug=gallery["slug"], photoIds=[photos[1]])
    _, archive = await fetch_zip(client, plain["url"])
    assert archive.read("Two.jpg") == stored.preview[key_of(photos[1])]

    node = (await client.data(DOWNLOADS, {"id": gallery["id"], "first": 2}, token=owner.access_token))["node"]
    listed = node["downloads"]
    assert listed["totalCount"] == 3 and listed["pageInfo"]["hasNextPage"] is True
    assert [edge["node"]["kind"] for edge in listed["edges"]] == ["PHOTOS", "SET"]
    rest = await client.data(
        DOWNLOADS, {"id": gallery["id"], "after": listed["pageInfo"]["endCursor"]}, token=owner.access_token
    )
    [oldest] = [edge["node"] for edge in rest["node"]["downloads"]["edges"]]
    assert oldest["kind"] == "PHOTOS" and oldest["photoCount"] == 2 and oldest["size"] == "WEB_SIZE"
    assert listed["edges"][1]["node"]["set"] == {"id": portraits["id"]}


async def test_policy_none_refuses_and_bad_requests_are_user_errors(client, services):
    owner, stored = await studio(client), Stored()
    gallery, photos = await gallery_with(client, services, owner, stored, ["One"])
    token = await token_for(client, gallery)
    assert (await client.data(CLIENT_VIEW, {"slug": gallery["slug"]}))["gallery"] == {
        "downloadPolicy": "NONE",
        "downloadPinRequired": False,
    }

    refused = await request(client, token, slug=gallery["slug"])
    assert codes(refused) == [(["galleryId"], "DOWNLOADS_DISABLED")] and refused["url"] is None

    await mutate(client, owner, UPDATE, id=gallery["id"], downloadPolicy="WEB_SIZE")
    other_photo = (await photos_with_files(services, owner, ["Elsewhere"], Stored()))[0]
    assert codes(await request(client, token, slug=gallery["slug"], photoIds=[other_photo])) == [
        (["photoIds"], "NOT_FOUND")
    ]
    assert codes(
        await request(
            client, token, slug=gallery["slug"], photoIds=photos, setId=to_global_id("GallerySet", UUID(int=1))
        )
    ) == [(["photoIds"], "INVALID_INPUT")]
    assert codes(await request(client, token, slug=gallery["slug"], setId=to_global_id("GallerySet", UUID(int=1)))) == [
        (["setId"], "NOT_FOUND")
    ]
    async with services.db.session() as session:
        assert (await session.scalars(select(GalleryDownload))).all() == []


async def test_a_wrong_or_missing_pin_is_refused_then_throttled(client, services, settings):
    owner, stored = await studio(client), Stored()
    gallery, _ = await gallery_with(
        client, services, owner, stored, ["One"], downloadPolicy="WEB_SIZE", downloadPin="1234"
    )
    other, _ = await gallery_with(
        client, services, owner, stored, ["Two"], downloadPolicy="WEB_SIZE", downloadPin="1234"
    )
    bad_pin = await mutate(client, owner, UPDATE, id=other["id"], downloadPin="12ab")
    assert codes(bad_pin) == [(["downloadPin"], "INVALID_INPUT")]
    assert (await client.data(CLIENT_VIEW, {"slug": gallery["slug"]}))["gallery"]["downloadPinRequired"] is True
    token = await token_for(client, gallery)

    assert codes(await request(client, token, slug=gallery["slug"])) == [(["pin"], "WRONG_PIN")]
    for _ in range(settings.gallery_unlock_failures_allowed - 1):
        assert codes(await request(client, token, slug=gallery["slug"], pin="9999")) == [(["pin"], "WRONG_PIN")]
    # Past the limit even the right PIN waits; another gallery is counted apart.
    assert codes(await request(client, token, slug=gallery["slug"], pin="1234")) == [(["pin"], "RATE_LIMITED")]
    other_token = await token_for(client, other)
    assert (await request(client, other_token, slug=other["slug"], pin="1234"))["userErrors"] == []

    # The studio removes the PIN: no PIN needed any more.
    removed = await mutate(client, owner, UPDATE, id=gallery["id"], removeDownloadPin=True)
    assert removed["gallery"]["downloadPinSet"] is False
    assert (await request(client, token, slug=gallery["slug"]))["userErrors"] == []


async def test_tokens_of_other_galleries_and_forged_links_are_refused(client, services):
    owner, stored = await studio(client), Stored()
    gallery, _ = await gallery_with(client, services, owner, stored, ["One"], downloadPolicy="FULL_SIZE")
    other, _ = await gallery_with(client, services, owner, stored, ["Two"], downloadPolicy="FULL_SIZE")
    other_token = await token_for(client, other)

    foreign = await client.execute(REQUEST, {"input": {"slug": gallery["slug"]}}, headers={HEADER: other_token})
    assert [error["extensions"]["code"] for error in foreign["errors"]] == ["FORBIDDEN"]
    anonymous = await client.execute(REQUEST, {"input": {"slug": gallery["slug"]}})
    assert [error["extensions"]["code"] for error in anonymous["errors"]] == ["UNAUTHENTICATED"]

    url = (await request(client, await token_for(client, gallery), slug=gallery["slug"]))["url"]
    other_url = (await request(client, other_token, slug=other["slug"]))["url"]
    path, _, query = url.partition("?")
    other_query = other_url.partition("?")[2]
    for forged in [f"{path}?{other_query}", f"{path}?token={other_token}", f"{path}?{query}x", path]:
        refused = await client.http.get(forged)
        assert refused.status_code == 403 and refused.headers["x-content-type-options"] == "nosniff"
    # A new password stops links given before it; so does a policy turned to NONE.
    await mutate(client, owner, UPDATE, id=other["id"], downloadPolicy="NONE")
    assert (await client.http.get(other_url)).status_code == 403
    await mutate(client, owner, UPDATE, id=gallery["id"], password="new-password")
    assert (await client.http.get(url)).status_code == 403
    async with services.db.session() as session:
        completed = (await session.scalars(select(GalleryDownload.completed_at))).all()
    assert completed == [None, None]


async def test_downloads_of_many_galleries_cost_the_same_sql(client, services, sql, unmetered):
    owner, stored = await studio(client), Stored()
    query = """{ viewer { galleries(first: 50) { edges { node { downloads(first: 5) {
      totalCount edges { node { clientEmail set { id } } } } } } } } }"""

    async def galleries_with_downloads(count: int) -> None:
        for _ in range(count):
            gallery, _ = await gallery_with(client, services, owner, stored, ["One"], downloadPolicy="FULL_SIZE")
            asked = await request(client, await token_for(client, gallery), slug=gallery["slug"])
            await fetch_zip(client, asked["url"])

    await galleries_with_downloads(2)
    sql.reset()
    await client.data(query, token=owner.access_token)
    few = sql.count
    await galleries_with_downloads(4)
    sql.reset()
    data = await client.data(query, token=owner.access_token)
    assert len(data["viewer"]["galleries"]["edges"]) == 6
    assert sql.count == few


async def test_gallery_downloaded_is_delivered_signed(client, services, background, receiver):
    owner, stored = await studio(client), Stored()
    endpoint = await create_endpoint(client, owner, receiver.url(), events=("gallery.downloaded",))
    gallery, photos = await gallery_with(client, services, owner, stored, ["One", "Two"], downloadPolicy="FULL_SIZE")
    asked = await request(client, await token_for(client, gallery), slug=gallery["slug"], photoIds=photos[:1])
    await fetch_zip(client, asked["url"])
    await background.settle()

    [delivery] = receiver.received
    assert standard_webhooks_valid(endpoint["signingSecret"], delivery, time.time())
    body = json.loads(delivery.body)
    assert body["type"] == "gallery.downloaded"
    data = body["data"]
    assert data["galleryId"] == gallery["id"] and data["clientEmail"] == "jane@example.com"
    assert data["kind"] == "PHOTOS" and data["size"] == "FULL_SIZE" and data["photoCount"] == 1
    assert data["sizeBytes"] == len(stored.original[key_of(photos[0])]) and data["setId"] is None
    node = (await client.data(DOWNLOADS, {"id": gallery["id"]}, token=owner.access_token))["node"]
    assert data["downloadId"] == node["downloads"]["edges"][0]["node"]["id"]


async def test_concurrent_fetches_of_one_link_record_one_download(client, services):
    owner, stored = await studio(client), Stored()
    gallery, _ = await gallery_with(client, services, owner, stored, ["One", "Two"], downloadPolicy="FULL_SIZE")
    asked = await request(client, await token_for(client, gallery), slug=gallery["slug"])

    responses = await asyncio.gather(*(client.http.get(asked["url"]) for _ in range(4)))

    assert {response.status_code for response in responses} == {200}
    async with services.db.session() as session:
        events = (await session.scalars(select(OutboxEvent.id).where(OutboxEvent.type == "gallery.downloaded"))).all()
    assert len(events) == 1


async def test_an_original_changed_in_storage_is_left_out_of_the_zip(client, services):
    owner, stored = await studio(client), Stored()
    gallery, photos = await gallery_with(
        client, services, owner, stored, ["Kept", "Tampered"], downloadPolicy="FULL_SIZE"
    )
    await services.storage.write(f"photos/{key_of(photos[1])}/original.jpg", b"other bytes", content_type="image/jpeg")

    asked = await request(client, await token_for(client, gallery), slug=gallery["slug"])
    _, archive = await fetch_zip(client, asked["url"])

    assert archive.namelist() == ["Kept.jpg"] and archive.read("Kept.jpg") == stored.original[key_of(photos[0])]
    node = (await client.data(DOWNLOADS, {"id": gallery["id"]}, token=owner.access_token))["node"]
    assert node["downloads"]["edges"][0]["node"]["photoCount"] == 1
