"""Refunds made in the Stripe dashboard, as Lensgraph hears of them: ``charge.refunded`` events reaching /hooks/stripe
signed as Stripe signs them, in full or in part, replayed, out of order, about charges not ours; and what they do to
the license, the photographer's earnings and the payouts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from lensgraph.domain.money import Currency
from lensgraph.domain.payments import PayoutStatus
from lensgraph.persistence.models import Payout
from lensgraph.persistence.payments import claim_earnings
from lensgraph.resolvers import payments as payment_resolvers
from tests.api.factories import user_key
from tests.api.helpers import Account, sign_up
from tests.api.payment_flows import (
    CHECKOUT,
    LICENSE,
    deliver,
    earnings,
    event_types,
    onboard,
    pay,
    session_id,
    signed_license,
)
from tests.api.test_dashboards import brand_dashboard
from tests.api.test_licensing import answer, offer, photo_of
from tests.api.test_studio_documents import pdf_text
from tests.fakes.stripe import StripeFake

# stripe-python's httpx transport sends its form body as data=<str>, which httpx deprecates (in their code, not ours).
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")

PAYMENT = """query($id: ID!) { node(id: $id) { ... on Payment {
  status amount { amount } refundedAmount { amount currency formatted } license { status } } } }"""
RECEIPT = "query($id: ID!) { node(id: $id) { ... on Payment { receiptUrl } } }"
NOTIFICATIONS = "{ viewer { notifications { edges { node { eventType data } } } } }"


@pytest.fixture
async def parties(client) -> tuple[Account, Account]:
    return await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER")


async def paid(client, services, stripe_fake: StripeFake, parties, **changes: Any) -> tuple[str, str, str]:
    """A license paid for (250.00 EUR unless ``changes`` say otherwise): its id, its payment's id, its checkout."""
    brand, photographer = parties
    license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer), **changes)
    opened = await pay(client, stripe_fake, brand, license_id)
    return license_id, opened["payment"]["id"], session_id(opened["checkoutUrl"])


async def refunded(client, stripe_fake: StripeFake, charge: dict[str, Any]) -> dict[str, Any]:
    """Delivers ``charge.refunded`` for the charge as it is now; answers the hook's JSON."""
    response = await deliver(client, stripe_fake, stripe_fake.event("charge.refunded", charge))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def payment_state(client, account: Account, payment_id: str) -> dict[str, Any]:
    node: dict[str, Any] = (await client.data(PAYMENT, {"id": payment_id}, token=account.access_token))["node"]
    return node


async def totals(client, photographer: Account) -> tuple[int, int, int]:
    """The photographer's EUR earnings: in all, pending, paid."""
    [stats] = (await earnings(client, photographer))["payoutStats"]
    return stats["total"]["amount"], stats["pending"]["amount"], stats["paid"]["amount"]


async def pay_out(background) -> None:
    background.send("payments.pay_out")
    await background.settle()


# In full, in part ----------------------------------------------------------------------------------


async def test_a_full_refund_ends_the_license_and_cancels_the_earning(
    client, services, parties, stripe_fake, background
):
    brand, photographer = parties
    license_id, payment_id, session = await paid(client, services, stripe_fake, parties, exclusivity="FULL")
    licensed = (await client.data(LICENSE, {"id": license_id}, token=brand.access_token))["node"]
    assert licensed["originalDownloadUrl"] and licensed["photo"]["originalUrl"]
    photo_id = licensed["photo"]["id"]
    rival = await sign_up(client, role="BRAND")
    blocked = await offer(client, rival, photo_id)
    assert [error["code"] for error in blocked["userErrors"]] == ["CONFLICT"]

    assert await refunded(client, stripe_fake, stripe_fake.refund(session)) == {"received": True, "replay": False}

    state = await payment_state(client, brand, payment_id)
    assert (state["status"], state["refundedAmount"], state["license"]["status"]) == (
        "REFUNDED",
        {"amount": 25_000, "currency": "EUR", "formatted": "250.00 EUR"},
        "REFUNDED",
    )
    # The brand lost the original; the license is a record now, listed as REFUNDED.
    ended = (await client.data(LICENSE, {"id": license_id}, token=brand.access_token))["node"]
    assert (ended["status"], ended["originalDownloadUrl"], ended["photo"]["originalUrl"]) == ("REFUNDED", None, None)
    listed = """{ viewer { licenses(status: [REFUNDED]) { edges { node { id } } } } }"""
    edges = (await client.data(listed, token=brand.access_token))["viewer"]["licenses"]["edges"]
    assert [edge["node"]["id"] for edge in edges] == [license_id]
    # It is not paid for again, and its exclusivity no longer holds the photo.
    again = await answer(client, CHECKOUT, brand, licenseId=license_id)
    assert [(error["field"], error["code"]) for error in again["userErrors"]] == [(["licenseId"], "INVALID_TRANSITION")]
    assert (await offer(client, rival, photo_id))["userErrors"] == []

    # The photographer's earning is gone, so the payout job has nothing to send.
    assert await totals(client, photographer) == (0, 0, 0)
    await onboard(client, stripe_fake, photographer)
    await pay_out(background)
    assert stripe_fake.calls("POST", "/v1/transfers") == []
    assert (await earnings(client, photographer))["payouts"]["totalCount"] == 0

    for account in parties:
        data = await client.data(NOTIFICATIONS, token=account.access_token)
        [notice] = [
            edge["node"]
            for edge in data["viewer"]["notifications"]["edges"]
            if edge["node"]["eventType"] == "payment.refunded"
        ]
        assert notice["data"] == {
            "paymentId": payment_id,
            "licenseId": license_id,
            "amount": 25_000,
            "refundedAmount": 25_000,
            "currency": "EUR",
            "fullyRefunded": True,
        }


