"""The print store, the client's side: a gallery's prints on offer, ordering prints of its photos and paying for
them through the checkout every payment takes (``resolvers.checkout``), cancelling an unpaid order, following one.
Everything here needs the gallery access token (``X-Gallery-Token``) of the gallery ordered from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from lensgraph.adapters.payments import PaidItem
from lensgraph.domain import galleries as gallery_rules
from lensgraph.domain import prints as rules
from lensgraph.domain.errors import DomainError, ErrorCode, unauthenticated
from lensgraph.domain.galleries import GalleryStatus
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.payments import PaymentStatus
from lensgraph.domain.policies import owns
from lensgraph.domain.prints import OrderLine, PrintOrderStatus, ShippingAddress
from lensgraph.persistence import prints as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import ConstraintViolation, UnitOfWork
from lensgraph.persistence.models import Gallery, Payment, PrintOrder, PrintOrderItem, PrintProduct
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers import checkout, gallery_access, prints
from lensgraph.resolvers.checkout import Checkout
from lensgraph.resolvers.context import Context

NO_SUCH_GALLERY = "No gallery has this address."
NO_SUCH_ORDER = "No such order of yours in this gallery."


@dataclass(frozen=True)
class Ordered:
    order: PrintOrder
    checkout: Checkout


async def _client_gallery(ctx: Context, slug: str) -> tuple[Gallery, str]:
    """The ACTIVE, unexpired gallery and the client its access token names (required)."""
    gallery = await gallery_access.by_slug(ctx, slug)
    if gallery is None or gallery.status is GalleryStatus.ARCHIVED:
        raise DomainError(ErrorCode.NOT_FOUND, NO_SUCH_GALLERY, ["gallerySlug"])
    gallery_rules.check_open_to_clients(gallery.expires_at, utcnow(), "gallerySlug")
    visitor = gallery_access.token_visitor(ctx, gallery)
    if visitor is None:
        raise unauthenticated(
            f"Unlock the gallery and send its access token in the {gallery_access.TOKEN_HEADER} header."
        )
    return gallery, visitor


async def offered_products(ctx: Context, gallery: Gallery) -> list[PrintProduct] | None:
    """The studio's active products when the gallery's print store is on (none when it is off); None while the
    gallery is locked to this client."""
    # Checked first: a token of another gallery is refused even on an open gallery.
    visitor = gallery_access.token_visitor(ctx, gallery)
    locked = visitor is None and gallery_access.is_protected(gallery)
    if locked and not owns(ctx.viewer, gallery.user_id):
        return None
    if not gallery.print_store:
        return []
    async with ctx.db.session() as session:
        return await queries.active_products(session, gallery.user_id)


async def place_order(
    ctx: Context, slug: str, lines: Sequence[OrderLine], address: ShippingAddress, email: str
) -> Ordered:
    """A PENDING order priced from today's products, and the checkout that pays it: all written, or nothing."""
    gallery, visitor = await _client_gallery(ctx, slug)
    if not gallery.print_store:
        raise DomainError(ErrorCode.INVALID_INPUT, "This gallery does not sell prints.", ["gallerySlug"])
    try:
        contact = gallery_rules.clean_client_email(email)
    except DomainError as refused:
        raise DomainError(refused.code, refused.message, ["email"]) from None
    if contact is None:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give your email address.", ["email"])
    shipping = rules.clean_address(address)
    rules.check_lines(lines)
    try:
        async with ctx.db.unit_of_work() as uow:
            await queries.hold_products(uow.session, [line.product_id for line in lines])
            photos = await queries.ready_photos_in(uow.session, gallery.id, [line.photo_id for line in lines])
            found = await queries.products_by_id(uow.session, [line.product_id for line in lines])
            products = {row.id: prints.product_of(row) for row in found}
            priced = rules.price_order(gallery.user_id, lines, products, photos)
            order = PrintOrder(
                id=ctx.new_id("print-order"),
                gallery_id=gallery.id,
                studio_id=gallery.user_id,
                visitor=visitor,
                email=contact,
                ship_name=shipping.name,
                ship_line1=shipping.line1,
                ship_line2=shipping.line2,
                ship_city=shipping.city,
                ship_postal_code=shipping.postal_code,
                ship_region=shipping.region,
                ship_country=shipping.country,
                total_amount=priced.total.amount,
                currency=priced.total.currency,
                status=PrintOrderStatus.PENDING,
            )
            uow.session.add(order)
            uow.session.add_all(
                PrintOrderItem(
                    order_id=order.id,
                    position=position,
                    photo_id=line.photo_id,
                    product_id=line.product.id,
                    product_name=line.product.name,
                    product_size=line.product.size,
                    quantity=line.quantity,
                    unit_amount=line.product.price.amount,
                    line_amount=line.line_total.amount,
                )
                for position, line in enumerate(priced.lines)
            )
            opened = await _open_checkout(ctx, uow, order, gallery)
    except ConstraintViolation:
        # The gallery was deleted while the order was written.
        raise DomainError(ErrorCode.NOT_FOUND, NO_SUCH_GALLERY, ["gallerySlug"]) from None
    return Ordered(order, opened)


