"""The verified-photo marketplace through the API: listing, buying through Stripe's checkout, the payment webhook,
the licensed download (its XMP and IPTC read back), the download window, sales figures, and every refusal.

Verifications are written by ``factories.verification`` (test setup: the analysis that makes them is tested on its
own); everything else goes through GraphQL, /hooks/stripe and /files.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pyexiv2
import pytest
from PIL import Image, ImageChops
from sqlalchemy import func, select, update

from lensgraph.domain.verification import VerificationStatus
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Earning, OutboxEvent, Purchase
from lensgraph.schema.core import from_global_id, to_global_id
from tests.api.factories import user_key, verification
from tests.api.helpers import Account, sign_up
from tests.api.images import photo_jpeg
from tests.api.payment_flows import NOTIFICATIONS, deliver, earnings, event_types, session_id
from tests.fakes.stripe import StripeFake

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")

ERRORS = "userErrors { field code message }"
LISTING_FIELDS = """id title description currency isActive version totalSales
  lowestPrice { amount currency } totalRevenue { amount } tiers { tier terms price { amount currency formatted } }
  seller { username }"""
CREATE = f"""mutation($input: CreateListingInput!) {{ createListing(input: $input) {{
  listing {{ {LISTING_FIELDS} }} {ERRORS} }} }}"""
UPDATE = f"""mutation($input: UpdateListingInput!) {{ updateListing(input: $input) {{
  listing {{ {LISTING_FIELDS} }} {ERRORS} }} }}"""
DEACTIVATE = f"""mutation($input: DeactivateListingInput!) {{ deactivateListing(input: $input) {{
  listing {{ id isActive }} {ERRORS} }} }}"""
PURCHASE_FIELDS = (
    "id tier terms status paidAt downloadExpiresAt price { amount currency } listing { id } buyer { username }"
)
PURCHASE = f"""mutation($input: PurchaseListingInput!) {{ purchaseListing(input: $input) {{
  checkoutUrl purchase {{ {PURCHASE_FIELDS} }} {ERRORS} }} }}"""
DOWNLOAD = f"""mutation($input: PurchaseDownloadInput!) {{ purchaseDownload(input: $input) {{ url {ERRORS} }} }}"""
LISTING = f"""query($id: ID!) {{ listing(id: $id) {{ {LISTING_FIELDS} }} }}"""
NODE_PURCHASE = f"""query($id: ID!) {{ node(id: $id) {{ ... on Purchase {{ {PURCHASE_FIELDS} }} }} }}"""
MINE = """{ viewer {
  listings { totalCount edges { node { id totalSales } } }
  sales { totalCount edges { node { id status buyer { username } } } }
  purchases { totalCount edges { node { id status } } } } }"""
ANALYTICS = """query($id: ID!, $from: Date!, $to: Date!) { listing(id: $id) {
  salesAnalytics(from: $from, to: $to) { totalSales totalRevenue { amount currency }
    dailySales { date count revenue { amount } } } } }"""

TIERS = [
    {"tier": "PERSONAL", "price": 1000, "terms": "Personal use only, no redistribution"},
    {"tier": "COMMERCIAL", "price": 5000, "terms": "Commercial use in marketing materials"},
]


@pytest.fixture
async def people(client) -> tuple[Account, Account]:
    """A photographer who sells, and a brand who buys."""
    return await sign_up(client, role="PHOTOGRAPHER"), await sign_up(client, role="BRAND")


async def mutate(client, document: str, account: Account | None, **values: Any) -> dict[str, Any]:
    data = await client.data(document, {"input": values}, token=account.access_token if account else None)
    payload: dict[str, Any] = next(iter(data.values()))
    return payload


def codes(payload: dict[str, Any]) -> list[tuple[list[str] | None, str]]:
    return [(error["field"], error["code"]) for error in payload["userErrors"]]


async def list_verified(client, services, seller: Account, jpeg: bytes | None = None, **values: Any) -> dict[str, Any]:
    """A COMPLETED authentic verification of the seller's, listed (EUR, PERSONAL and COMMERCIAL unless told)."""
    verification_id = await verification(services, seller, jpeg or photo_jpeg(640, 400))
    given = {
        "verificationId": to_global_id("Verification", verification_id),
        "title": "Sunset over Lake Zurich",
        "description": "Authenticated landscape photo",
        "currency": "EUR",
        "tiers": TIERS,
        **values,
    }
    created = await mutate(client, CREATE, seller, **given)
    assert created["userErrors"] == [], created
    listing: dict[str, Any] = created["listing"]
    return listing


