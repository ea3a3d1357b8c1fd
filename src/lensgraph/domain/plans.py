"""Plans per role and the limits they set; one function decides whether a use fits its plan."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from lensgraph.domain.accounts import Role
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.money import Currency, Money

MEGABYTE = 1024 * 1024


class PlanTier(Enum):
    FREE = "FREE"
    BASIC = "BASIC"
    PROFESSIONAL = "PROFESSIONAL"
    ENTERPRISE = "ENTERPRISE"


@dataclass(frozen=True)
class Limits:
    """None means unlimited."""

    upload_bytes: int
    api_keys: int | None
    verifications_per_month: int | None
    # Filters on searchPhotos (the plain text search stays open to everyone).
    advanced_search: bool


@dataclass(frozen=True)
class Plan:
    id: str
    role: Role
    tier: PlanTier
    name: str
    # None for FREE; billed monthly through Stripe for the others.
    monthly_price: Money | None
    limits: Limits


def _price(euros: int) -> Money:
    return Money(euros * 100, Currency.EUR)


_TIERS: dict[PlanTier, tuple[str, int | None, Limits]] = {
    PlanTier.FREE: ("Free", None, Limits(50 * MEGABYTE, 2, 3, False)),
    PlanTier.BASIC: ("Basic", 12, Limits(100 * MEGABYTE, 5, 25, True)),
    PlanTier.PROFESSIONAL: ("Professional", 39, Limits(200 * MEGABYTE, 20, 150, True)),
    PlanTier.ENTERPRISE: ("Enterprise", 199, Limits(500 * MEGABYTE, None, None, True)),
}
# Administrators are not customers: they get the largest limits and no plan to buy.
PLAN_ROLES = (Role.PHOTOGRAPHER, Role.BRAND, Role.STUDIO)

PLANS: tuple[Plan, ...] = tuple(
    Plan(
        id=f"{role.value.lower()}-{tier.value.lower()}",
        role=role,
        tier=tier,
        name=name,
        monthly_price=_price(euros) if euros is not None else None,
        limits=limits,
    )
    for role in PLAN_ROLES
    for tier, (name, euros, limits) in _TIERS.items()
)
_BY_ID = {plan.id: plan for plan in PLANS}
ADMIN_PLAN = Plan("admin", Role.ADMIN, PlanTier.ENTERPRISE, "Administrator", None, _TIERS[PlanTier.ENTERPRISE][2])


def plans_for(role: Role) -> list[Plan]:
    return [plan for plan in PLANS if plan.role is role]


def plan_by_id(plan_id: str, field: str = "planId") -> Plan:
    try:
        return _BY_ID[plan_id]
    except KeyError:
        raise DomainError(ErrorCode.NOT_FOUND, "No such plan.", [field]) from None


def free_plan(role: Role) -> Plan:
    """The plan of everyone without a subscription."""
    return _BY_ID[f"{role.value.lower()}-free"] if role in PLAN_ROLES else ADMIN_PLAN


def check_subscribable(plan: Plan, role: Role) -> None:
    if plan.role is not role:
        raise DomainError(ErrorCode.INVALID_INPUT, f"This plan is for {plan.role.value.lower()}s.", ["planId"])
    if plan.monthly_price is None:
        raise DomainError(ErrorCode.INVALID_INPUT, "The free plan needs no subscription.", ["planId"])


def check_within(used: int, limit: int | None, what: str, field: str | None = None) -> None:
    """Refuses one more ``what`` when ``used`` already reached the plan's ``limit``."""
    if limit is not None and used >= limit:
        raise DomainError(
            ErrorCode.QUOTA_EXCEEDED,
            f"Your plan allows {limit} {what}; upgrade your plan for more.",
            [field] if field else None,
        )


def check_upload_size(size: int, plan: Plan) -> None:
    if size > plan.limits.upload_bytes:
        raise DomainError(
            ErrorCode.QUOTA_EXCEEDED,
            f"Files may be at most {plan.limits.upload_bytes // MEGABYTE} MB on the {plan.name} plan.",
            ["fileSizeBytes"],
        )


def check_advanced_search(plan: Plan, filtered: bool) -> None:
    if filtered and not plan.limits.advanced_search:
        raise DomainError(
            ErrorCode.PAYMENT_REQUIRED, "Search filters come with a paid plan; plain search is free.", ["filter"]
        )
