"""The hand-written Stripe fake answers in Stripe's shapes: each object it serves is built into the ``stripe``
library's own class, every field it sends must be one that class declares (with a value of the declared type),
and the fields our adapter reads are there. When the fake drifts from Stripe (or a new ``stripe`` release changes
a shape), this fails before the payment tests start passing against something Stripe never sends.

The ``stripe`` package ships no OpenAPI document or fixtures; its typed classes are the reference here.
"""

from __future__ import annotations

import types
import typing
from datetime import UTC, datetime
from typing import Any, Literal, Union
from uuid import uuid4

import httpx
import pytest
import stripe
from stripe import ListObject, StripeObject
from stripe.checkout import Session

from lensgraph.adapters.payments import (
    BillingSubscription,
    ConnectedAccount,
    PaidItem,
    PaymentRefused,
    PlanCharge,
    StripeGateway,
)
from lensgraph.domain.money import Currency, Money
from tests.fakes.stripe import StripeFake

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")


def _declared(cls: type) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        fields.update(getattr(klass, "__annotations__", {}))
    return {name: kind for name, kind in fields.items() if not name.startswith("_") and name != "OBJECT_NAME"}


def _fits(value: Any, kind: Any) -> bool:
    """Whether a JSON value can be what Stripe's annotation says (loosely for what the JSON cannot tell apart)."""
    origin = typing.get_origin(kind)
    if origin in (Union, types.UnionType):
        return any(_fits(value, option) for option in typing.get_args(kind))
    if origin is Literal:
        return value in typing.get_args(kind)
    if value is None or kind is type(None):
        return value is None and kind is type(None)
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in (str, float):
        return isinstance(value, kind) and not isinstance(value, bool)
    if origin is not None and isinstance(origin, type) and issubclass(origin, ListObject):
        return isinstance(value, ListObject)
    if origin in (dict, typing.Dict) or kind is dict:  # noqa: UP006
        return isinstance(value, dict)
    if origin in (list, typing.List):  # noqa: UP006
        return isinstance(value, list)
    if isinstance(kind, type) and issubclass(kind, StripeObject):
        return isinstance(value, kind)
    return True  # forward references and the like: the nested object is checked on its own


def shape_drift(obj: StripeObject, where: str) -> list[str]:
    """Fields of ``obj`` its stripe class does not declare, or whose values are not of the declared type."""
    declared = _declared(type(obj))
    problems = []
    for name in obj.to_dict():
        value = obj[name]
        if name not in declared:
            problems.append(f"{where}.{name}: not a field of {type(obj).__name__}")
            continue
        if not _fits(value, declared[name]):
            problems.append(f"{where}.{name}: {value!r} is not {declared[name]}")
        nested = value.data if isinstance(value, ListObject) else [value]
        for index, item in enumerate(nested):
            # Plain StripeObjects are free-form maps (metadata); typed ones are checked field by field.
            if isinstance(item, StripeObject) and type(item) is not StripeObject:
                problems.extend(shape_drift(item, f"{where}.{name}[{index}]"))
    return problems


def built(cls: type[StripeObject], values: dict[str, Any]) -> Any:
    """The fake's answer as the stripe library builds it; fails on any field Stripe would not send."""
    obj = cls.construct_from(values, None)
    assert type(obj) is cls, f"{values.get('object')} built as {type(obj).__name__}, not {cls.__name__}"
    problems = shape_drift(obj, str(values.get("object")))
    assert problems == [], "\n".join(problems)
    return obj


@pytest.fixture
async def gateway(stripe_fake: StripeFake):
    gateway = StripeGateway(stripe_fake.secret_key, stripe_fake.webhook_secret, stripe_fake.url)
    yield gateway
    await gateway.aclose()


PRICE = Money(2_500, Currency.EUR)
CHARGE = PlanCharge("brand-basic", "Basic", Money(1_200, Currency.EUR))