async def buy(client, buyer: Account, listing_id: str, tier: str = "COMMERCIAL") -> dict[str, Any]:
    return await mutate(
        client,
        PURCHASE,
        buyer,
        listingId=listing_id,
        tier=tier,
        successUrl="https://shop.example/thanks",
        cancelUrl="https://shop.example/cart",
    )


async def paid(client, stripe_fake: StripeFake, checkout_url: str) -> dict[str, Any]:
    event = stripe_fake.event("checkout.session.completed", stripe_fake.checkout_paid(session_id(checkout_url)))
    response = await deliver(client, stripe_fake, event)
    assert response.status_code == 200, response.text
    return event


async def fetch(client, url: str):
    return await client.http.get(url.removeprefix("http://testserver"))


def license_metadata(jpeg: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """XMP and IPTC as exiv2 reads them from the downloaded bytes."""
    with pyexiv2.ImageData(jpeg) as image:
        return image.read_xmp(), image.read_iptc()


async def purchase_row(services, purchase_id: str) -> Purchase:
    async with services.db.session() as session:
        row = await session.get(Purchase, from_global_id(purchase_id)[1])
    assert row is not None
    return row


# The whole flow ----------------------------------------------------------------------------------


async def test_list_buy_pay_download_and_expire(client, services, people, stripe_fake, background):
    seller, buyer = people
    original = photo_jpeg(640, 400, seed=3)
    listing = await list_verified(client, services, seller, original)
    assert (listing["currency"], listing["isActive"], listing["version"], listing["totalSales"]) == ("EUR", True, 1, 0)
    assert listing["lowestPrice"] == {"amount": 1000, "currency": "EUR"}
    assert [(tier["tier"], tier["price"]["formatted"]) for tier in listing["tiers"]] == [
        ("PERSONAL", "10.00 EUR"),
        ("COMMERCIAL", "50.00 EUR"),
    ]
    # Public: anyone sees it, signed in or not.
    assert (await client.data(LISTING, {"id": listing["id"]}))["listing"]["seller"] == {"username": seller.username}

    opened = await buy(client, buyer, listing["id"])
    assert opened["userErrors"] == []
    purchase = opened["purchase"]
    assert (purchase["tier"], purchase["status"], purchase["price"]) == (
        "COMMERCIAL",
        "PENDING",
        {"amount": 5000, "currency": "EUR"},
    )
    assert purchase["terms"] == "Commercial use in marketing materials"
    [session_request] = stripe_fake.calls("POST", "/v1/checkout/sessions")
    assert session_request.params["metadata"]["purchase_id"] == str(from_global_id(purchase["id"])[1])
    assert session_request.params["success_url"] == "https://shop.example/thanks"
    assert session_request.params["line_items"][0]["price_data"]["unit_amount"] == "5000"

    # Before payment: no download.
    early = await mutate(client, DOWNLOAD, buyer, purchaseId=purchase["id"])
    assert (codes(early), early["url"]) == ([(["purchaseId"], "PAYMENT_PENDING")], None)

    await paid(client, stripe_fake, opened["checkoutUrl"])
    done = (await client.data(NODE_PURCHASE, {"id": purchase["id"]}, token=buyer.access_token))["node"]
    assert done["status"] == "COMPLETED"
    paid_at = datetime.fromisoformat(done["paidAt"])
    assert datetime.fromisoformat(done["downloadExpiresAt"]) - paid_at == timedelta(days=30)

    # The seller: a sale, an earning (50.00 EUR less the 20 % fee), listing.sold.
    mine = (await client.data(MINE, token=seller.access_token))["viewer"]
    assert mine["listings"]["edges"][0]["node"]["totalSales"] == 1
    assert [edge["node"]["buyer"]["username"] for edge in mine["sales"]["edges"]] == [buyer.username]
    [stats] = (await earnings(client, seller))["payoutStats"]
    assert (stats["currency"], stats["pending"]) == ("EUR", {"amount": 4000})
    await background.settle()
    notices = (await client.data(NOTIFICATIONS, token=seller.access_token))["viewer"]["notifications"]["edges"]
    [sold] = [edge["node"]["data"] for edge in notices if edge["node"]["eventType"] == "listing.sold"]
    # Keys as global IDs, as every outlet shows them (docs/events.schema.json).
    assert sold == {
        "listingId": listing["id"],
        "purchaseId": purchase["id"],
        "tier": "COMMERCIAL",
        "amount": 5000,
        "currency": "EUR",
    }
    assert "listing.sold" not in await event_types(client, buyer)
    assert (await client.data(MINE, token=buyer.access_token))["viewer"]["purchases"]["totalCount"] == 1
    analytics = (
        await client.data(
            ANALYTICS,
            {"id": listing["id"], "from": paid_at.date().isoformat(), "to": paid_at.date().isoformat()},
            token=seller.access_token,
        )
    )["listing"]["salesAnalytics"]
    assert analytics == {
        "totalSales": 1,
        "totalRevenue": {"amount": 5000, "currency": "EUR"},
        "dailySales": [{"date": paid_at.date().isoformat(), "count": 1, "revenue": {"amount": 5000}}],
    }

    # The figures are the seller's: the buyer, or anyone else, gets null.
    for other in (buyer, None):
        hidden = await client.data(
            ANALYTICS,
            {"id": listing["id"], "from": paid_at.date().isoformat(), "to": paid_at.date().isoformat()},
            token=other.access_token if other else None,
        )
        assert hidden["listing"]["salesAnalytics"] is None
    node = "query($id: ID!) { node(id: $id) { ... on Listing { id totalSales } } }"
    assert (await client.data(node, {"id": listing["id"]}))["node"] == {"id": listing["id"], "totalSales": 1}

    # The download: the original's pixels, the license in its XMP and IPTC, served with the safety headers.
    download = await mutate(client, DOWNLOAD, buyer, purchaseId=purchase["id"])
    assert download["userErrors"] == []
    response = await fetch(client, download["url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith('attachment; filename="Sunset over Lake Zurich.jpg"')
    licensed = response.content
    with Image.open(io.BytesIO(licensed)) as got, Image.open(io.BytesIO(original)) as expected:
        assert ImageChops.difference(got.convert("RGB"), expected.convert("RGB")).getbbox() is None
    xmp, iptc = license_metadata(licensed)
    purchase_key = str(from_global_id(purchase["id"])[1])
    async with services.db.session() as session:
        from lensgraph.persistence.models import Verification

        proof = await session.scalar(select(Verification).where(Verification.user_id == user_key(seller)))
    assert proof is not None
    assert xmp["Xmp.lensgraph.PurchaseId"] == purchase_key
    assert xmp["Xmp.lensgraph.Tier"] == "COMMERCIAL"
    assert xmp["Xmp.lensgraph.Terms"] == "Commercial use in marketing materials"
    assert xmp["Xmp.lensgraph.VerificationCode"] == proof.short_code
    assert f"@{buyer.username}" in xmp["Xmp.lensgraph.Licensee"]
    assert xmp["Xmp.xmpRights.Marked"] == "True"
    usage = xmp["Xmp.xmpRights.UsageTerms"]['lang="x-default"']
    assert purchase_key in usage and proof.short_code in usage and "Commercial use in marketing" in usage
    assert f"Licensed to Ada Lovelace (@{buyer.username})" in iptc["Iptc.Application2.Copyright"]
    assert purchase_key in iptc["Iptc.Application2.SpecialInstructions"]
    # The copy is recorded with its hash; a second download serves the same bytes.
    row = await purchase_row(services, purchase["id"])
    assert row.licensed_sha256 == hashlib.sha256(licensed).hexdigest()
    again = await fetch(client, (await mutate(client, DOWNLOAD, buyer, purchaseId=purchase["id"]))["url"])
    assert again.content == licensed

    # Not the seller's, nor a stranger's, to download.
    stranger = await sign_up(client, role="BRAND")
    for other in (seller, stranger):
        refused = await mutate(client, DOWNLOAD, other, purchaseId=purchase["id"])
        assert (codes(refused), refused["url"]) == ([(["purchaseId"], "NOT_FOUND")], None)
    assert (await client.data(NODE_PURCHASE, {"id": purchase["id"]}, token=stranger.access_token))["node"] is None

    # The window closes (the row moved in time, no sleeping).
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(
            update(Purchase).where(Purchase.id == row.id).values(download_expires_at=utcnow() - timedelta(seconds=1))
        )
    expired = await mutate(client, DOWNLOAD, buyer, purchaseId=purchase["id"])
    assert (codes(expired), expired["url"]) == ([(["purchaseId"], "DOWNLOAD_EXPIRED")], None)


async def test_offline_mode_checkout_completes_the_purchase(client, services, people):
    """Without Stripe keys, the local confirm page stands in for Stripe, through the same completion."""
    seller, buyer = people
    listing = await list_verified(client, services, seller)
    opened = await buy(client, buyer, listing["id"], "PERSONAL")
    assert opened["checkoutUrl"].startswith("http://testserver/payments/offline/")
    confirmed = await client.http.post(opened["checkoutUrl"].removeprefix("http://testserver"))
    assert confirmed.status_code == 303
    row = await purchase_row(services, opened["purchase"]["id"])
    assert (row.status.value, row.amount) == ("COMPLETED", 1000)
    download = await mutate(client, DOWNLOAD, buyer, purchaseId=opened["purchase"]["id"])
    assert download["userErrors"] == [] and (await fetch(client, download["url"])).status_code == 200


async def test_a_checkout_that_closes_unpaid_fails_the_purchase(client, services, people, stripe_fake):
    seller, buyer = people
    listing = await list_verified(client, services, seller)
    opened = await buy(client, buyer, listing["id"])
    expired = stripe_fake.event(
        "checkout.session.expired", stripe_fake.checkout_expired(session_id(opened["checkoutUrl"]))
    )
    assert (await deliver(client, stripe_fake, expired)).status_code == 200
    assert (await purchase_row(services, opened["purchase"]["id"])).status.value == "FAILED"
    refused = await mutate(client, DOWNLOAD, buyer, purchaseId=opened["purchase"]["id"])
    assert codes(refused) == [(["purchaseId"], "INVALID_TRANSITION")]
    # Buying again opens a new purchase.
    again = await buy(client, buyer, listing["id"])
    assert again["userErrors"] == [] and again["purchase"]["id"] != opened["purchase"]["id"]


async def test_refunds_take_back_the_sellers_share_and_end_the_downloads(client, services, people, stripe_fake):
    seller, buyer = people
    listing = await list_verified(client, services, seller)
    opened = await buy(client, buyer, listing["id"])
    await paid(client, stripe_fake, opened["checkoutUrl"])
    session = session_id(opened["checkoutUrl"])

    async def refunded(amount: int | None = None) -> None:
        event = stripe_fake.event("charge.refunded", stripe_fake.refund(session, amount))
        assert (await deliver(client, stripe_fake, event)).status_code == 200

    # In part: the purchase stands, the seller's share of 10.00 EUR comes off the earning and the listing's revenue.
    await refunded(1000)
    assert (await purchase_row(services, opened["purchase"]["id"])).status.value == "COMPLETED"
    [stats] = (await earnings(client, seller))["payoutStats"]
    assert stats["pending"] == {"amount": 3200}
    totals = (await client.data(LISTING, {"id": listing["id"]}))["listing"]
    assert (totals["totalSales"], totals["totalRevenue"]) == (1, {"amount": 4000})
    # The rest: REFUNDED, nothing earned, no sale, no download.
    await refunded()
    assert (await purchase_row(services, opened["purchase"]["id"])).status.value == "REFUNDED"
    [stats] = (await earnings(client, seller))["payoutStats"]
    assert stats["pending"] == {"amount": 0}
    totals = (await client.data(LISTING, {"id": listing["id"]}))["listing"]
    assert (totals["totalSales"], totals["totalRevenue"]) == (0, {"amount": 0})
    assert (await client.data(MINE, token=seller.access_token))["viewer"]["sales"]["totalCount"] == 0
    refused = await mutate(client, DOWNLOAD, buyer, purchaseId=opened["purchase"]["id"])
    assert (
        codes(refused) == [(["purchaseId"], "INVALID_TRANSITION")] and "refunded" in refused["userErrors"][0]["message"]
    )


# Listings: bad input, other people's -------------------------------------------------------------


async def test_only_the_owners_completed_authentic_verification_is_listed(client, services, people):
    seller, other = people
    jpeg = photo_jpeg(320, 200)

    async def attempt(verification_id: UUID, account: Account = seller) -> dict[str, Any]:
        return await mutate(
            client,
            CREATE,
            account,
            verificationId=to_global_id("Verification", verification_id),
            title="A photo",
            currency="USD",
            tiers=[{"tier": "PERSONAL", "price": 900}],
        )

    failed = await verification(services, seller, jpeg, status=VerificationStatus.FAILED, authentic=None)
    forged = await verification(services, seller, jpeg, authentic=False)
    running = await verification(services, seller, jpeg, status=VerificationStatus.IN_PROGRESS, authentic=None)
    theirs = await verification(services, other, jpeg)
    assert codes(await attempt(failed)) == [(["verificationId"], "VERIFICATION_FAILED")]
    assert codes(await attempt(forged)) == [(["verificationId"], "NOT_AUTHENTIC")]
    assert codes(await attempt(running)) == [(["verificationId"], "INVALID_TRANSITION")]
    assert codes(await attempt(theirs)) == [(["verificationId"], "NOT_FOUND")]
    assert codes(await attempt(UUID(int=5))) == [(["verificationId"], "NOT_FOUND")]
    bad_id = await mutate(client, CREATE, seller, verificationId="nope", title="x", currency="USD", tiers=TIERS)
    assert codes(bad_id) == [(["verificationId"], "NOT_FOUND")]
    anonymous = await client.execute(
        CREATE,
        {
            "input": {
                "verificationId": to_global_id("Verification", theirs),
                "title": "x",
                "currency": "USD",
                "tiers": TIERS,
            }
        },
    )
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # Nothing was written for any refusal.
    assert (await client.data(MINE, token=seller.access_token))["viewer"]["listings"]["totalCount"] == 0
    assert (await client.data("{ marketplaceListings { totalCount } }"))["marketplaceListings"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"tiers": [{"tier": "PERSONAL", "price": 900}, {"tier": "EDITORIAL"}]},
            (["tiers", "1", "price"], "UNPRICED_TIER"),
        ),
        ({"tiers": [{"tier": "EXTENDED", "price": 0}]}, (["tiers", "0", "price"], "UNPRICED_TIER")),
        ({"tiers": []}, (["tiers"], "INVALID_INPUT")),
        (
            {"tiers": [{"tier": "PERSONAL", "price": 1}, {"tier": "PERSONAL", "price": 2}]},
            (["tiers", "1", "tier"], "INVALID_INPUT"),
        ),
        ({"tiers": [{"tier": "PERSONAL", "price": 100_000_000}]}, (["tiers", "0", "price"], "INVALID_INPUT")),
        ({"currency": "XYZ"}, (["currency"], "INVALID_INPUT")),
        ({"currency": "RUB"}, (["currency"], "INVALID_INPUT")),
        ({"title": "   "}, (["title"], "INVALID_INPUT")),
        ({"title": "x" * 201}, (["title"], "INVALID_INPUT")),
    ],
)
async def test_bad_listing_input_is_refused_and_writes_nothing(client, services, people, changes, expected):
    seller, _ = people
    verification_id = await verification(services, seller, photo_jpeg(320, 200))
    given = {
        "verificationId": to_global_id("Verification", verification_id),
        "title": "A photo",
        "currency": "EUR",
        "tiers": TIERS,
        **changes,
    }
    refused = await mutate(client, CREATE, seller, **given)
    assert (codes(refused), refused["listing"]) == ([expected], None)
    assert (await client.data(MINE, token=seller.access_token))["viewer"]["listings"]["totalCount"] == 0


