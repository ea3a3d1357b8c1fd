"""Plans and subscriptions: which limits apply to whom, subscribing through Stripe Checkout, keeping in step.

A subscription's state is Stripe's: every billing event is answered by fetching the subscription afresh and
copying it, so events that arrive late or out of order cannot leave an older state behind. Changes asked for
here (a plan change, a cancellation) are written at once too, because Stripe has accepted them when its call
returns; its events then confirm them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from lensgraph.adapters.payments import (
    BillingSubscription,
    OfflineGateway,
    PaymentGateway,
    PaymentRefused,
    PlanCharge,
    ProviderEvent,
)
from lensgraph.domain import plans as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import SubscriptionUpdated
from lensgraph.domain.plans import Plan, SubscriptionState, SubscriptionStatus
from lensgraph.domain.policies import Viewer
from lensgraph.persistence import plans as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import ConstraintViolation, UnitOfWork
from lensgraph.persistence.models import Subscription, User
from lensgraph.resolvers.context import Context, Services

log = logging.getLogger(__name__)
T = TypeVar("T")

# Invoices of a subscription move its state too (a failed renewal makes it PAST_DUE).
BILLING_EVENTS = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.paused",
        "customer.subscription.resumed",
        "invoice.paid",
        "invoice.payment_failed",
    }
)
CHECKOUT_EVENTS = frozenset({"checkout.session.completed", "checkout.session.expired"})


def subscription_state(row: Subscription | None) -> SubscriptionState | None:
    if row is None:
        return None
    return SubscriptionState(row.plan_id, row.status, row.current_period_end)


def in_force(row: Subscription) -> bool:
    return rules.in_force(subscription_state(row), utcnow())


async def plan_of(ctx: Context) -> Plan | None:
    """The plan whose limits apply to the caller now; None for an anonymous caller."""
    return await _plan_for(ctx, ctx.viewer) if ctx.viewer else None


async def require_plan(ctx: Context) -> Plan:
    """The signed-in caller's plan now."""
    return await _plan_for(ctx, ctx.require_viewer())


async def _plan_for(ctx: Context, viewer: Viewer) -> Plan:
    row = await ctx.loaders.subscription_by_user.load(viewer.user_id)
    return rules.effective_plan(viewer.role, subscription_state(row), utcnow())


async def viewer_subscription(ctx: Context) -> Subscription | None:
    viewer = ctx.require_viewer()
    row: Subscription | None = await ctx.loaders.subscription_by_user.load(viewer.user_id)
    return row


# Subscribing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscribed:
    subscription: Subscription
    # Where to pay for a new subscription; None when an existing one changed plan at once.
    checkout_url: str | None


async def subscribe(ctx: Context, plan_id: str) -> Subscribed:
    """A new subscription through Stripe Checkout, or a prorated switch of the one in force to another plan."""
    try:
        return await _subscribe(ctx, plan_id)
    except ConstraintViolation:
        # Two first subscriptions of one user at once: the other made the row; go on with it.
        return await _subscribe(ctx, plan_id)


