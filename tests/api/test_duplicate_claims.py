"""Duplicate claims through the API: the original's owner told of a possible copy (photo.duplicateFound), claiming
it, an administrator dismissing the claim or taking the photo down, and what a take-down does (catalogue, listings,
licenses, notifications); bad input and races."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from lensgraph.domain.money import Currency
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Listing
from lensgraph.schema.core import from_global_id, to_global_id
from tests.api.factories import admin_account, completed_verifications, ready_photos, user_key
from tests.api.helpers import Account, sign_up
from tests.api.images import photo_jpeg, resized
from tests.api.payment_flows import active_license
from tests.api.test_licensing import offer
from tests.api.test_photos import upload

CLAIM = """mutation($input: ClaimDuplicateInput!) { claimDuplicate(input: $input) {
  claim { id status note photo { id } originalPhoto { id } history { status note actorId } }
  userErrors { field code message } } }"""
RESOLVE = """mutation($input: ResolveDuplicateInput!) { resolveDuplicate(input: $input) {
  claim { id status resolvedAt history { status note actorId } } userErrors { field code message } } }"""
MINE = "{ viewer { duplicateClaims { totalCount edges { node { id status history { status } } } } } }"
ADMIN_LIST = """query($status: DuplicateClaimStatus) { duplicateClaims(status: $status) {
  totalCount edges { node { id status } } } }"""
NODE = """query($id: ID!) { node(id: $id) { id ... on Photo { status } } }"""
CLAIM_NODE = """query($id: ID!) { node(id: $id) { id ... on DuplicateClaim { status history { status } } } }"""
NOTIFICATIONS = "{ viewer { notifications { edges { node { eventType data } } } } }"
PUBLIC_PHOTOS = "{ photos(first: 100) { edges { node { id } } } }"
LICENSE = """query($id: ID!) { node(id: $id) { ... on License { status photoTakenDownAt } } }"""


@pytest.fixture
async def admin(client, services) -> Account:
    account: Account = await admin_account(client, services)
    return account


@pytest.fixture
async def pair(client, services) -> tuple[Account, Account, str, str]:
    """An original's owner, an uploader, the original and the uploader's photo flagged as a possible copy of it."""
    owner, uploader = await sign_up(client), await sign_up(client)
    [original] = await ready_photos(services, owner, 1, phash="ffff0000ffff0000", original_sha256="a" * 64)
    [copy] = await ready_photos(
        services, uploader, 1, phash="ffff0000ffff0001", original_sha256="b" * 64, possible_duplicate_of_id=original
    )
    return owner, uploader, to_global_id("Photo", original), to_global_id("Photo", copy)


async def claim(client, account: Account, photo_id: str, note: str = "My shot, from my 2025 series.") -> dict[str, Any]:
    data = await client.data(CLAIM, {"input": {"photoId": photo_id, "note": note}}, token=account.access_token)
    payload: dict[str, Any] = data["claimDuplicate"]
    return payload


async def resolve(client, account: Account, claim_id: str, decision: str, note: str = "Checked.") -> dict[str, Any]:
    variables = {"input": {"id": claim_id, "decision": decision, "note": note}}
    data = await client.data(RESOLVE, variables, token=account.access_token)
    payload: dict[str, Any] = data["resolveDuplicate"]
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def notices(client, account: Account, event_type: str) -> list[dict[str, Any]]:
    edges = (await client.data(NOTIFICATIONS, token=account.access_token))["viewer"]["notifications"]["edges"]
    return [edge["node"]["data"] for edge in edges if edge["node"]["eventType"] == event_type]


# Told, claimed, resolved ---------------------------------------------------------------------------


async def test_the_originals_owner_is_told_of_a_possible_copy_by_someone_else(client, background):
    owner, copier = await sign_up(client), await sign_up(client)
    original_bytes = photo_jpeg(seed=21)
    original = (await upload(client, owner, original_bytes))["photo"]
    await background.settle()
    copy = (await upload(client, copier, resized(original_bytes, 0.5)))["photo"]
    # The analysis, then the relay of what it emitted.
    await background.settle()
    await background.settle()
    assert await notices(client, owner, "photo.duplicateFound") == [
        {"photoId": copy["id"], "originalPhotoId": original["id"]}
    ]
    # The uploader is not told (only an administrator's take-down is, later).
    assert await notices(client, copier, "photo.duplicateFound") == []
    # The owner claims the copy from the notice.
    claimed = await claim(client, owner, copy["id"])
    assert claimed["userErrors"] == [] and claimed["claim"]["status"] == "OPEN"


async def test_a_claim_is_seen_by_claimant_uploader_and_admins_and_dismissed_once(client, pair, admin, background):
    owner, uploader, original, copy = pair
    filed = await claim(client, owner, copy)
    assert filed["userErrors"] == []
    claim_id = filed["claim"]["id"]
    assert filed["claim"]["photo"] == {"id": copy} and filed["claim"]["originalPhoto"] == {"id": original}
    assert filed["claim"]["history"] == [
        {"status": "OPEN", "note": "My shot, from my 2025 series.", "actorId": owner.id}
    ]

    for account in (owner, uploader):
        mine = (await client.data(MINE, token=account.access_token))["viewer"]["duplicateClaims"]
        assert [edge["node"]["id"] for edge in mine["edges"]] == [claim_id]
    stranger = await sign_up(client)
    assert (await client.data(CLAIM_NODE, {"id": claim_id}, token=stranger.access_token))["node"] is None
    assert (await client.data(MINE, token=stranger.access_token))["viewer"]["duplicateClaims"]["totalCount"] == 0
    listed = (await client.data(ADMIN_LIST, {"status": "OPEN"}, token=admin.access_token))["duplicateClaims"]
    assert [edge["node"]["id"] for edge in listed["edges"]] == [claim_id]

    # Only an administrator resolves it.
    refused = await client.execute(
        RESOLVE, {"input": {"id": claim_id, "decision": "DISMISSED"}}, token=owner.access_token
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listing = await client.execute(ADMIN_LIST, token=owner.access_token)
    assert listing["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    dismissed = await resolve(client, admin, claim_id, "DISMISSED", "Different framing.")
    assert dismissed["userErrors"] == [] and dismissed["claim"]["status"] == "DISMISSED"
    assert dismissed["claim"]["resolvedAt"]
    assert dismissed["claim"]["history"] == [
        {"status": "OPEN", "note": "My shot, from my 2025 series.", "actorId": owner.id},
        {"status": "DISMISSED", "note": "Different framing.", "actorId": admin.id},
    ]
    again = await resolve(client, admin, claim_id, "TAKEN_DOWN")
    assert codes(again) == ["INVALID_TRANSITION"]
    # Nothing of the refused resolution was written: the photo is still in the catalogue.
    assert (await client.data(NODE, {"id": copy}))["node"] == {"id": copy, "status": "READY"}
    history = (await client.data(CLAIM_NODE, {"id": claim_id}, token=uploader.access_token))["node"]
    assert [item["status"] for item in history["history"]] == ["OPEN", "DISMISSED"]
    await background.settle()
    for account in (owner, uploader):
        [told] = await notices(client, account, "duplicateClaim.resolved")
        assert told == {"claimId": claim_id, "photoId": copy, "decision": "DISMISSED"}
    # Dismissed, the photo may be claimed again.
    assert (await claim(client, owner, copy))["userErrors"] == []


async def test_taking_a_photo_down(client, services, pair, admin, background):
    owner, uploader, _, copy = pair
    brand = await sign_up(client, role="BRAND")
    now = utcnow()
    copy_uuid = from_global_id(copy)[1]
    running = active_license(copy_uuid, brand, uploader, now)
    [verification] = await completed_verifications(services, uploader, 1, image_sha256="b" * 64)
    async with services.db.unit_of_work() as uow:
        uow.session.add(running)
        listing = Listing(
            verification_id=verification,
            seller_id=user_key(uploader),
            title="The copy",
            currency=Currency.EUR,
            lowest_price=5_000,
        )
        uow.session.add(listing)
    license_id = to_global_id("License", running.id)
    public = [edge["node"]["id"] for edge in (await client.data(PUBLIC_PHOTOS))["photos"]["edges"]]
    assert copy in public

    claim_id = (await claim(client, owner, copy))["claim"]["id"]
    taken = await resolve(client, admin, claim_id, "TAKEN_DOWN", "Same frame, same EXIF.")
    assert taken["userErrors"] == [] and taken["claim"]["status"] == "TAKEN_DOWN"

    # Out of the catalogue: not listed, not a node for anyone but its uploader.
    public = [edge["node"]["id"] for edge in (await client.data(PUBLIC_PHOTOS))["photos"]["edges"]]
    assert copy not in public
    for account in (None, brand, owner):
        token = account.access_token if account else None
        assert (await client.data(NODE, {"id": copy}, token=token))["node"] is None
    assert (await client.data(NODE, {"id": copy}, token=uploader.access_token))["node"]["status"] == "TAKEN_DOWN"
    # Its listing is withdrawn; it cannot be licensed.
    async with services.db.session() as session:
        assert (await session.get(Listing, listing.id)).active is False  # type: ignore[union-attr]
    refused = await offer(client, await sign_up(client, role="BRAND"), copy)
    assert codes(refused) == ["PHOTO_TAKEN_DOWN"]
    # The running license is flagged, to both parties.
    for account in (brand, uploader):
        flagged = (await client.data(LICENSE, {"id": license_id}, token=account.access_token))["node"]
        assert flagged["status"] == "ACTIVE" and flagged["photoTakenDownAt"]
    await background.settle()
    for account in (brand, uploader):
        assert await notices(client, account, "license.photoTakenDown") == [{"licenseId": license_id, "photoId": copy}]
    for account in (owner, uploader):
        [told] = await notices(client, account, "duplicateClaim.resolved")
        assert told["decision"] == "TAKEN_DOWN"
    # Taken down, it cannot be claimed again.
    assert codes(await claim(client, owner, copy)) == ["INVALID_TRANSITION"]


# Bad input ---------------------------------------------------------------------------------------


async def test_claims_refused(client, services, pair):
    owner, uploader, original, copy = pair
    # Your own photo; a photo that is no copy of yours; one that is nobody's copy; an ID of another type.
    assert codes(await claim(client, owner, original)) == ["INVALID_INPUT"]
    assert codes(await claim(client, uploader, copy)) == ["INVALID_INPUT"]
    someone = await sign_up(client)
    assert codes(await claim(client, someone, copy)) == ["NOT_A_DUPLICATE"]
    assert codes(await claim(client, uploader, original)) == ["NOT_A_DUPLICATE"]
    assert codes(await claim(client, owner, to_global_id("Photo", user_key(owner)))) == ["NOT_FOUND"]
    assert codes(await claim(client, owner, copy, note="x" * 2001)) == ["INVALID_INPUT"]
    # A second open claim on the same photo.
    assert (await claim(client, owner, copy))["userErrors"] == []
    assert codes(await claim(client, owner, copy)) == ["ALREADY_EXISTS"]
    anonymous = await client.execute(CLAIM, {"input": {"photoId": copy}})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# Races ---------------------------------------------------------------------------------------------


async def test_two_claims_at_once_file_one(client, services, pair, admin):
    owner, _, _, copy = pair
    answers = await asyncio.gather(*(claim(client, owner, copy) for _ in range(4)))
    assert sorted(code for payload in answers for code in codes(payload)) == ["ALREADY_EXISTS"] * 3
    listed = (await client.data(ADMIN_LIST, {"status": "OPEN"}, token=admin.access_token))["duplicateClaims"]
    assert listed["totalCount"] == 1


async def test_two_resolutions_at_once_resolve_once(client, pair, admin):
    owner, _, _, copy = pair
    claim_id = (await claim(client, owner, copy))["claim"]["id"]
    answers = await asyncio.gather(
        resolve(client, admin, claim_id, "DISMISSED"), resolve(client, admin, claim_id, "TAKEN_DOWN")
    )
    assert sorted(code for payload in answers for code in codes(payload)) == ["INVALID_TRANSITION"]
    [won] = [payload for payload in answers if not payload["userErrors"]]
    history = (await client.data(CLAIM_NODE, {"id": claim_id}, token=owner.access_token))["node"]
    assert [item["status"] for item in history["history"]] == ["OPEN", won["claim"]["status"]]
    # Audited in the resolution's transaction: the refused one left no entry.
    logged = await client.data(
        """{ auditLog(filter: {actions: [DUPLICATE_CLAIM_RESOLVED]}, first: 5) { edges { node {
             subject { id } details { name value } } } } }""",
        token=admin.access_token,
    )
    [entry] = [edge["node"] for edge in logged["auditLog"]["edges"]]
    assert entry["subject"]["id"] == pair[1].id
    assert entry["details"] == [{"name": "decision", "value": won["claim"]["status"]}]


async def test_listing_claims_with_their_history_takes_the_same_statements_however_many(client, services, admin, sql):
    owner = await sign_up(client)
    query = """{ viewer { duplicateClaims(first: 50) { edges { node {
      id status history { status note actorId } photo { id } originalPhoto { id } } } } } }"""

    async def claims(count: int) -> None:
        for _ in range(count):
            uploader = await sign_up(client)
            [original] = await ready_photos(services, owner, 1)
            [copy] = await ready_photos(services, uploader, 1, possible_duplicate_of_id=original)
            filed = await claim(client, owner, to_global_id("Photo", copy))
            await resolve(client, admin, filed["claim"]["id"], "DISMISSED")

    counts = []
    for more in (2, 8):
        await claims(more)
        sql.reset()
        listed = await client.data(query, token=owner.access_token)
        counts.append(sql.count)
        assert all(len(edge["node"]["history"]) == 2 for edge in listed["viewer"]["duplicateClaims"]["edges"])
    assert counts[0] == counts[1], counts


async def test_a_claim_outlives_the_photo_its_uploader_deletes(client, pair, admin):
    owner, uploader, original, copy = pair
    claim_id = (await claim(client, owner, copy))["claim"]["id"]
    deleted = await client.data(
        "mutation($id: ID!) { deletePhoto(input: {id: $id}) { userErrors { code } } }",
        {"id": copy},
        token=uploader.access_token,
    )
    assert deleted["deletePhoto"]["userErrors"] == []
    kept = """query($id: ID!) { node(id: $id) { ... on DuplicateClaim { status photo { id } originalPhoto { id }
      history { status } } } }"""
    assert (await client.data(kept, {"id": claim_id}, token=owner.access_token))["node"] == {
        "status": "OPEN",
        "photo": None,
        "originalPhoto": {"id": original},
        "history": [{"status": "OPEN"}],
    }
    taken = await resolve(client, admin, claim_id, "TAKEN_DOWN", "Deleted by its uploader already.")
    assert taken["userErrors"] == [] and [item["status"] for item in taken["claim"]["history"]] == [
        "OPEN",
        "TAKEN_DOWN",
    ]