async def test_every_one_of_the_28_currencies_and_lower_case_codes(client, services, people):
    seller, _ = people
    from lensgraph.domain.money import Currency

    assert len(Currency) == 28
    listing = await list_verified(client, services, seller, currency="jpy", tiers=[{"tier": "PERSONAL", "price": 1500}])
    assert (listing["currency"], listing["tiers"][0]["price"]["formatted"]) == ("JPY", "1,500 JPY")


async def test_one_listing_on_sale_per_verification(client, services, people):
    seller, _ = people
    verification_id = await verification(services, seller, photo_jpeg(320, 200))
    given = {
        "verificationId": to_global_id("Verification", verification_id),
        "title": "A",
        "currency": "EUR",
        "tiers": TIERS,
    }
    first, second = await asyncio.gather(
        mutate(client, CREATE, seller, **given), mutate(client, CREATE, seller, **given)
    )
    assert sorted(codes(first) + codes(second)) == [(["verificationId"], "ALREADY_EXISTS")]
    [created] = [payload["listing"] for payload in (first, second) if payload["listing"]]
    # Deactivated, it can be listed again.
    assert (await mutate(client, DEACTIVATE, seller, listingId=created["id"]))["userErrors"] == []
    assert (await mutate(client, CREATE, seller, **given))["userErrors"] == []
    assert (await client.data(MINE, token=seller.access_token))["viewer"]["listings"]["totalCount"] == 2
    # Listed, the verification stays as the listing's proof: deleting it is refused, nothing is removed.
    delete = """mutation($id: ID!) { deleteVerification(input: {id: $id}) { userErrors { field code } } }"""
    refused = await client.data(delete, {"id": given["verificationId"]}, token=seller.access_token)
    assert refused["deleteVerification"]["userErrors"] == [{"field": ["id"], "code": "INVALID_TRANSITION"}]
    assert (await client.data(LISTING, {"id": created["id"]}, token=seller.access_token))["listing"] is not None


