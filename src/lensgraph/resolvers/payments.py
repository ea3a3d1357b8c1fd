"""Payments and payouts: paying for a signed license, what Stripe tells us afterwards, getting paid out.

Money only moves on Stripe's word. Checkout (``resolvers.checkout``) opens a session and records a PENDING
payment; the license (or the marketplace purchase, ``resolvers.purchases``) is put in force, and the
photographer's earning recorded, when a verified ``checkout.session.completed`` arrives (or, in the offline
development mode, when the local confirm page sends the same event). Each Stripe event is applied once: its id
is written in the same transaction as its effect.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from lensgraph.adapters.payments import ConnectedAccount, OfflineGateway, PaidItem, PaymentGateway, ProviderEvent
from lensgraph.adapters.pdf import PDF_MEDIA_TYPE, render_pdf
from lensgraph.adapters.storage import ObjectTooLarge
from lensgraph.config import Settings
from lensgraph.domain import licensing as license_rules
from lensgraph.domain import payments as rules
from lensgraph.domain.accounts import Role
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.events import PaymentCompleted, PaymentRefunded
from lensgraph.domain.files import download_name
from lensgraph.domain.license_references import LicenseFileNotice
from lensgraph.domain.licensing import LicenseStatus, Party
from lensgraph.domain.money import Money
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.payments import PaymentDirection, PaymentStatus, PayoutStats
from lensgraph.domain.photos import PhotoStatus
from lensgraph.domain.policies import can_receive_payouts, license_party
from lensgraph.persistence import invoices as invoice_queries
from lensgraph.persistence import licensing as license_queries
from lensgraph.persistence import marketplace as marketplace_queries
from lensgraph.persistence import payments as queries
from lensgraph.persistence import prints as print_queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import ConstraintViolation, Database, UnitOfWork
from lensgraph.persistence.models import (
    Contract,
    Earning,
    License,
    Payment,
    Payout,
    PayoutAccount,
    Photo,
    StripeEvent,
    User,
)
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers import checkout, invoices, plans, prints, purchases
from lensgraph.resolvers.checkout import Checkout
from lensgraph.resolvers.context import Context, Services
from lensgraph.resolvers.uploads import WITHHELD

log = logging.getLogger(__name__)

RECEIPT_URL_LIFETIME = timedelta(hours=1)
# Checkout statuses in which the money is in: delayed methods (bank debits) complete "unpaid" and settle later.
PAID_CHECKOUT = frozenset({"paid", "no_payment_required"})


# Checkout -----------------------------------------------------------------------------------------


async def create_checkout(ctx: Context, license_id: UUID) -> Checkout:
    """Opens a Stripe Checkout for a license both parties signed, or hands out the one still open for it."""
    try:
        return await _open_checkout(ctx, license_id)
    except ConstraintViolation:
        # A concurrent call opened this license's checkout first (one pending payment per license): answer with it.
        return await _open_checkout(ctx, license_id)


async def _open_checkout(ctx: Context, license_id: UUID) -> Checkout:
    viewer = ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        # Held for the whole call, Stripe's included, before anything is read: of two clicks at once, the second
        # waits and then finds the first one's open checkout, so Stripe makes one session, not two.
        await queries.hold_license(uow.session, license_id)
        row = await uow.session.get(License, license_id)
        party = license_party(viewer, row.brand_id, row.photographer_id) if row else None
        if row is None or party is None:
            raise DomainError(ErrorCode.NOT_FOUND, "No such license.", ["licenseId"])
        if party is not Party.BRAND:
            raise forbidden("Only the brand pays for a license.")
        rules.check_payable(row.status)
        if open_one := checkout.reusable(await queries.pending_payment(uow.session, row.id)):
            return open_one
        photo = await uow.session.get(Photo, row.photo_id) if row.photo_id else None
        if photo is not None and photo.status is PhotoStatus.TAKEN_DOWN:
            raise DomainError(
                ErrorCode.PHOTO_TAKEN_DOWN, "This photo was taken down: its license cannot be paid for.", ["licenseId"]
            )
        payment = Payment(
            # Derived from the request's Idempotency-Key when it has one: a retry sends Stripe the same session.
            id=ctx.new_id("payment"),
            license_id=row.id,
            brand_id=row.brand_id,
            amount=row.price_amount,
            currency=row.price_currency,
            status=PaymentStatus.PENDING,
        )
        product = f"Photo license: {photo.title if photo else row.id}"
        return await checkout.open_checkout(
            ctx, uow, payment, PaidItem("license", row.id), product=product, field="licenseId"
        )


# What Stripe tells us -----------------------------------------------------------------------------


async def process_event(services: Services, event: ProviderEvent) -> bool:
    """Applies a verified Stripe event, once: answers False for one seen before (its effect is not repeated)."""
    db = services.db
    try:
        async with db.unit_of_work() as uow:
            if await uow.session.get(StripeEvent, event.id) is not None:
                return False
            record = StripeEvent(id=event.id, type=event.type)
            uow.session.add(record)
            # Written first: of two deliveries of one event at once, the primary key lets one through.
            await uow.session.flush()
            if await _apply(uow, event, services.payments, services.settings):
                record.processed_at = utcnow()
    except ConstraintViolation:
        async with db.session() as session:
            if await session.get(StripeEvent, event.id) is None:
                raise
        return False
    return True


async def _apply(uow: UnitOfWork, event: ProviderEvent, gateway: PaymentGateway, settings: Settings) -> bool:
    """Whether the event changed anything; events of other types, or about objects not ours, change nothing."""
    if plans.is_billing_event(event):
        return await plans.apply_billing_event(uow, gateway, event)
    data = event.object
    match event.type:
        case "checkout.session.completed" if data.get("payment_status") in PAID_CHECKOUT:
            return await _checkout_paid(uow, data, settings)
        case "checkout.session.async_payment_succeeded":
            return await _checkout_paid(uow, data, settings)
        case "checkout.session.expired" | "checkout.session.async_payment_failed":
            return await _checkout_failed(uow, data)
        case "charge.refunded":
            return await _charge_refunded(uow, data)
        case "account.updated":
            return await _account_updated(uow, ConnectedAccount.from_stripe(data))
    log.info("Stripe event %s (%s) needs nothing done", event.id, event.type)
    return False


async def _checkout_paid(uow: UnitOfWork, session: dict[str, Any], settings: Settings) -> bool:
    """What the paid session paid for is put in force: a license, a marketplace purchase, (part of) an invoice, or
    a print order."""
    # The license held first, as a checkout holds it, then the payment read: whatever held it before us is seen.
    if await queries.hold_license_of_checkout(uow.session, session["id"]):
        return await _license_paid(uow, session, settings.platform_fee_percent)
    if await marketplace_queries.hold_purchase_of_checkout(uow.session, session["id"]):
        return await purchases.purchase_paid(uow, session, settings)
    if await invoice_queries.hold_invoice_of_checkout(uow.session, session["id"]):
        return await invoices.invoice_paid(uow, session, settings)
    if await print_queries.hold_order_of_checkout(uow.session, session["id"]):
        return await prints.order_paid(uow, session, settings)
    log.warning("Stripe checkout session %s was paid but is not one of ours: ignored", session["id"])
    return False


async def _license_paid(uow: UnitOfWork, session: dict[str, Any], fee_percent: Decimal) -> bool:
    """Payment SUCCEEDED, license ACTIVE from now, the photographer's earning, payment.completed: all or nothing."""
    payment = await queries.payment_for_checkout(uow.session, session["id"])
    if payment is None or payment.license_id is None:
        return False
    license_row = await uow.session.get(License, payment.license_id)
    assert license_row is not None  # payments cascade with their license
    try:
        period = rules.activate(license_row.status, license_row.duration_days, utcnow())
        checkout.settle(uow, payment, session, license_row.photographer_id, fee_percent)
    except DomainError as refused:
        checkout.log_unsettled(session, payment, refused)
        return False
    license_row.status = LicenseStatus.ACTIVE
    license_row.starts_at, license_row.ends_at = period.starts_at, period.ends_at
    uow.emit(
        PaymentCompleted(
            payment_id=payment.id,
            license_id=license_row.id,
            amount=payment.amount,
            currency=payment.currency.value,
            audience=(license_row.brand_id, license_row.photographer_id),
        )
    )
    return True


