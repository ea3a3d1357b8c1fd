"""Invariants that span rows, under real concurrent requests through the ASGI app, on SQLite and PostgreSQL.

Each test fires 5 to 10 identical requests at once (``asyncio.gather``), several rounds over, and checks the
invariant a client relies on: one exclusive licence per photo, one Stripe Checkout Session per licence or
subscription, a single-use token used once, a refresh token rotated once (a second presentation is reuse), an
earning paid out once, a Stripe event applied once. A losing request gets a coded error, never INTERNAL.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select

from lensgraph.persistence.models import Earning, Payment, Payout
from lensgraph.schema.core import from_global_id
from tests.api.factories import user_key
from tests.api.helpers import Account, sign_up
from tests.api.payment_flows import (
    checkout,
    deliver,
    earnings,
    onboard,
    pay,
    session_id,
    signed_license,
)
from tests.api.test_accounts import REFRESH
from tests.api.test_api_keys import CREATE as CREATE_KEY
from tests.api.test_licensing import ACCEPT, answer, offer, photo_of
from tests.api.test_mail_flows import RESET, VERIFY
from tests.api.test_plans import SUBSCRIBE

# stripe-python's httpx transport sends its form body as data=<str>, which httpx deprecates (in their code, not ours).
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")

ROUNDS = 3
AT_ONCE = 6
# What a request that lost a race may answer: a coded refusal a client can act on, never INTERNAL.
LOSING_CODES = {"CONFLICT", "INVALID_TRANSITION", "INVALID_INPUT", "UNAUTHENTICATED", "PAYMENT_PENDING"}


async def at_once(*calls: Any) -> list[dict[str, Any]]:
    """The ``data`` of each GraphQL mutation, sent concurrently; fails on any GraphQL error (INTERNAL included)."""
    return list(await asyncio.gather(*calls))


def outcome(payload: dict[str, Any]) -> str:
    """ "OK", or the one code a losing request answered (which must be a coded refusal)."""
    if not payload["userErrors"]:
        return "OK"
    [error] = payload["userErrors"]
    assert error["code"] in LOSING_CODES, payload
    return str(error["code"])


async def mutation(client, query: str, auth: str | None = None, **variables: Any) -> dict[str, Any]:
    return next(iter((await client.data(query, variables, token=auth)).values()))


# Licences -----------------------------------------------------------------------------------------


async def test_exclusive_offers_accepted_at_once_make_one_exclusive_licence(client, services):
    photographer = await sign_up(client, role="PHOTOGRAPHER")
    brands = [await sign_up(client, role="BRAND") for _ in range(AT_ONCE)]
    for _ in range(ROUNDS):
        photo_id = await photo_of(services, photographer)
        offers = [(await offer(client, brand, photo_id, exclusivity="FULL"))["license"]["id"] for brand in brands]
        accepted = await at_once(*(answer(client, ACCEPT, photographer, licenseId=key) for key in offers))
        results = Counter(outcome(payload) for payload in accepted)
        assert results == {"OK": 1, "CONFLICT": AT_ONCE - 1}, results
        statuses = Counter(payload["license"]["status"] for payload in accepted if payload["license"])
        assert statuses["ACCEPTED"] == 1


async def test_an_exclusive_offer_and_plain_ones_accepted_at_once_never_overlap(client, services):
    photographer = await sign_up(client, role="PHOTOGRAPHER")
    brands = [await sign_up(client, role="BRAND") for _ in range(AT_ONCE)]
    for _ in range(ROUNDS):
        photo_id = await photo_of(services, photographer)
        exclusive = (await offer(client, brands[0], photo_id, exclusivity="FULL"))["license"]["id"]
        plain = [(await offer(client, brand, photo_id))["license"]["id"] for brand in brands[1:]]
        accepted = await at_once(*(answer(client, ACCEPT, photographer, licenseId=key) for key in [exclusive, *plain]))
        won = [outcome(payload) == "OK" for payload in accepted]
        # Either the exclusive licence alone, or every plain one and not the exclusive one.
        assert won in ([True] + [False] * len(plain), [False] + [True] * len(plain)), accepted


# Checkouts ----------------------------------------------------------------------------------------


async def test_checkouts_of_one_licence_at_once_open_one_stripe_session(client, services, stripe_fake):
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER")
    for _ in range(ROUNDS):
        license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
        before = len(stripe_fake.calls("POST", "/v1/checkout/sessions"))
        opened = await at_once(*(checkout(client, brand, license_id) for _ in range(AT_ONCE)))
        assert all(payload["userErrors"] == [] for payload in opened), opened
        assert len({payload["checkoutUrl"] for payload in opened}) == 1
        assert len({payload["payment"]["id"] for payload in opened}) == 1
        assert len(stripe_fake.calls("POST", "/v1/checkout/sessions")) == before + 1


async def test_subscriptions_asked_at_once_open_one_stripe_session(client, stripe_fake):
    for _ in range(ROUNDS):
        brand = await sign_up(client, role="BRAND")
        before = len(stripe_fake.calls("POST", "/v1/checkout/sessions"))
        asked = await at_once(
            *(mutation(client, SUBSCRIBE, brand.access_token, input={"planId": "brand-basic"}) for _ in range(AT_ONCE))
        )
        assert all(payload["userErrors"] == [] for payload in asked), asked
        assert len({payload["checkoutUrl"] for payload in asked}) == 1
        assert len({payload["subscription"]["id"] for payload in asked}) == 1
        assert len(stripe_fake.calls("POST", "/v1/checkout/sessions")) == before + 1


# Stripe events, refunds, payouts ------------------------------------------------------------------


async def test_one_stripe_event_delivered_at_once_is_applied_once(client, services, stripe_fake):
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER")
    for _ in range(ROUNDS):
        license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
        opened = await checkout(client, brand, license_id)
        event = stripe_fake.event(
            "checkout.session.completed", stripe_fake.checkout_paid(session_id(opened["checkoutUrl"]))
        )
        answers = await asyncio.gather(*(deliver(client, stripe_fake, event) for _ in range(AT_ONCE)))
        assert [response.status_code for response in answers] == [200] * AT_ONCE
        async with services.db.session() as session:
            payment_key = await session.scalar(
                select(Payment.id).where(Payment.stripe_checkout_session_id == session_id(opened["checkoutUrl"]))
            )
            sales = await session.scalar(select(func.count()).where(Earning.payment_id == payment_key))
        assert sales == 1


async def test_refunds_delivered_at_once_take_back_the_share_once(client, services, stripe_fake):
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER")
    for _ in range(ROUNDS):
        license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
        opened = await pay(client, stripe_fake, brand, license_id)
        charges = [stripe_fake.refund(session_id(opened["checkoutUrl"]), 5_000) for _ in range(3)]
        events = [stripe_fake.event("charge.refunded", charge) for charge in charges]
        # Each refund delivered twice, all at once, in no particular order.
        answers = await asyncio.gather(*(deliver(client, stripe_fake, event) for event in events + events))
        assert {response.status_code for response in answers} == {200}
        async with services.db.session() as session:
            payment = await session.get(Payment, from_global_id(opened["payment"]["id"])[1])
            assert payment is not None
            net = await session.scalar(select(func.sum(Earning.net)).where(Earning.payment_id == payment.id))
        assert payment.refunded_amount == 15_000
        # 250.00 paid, 150.00 refunded: the photographer keeps 80% of the 100.00 left.
        assert net == 8_000


async def test_payout_runs_at_once_pay_each_earning_once(client, services, stripe_fake, background):
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER")
    await onboard(client, stripe_fake, photographer)
    for round_ in range(1, ROUNDS + 1):
        for _ in range(2):
            license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
            await pay(client, stripe_fake, brand, license_id)
        for _ in range(AT_ONCE):
            background.send("payments.pay_out")
        await background.settle()
        async with services.db.session() as session:
            payouts = list(
                await session.scalars(select(Payout).where(Payout.photographer_id == user_key(photographer)))
            )
            unpaid = await session.scalar(select(func.count()).where(Earning.payout_id.is_(None)))
        assert sorted(payout.status.value for payout in payouts) == ["PAID"] * round_
        assert {payout.amount for payout in payouts} == {40_000} and unpaid == 0
        assert len(stripe_fake.calls("POST", "/v1/transfers")) >= round_
        assert len(stripe_fake.transfers) == round_
    stats = (await earnings(client, photographer))["payoutStats"][0]
    assert stats["paid"] == {"amount": 40_000 * ROUNDS} and stats["pending"] == {"amount": 0}


# Single-use tokens --------------------------------------------------------------------------------


async def test_a_refresh_token_presented_at_once_rotates_once_and_revokes_its_family(client):
    for _ in range(ROUNDS):
        account = await sign_up(client)
        refreshed = await at_once(*(mutation(client, REFRESH, token=account.refresh_token) for _ in range(AT_ONCE)))
        results = Counter(outcome(payload) for payload in refreshed)
        assert results == {"OK": 1, "UNAUTHENTICATED": AT_ONCE - 1}, results
        [winner] = [payload for payload in refreshed if not payload["userErrors"]]
        # The second presentation is reuse: the whole family is revoked, the winner's new token with it.
        again = await mutation(client, REFRESH, token=winner["refreshToken"])
        assert outcome(again) == "UNAUTHENTICATED"


async def test_a_reset_token_used_at_once_resets_once(client, background, inbox):
    for round_ in range(ROUNDS):
        account = await sign_up(client, email=f"race{round_}@example.com")
        await client.data(
            "mutation($e: String!) { requestPasswordReset(input: {email: $e}) { ok } }", {"e": account.email}
        )
        await background.settle()
        token = await inbox.token_for(account.email, "Reset your password")
        passwords = [f"brand new secret {index}" for index in range(AT_ONCE)]
        reset = await at_once(*(mutation(client, RESET, token=token, password=new) for new in passwords))
        results = Counter(outcome(payload) for payload in reset)
        assert results == {"OK": 1, "INVALID_INPUT": AT_ONCE - 1}, results


async def test_a_verification_token_used_at_once_verifies_once(client, background, inbox):
    for round_ in range(ROUNDS):
        account: Account = await sign_up(client, email=f"verify-race{round_}@example.com")
        await background.settle()
        token = await inbox.token_for(account.email, "Confirm your email address")
        verified = await at_once(*(mutation(client, VERIFY, token=token) for _ in range(AT_ONCE)))
        results = Counter(outcome(payload) for payload in verified)
        assert results == {"OK": 1, "INVALID_INPUT": AT_ONCE - 1}, results


# Plan limits --------------------------------------------------------------------------------------


async def test_api_keys_created_at_once_stay_within_the_plan(client):
    for _ in range(ROUNDS):
        account = await sign_up(client)
        created = await at_once(
            *(
                mutation(client, CREATE_KEY, account.access_token, input={"description": f"key {index}"})
                for index in range(AT_ONCE)
            )
        )
        results = Counter(
            "OK" if not payload["userErrors"] else payload["userErrors"][0]["code"] for payload in created
        )
        # The free plan's two keys, and not one more.
        assert results == {"OK": 2, "QUOTA_EXCEEDED": AT_ONCE - 2}, results