async def test_update_and_deactivate_with_versions(client, services, people):
    seller, buyer = people
    listing = await list_verified(client, services, seller)
    changed = await mutate(
        client,
        UPDATE,
        seller,
        listingId=listing["id"],
        version=listing["version"],
        title="Sunset, again",
        currency="CHF",
        tiers=[{"tier": "EXTENDED", "price": 20_000, "terms": "Merchandise too"}],
    )
    assert changed["userErrors"] == []
    updated = changed["listing"]
    assert (updated["title"], updated["currency"], updated["version"]) == ("Sunset, again", "CHF", 2)
    assert [(tier["tier"], tier["price"]["amount"]) for tier in updated["tiers"]] == [("EXTENDED", 20_000)]
    stale = await mutate(
        client, UPDATE, seller, listingId=listing["id"], version=1, title="Old", currency="EUR", tiers=TIERS
    )
    assert codes(stale) == [(["version"], "CONFLICT")]
    theirs = await mutate(client, UPDATE, buyer, listingId=listing["id"], title="Mine", currency="EUR", tiers=TIERS)
    assert codes(theirs) == [(["listingId"], "NOT_FOUND")]
    unpriced = await mutate(
        client, UPDATE, seller, listingId=listing["id"], title="x", currency="EUR", tiers=[{"tier": "PERSONAL"}]
    )
    assert codes(unpriced) == [(["tiers", "0", "price"], "UNPRICED_TIER")]
    assert (await mutate(client, DEACTIVATE, buyer, listingId=listing["id"]))["userErrors"][0]["code"] == "NOT_FOUND"

    gone = await mutate(client, DEACTIVATE, seller, listingId=listing["id"], version=2)
    assert (gone["userErrors"], gone["listing"]["isActive"]) == ([], False)
    # Off sale: hidden from everyone but the seller, and not for sale or change any more.
    assert (await client.data(LISTING, {"id": listing["id"]}, token=buyer.access_token))["listing"] is None
    assert (await client.data(LISTING, {"id": listing["id"]}, token=seller.access_token))["listing"][
        "isActive"
    ] is False
    assert codes(await buy(client, buyer, listing["id"])) == [(["listingId"], "NOT_FOUND")]
    again = await mutate(client, UPDATE, seller, listingId=listing["id"], title="x", currency="EUR", tiers=TIERS)
    assert codes(again) == [(["listingId"], "INVALID_TRANSITION")]
    assert (await client.data("{ marketplaceListings { totalCount } }"))["marketplaceListings"]["totalCount"] == 0


