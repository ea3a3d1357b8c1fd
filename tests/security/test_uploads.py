"""Stored XSS through uploads, and swapping a file after it was checked (issue 10, item 1).

A photographer controls a file's name and bytes and, until confirmation, what sits behind the upload URL.
None of that may decide how the API's own origin serves the file, nor change a file once it was confirmed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

import httpx

from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Photo, Release
from lensgraph.schema.core import from_global_id, to_global_id
from tests.api.factories import ready_photos
from tests.api.helpers import Account, sign_up
from tests.api.images import photo_jpeg
from tests.api.payment_flows import active_license
from tests.api.test_photos import CONFIRM, put, request_upload
from tests.api.test_releases import request_document, signed_pdf, submit_model

SCRIPT = b"<html><script>alert(document.domain)</script></html>"
ORIGINAL = """query($id: ID!) { node(id: $id) { ... on Photo { status originalUrl thumbnailUrl previewUrl } } }"""
LICENSE = """query($id: ID!) { node(id: $id) { ... on License { originalDownloadUrl } } }"""
DOCUMENT = """query($id: ID!) { node(id: $id) { ... on Release { documentUrl } } }"""
SANDBOX = "sandbox"


def evil_jpeg() -> bytes:
    """A JPEG every image library decodes, with an HTML page after its end marker."""
    return photo_jpeg(width=320, height=200) + SCRIPT


def assert_inert(response: httpx.Response, disposition: str) -> None:
    """No browser renders this as a page of our origin, whatever its bytes hold."""
    assert response.headers["x-content-type-options"] == "nosniff", response.headers
    assert response.headers["content-disposition"].startswith(disposition), response.headers
    policy = response.headers["content-security-policy"]
    assert SANDBOX in policy and "default-src 'none'" in policy, policy
    assert "html" not in response.headers["content-type"], response.headers


async def confirm(client, account: Account, upload_id: str) -> dict[str, Any]:
    variables = {"input": {"uploadId": upload_id, "title": "Evening"}}
    answer: dict[str, Any] = (await client.data(CONFIRM, variables, token=account.access_token))["confirmPhotoUpload"]
    return answer


async def uploaded(client, account: Account, data: bytes, filename: str = "evil.html") -> tuple[dict[str, Any], str]:
    """Requests, sends and confirms a photo upload; answers the upload target and the photo's ID."""
    target = await request_upload(client, account, data, filename=filename)
    assert target["userErrors"] == [], target
    assert (await put(client, target, data)).status_code == 200
    confirmed = await confirm(client, account, target["uploadId"])
    assert confirmed["userErrors"] == [], confirmed
    return target, confirmed["photo"]["id"]


async def original_url(client, account: Account, photo_id: str) -> str:
    url: str = (await client.data(ORIGINAL, {"id": photo_id}, token=account.access_token))["node"]["originalUrl"]
    return url


async def licensed_to(services, brand: Account, photographer: Account, photo_id: str) -> str:
    """An ACTIVE, paid-for license of the photo for the brand, written straight to the database."""
    row = active_license(from_global_id(photo_id)[1], brand, photographer, utcnow())
    async with services.db.unit_of_work() as uow:
        uow.session.add(row)
    return f"{row.id}"


async def licensed_download(client, brand: Account, license_key: str) -> dict[str, Any]:
    return await client.execute(LICENSE, {"id": to_global_id("License", license_key)}, token=brand.access_token)


# The attack of the audit: evil.html ----------------------------------------------------------------


async def test_an_html_named_jpeg_is_served_as_an_inert_jpeg_attachment(client, background):
    owner = await sign_up(client)
    target, photo_id = await uploaded(client, owner, evil_jpeg())
    assert "evil" not in urlsplit(target["uploadUrl"]).path and ".html" not in target["uploadUrl"]
    await background.settle()

    node = (await client.data(ORIGINAL, {"id": photo_id}, token=owner.access_token))["node"]
    assert node["status"] == "READY"
    assert ".html" not in urlsplit(node["originalUrl"]).path
    original = await client.http.get(node["originalUrl"])
    assert original.status_code == 200 and original.content == evil_jpeg()
    assert original.headers["content-type"] == "image/jpeg"
    assert_inert(original, "attachment")
    assert ".html" not in original.headers["content-disposition"]
    for rendition in (node["thumbnailUrl"], node["previewUrl"]):
        shown = await client.http.get(rendition)
        assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
        assert_inert(shown, "inline")
    head = await client.http.head(node["originalUrl"])
    assert head.status_code == 200 and head.headers["content-type"] == "image/jpeg"
    assert_inert(head, "attachment")


