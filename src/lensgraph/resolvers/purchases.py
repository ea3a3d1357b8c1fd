"""Buying a listing: its Stripe checkout (``resolvers.checkout``, as a license's), what the payment completes, and
the buyer's download of the original with the license written into it."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from lensgraph.adapters import license_metadata
from lensgraph.adapters.payments import PaidItem
from lensgraph.adapters.storage import ObjectTooLarge
from lensgraph.config import Settings
from lensgraph.domain import marketplace as rules
from lensgraph.domain import payments as payment_rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import ListingSold
from lensgraph.domain.files import download_name
from lensgraph.domain.marketplace import LicenseNotice, LicenseTier, PurchaseStatus
from lensgraph.domain.money import Money
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.payments import PaymentStatus
from lensgraph.domain.policies import owns
from lensgraph.persistence import marketplace as queries
from lensgraph.persistence import payments as payment_queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import ConstraintViolation, UnitOfWork
from lensgraph.persistence.models import Listing, Payment, Purchase, User, Verification
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers import checkout
from lensgraph.resolvers.checkout import Checkout
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.marketplace import can_see_listing
from lensgraph.resolvers.uploads import WITHHELD, verified_digest

log = logging.getLogger(__name__)

# Long enough to start the download, short enough that a forwarded link is soon useless.
DOWNLOAD_URL_LIFETIME = timedelta(minutes=10)
LICENSED_TYPE = "image/jpeg"
MAX_RETURN_URL = 2000


@dataclass(frozen=True)
class Bought:
    purchase: Purchase
    checkout: Checkout


def return_url(value: str | None, field: str) -> str | None:
    """Where Stripe sends the buyer back: an absolute http(s) URL, or the server's own page when none is given."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(value) > MAX_RETURN_URL:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"Give an absolute http(s) URL of at most {MAX_RETURN_URL} characters.", [field]
        )
    return value


async def purchase_listing(
    ctx: Context, listing_id: UUID, tier: LicenseTier, success_url: str | None, cancel_url: str | None
) -> Bought:
    """Opens the checkout of one tier of a listing, or hands out the buyer's checkout still open for it."""
    urls = return_url(success_url, "successUrl"), return_url(cancel_url, "cancelUrl")
    try:
        return await _purchase(ctx, listing_id, tier, *urls)
    except ConstraintViolation:
        # A concurrent call opened this buyer's checkout of the tier first (one open purchase each): answer with it.
        return await _purchase(ctx, listing_id, tier, *urls)


async def _purchase(
    ctx: Context, listing_id: UUID, tier: LicenseTier, success_url: str | None, cancel_url: str | None
) -> Bought:
    viewer = ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        # Held for the whole call, Stripe's included: an update of the listing waits, and of two clicks at once the
        # second finds the first one's checkout.
        await queries.hold_listing(uow.session, listing_id)
        row = await uow.session.get(Listing, listing_id)
        if row is None or not can_see_listing(ctx, row):
            raise DomainError(ErrorCode.NOT_FOUND, "No listing has this ID.", ["listingId"])
        [offers] = await queries.listing_tiers(uow.session, [row.id])
        offer = rules.offer_for(viewer.user_id, row.seller_id, row.active, offers, tier)
        assert offer.price is not None  # offer_for answers priced tiers only
        purchase = await queries.open_purchase(uow.session, row.id, viewer.user_id, tier)
        if purchase is not None and (purchase.amount, purchase.currency, purchase.terms) != (
            offer.price,
            row.currency,
            offer.terms,
        ):
            # Opened before the seller changed the tier: that checkout is closed, a new one has today's price.
            await _close(uow, purchase)
            purchase = None
        if purchase is not None:
            if open_one := checkout.reusable(await queries.pending_payment(uow.session, purchase.id)):
                return Bought(purchase, open_one)
        else:
            purchase = Purchase(
                id=ctx.new_id("purchase"),
                listing_id=row.id,
                buyer_id=viewer.user_id,
                seller_id=row.seller_id,
                tier=tier,
                amount=offer.price,
                currency=row.currency,
                terms=offer.terms,
                status=PurchaseStatus.PENDING,
            )
            uow.session.add(purchase)
        payment = Payment(
            id=ctx.new_id("payment"),
            purchase_id=purchase.id,
            brand_id=viewer.user_id,
            amount=purchase.amount,
            currency=purchase.currency,
            status=PaymentStatus.PENDING,
        )
        opened = await checkout.open_checkout(
            ctx,
            uow,
            payment,
            PaidItem("purchase", purchase.id),
            product=f"{tier.value.title()} license: {row.title}",
            field="listingId",
            success_url=success_url,
            cancel_url=cancel_url,
        )
    return Bought(purchase, opened)