# Purchases: bad input ----------------------------------------------------------------------------


async def test_purchase_refusals_open_no_checkout(client, services, people, stripe_fake):
    seller, buyer = people
    listing = await list_verified(client, services, seller)
    assert codes(await buy(client, seller, listing["id"])) == [(["listingId"], "OWN_LISTING")]
    assert codes(await buy(client, buyer, listing["id"], "EXTENDED")) == [(["tier"], "TIER_NOT_OFFERED")]
    assert codes(await buy(client, buyer, to_global_id("Listing", UUID(int=3)))) == [(["listingId"], "NOT_FOUND")]
    bad_url = await mutate(client, PURCHASE, buyer, listingId=listing["id"], tier="PERSONAL", successUrl="javascript:x")
    assert codes(bad_url) == [(["successUrl"], "INVALID_INPUT")]
    anonymous = await client.execute(PURCHASE, {"input": {"listingId": listing["id"], "tier": "PERSONAL"}})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert stripe_fake.calls("POST", "/v1/checkout/sessions") == []
    assert (await client.data(MINE, token=buyer.access_token))["viewer"]["purchases"]["totalCount"] == 0
    unknown = await mutate(client, DOWNLOAD, buyer, purchaseId=to_global_id("Purchase", UUID(int=4)))
    assert codes(unknown) == [(["purchaseId"], "NOT_FOUND")]


