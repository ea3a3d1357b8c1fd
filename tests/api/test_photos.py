"""The upload flow and the analysis pipeline through the API, with real JPEG bytes."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from PIL import Image

from lensgraph.domain.accounts import Role
from lensgraph.domain.photos import PhotoStatus, Visibility
from lensgraph.persistence import accounts as account_queries
from tests.api.factories import ready_photos
from tests.api.helpers import sign_in, sign_up
from tests.api.images import photo_jpeg, png_bomb, resized

REQUEST = """mutation($input: RequestPhotoUploadInput!) { requestPhotoUpload(input: $input) {
  uploadId uploadUrl method headers expiresAt userErrors { field code message } } }"""
CONFIRM = """mutation($input: ConfirmPhotoUploadInput!) { confirmPhotoUpload(input: $input) {
  photo { id status title keywords } userErrors { field code message } } }"""
PHOTO = """query($id: ID!) { node(id: $id) { ... on Photo {
  id title status width height orientation colors autoKeywords rights exif location possibleDuplicate
  thumbnailUrl previewUrl originalUrl photographer { username } } } }"""


async def request_upload(client, account, data: bytes, mime="image/jpeg", filename="sunset.jpg"):
    variables = {"input": {"filename": filename, "mimeType": mime, "fileSizeBytes": len(data)}}
    return (await client.data(REQUEST, variables, token=account.access_token))["requestPhotoUpload"]


async def put(client, target, data: bytes):
    return await client.http.request(target["method"], target["uploadUrl"], content=data, headers=target["headers"])


async def upload(client, account, data: bytes, title="Sunset", mime="image/jpeg"):
    target = await request_upload(client, account, data, mime)
    assert target["userErrors"] == [], target
    assert (await put(client, target, data)).status_code == 200
    confirmed = await client.data(
        CONFIRM,
        {"input": {"uploadId": target["uploadId"], "title": title, "keywords": ["Sea", "sea", " dusk "]}},
        token=account.access_token,
    )
    return confirmed["confirmPhotoUpload"]


async def fetch_image(client, url: str) -> Image.Image:
    response = await client.http.get(url)
    assert response.status_code == 200
    return Image.open(io.BytesIO(response.content))


async def test_upload_confirm_analyse_ready(client, background):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    confirmed = await upload(client, owner, photo_jpeg())
    assert confirmed["userErrors"] == []
    photo = confirmed["photo"]
    assert photo["status"] == "PROCESSING" and photo["keywords"] == ["sea", "dusk"]

    await background.settle()
    node = (await client.data(PHOTO, {"id": photo["id"]}, token=owner.access_token))["node"]
    assert node["status"] == "READY"
    assert (node["width"], node["height"], node["orientation"]) == (1600, 1000, "LANDSCAPE")
    assert node["colors"] and all(color.startswith("#") for color in node["colors"])
    assert "landscape" in node["autoKeywords"]
    assert node["rights"] == {"creator": "Ada Lovelace", "copyright": "(c) Ada Lovelace"}
    assert node["exif"]["cameraMake"] == "Canon" and node["possibleDuplicate"] is False
    assert (await fetch_image(client, node["thumbnailUrl"])).size == (256, 160)
    assert (await fetch_image(client, node["previewUrl"])).size == (1280, 800)
    assert (await fetch_image(client, node["originalUrl"])).size == (1600, 1000)
    assert node["photographer"]["username"] == owner.username


async def test_others_see_a_watermarked_preview_and_no_private_fields(client, background):
    owner = await sign_up(client)
    brand = await sign_up(client, role="BRAND")
    photo = (await upload(client, owner, photo_jpeg()))["photo"]
    await background.settle()
    seen = (await client.data(PHOTO, {"id": photo["id"]}, token=brand.access_token))["node"]
    assert seen["exif"] is None and seen["originalUrl"] is None and seen["possibleDuplicate"] is None
    assert seen["location"] is None
    own = (await client.data(PHOTO, {"id": photo["id"]}, token=owner.access_token))["node"]
    watermarked = await fetch_image(client, seen["previewUrl"])
    clean = await fetch_image(client, own["previewUrl"])
    assert watermarked.size == clean.size and watermarked.tobytes() != clean.tobytes()


async def test_a_processing_photo_is_the_owners_only(client):
    owner = await sign_up(client)
    other = await sign_up(client)
    photo = (await upload(client, owner, photo_jpeg()))["photo"]
    assert (await client.data(PHOTO, {"id": photo["id"]}, token=other.access_token))["node"] is None
    assert (await client.data(PHOTO, {"id": photo["id"]}, token=owner.access_token))["node"]["status"] == "PROCESSING"


async def test_near_identical_photo_of_another_user_is_flagged(client, background):
    first = await sign_up(client)
    copier = await sign_up(client)
    original = photo_jpeg(seed=7)
    await upload(client, first, original)
    await background.settle()
    copy = (await upload(client, copier, resized(original, 0.5)))["photo"]
    own_again = (await upload(client, first, photo_jpeg(seed=8)))["photo"]
    await background.settle()
    flagged = (await client.data(PHOTO, {"id": copy["id"]}, token=copier.access_token))["node"]
    assert flagged["possibleDuplicate"] is True
    different = (await client.data(PHOTO, {"id": own_again["id"]}, token=first.access_token))["node"]
    assert different["possibleDuplicate"] is False


async def test_bad_upload_requests(client):
    owner = await sign_up(client)
    brand = await sign_up(client, role="BRAND")
    gif = await request_upload(client, owner, b"GIF89a", mime="image/gif", filename="a.gif")
    assert gif["userErrors"][0]["code"] == "UPLOAD_INVALID" and gif["userErrors"][0]["field"] == ["mimeType"]
    huge = await client.data(
        REQUEST,
        {"input": {"filename": "big.jpg", "mimeType": "image/jpeg", "fileSizeBytes": 60 * 1024 * 1024}},
        token=owner.access_token,
    )
    assert huge["requestPhotoUpload"]["userErrors"][0]["code"] == "QUOTA_EXCEEDED"
    denied = await client.execute(
        REQUEST,
        {"input": {"filename": "a.jpg", "mimeType": "image/jpeg", "fileSizeBytes": 10}},
        token=brand.access_token,
    )
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_put_larger_than_declared_or_with_a_bad_link_is_refused(client):
    owner = await sign_up(client)
    data = photo_jpeg()
    target = await request_upload(client, owner, data)
    assert (await put(client, target, data + b"extra")).status_code == 413

    parts = urlsplit(target["uploadUrl"])
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    tampered = dict(query, sig="0" * 64)
    expired = dict(query, exp="1000")
    for bad in (tampered, expired):
        url = f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(bad)}"
        response = await client.http.put(url, content=data, headers=target["headers"])
        assert response.status_code == 403


async def confirm(client, account, upload_id, title="T"):
    return (await client.data(CONFIRM, {"input": {"uploadId": upload_id, "title": title}}, token=account.access_token))[
        "confirmPhotoUpload"
    ]


async def test_junk_is_refused_at_confirmation_and_removed(client, services):
    owner = await sign_up(client)
    truncated = photo_jpeg()[:5000]
    for data, mime in (
        (b"just some text, not a photo" * 10, "image/jpeg"),
        (truncated, "image/jpeg"),
        (png_bomb(), "image/png"),
    ):
        target = await request_upload(client, owner, data, mime=mime)
        assert (await put(client, target, data)).status_code == 200
        refused = await confirm(client, owner, target["uploadId"])
        assert refused["photo"] is None and refused["userErrors"][0]["code"] == "UPLOAD_INVALID", refused
        # Stored junk is deleted: confirming again finds nothing.
        again = await confirm(client, owner, target["uploadId"])
        assert again["userErrors"][0]["code"] == "UPLOAD_INVALID"
        assert "Nothing was uploaded" in again["userErrors"][0]["message"]
    listed = await client.data("{ viewer { photos { totalCount } } }", token=owner.access_token)
    assert listed["viewer"]["photos"]["totalCount"] == 0


async def test_png_declared_as_jpeg_is_refused(client):
    owner = await sign_up(client)
    buffer = io.BytesIO()
    Image.new("RGB", (100, 100), "red").save(buffer, "PNG")
    target = await request_upload(client, owner, buffer.getvalue(), mime="image/jpeg")
    await put(client, target, buffer.getvalue())
    refused = await confirm(client, owner, target["uploadId"])
    assert "not JPEG as declared" in refused["userErrors"][0]["message"]


async def test_confirmation_rules(client):
    owner = await sign_up(client)
    other = await sign_up(client)
    data = photo_jpeg()
    target = await request_upload(client, owner, data)
    early = await confirm(client, owner, target["uploadId"])
    assert early["userErrors"][0]["code"] == "UPLOAD_INVALID"
    await put(client, target, data)
    theirs = await confirm(client, other, target["uploadId"])
    assert theirs["userErrors"] == [{"field": ["uploadId"], "code": "NOT_FOUND", "message": "No such upload."}]
    blank = await confirm(client, owner, target["uploadId"], title="  ")
    assert blank["userErrors"][0]["field"] == ["title"]
    assert (await confirm(client, owner, target["uploadId"]))["userErrors"] == []
    twice = await confirm(client, owner, target["uploadId"])
    assert twice["userErrors"][0]["code"] == "ALREADY_EXISTS"


async def test_update_and_delete(client, services, background):
    owner = await sign_up(client)
    other = await sign_up(client)
    photo = (await upload(client, owner, photo_jpeg()))["photo"]
    await background.settle()
    update = """mutation($input: UpdatePhotoInput!) { updatePhoto(input: $input) {
      photo { title keywords } userErrors { field code } } }"""
    theirs = await client.data(update, {"input": {"id": photo["id"], "title": "Mine"}}, token=other.access_token)
    assert theirs["updatePhoto"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]
    changed = await client.data(
        update, {"input": {"id": photo["id"], "title": "Dusk", "keywords": ["Gold"]}}, token=owner.access_token
    )
    assert changed["updatePhoto"]["photo"] == {"title": "Dusk", "keywords": ["gold"]}

    node = (await client.data(PHOTO, {"id": photo["id"]}, token=owner.access_token))["node"]
    delete = "mutation($id: ID!) { deletePhoto(input: {id: $id}) { ok userErrors { field code } } }"
    assert (await client.data(delete, {"id": photo["id"]}, token=other.access_token))["deletePhoto"]["ok"] is False
    assert (await client.data(delete, {"id": photo["id"]}, token=owner.access_token))["deletePhoto"]["ok"] is True
    assert (await client.http.get(node["thumbnailUrl"])).status_code == 404
    assert (await client.http.get(node["originalUrl"])).status_code == 404


async def test_listing_photos_with_photographers_stays_flat_in_sql(client, services, sql):
    owner = await sign_up(client)
    query = "{ viewer { photos(first: 50) { totalCount edges { node { title photographer { username } } } } } }"

    async def statements_for(count: int) -> int:
        while (await client.data("{ viewer { photos { totalCount } } }", token=owner.access_token))["viewer"]["photos"][
            "totalCount"
        ] < count:
            await upload(client, owner, photo_jpeg(width=64, height=48))
        sql.reset()
        await client.data(query, token=owner.access_token)
        return sql.count

    assert await statements_for(2) == await statements_for(12)


async def test_admins_review_possible_duplicates(client, services, background):
    first = await sign_up(client)
    copier = await sign_up(client)
    original = photo_jpeg(seed=11)
    original_id = (await upload(client, first, original))["photo"]["id"]
    await background.settle()
    copy_id = (await upload(client, copier, resized(original, 0.5)))["photo"]["id"]
    await background.settle()
    admin = await sign_up(client, role="BRAND")
    async with services.db.unit_of_work() as uow:
        assert await account_queries.grant_role(uow.session, admin.email, Role.ADMIN)
    admin.access_token = await sign_in(client, admin.email)

    review = """{ possibleDuplicatePhotos { totalCount edges { node { id possibleDuplicate
      possibleDuplicateOf { id photographer { username } } } } } }"""
    listed = (await client.data(review, token=admin.access_token))["possibleDuplicatePhotos"]
    assert listed["totalCount"] == 1
    assert listed["edges"][0]["node"] == {
        "id": copy_id,
        "possibleDuplicate": True,
        "possibleDuplicateOf": {"id": original_id, "photographer": {"username": first.username}},
    }
    refused = await client.execute(review, token=copier.access_token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    owner_view = await client.data(
        "query($id: ID!) { node(id: $id) { ... on Photo { possibleDuplicate possibleDuplicateOf { id } } } }",
        {"id": copy_id},
        token=copier.access_token,
    )
    assert owner_view["node"] == {"possibleDuplicate": True, "possibleDuplicateOf": None}


async def test_viewer_photos_filter_order_and_status(client, services):
    owner = await sign_up(client)
    stranger = await sign_up(client)
    await ready_photos(services, owner, 1, title="Old pier", popularity=9, keywords=["pier"])
    await ready_photos(
        services, owner, 1, title="New pier", popularity=1, keywords=["pier"], visibility=Visibility.PRIVATE
    )
    await ready_photos(services, owner, 1, title="Queued", status=PhotoStatus.PROCESSING)
    await ready_photos(services, stranger, 1, title="Their pier", keywords=["pier"])
    query = """query($filter: PhotoFilter, $order: PhotoOrder!, $status: PhotoStatus) {
      viewer { photos(filter: $filter, orderBy: $order, status: $status) { edges { node { title } } } } }"""

    async def titles(**variables: Any) -> list[str]:
        data = await client.data(query, {"order": "NEWEST", **variables}, token=owner.access_token)
        return [edge["node"]["title"] for edge in data["viewer"]["photos"]["edges"]]

    assert await titles() == ["Queued", "New pier", "Old pier"]
    assert await titles(filter={"keyword": "pier"}) == ["New pier", "Old pier"]
    assert await titles(filter={"keyword": "pier"}, order="POPULAR") == ["Old pier", "New pier"]
    assert await titles(status="PROCESSING") == ["Queued"]
    refused = await client.execute(query, {"order": "NEWEST", "filter": {"color": "plaid"}}, token=owner.access_token)
    assert refused["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