async def test_a_partial_refund_keeps_the_license_and_takes_its_share_off_the_earning(
    client, services, parties, stripe_fake, background
):
    brand, photographer = parties
    license_id, payment_id, session = await paid(client, services, stripe_fake, parties)

    await refunded(client, stripe_fake, stripe_fake.refund(session, 10_000))

    state = await payment_state(client, photographer, payment_id)
    assert (state["status"], state["refundedAmount"]["amount"], state["license"]["status"]) == (
        "SUCCEEDED",
        10_000,
        "ACTIVE",
    )
    licensed = (await client.data(LICENSE, {"id": license_id}, token=brand.access_token))["node"]
    assert licensed["status"] == "ACTIVE" and licensed["originalDownloadUrl"]
    # 150.00 EUR stays paid: the photographer keeps 80% of it.
    assert await totals(client, photographer) == (12_000, 12_000, 0)

    # A second part, then the rest: the earning follows, down to nothing.
    await refunded(client, stripe_fake, stripe_fake.refund(session, 2_500))
    assert await totals(client, photographer) == (10_000, 10_000, 0)
    assert (await payment_state(client, brand, payment_id))["status"] == "SUCCEEDED"
    await refunded(client, stripe_fake, stripe_fake.refund(session))
    assert await totals(client, photographer) == (0, 0, 0)
    assert (await payment_state(client, brand, payment_id))["license"]["status"] == "REFUNDED"
    await background.settle()
    assert (await event_types(client, brand)).count("payment.refunded") == 3


async def test_a_receipt_is_rendered_once_for_what_it_says_and_anew_after_a_refund(
    client, services, parties, stripe_fake, monkeypatch
):
    brand, _ = parties
    _, payment_id, session = await paid(client, services, stripe_fake, parties)
    rendered: list[str] = []
    render = payment_resolvers.render_pdf

    async def counted(title: str, blocks: list[tuple[str, str]]) -> bytes:
        rendered.append(title)
        return await render(title, blocks)

    monkeypatch.setattr(payment_resolvers, "render_pdf", counted)

    async def receipt() -> bytes:
        url = (await client.data(RECEIPT, {"id": payment_id}, token=brand.access_token))["node"]["receiptUrl"]
        response = await client.http.get(url)
        assert response.status_code == 200
        return pdf_text(response.content)

    first, again = await receipt(), await receipt()
    assert rendered == ["Receipt"] and first == again and b"Refunded" not in first
    await refunded(client, stripe_fake, stripe_fake.refund(session, 10_000))
    after = await receipt()
    assert rendered == ["Receipt", "Receipt"] and b"Refunded: 100.00 EUR" in after
    assert await receipt() == after and len(rendered) == 2


async def test_a_payment_refunded_in_part_pays_out_what_is_left(client, services, parties, stripe_fake, background):
    _, photographer = parties
    _, _, session = await paid(client, services, stripe_fake, parties)
    await refunded(client, stripe_fake, stripe_fake.refund(session, 5_000))
    await onboard(client, stripe_fake, photographer)
    await pay_out(background)
    [transfer] = stripe_fake.calls("POST", "/v1/transfers")
    assert transfer.params["amount"] == "16000"
    assert await totals(client, photographer) == (16_000, 0, 16_000)


# After a payout: clawed back ---------------------------------------------------------------------