async def _subscribe(ctx: Context, plan_id: str) -> Subscribed:
    viewer = ctx.require_viewer()
    plan = rules.plan_by_id(plan_id)
    now = utcnow()
    gateway = ctx.services.payments
    async with ctx.db.unit_of_work() as uow:
        # Held for the whole call, Stripe's included, before anything is read: of two asks at once, the second
        # waits and then finds the first one's open checkout (one Stripe session), or its row (no second one).
        await queries.hold_account(uow.session, viewer.user_id)
        row = await queries.subscription_of_user(uow.session, viewer.user_id, lock=True)
        current = subscription_state(row)
        rules.check_can_subscribe(plan, viewer.role, current, now)
        charge = _charge(plan)
        if row is not None and row.stripe_subscription_id and rules.in_force(current, now):
            await _refused_as_input(
                gateway.change_subscription_plan(row.stripe_subscription_id, charge, request_key=ctx.idempotency_key)
            )
            before = _visible(row)
            row.plan_id, row.cancel_at_period_end = plan.id, False
            _announce(uow, row, before)
            return Subscribed(row, None)
        if row is not None and rules.checkout_reusable(row.status, row.plan_id, plan, row.checkout_expires_at, now):
            return Subscribed(row, row.checkout_url)
        user = await uow.session.get(User, viewer.user_id)
        if user is None:
            raise DomainError(ErrorCode.NOT_FOUND, "This account no longer exists.")
        if row is None:
            row = Subscription(id=ctx.new_id("subscription"), user_id=user.id)
            uow.session.add(row)
        session = await _refused_as_input(
            gateway.create_subscription_checkout(
                attempt=ctx.new_id("subscription-checkout"),
                subscription_key=row.id,
                email=user.email,
                customer_id=row.stripe_customer_id,
                charge=charge,
                success_url=ctx.settings.payment_return_url("subscribed"),
                cancel_url=ctx.settings.payment_return_url("cancelled"),
                request_key=ctx.idempotency_key,
            )
        )
        row.plan_id, row.status, row.cancel_at_period_end = plan.id, SubscriptionStatus.INCOMPLETE, False
        # A lapsed subscription is forgotten: its late events must not touch the new one.
        row.stripe_subscription_id, row.current_period_end = None, None
        row.stripe_checkout_session_id, row.checkout_url = session.id, session.url
        row.checkout_expires_at = session.expires_at
    return Subscribed(row, row.checkout_url)


def _charge(plan: Plan) -> PlanCharge:
    assert plan.monthly_price is not None  # check_can_subscribe refuses free plans
    return PlanCharge(plan.id, plan.name, plan.monthly_price)


async def _refused_as_input(call: Awaitable[T]) -> T:
    try:
        return await call
    except PaymentRefused as refused:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Stripe refused: {refused}", ["planId"]) from refused


async def set_cancellation(ctx: Context, *, cancel: bool) -> Subscription:
    """Ends the subscription at the end of its paid period (cancel), or takes that back (resume)."""
    viewer = ctx.require_viewer()
    now = utcnow()
    async with ctx.db.unit_of_work() as uow:
        await queries.hold_account(uow.session, viewer.user_id)
        row = await queries.subscription_of_user(uow.session, viewer.user_id, lock=True)
        rules.check_cancellation_change(
            subscription_state(row), row.cancel_at_period_end if row else False, cancel, now
        )
        assert row is not None and row.stripe_subscription_id is not None
        await _refused_as_input(
            ctx.services.payments.set_cancel_at_period_end(
                row.stripe_subscription_id, cancel, request_key=ctx.idempotency_key
            )
        )
        before = _visible(row)
        row.cancel_at_period_end = cancel
        _announce(uow, row, before)
    return row


def _visible(row: Subscription) -> tuple[str, SubscriptionStatus, bool]:
    """What a change must alter to be worth telling the subscriber (a renewal's new period end is not)."""
    return row.plan_id, row.status, row.cancel_at_period_end


def _announce(uow: UnitOfWork, row: Subscription, before: tuple[str, SubscriptionStatus, bool]) -> None:
    if _visible(row) != before:
        uow.emit(
            SubscriptionUpdated(
                subscription_id=row.id,
                plan_id=row.plan_id,
                status=row.status.value,
                cancel_at_period_end=row.cancel_at_period_end,
                audience=(row.user_id,),
            )
        )


# What Stripe tells us -----------------------------------------------------------------------------


def is_billing_event(event: ProviderEvent) -> bool:
    if event.type in CHECKOUT_EVENTS:
        return event.object.get("mode") == "subscription"
    return event.type in BILLING_EVENTS