async def test_a_release_document_named_html_is_served_as_a_pdf_attachment(client, services):
    owner = await sign_up(client)
    [photo_key] = await ready_photos(services, owner, 1)
    data = signed_pdf()
    target = await request_document(client, owner, data, filename="release.html")
    assert target["userErrors"] == [] and ".html" not in target["uploadUrl"]
    assert (await put(client, target, data)).status_code == 200
    release = (await submit_model(client, owner, target["uploadId"], [to_global_id("Photo", photo_key)]))["release"]
    document = await client.http.get(release["documentUrl"])
    assert document.status_code == 200 and document.content == data
    assert document.headers["content-type"] == "application/pdf"
    assert_inert(document, "attachment")
    assert ".html" not in document.headers["content-disposition"]


# Every answer of /files, errors included --------------------------------------------------------


async def test_every_files_answer_carries_the_safety_headers(client):
    owner = await sign_up(client)
    data = photo_jpeg(width=64, height=48)
    target = await request_upload(client, owner, data)
    url = httpx.URL(target["uploadUrl"])
    answers = [
        await client.http.get(url.copy_set_param("sig", "0" * 64)),
        await client.http.head(url.copy_set_param("sig", "0" * 64)),
        await client.http.get("/files/anything"),
        await client.http.put(url, content=data + b"more", headers=target["headers"]),
        await client.http.put(url, content=data, headers={"Content-Type": "text/html"}),
        await put(client, target, data),
        await put(client, target, data),
    ]
    assert [answer.status_code for answer in answers] == [403, 403, 403, 413, 415, 200, 409]
    for answer in answers:
        assert answer.headers["x-content-type-options"] == "nosniff", answer
        assert SANDBOX in answer.headers["content-security-policy"], answer
        assert answer.headers["content-disposition"], answer
        assert answer.headers["content-type"].startswith("application/json"), answer


# An upload URL works once, and not after confirmation ----------------------------------------------


async def test_an_upload_url_takes_one_file_only(client, background):
    owner = await sign_up(client)
    first, second = photo_jpeg(seed=1), photo_jpeg(seed=2)
    target = await request_upload(client, owner, first)
    assert (await put(client, target, first)).status_code == 200
    assert (
        await client.http.put(target["uploadUrl"], content=second[: len(first)], headers=target["headers"])
    ).status_code == 409
    photo_id = (await confirm(client, owner, target["uploadId"]))["photo"]["id"]
    assert (await client.http.get(await original_url(client, owner, photo_id))).content == first


async def test_a_put_after_confirmation_changes_nothing_anyone_downloads(client, services, background):
    photographer = await sign_up(client)
    brand = await sign_up(client, role="BRAND")
    data = photo_jpeg(seed=3)
    target, photo_id = await uploaded(client, photographer, data, filename="sunset.jpg")
    await background.settle()
    license_key = await licensed_to(services, brand, photographer, photo_id)

    swapped = SCRIPT.ljust(len(data), b" ")
    late = await put(client, target, swapped)
    assert late.status_code in (409, 410), late.text

    assert (await client.http.get(await original_url(client, photographer, photo_id))).content == data
    download = (await licensed_download(client, brand, license_key))["data"]["node"]["originalDownloadUrl"]
    assert (await client.http.get(download)).content == data
    assert (await client.http.get(await original_url(client, brand, photo_id))).content == data


# A confirmed file cannot change underneath -----------------------------------------------------------


async def test_a_tampered_original_is_refused_at_delivery(client, services, background, caplog):
    photographer = await sign_up(client)
    brand = await sign_up(client, role="BRAND")
    data = photo_jpeg(seed=4)
    _, photo_id = await uploaded(client, photographer, data, filename="sunset.jpg")
    await background.settle()
    license_key = await licensed_to(services, brand, photographer, photo_id)
    async with services.db.session() as session:
        photo = await session.get(Photo, from_global_id(photo_id)[1])
    assert photo is not None and photo.original_sha256
    await services.storage.write(photo.original_key, SCRIPT, content_type="image/jpeg")

    caplog.set_level(logging.ERROR)
    for answer in (
        await client.execute(ORIGINAL, {"id": photo_id}, token=photographer.access_token),
        await licensed_download(client, brand, license_key),
    ):
        [error] = answer["errors"]
        assert error["extensions"]["code"] == "FILE_INTEGRITY_FAILED", answer
        assert "/original." not in str(answer["data"]), answer
    alerts = [record for record in caplog.records if "integrity" in record.getMessage().lower()]
    assert len(alerts) >= 2 and photo.original_key in alerts[0].getMessage()


