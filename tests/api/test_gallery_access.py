"""Client access to galleries through the API: the locked view, unlocking, the access token's scope, throttled wrong
passwords, expiry (refusal and the sweep's event), daily views, watermarked renditions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from lensgraph.domain.photos import PhotoStatus
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Gallery, GalleryViewDay, OutboxEvent
from lensgraph.schema.core import from_global_id
from tests.api.factories import ready_photos
from tests.api.test_galleries import ADD, ARCHIVE, created, mutate, photo_gid, studio

UNLOCK = """mutation($input: UnlockGalleryInput!) { unlockGallery(input: $input) {
  accessToken expiresAt gallery { title protected } userErrors { field code message } } }"""
OPEN = """query($slug: String!) { gallery(slug: $slug) {
  title slug protected prompt expired accentColor cover { id previewUrl }
  photos { totalCount edges { node { id title previewUrl thumbnailUrl } } } } }"""
OWNER_VIEW = "query($id: ID!) { node(id: $id) { ... on Gallery { expired photoCount } } }"
HEADER = "X-Gallery-Token"
REOPEN = """mutation($input: UpdateGalleryInput!) { updateGallery(input: $input) {
  gallery { expired } userErrors { code } } }"""


def gallery_key(gallery: dict[str, Any]) -> str:
    """The key an event's stored payload holds (outlets show it as the global ID)."""
    return str(from_global_id(gallery["id"])[1])


async def protected_gallery(client, services, **fields: Any) -> tuple[Any, dict[str, Any], list[str]]:
    """A studio's protected, watermarked gallery with two READY photos and one still processing."""
    owner = await studio(client)
    ready = await ready_photos(
        services, owner, 2, preview_key="renditions/plain.jpg", watermarked_key="renditions/watermarked.jpg"
    )
    processing = await ready_photos(services, owner, 1, status=PhotoStatus.PROCESSING)
    photos = [photo_gid(key) for key in [*ready, *processing]]
    gallery = await created(
        client, owner, title="Smith wedding", password="confetti", watermark=True, coverPhotoId=photos[0], **fields
    )
    added = await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=photos)
    assert added["userErrors"] == []
    return owner, gallery, photos


async def unlock(client, slug: str, password: str | None, email: str = "jane@example.com") -> dict[str, Any]:
    data = await client.data(UNLOCK, {"input": {"slug": slug, "password": password, "email": email}})
    return data["unlockGallery"]


async def viewed_events(services) -> list[dict[str, Any]]:
    query = select(OutboxEvent.payload).where(OutboxEvent.type == "gallery.viewed").order_by(OutboxEvent.created_at)
    async with services.db.session() as session:
        return list((await session.scalars(query)).all())


async def test_a_protected_gallery_shows_title_cover_and_prompt_until_unlocked(client, services):
    _, gallery, photos = await protected_gallery(client, services, accentColor="#112233")
    locked = (await client.data(OPEN, {"slug": gallery["slug"]}))["gallery"]
    assert locked["title"] == "Smith wedding" and locked["protected"] is True and locked["expired"] is False
    assert locked["prompt"] and locked["accentColor"] == "#112233"
    assert locked["cover"]["id"] == photos[0] and "watermarked" in locked["cover"]["previewUrl"]
    assert locked["photos"] is None

    unlocked = await unlock(client, gallery["slug"], "confetti", "Jane@Example.com")
    assert unlocked["userErrors"] == [] and unlocked["gallery"] == {"title": "Smith wedding", "protected": True}
    token = unlocked["accessToken"]
    opened = (await client.data(OPEN, {"slug": gallery["slug"]}, headers={HEADER: token}))["gallery"]
    # The client sees the READY photos in the studio's order, watermarked; the processing one stays hidden.
    assert [edge["node"]["id"] for edge in opened["photos"]["edges"]] == photos[:2]
    assert opened["photos"]["totalCount"] == 2
    assert all("watermarked" in edge["node"]["previewUrl"] for edge in opened["photos"]["edges"])
    assert (await client.data('{ gallery(slug: "no-such-gallery") { title } }'))["gallery"] is None