async def _close(uow: UnitOfWork, purchase: Purchase) -> None:
    pending = await queries.pending_payment(uow.session, purchase.id)
    if pending is not None:
        pending.status = payment_rules.move_payment(pending.status, PaymentStatus.FAILED)
    purchase.status = PurchaseStatus.FAILED
    await uow.session.flush()


# What the payment completes -----------------------------------------------------------------------


async def purchase_paid(uow: UnitOfWork, session: dict[str, Any], settings: Settings) -> bool:
    """Payment SUCCEEDED, purchase COMPLETED with its download window, the seller's earning, the listing's totals,
    listing.sold: all or nothing. The purchase is held by the caller (``hold_purchase_of_checkout``)."""
    payment = await payment_queries.payment_for_checkout(uow.session, session["id"])
    if payment is None or payment.purchase_id is None:
        return False
    purchase = await uow.session.get(Purchase, payment.purchase_id)
    assert purchase is not None  # payments cascade with their purchase
    try:
        status = rules.complete(purchase.status)
        checkout.settle(uow, payment, session, purchase.seller_id, settings.platform_fee_percent)
    except DomainError as refused:
        checkout.log_unsettled(session, payment, refused)
        return False
    paid_at = payment.paid_at or utcnow()
    purchase.status, purchase.paid_at = status, paid_at
    purchase.download_expires_at = rules.download_expires_at(paid_at, settings.marketplace_download_days)
    await queries.add_sale(uow.session, purchase.listing_id, 1, purchase.amount)
    uow.emit(
        ListingSold(
            listing_id=purchase.listing_id,
            purchase_id=purchase.id,
            tier=purchase.tier.value,
            amount=purchase.amount,
            currency=purchase.currency.value,
            audience=(purchase.seller_id,),
        )
    )
    return True


async def purchase_refunded(uow: UnitOfWork, charge: dict[str, Any], intent: str) -> bool:
    """A refund of a purchase, in full or in part: the amount recorded, the seller's share given back (as a
    license's), the listing's totals lowered; refunded in full, the purchase is REFUNDED and its downloads end.
    The purchase is held by the caller (``hold_purchase_of_intent``)."""
    payment = await payment_queries.payment_for_intent(uow.session, intent)
    if payment is None or payment.purchase_id is None:
        return False
    purchase = await uow.session.get(Purchase, payment.purchase_id)
    assert purchase is not None  # payments cascade with their purchase
    refund = await checkout.apply_refund(uow, payment, charge, f"purchase {purchase.id}")
    if refund is None:
        return False
    full = refund.status is PaymentStatus.REFUNDED
    if full:
        purchase.status = PurchaseStatus.REFUNDED
    await queries.add_sale(uow.session, purchase.listing_id, -1 if full else 0, -refund.added)
    return True


async def purchase_unpaid(uow: UnitOfWork, purchase_id: UUID) -> None:
    """Its checkout closed unpaid: the purchase FAILED (the buyer buys again)."""
    purchase = await uow.session.get(Purchase, purchase_id)
    if purchase is not None and purchase.status is PurchaseStatus.PENDING:
        purchase.status = PurchaseStatus.FAILED


# The download -------------------------------------------------------------------------------------


