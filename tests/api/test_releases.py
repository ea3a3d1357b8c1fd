"""Model and property releases through the API: the document upload, submitting, linking, deleting, who sees what."""

from __future__ import annotations

import io
from datetime import date, timedelta
from uuid import uuid4

from PIL import Image

from lensgraph.domain.photos import ReleaseKind
from lensgraph.persistence.models import Release, ReleasePhoto
from lensgraph.schema.core import to_global_id
from tests.api.factories import ready_photos, user_key
from tests.api.helpers import sign_up
from tests.api.images import photo_jpeg
from tests.api.test_photos import CONFIRM, put
from tests.api.test_photos import request_upload as request_photo_upload

REQUEST = """mutation($input: RequestReleaseUploadInput!) { requestReleaseUpload(input: $input) {
  uploadId uploadUrl method headers expiresAt userErrors { field code message } } }"""
RELEASE = "id kind subjectName details signedOn createdAt documentUrl photos { id }"
ERRORS = "userErrors { field code message }"
SUBMIT_MODEL = f"""mutation($input: SubmitModelReleaseInput!) {{
  submitModelRelease(input: $input) {{ release {{ {RELEASE} }} {ERRORS} }} }}"""
SUBMIT_PROPERTY = f"""mutation($input: SubmitPropertyReleaseInput!) {{
  submitPropertyRelease(input: $input) {{ release {{ {RELEASE} }} {ERRORS} }} }}"""
LINK = f"""mutation($input: LinkReleaseToPhotosInput!) {{
  linkReleaseToPhotos(input: $input) {{ release {{ {RELEASE} }} {ERRORS} }} }}"""
DELETE = f"mutation($id: ID!) {{ deleteRelease(input: {{id: $id}}) {{ ok {ERRORS} }} }}"
PHOTO = """query($id: ID!) { node(id: $id) { ... on Photo {
  faceCount needsModelRelease releases { id kind subjectName } } } }"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Release {{ {RELEASE} }} }} }}"
COUNTS = "{ viewer { modelReleases { totalCount } propertyReleases { totalCount } } }"
SIGNED_ON = "2024-05-01"


def signed_pdf() -> bytes:
    """A small, complete PDF: header, one empty page, cross-reference table and trailer."""
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n"
        b"xref\n0 4\n0000000000 65535 f \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
    )


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), "white").save(buffer, "PNG")
    return buffer.getvalue()


def photo_ids_of(keys) -> list[str]:
    return [to_global_id("Photo", key) for key in keys]


async def request_document(client, account, data: bytes, mime="application/pdf", filename="release.pdf"):
    variables = {"input": {"filename": filename, "mimeType": mime, "fileSizeBytes": len(data)}}
    return (await client.data(REQUEST, variables, token=account.access_token))["requestReleaseUpload"]


async def sent_document(client, account, data: bytes | None = None, mime="application/pdf") -> str:
    """Requests a release upload and sends the bytes; answers the upload's ID."""
    data = signed_pdf() if data is None else data
    target = await request_document(client, account, data, mime)
    assert target["userErrors"] == [], target
    assert (await put(client, target, data)).status_code == 200
    return target["uploadId"]


async def submit_model(client, account, upload_id, photo_ids, **overrides):
    values = {"uploadId": upload_id, "modelName": "Ana Lima", "signedOn": SIGNED_ON, "photoIds": photo_ids}
    answer = await client.data(SUBMIT_MODEL, {"input": values | overrides}, token=account.access_token)
    return answer["submitModelRelease"]


async def photo_as(client, account, photo_id):
    token = account.access_token if account else None
    return (await client.data(PHOTO, {"id": photo_id}, token=token))["node"]


async def counts(client, account) -> tuple[int, int]:
    viewer = (await client.data(COUNTS, token=account.access_token))["viewer"]
    return viewer["modelReleases"]["totalCount"], viewer["propertyReleases"]["totalCount"]