async def _checkout_failed(uow: UnitOfWork, session: dict[str, Any]) -> bool:
    """The session closed unpaid: the payment FAILED; the license still awaits payment, so the brand can retry,
    while a purchase FAILED (the buyer buys again)."""
    held = await queries.hold_license_of_checkout(uow.session, session["id"])
    held = held or await marketplace_queries.hold_purchase_of_checkout(uow.session, session["id"])
    # An invoice's payment that failed just stops reserving its amount: the client pays again.
    held = held or await invoice_queries.hold_invoice_of_checkout(uow.session, session["id"])
    # A print order stays PENDING: its client pays again (a new checkout) or cancels.
    held = held or await print_queries.hold_order_of_checkout(uow.session, session["id"])
    payment = await queries.payment_for_checkout(uow.session, session["id"]) if held else None
    if payment is None or payment.status is not PaymentStatus.PENDING:
        log.info("Stripe checkout session %s closed unpaid; no pending payment of ours has it", session["id"])
        return False
    payment.status = rules.move_payment(payment.status, PaymentStatus.FAILED)
    if payment.purchase_id is not None:
        await purchases.purchase_unpaid(uow, payment.purchase_id)
    return True


async def _charge_refunded(uow: UnitOfWork, charge: dict[str, Any]) -> bool:
    """A refund, in full or in part: the amount recorded, the photographer's share given back (off the earning, or
    clawed back from the next payout), the license out of force when refunded in full, payment.refunded."""
    intent = charge.get("payment_intent")
    # Held in the order a paid checkout holds them (license, payment), then the earning, which a payout locks when
    # it claims it. Two refunds of one charge at once are applied in turn, each on what the other left.
    if not isinstance(intent, str):
        log.warning("Stripe charge %s was refunded but names no payment intent: ignored", charge.get("id"))
        return False
    if await marketplace_queries.hold_purchase_of_intent(uow.session, intent):
        return await purchases.purchase_refunded(uow, charge, intent)
    if await print_queries.hold_order_of_intent(uow.session, intent):
        return await prints.order_refunded(uow, charge, intent)
    if await invoice_queries.hold_invoice_of_intent(uow.session, intent):
        return await invoices.invoice_refunded(uow, charge, intent)
    held = await queries.hold_license_of_intent(uow.session, intent)
    payment = await queries.payment_for_intent(uow.session, intent) if held else None
    if payment is None or payment.license_id is None:
        log.warning("Stripe charge %s was refunded but paid no payment of ours: ignored", charge.get("id"))
        return False
    license_row = await uow.session.get(License, payment.license_id)
    assert license_row is not None  # payments cascade with their license
    price = Money(payment.amount, payment.currency)
    try:
        refund = rules.refund(
            payment.status,
            price,
            payment.refunded_amount,
            charge.get("amount"),
            charge.get("currency"),
            charge.get("amount_refunded"),
        )
        full = refund is not None and refund.status is PaymentStatus.REFUNDED
        license_status = rules.refund_license(license_row.status) if full else license_row.status
    except DomainError as refused:
        log.error(
            "Stripe charge %s of payment %s was refunded, but the refund cannot apply (%s): check it in the Stripe "
            "dashboard",
            charge.get("id"),
            payment.id,
            refused.message,
        )
        return False
    if refund is None:
        log.info("Stripe charge %s: payment %s has as much refunded already", charge.get("id"), payment.id)
        return False
    await checkout.take_back_share(uow, payment.id, Money(refund.added, payment.currency))
    payment.status, payment.refunded_amount = refund.status, refund.refunded
    license_row.status = license_status
    uow.emit(
        PaymentRefunded(
            payment_id=payment.id,
            license_id=license_row.id,
            amount=refund.added,
            refunded_amount=refund.refunded,
            currency=payment.currency.value,
            fully_refunded=full,
            audience=(license_row.brand_id, license_row.photographer_id),
        )
    )
    return True


