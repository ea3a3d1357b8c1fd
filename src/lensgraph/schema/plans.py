"""Plans, their limits, and the viewer's subscription."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import plans as rules
from lensgraph.domain import verification as verification_rules
from lensgraph.domain.policies import owns
from lensgraph.persistence.models import Subscription as SubscriptionRow
from lensgraph.resolvers import plans, verification
from lensgraph.resolvers.context import Context
from lensgraph.schema.accounts import Role
from lensgraph.schema.core import Money, Node, UserError, node_type, returns_user_errors, to_global_id

PlanTier = strawberry.enum(rules.PlanTier)
SubscriptionStatus = strawberry.enum(
    rules.SubscriptionStatus,
    description="Stripe Billing's status. ACTIVE, TRIALING and PAST_DUE (a renewal Stripe is still retrying) give "
    "the plan's limits; INCOMPLETE while its first payment is awaited; the others give the free plan's.",
)


@strawberry.type(description="What a plan allows. Null: unlimited.")
class PlanLimits:
    max_upload_bytes: int = strawberry.field(description="Largest photo upload.")
    api_keys: int | None = strawberry.field(description="API keys in use at once.")
    verifications_per_month: int | None
    advanced_search: bool = strawberry.field(description="Filters, orders and facets on `searchPhotos`.")
    api_key_requests_per_minute: int | None = strawberry.field(
        description="Per API key and minute, for queries and for mutations each; null: the server's default "
        "(3,600 unless configured)."
    )


@strawberry.type(description="Your verifications this calendar month (UTC) against your plan and overage budget.")
class VerificationUsage:
    month: str = strawberry.field(description="YYYY-MM.")
    used: int = strawberry.field(description="Verifications counted this month, overage included.")
    allowance: int | None = strawberry.field(description="What the plan includes per month; null: unlimited.")
    remaining: int | None = strawberry.field(description="Left of the allowance; null: unlimited.")
    overage_count: int = strawberry.field(description="Verifications beyond the allowance, each charged.")
    overage_amount: Money = strawberry.field(description="What those cost this month.")
    overage_price: Money = strawberry.field(description="The price of one verification beyond the allowance.")
    budget: Money = strawberry.field(description="What you let overage cost per month (setVerificationBudget).")
    overage_remaining: int = strawberry.field(
        description="Verifications beyond the allowance the budget still pays for (0 on the free plan)."
    )

    @classmethod
    def from_domain(
        cls, usage: verification_rules.MonthlyUsage, left: verification_rules.Allowance
    ) -> VerificationUsage:
        return cls(
            month=usage.month,
            used=usage.included + usage.overage,
            allowance=left.allowance,
            remaining=left.remaining,
            overage_count=usage.overage,
            overage_amount=Money.from_domain(usage.overage_spent),
            overage_price=Money.from_domain(verification_rules.OVERAGE_PRICE),
            budget=Money.from_domain(left.budget),
            overage_remaining=left.overage_remaining,
        )


@strawberry.type(description="A plan of one role: Free, or billed monthly through Stripe.")
class Plan:
    id: strawberry.ID
    role: Role  # type: ignore[valid-type]
    tier: PlanTier  # type: ignore[valid-type]
    name: str
    monthly_price: Money | None = strawberry.field(description="Null for the free plan.")
    limits: PlanLimits
    # Set on viewer.plan only: the usage shown is the viewer's.
    _viewers: strawberry.Private[bool] = False

    @strawberry.field(description="On viewer.plan: your verifications this month; null on the plans listed.")
    async def verification_usage(self, info: Info[Context, None]) -> VerificationUsage | None:
        if not self._viewers:
            return None
        used = await verification.usage_this_month(info.context, info.context.require_viewer())
        return VerificationUsage.from_domain(used.usage, used.allowance)

    @classmethod
    def from_domain(cls, plan: rules.Plan, *, viewers: bool = False) -> Plan:
        limits = plan.limits
        return cls(
            _viewers=viewers,
            id=strawberry.ID(plan.id),
            role=plan.role,
            tier=plan.tier,
            name=plan.name,
            monthly_price=Money.from_domain(plan.monthly_price) if plan.monthly_price else None,
            limits=PlanLimits(
                max_upload_bytes=limits.upload_bytes,
                api_keys=limits.api_keys,
                verifications_per_month=limits.verifications_per_month,
                advanced_search=limits.advanced_search,
                api_key_requests_per_minute=limits.api_key_requests_per_minute,
            ),
        )


@node_type
@strawberry.type(description="Your subscription to a paid plan, as Stripe last told us. Yours only.")
class PlanSubscription(Node):
    plan: Plan
    status: SubscriptionStatus  # type: ignore[valid-type]
    in_force: bool = strawberry.field(description="Whether it gives its plan's limits now.")
    current_period_end: datetime | None = strawberry.field(description="Paid up to; renewed then unless cancelled.")
    cancel_at_period_end: bool = strawberry.field(description="Ends at `currentPeriodEnd` rather than renewing.")

    @classmethod
    def from_row(cls, row: SubscriptionRow) -> PlanSubscription:
        return cls(
            id=to_global_id("PlanSubscription", row.id),
            plan=Plan.from_domain(rules.plan_by_id(row.plan_id)),
            status=row.status,
            in_force=plans.in_force(row),
            current_period_end=row.current_period_end,
            cancel_at_period_end=row.cancel_at_period_end,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> PlanSubscription | None:
        row = await info.context.loaders.subscription.load(key)
        return cls.from_row(row) if row and owns(info.context.viewer, row.user_id) else None


# Inputs and payloads -------------------------------------------------------------------------


@strawberry.input
class SubscribeToPlanInput:
    plan_id: strawberry.ID


@strawberry.type
class SubscribeToPlanPayload:
    subscription: PlanSubscription | None = None
    checkout_url: str | None = strawberry.field(
        default=None,
        description="Where to pay for a new subscription; null when the one in force changed plan at once "
        "(prorated by Stripe).",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CancelSubscriptionPayload:
    subscription: PlanSubscription | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ResumeSubscriptionPayload:
    subscription: PlanSubscription | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


# Root fields ---------------------------------------------------------------------------------


@strawberry.type
class PlanQueries:
    @strawberry.field(description="The plans of a role, Free first. Administrators have none to choose.")
    def plans(self, role: Role) -> list[Plan]:  # type: ignore[valid-type]
        return [Plan.from_domain(plan) for plan in rules.plans_for(role)]


@strawberry.type
class ViewerPlans:
    """Fields of ``Viewer`` about the plan and its subscription."""

    @strawberry.field(description="The plan whose limits apply to you now.")
    async def plan(self, info: Info[Context, None]) -> Plan:
        return Plan.from_domain(await plans.require_plan(info.context), viewers=True)

    @strawberry.field(description="Your subscription, also once it ended; null if you never subscribed.")
    async def subscription(self, info: Info[Context, None]) -> PlanSubscription | None:
        row = await plans.viewer_subscription(info.context)
        return PlanSubscription.from_row(row) if row else None


@strawberry.type
class PlanMutations:
    @strawberry.mutation(
        description="Subscribe to a paid plan of your role through Stripe Checkout (open `checkoutUrl`), or switch "
        "the subscription in force to another plan at once."
    )
    @returns_user_errors(SubscribeToPlanPayload)
    async def subscribe_to_plan(self, info: Info[Context, None], input: SubscribeToPlanInput) -> SubscribeToPlanPayload:
        subscribed = await plans.subscribe(info.context, str(input.plan_id))
        return SubscribeToPlanPayload(
            subscription=PlanSubscription.from_row(subscribed.subscription), checkout_url=subscribed.checkout_url
        )

    @strawberry.mutation(description="End your subscription when its paid period ends; its limits last until then.")
    @returns_user_errors(CancelSubscriptionPayload)
    async def cancel_subscription(self, info: Info[Context, None]) -> CancelSubscriptionPayload:
        return CancelSubscriptionPayload(
            subscription=PlanSubscription.from_row(await plans.set_cancellation(info.context, cancel=True))
        )

    @strawberry.mutation(description="Keep a subscription you cancelled, before its period ends.")
    @returns_user_errors(ResumeSubscriptionPayload)
    async def resume_subscription(self, info: Info[Context, None]) -> ResumeSubscriptionPayload:
        return ResumeSubscriptionPayload(
            subscription=PlanSubscription.from_row(await plans.set_cancellation(info.context, cancel=False))
        )