async def test_a_model_release_covers_the_photos_it_names(client, services):
    owner = await sign_up(client)
    brand = await sign_up(client, role="BRAND")
    portrait, group, empty = photo_ids_of(await ready_photos(services, owner, 3, face_count=1))
    assert (await photo_as(client, brand, portrait))["needsModelRelease"] is True

    upload_id = await sent_document(client, owner)
    submitted = await submit_model(
        client, owner, upload_id, [portrait, group, portrait], modelName="  Ana   Lima ", details="ana@example.com"
    )
    assert submitted["userErrors"] == []
    release = submitted["release"]
    assert (release["kind"], release["subjectName"], release["details"], release["signedOn"]) == (
        "MODEL",
        "Ana Lima",
        "ana@example.com",
        SIGNED_ON,
    )
    assert {photo["id"] for photo in release["photos"]} == {portrait, group}
    document = await client.http.get(release["documentUrl"])
    assert document.status_code == 200 and document.content == signed_pdf()

    own = await photo_as(client, owner, portrait)
    assert own["needsModelRelease"] is False
    assert own["releases"] == [{"id": release["id"], "kind": "MODEL", "subjectName": "Ana Lima"}]
    assert (await photo_as(client, owner, empty))["needsModelRelease"] is True
    seen = await photo_as(client, brand, portrait)
    assert (seen["needsModelRelease"], seen["releases"]) == (False, [])
    assert await counts(client, owner) == (1, 0)
    assert (await client.data(NODE, {"id": release["id"]}, token=owner.access_token))["node"]["id"] == release["id"]


async def test_a_property_release_does_not_stand_in_for_a_model_release(client, services):
    owner = await sign_up(client)
    (photo,) = photo_ids_of(await ready_photos(services, owner, 1, face_count=2))
    scan = photo_jpeg(width=400, height=560)
    upload_id = await sent_document(client, owner, scan, mime="image/jpeg")
    variables = {
        "input": {
            "uploadId": upload_id,
            "propertyName": "Casa Azul",
            "signedOn": SIGNED_ON,
            "details": "Rua Londres 247, Coyoacán",
            "photoIds": [photo],
        }
    }
    submitted = (await client.data(SUBMIT_PROPERTY, variables, token=owner.access_token))["submitPropertyRelease"]
    assert submitted["userErrors"] == [] and submitted["release"]["kind"] == "PROPERTY"
    assert submitted["release"]["subjectName"] == "Casa Azul"
    assert (await client.http.get(submitted["release"]["documentUrl"])).content == scan
    assert (await photo_as(client, owner, photo))["needsModelRelease"] is True
    assert await counts(client, owner) == (0, 1)


async def test_property_release_mistakes_are_reported_on_its_own_fields(client, services):
    owner = await sign_up(client)
    other = await sign_up(client)
    (photo,) = photo_ids_of(await ready_photos(services, owner, 1))
    (theirs,) = photo_ids_of(await ready_photos(services, other, 1))
    upload_id = await sent_document(client, owner)

    async def submit(**overrides):
        values = {"uploadId": upload_id, "propertyName": "Casa Azul", "signedOn": SIGNED_ON, "photoIds": [photo]}
        answer = await client.data(SUBMIT_PROPERTY, {"input": values | overrides}, token=owner.access_token)
        return answer["submitPropertyRelease"]

    blank = await submit(propertyName="")
    assert (blank["userErrors"][0]["field"], blank["userErrors"][0]["code"]) == (["propertyName"], "INVALID_INPUT")
    not_mine = await submit(photoIds=[theirs])
    assert (not_mine["userErrors"][0]["field"], not_mine["userErrors"][0]["code"]) == (["photoIds"], "NOT_FOUND")
    assert await counts(client, owner) == (0, 0)
    assert (await submit())["userErrors"] == []


async def test_bad_release_upload_requests(client):
    owner = await sign_up(client)
    brand = await sign_up(client, role="BRAND")
    word = await request_document(client, owner, b"x" * 100, mime="application/msword", filename="release.doc")
    assert word["userErrors"][0]["code"] == "UPLOAD_INVALID" and word["userErrors"][0]["field"] == ["mimeType"]
    huge = await client.data(
        REQUEST,
        {"input": {"filename": "r.pdf", "mimeType": "application/pdf", "fileSizeBytes": 20 * 1024 * 1024 + 1}},
        token=owner.access_token,
    )
    assert huge["requestReleaseUpload"]["userErrors"][0]["field"] == ["fileSizeBytes"]
    assert huge["requestReleaseUpload"]["userErrors"][0]["code"] == "UPLOAD_INVALID"
    empty = await request_document(client, owner, b"")
    assert empty["userErrors"][0]["code"] == "INVALID_INPUT"
    variables = {"input": {"filename": "r.pdf", "mimeType": "application/pdf", "fileSizeBytes": 10}}
    denied = await client.execute(REQUEST, variables, token=brand.access_token)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await client.execute(REQUEST, variables)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_documents_that_are_not_what_they_claim_are_refused_and_removed(client, services):
    owner = await sign_up(client)
    (photo,) = photo_ids_of(await ready_photos(services, owner, 1, face_count=1))
    for data, mime, says in (
        (b"a letter, not a PDF" * 20, "application/pdf", "not a readable PDF"),
        (signed_pdf()[:-20], "application/pdf", "not a readable PDF"),
        (png_bytes(), "image/jpeg", "PNG, not JPEG"),
        (photo_jpeg()[:4000], "image/jpeg", "truncated or corrupt"),
    ):
        upload_id = await sent_document(client, owner, data, mime=mime)
        refused = await submit_model(client, owner, upload_id, [photo])
        assert refused["release"] is None
        assert refused["userErrors"][0]["code"] == "UPLOAD_INVALID" and says in refused["userErrors"][0]["message"]
        again = await submit_model(client, owner, upload_id, [photo])
        assert "Nothing was uploaded" in again["userErrors"][0]["message"]
    assert await counts(client, owner) == (0, 0)
    assert (await photo_as(client, owner, photo))["needsModelRelease"] is True


