"""Signed content submission: API key + Signature over the exact body; photoUri fetched by a job; uploads; fans."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from lensgraph.config import Settings
from lensgraph.jobs.ugc import MAX_FETCH_ATTEMPTS
from lensgraph.persistence.models import Content, OutboxEvent, Photo
from tests.api.helpers import sign_up
from tests.api.images import photo_jpeg
from tests.api.ugc_helpers import (
    SUBMIT,
    ImageServer,
    album,
    brand,
    content,
    products,
    sign,
    signed_post,
    submit,
)

REQUEST_UPLOAD = """
mutation Request($input: RequestContentUploadInput!) {
  requestContentUpload(input: $input) { uploadId uploadUrl method headers userErrors { field code message } }
}"""
FAN_SUBMIT = """
mutation Fan($input: SubmitAlbumContentInput!) {
  submitAlbumContent(input: $input) { ok userErrors { field code message } }
}"""
# Above every test image here (they are 25-35 kB), below the server's /huge.jpg.
MAX_PHOTO_BYTES = 100_000


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"ugc_max_photo_bytes": MAX_PHOTO_BYTES})


ALBUM_CONTENT = """
query Album($id: ID!) {
  album(id: $id) { content(first: 10) { totalCount edges { node { id title status source authorUsername } } } }
}"""


async def _stored(services, model, *where) -> int:
    async with services.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _events(services, event_type: str) -> list[dict]:
    async with services.db.session() as session:
        rows = await session.scalars(select(OutboxEvent).where(OutboxEvent.type == event_type))
        return [row.payload for row in rows]


async def test_photo_uri_is_fetched_analysed_and_tagged(client, services, background):
    owner = await brand(client)
    summer = await album(client, owner)
    await products(client, owner, "TEE-1", "CAP-2")
    with ImageServer().running() as host:
        submitted = await submit(
            client,
            owner,
            albumId=summer["id"],
            title="Beach day",
            photoUri=f"{host.url}/redirect",
            email="Fan@Example.com",
            username="sunny",
            productSkus=["TEE-1"],
            approved=False,
        )
        assert submitted["userErrors"] == []
        created = submitted["content"]
        assert created["status"] == "PENDING" and created["mediaStatus"] == "FETCHING"
        assert created["authorEmail"] == "fan@example.com" and created["products"] == [{"sku": "TEE-1"}]
        await background.settle()
        # The redirect was followed (and checked again) to the image.
        assert host.requests == ["/redirect", "/photo.jpg"]
    seen = await content(client, owner, created["id"])
    assert seen["mediaStatus"] == "READY" and seen["failureReason"] is None
    assert seen["photo"]["status"] == "READY" and (seen["photo"]["width"], seen["photo"]["height"]) == (800, 500)
    assert seen["album"]["id"] == summer["id"] and seen["flags"] == []
    assert [event["contentId"] for event in await _events(services, "content.submitted")] != []
    assert await _events(services, "content.approved") == []

    # Running the job again stores nothing more.
    background.send("ugc.fetch_content", str(_key(created["id"])))
    await background.settle()
    assert await _stored(services, Photo) == 1


def _key(global_id: str):
    from lensgraph.schema.core import from_global_id

    return from_global_id(global_id)[1]


async def test_approved_submission_emits_both_events(client, services, background):
    owner = await brand(client)
    summer = await album(client, owner)
    with ImageServer().running() as host:
        created = (
            await submit(
                client, owner, albumId=summer["id"], photoUri=f"{host.url}/photo.jpg", username="a", approved=True
            )
        )["content"]
        await background.settle()
    assert created["status"] == "APPROVED"
    assert len(await _events(services, "content.submitted")) == 1
    assert len(await _events(services, "content.approved")) == 1


async def test_wrong_or_missing_signature_is_refused_and_nothing_stored(client, services):
    owner = await brand(client)
    summer = await album(client, owner)
    variables = {"input": {"albumId": summer["id"], "photoUri": "http://127.0.0.1:9/x.jpg", "username": "a"}}
    for signature in (None, "", "bm90IGl0", sign("another secret", b"{}")):
        answer = await signed_post(client, owner, SUBMIT, variables, signature=signature)
        assert answer["data"]["submitContent"]["userErrors"][0]["code"] == "SIGNATURE_INVALID", signature
    # Signed, but for other bytes than those sent (a re-serialised body does not verify).
    body = b'{"query": "x"}'
    answer = await signed_post(client, owner, SUBMIT, variables, signature=sign(owner.secret, body))
    assert answer["data"]["submitContent"]["userErrors"][0]["code"] == "SIGNATURE_INVALID"
    # A rotated secret: the old one no longer verifies.
    old = owner.secret
    rotated = await client.data("mutation { rotateContentSecret { contentSecret } }", token=owner.token)
    owner.secret = rotated["rotateContentSecret"]["contentSecret"]
    assert owner.secret != old
    body_answer = await signed_post(client, owner, SUBMIT, variables, signature=None)
    assert body_answer["data"]["submitContent"]["userErrors"][0]["code"] == "SIGNATURE_INVALID"
    assert await _stored(services, Content) == 0
    assert await _events(services, "content.submitted") == []


async def test_only_a_brands_api_key_submits(client):
    owner = await brand(client)
    summer = await album(client, owner)
    variables = {"input": {"albumId": summer["id"], "photoUri": "http://127.0.0.1:9/x.jpg", "username": "a"}}
    # A signed-in token is not a partner's server.
    by_token = await client.execute(SUBMIT, variables, token=owner.token, headers={"Signature": "x"})
    assert by_token["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    anonymous = await client.execute(SUBMIT, variables)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_bad_input_is_refused_with_codes(client, services):
    owner = await brand(client)
    other = await brand(client)
    summer = await album(client, owner)
    theirs = await album(client, other)
    await products(client, owner, "TEE-1")
    base = {"albumId": summer["id"], "photoUri": "http://127.0.0.1:9/x.jpg", "username": "a"}
    cases = [
        ({**base, "albumId": theirs["id"]}, "NOT_FOUND", ["albumId"]),
        ({**base, "productSkus": ["TEE-1", "NOPE"]}, "NOT_FOUND", ["productSkus"]),
        ({**base, "photoUri": "ftp://example.com/x.jpg"}, "INVALID_INPUT", ["photoUri"]),
        ({**base, "photoUri": None}, "INVALID_INPUT", ["photoUri"]),
        ({**base, "email": "not-an-address"}, "INVALID_INPUT", ["email"]),
        ({**base, "username": "   "}, "INVALID_INPUT", ["username"]),
    ]
    for fields, code, field in cases:
        payload = (await signed_post(client, owner, SUBMIT, {"input": fields}))["data"]["submitContent"]
        assert [(error["code"], error["field"]) for error in payload["userErrors"]] == [(code, field)], fields
    assert await _stored(services, Content) == 0


async def test_a_refused_fetch_fails_the_content_with_a_reason(client, background):
    owner = await brand(client)
    summer = await album(client, owner)
    with ImageServer().running() as host:
        not_image = await submit(client, owner, albumId=summer["id"], photoUri=f"{host.url}/page.html", username="a")
        missing = await submit(client, owner, albumId=summer["id"], photoUri=f"{host.url}/gone.jpg", username="a")
        await background.settle()
    failed = await content(client, owner, not_image["content"]["id"])
    assert failed["mediaStatus"] == "FAILED" and "not an image" in failed["failureReason"]
    gone = await content(client, owner, missing["content"]["id"])
    assert gone["mediaStatus"] == "FAILED" and "404" in gone["failureReason"]
    # Nothing to show: it can be rejected, not approved.
    approve = await client.data(
        "mutation A($id: ID!) { approveContent(input: {id: $id}) { userErrors { code } } }",
        {"id": failed["id"]},
        token=owner.token,
    )
    assert approve["approveContent"]["userErrors"] == [{"code": "INVALID_TRANSITION"}]


async def test_a_failing_server_is_tried_again_then_fails_the_content(client, services, background):
    owner = await brand(client)
    summer = await album(client, owner)
    with ImageServer().running() as host:
        busy = await submit(client, owner, albumId=summer["id"], photoUri=f"{host.url}/busy", username="a")
        # As if the earlier attempts (dramatiq's retries, minutes apart) had met the same 503s.
        async with services.db.unit_of_work() as uow:
            await uow.session.execute(update(Content).values(fetch_attempts=MAX_FETCH_ATTEMPTS - 1))
        await background.settle()
        assert host.requests == ["/busy"]
    failed = await content(client, owner, busy["content"]["id"])
    assert failed["mediaStatus"] == "FAILED"
    assert failed["failureReason"] == (
        f"The photoUri could not be fetched after {MAX_FETCH_ATTEMPTS} attempts: the photoUri answered HTTP 503"
    )


async def test_submission_by_upload_then_fans_by_the_album_link(client, services, background):
    owner = await brand(client)
    summer = await album(client, owner)
    data = photo_jpeg(640, 400, seed=3)
    requested = (
        await signed_post(
            client,
            owner,
            REQUEST_UPLOAD,
            {
                "input": {
                    "albumId": summer["id"],
                    "filename": "a.jpg",
                    "mimeType": "image/jpeg",
                    "fileSizeBytes": len(data),
                }
            },
        )
    )["data"]["requestContentUpload"]
    assert requested["userErrors"] == []
    put = await client.http.request(
        requested["method"], requested["uploadUrl"], content=data, headers=requested["headers"]
    )
    assert put.status_code == 200
    by_upload = await submit(client, owner, albumId=summer["id"], uploadId=requested["uploadId"], username="crew")
    assert by_upload["userErrors"] == [] and by_upload["content"]["mediaStatus"] == "PROCESSING"
    # The upload is used: a second submission of it is refused.
    again = await submit(client, owner, albumId=summer["id"], uploadId=requested["uploadId"], username="crew")
    assert again["userErrors"][0]["code"] == "ALREADY_EXISTS"

    # A fan, signed in or not, with only the album's link.
    fan_data = photo_jpeg(600, 600, seed=4)
    fan_upload = (
        await client.data(
            REQUEST_UPLOAD,
            {
                "input": {
                    "uploadLink": summer["uploadLink"],
                    "filename": "me.jpg",
                    "mimeType": "image/jpeg",
                    "fileSizeBytes": len(fan_data),
                }
            },
        )
    )["requestContentUpload"]
    assert fan_upload["userErrors"] == []
    too_big = (
        await client.data(
            REQUEST_UPLOAD,
            {
                "input": {
                    "uploadLink": summer["uploadLink"],
                    "filename": "me.jpg",
                    "mimeType": "image/jpeg",
                    "fileSizeBytes": MAX_PHOTO_BYTES + 1,
                }
            },
        )
    )["requestContentUpload"]
    assert too_big["userErrors"][0]["code"] == "QUOTA_EXCEEDED"
    await client.http.request(
        fan_upload["method"], fan_upload["uploadUrl"], content=fan_data, headers=fan_upload["headers"]
    )
    sent = await client.data(
        FAN_SUBMIT,
        {
            "input": {
                "uploadLink": summer["uploadLink"],
                "uploadId": fan_upload["uploadId"],
                "username": "fan",
                "title": "Me",
            }
        },
    )
    assert sent["submitAlbumContent"] == {"ok": True, "userErrors": []}
    wrong_link = await client.data(
        FAN_SUBMIT, {"input": {"uploadLink": "nope", "uploadId": fan_upload["uploadId"], "username": "fan"}}
    )
    assert wrong_link["submitAlbumContent"]["userErrors"][0]["code"] == "NOT_FOUND"
    await background.settle()
    listed = (await client.data(ALBUM_CONTENT, {"id": summer["id"]}, token=owner.token))["album"]["content"]
    assert listed["totalCount"] == 2
    assert [(edge["node"]["source"], edge["node"]["status"]) for edge in listed["edges"]] == [
        ("UPLOAD_LINK", "PENDING"),
        ("API", "PENDING"),
    ]
    # Another account sees none of it.
    stranger = await sign_up(client, role="BRAND")
    # Anyone may read the album's approved media (test_ugc_reads.py); its content list is its brand's only.
    refused = await client.execute(ALBUM_CONTENT, {"id": summer["id"]}, token=stranger.access_token)
    assert refused["data"]["album"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await _stored(services, Photo) == 2
