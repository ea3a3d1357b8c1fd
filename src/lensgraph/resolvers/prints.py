"""The print store, the studio's side: its print products, its orders and their production, and what the checkout
of an order settles (paid, refunded). The client's side (ordering, paying, cancelling) is ``resolvers.print_orders``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from lensgraph.config import Settings
from lensgraph.domain import payments as payment_rules
from lensgraph.domain import prints as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import PrintOrderPaid
from lensgraph.domain.money import Money
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.payments import PaymentStatus
from lensgraph.domain.policies import owns
from lensgraph.domain.prints import PrintOrderStatus
from lensgraph.persistence import payments as payment_queries
from lensgraph.persistence import prints as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import UnitOfWork
from lensgraph.persistence.models import PrintOrder, PrintOrderItem, PrintProduct
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers import checkout
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.galleries import require_gallery_keeper

log = logging.getLogger(__name__)

NO_SUCH_PRODUCT = "No such print product of yours."
NO_SUCH_ORDER = "No such print order of yours."


# Products -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductChanges:
    """What the studio sets on a product; None leaves a field as it is."""

    name: str | None = None
    size: str | None = None
    price: Money | None = None
    active: bool | None = None


def product_of(row: PrintProduct) -> rules.Product:
    return rules.Product(row.id, row.studio_id, row.name, row.size, Money(row.price_amount, row.currency), row.active)


def _apply(row: PrintProduct, changes: ProductChanges) -> None:
    if changes.name is not None:
        row.name = rules.clean_product_name(changes.name)
    if changes.size is not None:
        row.size = rules.clean_size(changes.size)
    if changes.price is not None:
        rules.check_price(changes.price)
        row.price_amount, row.currency = changes.price.amount, changes.price.currency
    if changes.active is not None:
        row.active = changes.active


async def create_product(ctx: Context, changes: ProductChanges) -> PrintProduct:
    """A print the studio's galleries offer (those with their print store on) while it is active."""
    viewer = require_gallery_keeper(ctx)
    if changes.name is None or changes.size is None or changes.price is None:
        raise DomainError(ErrorCode.INVALID_INPUT, "A print product has a name, a size and a price.", ["name"])
    row = PrintProduct(studio_id=viewer.user_id, active=True if changes.active is None else changes.active)
    _apply(row, changes)
    async with ctx.db.unit_of_work() as uow:
        uow.session.add(row)
    return row


async def _own_product(ctx: Context, uow: UnitOfWork, product_id: UUID) -> PrintProduct:
    viewer = require_gallery_keeper(ctx)
    await queries.hold_product(uow.session, product_id)
    row = await uow.session.get(PrintProduct, product_id)
    if row is None or not owns(viewer, row.studio_id):
        raise DomainError(ErrorCode.NOT_FOUND, NO_SUCH_PRODUCT, ["id"])
    return row


async def update_product(ctx: Context, product_id: UUID, version: int | None, changes: ProductChanges) -> PrintProduct:
    """Orders placed already keep the name, size and price they were placed with."""
    async with ctx.db.unit_of_work() as uow:
        row = await _own_product(ctx, uow, product_id)
        if version is not None and version != row.version:
            raise DomainError(
                ErrorCode.CONFLICT, "This product changed since you loaded it: load it again and retry.", ["version"]
            )
        _apply(row, changes)
    return row


async def delete_product(ctx: Context, product_id: UUID) -> PrintProduct | None:
    """Deletes a product never ordered (answers None); one ordered already is deactivated instead (answered), as
    its orders name it. (An order's lines keep a copy of the product either way.)"""
    async with ctx.db.unit_of_work() as uow:
        row = await _own_product(ctx, uow, product_id)
        if await queries.product_ordered(uow.session, row.id):
            row.active = False
            return row
        await uow.session.delete(row)
    return None


async def list_products(ctx: Context, page: PageRequest) -> Page[PrintProduct]:
    viewer = require_gallery_keeper(ctx)
    keys = [PrintProduct.created_at, PrintProduct.id]
    return await paginate(ctx.reads, queries.products_of(viewer.user_id), keys, page, descending=False)


async def product_by_id(ctx: Context, product_id: UUID) -> PrintProduct | None:
    """The studio's own product; anyone else's is null (clients see products through the gallery)."""
    row = await ctx.loaders.print_product.load(product_id)
    return row if row is not None and owns(ctx.viewer, row.studio_id) else None


# Orders, the studio's side ------------------------------------------------------------------------