async def test_a_checkout_stripe_refuses_leaves_no_purchase(client, services, people, stripe_fake):
    seller, buyer = people
    listing = await list_verified(client, services, seller)
    stripe_fake.refuse_next("/v1/checkout/sessions", "Amount must convert to at least 50 cents.")
    refused = await buy(client, buyer, listing["id"])
    assert (codes(refused), refused["purchase"]) == ([(["listingId"], "INVALID_INPUT")], None)
    assert "at least 50 cents" in refused["userErrors"][0]["message"]
    assert (await client.data(MINE, token=buyer.access_token))["viewer"]["purchases"]["totalCount"] == 0
    assert (await buy(client, buyer, listing["id"]))["userErrors"] == []


async def test_a_new_price_closes_the_open_checkout(client, services, people, stripe_fake):
    seller, buyer = people
    listing = await list_verified(client, services, seller)
    first = await buy(client, buyer, listing["id"])
    repeated = await buy(client, buyer, listing["id"])
    assert repeated["purchase"]["id"] == first["purchase"]["id"] and repeated["checkoutUrl"] == first["checkoutUrl"]
    raised = [{"tier": "COMMERCIAL", "price": 7000, "terms": "Commercial"}]
    await mutate(client, UPDATE, seller, listingId=listing["id"], title="x", currency="EUR", tiers=raised)
    fresh = await buy(client, buyer, listing["id"])
    assert fresh["purchase"]["price"]["amount"] == 7000 and fresh["purchase"]["id"] != first["purchase"]["id"]
    assert (await purchase_row(services, first["purchase"]["id"])).status.value == "FAILED"
    # The old session paid after all: nothing completes (its payment was closed), nothing is earned.
    await paid(client, stripe_fake, first["checkoutUrl"])
    assert (await purchase_row(services, first["purchase"]["id"])).status.value == "FAILED"
    assert (await earnings(client, seller))["payoutStats"] == []