async def test_a_document_of_another_size_than_declared_is_refused(client, services):
    owner = await sign_up(client)
    (photo,) = photo_ids_of(await ready_photos(services, owner, 1))
    target = await request_document(client, owner, signed_pdf() + b"\n" * 10)
    assert (await put(client, target, signed_pdf())).status_code == 200
    refused = await submit_model(client, owner, target["uploadId"], [photo])
    assert refused["userErrors"][0]["code"] == "UPLOAD_INVALID" and "declared" in refused["userErrors"][0]["message"]


async def test_mistakes_in_what_the_release_says_keep_the_upload_for_another_try(client, services):
    owner = await sign_up(client)
    other = await sign_up(client)
    mine = photo_ids_of(await ready_photos(services, owner, 2, face_count=1))
    (theirs,) = photo_ids_of(await ready_photos(services, other, 1))
    upload_id = await sent_document(client, owner)
    tomorrow_but_one = (date.today() + timedelta(days=2)).isoformat()
    for overrides, field, code in (
        ({"signedOn": tomorrow_but_one}, "signedOn", "INVALID_INPUT"),
        ({"modelName": "   "}, "modelName", "INVALID_INPUT"),
        ({"details": "x" * 2001}, "details", "INVALID_INPUT"),
        ({"photoIds": []}, "photoIds", "INVALID_INPUT"),
        ({"photoIds": photo_ids_of(uuid4() for _ in range(101))}, "photoIds", "INVALID_INPUT"),
        ({"photoIds": [*mine, theirs]}, "photoIds", "NOT_FOUND"),
        ({"photoIds": ["not-an-id"]}, "photoIds", "NOT_FOUND"),
        ({"photoIds": photo_ids_of([uuid4()])}, "photoIds", "NOT_FOUND"),
    ):
        refused = await submit_model(client, owner, upload_id, mine, **overrides)
        assert refused["release"] is None
        assert (refused["userErrors"][0]["field"], refused["userErrors"][0]["code"]) == ([field], code), overrides
    assert await counts(client, owner) == (0, 0)
    assert (await photo_as(client, owner, mine[0]))["needsModelRelease"] is True

    malformed = await client.execute(
        SUBMIT_MODEL,
        {"input": {"uploadId": upload_id, "modelName": "Ana", "signedOn": "2024-13-45", "photoIds": mine}},
        token=owner.access_token,
    )
    assert malformed["errors"][0]["extensions"]["code"] == "INVALID_INPUT"

    accepted = await submit_model(client, owner, upload_id, mine)
    assert accepted["userErrors"] == [] and len(accepted["release"]["photos"]) == 2
    twice = await submit_model(client, owner, upload_id, mine)
    assert twice["userErrors"][0]["code"] == "ALREADY_EXISTS"
    assert await counts(client, owner) == (1, 0)


