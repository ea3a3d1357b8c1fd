"""Branding on galleries: the studio's logo, the gallery's accent colour, and its own watermark (its text or
the logo) stamped on its clients' previews by the galleries.watermark job."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from sqlalchemy import select

from lensgraph.domain import galleries as rules
from lensgraph.persistence.models import GalleryPhoto
from lensgraph.schema.core import from_global_id
from tests.api.factories import ready_photos
from tests.api.images import photo_jpeg
from tests.api.test_galleries import ADD, REMOVE, UPDATE, created, mutate, photo_gid, studio
from tests.api.test_photos import fetch_image, upload

SET_LOGO = """mutation($input: SetStudioLogoInput!) { setStudioLogo(input: $input) {
  logo { id } userErrors { field code message } } }"""
OPEN = """query($slug: String!) { gallery(slug: $slug) { branding { accentColor logoUrl watermarkKind }
  photos { edges { node { id previewUrl } } } } }"""
OWNER_PREVIEW = "query($id: ID!) { node(id: $id) { ... on Photo { previewUrl } } }"


def logo_png() -> bytes:
    """A red ring on a transparent background: only the ring may show on a stamped preview."""
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((10, 10, 190, 90), outline=(220, 20, 20, 255), width=14)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


async def ready_upload(client, background, owner, data: bytes, mime: str = "image/jpeg") -> str:
    confirmed = await upload(client, owner, data, mime=mime)
    assert confirmed["userErrors"] == [], confirmed
    await background.settle()
    return confirmed["photo"]["id"]


def stored_key(url: str) -> str:
    """The object a signed URL serves (the signature and expiry around it change from one answer to the next)."""
    return next(part for part in url.replace("?", "&").split("&") if "watermarked" in part)


async def previews(client, slug: str) -> tuple[dict, list[str]]:
    opened = (await client.data(OPEN, {"slug": slug}))["gallery"]
    return opened["branding"], [edge["node"]["previewUrl"] for edge in opened["photos"]["edges"]]


async def test_a_gallery_stamps_its_own_text_then_the_studio_logo(client, background):
    owner = await studio(client)
    logo = await ready_upload(client, background, owner, logo_png(), mime="image/png")
    photo = await ready_upload(client, background, owner, photo_jpeg(width=800, height=500))
    chosen = await mutate(client, owner, SET_LOGO, photoId=logo)
    assert chosen == {"logo": {"id": logo}, "userErrors": []}

    gallery = await created(client, owner, watermark=True, watermarkText="Smith & Co", accentColor="#aa3300")
    assert (await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=[photo]))["userErrors"] == []
    await background.settle()
    branding, [text_url] = await previews(client, gallery["slug"])
    assert branding["accentColor"] == "#AA3300" and branding["watermarkKind"] == "TEXT"
    served_logo = await fetch_image(client, branding["logoUrl"])
    assert served_logo.format == "PNG" and served_logo.mode == "RGBA"
    assert f"galleries/{gallery['slug']}" not in text_url and "/galleries/" in text_url
    text_stamped = await fetch_image(client, text_url)

    changed = await mutate(client, owner, UPDATE, id=gallery["id"], watermarkKind="LOGO")
    assert changed["userErrors"] == []
    await background.settle()
    branding, [logo_url] = await previews(client, gallery["slug"])
    assert branding["watermarkKind"] == "LOGO" and stored_key(logo_url) != stored_key(text_url)
    logo_stamped = await fetch_image(client, logo_url)
    assert logo_stamped.format == "JPEG" and logo_stamped.size == text_stamped.size == (800, 500)
    assert logo_stamped.tobytes() != text_stamped.tobytes()
    # The ring is stamped in the middle: reddish there, and not where the logo is transparent.
    red, green, _ = logo_stamped.convert("RGB").getpixel((400, 250 - 40 + 5))
    plain = await fetch_image(
        client, (await client.data(OWNER_PREVIEW, {"id": photo}, token=owner.access_token))["node"]["previewUrl"]
    )
    plain_red, plain_green, _ = plain.convert("RGB").getpixel((400, 250 - 40 + 5))
    assert red - green > plain_red - plain_green + 20

    # Without a logo the gallery falls back to its text.
    assert (await mutate(client, owner, SET_LOGO, photoId=None)) == {"logo": None, "userErrors": []}
    await background.settle()
    branding, [fallback_url] = await previews(client, gallery["slug"])
    assert branding["logoUrl"] is None and stored_key(fallback_url) == stored_key(text_url)
    # The preview stamped with the logo is shown no more, and its file is gone.
    assert (await client.http.get(logo_url)).status_code == 404
    # Taken out of the gallery, the item's stamped preview goes with it.
    removed = await mutate(client, owner, REMOVE, galleryId=gallery["id"], photoId=photo)
    assert removed["userErrors"] == []
    assert (await client.http.get(fallback_url)).status_code == 404


async def test_the_logo_is_one_of_the_studios_own_ready_photos(client, background):
    owner, other = await studio(client), await studio(client)
    theirs = await ready_upload(client, background, other, logo_png(), mime="image/png")
    refused = await mutate(client, owner, SET_LOGO, photoId=theirs)
    assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [(["photoId"], "NOT_FOUND")]
    processing = (await upload(client, owner, logo_png(), mime="image/png"))["photo"]["id"]
    waiting = await mutate(client, owner, SET_LOGO, photoId=processing)
    assert [error["code"] for error in waiting["userErrors"]] == ["INVALID_INPUT"]
    brand_try = await client.execute(SET_LOGO, {"input": {"photoId": None}})
    assert brand_try["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def stamped_by_hand(services, gallery: dict, text: str) -> None:
    """What the galleries.watermark job records, written by hand (no worker runs in these tests)."""
    gallery_id = from_global_id(gallery["id"])[1]
    async with services.db.unit_of_work() as uow:
        places = (await uow.session.scalars(select(GalleryPhoto).where(GalleryPhoto.gallery_id == gallery_id))).all()
        for place in places:
            place.watermarked_key = rules.watermark_key(gallery_id, place.photo_id, text, None)


async def test_a_changed_watermark_shows_the_generic_one_until_stamped_again(client, services):
    owner = await studio(client)
    [photo] = await ready_photos(services, owner, 1, watermarked_key="renditions/generic-watermarked.jpg")
    gallery = await created(client, owner, watermark=True, watermarkText="Old")
    await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=[photo_gid(photo)])
    await stamped_by_hand(services, gallery, "Old")
    _, [own] = await previews(client, gallery["slug"])
    assert f"galleries/{from_global_id(gallery['id'])[1]}/" in own
    # The stored preview names the old text: from the change on, clients see the generic one until re-stamped.
    await mutate(client, owner, UPDATE, id=gallery["id"], watermarkText="New")
    _, [generic] = await previews(client, gallery["slug"])
    assert "generic-watermarked" in generic
    await stamped_by_hand(services, gallery, "New")
    _, [restamped] = await previews(client, gallery["slug"])
    assert f"galleries/{from_global_id(gallery['id'])[1]}/" in restamped and stored_key(restamped) != stored_key(own)


CLIENT_VIEW = """query($slug: String!) { gallery(slug: $slug) { branding { logoUrl }
  photos(first: 50) { edges { node { id kind previewUrl posterUrl videoUrl } } } } }"""


async def test_a_client_page_of_watermarked_items_costs_the_same_sql_at_5_and_at_30_items(client, services, sql):
    owner = await studio(client)
    gallery = await created(client, owner, watermark=True)

    async def statements_with(count: int) -> int:
        photos = await ready_photos(services, owner, count, watermarked_key="renditions/w.jpg")
        await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=[photo_gid(key) for key in photos])
        await stamped_by_hand(services, gallery, f"© {owner.username}")
        # The day's first visit also records the visitor (gallery.viewed): counted once, out of the comparison.
        await client.data(CLIENT_VIEW, {"slug": gallery["slug"]})
        sql.reset()
        opened = (await client.data(CLIENT_VIEW, {"slug": gallery["slug"]}))["gallery"]
        assert all("/galleries/" in edge["node"]["previewUrl"] for edge in opened["photos"]["edges"])
        return sql.count

    few = await statements_with(5)
    assert await statements_with(25) == few
