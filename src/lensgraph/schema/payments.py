"""Payments and payouts: paying for a license, the brand's payments, the photographer's payouts and earnings."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import payments as rules
from lensgraph.domain.money import Money as DomainMoney
from lensgraph.domain.money import parse_currency
from lensgraph.domain.pagination import page_request
from lensgraph.domain.policies import can_receive_payouts, owns
from lensgraph.persistence.loaders import referenced
from lensgraph.persistence.models import Earning as EarningRow
from lensgraph.persistence.models import Payment as PaymentRow
from lensgraph.persistence.models import Payout as PayoutRow
from lensgraph.persistence.models import PayoutAccount as PayoutAccountRow
from lensgraph.resolvers import payments, refunds
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import (
    Connection,
    Currency,
    Money,
    MoneyInput,
    Node,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)
from lensgraph.schema.licensing import License

PaymentStatus = strawberry.enum(
    rules.PaymentStatus,
    description="PENDING until Stripe confirms the checkout; FAILED when it closed unpaid. SUCCEEDED stays so when "
    "part of it is refunded (see refundedAmount); REFUNDED once all of it is, which ends its license.",
)
PayoutStatus = strawberry.enum(
    rules.PayoutStatus,
    description="PENDING: being sent. PAID: Stripe made the transfer. FAILED: refused; its earnings go out again.",
)
PaymentDirection = strawberry.enum(
    rules.PaymentDirection,
    description="PAID: payments you made (a brand's). RECEIVED: payments for your licenses (a photographer's).",
)
EarningKind = strawberry.enum(
    rules.EarningKind,
    description="SALE: your share of a payment. CLAWBACK: a refund's share of a sale already paid out (negative).",
)
PayoutAccountStatus = strawberry.enum(
    rules.PayoutAccountStatus,
    description="NOT_STARTED: no account yet. PENDING: Stripe still needs details. ACTIVE: payouts are sent.",
)


@node_type
@strawberry.type(
    description="A brand's payment for a license. Seen by the brand (who paid) and the photographer (who received "
    "it: with the platform fee, their share and the payout it went into)."
)
class Payment(Node):
    _row: strawberry.Private[PaymentRow]
    amount: Money
    status: PaymentStatus  # type: ignore[valid-type]
    refunded_amount: Money | None = strawberry.field(
        description="Given back to the brand so far, in part or in full; null when nothing was refunded."
    )
    created_at: datetime
    paid_at: datetime | None

    @classmethod
    def from_row(cls, row: PaymentRow) -> Payment:
        return cls(
            _row=row,
            id=to_global_id("Payment", row.id),
            amount=Money.from_domain(DomainMoney(row.amount, row.currency)),
            status=row.status,
            refunded_amount=(
                Money.from_domain(DomainMoney(row.refunded_amount, row.currency)) if row.refunded_amount else None
            ),
            created_at=row.created_at,
            paid_at=row.paid_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Payment | None:
        row = await info.context.loaders.payment.load(key)
        return cls.from_row(row) if row and await payments.can_see_payment(info.context, row) else None

    @strawberry.field
    async def license(self, info: Info[Context, None]) -> License:
        # A purchase's payment is never shown as a Payment (``can_see_payment``): every one shown pays a license.
        assert self._row.license_id is not None
        return License.from_row(await referenced(info.context.loaders.license, self._row.license_id))

    @strawberry.field(description="The platform's fee on it: the photographer's view only (null for the brand).")
    async def fee(self, info: Info[Context, None]) -> Money | None:
        sale = await payments.payee_sale(info.context, self._row)
        return Money.from_domain(DomainMoney(sale.fee, sale.currency)) if sale else None

    @strawberry.field(
        description="What the photographer earns of it, after the fee and any refund not yet paid out: the "
        "photographer's view only."
    )
    async def share(self, info: Info[Context, None]) -> Money | None:
        sale = await payments.payee_sale(info.context, self._row)
        return Money.from_domain(DomainMoney(sale.net, sale.currency)) if sale else None

    @strawberry.field(description="The payout the photographer's share went into; null until one takes it.")
    async def payout(self, info: Info[Context, None]) -> Payout | None:
        sale = await payments.payee_sale(info.context, self._row)
        row = await info.context.loaders.payout.load(sale.payout_id) if sale and sale.payout_id else None
        return Payout.from_row(row) if row else None

    @strawberry.field(
        description="Once paid: a PDF, a signed URL valid for an hour. The brand's receipt, or the photographer's "
        "statement (fee, share, payout); both name the licensee's company and the brand's references."
    )
    async def receipt_url(self, info: Info[Context, None]) -> str | None:
        return await payments.receipt_url(info.context, self._row)


@strawberry.type(description="One item of a payout: a payment's share (SALE), or a refund clawed back (CLAWBACK).")
class PayoutItem:
    _row: strawberry.Private[EarningRow]
    kind: EarningKind  # type: ignore[valid-type]
    gross: Money = strawberry.field(description="The payment's part this item stands for.")
    fee: Money
    net: Money = strawberry.field(description="What this item adds to the payout.")
    created_at: datetime

    @classmethod
    def from_row(cls, row: EarningRow) -> PayoutItem:
        return cls(
            _row=row,
            kind=row.kind,
            gross=Money.from_domain(DomainMoney(row.gross, row.currency)),
            fee=Money.from_domain(DomainMoney(row.fee, row.currency)),
            net=Money.from_domain(DomainMoney(row.net, row.currency)),
            created_at=row.created_at,
        )

    @strawberry.field(description="The payment it comes from (null for a print order's or an invoice's).")
    async def payment(self, info: Info[Context, None]) -> Payment | None:
        row = await info.context.loaders.payment.load(self._row.payment_id)
        return Payment.from_row(row) if row and row.license_id else None


@node_type
@strawberry.type(description="A transfer of your earnings in one currency to your Stripe account. Yours only.")
class Payout(Node):
    _row: strawberry.Private[PayoutRow]
    amount: Money
    status: PayoutStatus  # type: ignore[valid-type]
    failure_reason: str | None = strawberry.field(description="Why Stripe refused it; its earnings go out again.")
    created_at: datetime
    paid_at: datetime | None

    @classmethod
    def from_row(cls, row: PayoutRow) -> Payout:
        return cls(
            _row=row,
            id=to_global_id("Payout", row.id),
            amount=Money.from_domain(DomainMoney(row.amount, row.currency)),
            status=row.status,
            failure_reason=row.failure_reason,
            created_at=row.created_at,
            paid_at=row.paid_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Payout | None:
        row = await info.context.loaders.payout.load(key)
        return cls.from_row(row) if row and owns(info.context.viewer, row.photographer_id) else None

    @strawberry.field(description="What it pays out: each earning it took, oldest first.")
    async def items(self, info: Info[Context, None]) -> list[PayoutItem]:
        rows = await info.context.loaders.earnings_by_payout.load(self._row.id)
        return [PayoutItem.from_row(row) for row in rows]


@strawberry.type(description="Where your earnings are sent: a Stripe Express account, and what Stripe allows it.")
class PayoutAccount:
    status: PayoutAccountStatus  # type: ignore[valid-type]
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool

    @classmethod
    def from_row(cls, row: PayoutAccountRow | None) -> PayoutAccount:
        return cls(
            status=payments.payout_account_status(row),
            charges_enabled=bool(row and row.charges_enabled),
            payouts_enabled=bool(row and row.payouts_enabled),
            details_submitted=bool(row and row.details_submitted),
        )


@strawberry.type
class MonthlyAmount:
    month: str = strawberry.field(description="YYYY-MM, in UTC.")
    amount: Money


@strawberry.type(description="Your earnings in one currency, after the platform fee.")
class PayoutStats:
    currency: Currency  # type: ignore[valid-type]
    total: Money = strawberry.field(description="Everything earned, less the refunds' share.")
    pending: Money = strawberry.field(
        description="Earned and not paid out yet. A refund of an earning paid out already is clawed back: it counts "
        "here, negative, until the next payout nets it against your later earnings (negative while it outweighs them)."
    )
    paid: Money = strawberry.field(description="Paid out to your account, net of the clawbacks payouts took back.")
    by_month: list[MonthlyAmount] = strawberry.field(
        description="Earned per month, oldest first; a clawback counts in the month of its refund."
    )

    @classmethod
    def from_domain(cls, stats: rules.PayoutStats) -> PayoutStats:
        return cls(
            currency=stats.total.currency,
            total=Money.from_domain(stats.total),
            pending=Money.from_domain(stats.pending),
            paid=Money.from_domain(stats.paid),
            by_month=[
                MonthlyAmount(month=item.month, amount=Money.from_domain(item.amount)) for item in stats.by_month
            ],
        )


# Inputs and payloads -------------------------------------------------------------------------


@strawberry.input
class CreateLicenseCheckoutInput:
    license_id: strawberry.ID


@strawberry.type
class CreateLicenseCheckoutPayload:
    payment: Payment | None = None
    checkout_url: str | None = strawberry.field(default=None, description="Send the brand here to pay.")
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RefundPaymentInput:
    payment_id: strawberry.ID
    amount: MoneyInput | None = strawberry.field(
        default=None, description="In the payment's currency; null refunds all that is left of it."
    )
    reason: str | None = strawberry.field(default=None, description="Why, for the records (at most 500 characters).")


@strawberry.type
class RefundPaymentPayload:
    payment: Payment | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class StartPayoutOnboardingPayload:
    url: str | None = strawberry.field(
        default=None, description="Stripe's onboarding page; it expires within minutes, so open it right away."
    )
    payout_account: PayoutAccount | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


# Root fields ---------------------------------------------------------------------------------


@strawberry.type
class ViewerPayments:
    """Fields of ``Viewer`` about money: payments made, payouts received, the payout account."""

    @strawberry.field(
        description="Payments for licenses, newest first: those you made (PAID, the default) or those you received "
        "(RECEIVED: with the fee, your share and their payout)."
    )
    async def payments(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        direction: PaymentDirection = rules.PaymentDirection.PAID,  # type: ignore[valid-type]
    ) -> Connection[Payment]:
        page = await payments.list_payments(info.context, page_request(first, after, last, before), direction)
        return Connection[Payment].from_page(page, Payment.from_row)

    @strawberry.field(description="Transfers of your earnings to your payout account, newest first.")
    async def payouts(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Payout]:
        page = await payments.list_payouts(info.context, page_request(first, after, last, before))
        return Connection[Payout].from_page(page, Payout.from_row)

    @strawberry.field(description="Where your earnings go; null for accounts that are not paid out (brands).")
    async def payout_account(self, info: Info[Context, None]) -> PayoutAccount | None:
        viewer = info.context.require_viewer()
        if not can_receive_payouts(viewer):
            return None
        return PayoutAccount.from_row(await info.context.loaders.payout_account_by_user.load(viewer.user_id))

    @strawberry.field(description="Your earnings per currency: in all, still owed, paid out, and per month.")
    async def payout_stats(self, info: Info[Context, None]) -> list[PayoutStats]:
        return [PayoutStats.from_domain(stats) for stats in await payments.payout_stats(info.context)]


@strawberry.type
class PaymentMutations:
    @strawberry.mutation(
        description="As the brand of a license both parties signed: open its Stripe checkout. While one is open, "
        "the same checkout is answered again."
    )
    @returns_user_errors(CreateLicenseCheckoutPayload)
    async def create_license_checkout(
        self, info: Info[Context, None], input: CreateLicenseCheckoutInput
    ) -> CreateLicenseCheckoutPayload:
        checkout = await payments.create_checkout(
            info.context, expect_global_id(input.license_id, "License", "licenseId")
        )
        return CreateLicenseCheckoutPayload(payment=Payment.from_row(checkout.payment), checkout_url=checkout.url)

    @strawberry.mutation(
        description="Refunds a license's payment, in full or in part, through Stripe: as an administrator, or as the "
        "photographer paid within 14 days of the payment. The license, the payment and the earnings follow as for "
        "a refund made in Stripe's dashboard (a refund in full ends the license; payment.refunded is sent)."
    )
    @returns_user_errors(RefundPaymentPayload)
    async def refund_payment(self, info: Info[Context, None], input: RefundPaymentInput) -> RefundPaymentPayload:
        amount = (
            DomainMoney(input.amount.amount, parse_currency(input.amount.currency, "amount.currency"))
            if input.amount is not None
            else None
        )
        row = await refunds.refund_payment(
            info.context, expect_global_id(input.payment_id, "Payment", "paymentId"), amount, input.reason
        )
        return RefundPaymentPayload(payment=Payment.from_row(row))

    @strawberry.mutation(
        description="As a photographer or studio: get a Stripe onboarding link for the account your earnings are "
        "paid to (created on the first call)."
    )
    @returns_user_errors(StartPayoutOnboardingPayload)
    async def start_payout_onboarding(self, info: Info[Context, None]) -> StartPayoutOnboardingPayload:
        onboarding = await payments.start_onboarding(info.context)
        return StartPayoutOnboardingPayload(
            url=onboarding.url, payout_account=PayoutAccount.from_row(onboarding.account)
        )
