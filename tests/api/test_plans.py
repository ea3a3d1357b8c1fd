"""Plans and subscriptions through the API: the offline mode's checkout page, and Stripe Billing through the real
``stripe`` library talking HTTP to the hand-written Stripe fake, its events reaching /hooks/stripe signed."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from lensgraph.schema.core import from_global_id
from tests.api.helpers import SUBSCRIBE, Account, sign_up, subscribe
from tests.api.payment_flows import deliver, session_id

# stripe-python's httpx transport sends its form body as data=<str>, which httpx deprecates (in their code, not ours).
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")

PLANS = """query($role: Role!) { plans(role: $role) {
  id tier name role monthlyPrice { amount currency formatted }
  limits { maxUploadBytes apiKeys verificationsPerMonth advancedSearch } } }"""
MINE = """{ viewer {
  plan { id name limits { maxUploadBytes apiKeys advancedSearch } }
  subscription { id status inForce cancelAtPeriodEnd currentPeriodEnd plan { id } } } }"""
CANCEL = (
    "mutation { cancelSubscription { subscription { status inForce cancelAtPeriodEnd } userErrors { code message } } }"
)
RESUME = "mutation { resumeSubscription { subscription { cancelAtPeriodEnd } userErrors { code message } } }"
UPLOAD = """mutation($size: Int!) { requestPhotoUpload(input: {filename: "big.jpg", mimeType: "image/jpeg",
  fileSizeBytes: $size}) { uploadId userErrors { field code message } } }"""
MEGABYTE = 1024 * 1024


async def mine(client, account: Account) -> dict[str, Any]:
    viewer: dict[str, Any] = (await client.data(MINE, token=account.access_token))["viewer"]
    return viewer


async def ask(client, account: Account, plan_id: str) -> dict[str, Any]:
    payload: dict[str, Any] = (
        await client.data(SUBSCRIBE, {"input": {"planId": plan_id}}, token=account.access_token)
    )["subscribeToPlan"]
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


# Plans and the free plan ----------------------------------------------------------------------


async def test_each_role_has_four_plans_with_their_limits(client):
    offered = (await client.data(PLANS, {"role": "PHOTOGRAPHER"}))["plans"]
    assert [plan["tier"] for plan in offered] == ["FREE", "BASIC", "PROFESSIONAL", "ENTERPRISE"]
    assert offered[0]["monthlyPrice"] is None and offered[0]["id"] == "photographer-free"
    assert offered[1]["monthlyPrice"] == {"amount": 1200, "currency": "EUR", "formatted": "12.00 EUR"}
    assert offered[0]["limits"] == {
        "maxUploadBytes": 50 * MEGABYTE,
        "apiKeys": 2,
        "verificationsPerMonth": 5,
        "advancedSearch": False,
    }
    assert offered[3]["limits"]["apiKeys"] is None  # unlimited
    assert (await client.data(PLANS, {"role": "ADMIN"}))["plans"] == []


async def test_everyone_starts_on_the_free_plan_of_their_role(client):
    brand = await sign_up(client, role="BRAND")
    viewer = await mine(client, brand)
    assert viewer["plan"]["id"] == "brand-free" and viewer["subscription"] is None


# The offline mode ----------------------------------------------------------------------------


async def test_offline_subscription_is_confirmed_on_a_development_page(client):
    photographer = await sign_up(client)
    opened = await ask(client, photographer, "photographer-basic")
    assert opened["userErrors"] == [] and opened["subscription"]["status"] == "INCOMPLETE"
    assert opened["subscription"]["inForce"] is False
    path = opened["checkoutUrl"].removeprefix("http://testserver")
    assert path.startswith("/payments/offline/subscriptions/")
    page = await client.http.get(path)
    assert page.status_code == 200 and "DEVELOPMENT" in page.text and "Basic" in page.text and "12.00 EUR" in page.text
    # Not paid yet: the free plan's limits still apply, and asking again hands out the same checkout.
    assert (await mine(client, photographer))["plan"]["id"] == "photographer-free"
    assert (await ask(client, photographer, "photographer-basic"))["checkoutUrl"] == opened["checkoutUrl"]
    forged = path.split("?")[0] + "?token=forged"
    assert (await client.http.post(forged)).status_code == 404

    assert (await client.http.post(path)).status_code == 303
    viewer = await mine(client, photographer)
    assert viewer["plan"]["id"] == "photographer-basic"
    assert viewer["subscription"]["status"] == "ACTIVE" and viewer["subscription"]["inForce"] is True
    assert viewer["subscription"]["currentPeriodEnd"] is not None
    # Confirming twice changes nothing.
    assert (await client.http.post(path)).status_code == 303
    assert (await mine(client, photographer))["subscription"]["status"] == "ACTIVE"


async def test_refused_subscriptions(client):
    brand = await sign_up(client, role="BRAND")
    assert codes(await ask(client, brand, "brand-platinum")) == ["NOT_FOUND"]
    assert codes(await ask(client, brand, "photographer-basic")) == ["INVALID_INPUT"]
    assert codes(await ask(client, brand, "brand-free")) == ["INVALID_INPUT"]
    anonymous = await client.execute(SUBSCRIBE, {"input": {"planId": "brand-basic"}})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await mine(client, brand))["subscription"] is None  # nothing half-written
    nothing = (await client.data(CANCEL, token=brand.access_token))["cancelSubscription"]
    assert codes(nothing) == ["NOT_FOUND"]
    await subscribe(client, brand, "brand-basic")
    assert codes(await ask(client, brand, "brand-basic")) == ["ALREADY_EXISTS"]
    not_cancelled = (await client.data(RESUME, token=brand.access_token))["resumeSubscription"]
    assert codes(not_cancelled) == ["INVALID_TRANSITION"]


async def test_changing_plan_applies_at_once_and_cancelling_keeps_it_to_the_period_end(client):
    brand = await sign_up(client, role="BRAND")
    await subscribe(client, brand, "brand-basic")
    changed = await ask(client, brand, "brand-professional")
    assert changed["userErrors"] == [] and changed["checkoutUrl"] is None
    assert (await mine(client, brand))["plan"]["limits"]["apiKeys"] == 20

    cancelled = (await client.data(CANCEL, token=brand.access_token))["cancelSubscription"]
    assert cancelled == {
        "subscription": {"status": "ACTIVE", "inForce": True, "cancelAtPeriodEnd": True},
        "userErrors": [],
    }
    assert (await mine(client, brand))["plan"]["id"] == "brand-professional"
    again = (await client.data(CANCEL, token=brand.access_token))["cancelSubscription"]
    assert again["userErrors"] == []
    resumed = (await client.data(RESUME, token=brand.access_token))["resumeSubscription"]
    assert resumed == {"subscription": {"cancelAtPeriodEnd": False}, "userErrors": []}


async def test_upload_size_follows_the_plan(client):
    photographer = await sign_up(client)
    over_free = await client.data(UPLOAD, {"size": 60 * MEGABYTE}, token=photographer.access_token)
    [error] = over_free["requestPhotoUpload"]["userErrors"]
    assert error["code"] == "QUOTA_EXCEEDED" and "50 MB" in error["message"]
    await subscribe(client, photographer, "photographer-basic")
    allowed = await client.data(UPLOAD, {"size": 60 * MEGABYTE}, token=photographer.access_token)
    assert allowed["requestPhotoUpload"]["userErrors"] == []
    over_basic = await client.data(UPLOAD, {"size": 150 * MEGABYTE}, token=photographer.access_token)
    assert codes(over_basic["requestPhotoUpload"]) == ["QUOTA_EXCEEDED"]


async def test_a_subscription_is_seen_by_its_owner_only(client):
    brand = await sign_up(client, role="BRAND")
    stranger = await sign_up(client, role="BRAND")
    subscription_id = (await subscribe(client, brand, "brand-basic"))["subscription"]["id"]
    assert from_global_id(subscription_id)[0] == "PlanSubscription"
    node = "query($id: ID!) { node(id: $id) { ... on PlanSubscription { status } } }"
    assert (await client.data(node, {"id": subscription_id}, token=brand.access_token))["node"] == {"status": "ACTIVE"}
    assert (await client.data(node, {"id": subscription_id}, token=stranger.access_token))["node"] is None


# Stripe Billing ------------------------------------------------------------------------------


async def started(client, stripe_fake, account: Account, plan_id: str) -> tuple[dict[str, Any], str]:
    """Subscribed and paid at Stripe, its checkout.session.completed delivered: the payload and the subscription."""
    opened = await ask(client, account, plan_id)
    assert opened["userErrors"] == [], opened
    paid = stripe_fake.subscription_checkout_paid(session_id(opened["checkoutUrl"]))
    response = await deliver(client, stripe_fake, stripe_fake.event("checkout.session.completed", paid))
    assert response.status_code == 200 and response.json()["replay"] is False, response.text
    return opened, paid["subscription"]


async def test_stripe_checkout_in_subscription_mode_then_its_event(client, stripe_fake):
    brand = await sign_up(client, role="BRAND")
    opened = await ask(client, brand, "brand-basic")
    [call] = stripe_fake.calls("POST", "/v1/checkout/sessions")
    assert call.params["mode"] == "subscription" and call.params["customer_email"] == brand.email
    [item] = call.params["line_items"]
    assert item["price_data"] == {
        "currency": "eur",
        "unit_amount": "1200",
        "recurring": {"interval": "month"},
        "product": "lensgraph_brand_basic",
    }
    assert call.params["subscription_data"]["metadata"]["plan_id"] == "brand-basic"
    assert stripe_fake.products["lensgraph_brand_basic"]["name"] == "Lensgraph Basic"
    assert (await mine(client, brand))["plan"]["id"] == "brand-free"

    paid = stripe_fake.subscription_checkout_paid(session_id(opened["checkoutUrl"]))
    event = stripe_fake.event("checkout.session.completed", paid)
    assert (await deliver(client, stripe_fake, event)).status_code == 200
    viewer = await mine(client, brand)
    assert viewer["plan"]["id"] == "brand-basic" and viewer["subscription"]["status"] == "ACTIVE"
    period_end = stripe_fake.subscriptions[paid["subscription"]]["items"]["data"][0]["current_period_end"]
    assert viewer["subscription"]["currentPeriodEnd"] == datetime.fromtimestamp(period_end, UTC).isoformat()
    replay = await deliver(client, stripe_fake, event)
    assert replay.status_code == 200 and replay.json()["replay"] is True


async def test_a_subscription_event_before_the_checkout_event_is_applied(client, stripe_fake):
    brand = await sign_up(client, role="BRAND")
    opened = await ask(client, brand, "brand-professional")
    paid = stripe_fake.subscription_checkout_paid(session_id(opened["checkoutUrl"]))
    subscription = stripe_fake.subscriptions[paid["subscription"]]
    created = await deliver(client, stripe_fake, stripe_fake.event("customer.subscription.created", subscription))
    assert created.status_code == 200 and created.json()["replay"] is False
    assert (await mine(client, brand))["plan"]["id"] == "brand-professional"
    late = await deliver(client, stripe_fake, stripe_fake.event("checkout.session.completed", paid))
    assert late.status_code == 200
    assert (await mine(client, brand))["subscription"]["status"] == "ACTIVE"


async def test_failed_renewal_then_the_end_of_the_subscription(client, stripe_fake):
    brand = await sign_up(client, role="BRAND")
    _, subscription_id = await started(client, stripe_fake, brand, "brand-basic")
    active_snapshot = stripe_fake.change_subscription(subscription_id)
    past_due = stripe_fake.change_subscription(subscription_id, status="past_due")
    await deliver(client, stripe_fake, stripe_fake.event("customer.subscription.updated", past_due))
    viewer = await mine(client, brand)
    assert viewer["subscription"]["status"] == "PAST_DUE" and viewer["plan"]["id"] == "brand-basic"

    ended = stripe_fake.change_subscription(subscription_id, status="canceled")
    await deliver(client, stripe_fake, stripe_fake.event("customer.subscription.deleted", ended))
    viewer = await mine(client, brand)
    assert viewer["subscription"]["status"] == "CANCELED" and viewer["plan"]["id"] == "brand-free"
    # An older event delivered late says "active": Stripe's current word is asked, and it stays ended.
    stale = await deliver(client, stripe_fake, stripe_fake.event("customer.subscription.updated", active_snapshot))
    assert stale.status_code == 200
    assert (await mine(client, brand))["subscription"]["status"] == "CANCELED"


async def test_invoice_events_name_their_subscription_under_parent(client, stripe_fake):
    brand = await sign_up(client, role="BRAND")
    _, subscription_id = await started(client, stripe_fake, brand, "brand-basic")
    renewed_until = int(time.time()) + 60 * 24 * 3600
    stripe_fake.change_subscription(subscription_id, current_period_end=renewed_until)
    invoice = {
        "id": "in_test_1",
        "object": "invoice",
        "status": "paid",
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": subscription_id}},
    }
    assert (await deliver(client, stripe_fake, stripe_fake.event("invoice.paid", invoice))).status_code == 200
    end = (await mine(client, brand))["subscription"]["currentPeriodEnd"]
    assert end == datetime.fromtimestamp(renewed_until, UTC).isoformat()


async def test_plan_change_and_cancellation_go_to_stripe(client, stripe_fake):
    brand = await sign_up(client, role="BRAND")
    _, subscription_id = await started(client, stripe_fake, brand, "brand-basic")
    changed = await ask(client, brand, "brand-enterprise")
    assert changed["userErrors"] == [] and changed["checkoutUrl"] is None
    [update] = stripe_fake.calls("POST", f"/v1/subscriptions/{subscription_id}")
    assert update.params["proration_behavior"] == "create_prorations"
    assert update.params["items"][0]["price_data"]["product"] == "lensgraph_brand_enterprise"
    assert update.params["items"][0]["price_data"]["unit_amount"] == "19900"
    assert stripe_fake.subscriptions[subscription_id]["metadata"]["plan_id"] == "brand-enterprise"
    assert (await mine(client, brand))["plan"]["id"] == "brand-enterprise"

    cancelled = (await client.data(CANCEL, token=brand.access_token))["cancelSubscription"]
    assert cancelled["userErrors"] == [] and cancelled["subscription"]["cancelAtPeriodEnd"] is True
    assert stripe_fake.subscriptions[subscription_id]["cancel_at_period_end"] is True
    # Stripe's own event about it agrees, and changes nothing more.
    echo = stripe_fake.change_subscription(subscription_id)
    await deliver(client, stripe_fake, stripe_fake.event("customer.subscription.updated", echo))
    viewer = await mine(client, brand)
    assert viewer["subscription"]["cancelAtPeriodEnd"] is True and viewer["plan"]["id"] == "brand-enterprise"


async def test_stripe_refusing_the_checkout_writes_nothing(client, stripe_fake):
    brand = await sign_up(client, role="BRAND")
    stripe_fake.refuse_next("/v1/checkout/sessions", "Your account cannot currently make live charges.")
    refused = await ask(client, brand, "brand-basic")
    assert (
        codes(refused) == ["INVALID_INPUT"]
        and "cannot currently make live charges" in refused["userErrors"][0]["message"]
    )
    assert (await mine(client, brand))["subscription"] is None


async def test_subscribing_again_after_the_end_reuses_the_stripe_customer(client, stripe_fake):
    brand = await sign_up(client, role="BRAND")
    _, subscription_id = await started(client, stripe_fake, brand, "brand-basic")
    customer = stripe_fake.subscriptions[subscription_id]["customer"]
    ended = stripe_fake.change_subscription(subscription_id, status="canceled")
    await deliver(client, stripe_fake, stripe_fake.event("customer.subscription.deleted", ended))
    _, second = await started(client, stripe_fake, brand, "brand-basic")
    assert stripe_fake.calls("POST", "/v1/checkout/sessions")[-1].params["customer"] == customer
    assert second != subscription_id
    # The first subscription's late events no longer touch the second.
    await deliver(client, stripe_fake, stripe_fake.event("customer.subscription.updated", ended))
    assert (await mine(client, brand))["subscription"]["status"] == "ACTIVE"


async def test_an_unknown_subscription_is_ignored(client, stripe_fake):
    foreign = {"id": "sub_not_ours", "object": "subscription", "status": "active", "metadata": {}}
    stripe_fake.subscriptions["sub_not_ours"] = {**foreign, "items": {"data": []}, "customer": "cus_x"}
    response = await deliver(client, stripe_fake, stripe_fake.event("customer.subscription.updated", foreign))
    assert response.status_code == 200 and response.json()["replay"] is False


async def test_an_event_about_a_subscription_stripe_does_not_have_changes_nothing(client, stripe_fake):
    brand = await sign_up(client, role="BRAND")
    assert (await ask(client, brand, "brand-basic"))["userErrors"] == []
    before = await mine(client, brand)
    assert before["plan"]["id"] == "brand-free" and before["subscription"]["status"] == "INCOMPLETE"
    # It names the subscription awaiting its first payment, a dearer plan and "active": taken at its word, it
    # would hand out that plan unpaid.
    [checkout] = stripe_fake.calls("POST", "/v1/checkout/sessions")
    metadata = {**checkout.params["subscription_data"]["metadata"], "plan_id": "brand-enterprise"}
    ghost = {"id": "sub_gone", "object": "subscription", "status": "active", "metadata": metadata}
    response = await deliver(client, stripe_fake, stripe_fake.event("customer.subscription.updated", ghost))
    assert response.status_code == 200
    assert stripe_fake.calls("GET", "/v1/subscriptions/sub_gone"), "Stripe's own word was not asked"
    assert await mine(client, brand) == before


async def test_two_first_subscriptions_at_once_make_one(client, stripe_fake):
    brand = await sign_up(client, role="BRAND")
    first, second = await asyncio.gather(ask(client, brand, "brand-basic"), ask(client, brand, "brand-basic"))
    assert first["userErrors"] == [] and second["userErrors"] == []
    assert first["subscription"]["id"] == second["subscription"]["id"]
    assert first["checkoutUrl"] == second["checkoutUrl"]


async def test_the_subscriber_hears_of_each_change_but_not_of_renewals(client, stripe_fake, background):
    brand = await sign_up(client, role="BRAND")
    _, subscription_id = await started(client, stripe_fake, brand, "brand-basic")
    renewed = stripe_fake.change_subscription(subscription_id, current_period_end=int(time.time()) + 90 * 86400)
    await deliver(client, stripe_fake, stripe_fake.event("customer.subscription.updated", renewed))
    await client.data(CANCEL, token=brand.access_token)
    await background.settle()
    notifications = await client.data(
        "{ viewer { notifications(first: 10) { edges { node { eventType data } } } } }", token=brand.access_token
    )
    changes = [edge["node"] for edge in notifications["viewer"]["notifications"]["edges"]]
    changes = [node["data"] for node in changes if node["eventType"] == "subscription.updated"]
    assert [(data["status"], data["cancelAtPeriodEnd"]) for data in changes] == [("ACTIVE", True), ("ACTIVE", False)]
    assert {data["planId"] for data in changes} == {"brand-basic"}
