"""Plans per role and the limits they set; one function decides whether a use fits its plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from lensgraph.domain.accounts import Role
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.money import Currency, Money
from lensgraph.domain.payments import checkout_open_long_enough

MEGABYTE = 1024 * 1024


# A renewal Stripe has not confirmed yet (its event late, or lost) does not drop anyone to the free plan at once.
RENEWAL_GRACE = timedelta(days=3)


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
    # Filters, orders and facets on searchPhotos (the plain text search stays open to everyone).
    advanced_search: bool
    # Per API key and minute, reads and writes each; None: the server's (LENSGRAPH_API_KEY_*_RATE_LIMIT).
    api_key_requests_per_minute: int | None = None


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
    PlanTier.FREE: ("Free", None, Limits(50 * MEGABYTE, 2, 5, False)),
    PlanTier.BASIC: ("Basic", 12, Limits(100 * MEGABYTE, 5, 50, True)),
    PlanTier.PROFESSIONAL: ("Professional", 39, Limits(200 * MEGABYTE, 20, 1000, True)),
    PlanTier.ENTERPRISE: (
        "Enterprise",
        199,
        Limits(500 * MEGABYTE, None, None, True, api_key_requests_per_minute=14_400),
    ),
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


def plan_exists(plan_id: str) -> bool:
    return plan_id in _BY_ID


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


def check_advanced_search(plan: Plan | None, uses: str | None) -> None:
    """Enterprise search (filters, an order other than relevance, facets on a text search) comes with a paid plan
    (``plan`` None: an anonymous caller); ``uses`` names the argument or field asked for, None for none."""
    if uses is not None and (plan is None or not plan.limits.advanced_search):
        raise DomainError(
            ErrorCode.PAYMENT_REQUIRED,
            "Filters, orders and facets on a search come with a paid plan; the plain search and browsing with "
            "filters are free.",
            [uses],
        )


class SubscriptionStatus(Enum):
    """Stripe Billing's subscription statuses; INCOMPLETE also while our checkout is open and not paid."""

    INCOMPLETE = "INCOMPLETE"
    INCOMPLETE_EXPIRED = "INCOMPLETE_EXPIRED"
    TRIALING = "TRIALING"
    ACTIVE = "ACTIVE"
    # A renewal failed; Stripe retries it, and the plan stays in force meanwhile.
    PAST_DUE = "PAST_DUE"
    UNPAID = "UNPAID"
    CANCELED = "CANCELED"
    PAUSED = "PAUSED"

    @classmethod
    def from_stripe(cls, status: str) -> SubscriptionStatus:
        return cls(status.upper())


IN_FORCE = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAST_DUE})


@dataclass(frozen=True)
class SubscriptionState:
    plan_id: str
    status: SubscriptionStatus
    current_period_end: datetime | None


def in_force(subscription: SubscriptionState | None, now: datetime) -> bool:
    """Whether a subscription gives its plan's limits now: live at Stripe and its period not long over."""
    if subscription is None or subscription.status not in IN_FORCE:
        return False
    end = subscription.current_period_end
    return end is None or now < end + RENEWAL_GRACE


def effective_plan(role: Role, subscription: SubscriptionState | None, now: datetime) -> Plan:
    """The plan whose limits apply: the subscribed one while in force and meant for the role, else the free one."""
    if role not in PLAN_ROLES:
        return ADMIN_PLAN
    if subscription is not None and in_force(subscription, now):
        plan = _BY_ID.get(subscription.plan_id)
        if plan is not None and plan.role is role:
            return plan
    return free_plan(role)


def check_can_subscribe(plan: Plan, role: Role, current: SubscriptionState | None, now: datetime) -> None:
    """A paid plan of one's own role, and not the one already in force."""
    check_subscribable(plan, role)
    if current is not None and in_force(current, now) and current.plan_id == plan.id:
        raise DomainError(ErrorCode.ALREADY_EXISTS, f"You are subscribed to {plan.name} already.", ["planId"])


def checkout_reusable(
    status: SubscriptionStatus, plan_id: str, wanted: Plan, checkout_expires_at: datetime | None, now: datetime
) -> bool:
    """Whether the open checkout of a subscription not yet paid is the wanted plan's and can be handed out again."""
    return (
        status is SubscriptionStatus.INCOMPLETE
        and plan_id == wanted.id
        and checkout_expires_at is not None
        and checkout_open_long_enough(checkout_expires_at, now)
    )


def check_cancellation_change(
    current: SubscriptionState | None, cancel_pending: bool, cancel: bool, now: datetime
) -> None:
    """Cancelling ends a subscription in force at its period's end (asking twice is harmless); resuming takes a
    pending cancellation back."""
    if current is None or not in_force(current, now):
        raise DomainError(ErrorCode.NOT_FOUND, "You have no subscription in force.")
    if not cancel and not cancel_pending:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "Your subscription is not set to end: nothing to resume.")
