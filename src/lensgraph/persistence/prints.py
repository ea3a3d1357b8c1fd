"""Queries of the print store: products, orders, their lines, and holding an order for its checkout's events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.payments import PaymentStatus
from lensgraph.domain.photos import PhotoStatus
from lensgraph.domain.prints import PrintOrderStatus
from lensgraph.persistence.base import take_write_lock
from lensgraph.persistence.models import GalleryPhoto, Payment, Photo, PrintOrder, PrintOrderItem, PrintProduct


def products_of(studio_id: UUID, *, active_only: bool = False) -> Select[PrintProduct]:
    query = select(PrintProduct).where(PrintProduct.studio_id == studio_id)
    return query.where(PrintProduct.active.is_(True)) if active_only else query


async def active_products(session: AsyncSession, studio_id: UUID) -> list[PrintProduct]:
    """What a studio's galleries offer, in the order it created them."""
    query = products_of(studio_id, active_only=True).order_by(PrintProduct.created_at, PrintProduct.id)
    return list(await session.scalars(query))


async def products_by_id(session: AsyncSession, product_ids: Sequence[UUID]) -> list[PrintProduct]:
    return list(await session.scalars(select(PrintProduct).where(PrintProduct.id.in_(product_ids))))


async def product_ordered(session: AsyncSession, product_id: UUID) -> bool:
    return bool(await session.scalar(select(exists().where(PrintOrderItem.product_id == product_id))))


async def hold_product(session: AsyncSession, product_id: UUID) -> bool:
    """Serialises the changes of a product with the orders placed of it (see ``take_write_lock``)."""
    return await take_write_lock(session, PrintProduct, PrintProduct.id == product_id) > 0


async def hold_products(session: AsyncSession, product_ids: Sequence[UUID]) -> None:
    """``hold_product`` for an order's products, before they are read: a change or deletion of one waits for the
    order, or the order reads what it left."""
    await take_write_lock(session, PrintProduct, PrintProduct.id.in_(sorted(set(product_ids))))


async def ready_photos_in(session: AsyncSession, gallery_id: UUID, photo_ids: Sequence[UUID]) -> frozenset[UUID]:
    """Which of these photos the gallery's clients see (in the gallery, READY)."""
    rows = await session.scalars(
        select(GalleryPhoto.photo_id)
        .join(Photo, Photo.id == GalleryPhoto.photo_id)
        .where(
            GalleryPhoto.gallery_id == gallery_id,
            GalleryPhoto.photo_id.in_(photo_ids),
            Photo.status == PhotoStatus.READY,
        )
    )
    return frozenset(rows)


def orders_of(studio_id: UUID, status: PrintOrderStatus | None) -> Select[PrintOrder]:
    query = select(PrintOrder).where(PrintOrder.studio_id == studio_id)
    return query.where(PrintOrder.status == status) if status is not None else query


def visitor_orders(gallery_id: UUID, visitor: str) -> Select[PrintOrder]:
    return select(PrintOrder).where(PrintOrder.gallery_id == gallery_id, PrintOrder.visitor == visitor)


async def hold_order(session: AsyncSession, order_id: UUID) -> bool:
    """Serialises what changes an order: the studio's moves, a cancel, its checkout's events."""
    return await take_write_lock(session, PrintOrder, PrintOrder.id == order_id) > 0


async def hold_order_of_checkout(session: AsyncSession, checkout_session_id: str) -> bool:
    """Holds the order a checkout pays for, before its payment is read (as ``hold_license_of_checkout``)."""
    return await _hold_order_paid_by(session, Payment.stripe_checkout_session_id == checkout_session_id)


async def hold_order_of_intent(session: AsyncSession, payment_intent_id: str) -> bool:
    """Holds the order a payment intent paid for; False when it paid no print order."""
    return await _hold_order_paid_by(session, Payment.stripe_payment_intent_id == payment_intent_id)


async def _hold_order_paid_by(session: AsyncSession, paid_by: ColumnElement[bool]) -> bool:
    order_key = select(Payment.print_order_id).where(paid_by).limit(1).scalar_subquery()
    return await take_write_lock(session, PrintOrder, PrintOrder.id == order_key) > 0


async def pending_payment(session: AsyncSession, order_id: UUID) -> Payment | None:
    query = select(Payment).where(Payment.print_order_id == order_id, Payment.status == PaymentStatus.PENDING)
    return await session.scalar(query)


async def items_of_orders(session: AsyncSession, order_ids: Sequence[UUID]) -> list[list[PrintOrderItem]]:
    """Per order, its lines in order: one statement for all of them."""
    rows = await session.scalars(
        select(PrintOrderItem)
        .where(PrintOrderItem.order_id.in_(order_ids))
        .order_by(PrintOrderItem.order_id, PrintOrderItem.position)
    )
    by_order: dict[UUID, list[PrintOrderItem]] = defaultdict(list)
    for row in rows:
        by_order[row.order_id].append(row)
    return [by_order.get(order_id, []) for order_id in order_ids]