async def test_the_upload_must_be_ones_own_sent_and_meant_for_a_release(client, services):
    owner = await sign_up(client)
    other = await sign_up(client)
    (photo,) = photo_ids_of(await ready_photos(services, owner, 1))

    theirs = await sent_document(client, other)
    refused = await submit_model(client, owner, theirs, [photo])
    assert refused["userErrors"] == [{"field": ["uploadId"], "code": "NOT_FOUND", "message": "No such upload."}]

    unsent = (await request_document(client, owner, signed_pdf()))["uploadId"]
    early = await submit_model(client, owner, unsent, [photo])
    assert early["userErrors"][0]["code"] == "UPLOAD_INVALID"
    assert "Nothing was uploaded" in early["userErrors"][0]["message"]

    image = photo_jpeg(width=200, height=150)
    photo_target = await request_photo_upload(client, owner, image)
    await put(client, photo_target, image)
    crossed = await submit_model(client, owner, photo_target["uploadId"], [photo])
    assert crossed["userErrors"][0]["code"] == "UPLOAD_INVALID"

    scan = await sent_document(client, owner, image, mime="image/jpeg")
    as_photo = await client.data(CONFIRM, {"input": {"uploadId": scan, "title": "Scan"}}, token=owner.access_token)
    assert as_photo["confirmPhotoUpload"]["userErrors"][0]["code"] == "UPLOAD_INVALID"
    # Refusing the wrong use leaves the document where it was: it still makes a release.
    assert (await submit_model(client, owner, scan, [photo]))["userErrors"] == []


async def test_only_photographers_and_studios_keep_releases(client, services):
    owner = await sign_up(client)
    brand = await sign_up(client, role="BRAND")
    (photo,) = photo_ids_of(await ready_photos(services, owner, 1))
    release = (await submit_model(client, owner, await sent_document(client, owner), [photo]))["release"]
    upload_id = to_global_id("Upload", uuid4())
    attempts = (
        (
            SUBMIT_MODEL,
            {"input": {"uploadId": upload_id, "modelName": "A", "signedOn": SIGNED_ON, "photoIds": [photo]}},
        ),
        (LINK, {"input": {"releaseId": release["id"], "photoIds": [photo]}}),
        (DELETE, {"id": release["id"]}),
    )
    for document, variables in attempts:
        denied = await client.execute(document, variables, token=brand.access_token)
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN", denied
    studio = await sign_up(client, role="STUDIO")
    (studio_photo,) = photo_ids_of(await ready_photos(services, studio, 1))
    studio_release = await submit_model(client, studio, await sent_document(client, studio), [studio_photo])
    assert studio_release["userErrors"] == []


async def test_linking_more_photos_to_a_release(client, services):
    owner = await sign_up(client)
    other = await sign_up(client)
    first, second, third, fourth = photo_ids_of(await ready_photos(services, owner, 4, face_count=1))
    (theirs,) = photo_ids_of(await ready_photos(services, other, 1))
    release = (await submit_model(client, owner, await sent_document(client, owner), [first]))["release"]

    async def link(account, photo_ids, release_id=release["id"]):
        variables = {"input": {"releaseId": release_id, "photoIds": photo_ids}}
        return (await client.data(LINK, variables, token=account.access_token))["linkReleaseToPhotos"]

    linked = await link(owner, [second, third, first])
    assert linked["userErrors"] == []
    assert {photo["id"] for photo in linked["release"]["photos"]} == {first, second, third}
    again = await link(owner, [second])
    assert len(again["release"]["photos"]) == 3

    not_mine = await link(other, [theirs])
    assert not_mine["userErrors"] == [{"field": ["releaseId"], "code": "NOT_FOUND", "message": "No such release."}]
    mixed = await link(owner, [fourth, theirs])
    assert (mixed["release"], mixed["userErrors"][0]["field"], mixed["userErrors"][0]["code"]) == (
        None,
        ["photoIds"],
        "NOT_FOUND",
    )
    assert (await photo_as(client, owner, fourth))["needsModelRelease"] is True  # nothing was half-linked
    assert (await link(owner, []))["userErrors"][0]["code"] == "INVALID_INPUT"
    assert (await link(owner, [fourth], release_id=first))["userErrors"][0]["field"] == ["releaseId"]