# Races -------------------------------------------------------------------------------------------


async def test_two_purchase_clicks_at_once_open_one_checkout(client, services, people, stripe_fake):
    seller, buyer = people
    listing = await list_verified(client, services, seller)
    first, second = await asyncio.gather(buy(client, buyer, listing["id"]), buy(client, buyer, listing["id"]))
    assert first["userErrors"] == second["userErrors"] == []
    assert first["purchase"]["id"] == second["purchase"]["id"] and first["checkoutUrl"] == second["checkoutUrl"]
    assert len(stripe_fake.calls("POST", "/v1/checkout/sessions")) == 1


async def test_concurrent_payment_webhooks_complete_one_sale(client, services, people, stripe_fake):
    """The same event delivered four times at once, and two distinct events for one session at once: one
    completion, one listing.sold, one earning, one sale on the listing."""
    seller, buyer = people
    listing = await list_verified(client, services, seller)
    opened = await buy(client, buyer, listing["id"])
    session = stripe_fake.checkout_paid(session_id(opened["checkoutUrl"]))
    same = stripe_fake.event("checkout.session.completed", session)
    responses = await asyncio.gather(*(deliver(client, stripe_fake, same) for _ in range(4)))
    assert [response.status_code for response in responses] == [200] * 4
    assert sorted(response.json()["replay"] for response in responses) == [False, True, True, True]
    other = stripe_fake.event("checkout.session.async_payment_succeeded", session)
    late = await asyncio.gather(*(deliver(client, stripe_fake, other) for _ in range(2)))
    assert [response.status_code for response in late] == [200, 200]

    purchase_key = from_global_id(opened["purchase"]["id"])[1]
    async with services.db.session() as db:
        sold = await db.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "listing.sold"))
        earned = await db.scalar(
            select(func.count()).select_from(Earning).where(Earning.photographer_id == user_key(seller))
        )
        row = await db.get(Purchase, purchase_key)
    assert (sold, earned, row.status.value if row else None) == (1, 1, "COMPLETED")
    assert (await client.data(LISTING, {"id": listing["id"]}))["listing"]["totalRevenue"] == {"amount": 5000}


