"""Paying for licenses through the API, with the real ``stripe`` library talking HTTP to a hand-written Stripe fake on
127.0.0.1 and Stripe's events reaching /hooks/stripe signed as Stripe signs them; and the offline mode."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta
from uuid import UUID

import pytest
from pydantic import ValidationError

from lensgraph.app.payments import log_payment_mode
from lensgraph.config import Settings
from lensgraph.persistence.base import utcnow
from lensgraph.schema.core import from_global_id, to_global_id
from tests.api.factories import user_key
from tests.api.helpers import Account, sign_up
from tests.api.images import photo_jpeg
from tests.api.payment_flows import (
    CHECKOUT,
    LICENSE,
    ONBOARD,
    PAYMENT,
    PAYMENTS,
    checkout,
    deliver,
    earnings,
    event_types,
    onboard,
    paid_licenses,
    pay,
    session_id,
    signed_license,
)
from tests.api.test_licensing import ACCEPT, COUNTER, SIGN, answer, offer, photo_of, terms
from tests.api.test_photos import upload
from tests.fakes.stripe import StripeFake

# stripe-python's httpx transport sends its form body as data=<str>, which httpx deprecates (in their code, not ours).
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")


@pytest.fixture
async def parties(client) -> tuple[Account, Account]:
    return await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER")


# The whole flow ----------------------------------------------------------------------------------


async def test_offer_to_payout(client, services, parties, stripe_fake, background):
    brand, photographer = parties
    uploaded = await upload(client, photographer, photo_jpeg())
    await background.settle()
    photo_id = uploaded["photo"]["id"]

    license_id = (await offer(client, brand, photo_id))["license"]["id"]
    await answer(
        client, COUNTER, photographer, licenseId=license_id, terms=terms(price={"amount": 40_000, "currency": "EUR"})
    )
    await answer(client, COUNTER, brand, licenseId=license_id, terms=terms(price={"amount": 32_000, "currency": "EUR"}))
    contract_id = (await answer(client, ACCEPT, photographer, licenseId=license_id))["contract"]["id"]
    await answer(client, SIGN, brand, contractId=contract_id, signatureName="Jane Brand")
    await answer(client, SIGN, photographer, contractId=contract_id, signatureName="Ann Photographer")

    # Checkout: one Stripe session, for the agreed price, keyed by the payment.
    opened = await checkout(client, brand, license_id)
    assert opened["userErrors"] == []
    payment = opened["payment"]
    assert (payment["status"], payment["amount"]["formatted"], payment["paidAt"]) == ("PENDING", "320.00 EUR", None)
    [created] = stripe_fake.calls("POST", "/v1/checkout/sessions")
    payment_key = str(from_global_id(payment["id"])[1])
    [item] = created.params["line_items"]
    assert (item["price_data"]["unit_amount"], item["price_data"]["currency"], item["quantity"]) == (
        "32000",
        "eur",
        "1",
    )
    assert created.params["mode"] == "payment"
    assert created.params["metadata"] == {"payment_id": payment_key, "license_id": str(from_global_id(license_id)[1])}
    assert created.headers["idempotency-key"] == payment_key
    assert created.params["success_url"].startswith("http://testserver/payments/return")
    assert opened["checkoutUrl"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    # Asked again while it is open: the same checkout, no second session.
    again = await checkout(client, brand, license_id)
    assert (again["checkoutUrl"], again["payment"]["id"]) == (opened["checkoutUrl"], payment["id"])
    assert len(stripe_fake.calls("POST", "/v1/checkout/sessions")) == 1
    unpaid = (await client.data(LICENSE, {"id": license_id}, token=brand.access_token))["node"]
    assert (unpaid["originalDownloadUrl"], unpaid["photo"]["originalUrl"]) == (None, None)

    # Stripe says it was paid.
    session = stripe_fake.checkout_paid(session_id(opened["checkoutUrl"]))
    response = await deliver(client, stripe_fake, stripe_fake.event("checkout.session.completed", session))
    assert (response.status_code, response.json()) == (200, {"received": True, "replay": False})

    licensed = (await client.data(LICENSE, {"id": license_id}, token=brand.access_token))["node"]
    assert licensed["status"] == "ACTIVE"
    starts_at = datetime.fromisoformat(licensed["startsAt"])
    assert datetime.fromisoformat(licensed["endsAt"]) - starts_at == timedelta(days=365)
    original = await client.http.get(licensed["photo"]["originalUrl"])
    assert (original.status_code, original.content) == (200, photo_jpeg())
    assert (await client.http.get(licensed["originalDownloadUrl"])).content == photo_jpeg()
    paid = (await client.data(PAYMENT, {"id": payment["id"]}, token=photographer.access_token))["node"]
    assert paid["status"] == "SUCCEEDED" and paid["paidAt"] and paid["license"]["id"] == license_id
    listed = (await client.data(PAYMENTS, token=brand.access_token))["viewer"]["payments"]
    assert [edge["node"]["id"] for edge in listed["edges"]] == [payment["id"]]

    # Nobody else gets the original: another brand, the photographer through the license.
    rival = await sign_up(client, role="BRAND")
    photo_seen_by_rival = "query($id: ID!) { node(id: $id) { ... on Photo { originalUrl } } }"
    assert (await client.data(photo_seen_by_rival, {"id": photo_id}, token=rival.access_token))["node"] == {
        "originalUrl": None
    }
    assert (await client.data(PAYMENT, {"id": payment["id"]}, token=rival.access_token))["node"] is None
    as_photographer = (await client.data(LICENSE, {"id": license_id}, token=photographer.access_token))["node"]
    assert as_photographer["originalDownloadUrl"] is None

    # The photographer earned the price less the 20% fee.
    owed = await earnings(client, photographer)
    assert owed["payoutAccount"] == {
        "status": "NOT_STARTED",
        "chargesEnabled": False,
        "payoutsEnabled": False,
        "detailsSubmitted": False,
    }
    [stats] = owed["payoutStats"]
    assert (stats["currency"], stats["total"], stats["pending"], stats["paid"]) == (
        "EUR",
        {"amount": 25_600},
        {"amount": 25_600},
        {"amount": 0},
    )

    # Onboarding, then Stripe enables payouts; the hourly job transfers the earning.
    account_id = await onboard(client, stripe_fake, photographer)
    [account_request] = stripe_fake.calls("POST", "/v1/accounts")
    assert account_request.params["type"] == "express"
    assert account_request.params["metadata"] == {"user_id": str(user_key(photographer))}
    assert (await earnings(client, photographer))["payoutAccount"]["status"] == "ACTIVE"
    background.send("payments.pay_out")
    await background.settle()

    [transfer] = stripe_fake.calls("POST", "/v1/transfers")
    assert (transfer.params["amount"], transfer.params["currency"], transfer.params["destination"]) == (
        "25600",
        "eur",
        account_id,
    )
    done = await earnings(client, photographer)
    [payout] = [edge["node"] for edge in done["payouts"]["edges"]]
    assert (payout["status"], payout["amount"], payout["failureReason"]) == (
        "PAID",
        {"amount": 25_600, "currency": "EUR"},
        None,
    )
    assert transfer.headers["idempotency-key"] == str(from_global_id(payout["id"])[1])
    [stats] = done["payoutStats"]
    assert (stats["total"], stats["pending"], stats["paid"]) == ({"amount": 25_600}, {"amount": 0}, {"amount": 25_600})
    assert stats["byMonth"] == [{"month": starts_at.strftime("%Y-%m"), "amount": {"amount": 25_600}}]
    assert {"payment.completed", "payout.paid"} <= set(await event_types(client, photographer))
    assert "payment.completed" in await event_types(client, brand)

    # Run again: nothing more to pay, nothing sent twice.
    background.send("payments.pay_out")
    await background.settle()
    assert len(stripe_fake.calls("POST", "/v1/transfers")) == 1


# Checkout refusals -------------------------------------------------------------------------------


async def test_checkout_only_for_the_brand_of_a_signed_unpaid_license(client, services, parties, stripe_fake):
    brand, photographer = parties
    unsigned = (await offer(client, brand, await photo_of(services, photographer)))["license"]["id"]
    await answer(client, ACCEPT, photographer, licenseId=unsigned)
    refused = await checkout(client, brand, unsigned)
    assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [
        (["licenseId"], "INVALID_TRANSITION")
    ]
    assert refused["payment"] is None and refused["checkoutUrl"] is None

    license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
    stranger = await sign_up(client, role="BRAND")
    assert (await checkout(client, stranger, license_id))["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await checkout(client, brand, to_global_id("License", UUID(int=7))))["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await checkout(client, brand, "not-an-id"))["userErrors"][0]["code"] == "NOT_FOUND"
    body = await client.execute(CHECKOUT, {"input": {"licenseId": license_id}}, token=photographer.access_token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await client.execute(CHECKOUT, {"input": {"licenseId": license_id}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # Nothing was opened for any refusal.
    assert stripe_fake.calls("POST", "/v1/checkout/sessions") == []
    assert (await client.data(PAYMENTS, token=brand.access_token))["viewer"]["payments"]["totalCount"] == 0

    await pay(client, stripe_fake, brand, license_id)
    paid_already = await checkout(client, brand, license_id)
    assert [(error["field"], error["code"]) for error in paid_already["userErrors"]] == [
        (["licenseId"], "ALREADY_EXISTS")
    ]


async def test_a_checkout_stripe_refuses_leaves_nothing(client, services, parties, stripe_fake):
    brand, photographer = parties
    license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
    stripe_fake.refuse_next("/v1/checkout/sessions", "Amount must convert to at least 50 cents.")
    refused = await checkout(client, brand, license_id)
    assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [(["licenseId"], "INVALID_INPUT")]
    assert "at least 50 cents" in refused["userErrors"][0]["message"]
    assert (await client.data(PAYMENTS, token=brand.access_token))["viewer"]["payments"]["totalCount"] == 0
    assert (await checkout(client, brand, license_id))["userErrors"] == []


async def test_two_checkouts_at_once_open_one_payment(client, services, parties, stripe_fake):
    brand, photographer = parties
    license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
    first, second = await asyncio.gather(checkout(client, brand, license_id), checkout(client, brand, license_id))
    assert first["userErrors"] == second["userErrors"] == []
    assert first["checkoutUrl"] == second["checkoutUrl"]
    assert (await client.data(PAYMENTS, token=brand.access_token))["viewer"]["payments"]["totalCount"] == 1


# Webhooks: signatures, replays, order ------------------------------------------------------------


async def test_a_badly_signed_event_is_refused_and_changes_nothing(client, services, parties, stripe_fake):
    brand, photographer = parties
    license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
    opened = await checkout(client, brand, license_id)
    event = stripe_fake.event(
        "checkout.session.completed", stripe_fake.checkout_paid(session_id(opened["checkoutUrl"]))
    )

    assert (await deliver(client, stripe_fake, event, secret="whsec_someone_else")).status_code == 401
    stale = int(utcnow().timestamp()) - 301
    assert (await deliver(client, stripe_fake, event, timestamp=stale)).status_code == 401
    unsigned = await client.http.post("/hooks/stripe", content=json.dumps(event))
    assert unsigned.status_code == 401
    _, signature = stripe_fake.signed(event)
    tampered = json.dumps({**event, "type": "checkout.session.expired"})
    forged = await client.http.post("/hooks/stripe", content=tampered, headers={"Stripe-Signature": signature})
    assert forged.status_code == 401

    state = (await client.data(LICENSE, {"id": license_id}, token=brand.access_token))["node"]
    assert state["status"] == "AWAITING_PAYMENT"
    payment = (await client.data(PAYMENT, {"id": opened["payment"]["id"]}, token=brand.access_token))["node"]
    assert payment["status"] == "PENDING"
    # Not even the event id was kept: the genuine delivery is applied.
    assert (await deliver(client, stripe_fake, event)).json() == {"received": True, "replay": False}


async def test_a_replayed_event_credits_once(client, services, parties, stripe_fake, background):
    brand, photographer = parties
    license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
    opened = await checkout(client, brand, license_id)
    event = stripe_fake.event(
        "checkout.session.completed", stripe_fake.checkout_paid(session_id(opened["checkoutUrl"]))
    )

    assert (await deliver(client, stripe_fake, event)).json()["replay"] is False
    assert (await deliver(client, stripe_fake, event)).json() == {"received": True, "replay": True}
    concurrent = await asyncio.gather(*(deliver(client, stripe_fake, event) for _ in range(3)))
    assert [response.status_code for response in concurrent] == [200, 200, 200]
    assert all(response.json()["replay"] for response in concurrent)

    [stats] = (await earnings(client, photographer))["payoutStats"]
    assert stats["total"] == {"amount": 20_000}  # 250.00 EUR less 20%, once
    await background.settle()
    assert (await event_types(client, brand)).count("payment.completed") == 1


async def test_concurrent_first_deliveries_apply_once(client, services, parties, stripe_fake):
    brand, photographer = parties
    license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
    opened = await checkout(client, brand, license_id)
    event = stripe_fake.event(
        "checkout.session.completed", stripe_fake.checkout_paid(session_id(opened["checkoutUrl"]))
    )
    responses = await asyncio.gather(*(deliver(client, stripe_fake, event) for _ in range(4)))
    assert sorted(response.json()["replay"] for response in responses) == [False, True, True, True]
    [stats] = (await earnings(client, photographer))["payoutStats"]
    assert stats["total"] == {"amount": 20_000}


async def test_events_out_of_order_or_not_ours(client, services, parties, stripe_fake):
    brand, photographer = parties
    # A session we never opened (another integration on the account, or our insert rolled back).
    stranger_session = {"id": "cs_test_not_ours", "object": "checkout.session", "payment_status": "paid"}
    response = await deliver(client, stripe_fake, stripe_fake.event("checkout.session.completed", stranger_session))
    assert (response.status_code, response.json()["replay"]) == (200, False)
    # A type we do not handle.
    assert (
        await deliver(client, stripe_fake, stripe_fake.event("customer.created", {"id": "cus_1", "object": "customer"}))
    ).status_code == 200
    # account.updated before our row exists (our write after creating the account was lost): the row is made.
    early = {
        "id": "acct_early",
        "object": "account",
        "charges_enabled": True,
        "payouts_enabled": True,
        "details_submitted": True,
        "metadata": {"user_id": str(user_key(photographer))},
    }
    assert (await deliver(client, stripe_fake, stripe_fake.event("account.updated", early))).status_code == 200
    assert (await earnings(client, photographer))["payoutAccount"]["status"] == "ACTIVE"
    orphan = {**early, "id": "acct_orphan", "metadata": {}}
    assert (await deliver(client, stripe_fake, stripe_fake.event("account.updated", orphan))).status_code == 200
    assert (await earnings(client, brand))["payoutAccount"] is None


async def test_an_expired_checkout_fails_and_the_brand_pays_again(client, services, parties, stripe_fake):
    brand, photographer = parties
    license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
    first = await checkout(client, brand, license_id)
    expired = stripe_fake.checkout_expired(session_id(first["checkoutUrl"]))
    assert (
        await deliver(client, stripe_fake, stripe_fake.event("checkout.session.expired", expired))
    ).status_code == 200
    assert (await client.data(PAYMENT, {"id": first["payment"]["id"]}, token=brand.access_token))["node"][
        "status"
    ] == "FAILED"
    assert (await client.data(LICENSE, {"id": license_id}, token=brand.access_token))["node"]["status"] == (
        "AWAITING_PAYMENT"
    )

    second = await pay(client, stripe_fake, brand, license_id)
    assert second["checkoutUrl"] != first["checkoutUrl"]
    assert (await client.data(LICENSE, {"id": license_id}, token=brand.access_token))["node"]["status"] == "ACTIVE"
    listed = (await client.data(PAYMENTS, token=brand.access_token))["viewer"]["payments"]["edges"]
    assert [edge["node"]["status"] for edge in listed] == ["SUCCEEDED", "FAILED"]


async def test_a_delayed_payment_method_activates_when_it_settles(client, services, parties, stripe_fake):
    brand, photographer = parties
    license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
    opened = session_id((await checkout(client, brand, license_id))["checkoutUrl"])
    # A bank debit: the checkout completes unpaid, the money comes days later.
    submitted = {**stripe_fake.sessions[opened], "status": "complete", "payment_status": "unpaid"}
    await deliver(client, stripe_fake, stripe_fake.event("checkout.session.completed", submitted))
    assert (await client.data(LICENSE, {"id": license_id}, token=brand.access_token))["node"]["status"] == (
        "AWAITING_PAYMENT"
    )
    settled = stripe_fake.checkout_paid(opened)
    await deliver(client, stripe_fake, stripe_fake.event("checkout.session.async_payment_succeeded", settled))
    assert (await client.data(LICENSE, {"id": license_id}, token=brand.access_token))["node"]["status"] == "ACTIVE"


async def test_a_perpetual_license_never_ends(client, services, parties, stripe_fake):
    brand, photographer = parties
    license_id = await signed_license(
        client, brand, photographer, await photo_of(services, photographer), durationDays=None
    )
    await pay(client, stripe_fake, brand, license_id)
    state = (await client.data(LICENSE, {"id": license_id}, token=brand.access_token))["node"]
    assert (state["status"], state["endsAt"]) == ("ACTIVE", None) and state["startsAt"]


# Lists stay cheap --------------------------------------------------------------------------------


async def test_nested_payment_lists_cost_the_same_at_any_size(client, services, parties, sql):
    brand, photographer = parties
    query = """{ viewer { payments(first: 100) { edges { node { status amount { amount }
      license { status originalDownloadUrl brand { username } photo { title originalUrl } } } } } } }"""
    counts = []
    for more in (5, 45):
        await paid_licenses(services, brand, photographer, more)
        sql.reset()
        listed = (await client.data(query, token=brand.access_token))["viewer"]["payments"]["edges"]
        counts.append(sql.count)
        assert all(edge["node"]["license"]["photo"]["originalUrl"] for edge in listed)
        assert all(edge["node"]["license"]["originalDownloadUrl"] for edge in listed)
    assert len(listed) == 50
    assert counts[0] == counts[1], counts


# The offline development mode --------------------------------------------------------------------


async def test_offline_mode_end_to_end(client, services, parties, background):
    brand, photographer = parties
    license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
    opened = await checkout(client, brand, license_id)
    url = opened["checkoutUrl"]
    assert url.startswith("http://testserver/payments/offline/") and "token=" in url

    page = await client.http.get(url)
    assert page.status_code == 200 and "DEVELOPMENT" in page.text and "250.00 EUR" in page.text
    forged = url.rsplit("=", 1)[0] + "=" + "0" * 64
    assert (await client.http.get(forged)).status_code == 404
    assert (await client.http.post(forged)).status_code == 404

    for _ in range(2):  # the second confirmation is a replay of the same event
        confirmed = await client.http.post(url)
        assert confirmed.status_code == 303
        assert confirmed.headers["location"] == "http://testserver/payments/return?result=paid"
    assert (await client.data(LICENSE, {"id": license_id}, token=brand.access_token))["node"]["status"] == "ACTIVE"
    assert (await earnings(client, photographer))["payoutStats"][0]["total"] == {"amount": 20_000}
    assert "succeeded" in (await client.http.get(url)).text

    # No Stripe, so no Stripe event is believed.
    event = {"id": "evt_1", "object": "event", "type": "account.updated", "data": {"object": {}}}
    assert (await deliver(client, StripeFake(), event)).status_code == 401

    started = (await client.data(ONBOARD, token=photographer.access_token))["startPayoutOnboarding"]
    assert started["url"] == "http://testserver/payments/offline/onboarding"
    assert started["payoutAccount"]["status"] == "ACTIVE"
    assert "DEVELOPMENT" in (await client.http.get(started["url"])).text
    background.send("payments.pay_out")
    await background.settle()
    [payout] = (await earnings(client, photographer))["payouts"]["edges"]
    assert payout["node"]["status"] == "PAID"


async def test_stripe_mode_serves_no_offline_page(client, services, parties, stripe_fake):
    brand, photographer = parties
    license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
    payment_key = from_global_id((await checkout(client, brand, license_id))["payment"]["id"])[1]
    assert (await client.http.post(f"/payments/offline/{payment_key}?token=x")).status_code == 404


def test_production_refuses_the_offline_mode(tmp_path):
    with pytest.raises(ValidationError, match="LENSGRAPH_STRIPE_SECRET_KEY"):
        Settings(environment="production", secret_key="s" * 40, data_dir=tmp_path)
    with pytest.raises(ValidationError, match="LENSGRAPH_STRIPE_WEBHOOK_SECRET"):
        Settings(environment="production", secret_key="s" * 40, stripe_secret_key="sk_live_x", data_dir=tmp_path)
    Settings(
        environment="production", secret_key="s" * 40, stripe_secret_key="sk_live_x", stripe_webhook_secret="whsec_x"
    )


def test_the_offline_mode_is_announced_at_start_up(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="lensgraph.app.payments"):
        log_payment_mode(Settings(data_dir=tmp_path))
    assert "DEVELOPMENT ONLY" in caplog.text