async def download_url(ctx: Context, purchase_id: UUID) -> str:
    """A short-lived URL of the original with the license written into its metadata: the buyer's, once paid, for
    the download window. The licensed copy is made at the first download and checked against its hash after."""
    viewer = ctx.require_viewer()
    async with ctx.db.session() as session:
        purchase = await session.get(Purchase, purchase_id)
        if purchase is None or purchase.buyer_id != viewer.user_id:
            raise DomainError(ErrorCode.NOT_FOUND, "No purchase of yours has this ID.", ["purchaseId"])
        rules.check_downloadable(purchase.status, purchase.download_expires_at, utcnow())
        listing = await session.get(Listing, purchase.listing_id)
        assert listing is not None  # a listing with purchases is never deleted
    if purchase.licensed_key is None or purchase.licensed_sha256 is None:
        key = await _licensed_copy(ctx, purchase, listing)
    else:
        key = purchase.licensed_key
        await verified_digest(ctx, key, purchase.licensed_sha256)
    return await ctx.services.storage.presign_download(
        key,
        expires_in=DOWNLOAD_URL_LIFETIME,
        media_type=LICENSED_TYPE,
        filename=download_name(listing.title, LICENSED_TYPE, fallback="photo"),
    )


async def _licensed_copy(ctx: Context, purchase: Purchase, listing: Listing) -> str:
    """Writes the licensed copy into storage and records its key and hash. Made from the purchase's own facts, it
    is the same bytes however often it is made, so two first downloads at once agree."""
    async with ctx.db.session() as session:
        verification = await session.get(Verification, listing.verification_id)
        buyer = await session.get(User, purchase.buyer_id)
        seller = await session.get(User, purchase.seller_id)
    assert verification is not None and buyer is not None and seller is not None
    storage = ctx.services.storage
    try:
        original = await storage.read(verification.image_key, max_bytes=verification.image_size)
    except ObjectTooLarge:
        original = b""  # grown since it was verified: not the verified file
    if hashlib.sha256(original).hexdigest() != verification.image_sha256:
        log.error(
            "File integrity alert: %s is not the verified JPEG any more; purchase %s",
            verification.image_key,
            purchase.id,
        )
        raise DomainError(ErrorCode.FILE_INTEGRITY_FAILED, WITHHELD)
    notice = LicenseNotice(
        purchase_id=purchase.id,
        buyer=_name(buyer),
        seller=_name(seller),
        tier=purchase.tier,
        terms=purchase.terms,
        verification_code=verification.short_code,
        price=Money(purchase.amount, purchase.currency),
        licensed_at=purchase.paid_at or purchase.created_at,
    )
    key = f"purchases/{purchase.id}/licensed.jpg"
    licensed = await store_licensed_copy(ctx, original, notice, key, f"Purchase {purchase.id}")
    async with ctx.db.unit_of_work() as uow:
        await queries.record_licensed_copy(uow.session, purchase.id, key, hashlib.sha256(licensed).hexdigest())
    return key


async def store_licensed_copy(
    ctx: Context, original: bytes, notice: license_metadata.LicenseNotice, key: str, subject: str
) -> bytes:
    """Writes the license into the JPEG (off the event loop) and stores the copy at ``key``; answers its bytes.
    A file the license cannot be written into is INTERNAL, logged for support with ``subject``."""
    try:
        licensed = await asyncio.to_thread(license_metadata.write_license, original, notice)
    except license_metadata.LicenseNotWritten as error:
        log.error("%s: the license cannot be written into its file (%s)", subject, error)
        raise DomainError(ErrorCode.INTERNAL, "The licensed file cannot be made: support has been told.") from error
    await ctx.services.storage.write(key, licensed, content_type=LICENSED_TYPE)
    return licensed


def _name(user: User) -> str:
    full = f"{user.first_name} {user.last_name}".strip()
    return f"{full} (@{user.username})" if full else f"@{user.username}"


# Lists --------------------------------------------------------------------------------------------


async def list_purchases(ctx: Context, page: PageRequest) -> Page[Purchase]:
    viewer = ctx.require_viewer()
    return await paginate(
        ctx.reads, queries.purchases_of(viewer.user_id), [Purchase.created_at, Purchase.id], page, descending=True
    )


async def list_sales(ctx: Context, page: PageRequest) -> Page[Purchase]:
    viewer = ctx.require_viewer()
    return await paginate(
        ctx.reads, queries.sales_of(viewer.user_id), [Purchase.created_at, Purchase.id], page, descending=True
    )


def can_see_purchase(ctx: Context, row: Purchase) -> bool:
    """Its buyer and its seller."""
    return owns(ctx.viewer, row.buyer_id) or owns(ctx.viewer, row.seller_id)