async def test_checkout_session_and_its_completion(stripe_fake, gateway):
    opened = await gateway.create_checkout(
        payment_id=uuid4(),
        item=PaidItem("purchase", uuid4()),
        price=PRICE,
        product="Photo license: Dunes",
        success_url="https://app.test/paid",
        cancel_url="https://app.test/cancelled",
    )
    session = built(Session, stripe_fake.sessions[opened.id])
    assert (session.id, session.url, session.expires_at) == (opened.id, opened.url, int(opened.expires_at.timestamp()))
    paid = built(Session, stripe_fake.checkout_paid(opened.id))
    # What a paid checkout is read for (resolvers/payments.py _checkout_paid).
    assert paid.payment_status == "paid" and paid.amount_total == PRICE.amount and paid.currency == "eur"
    assert isinstance(paid.payment_intent, str)
    assert built(Session, stripe_fake.checkout_expired(opened.id)).status == "expired"


async def test_refunded_charge(stripe_fake, gateway):
    opened = await gateway.create_checkout(
        payment_id=uuid4(),
        item=PaidItem("license", uuid4()),
        price=PRICE,
        product="Photo license",
        success_url="https://app.test/paid",
        cancel_url="https://app.test/cancelled",
    )
    intent = stripe_fake.checkout_paid(opened.id)["payment_intent"]
    charge = built(stripe.Charge, stripe_fake.refund(opened.id, 500))
    # What a refund is read for (resolvers/payments.py _charge_refunded).
    assert (charge.payment_intent, charge.amount, charge.currency, charge.amount_refunded) == (
        intent,
        PRICE.amount,
        "eur",
        500,
    )


async def test_refund_through_the_api(stripe_fake, gateway):
    payment_id = uuid4()
    opened = await gateway.create_checkout(
        payment_id=payment_id,
        item=PaidItem("license", uuid4()),
        price=PRICE,
        product="Photo license",
        success_url="https://app.test/paid",
        cancel_url="https://app.test/cancelled",
    )
    intent = stripe_fake.checkout_paid(opened.id)["payment_intent"]
    args = {"payment_id": payment_id, "payment_intent": intent, "charged": PRICE, "reason": "Cancelled."}
    charge = await gateway.create_refund(**args, amount=Money(500, Currency.EUR), refunded_total=500)
    # The charge expanded in the refund, as charge.refunded carries it (resolvers/refunds.py applies it so).
    built(stripe.Charge, charge)
    assert (charge["payment_intent"], charge["amount"], charge["amount_refunded"]) == (intent, PRICE.amount, 500)
    [call] = stripe_fake.calls("POST", "/v1/refunds")
    refund = built(stripe.Refund, stripe_fake._create_refund({**call.params, "amount": "1"}))
    assert refund.payment_intent == intent and isinstance(refund.charge, stripe.Charge)
    with pytest.raises(PaymentRefused):
        await gateway.create_refund(**args, amount=Money(10_000, Currency.EUR), refunded_total=10_501)


async def test_connected_account_link_and_transfer(stripe_fake, gateway):
    user_id = uuid4()
    created = await gateway.create_account(user_id=user_id, email="ann@example.test")
    account = built(stripe.Account, stripe_fake.accounts[created.id])
    assert ConnectedAccount.from_stripe(account.to_dict()) == created
    assert created.user_id == str(user_id) and created.charges_enabled is False
    onboarded = built(stripe.Account, stripe_fake.complete_onboarding(created.id))
    assert ConnectedAccount.from_stripe(onboarded.to_dict()).payouts_enabled is True

    async with httpx.AsyncClient(base_url=stripe_fake.url) as http:
        answer = await http.post(
            "/v1/account_links",
            data={"account": created.id, "refresh_url": "https://a.test/r", "return_url": "https://a.test/b"},
            headers={"Authorization": f"Bearer {stripe_fake.secret_key}"},
        )
    link = built(stripe.AccountLink, answer.json())
    assert link.url.startswith("https://")

    transfer_id = await gateway.create_transfer(payout_id=uuid4(), account_id=created.id, amount=PRICE)
    transfer = built(stripe.Transfer, stripe_fake.transfers[transfer_id])
    assert (transfer.id, transfer.amount, transfer.destination) == (transfer_id, PRICE.amount, created.id)


