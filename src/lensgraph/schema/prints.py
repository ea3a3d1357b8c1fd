"""The print store: the studio's ``PrintProduct`` and ``PrintOrder`` (Nodes), the client's ``ClientPrintOrder``,
and their mutations."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import prints as rules
from lensgraph.domain.money import Money as DomainMoney
from lensgraph.domain.money import parse_currency
from lensgraph.domain.pagination import page_request
from lensgraph.persistence.loaders import referenced
from lensgraph.persistence.models import PrintOrder as PrintOrderRow
from lensgraph.persistence.models import PrintOrderItem as PrintOrderItemRow
from lensgraph.persistence.models import PrintProduct as PrintProductRow
from lensgraph.resolvers import print_orders, prints
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import (
    Connection,
    Money,
    MoneyInput,
    Node,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)
from lensgraph.schema.photos import Photo

if TYPE_CHECKING:
    from lensgraph.schema.galleries import Gallery

PrintOrderStatus = strawberry.enum(
    rules.PrintOrderStatus,
    description="PENDING until its checkout is paid; then PAID, IN_PRODUCTION, SHIPPED. CANCELLED while unpaid; "
    "REFUNDED once refunded in full.",
)


def _money(value: MoneyInput, field: str) -> DomainMoney:
    return DomainMoney(value.amount, parse_currency(value.currency, f"{field}.currency"))


@node_type
@strawberry.type(description="A print a studio sells in its galleries with the print store on, while active.")
class PrintProduct(Node):
    name: str
    size: str = strawberry.field(description="In the studio's words: 20x30 cm, A3...")
    price: Money
    active: bool
    version: int = strawberry.field(description="Send it back with updatePrintProduct: a stale one is a CONFLICT.")

    @classmethod
    def from_row(cls, row: PrintProductRow) -> PrintProduct:
        return cls(
            id=to_global_id("PrintProduct", row.id),
            name=row.name,
            size=row.size,
            price=Money.from_domain(DomainMoney(row.price_amount, row.currency)),
            active=row.active,
            version=row.version,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> PrintProduct | None:
        row = await prints.product_by_id(info.context, key)
        return cls.from_row(row) if row else None


@strawberry.type
class ShippingAddress:
    name: str
    line1: str
    line2: str | None
    city: str
    postal_code: str
    region: str | None
    country: str = strawberry.field(description="ISO 3166-1 alpha-2.")

    @classmethod
    def of(cls, row: PrintOrderRow) -> ShippingAddress:
        return cls(
            name=row.ship_name,
            line1=row.ship_line1,
            line2=row.ship_line2,
            city=row.ship_city,
            postal_code=row.ship_postal_code,
            region=row.ship_region,
            country=row.ship_country,
        )


@strawberry.type(description="One line of a print order, with the product as it was when the order was placed.")
class PrintOrderItem:
    _row: strawberry.Private[PrintOrderItemRow]
    _studio: strawberry.Private[bool]
    photo_id: strawberry.ID | None = strawberry.field(description="Null once the photo was deleted.")
    product_id: strawberry.ID | None = strawberry.field(description="Null once the product was deleted.")
    product_name: str
    product_size: str
    quantity: int
    unit_price: Money
    line_total: Money

    @classmethod
    def of(cls, row: PrintOrderItemRow, order: PrintOrderRow, studio: bool) -> PrintOrderItem:
        return cls(
            _row=row,
            _studio=studio,
            photo_id=to_global_id("Photo", row.photo_id) if row.photo_id else None,
            product_id=to_global_id("PrintProduct", row.product_id) if row.product_id else None,
            product_name=row.product_name,
            product_size=row.product_size,
            quantity=row.quantity,
            unit_price=Money.from_domain(DomainMoney(row.unit_amount, order.currency)),
            line_total=Money.from_domain(DomainMoney(row.line_amount, order.currency)),
        )

    @strawberry.field(description="The studio's photo; null to the client (it has the gallery's renditions).")
    async def photo(self, info: Info[Context, None]) -> Photo | None:
        if not self._studio or self._row.photo_id is None:
            return None
        row = await info.context.loaders.photo.load(self._row.photo_id)
        return Photo.from_row(row) if row else None


async def _items(info: Info[Context, None], row: PrintOrderRow, studio: bool) -> list[PrintOrderItem]:
    return [PrintOrderItem.of(item, row, studio) for item in await prints.items_of(info.context, row)]


@node_type
@strawberry.type(description="A gallery client's order of prints, as the studio sees it. Seen by that studio alone.")
class PrintOrder(Node):
    _row: strawberry.Private[PrintOrderRow]
    status: PrintOrderStatus  # type: ignore[valid-type]
    total: Money
    email: str
    shipping_address: ShippingAddress
    tracking_number: str | None
    paid_at: datetime | None
    created_at: datetime
    version: int = strawberry.field(description="Send it back with updatePrintOrderStatus: a stale one is CONFLICT.")

    @classmethod
    def from_row(cls, row: PrintOrderRow) -> PrintOrder:
        return cls(
            _row=row,
            id=to_global_id("PrintOrder", row.id),
            status=row.status,
            total=Money.from_domain(DomainMoney(row.total_amount, row.currency)),
            email=row.email,
            shipping_address=ShippingAddress.of(row),
            tracking_number=row.tracking_number,
            paid_at=row.paid_at,
            created_at=row.created_at,
            version=row.version,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> PrintOrder | None:
        row = await prints.order_by_id(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field
    async def items(self, info: Info[Context, None]) -> list[PrintOrderItem]:
        return await _items(info, self._row, studio=True)

    @strawberry.field
    async def gallery(
        self, info: Info[Context, None]
    ) -> Annotated[Gallery, strawberry.lazy("lensgraph.schema.galleries")]:
        from lensgraph.schema.galleries import Gallery

        return Gallery.from_row(await referenced(info.context.loaders.gallery, self._row.gallery_id))


@strawberry.type(description="An order as the client who placed it follows it in the gallery.")
class ClientPrintOrder:
    _row: strawberry.Private[PrintOrderRow]
    id: strawberry.ID
    status: PrintOrderStatus  # type: ignore[valid-type]
    total: Money
    shipping_address: ShippingAddress
    tracking_number: str | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: PrintOrderRow) -> ClientPrintOrder:
        return cls(
            _row=row,
            id=to_global_id("PrintOrder", row.id),
            status=row.status,
            total=Money.from_domain(DomainMoney(row.total_amount, row.currency)),
            shipping_address=ShippingAddress.of(row),
            tracking_number=row.tracking_number,
            created_at=row.created_at,
        )

    @strawberry.field
    async def items(self, info: Info[Context, None]) -> list[PrintOrderItem]:
        return await _items(info, self._row, studio=False)


@strawberry.input(description="Conditions an order must meet; leave a field out to not filter on it.")
class PrintOrderFilter:
    status: PrintOrderStatus | None = None  # type: ignore[valid-type]


@strawberry.type
class ViewerPrints:
    """Fields of ``Viewer`` about the print store."""

    @strawberry.field(description="Studios and photographers: your print products, oldest first.")
    async def print_products(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PrintProduct]:
        page = await prints.list_products(info.context, page_request(first, after, last, before))
        return Connection[PrintProduct].from_page(page, PrintProduct.from_row)

    @strawberry.field(description="Studios and photographers: your galleries' print orders, newest first.")
    async def print_orders(
        self,
        info: Info[Context, None],
        filter: PrintOrderFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PrintOrder]:
        status = filter.status if filter else None
        page = await prints.list_orders(info.context, status, page_request(first, after, last, before))
        return Connection[PrintOrder].from_page(page, PrintOrder.from_row)


# Inputs and payloads ---------------------------------------------------------------------------


@strawberry.input
class CreatePrintProductInput:
    name: str
    size: str
    price: MoneyInput
    active: bool = True


@strawberry.input(description="Change what is given; orders placed already keep what they were placed with.")
class UpdatePrintProductInput:
    id: strawberry.ID
    version: int | None = strawberry.field(default=None, description="The version you read: a stale one is CONFLICT.")
    name: str | None = None
    size: str | None = None
    price: MoneyInput | None = None
    active: bool | None = None


@strawberry.type
class PrintProductPayload:
    print_product: PrintProduct | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeletePrintProductInput:
    id: strawberry.ID


@strawberry.type
class DeletePrintProductPayload:
    deleted_print_product_id: strawberry.ID | None = strawberry.field(
        default=None, description="Set when the product was deleted (it was never ordered)."
    )
    print_product: PrintProduct | None = strawberry.field(
        default=None, description="Set when it was ordered already: kept for its orders, and deactivated."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ShippingAddressInput:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str = strawberry.field(description="ISO 3166-1 alpha-2, e.g. FR.")
    line2: str | None = None
    region: str | None = None


@strawberry.input
class PrintOrderItemInput:
    photo_id: strawberry.ID = strawberry.field(description="A photo of the gallery.")
    product_id: strawberry.ID = strawberry.field(description="One of the gallery's printProducts.")
    quantity: int = 1


@strawberry.input(description="Send the gallery's access token in the X-Gallery-Token header.")
class PlacePrintOrderInput:
    gallery_slug: str
    items: list[PrintOrderItemInput]
    shipping_address: ShippingAddressInput
    email: str


@strawberry.type
class PlacePrintOrderPayload:
    print_order: ClientPrintOrder | None = None
    checkout_url: str | None = strawberry.field(default=None, description="Where the client pays the order.")
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Send the gallery's access token in the X-Gallery-Token header.")
class ClientPrintOrderInput:
    gallery_slug: str
    id: strawberry.ID


@strawberry.type
class ClientPrintOrderPayload:
    print_order: ClientPrintOrder | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class UpdatePrintOrderStatusInput:
    id: strawberry.ID
    status: PrintOrderStatus  # type: ignore[valid-type]
    version: int | None = strawberry.field(default=None, description="The version you read: a stale one is CONFLICT.")
    tracking_number: str | None = strawberry.field(default=None, description="Required with SHIPPED, only then.")


@strawberry.type
class PrintOrderPayload:
    print_order: PrintOrder | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _lines(items: list[PrintOrderItemInput]) -> list[rules.OrderLine]:
    return [
        rules.OrderLine(
            expect_global_id(item.photo_id, "Photo", f"items.{index}.photoId"),
            expect_global_id(item.product_id, "PrintProduct", f"items.{index}.productId"),
            item.quantity,
        )
        for index, item in enumerate(items)
    ]


@strawberry.type
class PrintMutations:
    @strawberry.mutation(description="Studios and photographers: a print your galleries with the print store offer.")
    @returns_user_errors(PrintProductPayload)
    async def create_print_product(
        self, info: Info[Context, None], input: CreatePrintProductInput
    ) -> PrintProductPayload:
        changes = prints.ProductChanges(input.name, input.size, _money(input.price, "price"), input.active)
        return PrintProductPayload(
            print_product=PrintProduct.from_row(await prints.create_product(info.context, changes))
        )

    @strawberry.mutation(description="Change what is given; `active: false` stops offering it.")
    @returns_user_errors(PrintProductPayload)
    async def update_print_product(
        self, info: Info[Context, None], input: UpdatePrintProductInput
    ) -> PrintProductPayload:
        changes = prints.ProductChanges(
            input.name, input.size, _money(input.price, "price") if input.price else None, input.active
        )
        key = expect_global_id(input.id, "PrintProduct")
        row = await prints.update_product(info.context, key, input.version, changes)
        return PrintProductPayload(print_product=PrintProduct.from_row(row))

    @strawberry.mutation(description="Delete a product never ordered; one ordered already is deactivated instead.")
    @returns_user_errors(DeletePrintProductPayload)
    async def delete_print_product(
        self, info: Info[Context, None], input: DeletePrintProductInput
    ) -> DeletePrintProductPayload:
        kept = await prints.delete_product(info.context, expect_global_id(input.id, "PrintProduct"))
        if kept is not None:
            return DeletePrintProductPayload(print_product=PrintProduct.from_row(kept))
        return DeletePrintProductPayload(deleted_print_product_id=input.id)

    @strawberry.mutation(description="Gallery clients: order prints of the gallery's photos; pay at `checkoutUrl`.")
    @returns_user_errors(PlacePrintOrderPayload)
    async def place_print_order(self, info: Info[Context, None], input: PlacePrintOrderInput) -> PlacePrintOrderPayload:
        given = input.shipping_address
        address = rules.ShippingAddress(
            given.name, given.line1, given.line2, given.city, given.postal_code, given.region, given.country
        )
        ordered = await print_orders.place_order(
            info.context, input.gallery_slug, _lines(input.items), address, input.email
        )
        return PlacePrintOrderPayload(
            print_order=ClientPrintOrder.from_row(ordered.order), checkout_url=ordered.checkout.url
        )

    @strawberry.mutation(
        description="Gallery clients: the checkout of your unpaid order again (a new one if it lapsed)."
    )
    @returns_user_errors(PlacePrintOrderPayload)
    async def pay_print_order(self, info: Info[Context, None], input: ClientPrintOrderInput) -> PlacePrintOrderPayload:
        key = expect_global_id(input.id, "PrintOrder")
        ordered = await print_orders.pay_order(info.context, input.gallery_slug, key)
        return PlacePrintOrderPayload(
            print_order=ClientPrintOrder.from_row(ordered.order), checkout_url=ordered.checkout.url
        )

    @strawberry.mutation(description="Gallery clients: cancel your order while it is unpaid (PENDING).")
    @returns_user_errors(ClientPrintOrderPayload)
    async def cancel_print_order(
        self, info: Info[Context, None], input: ClientPrintOrderInput
    ) -> ClientPrintOrderPayload:
        key = expect_global_id(input.id, "PrintOrder")
        row = await print_orders.cancel_order(info.context, input.gallery_slug, key)
        return ClientPrintOrderPayload(print_order=ClientPrintOrder.from_row(row))

    @strawberry.mutation(
        description="Studios: PAID -> IN_PRODUCTION -> SHIPPED (with a tracking number), or cancel a PENDING order."
    )
    @returns_user_errors(PrintOrderPayload)
    async def update_print_order_status(
        self, info: Info[Context, None], input: UpdatePrintOrderStatusInput
    ) -> PrintOrderPayload:
        key = expect_global_id(input.id, "PrintOrder")
        row = await prints.update_status(info.context, key, input.status, input.version, input.tracking_number)
        return PrintOrderPayload(print_order=PrintOrder.from_row(row))
