"""A paid print order through Stripe: the studio's earning goes out in its payout as a photographer's license
earning does, and a refund claws its share back as today."""

from __future__ import annotations

import pytest

from tests.api.payment_flows import deliver, earnings, onboard, session_id
from tests.api.print_flows import CLIENT_VIEW, PAY, client_call, placed, store
from tests.api.test_refunds import pay_out, refunded, totals

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")


async def test_a_paid_print_order_is_paid_out_to_its_studio_and_a_refund_is_clawed_back(
    client, services, stripe_fake, background
):
    shop = await store(client, services)
    payload = await placed(client, shop)
    session = session_id(payload["checkoutUrl"])
    [opened] = stripe_fake.calls("POST", "/v1/checkout/sessions")
    assert opened.params["metadata"]["print_order_id"] and opened.params["line_items"][0]["price_data"][
        "unit_amount"
    ] == str(14_000)

    paid = stripe_fake.event("checkout.session.completed", stripe_fake.checkout_paid(session))
    assert (await deliver(client, stripe_fake, paid)).status_code == 200
    # The same event delivered again changes nothing.
    assert (await deliver(client, stripe_fake, paid)).status_code == 200
    seen = (await client.data(CLIENT_VIEW, {"slug": shop.slug}, headers=shop.headers()))["gallery"]["printOrders"]
    assert seen["edges"][0]["node"]["status"] == "PAID"

    # 140.00 EUR paid, the 20% platform fee kept: 112.00 EUR goes out to the studio.
    await onboard(client, stripe_fake, shop.owner)
    await pay_out(background)
    [payout] = (await earnings(client, shop.owner))["payouts"]["edges"]
    assert (payout["node"]["status"], payout["node"]["amount"]) == ("PAID", {"amount": 11_200, "currency": "EUR"})
    assert [call.params["amount"] for call in stripe_fake.calls("POST", "/v1/transfers")] == ["11200"]
    assert await totals(client, shop.owner) == (11_200, 0, 11_200)

    # Refunded in full after its payout: the studio owes its share back, and the order is REFUNDED.
    await refunded(client, stripe_fake, stripe_fake.refund(session))
    assert await totals(client, shop.owner) == (0, -11_200, 11_200)
    seen = (await client.data(CLIENT_VIEW, {"slug": shop.slug}, headers=shop.headers()))["gallery"]["printOrders"]
    assert seen["edges"][0]["node"]["status"] == "REFUNDED"


async def test_a_checkout_that_lapses_leaves_the_order_pending_and_payable_again(client, services, stripe_fake):
    shop = await store(client, services)
    payload = await placed(client, shop)
    session = session_id(payload["checkoutUrl"])
    expired = stripe_fake.event("checkout.session.expired", stripe_fake.checkout_expired(session))
    assert (await deliver(client, stripe_fake, expired)).status_code == 200
    again = await client_call(client, shop, PAY, gallerySlug=shop.slug, id=payload["printOrder"]["id"])
    assert again["userErrors"] == [] and again["printOrder"]["status"] == "PENDING"
    assert session_id(again["checkoutUrl"]) != session
    assert len(stripe_fake.calls("POST", "/v1/checkout/sessions")) == 2