async def test_a_refund_after_its_payout_is_clawed_back_from_the_next_payout(
    client, services, parties, stripe_fake, background
):
    _, photographer = parties
    _, payment_id, session = await paid(client, services, stripe_fake, parties)
    await onboard(client, stripe_fake, photographer)
    await pay_out(background)
    assert await totals(client, photographer) == (20_000, 0, 20_000)

    await refunded(client, stripe_fake, stripe_fake.refund(session, 10_000))
    # 8,000 of the 20,000 sent is owed back: pending is negative, nothing is sent while it is.
    assert await totals(client, photographer) == (12_000, -8_000, 20_000)
    await pay_out(background)
    assert len(stripe_fake.calls("POST", "/v1/transfers")) == 1

    # A sale of 50.00 EUR (40.00 earned) is not enough to cover it either.
    await paid(client, services, stripe_fake, parties, price={"amount": 5_000, "currency": "EUR"})
    assert await totals(client, photographer) == (16_000, -4_000, 20_000)
    await pay_out(background)
    assert len(stripe_fake.calls("POST", "/v1/transfers")) == 1

    # One of 300.00 EUR (240.00 earned) is: the next payout sends it less the 40.00 still owed.
    await paid(client, services, stripe_fake, parties, price={"amount": 30_000, "currency": "EUR"})
    await pay_out(background)
    transfers = stripe_fake.calls("POST", "/v1/transfers")
    assert [transfer.params["amount"] for transfer in transfers] == ["20000", "20000"]
    assert await totals(client, photographer) == (40_000, 0, 40_000)
    payouts = (await earnings(client, photographer))["payouts"]["edges"]
    assert [(edge["node"]["status"], edge["node"]["amount"]["amount"]) for edge in payouts] == [
        ("PAID", 20_000),
        ("PAID", 20_000),
    ]
    state = await payment_state(client, photographer, payment_id)
    assert (state["status"], state["refundedAmount"]["amount"]) == ("SUCCEEDED", 10_000)


async def test_a_refund_while_its_payout_is_being_sent_is_clawed_back(
    client, services, parties, stripe_fake, background
):
    _, photographer = parties
    _, _, session = await paid(client, services, stripe_fake, parties)
    await onboard(client, stripe_fake, photographer)
    # A payout run claimed the earning and has not sent its transfer yet (as a run that died half-way leaves it).
    async with services.db.unit_of_work() as uow:
        payout = Payout(
            photographer_id=user_key(photographer), amount=0, currency=Currency.EUR, status=PayoutStatus.PENDING
        )
        uow.session.add(payout)
        await uow.session.flush()
        payout.amount = await claim_earnings(uow.session, payout.id, user_key(photographer), Currency.EUR)

    await refunded(client, stripe_fake, stripe_fake.refund(session))
    # The claimed amount goes out as claimed; what it no longer owes is owed back, from the next payouts.
    await pay_out(background)
    assert [transfer["amount"] for transfer in stripe_fake.transfers.values()] == [20_000]
    assert await totals(client, photographer) == (0, -20_000, 20_000)


async def test_a_refund_after_a_refused_payout_leaves_nothing_to_send(
    client, services, parties, stripe_fake, background
):
    _, photographer = parties
    _, _, session = await paid(client, services, stripe_fake, parties)
    await onboard(client, stripe_fake, photographer)
    stripe_fake.refuse_next("/v1/transfers", "Your destination account needs to have at least one capability enabled.")
    await pay_out(background)
    await refunded(client, stripe_fake, stripe_fake.refund(session))
    assert await totals(client, photographer) == (0, 0, 0)
    await pay_out(background)
    # Only the refused attempt was ever asked of Stripe.
    assert [call.params["amount"] for call in stripe_fake.calls("POST", "/v1/transfers")] == ["20000"]
    assert stripe_fake.transfers == {}


# Replays, order, strangers -----------------------------------------------------------------------


async def test_a_replayed_refund_applies_once(client, services, parties, stripe_fake, background):
    brand, photographer = parties
    _, payment_id, session = await paid(client, services, stripe_fake, parties)
    event = stripe_fake.event("charge.refunded", stripe_fake.refund(session, 10_000))

    responses = await asyncio.gather(*(deliver(client, stripe_fake, event) for _ in range(3)))
    assert sorted(response.json()["replay"] for response in responses) == [False, True, True]
    assert (await deliver(client, stripe_fake, event)).json() == {"received": True, "replay": True}
    # The same refund told again in another event (Stripe resends the charge as it is): nothing more either.
    same = stripe_fake.event("charge.refunded", stripe_fake.charges[stripe_fake.sessions[session]["payment_intent"]])
    assert (await deliver(client, stripe_fake, same)).status_code == 200

    assert (await payment_state(client, brand, payment_id))["refundedAmount"]["amount"] == 10_000
    assert await totals(client, photographer) == (12_000, 12_000, 0)
    await background.settle()
    assert (await event_types(client, photographer)).count("payment.refunded") == 1