async def _account_updated(uow: UnitOfWork, account: ConnectedAccount) -> bool:
    """Keeps a payout account's flags as Stripe has them; creates its row if the event came before ours was saved."""
    row = await queries.payout_account_by_stripe_id(uow.session, account.id)
    if row is None:
        owner = _user_key(account.user_id)
        user = await uow.session.get(User, owner) if owner else None
        if user is None:
            log.warning("Stripe account %s belongs to no user of ours: ignored", account.id)
            return False
        row = PayoutAccount(user_id=user.id, stripe_account_id=account.id)
        uow.session.add(row)
    _copy_flags(row, account)
    return True


def _user_key(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


def _copy_flags(row: PayoutAccount, account: ConnectedAccount) -> None:
    row.charges_enabled, row.payouts_enabled = account.charges_enabled, account.payouts_enabled
    row.details_submitted = account.details_submitted


async def find_payment(services: Services, payment_id: UUID) -> Payment | None:
    async with services.db.session() as session:
        return await session.get(Payment, payment_id)


async def confirm_offline_payment(services: Services, payment_id: UUID) -> bool:
    """The offline page's button: the very path of a verified ``checkout.session.completed``, with the event the
    offline gateway stands in for. Answers whether the payment exists."""
    gateway = services.payments
    if not isinstance(gateway, OfflineGateway):
        raise RuntimeError("offline payments are confirmed only in the offline payment mode")
    payment = await find_payment(services, payment_id)
    if payment is None:
        return False
    event = gateway.checkout_completed(payment.stripe_checkout_session_id, Money(payment.amount, payment.currency))
    await process_event(services, event)
    return True


# Payouts ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Onboarding:
    url: str
    account: PayoutAccount


async def start_onboarding(ctx: Context) -> Onboarding:
    """Creates the photographer's Stripe Express account once, then a fresh onboarding link on every call."""
    viewer = ctx.require_viewer()
    if not can_receive_payouts(viewer):
        raise forbidden("Only photographers and studios receive payouts.")
    gateway = ctx.services.payments
    async with ctx.db.session() as session:
        row = await session.get(PayoutAccount, viewer.user_id)
        user = await session.get(User, viewer.user_id)
    if user is None:
        raise forbidden("This account no longer exists.")
    if row is None:
        account = await gateway.create_account(user_id=user.id, email=user.email)
    else:
        # Onboarding again is the moment to catch up on an account.updated event that never arrived.
        account = await gateway.retrieve_account(row.stripe_account_id)
    row = await _save_account(ctx.db, user.id, account)
    url = await gateway.create_onboarding_link(
        account_id=row.stripe_account_id,
        refresh_url=ctx.settings.payment_return_url("onboarding-expired"),
        return_url=ctx.settings.payment_return_url("onboarding-done"),
    )
    return Onboarding(url, row)


async def _save_account(db: Database, user_id: UUID, account: ConnectedAccount) -> PayoutAccount:
    try:
        return await _upsert_account(db, user_id, account)
    except ConstraintViolation:
        # Stored meanwhile by a concurrent call or an account.updated event: update that row instead.
        return await _upsert_account(db, user_id, account)


async def _upsert_account(db: Database, user_id: UUID, account: ConnectedAccount) -> PayoutAccount:
    async with db.unit_of_work() as uow:
        row = await uow.session.get(PayoutAccount, user_id, with_for_update=True)
        if row is None:
            row = PayoutAccount(user_id=user_id, stripe_account_id=account.id)
            uow.session.add(row)
        _copy_flags(row, account)
    return row


def payout_account_status(row: PayoutAccount | None) -> rules.PayoutAccountStatus:
    if row is None:
        return rules.payout_account_status(False, False, False)
    return rules.payout_account_status(True, row.details_submitted, row.payouts_enabled)


# What the viewer sees -----------------------------------------------------------------------------


async def list_payments(
    ctx: Context, page: PageRequest, direction: PaymentDirection = PaymentDirection.PAID
) -> Page[Payment]:
    """The license payments the viewer PAID (a brand), or RECEIVED (the photographer of the license)."""
    viewer = ctx.require_viewer()
    if direction is PaymentDirection.PAID:
        query = queries.payments_of(viewer.user_id)
    else:
        query = queries.payments_received_by(viewer.user_id)
    return await paginate(ctx.reads, query, [Payment.created_at, Payment.id], page, descending=True)


async def _side(ctx: Context, payment: Payment) -> tuple[License, Party] | None:
    license_row = await ctx.loaders.license.load(payment.license_id) if payment.license_id else None
    party = license_party(ctx.viewer, license_row.brand_id, license_row.photographer_id) if license_row else None
    return (license_row, party) if license_row and party else None


async def payee_sale(ctx: Context, payment: Payment) -> Earning | None:
    """The payment's sale earning (fee, share, payout), for the photographer paid only; None for the brand."""
    side = await _side(ctx, payment)
    if side is None or side[1] is not Party.PHOTOGRAPHER:
        return None
    sale: Earning | None = await ctx.loaders.sale_by_payment.load(payment.id)
    return sale


async def receipt_url(ctx: Context, payment: Payment) -> str | None:
    """The paid payment's document as a PDF, a signed URL: the brand's receipt, or the photographer's statement
    (fee, share, payout). Made from the contract's names and the license's references when first asked for with
    what it says now."""
    side = await _side(ctx, payment)
    if side is None or payment.paid_at is None:
        return None
    license_row, party = side
    direction = PaymentDirection.PAID if party is Party.BRAND else PaymentDirection.RECEIVED
    contract = await ctx.loaders.contract_by_license.load(license_row.id)
    brand = await ctx.loaders.user.load(license_row.brand_id)
    photographer = await ctx.loaders.user.load(license_row.photographer_id)
    if contract is None or brand is None or photographer is None:
        return None
    snapshot = contract.snapshot
    sale = await ctx.loaders.sale_by_payment.load(payment.id) if direction is PaymentDirection.RECEIVED else None
    facts = rules.ReceiptFacts(
        payment_id=str(payment.id),
        license_id=str(license_row.id),
        photo_title=snapshot["photo"]["title"],
        paid_at=payment.paid_at,
        amount=Money(payment.amount, payment.currency),
        refunded=Money(payment.refunded_amount, payment.currency),
        licensee=license_rules.party_name(snapshot["brand"]),
        licensor=license_rules.party_name(snapshot["photographer"]),
        references=license_queries.references_of(license_row).items(),
        fee=Money(sale.fee if sale else 0, payment.currency),
        share=Money(sale.net if sale else 0, payment.currency),
        payout=str(sale.payout_id) if sale and sale.payout_id else None,
    )
    title, blocks = rules.receipt(facts, direction)
    key = queries.receipt_key(payment.id, direction, title, blocks)
    if await ctx.services.storage.stat(key) is None:
        await ctx.services.storage.write(key, await render_pdf(title, blocks), content_type=PDF_MEDIA_TYPE)
    return await ctx.services.storage.presign_download(
        key,
        expires_in=RECEIPT_URL_LIFETIME,
        media_type=PDF_MEDIA_TYPE,
        filename=f"{title.lower().replace(' ', '-')}.pdf",
    )


async def list_payouts(ctx: Context, page: PageRequest) -> Page[Payout]:
    viewer = ctx.require_viewer()
    return await paginate(
        ctx.reads, queries.payouts_of(viewer.user_id), [Payout.created_at, Payout.id], page, descending=True
    )


async def payout_stats(ctx: Context) -> list[PayoutStats]:
    viewer = ctx.require_viewer()
    async with ctx.db.session() as session:
        totals = await queries.earning_totals(session, viewer.user_id)
    return rules.payout_stats(totals)


async def can_see_payment(ctx: Context, payment: Payment) -> bool:
    """The brand who pays and the photographer who is paid."""
    license_row = await ctx.loaders.license.load(payment.license_id) if payment.license_id else None
    if license_row is None:
        return False
    return license_party(ctx.viewer, license_row.brand_id, license_row.photographer_id) is not None


async def holds_license(ctx: Context, photo: Photo) -> bool:
    """Whether the viewer is a brand with a paid license in force on the photo; no query for anyone else."""
    viewer = ctx.viewer
    if viewer is None or viewer.role is not Role.BRAND or viewer.user_id == photo.user_id:
        return False
    licensed: bool = await ctx.loaders.licensed_photo.load((viewer.user_id, photo.id))
    return licensed


async def licensed_original_key(ctx: Context, row: License) -> str | None:
    """The storage key of the photo's original, for the license's brand while the license is in force."""
    is_brand = license_party(ctx.viewer, row.brand_id, row.photographer_id) is Party.BRAND
    if not is_brand or not rules.license_in_force(row.status, row.ends_at, utcnow()):
        return None
    photo = await ctx.loaders.photo.load(row.photo_id) if row.photo_id else None
    return photo.original_key if photo else None


LICENSED_FILE_TYPE = purchases.LICENSED_TYPE


async def licensed_file_url(ctx: Context, row: License, *, expires_in: timedelta) -> str | None:
    """The brand's licensed copy of a JPEG original: the very pixels, with the license (licensee, references,
    terms) written into its XMP and IPTC; made from the contract and the references, so the same bytes every time.
    None where ``licensed_original_key`` is (not the brand's, not in force) or the original is not a JPEG."""
    key = await licensed_original_key(ctx, row)
    photo = await ctx.loaders.photo.load(row.photo_id) if key and row.photo_id else None
    contract = await ctx.loaders.contract_by_license.load(row.id) if photo else None
    if photo is None or contract is None or photo.mime_type != LICENSED_FILE_TYPE:
        return None
    copy_key = queries.licensed_copy_key(row.id)
    # Made once: a paid license's contract and references no longer change, and reading the original for every
    # read of this field would let one query read every original it lists.
    if await ctx.services.storage.stat(copy_key) is None:
        await _make_licensed_copy(ctx, row, photo, contract, copy_key)
    return await ctx.services.storage.presign_download(
        copy_key,
        expires_in=expires_in,
        media_type=LICENSED_FILE_TYPE,
        filename=download_name(photo.title, LICENSED_FILE_TYPE, fallback="photo"),
    )


async def _make_licensed_copy(ctx: Context, row: License, photo: Photo, contract: Contract, copy_key: str) -> None:
    """The original (checked against its confirmed hash) with the license written into it, stored at
    ``copy_key``."""
    key = photo.original_key
    try:
        original = await ctx.services.storage.read(photo.original_key, max_bytes=photo.size_bytes)
    except ObjectTooLarge:
        original = b""  # grown since it was confirmed: not the file confirmed
    if photo.original_sha256 is not None and hashlib.sha256(original).hexdigest() != photo.original_sha256:
        log.error("File integrity alert: %s is not the confirmed original any more; license %s", key, row.id)
        raise DomainError(ErrorCode.FILE_INTEGRITY_FAILED, WITHHELD)
    snapshot = contract.snapshot
    notice = LicenseFileNotice(
        license_id=row.id,
        licensee=license_rules.party_name(snapshot["brand"]),
        licensor=license_rules.party_name(snapshot["photographer"]),
        terms=license_rules.terms_from_snapshot(snapshot["terms"]),
        references=license_queries.references_of(row),
        agreed_at=snapshot["acceptedAt"],
    )
    await purchases.store_licensed_copy(ctx, original, notice, copy_key, f"License {row.id}")