async def test_deleting_a_release_removes_its_document_and_its_cover(client, services):
    owner = await sign_up(client)
    other = await sign_up(client)
    (photo,) = photo_ids_of(await ready_photos(services, owner, 1, face_count=1))
    release = (await submit_model(client, owner, await sent_document(client, owner), [photo]))["release"]
    assert (await photo_as(client, owner, photo))["needsModelRelease"] is False

    theirs = (await client.data(DELETE, {"id": release["id"]}, token=other.access_token))["deleteRelease"]
    assert (theirs["ok"], theirs["userErrors"][0]["code"]) == (False, "NOT_FOUND")
    deleted = (await client.data(DELETE, {"id": release["id"]}, token=owner.access_token))["deleteRelease"]
    assert deleted == {"ok": True, "userErrors": []}

    assert (await client.http.get(release["documentUrl"])).status_code == 404
    assert (await client.data(NODE, {"id": release["id"]}, token=owner.access_token))["node"] is None
    own = await photo_as(client, owner, photo)
    assert (own["needsModelRelease"], own["releases"]) == (True, [])
    gone = (await client.data(DELETE, {"id": release["id"]}, token=owner.access_token))["deleteRelease"]
    assert gone["userErrors"][0]["code"] == "NOT_FOUND"
    malformed = (await client.data(DELETE, {"id": photo}, token=owner.access_token))["deleteRelease"]
    assert malformed["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND", "message": "No Release has this ID."}]


async def test_a_release_is_its_owners_only(client, services):
    owner = await sign_up(client)
    other = await sign_up(client)
    (photo,) = photo_ids_of(await ready_photos(services, owner, 1))
    release = (await submit_model(client, owner, await sent_document(client, owner), [photo]))["release"]
    assert (await client.data(NODE, {"id": release["id"]}, token=other.access_token))["node"] is None
    assert (await client.data(NODE, {"id": release["id"]}))["node"] is None
    assert await counts(client, other) == (0, 0)


# Many releases at once: written straight to the database, as tests/api/factories.py does for photos.


async def stored_releases(services, owner, photo_keys, kind=ReleaseKind.MODEL) -> list:
    """One release per photo, each covering its photo, signed a day apart (newest last)."""
    releases = [
        Release(
            id=uuid4(),
            user_id=user_key(owner),
            kind=kind,
            subject_name=f"Model {index}",
            signed_on=date(2024, 1, 1) + timedelta(days=index),
            document_key=f"uploads/{user_key(owner)}/{uuid4()}/release.pdf",
            document_mime_type="application/pdf",
        )
        for index in range(len(photo_keys))
    ]
    async with services.db.unit_of_work() as uow:
        uow.session.add_all(releases)
        await uow.session.flush()
        uow.session.add_all(
            ReleasePhoto(release_id=release.id, photo_id=photo_key)
            for release, photo_key in zip(releases, photo_keys, strict=True)
        )
    return releases


async def test_release_lists_page_newest_first(client, services):
    owner = await sign_up(client)
    keys = await ready_photos(services, owner, 3)
    for photo_key in keys:
        await stored_releases(services, owner, [photo_key])
    query = """query($after: String) { viewer { modelReleases(first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { subjectName } } } } }"""
    first = (await client.data(query, token=owner.access_token))["viewer"]["modelReleases"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"] is True
    after = {"after": first["pageInfo"]["endCursor"]}
    rest = (await client.data(query, after, token=owner.access_token))["viewer"]["modelReleases"]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert len(first["edges"]) + len(rest["edges"]) == 3
    bad = await client.execute(query, {"after": "bm90IGEgY3Vyc29y"}, token=owner.access_token)
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_photos_with_their_releases_stay_flat_in_sql(client, services, sql):
    query = """{ viewer { photos(first: 50) { edges { node {
      faceCount needsModelRelease releases { subjectName signedOn photos { title needsModelRelease } } } } } } }"""

    async def statements_for(count: int) -> int:
        owner = await sign_up(client)
        keys = await ready_photos(services, owner, count, face_count=1)
        await stored_releases(services, owner, keys)
        sql.reset()
        edges = (await client.data(query, token=owner.access_token))["viewer"]["photos"]["edges"]
        assert len(edges) == count
        assert all(len(edge["node"]["releases"]) == 1 and not edge["node"]["needsModelRelease"] for edge in edges)
        return sql.count

    assert await statements_for(5) == await statements_for(50)


async def test_release_lists_with_their_photos_stay_flat_in_sql(client, services, sql):
    query = """{ viewer { modelReleases(first: 50) { edges { node {
      subjectName documentUrl photos { title faceCount needsModelRelease } } } } } }"""

    async def statements_for(count: int) -> int:
        owner = await sign_up(client)
        await stored_releases(services, owner, await ready_photos(services, owner, count, face_count=1))
        sql.reset()
        edges = (await client.data(query, token=owner.access_token))["viewer"]["modelReleases"]["edges"]
        assert len(edges) == count and all(len(edge["node"]["photos"]) == 1 for edge in edges)
        return sql.count

    assert await statements_for(5) == await statements_for(50)