async def test_product_and_subscription_through_its_changes(stripe_fake, gateway):
    opened = await gateway.create_subscription_checkout(
        attempt=uuid4(),
        subscription_key=uuid4(),
        email="brand@example.test",
        customer_id=None,
        charge=CHARGE,
        success_url="https://app.test/paid",
        cancel_url="https://app.test/cancelled",
    )
    built(Session, stripe_fake.sessions[opened.id])
    [product] = stripe_fake.products.values()
    built(stripe.Product, product)
    paid = built(Session, stripe_fake.subscription_checkout_paid(opened.id))
    assert isinstance(paid.subscription, str) and isinstance(paid.customer, str)

    subscription = built(stripe.Subscription, stripe_fake.subscriptions[paid.subscription])
    read = BillingSubscription.from_stripe(subscription.to_dict())
    assert read == await gateway.retrieve_subscription(paid.subscription)
    assert (read.status, read.plan_id, read.customer_id) == ("active", "brand-basic", paid.customer)
    assert read.current_period_end is not None and read.item_id == subscription["items"]["data"][0]["id"]

    await gateway.change_subscription_plan(
        paid.subscription, PlanCharge("brand-pro", "Pro", Money(4_900, Currency.EUR))
    )
    await gateway.set_cancel_at_period_end(paid.subscription, True)
    changed = built(stripe.Subscription, stripe_fake.change_subscription(paid.subscription, status="past_due"))
    assert BillingSubscription.from_stripe(changed.to_dict()).cancel_at_period_end is True
    assert changed["items"]["data"][0]["price"]["unit_amount"] == 4_900


async def test_verification_overage_meter_event(stripe_fake, gateway):
    opened = await gateway.create_subscription_checkout(
        attempt=uuid4(),
        subscription_key=uuid4(),
        email="photographer@example.test",
        customer_id=None,
        charge=CHARGE,
        success_url="https://app.test/paid",
        cancel_url="https://app.test/cancelled",
    )
    customer = stripe_fake.subscription_checkout_paid(opened.id)["customer"]
    usage_id = uuid4()
    at = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    identifier = await gateway.report_metered_usage(usage_id=usage_id, customer_id=customer, quantity=1, at=at)
    event = built(stripe.billing.MeterEvent, stripe_fake.meter_events[identifier])
    assert identifier == str(usage_id) and event.event_name == "lensgraph_verification_overage"
    assert event.payload.to_dict() == {"stripe_customer_id": customer, "value": "1"}
    assert event.timestamp == int(at.timestamp())
    # Reporting it again is answered from the idempotency key, not counted twice.
    assert await gateway.report_metered_usage(usage_id=usage_id, customer_id=customer, quantity=1, at=at) == identifier
    assert len(stripe_fake.meter_events) == 1
    with pytest.raises(PaymentRefused):
        await gateway.report_metered_usage(usage_id=uuid4(), customer_id="cus_unknown", quantity=1, at=at)


async def test_event_envelope(stripe_fake, gateway):
    account = await gateway.create_account(user_id=uuid4(), email="ann@example.test")
    for data_object in (stripe_fake.accounts[account.id], {"id": "cs_1", "object": "checkout.session"}):
        envelope = stripe_fake.event("account.updated", data_object)
        event = built(stripe.Event, envelope)
        payload, signature = stripe_fake.signed(envelope)
        secret = stripe_fake.connect_webhook_secret if "account" in envelope else stripe_fake.webhook_secret
        verified = StripeGateway(stripe_fake.secret_key, secret, stripe_fake.url).verify_event(
            payload.encode(), signature
        )
        assert (verified.id, verified.type, verified.object) == (event.id, event.type, data_object)


def test_the_check_catches_a_field_stripe_does_not_send():
    """The guard itself: an invented field, or a value of the wrong type, is named."""
    assert shape_drift(Session.construct_from({"id": "cs_1", "object": "checkout.session", "colour": "red"}, None), "s")
    assert shape_drift(
        Session.construct_from({"id": "cs_1", "object": "checkout.session", "expires_at": "x"}, None), "s"
    )
    assert shape_drift(
        Session.construct_from({"id": "cs_1", "object": "checkout.session", "line_items": []}, None), "s"
    )
    assert not shape_drift(
        Session.construct_from({"id": "cs_1", "object": "checkout.session", "expires_at": 1}, None), "s"
    )
