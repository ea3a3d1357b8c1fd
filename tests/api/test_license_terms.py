"""License terms as buyers write them, through the API: custom terms and buyer references on offers and
counter-offers, the brand's company as licensee, references on the contract and in the delivered file's metadata,
finding licenses by reference; bad input refused whole; and an offer's expiry with time moved."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pyexiv2
import pytest
from sqlalchemy import func, select, update

from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import License, LicenseRevision, OutboxEvent, Photo
from lensgraph.schema.core import from_global_id
from tests.api.helpers import Account, sign_up
from tests.api.images import photo_jpeg
from tests.api.payment_flows import pay
from tests.api.test_licensing import ACCEPT, NODE, SIGN, answer, photo_of, terms

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")

OFFER = """mutation($input: CreateLicenseOfferInput!) { createLicenseOffer(input: $input) {
  license { id status terms { customTerms price { amount } } references { purchaseOrder project client } }
  userErrors { field code message } } }"""
COUNTER = """mutation($input: CounterLicenseOfferInput!) { counterLicenseOffer(input: $input) {
  license { id status terms { customTerms price { amount } } references { purchaseOrder project client } }
  userErrors { field code message } } }"""
PROFILE = """mutation($input: UpdateProfileInput!) { updateProfile(input: $input) {
  user { companyName } userErrors { field code } } }"""
FIND = """query($reference: String, $search: String) { viewer {
  licenses(filter: {reference: $reference}, search: $search) { totalCount edges { node { id } } } } }"""
DELIVERED = """query($id: ID!) { node(id: $id) { ... on License { licensedFileUrl contract { documentUrl } } } }"""
NOTIFICATIONS = "{ viewer { notifications { edges { node { eventType data } } } } }"

REFERENCES = {"purchaseOrder": "PO-2026-0042", "project": "Spring campaign", "client": "Northwind Traders"}


@pytest.fixture
async def parties(client) -> tuple[Account, Account]:
    brand = await sign_up(client, role="BRAND", firstName="Jane", lastName="Buyer")
    return brand, await sign_up(client, role="PHOTOGRAPHER", firstName="Ann", lastName="Shooter")


async def offer(client, brand: Account, photo_id: str, **extra: Any) -> dict[str, Any]:
    values = {"photoId": photo_id, "terms": terms(customTerms="Print run up to 5,000 copies."), **extra}
    return (await client.data(OFFER, {"input": values}, token=brand.access_token))["createLicenseOffer"]


async def license_count(services) -> int:
    async with services.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(License)) or 0)


async def test_offer_and_counter_carry_terms_and_references(client, services, parties):
    brand, photographer = parties
    made = await offer(client, brand, await photo_of(services, photographer), references=REFERENCES)
    assert made["userErrors"] == []
    assert made["license"]["terms"]["customTerms"] == "Print run up to 5,000 copies."
    assert made["license"]["references"] == REFERENCES
    license_id = made["license"]["id"]

    # The photographer counters with their own wording; the references stay the brand's.
    countered = await answer(
        client, COUNTER, photographer, licenseId=license_id, terms=terms(customTerms="Up to 3,000 copies.")
    )
    assert countered["license"]["terms"]["customTerms"] == "Up to 3,000 copies."
    assert countered["license"]["references"] == REFERENCES
    # The brand's counter may change its references.
    back = await answer(
        client, COUNTER, brand, licenseId=license_id, terms=terms(), references={**REFERENCES, "project": "Summer"}
    )
    assert back["userErrors"] == [] and back["license"]["references"]["project"] == "Summer"
    async with services.db.session() as session:
        kept = list(await session.scalars(select(LicenseRevision.terms).order_by(LicenseRevision.created_at)))
    assert kept[0]["customTerms"] == "Print run up to 5,000 copies." and "customTerms" not in kept[-1]


async def test_a_photographer_cannot_set_the_brands_references(client, services, parties):
    brand, photographer = parties
    license_id = (await offer(client, brand, await photo_of(services, photographer)))["license"]["id"]
    refused = await answer(
        client, COUNTER, photographer, licenseId=license_id, terms=terms(), references={"client": "Someone"}
    )
    assert refused["userErrors"] == [
        {"field": ["references"], "code": "INVALID_INPUT", "message": refused["userErrors"][0]["message"]}
    ]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"references": {"purchaseOrder": "P" * 201}}, ["references", "purchaseOrder"]),
        ({"references": {"project": "x" * 201}}, ["references", "project"]),
        ({"references": {"client": "c" * 201}}, ["references", "client"]),
        ({"terms": terms(customTerms="t" * 4001)}, ["terms", "customTerms"]),
    ],
)
async def test_too_long_input_is_refused_and_nothing_written(client, services, parties, extra, field):
    brand, photographer = parties
    photo_id = await photo_of(services, photographer)
    before = await license_count(services)
    refused = await offer(client, brand, photo_id, **extra)
    assert refused["license"] is None
    assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [(field, "INVALID_INPUT")]
    assert await license_count(services) == before

    # The same on a counter-offer: the license is left as it was.
    license_id = (await offer(client, brand, photo_id))["license"]["id"]
    countered = await answer(
        client, COUNTER, photographer, licenseId=license_id, terms=terms(price={"amount": 9, "currency": "EUR"})
    )
    assert countered["userErrors"] == []
    refused = await answer(client, COUNTER, brand, licenseId=license_id, **{"terms": terms(), **extra})
    assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [(field, "INVALID_INPUT")]
    node = (await client.data(NODE, {"id": license_id}, token=brand.access_token))["node"]
    assert (node["status"], node["terms"]["price"]["amount"]) == ("COUNTERED", 9)


async def test_company_name_is_checked(client, parties):
    brand = parties[0]
    named = await client.data(PROFILE, {"input": {"companyName": "  Northwind   Ltd "}}, token=brand.access_token)
    assert named["updateProfile"]["user"]["companyName"] == "Northwind Ltd"
    too_long = await client.data(PROFILE, {"input": {"companyName": "N" * 201}}, token=brand.access_token)
    assert too_long["updateProfile"]["userErrors"] == [{"field": ["companyName"], "code": "INVALID_INPUT"}]
    cleared = await client.data(PROFILE, {"input": {"companyName": ""}}, token=brand.access_token)
    assert cleared["updateProfile"]["user"]["companyName"] is None


async def test_contract_and_delivered_file_name_the_company_and_references(client, services, parties, stripe_fake):
    brand, photographer = parties
    await client.data(PROFILE, {"input": {"companyName": "Northwind Ltd"}}, token=brand.access_token)
    original = photo_jpeg(320, 200)
    digest = hashlib.sha256(original).hexdigest()
    photo_id = await photo_of(services, photographer, original_sha256=digest, size_bytes=len(original))
    async with services.db.session() as session:
        key = await session.scalar(select(Photo.original_key).where(Photo.id == from_global_id(photo_id)[1]))
    await services.storage.write(key, original, content_type="image/jpeg")

    license_id = (await offer(client, brand, photo_id, references=REFERENCES))["license"]["id"]
    contract = (await answer(client, ACCEPT, photographer, licenseId=license_id))["contract"]
    text = (await client.http.get(contract["documentUrl"])).text
    assert "Licensee: Northwind Ltd, represented by Jane Buyer (@" in text
    assert "Purchase order: PO-2026-0042." in text and "Project: Spring campaign." in text
    assert "Client: Northwind Traders." in text and "Further terms: Print run up to 5,000 copies." in text

    await answer(client, SIGN, brand, contractId=contract["id"], signatureName="Jane Buyer")
    await answer(client, SIGN, photographer, contractId=contract["id"], signatureName="Ann Shooter")
    before_paying = (await client.data(DELIVERED, {"id": license_id}, token=brand.access_token))["node"]
    assert before_paying["licensedFileUrl"] is None
    await pay(client, stripe_fake, brand, license_id)

    delivered = (await client.data(DELIVERED, {"id": license_id}, token=brand.access_token))["node"]
    licensed = (await client.http.get(delivered["licensedFileUrl"])).content
    assert licensed.endswith(original[original.index(b"\xff\xda") :])  # the very pixels
    with pyexiv2.ImageData(licensed) as image:
        xmp = image.read_xmp()
    assert xmp["Xmp.lensgraph.PurchaseOrder"] == "PO-2026-0042"
    assert xmp["Xmp.lensgraph.Project"] == "Spring campaign"
    assert xmp["Xmp.lensgraph.Client"] == "Northwind Traders"
    assert xmp["Xmp.lensgraph.LicenseId"] == str(from_global_id(license_id)[1])
    assert xmp["Xmp.lensgraph.Licensee"].startswith("Northwind Ltd, represented by Jane Buyer")
    assert "PO-2026-0042" in xmp["Xmp.xmpRights.UsageTerms"]['lang="x-default"']
    # Made once: later reads serve the stored copy without reading the original again.
    await services.storage.delete(key)
    again = (await client.data(DELIVERED, {"id": license_id}, token=brand.access_token))["node"]
    assert (await client.http.get(again["licensedFileUrl"])).content == licensed
    # The photographer gets no download of the brand's file.
    theirs = (await client.data(DELIVERED, {"id": license_id}, token=photographer.access_token))["node"]
    assert theirs["licensedFileUrl"] is None


async def test_licenses_are_found_by_reference(client, services, parties):
    brand, photographer = parties
    tagged = (await offer(client, brand, await photo_of(services, photographer), references=REFERENCES))["license"]
    await offer(client, brand, await photo_of(services, photographer), references={"project": "Other"})
    for account in (brand, photographer):
        for reference in ("po-2026-0042", "northwind", "Spring campaign"):
            found = (await client.data(FIND, {"reference": reference}, token=account.access_token))["viewer"]
            assert [edge["node"]["id"] for edge in found["licenses"]["edges"]] == [tagged["id"]], reference
    nothing = (await client.data(FIND, {"reference": "50%_off"}, token=brand.access_token))["viewer"]
    assert nothing["licenses"]["totalCount"] == 0
    too_long = await client.execute(FIND, {"reference": "r" * 201}, token=brand.access_token)
    assert too_long["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


# Expiry, with time moved ------------------------------------------------------------------------


async def test_an_offer_past_its_time_expires_both_are_told_and_accepting_is_refused(
    client, services, parties, background
):
    brand, photographer = parties
    license_id = (await offer(client, brand, await photo_of(services, photographer), validForHours=2))["license"]["id"]
    await background.settle()
    # Time moves on three hours: the offer's deadline is now behind us (nothing is slept).
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(
            update(License)
            .where(License.id == from_global_id(license_id)[1])
            .values(expires_at=utcnow() - timedelta(hours=1))
        )
    refused = await answer(client, ACCEPT, photographer, licenseId=license_id)
    assert refused["userErrors"][0]["code"] == "INVALID_TRANSITION" and "expired" in refused["userErrors"][0]["message"]
    # Still OFFERED until the sweep runs; the sweep makes it EXPIRED, once.
    assert (await client.data(NODE, {"id": license_id}, token=brand.access_token))["node"]["status"] == "OFFERED"
    background.send("licensing.expire_offers")
    await background.settle()
    background.send("licensing.expire_offers")
    await background.settle()
    assert (await client.data(NODE, {"id": license_id}, token=brand.access_token))["node"]["status"] == "EXPIRED"
    for account in (brand, photographer):
        seen = (await client.data(NOTIFICATIONS, token=account.access_token))["viewer"]["notifications"]["edges"]
        expired = [edge["node"] for edge in seen if edge["node"]["eventType"] == "license.expired"]
        assert len(expired) == 1, account.username
    async with services.db.session() as session:
        events = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "license.expired")
        )
    assert events == 1
    late = await answer(client, ACCEPT, photographer, licenseId=license_id)
    assert late["userErrors"][0]["code"] == "INVALID_TRANSITION"
