"""The offline payment mode against a real server: announced at start-up, a checkout page a browser can use, and
the payment reaching the license's live subscribers and unlocking the original."""

from __future__ import annotations

import httpx

from tests.api.images import photo_jpeg

from .conftest import Server
from .test_live_updates import LICENSE_UPDATED, OFFER, PHOTO_PROCESSED, TERMS, next_update, start, upload_photo
from .test_subscriptions import (
    BRAND,
    PHOTOGRAPHER,
    TIMEOUT,
    assert_typename_works,
    graphql,
    graphql_socket,
    login,
    receive,
)

ACCEPT = """mutation($input: LicenseIdInput!) {
  acceptLicenseOffer(input: $input) { contract { id } userErrors { code message } } }"""
SIGN = """mutation($input: SignContractInput!) { signContract(input: $input) { userErrors { code message } } }"""
CHECKOUT = """mutation($input: CreateLicenseCheckoutInput!) {
  createLicenseCheckout(input: $input) { checkoutUrl userErrors { code message } } }"""
ORIGINAL = "query($id: ID!) { node(id: $id) { ... on License { originalDownloadUrl } } }"


async def test_an_offline_checkout_activates_the_license_live(server: Server):
    assert "PAYMENTS ARE OFFLINE (DEVELOPMENT ONLY)" in server.log()
    photographer = await login(server, PHOTOGRAPHER)
    brand = await login(server, BRAND)
    photo_id = await upload_photo(server, photographer.access_token)
    async with graphql_socket(server, photographer.access_token) as ws:
        await start(ws, "processed", PHOTO_PROCESSED, {"id": photo_id})
        assert (await receive(ws))["payload"]["data"]["photoProcessed"]["status"] == "READY"
    offered = (await graphql(server, OFFER, {"input": {"photoId": photo_id, "terms": TERMS}}, brand.access_token))[
        "createLicenseOffer"
    ]
    license_id = offered["license"]["id"]
    contract_id = (await graphql(server, ACCEPT, {"input": {"licenseId": license_id}}, photographer.access_token))[
        "acceptLicenseOffer"
    ]["contract"]["id"]
    for token, name in ((brand.access_token, "Jane Brand"), (photographer.access_token, "Ann Photographer")):
        signed = await graphql(server, SIGN, {"input": {"contractId": contract_id, "signatureName": name}}, token)
        assert signed["signContract"]["userErrors"] == []

    async with graphql_socket(server, brand.access_token) as ws:
        await start(ws, "license", LICENSE_UPDATED, {"id": license_id})
        await assert_typename_works(ws, "listening")
        checkout = (await graphql(server, CHECKOUT, {"input": {"licenseId": license_id}}, brand.access_token))[
            "createLicenseCheckout"
        ]
        url = checkout["checkoutUrl"]
        assert url.startswith(f"{server.base_url}/payments/offline/")
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            page = await http.get(url)
            assert page.status_code == 200 and "DEVELOPMENT" in page.text
            confirmed = await http.post(url, follow_redirects=True)
            assert confirmed.status_code == 200 and "being confirmed" in confirmed.text

        update = await next_update(ws)
        while update["status"] != "ACTIVE":
            update = await next_update(ws)

    original = (await graphql(server, ORIGINAL, {"id": license_id}, brand.access_token))["node"]["originalDownloadUrl"]
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        assert (await http.get(original)).content == photo_jpeg()
