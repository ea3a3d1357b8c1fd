"""Plans and the limits they set."""

from __future__ import annotations

import pytest

from lensgraph.domain import plans
from lensgraph.domain.accounts import Role
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.plans import MEGABYTE, PlanTier


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


def test_upload_size_follows_the_plan():
    free, basic = plans.plan_by_id("photographer-free"), plans.plan_by_id("photographer-basic")
    plans.check_upload_size(50 * MEGABYTE, free)
    with pytest.raises(DomainError) as refused:
        plans.check_upload_size(50 * MEGABYTE + 1, free)
    assert (refused.value.code, refused.value.field) == (ErrorCode.QUOTA_EXCEEDED, ["fileSizeBytes"])
    plans.check_upload_size(100 * MEGABYTE, basic)


def test_search_filters_need_a_paid_plan():
    plans.check_advanced_search(plans.plan_by_id("brand-free"), filtered=False)
    plans.check_advanced_search(plans.plan_by_id("brand-basic"), filtered=True)
    with pytest.raises(DomainError) as refused:
        plans.check_advanced_search(plans.plan_by_id("brand-free"), filtered=True)
    assert refused.value.code is ErrorCode.PAYMENT_REQUIRED


def test_administrators_are_not_limited_by_a_free_plan():
    assert plans.free_plan(Role.ADMIN).limits.api_keys is None