# End to end, with a real verification ------------------------------------------------------------


async def test_a_pair_verified_through_the_api_is_listed_badged_sold_and_downloaded(client, services, background):
    """RAW + JPEG verified by the analysis job; the same JPEG uploaded to the catalogue wears the badge; the
    listing is bought in the offline payment mode and its licensed copy names the verification."""
    from tests.api.test_photos import upload
    from tests.api.verification_flows import camera_pair, verify

    seller, buyer = await sign_up(client, role="PHOTOGRAPHER"), await sign_up(client, role="BRAND")
    pair = camera_pair(2)
    created = await verify(client, seller, pair, name="Rocket launch")
    assert created["userErrors"] == []
    await background.settle()
    photo = (await upload(client, seller, pair.image, title="Rocket launch"))["photo"]
    await background.settle()
    badge = """query($id: ID!) { node(id: $id) { ... on Photo { status verified verification { id shortCode } } } }"""
    seen = (await client.data(badge, {"id": photo["id"]}, token=seller.access_token))["node"]
    assert (seen["status"], seen["verified"]) == ("READY", True)
    assert seen["verification"] == {
        "id": created["verification"]["id"],
        "shortCode": created["verification"]["shortCode"],
    }

    listed = await mutate(
        client,
        CREATE,
        seller,
        verificationId=created["verification"]["id"],
        title="Rocket launch",
        currency="GBP",
        tiers=[{"tier": "EDITORIAL", "price": 2500, "terms": "News use"}],
    )
    assert listed["userErrors"] == []
    opened = await buy(client, buyer, listed["listing"]["id"], "EDITORIAL")
    assert (await client.http.post(opened["checkoutUrl"].removeprefix("http://testserver"))).status_code == 303
    download = await mutate(client, DOWNLOAD, buyer, purchaseId=opened["purchase"]["id"])
    licensed = (await fetch(client, download["url"])).content
    xmp, _ = license_metadata(licensed)
    assert xmp["Xmp.lensgraph.VerificationCode"] == created["verification"]["shortCode"]
    assert (xmp["Xmp.lensgraph.Tier"], xmp["Xmp.lensgraph.Price"]) == ("EDITORIAL", "25.00 GBP")


async def test_a_changed_file_is_withheld_not_sold(client, services, people):
    """The verified JPEG changed in storage before the first download, or the licensed copy after it: refused."""
    seller, buyer = people
    listing = await list_verified(client, services, seller)
    opened = await buy(client, buyer, listing["id"], "PERSONAL")
    assert (await client.http.post(opened["checkoutUrl"].removeprefix("http://testserver"))).status_code == 303
    from lensgraph.persistence.models import Verification

    async with services.db.session() as session:
        proof = await session.scalar(select(Verification).where(Verification.user_id == user_key(seller)))
    assert proof is not None
    original = await services.storage.read(proof.image_key, max_bytes=proof.image_size)
    await services.storage.write(proof.image_key, photo_jpeg(640, 400, seed=99), content_type="image/jpeg")
    refused = await mutate(client, DOWNLOAD, buyer, purchaseId=opened["purchase"]["id"])
    assert (codes(refused), refused["url"]) == ([(None, "FILE_INTEGRITY_FAILED")], None)

    await services.storage.write(proof.image_key, original, content_type="image/jpeg")
    assert (await mutate(client, DOWNLOAD, buyer, purchaseId=opened["purchase"]["id"]))["userErrors"] == []
    row = await purchase_row(services, opened["purchase"]["id"])
    assert row.licensed_key is not None
    await services.storage.write(row.licensed_key, original, content_type="image/jpeg")
    again = await mutate(client, DOWNLOAD, buyer, purchaseId=opened["purchase"]["id"])
    assert codes(again) == [(None, "FILE_INTEGRITY_FAILED")]
