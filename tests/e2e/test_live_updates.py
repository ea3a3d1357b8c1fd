"""photoProcessed and licenseUpdated against a real server: a real upload, a real negotiation, real sockets.

Each subscription is authorised for its subscriber: the owner hears of their photo, the two parties of
their license; anyone else gets an error on that operation while the socket stays usable.
"""

from __future__ import annotations

from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection

from tests.api.images import photo_jpeg

from .conftest import Server
from .test_subscriptions import (
    BRAND,
    PHOTOGRAPHER,
    TIMEOUT,
    assert_silent,
    assert_typename_works,
    graphql,
    graphql_socket,
    login,
    receive,
    refusal_errors,
    send,
)

STUDIO = "studio@demo.lensgraph.dev"

REQUEST_UPLOAD = """mutation($input: RequestPhotoUploadInput!) {
  requestPhotoUpload(input: $input) { uploadId uploadUrl method headers userErrors { code } } }"""
CONFIRM_UPLOAD = """mutation($input: ConfirmPhotoUploadInput!) {
  confirmPhotoUpload(input: $input) { photo { id status } userErrors { code } } }"""
PHOTO_PROCESSED = "subscription($id: ID!) { photoProcessed(id: $id) { id status width } }"
LICENSE_UPDATED = "subscription($id: ID!) { licenseUpdated(id: $id) { id status awaiting terms { price { amount } } } }"
OFFER = """mutation($input: CreateLicenseOfferInput!) {
  createLicenseOffer(input: $input) { license { id } userErrors { code message } } }"""
COUNTER = """mutation($input: CounterLicenseOfferInput!) {
  counterLicenseOffer(input: $input) { license { status } userErrors { code message } } }"""
RAISED_PRICE = {"amount": 15_000, "currency": "EUR"}
TERMS = {"usage": "EDITORIAL", "media": ["WEB"], "price": {"amount": 10_000, "currency": "EUR"}}


async def start(ws: ClientConnection, operation_id: str, query: str, variables: dict[str, Any]) -> None:
    await send(ws, {"id": operation_id, "type": "subscribe", "payload": {"query": query, "variables": variables}})


async def next_update(ws: ClientConnection) -> dict[str, Any]:
    message = await receive(ws)
    assert message["id"] == "license" and message["type"] == "next", message
    return message["payload"]["data"]["licenseUpdated"]


async def upload_photo(server: Server, token: str) -> str:
    data = photo_jpeg()
    target = (
        await graphql(
            server,
            REQUEST_UPLOAD,
            {"input": {"filename": "dunes.jpg", "mimeType": "image/jpeg", "fileSizeBytes": len(data)}},
            token,
        )
    )["requestPhotoUpload"]
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        sent = await http.request(target["method"], target["uploadUrl"], content=data, headers=target["headers"])
    assert sent.status_code == 200, sent.text
    confirmed = (
        await graphql(server, CONFIRM_UPLOAD, {"input": {"uploadId": target["uploadId"], "title": "Dunes"}}, token)
    )["confirmPhotoUpload"]
    assert confirmed["userErrors"] == []
    return confirmed["photo"]["id"]


async def test_photo_processed_reaches_the_owner_only(server: Server):
    photographer = await login(server, PHOTOGRAPHER)
    brand = await login(server, BRAND)
    photo_id = await upload_photo(server, photographer.access_token)

    async with graphql_socket(server, photographer.access_token) as owner_ws:
        await start(owner_ws, "processed", PHOTO_PROCESSED, {"id": photo_id})
        message = await receive(owner_ws)
        assert message["type"] == "next", message
        assert message["payload"]["data"]["photoProcessed"] == {"id": photo_id, "status": "READY", "width": 1600}
        assert await receive(owner_ws) == {"id": "processed", "type": "complete"}

    async with graphql_socket(server, brand.access_token) as other_ws:
        await start(other_ws, "spy", PHOTO_PROCESSED, {"id": photo_id})
        errors = await refusal_errors(other_ws, "spy")
        assert [error["extensions"]["code"] for error in errors] == ["NOT_FOUND"]
        await assert_typename_works(other_ws, "after")


async def test_license_updated_reaches_both_parties_and_nobody_else(server: Server):
    photographer = await login(server, PHOTOGRAPHER)
    brand = await login(server, BRAND)
    studio = await login(server, STUDIO)
    photo_id = await upload_photo(server, photographer.access_token)
    async with graphql_socket(server, photographer.access_token) as ws:
        await start(ws, "processed", PHOTO_PROCESSED, {"id": photo_id})
        assert (await receive(ws))["payload"]["data"]["photoProcessed"]["status"] == "READY"

    offered = (await graphql(server, OFFER, {"input": {"photoId": photo_id, "terms": TERMS}}, brand.access_token))[
        "createLicenseOffer"
    ]
    assert offered["userErrors"] == []
    license_id = offered["license"]["id"]

    async with (
        graphql_socket(server, brand.access_token) as brand_ws,
        graphql_socket(server, photographer.access_token) as photographer_ws,
        graphql_socket(server, studio.access_token) as studio_ws,
    ):
        for ws in (brand_ws, photographer_ws):
            await start(ws, "license", LICENSE_UPDATED, {"id": license_id})
            await assert_typename_works(ws, "listening")
        await start(studio_ws, "spy", LICENSE_UPDATED, {"id": license_id})
        errors = await refusal_errors(studio_ws, "spy")
        assert [error["extensions"]["code"] for error in errors] == ["NOT_FOUND"]

        countered = (
            await graphql(
                server,
                COUNTER,
                {
                    "input": {
                        "licenseId": license_id,
                        "terms": {**TERMS, "price": {"amount": 15_000, "currency": "EUR"}},
                    }
                },
                photographer.access_token,
            )
        )["counterLicenseOffer"]
        assert countered["userErrors"] == []

        # The offer's own event may still be on its way (the relay publishes after commit): each message is
        # the license as it stands when the event arrives, so the counter-offer shows up by the last one.
        for ws in (brand_ws, photographer_ws):
            update = await next_update(ws)
            while update["status"] == "OFFERED":
                update = await next_update(ws)
            assert update == {
                "id": license_id,
                "status": "COUNTERED",
                "awaiting": "BRAND",
                "terms": {"price": {"amount": 15_000}},
            }
        await assert_silent(studio_ws, seconds=0.5)
        await assert_typename_works(studio_ws, "still-usable")
