"""The payee's side through the API: the payments a photographer RECEIVED (fee, share, the payout each went into),
payouts with their items, and the PDF receipt (the brand's) and statement (the photographer's)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import Account, sign_up
from tests.api.payment_flows import onboard, paid_licenses, pay, signed_license
from tests.api.test_license_terms import PROFILE, REFERENCES
from tests.api.test_licensing import ACCEPT, SIGN, answer, photo_of
from tests.api.test_studio_documents import pdf_text

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")

PAYMENTS = """query($direction: PaymentDirection) { viewer { payments(direction: $direction) { totalCount edges {
  node { id status amount { amount } fee { amount formatted } share { amount formatted } payout { id status }
    receiptUrl license { id } } } } } }"""
PAYOUTS = """{ viewer { payouts { edges { node { id status amount { amount }
  items { kind gross { amount } fee { amount } net { amount } payment { id } } } } } } }"""

LIGHT = """{ viewer { payments(direction: RECEIVED) { edges { node { fee { amount } share { amount }
  payout { id } license { photo { title } } } } } } }"""


@pytest.fixture
async def parties(client) -> tuple[Account, Account]:
    brand = await sign_up(client, role="BRAND", firstName="Jane", lastName="Buyer")
    return brand, await sign_up(client, role="PHOTOGRAPHER", firstName="Ann", lastName="Shooter")


async def payments(client, account: Account, direction: str | None = None) -> list[dict[str, Any]]:
    variables = {"direction": direction} if direction else {}
    found = (await client.data(PAYMENTS, variables, token=account.access_token))["viewer"]["payments"]
    return [edge["node"] for edge in found["edges"]]


async def test_the_photographer_sees_what_was_received_and_where_it_went(
    client, services, parties, stripe_fake, background
):
    brand, photographer = parties
    await client.data(PROFILE, {"input": {"companyName": "Northwind Ltd"}}, token=brand.access_token)
    photo_id = await photo_of(services, photographer)
    license_id = await signed_license(client, brand, photographer, photo_id)
    await pay(client, stripe_fake, brand, license_id)

    # The brand's list is as it was (PAID is the default): no fee, no share, no payout shown to the payer.
    [paid] = await payments(client, brand)
    assert (paid["amount"], paid["fee"], paid["share"], paid["payout"]) == ({"amount": 25_000}, None, None, None)
    assert await payments(client, brand, "RECEIVED") == []
    assert await payments(client, photographer) == []

    [received] = await payments(client, photographer, "RECEIVED")
    assert received["id"] == paid["id"] and received["license"]["id"] == license_id
    assert received["fee"] == {"amount": 5_000, "formatted": "50.00 EUR"}
    assert received["share"] == {"amount": 20_000, "formatted": "200.00 EUR"}
    assert received["payout"] is None

    await onboard(client, stripe_fake, photographer)
    background.send("payments.pay_out")
    await background.settle()
    [received] = await payments(client, photographer, "RECEIVED")
    assert received["payout"]["status"] == "PAID"
    [payout] = [
        edge["node"]
        for edge in (await client.data(PAYOUTS, token=photographer.access_token))["viewer"]["payouts"]["edges"]
    ]
    assert payout["id"] == received["payout"]["id"] and payout["amount"] == {"amount": 20_000}
    assert payout["items"] == [
        {
            "kind": "SALE",
            "gross": {"amount": 25_000},
            "fee": {"amount": 5_000},
            "net": {"amount": 20_000},
            "payment": {"id": received["id"]},
        }
    ]

    # The receipt (the brand's) and the statement (the photographer's), as PDFs.
    receipt = pdf_text((await client.http.get(paid["receiptUrl"])).content)
    assert b"Receipt" in receipt and b"250.00 EUR" in receipt and b"Northwind Ltd, represented by Jane Buyer" in receipt
    assert b"Platform fee" not in receipt
    [received] = await payments(client, photographer, "RECEIVED")
    statement = pdf_text((await client.http.get(received["receiptUrl"])).content)
    assert b"Payment statement" in statement and b"Platform fee: 50.00 EUR" in statement
    assert b"Your share: 200.00 EUR" in statement and b"In payout " in statement
    assert b"Northwind Ltd" in statement


async def test_receipts_carry_the_brands_references(client, services, parties, stripe_fake):
    brand, photographer = parties
    photo_id = await photo_of(services, photographer)
    license_id = await signed_license(client, brand, photographer, photo_id)
    # This license has no references; a second is offered with them.
    offered = await client.data(
        """mutation($input: CreateLicenseOfferInput!) { createLicenseOffer(input: $input) { license { id } } }""",
        {
            "input": {
                "photoId": await photo_of(services, photographer),
                "terms": {"usage": "EDITORIAL", "media": ["WEB"], "price": {"amount": 10_000, "currency": "EUR"}},
                "references": REFERENCES,
            }
        },
        token=brand.access_token,
    )
    referenced = offered["createLicenseOffer"]["license"]["id"]
    contract_id = (await answer(client, ACCEPT, photographer, licenseId=referenced))["contract"]["id"]
    await answer(client, SIGN, brand, contractId=contract_id, signatureName="Jane Buyer")
    await answer(client, SIGN, photographer, contractId=contract_id, signatureName="Ann Shooter")
    await pay(client, stripe_fake, brand, referenced)
    await pay(client, stripe_fake, brand, license_id)
    by_license = {node["license"]["id"]: node for node in await payments(client, brand)}
    receipt = pdf_text((await client.http.get(by_license[referenced]["receiptUrl"])).content)
    assert b"Purchase order: PO-2026-0042" in receipt and b"Client: Northwind Traders" in receipt
    assert b"Licensee: Jane Buyer" in receipt
    other = pdf_text((await client.http.get(by_license[license_id]["receiptUrl"])).content)
    assert b"References" not in other
    # Another brand sees neither.
    stranger = await sign_up(client, role="BRAND")
    node = await client.data(
        "query($id: ID!) { node(id: $id) { ... on Payment { receiptUrl } } }",
        {"id": by_license[referenced]["id"]},
        token=stranger.access_token,
    )
    assert node["node"] is None


async def test_received_payments_cost_the_same_at_any_size(client, services, parties, sql):
    brand, photographer = parties
    counts = []
    for more in (3, 27):
        await paid_licenses(services, brand, photographer, more)
        sql.reset()
        listed = (await client.data(LIGHT, token=photographer.access_token))["viewer"]["payments"]["edges"]
        counts.append(sql.count)
    assert len(listed) == 20 and counts[0] == counts[1], counts