async def _open_checkout(ctx: Context, uow: UnitOfWork, order: PrintOrder, gallery: Gallery) -> Checkout:
    payment = Payment(
        id=ctx.new_id("payment"),
        print_order_id=order.id,
        brand_id=None,
        amount=order.total_amount,
        currency=order.currency,
        status=PaymentStatus.PENDING,
    )
    return await checkout.open_checkout(
        ctx, uow, payment, PaidItem("print_order", order.id), product=f"Prints: {gallery.title}", field="items"
    )


async def _held_order(ctx: Context, uow: UnitOfWork, slug: str, order_id: UUID) -> tuple[PrintOrder, Gallery]:
    gallery, visitor = await _client_gallery(ctx, slug)
    await queries.hold_order(uow.session, order_id)
    order = await uow.session.get(PrintOrder, order_id)
    if order is None or order.gallery_id != gallery.id or order.visitor != visitor:
        raise DomainError(ErrorCode.NOT_FOUND, NO_SUCH_ORDER, ["id"])
    return order, gallery


async def pay_order(ctx: Context, slug: str, order_id: UUID) -> Ordered:
    """The checkout of a PENDING order again: the open one, or a new one when it lapsed unpaid."""
    try:
        return await _pay_order(ctx, slug, order_id)
    except ConstraintViolation:
        # A concurrent call opened the order's checkout first (one open payment per order): answer with it.
        return await _pay_order(ctx, slug, order_id)


async def _pay_order(ctx: Context, slug: str, order_id: UUID) -> Ordered:
    async with ctx.db.unit_of_work() as uow:
        order, gallery = await _held_order(ctx, uow, slug, order_id)
        if order.status is not PrintOrderStatus.PENDING:
            raise DomainError(ErrorCode.INVALID_TRANSITION, f"This order is {order.status.value}, not unpaid.", ["id"])
        if open_one := checkout.reusable(await queries.pending_payment(uow.session, order.id)):
            return Ordered(order, open_one)
        return Ordered(order, await _open_checkout(ctx, uow, order, gallery))


async def cancel_order(ctx: Context, slug: str, order_id: UUID) -> PrintOrder:
    """The client cancels an order not paid yet; its checkout is closed."""
    async with ctx.db.unit_of_work() as uow:
        order, _ = await _held_order(ctx, uow, slug, order_id)
        await prints.cancel_held(uow, order)
    return order


async def client_orders(ctx: Context, gallery: Gallery, page: PageRequest) -> Page[PrintOrder] | None:
    """The orders this client placed in the gallery, newest first; None without the gallery's access token."""
    visitor = gallery_access.token_visitor(ctx, gallery)
    if visitor is None:
        return None
    keys = [PrintOrder.created_at, PrintOrder.id]
    return await paginate(ctx.reads, queries.visitor_orders(gallery.id, visitor), keys, page, descending=True)