async def test_a_tampered_release_document_is_refused_at_delivery(client, services):
    owner = await sign_up(client)
    [photo_key] = await ready_photos(services, owner, 1)
    data = signed_pdf()
    target = await request_document(client, owner, data)
    assert (await put(client, target, data)).status_code == 200
    release = (await submit_model(client, owner, target["uploadId"], [to_global_id("Photo", photo_key)]))["release"]
    async with services.db.session() as session:
        row = await session.get(Release, from_global_id(release["id"])[1])
    assert row is not None and row.document_sha256
    await services.storage.write(row.document_key, data.replace(b"595", b"999"), content_type="application/pdf")

    answer = await client.execute(DOCUMENT, {"id": release["id"]}, token=owner.access_token)
    assert answer["errors"][0]["extensions"]["code"] == "FILE_INTEGRITY_FAILED", answer


# One upload, one photo, under concurrency -------------------------------------------------------------


ROUNDS, CONCURRENT = 5, 6


async def test_concurrent_confirmations_of_one_upload_make_one_photo(client, services):
    owner = await sign_up(client)
    for round_number in range(ROUNDS):
        data = photo_jpeg(width=96, height=64, seed=round_number)
        target = await request_upload(client, owner, data)
        assert (await put(client, target, data)).status_code == 200
        answers = await asyncio.gather(*(confirm_raw(client, owner, target["uploadId"]) for _ in range(CONCURRENT)))
        made = [answer for answer in answers if answer["photo"]]
        refused = [answer["userErrors"][0]["code"] for answer in answers if not answer["photo"]]
        assert len(made) == 1, answers
        assert set(refused) <= {"ALREADY_EXISTS"}, answers
    listed = await client.data("{ viewer { photos { totalCount } } }", token=owner.access_token)
    assert listed["viewer"]["photos"]["totalCount"] == ROUNDS


async def test_concurrent_submissions_of_one_document_make_one_release(client, services):
    owner = await sign_up(client)
    [photo_key] = await ready_photos(services, owner, 1)
    photo_ids = [to_global_id("Photo", photo_key)]
    for _ in range(ROUNDS):
        data = signed_pdf()
        target = await request_document(client, owner, data)
        assert (await put(client, target, data)).status_code == 200
        answers = await asyncio.gather(
            *(submit_raw(client, owner, target["uploadId"], photo_ids) for _ in range(CONCURRENT))
        )
        made = [answer for answer in answers if answer["release"]]
        refused = [answer["userErrors"][0]["code"] for answer in answers if not answer["release"]]
        assert len(made) == 1, answers
        assert set(refused) <= {"ALREADY_EXISTS"}, answers
    counts = await client.data("{ viewer { modelReleases { totalCount } } }", token=owner.access_token)
    assert counts["viewer"]["modelReleases"]["totalCount"] == ROUNDS


async def confirm_raw(client, account: Account, upload_id: str) -> dict[str, Any]:
    """The payload, or the GraphQL errors as a refusal: a race must never end as INTERNAL."""
    body = await client.execute(CONFIRM, {"input": {"uploadId": upload_id, "title": "T"}}, token=account.access_token)
    assert "errors" not in body, body
    answer: dict[str, Any] = body["data"]["confirmPhotoUpload"]
    return answer


async def submit_raw(client, account: Account, upload_id: str, photo_ids: list[str]) -> dict[str, Any]:
    answer: dict[str, Any] = await submit_model(client, account, upload_id, photo_ids)
    return answer


async def test_an_original_confirmed_before_hashes_were_kept_is_checked_from_its_first_delivery(
    client, services, background
):
    owner = await sign_up(client)
    data = photo_jpeg(seed=5)
    _, photo_id = await uploaded(client, owner, data, filename="sunset.jpg")
    key = from_global_id(photo_id)[1]
    async with services.db.unit_of_work() as uow:
        photo = await uow.session.get(Photo, key)
        assert photo is not None
        photo.original_sha256 = None

    assert (await client.http.get(await original_url(client, owner, photo_id))).content == data
    async with services.db.session() as session:
        recorded = await session.get(Photo, key)
    assert recorded is not None and recorded.original_sha256
    await services.storage.write(recorded.original_key, data[:-10], content_type="image/jpeg")

    refused = await client.execute(ORIGINAL, {"id": photo_id}, token=owner.access_token)
    assert refused["errors"][0]["extensions"]["code"] == "FILE_INTEGRITY_FAILED"