async def test_without_watermark_clients_get_the_plain_preview(client, services):
    owner, gallery, _ = await protected_gallery(client, services)
    await mutate(
        client,
        owner,
        "mutation($input: UpdateGalleryInput!) { updateGallery(input: $input) { gallery { id } } }",
        id=gallery["id"],
        watermark=False,
    )
    token = (await unlock(client, gallery["slug"], "confetti"))["accessToken"]
    opened = (await client.data(OPEN, {"slug": gallery["slug"]}, headers={HEADER: token}))["gallery"]
    assert {("plain" in edge["node"]["previewUrl"]) for edge in opened["photos"]["edges"]} == {True}


async def test_wrong_passwords_are_counted_then_throttled_per_gallery_and_address(client, services, settings):
    _, gallery, _ = await protected_gallery(client, services)
    _, other, _ = await protected_gallery(client, services)
    allowed = settings.gallery_unlock_failures_allowed
    for _ in range(allowed):
        wrong = await unlock(client, gallery["slug"], "guess")
        assert [(error["field"], error["code"]) for error in wrong["userErrors"]] == [(["password"], "UNAUTHENTICATED")]
        assert wrong["accessToken"] is None
    # Past the limit even the right password waits.
    throttled = await unlock(client, gallery["slug"], "confetti")
    assert [error["code"] for error in throttled["userErrors"]] == ["RATE_LIMITED"] and throttled["accessToken"] is None
    # Another gallery is counted apart.
    assert (await unlock(client, other["slug"], "confetti"))["userErrors"] == []
    missing = await unlock(client, gallery["slug"], None)
    assert [error["code"] for error in missing["userErrors"]] == ["RATE_LIMITED"]
    bad_email = await unlock(client, other["slug"], "confetti", "not-an-email")
    assert [(error["field"], error["code"]) for error in bad_email["userErrors"]] == [
        (["clientEmail"], "INVALID_INPUT")
    ]


async def test_a_token_opens_its_own_gallery_only(client, services):
    _, gallery, _ = await protected_gallery(client, services)
    _, other, _ = await protected_gallery(client, services)
    token = (await unlock(client, gallery["slug"], "confetti"))["accessToken"]
    refused = await client.execute(OPEN, {"slug": other["slug"]}, headers={HEADER: token})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert refused["data"]["gallery"]["photos"] is None
    forged = await client.execute(OPEN, {"slug": gallery["slug"]}, headers={HEADER: token[:-4] + "AAAA"})
    assert forged["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # An account's access token is no gallery token, and a gallery token signs no one in.
    owner_token = (await studio(client)).access_token
    assert (await client.execute(OPEN, {"slug": gallery["slug"]}, headers={HEADER: owner_token}))["errors"]
    as_account = await client.post("{ viewer { user { id } } }", token=token)
    assert as_account.status_code == 401
    assert as_account.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_archived_galleries_are_closed_to_clients(client, services):
    owner, gallery, _ = await protected_gallery(client, services)
    await mutate(client, owner, ARCHIVE, id=gallery["id"])
    assert (await client.data(OPEN, {"slug": gallery["slug"]}))["gallery"] is None
    refused = await unlock(client, gallery["slug"], "confetti")
    assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [(["slug"], "NOT_FOUND")]


async def test_an_open_gallery_shows_its_photos_to_anyone_with_the_link(client, services):
    owner = await studio(client)
    [photo] = [photo_gid(key) for key in await ready_photos(services, owner, 1)]
    gallery = await created(client, owner, title="Open day")
    await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=[photo])
    opened = (await client.data(OPEN, {"slug": gallery["slug"]}))["gallery"]
    assert opened["protected"] is False and opened["prompt"] is None
    assert [edge["node"]["id"] for edge in opened["photos"]["edges"]] == [photo]
    assert [event["galleryId"] for event in await viewed_events(services)] == [gallery_key(gallery)]