async def list_orders(ctx: Context, status: PrintOrderStatus | None, page: PageRequest) -> Page[PrintOrder]:
    viewer = require_gallery_keeper(ctx)
    keys = [PrintOrder.created_at, PrintOrder.id]
    return await paginate(ctx.reads, queries.orders_of(viewer.user_id, status), keys, page, descending=True)


async def order_by_id(ctx: Context, order_id: UUID) -> PrintOrder | None:
    """The studio's own order; anyone else's is null (clients see theirs through the gallery)."""
    row = await ctx.loaders.print_order.load(order_id)
    return row if row is not None and owns(ctx.viewer, row.studio_id) else None


async def items_of(ctx: Context, order: PrintOrder) -> Sequence[PrintOrderItem]:
    items: list[PrintOrderItem] = await ctx.loaders.print_order_items.load(order.id)
    return items


async def update_status(
    ctx: Context, order_id: UUID, target: PrintOrderStatus, version: int | None, tracking_number: str | None
) -> PrintOrder:
    """The studio moves a paid order into production, then ships it (with its tracking number), or cancels one
    still PENDING; every other move is INVALID_TRANSITION, a stale ``version`` CONFLICT."""
    viewer = require_gallery_keeper(ctx)
    async with ctx.db.unit_of_work() as uow:
        # Held first: the checkout's events and the client's cancel wait, and a second move reads this one's result.
        await queries.hold_order(uow.session, order_id)
        row = await uow.session.get(PrintOrder, order_id)
        if row is None or not owns(viewer, row.studio_id):
            raise DomainError(ErrorCode.NOT_FOUND, NO_SUCH_ORDER, ["id"])
        if version is not None and version != row.version:
            raise DomainError(
                ErrorCode.CONFLICT, "This order changed since you loaded it: load it again and retry.", ["version"]
            )
        tracking = rules.move_by_studio(row.status, target, tracking_number)
        if target is PrintOrderStatus.CANCELLED:
            await cancel_held(uow, row)
        else:
            row.status = target
            if tracking is not None:
                row.tracking_number = tracking
    return row


async def cancel_held(uow: UnitOfWork, order: PrintOrder) -> None:
    """Cancels a PENDING order the caller holds, and closes its open checkout: a payment arriving after is refused
    (and logged for a refund), never applied."""
    rules.check_cancellable(order.status)
    pending = await queries.pending_payment(uow.session, order.id)
    if pending is not None:
        pending.status = payment_rules.move_payment(pending.status, PaymentStatus.FAILED)
    order.status = PrintOrderStatus.CANCELLED


# What the checkout settles ------------------------------------------------------------------------


async def order_paid(uow: UnitOfWork, session: dict[str, Any], settings: Settings) -> bool:
    """Payment SUCCEEDED, order PAID, the studio's earning (as a photographer's for a license), print_order.paid:
    all or nothing, once. The order is held by the caller (``hold_order_of_checkout``)."""
    payment = await payment_queries.payment_for_checkout(uow.session, session["id"])
    if payment is None or payment.print_order_id is None:
        return False
    order = await uow.session.get(PrintOrder, payment.print_order_id)
    assert order is not None  # payments cascade with their order
    try:
        status = rules.pay(order.status)
        checkout.settle(uow, payment, session, order.studio_id, settings.platform_fee_percent)
    except DomainError as refused:
        checkout.log_unsettled(session, payment, refused)
        return False
    order.status, order.paid_at = status, payment.paid_at or utcnow()
    uow.emit(
        PrintOrderPaid(
            print_order_id=order.id,
            gallery_id=order.gallery_id,
            amount=order.total_amount,
            currency=order.currency.value,
            audience=(order.studio_id,),
        )
    )
    return True


async def order_refunded(uow: UnitOfWork, charge: dict[str, Any], intent: str) -> bool:
    """A refund, in full or in part: the amount recorded, the studio's share given back (off the earning, or clawed
    back from the next payout); refunded in full, the order is REFUNDED. Held by the caller
    (``hold_order_of_intent``)."""
    payment = await payment_queries.payment_for_intent(uow.session, intent)
    if payment is None or payment.print_order_id is None:
        return False
    order = await uow.session.get(PrintOrder, payment.print_order_id)
    assert order is not None  # payments cascade with their order
    refund = await checkout.apply_refund(uow, payment, charge, f"print order {order.id}")
    if refund is None:
        return False
    order.status = rules.refund(order.status, full=refund.status is PaymentStatus.REFUNDED)
    return True
