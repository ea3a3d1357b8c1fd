"""Plans and the limits they set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lensgraph.domain import plans
from lensgraph.domain.accounts import Role
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.plans import MEGABYTE, RENEWAL_GRACE, PlanTier, SubscriptionState, SubscriptionStatus


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.BRAND, Role.STUDIO])
def test_every_customer_role_has_four_tiers_in_order(role):
    offered = plans.plans_for(role)
    assert [plan.tier for plan in offered] == list(PlanTier)
    assert offered[0].monthly_price is None and all(plan.monthly_price for plan in offered[1:])
    prices = [plan.monthly_price.amount for plan in offered[1:] if plan.monthly_price]
    assert prices == sorted(prices)
    assert plans.free_plan(role) is offered[0]


def test_plan_ids_are_unique_and_found():
    assert len({plan.id for plan in plans.PLANS}) == len(plans.PLANS) == 12
    assert plans.plan_by_id("brand-professional").name == "Professional"
    with pytest.raises(DomainError) as missing:
        plans.plan_by_id("brand-platinum")
    assert (missing.value.code, missing.value.field) == (ErrorCode.NOT_FOUND, ["planId"])


def test_only_paid_plans_of_ones_own_role_are_subscribed_to():
    plans.check_subscribable(plans.plan_by_id("studio-basic"), Role.STUDIO)
    for plan_id in ("brand-basic", "studio-free"):
        with pytest.raises(DomainError) as refused:
            plans.check_subscribable(plans.plan_by_id(plan_id), Role.STUDIO)
        assert refused.value.code is ErrorCode.INVALID_INPUT


def test_limits():
    plans.check_within(1, 2, "API keys")
    plans.check_within(10_000, None, "API keys")
    with pytest.raises(DomainError) as refused:
        plans.check_within(2, 2, "API keys")
    assert refused.value.code is ErrorCode.QUOTA_EXCEEDED and "2 API keys" in refused.value.message


def test_search_filters_need_a_paid_plan():
    plans.check_advanced_search(plans.plan_by_id("brand-free"), uses=None)
    plans.check_advanced_search(plans.plan_by_id("brand-basic"), uses="filter")
    with pytest.raises(DomainError) as refused:
        plans.check_advanced_search(plans.plan_by_id("brand-free"), uses="filter")
    assert refused.value.code is ErrorCode.PAYMENT_REQUIRED
    with pytest.raises(DomainError):
        plans.check_advanced_search(None, uses="filter")
    plans.check_advanced_search(None, uses=None)


def test_administrators_are_not_limited_by_a_free_plan():
    assert plans.free_plan(Role.ADMIN).limits.api_keys is None


NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def _subscribed(plan_id="brand-basic", status=SubscriptionStatus.ACTIVE, ends=NOW + timedelta(days=20)):
    return SubscriptionState(plan_id, status, ends)


def test_upload_limits_grow_with_the_tier():
    sizes = [plan.limits.upload_bytes for plan in plans.plans_for(Role.PHOTOGRAPHER)]
    assert sizes == sorted(sizes) and sizes[0] == 50 * MEGABYTE


@pytest.mark.parametrize(
    "status", [SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAST_DUE]
)
def test_a_live_subscription_gives_its_plan(status):
    assert plans.effective_plan(Role.BRAND, _subscribed(status=status), NOW).id == "brand-basic"


@pytest.mark.parametrize(
    "status",
    [
        SubscriptionStatus.INCOMPLETE,
        SubscriptionStatus.INCOMPLETE_EXPIRED,
        SubscriptionStatus.UNPAID,
        SubscriptionStatus.CANCELED,
        SubscriptionStatus.PAUSED,
    ],
)
def test_a_subscription_not_paid_for_gives_the_free_plan(status):
    assert plans.effective_plan(Role.BRAND, _subscribed(status=status), NOW).id == "brand-free"


def test_a_renewal_not_heard_of_is_given_grace_then_lapses():
    ended = NOW - timedelta(days=1)
    assert plans.effective_plan(Role.BRAND, _subscribed(ends=ended), NOW).id == "brand-basic"
    long_ended = NOW - RENEWAL_GRACE - timedelta(seconds=1)
    assert plans.effective_plan(Role.BRAND, _subscribed(ends=long_ended), NOW).id == "brand-free"


def test_a_plan_of_another_role_or_unknown_gives_nothing():
    assert plans.effective_plan(Role.PHOTOGRAPHER, _subscribed("brand-basic"), NOW).id == "photographer-free"
    assert plans.effective_plan(Role.BRAND, _subscribed("brand-gold"), NOW).id == "brand-free"
    assert plans.effective_plan(Role.BRAND, None, NOW).id == "brand-free"
    assert plans.effective_plan(Role.ADMIN, None, NOW) is plans.ADMIN_PLAN


def test_subscribing_again_to_the_plan_in_force_is_refused_but_changing_plan_is_not():
    basic, pro = plans.plan_by_id("brand-basic"), plans.plan_by_id("brand-professional")
    with pytest.raises(DomainError) as refused:
        plans.check_can_subscribe(basic, Role.BRAND, _subscribed(), NOW)
    assert refused.value.code is ErrorCode.ALREADY_EXISTS
    plans.check_can_subscribe(pro, Role.BRAND, _subscribed(), NOW)
    plans.check_can_subscribe(basic, Role.BRAND, _subscribed(status=SubscriptionStatus.CANCELED), NOW)
    plans.check_can_subscribe(basic, Role.BRAND, None, NOW)


def test_cancelling_and_resuming():
    live = _subscribed()
    plans.check_cancellation_change(live, cancel_pending=False, cancel=True, now=NOW)
    plans.check_cancellation_change(live, cancel_pending=True, cancel=True, now=NOW)
    plans.check_cancellation_change(live, cancel_pending=True, cancel=False, now=NOW)
    with pytest.raises(DomainError) as refused:
        plans.check_cancellation_change(live, cancel_pending=False, cancel=False, now=NOW)
    assert refused.value.code is ErrorCode.INVALID_TRANSITION
    for gone in (None, _subscribed(status=SubscriptionStatus.CANCELED)):
        with pytest.raises(DomainError) as refused:
            plans.check_cancellation_change(gone, cancel_pending=False, cancel=True, now=NOW)
        assert refused.value.code is ErrorCode.NOT_FOUND


def test_stripe_statuses_are_read():
    assert SubscriptionStatus.from_stripe("past_due") is SubscriptionStatus.PAST_DUE
    with pytest.raises(ValueError):
        SubscriptionStatus.from_stripe("dormant")


def test_an_open_checkout_is_handed_out_again_for_the_same_plan_only():
    basic, pro = plans.plan_by_id("brand-basic"), plans.plan_by_id("brand-professional")
    open_until = NOW + timedelta(hours=20)
    assert plans.checkout_reusable(SubscriptionStatus.INCOMPLETE, "brand-basic", basic, open_until, NOW)
    assert not plans.checkout_reusable(SubscriptionStatus.INCOMPLETE, "brand-basic", pro, open_until, NOW)
    assert not plans.checkout_reusable(
        SubscriptionStatus.INCOMPLETE, "brand-basic", basic, NOW + timedelta(minutes=5), NOW
    )
    assert not plans.checkout_reusable(SubscriptionStatus.INCOMPLETE_EXPIRED, "brand-basic", basic, open_until, NOW)
    assert not plans.checkout_reusable(SubscriptionStatus.INCOMPLETE, "brand-basic", basic, None, NOW)