async def test_refunds_out_of_order_keep_the_latest(client, services, parties, stripe_fake):
    brand, photographer = parties
    license_id, payment_id, session = await paid(client, services, stripe_fake, parties)
    first = stripe_fake.event("charge.refunded", stripe_fake.refund(session, 5_000))
    second = stripe_fake.event("charge.refunded", stripe_fake.refund(session, 10_000))
    rest = stripe_fake.event("charge.refunded", stripe_fake.refund(session))

    await deliver(client, stripe_fake, second)
    assert await totals(client, photographer) == (8_000, 8_000, 0)
    await deliver(client, stripe_fake, first)
    assert (await payment_state(client, brand, payment_id))["refundedAmount"]["amount"] == 15_000
    assert await totals(client, photographer) == (8_000, 8_000, 0)

    await deliver(client, stripe_fake, rest)
    for late in (first, second):
        assert (await deliver(client, stripe_fake, late)).status_code == 200
    state = await payment_state(client, brand, payment_id)
    assert (state["status"], state["refundedAmount"]["amount"], state["license"]["status"]) == (
        "REFUNDED",
        25_000,
        "REFUNDED",
    )
    assert await totals(client, photographer) == (0, 0, 0)
    assert (await client.data(LICENSE, {"id": license_id}, token=brand.access_token))["node"]["status"] == "REFUNDED"


async def test_a_refund_not_about_a_payment_of_ours_changes_nothing(client, services, parties, stripe_fake):
    brand, photographer = parties
    license_id, payment_id, session = await paid(client, services, stripe_fake, parties)
    ours = stripe_fake.refund(session, 10_000)
    strangers = [
        {**ours, "id": "ch_not_ours", "payment_intent": "pi_not_ours"},
        {**ours, "payment_intent": None},
        {"id": "ch_bare", "object": "charge"},
        # Ours, but not as we charged it, or nonsense.
        {**ours, "amount": 30_000},
        {**ours, "currency": "usd"},
        {**ours, "amount_refunded": "10000"},
        {**ours, "amount_refunded": 25_001},
        {**ours, "amount_refunded": -1},
    ]
    for charge in strangers:
        assert await refunded(client, stripe_fake, charge) == {"received": True, "replay": False}

    state = await payment_state(client, brand, payment_id)
    assert (state["status"], state["refundedAmount"], state["license"]["status"]) == ("SUCCEEDED", None, "ACTIVE")
    assert await totals(client, photographer) == (20_000, 20_000, 0)
    assert (await client.data(LICENSE, {"id": license_id}, token=brand.access_token))["node"]["originalDownloadUrl"]


async def test_a_badly_signed_refund_is_refused_and_changes_nothing(client, services, parties, stripe_fake):
    brand, photographer = parties
    _, payment_id, session = await paid(client, services, stripe_fake, parties)
    event = stripe_fake.event("charge.refunded", stripe_fake.refund(session))

    response = await deliver(client, stripe_fake, event, secret="whsec_someone_else")
    assert response.status_code == 401
    state = await payment_state(client, brand, payment_id)
    assert (state["status"], state["refundedAmount"], state["license"]["status"]) == ("SUCCEEDED", None, "ACTIVE")
    assert await totals(client, photographer) == (20_000, 20_000, 0)
    # Not even its id was kept: the genuine delivery applies.
    assert (await deliver(client, stripe_fake, event)).json() == {"received": True, "replay": False}
    assert (await payment_state(client, brand, payment_id))["status"] == "REFUNDED"


async def test_the_brand_dashboard_counts_what_stays_paid(client, services, parties, stripe_fake):
    brand, _ = parties
    _, _, session = await paid(client, services, stripe_fake, parties)
    assert [money["amount"] for money in (await brand_dashboard(client, brand))["spending"]] == [25_000]
    await refunded(client, stripe_fake, stripe_fake.refund(session, 10_000))
    assert [money["amount"] for money in (await brand_dashboard(client, brand))["spending"]] == [15_000]
    await refunded(client, stripe_fake, stripe_fake.refund(session))
    assert (await brand_dashboard(client, brand))["spending"] == []