async def apply_billing_event(uow: UnitOfWork, gateway: PaymentGateway, event: ProviderEvent) -> bool:
    """Whether the event changed a subscription of ours."""
    data = event.object
    if event.type == "checkout.session.expired":
        return await _checkout_expired(uow, data["id"])
    subscription_id = _subscription_id(event)
    if subscription_id is None:
        log.info("Stripe event %s (%s) names no subscription", event.id, event.type)
        return False
    checkout_id = data["id"] if event.type == "checkout.session.completed" else None
    try:
        billing = await gateway.retrieve_subscription(subscription_id)
    except PaymentRefused as refused:
        # Not one Stripe knows (any more): nothing to copy. Network errors propagate, and Stripe sends it again.
        log.warning("Stripe subscription %s of event %s cannot be read: %s", subscription_id, event.id, refused)
        return False
    row = await queries.subscription_for_stripe(
        uow.session, subscription_id=billing.id, checkout_session_id=checkout_id
    ) or await _row_of_key(uow, billing.owner_key)
    if row is None:
        log.warning("Stripe subscription %s is not one of ours: ignored", billing.id)
        return False
    return sync(uow, row, billing)


def _subscription_id(event: ProviderEvent) -> str | None:
    data = event.object
    if event.type.startswith("customer.subscription."):
        return str(data["id"])
    found = data.get("subscription")
    if found is None and event.type.startswith("invoice."):
        # API versions from 2025-03-31 name an invoice's subscription under its parent.
        found = ((data.get("parent") or {}).get("subscription_details") or {}).get("subscription")
    if isinstance(found, dict):
        found = found.get("id")
    return found if isinstance(found, str) else None


async def _row_of_key(uow: UnitOfWork, key: str | None) -> Subscription | None:
    try:
        row_id = UUID(key) if key else None
    except ValueError:
        return None
    return await uow.session.get(Subscription, row_id, with_for_update=True) if row_id else None


async def _checkout_expired(uow: UnitOfWork, checkout_session_id: str) -> bool:
    row = await queries.subscription_for_stripe(uow.session, checkout_session_id=checkout_session_id)
    if row is None or row.status is not SubscriptionStatus.INCOMPLETE or row.stripe_subscription_id:
        return False
    row.status = SubscriptionStatus.INCOMPLETE_EXPIRED
    row.checkout_url = row.checkout_expires_at = None
    return True


def sync(uow: UnitOfWork, row: Subscription, billing: BillingSubscription) -> bool:
    """Copies Stripe's state of the subscription onto ours; False when it is not the user's current one."""
    if row.stripe_subscription_id not in (None, billing.id):
        log.info("Stripe subscription %s was replaced by %s: ignored", billing.id, row.stripe_subscription_id)
        return False
    try:
        status = SubscriptionStatus.from_stripe(billing.status)
    except ValueError:
        log.warning("Stripe subscription %s has a status we do not know (%s): ignored", billing.id, billing.status)
        return False
    before = _visible(row)
    if billing.plan_id is not None and rules.plan_exists(billing.plan_id):
        row.plan_id = billing.plan_id
    row.status = status
    row.stripe_subscription_id, row.stripe_customer_id = billing.id, billing.customer_id or row.stripe_customer_id
    row.current_period_end, row.cancel_at_period_end = billing.current_period_end, billing.cancel_at_period_end
    if status is not SubscriptionStatus.INCOMPLETE:
        row.checkout_url = row.checkout_expires_at = None
    _announce(uow, row, before)
    return True


async def confirm_offline_subscription(services: Services, subscription_key: UUID) -> bool:
    """The offline page's button: the subscription Stripe would have made, copied as its events would be."""
    gateway = services.payments
    if not isinstance(gateway, OfflineGateway):
        raise RuntimeError("offline subscriptions are confirmed only in the offline payment mode")
    async with services.db.unit_of_work() as uow:
        row = await uow.session.get(Subscription, subscription_key, with_for_update=True)
        if row is None:
            return False
        if row.status is SubscriptionStatus.INCOMPLETE and row.checkout_url is not None:
            sync(uow, row, gateway.subscription_started(row.id, row.plan_id, utcnow()))
    return True


async def find_subscription(services: Services, subscription_key: UUID) -> Subscription | None:
    async with services.db.session() as session:
        return await session.get(Subscription, subscription_key)
