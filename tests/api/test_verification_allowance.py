"""The plan's monthly verification allowance, overage within the user's budget (reported to Stripe's meter, or
recorded offline), QUOTA_EXCEEDED past either, and the allowance holding under concurrent creations."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID

from sqlalchemy import func, select

from lensgraph.domain import global_ids
from lensgraph.domain.verification import usage_month
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Upload, Verification, VerificationUsage
from lensgraph.resolvers.context import Services
from tests.api.helpers import Account, sign_up, subscribe
from tests.api.test_plans import started
from tests.api.verification_flows import camera_pair, create, sent, verify

USAGE = """{ viewer { plan { id limits { verificationsPerMonth } verificationUsage {
  month used allowance remaining overageCount overageRemaining
  overageAmount { amount currency } overagePrice { amount formatted } budget { amount currency } } } } }"""
BUDGET = """mutation($input: SetVerificationBudgetInput!) { setVerificationBudget(input: $input) {
  usage { budget { amount } overageRemaining } userErrors { field code message } } }"""


async def used_already(services: Services, account: Account, count: int, *, month: str | None = None) -> None:
    """``count`` verifications counted this month (or ``month``), as if made and deleted since."""
    user_id = global_ids.decode(account.id)[1]
    async with services.db.unit_of_work() as uow:
        for _ in range(count):
            uow.session.add(VerificationUsage(user_id=user_id, month=month or usage_month(utcnow())))


async def usage(client, account: Account) -> dict:
    plan = (await client.data(USAGE, token=account.access_token))["viewer"]["plan"]
    return plan["verificationUsage"]


async def set_budget(client, account: Account, amount: int) -> dict:
    return (await client.data(BUDGET, {"input": {"amount": amount}}, token=account.access_token))[
        "setVerificationBudget"
    ]


async def _count(services: Services, model: type, *where) -> int:
    async with services.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_the_free_plan_allows_five_a_month_then_refuses(client, services):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    # Last month's do not count.
    await used_already(services, owner, 5, month=usage_month(utcnow() - timedelta(days=40)))
    await used_already(services, owner, 4)
    assert await usage(client, owner) == {
        "month": usage_month(utcnow()),
        "used": 4,
        "allowance": 5,
        "remaining": 1,
        "overageCount": 0,
        "overageRemaining": 0,
        "overageAmount": {"amount": 0, "currency": "EUR"},
        "overagePrice": {"amount": 25, "formatted": "0.25 EUR"},
        "budget": {"amount": 0, "currency": "EUR"},
    }
    assert (await verify(client, owner))["userErrors"] == []

    pair = camera_pair(2)
    raw_id = await sent(client, owner, "RAW", pair.raw)
    image_id = await sent(client, owner, "IMAGE_FOR_VERIFICATION", pair.image)
    refused = await create(client, owner, raw_id, image_id)
    assert refused["verification"] is None
    [error] = refused["userErrors"]
    assert error["code"] == "QUOTA_EXCEEDED" and "5 verifications a month" in error["message"]
    # A budget does not buy overage on the free plan.
    assert (await set_budget(client, owner, 500))["usage"]["overageRemaining"] == 0
    assert (await create(client, owner, raw_id, image_id))["userErrors"][0]["code"] == "QUOTA_EXCEEDED"
    # Nothing written; the two uploads are still unconfirmed and usable once the plan allows more.
    assert await _count(services, Verification) == 1
    assert await _count(services, Upload, Upload.confirmed_at.is_(None)) == 2
    await subscribe(client, owner, "photographer-basic")
    assert (await create(client, owner, raw_id, image_id))["userErrors"] == []
    assert (await usage(client, owner))["remaining"] == 50 - 6


async def test_overage_on_a_paid_plan_within_the_budget_recorded_offline(client, services, background):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    await subscribe(client, owner, "photographer-basic")
    await used_already(services, owner, 50)
    assert (await usage(client, owner))["remaining"] == 0

    refused = await verify(client, owner)
    assert refused["userErrors"][0]["code"] == "QUOTA_EXCEEDED"
    assert "setVerificationBudget" in refused["userErrors"][0]["message"]

    assert await set_budget(client, owner, 60) == {
        "usage": {"budget": {"amount": 60}, "overageRemaining": 2},
        "userErrors": [],
    }
    for seed in (1, 2):
        assert (await verify(client, owner, camera_pair(seed)))["userErrors"] == []
    third = await verify(client, owner, camera_pair(3))
    assert (
        third["userErrors"][0]["code"] == "QUOTA_EXCEEDED"
        and "0.50 EUR of 0.60 EUR" in third["userErrors"][0]["message"]
    )

    current = await usage(client, owner)
    assert (current["used"], current["overageCount"], current["overageAmount"]) == (
        52,
        2,
        {"amount": 50, "currency": "EUR"},
    )
    assert current["overageRemaining"] == 0
    await background.settle()
    async with services.db.session() as session:
        charged = (await session.scalars(select(VerificationUsage).where(VerificationUsage.overage.is_(True)))).all()
    assert len(charged) == 2 and {row.amount for row in charged} == {25}
    # The offline payment mode records each as reported, under an id that says offline.
    assert all(row.reported_to_stripe_at and row.stripe_usage_id.startswith("mtr_offline_") for row in charged)


async def test_a_budget_must_be_zero_to_the_maximum(client):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    for amount in (-1, 1_000_001):
        refused = await set_budget(client, owner, amount)
        assert refused["usage"] is None and refused["userErrors"][0]["code"] == "INVALID_INPUT"
    assert (await set_budget(client, owner, 0))["userErrors"] == []


async def test_overage_is_reported_to_stripes_meter_once(client, services, stripe_fake, background):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    _, subscription_id = await started(client, stripe_fake, owner, "photographer-basic")
    customer = stripe_fake.subscriptions[subscription_id]["customer"]
    await used_already(services, owner, 50)
    await set_budget(client, owner, 100)
    # Stripe takes the first report but its answer is lost: the retry under the same key counts once.
    stripe_fake.lose_next_answer("/v1/billing/meter_events")
    assert (await verify(client, owner))["userErrors"] == []
    await background.settle()
    async with services.db.session() as session:
        [charged] = (await session.scalars(select(VerificationUsage).where(VerificationUsage.overage.is_(True)))).all()
    calls = stripe_fake.calls("POST", "/v1/billing/meter_events")
    assert len(calls) == 2 and calls[0].headers["idempotency-key"] == calls[1].headers["idempotency-key"]
    # Reporting it again (the periodic sweep) sends nothing more.
    background.send("verification.report_due_overage")
    background.send("verification.report_overage", str(charged.id))
    await background.settle()
    assert len(stripe_fake.calls("POST", "/v1/billing/meter_events")) == 2
    assert charged.reported_to_stripe_at is not None and charged.stripe_usage_id == str(charged.id)
    assert list(stripe_fake.meter_events) == [str(charged.id)]
    event = stripe_fake.meter_events[str(charged.id)]
    assert event["event_name"] == "lensgraph_verification_overage"
    assert event["payload"] == {"stripe_customer_id": customer, "value": "1"}


async def test_the_allowance_holds_under_concurrent_creations(client, services):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    await used_already(services, owner, 3)  # two left of five
    pair = camera_pair(1)
    halves = [
        (await sent(client, owner, "RAW", pair.raw), await sent(client, owner, "IMAGE_FOR_VERIFICATION", pair.image))
        for _ in range(5)
    ]
    answers = await asyncio.gather(*(create(client, owner, raw_id, image_id) for raw_id, image_id in halves))
    codes = sorted(answer["userErrors"][0]["code"] if answer["userErrors"] else "OK" for answer in answers)
    # A contended transaction may be refused as CONFLICT (retry); never more than the allowance succeeds.
    assert codes.count("OK") == 2, codes
    assert set(codes) - {"OK"} <= {"QUOTA_EXCEEDED", "CONFLICT"}, codes
    user_id: UUID = global_ids.decode(owner.id)[1]
    assert await _count(services, Verification) == 2
    assert await _count(services, VerificationUsage, VerificationUsage.user_id == user_id) == 5
    assert (await usage(client, owner))["remaining"] == 0
