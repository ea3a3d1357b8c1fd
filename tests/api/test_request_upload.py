"""requestUpload: the one entry to the upload flow for every purpose; what each purpose takes, and who may ask."""

from __future__ import annotations

from tests.api.helpers import sign_up
from tests.api.images import photo_jpeg
from tests.api.test_photos import CONFIRM
from tests.api.verification_flows import REQUEST_UPLOAD, request, sent


async def test_a_photo_through_request_upload(client):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    data = photo_jpeg(width=320, height=200)
    upload_id = await sent(client, owner, "PHOTO", data, filename="sunset.jpg", mime="image/jpeg")
    confirmed = (
        await client.data(CONFIRM, {"input": {"uploadId": upload_id, "title": "Sunset"}}, token=owner.access_token)
    )["confirmPhotoUpload"]
    assert confirmed["userErrors"] == [] and confirmed["photo"]["status"] == "PROCESSING"


async def test_a_verification_upload_is_not_a_photo(client):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    data = photo_jpeg(width=320, height=200)
    upload_id = await sent(client, owner, "IMAGE_FOR_VERIFICATION", data)
    refused = (
        await client.data(CONFIRM, {"input": {"uploadId": upload_id, "title": "Sunset"}}, token=owner.access_token)
    )["confirmPhotoUpload"]
    assert refused["photo"] is None and refused["userErrors"][0]["code"] == "UPLOAD_INVALID"


async def test_who_may_upload_what(client):
    brand = await sign_up(client, role="BRAND")
    data = photo_jpeg(width=320, height=200)
    # Anyone with an account verifies photos; publishing them is for photographers and studios.
    assert (await request(client, brand, "IMAGE_FOR_VERIFICATION", data, filename="a.jpg", mime="image/jpeg"))[
        "userErrors"
    ] == []
    photo = await client.execute(
        REQUEST_UPLOAD,
        {"input": {"purpose": "PHOTO", "filename": "a.jpg", "mimeType": "image/jpeg", "fileSizeBytes": len(data)}},
        token=brand.access_token,
    )
    assert photo["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await client.execute(
        REQUEST_UPLOAD,
        {"input": {"purpose": "RAW", "filename": "a.DNG", "mimeType": "image/x-adobe-dng", "fileSizeBytes": 10}},
    )
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_sizes_follow_the_plan(client):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    too_big = await client.data(
        REQUEST_UPLOAD,
        {
            "input": {
                "purpose": "RAW",
                "filename": "big.NEF",
                "mimeType": "image/x-nikon-nef",
                "fileSizeBytes": 51 * 1024 * 1024,
            }
        },
        token=owner.access_token,
    )
    assert too_big["requestUpload"]["userErrors"][0]["code"] == "QUOTA_EXCEEDED"
