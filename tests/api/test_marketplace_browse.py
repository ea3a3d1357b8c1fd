"""Browsing the marketplace (filters, orders, keyset pages, cost, statement counts) and the verified badge
(``verifiedOnly``: the SQL predicate answers what the domain rule says)."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import imagehash
from PIL import Image
from sqlalchemy import select

from lensgraph.domain.marketplace import same_image
from lensgraph.domain.verification import VerificationStatus
from lensgraph.persistence.models import Photo, Verification
from lensgraph.schema.core import to_global_id
from tests.api.factories import ready_photos, verification
from tests.api.helpers import Account, sign_up
from tests.api.images import photo_jpeg, resized
from tests.api.test_marketplace import CREATE, mutate

BROWSE = """query($filter: ListingFilter, $orderBy: ListingOrder, $first: Int, $after: String) {
  marketplaceListings(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { title lowestPrice { amount } } } } }"""
NESTED = """query($first: Int) { marketplaceListings(first: $first) { totalCount edges { node {
  title seller { username } tiers { tier price { amount } } verificationCode verification { shortCode } } } } }"""


async def offer(
    client, services, seller: Account, title: str, currency: str, tiers: dict[str, int], **extra: Any
) -> str:
    verification_id = await verification(services, seller, photo_jpeg(200, 120, seed=len(title)))
    created = await mutate(
        client,
        CREATE,
        seller,
        verificationId=to_global_id("Verification", verification_id),
        title=title,
        currency=currency,
        tiers=[{"tier": tier, "price": price} for tier, price in tiers.items()],
        **extra,
    )
    assert created["userErrors"] == [], created
    listing_id: str = created["listing"]["id"]
    return listing_id


async def titles(client, **variables: Any) -> list[str]:
    page = (await client.data(BROWSE, variables))["marketplaceListings"]
    return [edge["node"]["title"] for edge in page["edges"]]


async def test_filters_orders_and_pages(client, services):
    alice, bob = await sign_up(client), await sign_up(client)
    await offer(client, services, alice, "Alpine lake at dawn", "EUR", {"PERSONAL": 1000, "EDITORIAL": 3000})
    await offer(client, services, alice, "Harbour lights", "EUR", {"COMMERCIAL": 8000})
    await offer(client, services, bob, "Desert dunes", "USD", {"PERSONAL": 500, "EXTENDED": 50000})
    await offer(client, services, bob, "Lake reflections", "USD", {"EDITORIAL": 2500}, description="A calm alpine lake")

    assert await titles(client) == ["Lake reflections", "Desert dunes", "Harbour lights", "Alpine lake at dawn"]
    assert await titles(client, orderBy="PRICE_LOW_TO_HIGH") == [
        "Desert dunes",
        "Alpine lake at dawn",
        "Lake reflections",
        "Harbour lights",
    ]
    assert (await titles(client, orderBy="PRICE_HIGH_TO_LOW"))[0] == "Harbour lights"
    assert await titles(client, filter={"currency": "eur"}) == ["Harbour lights", "Alpine lake at dawn"]
    assert await titles(client, filter={"tier": "EDITORIAL"}) == ["Lake reflections", "Alpine lake at dawn"]
    # A range without a tier: any tier's price; with one, that tier's.
    assert await titles(client, filter={"currency": "USD", "priceRange": {"min": 10000}}) == ["Desert dunes"]
    assert await titles(client, filter={"currency": "USD", "tier": "PERSONAL", "priceRange": {"min": 10000}}) == []
    assert await titles(client, filter={"currency": "EUR", "priceRange": {"min": 2000, "max": 5000}}) == [
        "Alpine lake at dawn"
    ]
    # Every word, in the title or the description, case-insensitive; "the" is a stop word.
    assert await titles(client, filter={"search": "the ALPINE lake"}) == ["Lake reflections", "Alpine lake at dawn"]
    assert await titles(client, filter={"search": "100%_"}) == []
    assert await titles(client, filter={"search": "the"}) == []

    # Keyset pages: two, then the rest, no overlap.
    first = (await client.data(BROWSE, {"first": 2, "orderBy": "PRICE_LOW_TO_HIGH"}))["marketplaceListings"]
    assert first["totalCount"] == 4 and first["pageInfo"]["hasNextPage"]
    rest = await titles(client, first=2, after=first["pageInfo"]["endCursor"], orderBy="PRICE_LOW_TO_HIGH")
    assert rest == ["Lake reflections", "Harbour lights"]

    # Refusals are the client's to fix.
    for bad, field in (
        ({"priceRange": {"min": 1}}, ["filter", "currency"]),
        ({"currency": "EUR", "priceRange": {"min": 5, "max": 1}}, ["filter", "priceRange", "max"]),
        ({"currency": "ABC"}, ["currency"]),
    ):
        body = await client.execute(BROWSE, {"filter": bad})
        assert body["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": field}


async def test_listing_pages_cost_points_and_flat_statements(client, services, sql):
    sellers = [await sign_up(client) for _ in range(3)]

    async def statements_for(total: int) -> int:
        listed = (await client.data("{ marketplaceListings { totalCount } }"))["marketplaceListings"]["totalCount"]
        for index in range(listed, total):
            await offer(client, services, sellers[index % 3], f"Photo {index}", "EUR", {"PERSONAL": 100 + index})
        sql.reset()
        body = await client.execute(NESTED, {"first": total})
        page = body["data"]["marketplaceListings"]
        assert len(page["edges"]) == page["totalCount"] == total
        assert {edge["node"]["seller"]["username"] for edge in page["edges"]} == {seller.username for seller in sellers}
        # The report itself is the seller's (restricted): strangers see its short code only.
        assert all(edge["node"]["verificationCode"] and edge["node"]["verification"] is None for edge in page["edges"])
        assert body["extensions"]["cost"]["requestedQueryCost"] > total
        return sql.count

    assert await statements_for(3) == await statements_for(12)


# The verified badge ------------------------------------------------------------------------------

BROWSE_PHOTOS = """query($verifiedOnly: Boolean) { photos(verifiedOnly: $verifiedOnly, first: 50) {
  totalCount edges { node { title verified verification { shortCode } } } } }"""
SEARCH_PHOTOS = """query($verifiedOnly: Boolean) { searchPhotos(query: "harbour", verifiedOnly: $verifiedOnly) {
  totalCount edges { node { title } } } }"""


async def test_verified_only_matches_the_owners_proven_verifications(client, services):
    owner, other = await sign_up(client), await sign_up(client)
    verified_jpeg = photo_jpeg(400, 300, seed=11)
    resized_jpeg = resized(verified_jpeg, 0.5)
    proof_id = await verification(services, owner, verified_jpeg)
    async with services.db.session() as session:
        proof_code = (await session.get(Verification, proof_id)).short_code
    forged_jpeg = photo_jpeg(400, 300, seed=12)
    await verification(services, owner, forged_jpeg, authentic=False)
    failed_jpeg = photo_jpeg(400, 300, seed=13)
    await verification(services, owner, failed_jpeg, status=VerificationStatus.FAILED, authentic=None)

    def hashes(jpeg: bytes) -> dict[str, Any]:
        with Image.open(io.BytesIO(jpeg)) as image:
            return {"original_sha256": hashlib.sha256(jpeg).hexdigest(), "phash": str(imagehash.phash(image))}

    await ready_photos(services, owner, 1, title="Harbour exact file", **hashes(verified_jpeg))
    await ready_photos(services, owner, 1, title="Harbour resized", **hashes(resized_jpeg))
    await ready_photos(services, owner, 1, title="Harbour forged", **hashes(forged_jpeg))
    await ready_photos(services, owner, 1, title="Harbour failed", **hashes(failed_jpeg))
    await ready_photos(services, owner, 1, title="Harbour unrelated", **hashes(photo_jpeg(400, 300, seed=14)))
    # Someone else's copy of the verified picture: the badge is the owner's only.
    await ready_photos(services, other, 1, title="Harbour copied", **hashes(verified_jpeg))

    expected = await _verified_by_the_domain_rule(services)
    assert expected == {"Harbour exact file", "Harbour resized"}
    # The badge is public; the report behind it is its owner's (restricted, not shared).
    for account, report in ((None, None), (other, None), (owner, {"shortCode": proof_code})):
        token = account.access_token if account else None
        nodes = [edge["node"] for edge in (await client.data(BROWSE_PHOTOS, {}, token=token))["photos"]["edges"]]
        assert {node["title"] for node in nodes if node["verified"]} == expected
        assert [node["verification"] for node in nodes if node["title"] in expected] == [report, report]
        assert all(node["verification"] is None for node in nodes if node["title"] not in expected)
    for document, field in ((BROWSE_PHOTOS, "photos"), (SEARCH_PHOTOS, "searchPhotos")):
        everything = (await client.data(document, {}))[field]
        assert everything["totalCount"] == 6
        page = (await client.data(document, {"verifiedOnly": True}))[field]
        assert {edge["node"]["title"] for edge in page["edges"]} == expected
        assert page["totalCount"] == 2
        assert (await client.data(document, {"verifiedOnly": False}))[field]["totalCount"] == 6


async def _verified_by_the_domain_rule(services) -> set[str]:
    """The photos ``same_image`` matches with a COMPLETED authentic verification of their owner's."""
    async with services.db.session() as session:
        photos = list(await session.scalars(select(Photo)))
        proofs = list(
            await session.scalars(
                select(Verification).where(
                    Verification.status == VerificationStatus.COMPLETED, Verification.authentic.is_(True)
                )
            )
        )
    return {
        photo.title
        for photo in photos
        if any(
            proof.user_id == photo.user_id
            and same_image(photo.original_sha256, photo.phash, proof.image_sha256, proof.image_phash)
            for proof in proofs
        )
    }


async def test_the_badge_costs_one_statement_however_many_photos(client, services, sql):
    owners = [await sign_up(client) for _ in range(3)]
    jpeg = photo_jpeg(300, 200, seed=21)
    for owner in owners:
        await verification(services, owner, jpeg)

    async def statements_for(total: int) -> int:
        listed = (await client.data(BROWSE_PHOTOS, {}))["photos"]["totalCount"]
        for index in range(listed, total):
            fields = {"original_sha256": hashlib.sha256(jpeg).hexdigest()} if index % 2 else {}
            await ready_photos(services, owners[index % 3], 1, title=f"Photo {index}", **fields)
        sql.reset()
        page = (await client.data(BROWSE_PHOTOS, {}))["photos"]
        assert page["totalCount"] == total
        assert sum(edge["node"]["verified"] for edge in page["edges"]) == total // 2
        return sql.count

    assert await statements_for(4) == await statements_for(16)
