"""Face detection through the real upload flow and analysis job: what a photo with people becomes, and who sees it."""

from __future__ import annotations

from skimage import data as samples

from tests.api.helpers import sign_up
from tests.api.images import jpeg_of
from tests.api.test_photos import CONFIRM, put, request_upload, upload

PHOTO = """query($id: ID!) { node(id: $id) { ... on Photo {
  status faceCount needsModelRelease category autoKeywords releases { id } } } }"""


async def photo_as(client, account, photo_id):
    token = account.access_token if account else None
    return (await client.data(PHOTO, {"id": photo_id}, token=token))["node"]


async def test_a_portrait_is_analysed_as_people_and_needs_a_model_release(client, background):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    brand = await sign_up(client, role="BRAND")
    photo = (await upload(client, owner, jpeg_of(samples.astronaut()), title="Astronaut"))["photo"]
    pending = await photo_as(client, owner, photo["id"])
    assert (pending["status"], pending["faceCount"], pending["needsModelRelease"]) == ("PROCESSING", None, False)

    await background.settle()
    analysed = await photo_as(client, owner, photo["id"])
    assert analysed["status"] == "READY" and analysed["faceCount"] >= 1
    assert analysed["needsModelRelease"] is True
    assert analysed["category"] == "PEOPLE" and "people" in analysed["autoKeywords"]
    assert analysed["releases"] == []

    # Brands see that a release is missing, not how many faces there are nor the owner's releases.
    for stranger in (brand, None):
        seen = await photo_as(client, stranger, photo["id"])
        assert (seen["faceCount"], seen["needsModelRelease"], seen["releases"]) == (None, True, [])


async def test_a_photo_without_people_needs_no_release(client, background):
    owner = await sign_up(client)
    photo = (await upload(client, owner, jpeg_of(samples.coffee()), title="Coffee"))["photo"]
    await background.settle()
    analysed = await photo_as(client, owner, photo["id"])
    assert (analysed["status"], analysed["faceCount"], analysed["needsModelRelease"]) == ("READY", 0, False)
    assert analysed["category"] is None and "people" not in analysed["autoKeywords"]


async def test_the_photographers_own_category_is_kept(client, background):
    owner = await sign_up(client)
    portrait = jpeg_of(samples.astronaut())
    target = await request_upload(client, owner, portrait)
    await put(client, target, portrait)
    confirmed = await client.data(
        CONFIRM,
        {"input": {"uploadId": target["uploadId"], "title": "Suit", "category": "FASHION"}},
        token=owner.access_token,
    )
    photo = confirmed["confirmPhotoUpload"]["photo"]
    await background.settle()
    analysed = await photo_as(client, owner, photo["id"])
    assert analysed["faceCount"] >= 1 and "people" in analysed["autoKeywords"]
    assert analysed["category"] == "FASHION"
