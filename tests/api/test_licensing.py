"""License negotiation and contracts through the API: the whole flow, every refusal, concurrency."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from lensgraph.domain.photos import PhotoStatus, ReleaseKind
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import License, Release, ReleasePhoto
from lensgraph.schema.core import from_global_id, to_global_id
from tests.api.factories import ready_photos
from tests.api.helpers import Account, sign_up

LICENSE_FIELDS = """id status awaiting viewerParty expiresAt
  terms { usage media territories worldwide durationDays exclusivity price { amount currency formatted } }
  photo { id } brand { username } photographer { username }
  revisions { party message author { username } terms { price { amount } } }
  contract { id status }"""
OFFER = f"""mutation($input: CreateLicenseOfferInput!) {{ createLicenseOffer(input: $input) {{
  license {{ {LICENSE_FIELDS} }} userErrors {{ field code message }} }} }}"""
COUNTER = f"""mutation($input: CounterLicenseOfferInput!) {{ counterLicenseOffer(input: $input) {{
  license {{ {LICENSE_FIELDS} }} userErrors {{ field code message }} }} }}"""
ACCEPT = f"""mutation($input: LicenseIdInput!) {{ acceptLicenseOffer(input: $input) {{
  license {{ {LICENSE_FIELDS} }} contract {{ id status contentHash documentUrl terms {{ price {{ amount }} }} }}
  userErrors {{ field code message }} }} }}"""
DECLINE = """mutation($input: LicenseAnswerInput!) { declineLicenseOffer(input: $input) {
  license { status revisions { message } } userErrors { field code message } } }"""
CANCEL = """mutation($input: LicenseIdInput!) { cancelLicenseOffer(input: $input) {
  license { status } userErrors { field code message } } }"""
SIGN = """mutation($input: SignContractInput!) { signContract(input: $input) {
  contract { id status brandSignature { name signedAt } photographerSignature { name } license { status } }
  userErrors { field code message } } }"""
NODE = f"""query($id: ID!) {{ node(id: $id) {{ ... on License {{ {LICENSE_FIELDS} }} }} }}"""


def terms(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "usage": "EDITORIAL",
        "media": ["WEB", "SOCIAL"],
        "territories": ["fr", "DE"],
        "durationDays": 365,
        "price": {"amount": 25_000, "currency": "EUR"},
    }
    values.update(changes)
    return values


async def photo_of(services, photographer: Account, **fields: Any) -> str:
    [photo_id] = await ready_photos(services, photographer, 1, **fields)
    return to_global_id("Photo", photo_id)


async def offer(client, brand: Account, photo_id: str, **changes: Any) -> dict[str, Any]:
    variables = {"input": {"photoId": photo_id, "terms": terms(**changes), "message": "For our spring campaign."}}
    return (await client.data(OFFER, variables, token=brand.access_token))["createLicenseOffer"]


async def answer(client, mutation: str, account: Account, **values: Any) -> dict[str, Any]:
    data = await client.data(mutation, {"input": values}, token=account.access_token)
    return next(iter(data.values()))


@pytest.fixture
async def parties(client) -> tuple[Account, Account]:
    return await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER")


# The whole negotiation ------------------------------------------------------------------------


async def test_offer_counter_counter_accept_sign_sign(client, services, parties, background):
    brand, photographer = parties
    photo_id = await photo_of(services, photographer)

    offered = await offer(client, brand, photo_id)
    assert offered["userErrors"] == []
    license_ = offered["license"]
    assert (license_["status"], license_["awaiting"], license_["viewerParty"]) == ("OFFERED", "PHOTOGRAPHER", "BRAND")
    assert license_["terms"]["territories"] == ["DE", "FR"] and not license_["terms"]["worldwide"]
    assert license_["terms"]["price"]["formatted"] == "250.00 EUR"
    assert license_["photographer"]["username"] == photographer.username
    license_id = license_["id"]

    countered = await answer(
        client,
        COUNTER,
        photographer,
        licenseId=license_id,
        terms=terms(price={"amount": 40_000, "currency": "EUR"}),
        message="My usual rate.",
    )
    assert countered["userErrors"] == []
    assert (countered["license"]["status"], countered["license"]["awaiting"]) == ("COUNTERED", "BRAND")

    countered_back = await answer(
        client, COUNTER, brand, licenseId=license_id, terms=terms(price={"amount": 32_000, "currency": "EUR"})
    )
    assert (countered_back["license"]["status"], countered_back["license"]["awaiting"]) == ("OFFERED", "PHOTOGRAPHER")

    accepted = await answer(client, ACCEPT, photographer, licenseId=license_id)
    assert accepted["userErrors"] == []
    assert (accepted["license"]["status"], accepted["license"]["awaiting"]) == ("ACCEPTED", None)
    contract = accepted["contract"]
    assert contract["status"] == "AWAITING_SIGNATURES" and len(contract["contentHash"]) == 64
    assert contract["terms"]["price"]["amount"] == 32_000
    document = await client.http.get(contract["documentUrl"])
    assert document.status_code == 200
    assert "Fee: 320.00 EUR" in document.text and contract["contentHash"] in document.text

    revisions = accepted["license"]["revisions"]
    assert [(revision["party"], revision["terms"]["price"]["amount"]) for revision in revisions] == [
        ("BRAND", 25_000),
        ("PHOTOGRAPHER", 40_000),
        ("BRAND", 32_000),
    ]
    assert revisions[1]["message"] == "My usual rate." and revisions[1]["author"]["username"] == photographer.username

    signed_once = await answer(client, SIGN, brand, contractId=contract["id"], signatureName="Jane Brand")
    assert signed_once["contract"]["status"] == "AWAITING_SIGNATURES"
    assert signed_once["contract"]["brandSignature"]["name"] == "Jane Brand"
    assert signed_once["contract"]["photographerSignature"] is None
    signed = await answer(client, SIGN, photographer, contractId=contract["id"], signatureName="Ann Photographer")
    assert signed["userErrors"] == []
    assert signed["contract"]["status"] == "SIGNED"
    assert signed["contract"]["license"]["status"] == "AWAITING_PAYMENT"

    await background.settle()
    notifications = await client.data(
        "{ viewer { notifications { edges { node { eventType data } } } } }", token=photographer.access_token
    )
    types = [edge["node"]["eventType"] for edge in notifications["viewer"]["notifications"]["edges"]]
    assert {"license.created", "license.countered", "license.accepted", "contract.signed"} <= set(types)


async def test_both_parties_list_their_licenses_and_contracts(client, services, parties):
    brand, photographer = parties
    first = (await offer(client, brand, await photo_of(services, photographer)))["license"]["id"]
    second = (await offer(client, brand, await photo_of(services, photographer)))["license"]["id"]
    await answer(client, DECLINE, photographer, licenseId=first, message="Not for sale.")
    await answer(client, ACCEPT, photographer, licenseId=second)

    query = """query($party: LicenseParty, $status: [LicenseStatus!]) { viewer {
      licenses(party: $party, status: $status) { totalCount edges { node { id status } } }
      contracts { totalCount edges { node { license { id } } } } } }"""
    as_brand = (await client.data(query, {"party": "BRAND"}, token=brand.access_token))["viewer"]
    assert [edge["node"]["id"] for edge in as_brand["licenses"]["edges"]] == [second, first]
    assert as_brand["contracts"]["totalCount"] == 1
    declined = await client.data(query, {"status": ["DECLINED"]}, token=photographer.access_token)
    assert [edge["node"]["id"] for edge in declined["viewer"]["licenses"]["edges"]] == [first]
    as_photographer_brand = await client.data(query, {"party": "BRAND"}, token=photographer.access_token)
    assert as_photographer_brand["viewer"]["licenses"]["totalCount"] == 0


async def test_outsiders_see_nothing_of_a_license(client, services, parties):
    brand, photographer = parties
    license_id = (await offer(client, brand, await photo_of(services, photographer)))["license"]["id"]
    stranger = await sign_up(client, role="BRAND")
    assert (await client.data(NODE, {"id": license_id}, token=stranger.access_token))["node"] is None
    assert (await client.data(NODE, {"id": license_id}))["node"] is None
    refused = await answer(client, CANCEL, stranger, licenseId=license_id)
    assert refused["userErrors"][0]["code"] == "NOT_FOUND"


# Refused offers ----------------------------------------------------------------------------------


async def test_only_brands_make_offers(client, services, parties):
    _, photographer = parties
    other = await sign_up(client, role="PHOTOGRAPHER")
    body = await client.execute(
        OFFER,
        {"input": {"photoId": await photo_of(services, photographer), "terms": terms()}},
        token=other.access_token,
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("photo_fields", "code"),
    [({"status": PhotoStatus.PROCESSING}, "INVALID_INPUT"), ({"status": PhotoStatus.FAILED}, "INVALID_INPUT")],
)
async def test_no_offer_on_a_photo_that_is_not_ready(client, services, parties, photo_fields, code):
    brand, photographer = parties
    payload = await offer(client, brand, await photo_of(services, photographer, **photo_fields))
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [(["photoId"], code)]
    assert payload["license"] is None


async def test_no_offer_on_a_deleted_photo(client, services, parties):
    brand, photographer = parties
    photo_id = await photo_of(services, photographer)
    deleted = await client.data(
        "mutation($id: ID!) { deletePhoto(input: {id: $id}) { ok } }", {"id": photo_id}, token=photographer.access_token
    )
    assert deleted["deletePhoto"]["ok"]
    assert (await offer(client, brand, photo_id))["userErrors"][0]["code"] == "NOT_FOUND"


async def test_no_offer_on_your_own_photo(client, services):
    studio_brand = await sign_up(client, role="BRAND")
    [photo_key] = await ready_photos(services, studio_brand, 1)
    payload = await offer(client, studio_brand, to_global_id("Photo", photo_key))
    assert payload["userErrors"][0]["code"] == "INVALID_INPUT"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"price": {"amount": -100, "currency": "EUR"}}, ["terms", "price"], "INVALID_INPUT"),
        ({"price": {"amount": 0, "currency": "EUR"}}, ["terms", "price"], "INVALID_INPUT"),
        ({"price": {"amount": 1_000_000_001, "currency": "USD"}}, ["terms", "price"], "INVALID_INPUT"),
        ({"price": {"amount": 100, "currency": "XYZ"}}, ["terms.price.currency"], "INVALID_INPUT"),
        ({"media": []}, ["terms", "media"], "INVALID_INPUT"),
        ({"territories": ["ZZ"]}, ["terms", "territories"], "INVALID_INPUT"),
        ({"durationDays": 0}, ["terms", "durationDays"], "INVALID_INPUT"),
    ],
)
async def test_impossible_terms_are_refused(client, services, parties, changes, field, code):
    brand, photographer = parties
    payload = await offer(client, brand, await photo_of(services, photographer), **changes)
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [(field, code)]


async def test_commercial_use_of_people_without_a_release_is_refused(client, services, parties):
    brand, photographer = parties
    photo_id = await photo_of(services, photographer, face_count=2)
    refused = await offer(client, brand, photo_id, usage="COMMERCIAL")
    assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [
        (["terms", "usage"], "RELEASE_REQUIRED")
    ]
    assert (await offer(client, brand, photo_id, usage="EDITORIAL"))["userErrors"] == []

    # Once a signed model release covers the photo, commercial use is open.
    release = Release(
        user_id=from_global_id(photographer.id)[1],
        kind=ReleaseKind.MODEL,
        subject_name="Mia Model",
        signed_on=date(2026, 11, 1),
        document_key="releases/mia.pdf",
        document_mime_type="application/pdf",
    )
    async with services.db.unit_of_work() as uow:
        uow.session.add(release)
        await uow.session.flush()
        uow.session.add(ReleasePhoto(release_id=release.id, photo_id=from_global_id(photo_id)[1]))
    assert (await offer(client, brand, photo_id, usage="COMMERCIAL"))["userErrors"] == []


async def test_an_exclusive_deal_blocks_conflicting_offers(client, services, parties):
    brand, photographer = parties
    photo_id = await photo_of(services, photographer)
    exclusive = (await offer(client, brand, photo_id, exclusivity="FULL", territories=["FR"]))["license"]["id"]
    # An exclusive offer under negotiation blocks nobody yet.
    rival = await sign_up(client, role="BRAND")
    assert (await offer(client, rival, photo_id, territories=["FR"]))["userErrors"] == []
    await answer(client, ACCEPT, photographer, licenseId=exclusive)

    refused = await offer(client, rival, photo_id, territories=["FR", "BE"])
    assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [
        (["terms", "exclusivity"], "CONFLICT")
    ]
    assert (await offer(client, rival, photo_id, territories=["BE"]))["userErrors"] == []


# Refused answers -----------------------------------------------------------------------------


async def test_only_the_awaited_party_answers(client, services, parties):
    brand, photographer = parties
    license_id = (await offer(client, brand, await photo_of(services, photographer)))["license"]["id"]
    for mutation, values in ((COUNTER, {"terms": terms()}), (ACCEPT, {}), (DECLINE, {})):
        refused = await answer(client, mutation, brand, licenseId=license_id, **values)
        assert refused["userErrors"][0]["code"] == "INVALID_TRANSITION", mutation
    refused = await answer(client, CANCEL, photographer, licenseId=license_id)
    assert refused["userErrors"][0]["code"] == "INVALID_TRANSITION"


async def test_a_counter_keeps_the_currency(client, services, parties):
    brand, photographer = parties
    license_id = (await offer(client, brand, await photo_of(services, photographer)))["license"]["id"]
    refused = await answer(
        client, COUNTER, photographer, licenseId=license_id, terms=terms(price={"amount": 500, "currency": "USD"})
    )
    assert refused["userErrors"][0]["field"] == ["terms", "price"]


async def test_cancelled_and_expired_offers_cannot_be_accepted(client, services, parties, background):
    brand, photographer = parties
    cancelled = (await offer(client, brand, await photo_of(services, photographer)))["license"]["id"]
    assert (await answer(client, CANCEL, brand, licenseId=cancelled))["license"]["status"] == "CANCELLED"
    assert (await answer(client, ACCEPT, photographer, licenseId=cancelled))["userErrors"][0]["code"] == (
        "INVALID_TRANSITION"
    )

    stale = (await offer(client, brand, await photo_of(services, photographer)))["license"]["id"]
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(
            update(License)
            .where(License.id == from_global_id(stale)[1])
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    # Too late even before the sweep has run.
    assert (await answer(client, ACCEPT, photographer, licenseId=stale))["userErrors"][0]["code"] == (
        "INVALID_TRANSITION"
    )
    background.send("licensing.expire_offers")
    await background.settle()
    node = (await client.data(NODE, {"id": stale}, token=brand.access_token))["node"]
    assert node["status"] == "EXPIRED"
    still_open = (await client.data(NODE, {"id": cancelled}, token=brand.access_token))["node"]
    assert still_open["status"] == "CANCELLED"


async def test_accept_and_cancel_at_once_one_wins(client, services, parties):
    brand, photographer = parties
    for _ in range(3):
        license_id = (await offer(client, brand, await photo_of(services, photographer)))["license"]["id"]
        accepted, cancelled = await asyncio.gather(
            answer(client, ACCEPT, photographer, licenseId=license_id),
            answer(client, CANCEL, brand, licenseId=license_id),
        )
        outcomes = sorted(bool(payload["userErrors"]) for payload in (accepted, cancelled))
        assert outcomes == [False, True], (accepted, cancelled)
        loser = accepted if accepted["userErrors"] else cancelled
        assert loser["userErrors"][0]["code"] in {"CONFLICT", "INVALID_TRANSITION"}
        final = (await client.data(NODE, {"id": license_id}, token=brand.access_token))["node"]["status"]
        winner = "CANCELLED" if accepted["userErrors"] else "ACCEPTED"
        assert final == winner


# Contracts -------------------------------------------------------------------------------------


async def test_contract_signing_refusals(client, services, parties):
    brand, photographer = parties
    license_id = (await offer(client, brand, await photo_of(services, photographer)))["license"]["id"]
    contract_id = (await answer(client, ACCEPT, photographer, licenseId=license_id))["contract"]["id"]

    stranger = await sign_up(client, role="BRAND")
    refused = await answer(client, SIGN, stranger, contractId=contract_id, signatureName="Eve")
    assert refused["userErrors"][0]["code"] == "NOT_FOUND"
    refused = await answer(client, SIGN, brand, contractId=contract_id, signatureName="   ")
    assert refused["userErrors"][0]["field"] == ["signatureName"]
    await answer(client, SIGN, brand, contractId=contract_id, signatureName="Jane Brand")
    twice = await answer(client, SIGN, brand, contractId=contract_id, signatureName="Jane Brand")
    assert twice["userErrors"][0]["code"] == "INVALID_TRANSITION"
    contract = await client.data(
        "query($id: ID!) { node(id: $id) { ... on Contract { status brandSignature { name } } } }",
        {"id": contract_id},
        token=stranger.access_token,
    )
    assert contract["node"] is None


async def test_a_photo_under_an_agreed_license_cannot_be_deleted(client, services, parties):
    brand, photographer = parties
    photo_id = await photo_of(services, photographer)
    license_id = (await offer(client, brand, photo_id))["license"]["id"]
    await answer(client, ACCEPT, photographer, licenseId=license_id)
    refused = await client.data(
        "mutation($id: ID!) { deletePhoto(input: {id: $id}) { ok userErrors { field code message } } }",
        {"id": photo_id},
        token=photographer.access_token,
    )
    assert refused["deletePhoto"]["userErrors"][0]["code"] == "CONFLICT"


async def test_deleting_a_photo_declines_its_open_offers(client, services, parties):
    brand, photographer = parties
    photo_id = await photo_of(services, photographer)
    license_id = (await offer(client, brand, photo_id))["license"]["id"]
    await client.data(
        "mutation($id: ID!) { deletePhoto(input: {id: $id}) { ok } }", {"id": photo_id}, token=photographer.access_token
    )
    node = (await client.data(NODE, {"id": license_id}, token=brand.access_token))["node"]
    assert (node["status"], node["photo"]) == ("DECLINED", None)


async def test_nested_license_lists_cost_the_same_at_any_size(client, services, parties, sql, unmetered):
    brand, photographer = parties
    query = f"{{ viewer {{ licenses(first: 50) {{ edges {{ node {{ {LICENSE_FIELDS} }} }} }} }} }}"

    async def negotiations(count: int) -> None:
        for _ in range(count):
            license_id = (await offer(client, brand, await photo_of(services, photographer)))["license"]["id"]
            await answer(client, COUNTER, photographer, licenseId=license_id, terms=terms())
            await answer(client, ACCEPT, brand, licenseId=license_id)

    counts = []
    for more in (2, 10):
        await negotiations(more)
        sql.reset()
        listed = await client.data(query, token=brand.access_token)
        counts.append(sql.count)
        assert all(edge["node"]["contract"] for edge in listed["viewer"]["licenses"]["edges"])
    assert counts[0] == counts[1], counts
