"""refundPayment: refunds asked through the API, by an administrator or by the photographer paid within 14 days,
through the Stripe fake and through the offline payment mode; each ends in the state a refund made in Stripe's
dashboard (``charge.refunded`` at /hooks/stripe, tests/api/test_refunds.py) leaves. Bad input, and two refunds at
once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from lensgraph.persistence.models import Payment
from lensgraph.schema.core import from_global_id, to_global_id
from tests.api.factories import admin_account
from tests.api.helpers import Account, sign_up
from tests.api.payment_flows import checkout, deliver, event_types, signed_license
from tests.api.test_licensing import photo_of
from tests.api.test_refunds import paid, payment_state, refunded, totals
from tests.fakes.stripe import StripeFake

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")

REFUND = """mutation($input: RefundPaymentInput!) { refundPayment(input: $input) {
  payment { id status refundedAmount { amount currency } license { status } }
  userErrors { field code message } } }"""


@pytest.fixture
async def parties(client) -> tuple[Account, Account]:
    return await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER")


@pytest.fixture
async def admin(client, services) -> Account:
    account: Account = await admin_account(client, services)
    return account


async def refund(client, account: Account, payment_id: str, amount: int | None = None, currency: str = "EUR"):
    """The whole answer: the payload, or the GraphQL errors of a refusal by authorization."""
    values: dict[str, Any] = {"paymentId": payment_id, "reason": "The brand cancelled its campaign."}
    if amount is not None:
        values["amount"] = {"amount": amount, "currency": currency}
    return await client.execute(REFUND, {"input": values}, token=account.access_token)


def payload(answer: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in answer, answer["errors"]
    result: dict[str, Any] = answer["data"]["refundPayment"]
    return result


def codes(answer: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload(answer)["userErrors"]]


def refusal(answer: dict[str, Any]) -> str:
    code: str = answer["errors"][0]["extensions"]["code"]
    return code


async def state(client, parties, payment_id: str) -> tuple[Any, ...]:
    """What a refund leaves: the payment's status and refunded amount, its license's status, the earnings."""
    brand, photographer = parties
    node = await payment_state(client, brand, payment_id)
    refunded_amount = node["refundedAmount"]["amount"] if node["refundedAmount"] else 0
    return node["status"], refunded_amount, node["license"]["status"], await totals(client, photographer)


# Through Stripe: the same end as a dashboard refund ------------------------------------------------


async def test_a_full_refund_by_an_admin_ends_as_a_dashboard_refund_does(
    client, services, stripe_fake: StripeFake, admin, background
):
    dashboard_parties = (await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER"))
    _, by_dashboard, session = await paid(client, services, stripe_fake, dashboard_parties)
    await refunded(client, stripe_fake, stripe_fake.refund(session))

    api_parties = (await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER"))
    _, by_api, api_session = await paid(client, services, stripe_fake, api_parties)
    answer = payload(await refund(client, admin, by_api))
    assert answer["userErrors"] == []
    assert answer["payment"]["status"] == "REFUNDED" and answer["payment"]["license"]["status"] == "REFUNDED"

    assert await state(client, api_parties, by_api) == await state(client, dashboard_parties, by_dashboard)
    assert await state(client, api_parties, by_api) == ("REFUNDED", 25_000, "REFUNDED", (0, 0, 0))
    [call] = stripe_fake.calls("POST", "/v1/refunds")
    assert call.params["amount"] == "25000" and call.params["expand"] == ["charge"]
    assert call.headers["idempotency-key"]
    # Stripe's own charge.refunded arrives afterwards: it states what is recorded already, and changes nothing.
    charge = stripe_fake.charges[stripe_fake.sessions[api_session]["payment_intent"]]
    assert (await deliver(client, stripe_fake, stripe_fake.event("charge.refunded", charge))).status_code == 200
    assert await state(client, api_parties, by_api) == ("REFUNDED", 25_000, "REFUNDED", (0, 0, 0))
    await background.settle()
    for account in api_parties:
        assert (await event_types(client, account)).count("payment.refunded") == 1
    # The administrator's refund is in the audit log, the paying brand its subject.
    logged = await client.data(
        """{ auditLog(filter: {actions: [PAYMENT_REFUNDED]}, first: 5) { edges { node {
             subject { id } actor { id } details { name value } } } } }""",
        token=admin.access_token,
    )
    [entry] = [edge["node"] for edge in logged["auditLog"]["edges"]]
    assert entry["subject"]["id"] == api_parties[0].id and entry["actor"]["id"] == admin.id
    assert {"name": "amount", "value": "250.00 EUR"} in entry["details"]


async def test_the_photographer_agrees_to_a_partial_refund_within_14_days(
    client, services, stripe_fake: StripeFake, parties, background
):
    dashboard_parties = (await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER"))
    _, by_dashboard, session = await paid(client, services, stripe_fake, dashboard_parties)
    await refunded(client, stripe_fake, stripe_fake.refund(session, 10_000))

    _, photographer = parties
    _, by_api, _ = await paid(client, services, stripe_fake, parties)
    answer = payload(await refund(client, photographer, by_api, 10_000))
    assert answer["userErrors"] == []
    assert answer["payment"]["refundedAmount"] == {"amount": 10_000, "currency": "EUR"}
    assert await state(client, parties, by_api) == await state(client, dashboard_parties, by_dashboard)
    assert await state(client, parties, by_api) == ("SUCCEEDED", 10_000, "ACTIVE", (12_000, 12_000, 0))
    # The rest, without an amount.
    assert payload(await refund(client, photographer, by_api))["payment"]["status"] == "REFUNDED"
    assert await state(client, parties, by_api) == ("REFUNDED", 25_000, "REFUNDED", (0, 0, 0))


# Bad input -----------------------------------------------------------------------------------------


async def test_refunds_refused(client, services, stripe_fake: StripeFake, parties, admin):
    brand, photographer = parties
    _, payment_id, _ = await paid(client, services, stripe_fake, parties)
    assert codes(await refund(client, admin, payment_id, 25_001)) == ["REFUND_EXCEEDS_PAYMENT"]
    assert codes(await refund(client, admin, payment_id, 0)) == ["INVALID_INPUT"]
    assert codes(await refund(client, admin, payment_id, -100)) == ["INVALID_INPUT"]
    assert codes(await refund(client, admin, payment_id, 100, "USD")) == ["INVALID_INPUT"]
    assert codes(await refund(client, admin, payment_id, 100, "XXX")) == ["INVALID_INPUT"]
    assert codes(await refund(client, admin, to_global_id("Payment", uuid4()))) == ["NOT_FOUND"]
    assert codes(await refund(client, admin, to_global_id("License", uuid4()))) == ["NOT_FOUND"]
    # The brand who paid, and anyone else, cannot; nor can anonymous callers.
    assert refusal(await refund(client, brand, payment_id)) == "FORBIDDEN"
    assert refusal(await refund(client, await sign_up(client), payment_id)) == "FORBIDDEN"
    assert refusal(await client.execute(REFUND, {"input": {"paymentId": payment_id}})) == "UNAUTHENTICATED"
    # Nothing was asked of Stripe, nothing changed.
    assert stripe_fake.calls("POST", "/v1/refunds") == []
    assert await state(client, parties, payment_id) == ("SUCCEEDED", 0, "ACTIVE", (20_000, 20_000, 0))

    # Past 14 days after the payment, the photographer can no longer; an admin still can.
    async with services.db.unit_of_work() as uow:
        row = await uow.session.get(Payment, from_global_id(payment_id)[1])
        assert row is not None and row.paid_at is not None
        row.paid_at -= timedelta(days=14, seconds=1)
    late = await refund(client, photographer, payment_id)
    assert refusal(late) == "FORBIDDEN" and "14 days" in late["errors"][0]["message"]
    assert payload(await refund(client, admin, payment_id))["userErrors"] == []
    assert codes(await refund(client, admin, payment_id)) == ["ALREADY_REFUNDED"]
    assert codes(await refund(client, admin, payment_id, 1)) == ["ALREADY_REFUNDED"]
    assert len(stripe_fake.calls("POST", "/v1/refunds")) == 1


async def test_a_payment_not_paid_yet_is_not_refunded(client, services, stripe_fake: StripeFake, parties, admin):
    brand, photographer = parties
    license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
    pending = (await checkout(client, brand, license_id))["payment"]["id"]
    assert codes(await refund(client, admin, pending)) == ["INVALID_TRANSITION"]


async def test_a_refund_stripe_refuses_leaves_nothing_reserved(
    client, services, stripe_fake: StripeFake, parties, admin
):
    _, payment_id, _ = await paid(client, services, stripe_fake, parties)
    stripe_fake.refuse_next("/v1/refunds", "Charge has been disputed.")
    refused = payload(await refund(client, admin, payment_id))
    assert [error["code"] for error in refused["userErrors"]] == ["INVALID_INPUT"]
    assert "disputed" in refused["userErrors"][0]["message"]
    # Nothing is held back by the refused one: the whole amount can still be refunded.
    assert payload(await refund(client, admin, payment_id))["payment"]["status"] == "REFUNDED"


# Two at once ---------------------------------------------------------------------------------------


async def test_two_refunds_at_once_never_exceed_the_payment(client, services, stripe_fake: StripeFake, parties, admin):
    _, payment_id, _ = await paid(client, services, stripe_fake, parties)
    answers = await asyncio.gather(*(refund(client, admin, payment_id, 15_000) for _ in range(3)))
    outcomes = sorted(tuple(codes(answer)) for answer in answers)
    assert outcomes == [(), ("REFUND_EXCEEDS_PAYMENT",), ("REFUND_EXCEEDS_PAYMENT",)]
    assert len(stripe_fake.calls("POST", "/v1/refunds")) == 1
    assert await state(client, parties, payment_id) == ("SUCCEEDED", 15_000, "ACTIVE", (8_000, 8_000, 0))


# Offline payment mode: the same end ----------------------------------------------------------------


async def test_offline_a_refund_ends_as_a_dashboard_refund_does(client, services, parties, admin, background):
    brand, photographer = parties
    license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
    opened = await checkout(client, brand, license_id)
    confirmed = await client.http.post(opened["checkoutUrl"].removeprefix("http://testserver"))
    assert confirmed.status_code == 303
    payment_id = opened["payment"]["id"]
    assert await state(client, parties, payment_id) == ("SUCCEEDED", 0, "ACTIVE", (20_000, 20_000, 0))

    partial = payload(await refund(client, photographer, payment_id, 10_000))
    assert partial["userErrors"] == []
    # As the dashboard's partial refund of tests/api/test_refunds.py leaves it.
    assert await state(client, parties, payment_id) == ("SUCCEEDED", 10_000, "ACTIVE", (12_000, 12_000, 0))
    full = payload(await refund(client, admin, payment_id))
    assert full["payment"]["status"] == "REFUNDED"
    # As the dashboard's full refund leaves it (test_a_full_refund_ends_the_license_and_cancels_the_earning).
    assert await state(client, parties, payment_id) == ("REFUNDED", 25_000, "REFUNDED", (0, 0, 0))
    await background.settle()
    assert (await event_types(client, brand)).count("payment.refunded") == 2