async def test_a_visitor_counts_as_one_view_a_day(client, services):
    _, gallery, _ = await protected_gallery(client, services)
    jane = (await unlock(client, gallery["slug"], "confetti", "jane@example.com"))["accessToken"]
    john = (await unlock(client, gallery["slug"], "confetti", "john@example.com"))["accessToken"]
    for token in [jane, jane, john, jane]:
        await client.data(OPEN, {"slug": gallery["slug"]}, headers={HEADER: token})
    assert len(await viewed_events(services)) == 2
    # Jane's view was yesterday: today's is another one.
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(
            update(GalleryViewDay)
            .where(GalleryViewDay.visitor == "jane@example.com")
            .values(day=utcnow().date() - timedelta(days=1))
        )
    await client.data(OPEN, {"slug": gallery["slug"]}, headers={HEADER: jane})
    await client.data(OPEN, {"slug": gallery["slug"]}, headers={HEADER: jane})
    assert len(await viewed_events(services)) == 3


async def test_an_expired_gallery_refuses_clients_and_the_sweep_announces_it_once(client, services, background):
    owner, gallery, _ = await protected_gallery(client, services, expiresAt="2031-01-01T00:00:00Z")
    token = (await unlock(client, gallery["slug"], "confetti"))["accessToken"]
    background.send("galleries.expire")
    await background.settle()
    assert await expired_events(services) == []

    # Time moves on: the gallery's expiry is now behind us.
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(update(Gallery).values(expires_at=utcnow() - timedelta(minutes=1)))

    refused = await unlock(client, gallery["slug"], "confetti")
    assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [(["slug"], "GALLERY_EXPIRED")]
    reading = await client.execute(OPEN, {"slug": gallery["slug"]}, headers={HEADER: token})
    assert reading["errors"][0]["extensions"]["code"] == "GALLERY_EXPIRED"
    assert reading["data"]["gallery"]["expired"] is True and reading["data"]["gallery"]["photos"] is None

    background.send("galleries.expire")
    background.send("galleries.expire")
    await background.settle()
    assert await expired_events(services) == [gallery_key(gallery)]
    owner_view = await client.data(OWNER_VIEW, {"id": gallery["id"]}, token=owner.access_token)
    assert owner_view["node"] == {"expired": True, "photoCount": 3}

    # A new expiry in the future opens it again.
    reopened = await mutate(
        client,
        owner,
        REOPEN,
        id=gallery["id"],
        expiresAt=(utcnow() + timedelta(days=7)).isoformat(),
    )
    assert reopened == {"gallery": {"expired": False}, "userErrors": []}
    assert (await unlock(client, gallery["slug"], "confetti"))["userErrors"] == []


async def expired_events(services) -> list[str]:
    query = select(OutboxEvent.payload).where(OutboxEvent.type == "gallery.expired")
    async with services.db.session() as session:
        return [payload["galleryId"] for payload in (await session.scalars(query)).all()]


async def test_changing_the_password_shuts_out_tokens_issued_under_the_old_one(client, services):
    owner, gallery, _ = await protected_gallery(client, services)
    old = (await unlock(client, gallery["slug"], "confetti"))["accessToken"]
    changed = await mutate(client, owner, REOPEN, id=gallery["id"], password="streamers")
    assert changed["userErrors"] == []
    refused = await client.execute(OPEN, {"slug": gallery["slug"]}, headers={HEADER: old})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await unlock(client, gallery["slug"], "confetti"))["userErrors"][0]["code"] == "UNAUTHENTICATED"
    new = (await unlock(client, gallery["slug"], "streamers"))["accessToken"]
    opened = await client.data(OPEN, {"slug": gallery["slug"]}, headers={HEADER: new})
    assert opened["gallery"]["photos"]["totalCount"] == 2
