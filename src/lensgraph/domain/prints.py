"""Print store rules: a studio's print products, a gallery client's order of prints, its totals and its life.

An order is priced here from the products as they are when it is placed (the order keeps those prices), in minor
units of one currency; it moves PENDING -> PAID (its checkout paid) -> IN_PRODUCTION -> SHIPPED, or is CANCELLED
while PENDING; a full refund of a paid order makes it REFUNDED.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from uuid import UUID

import pycountry

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.money import Currency, Money

MAX_NAME = 100
MAX_SIZE = 50
MAX_QUANTITY = 100
MAX_LINES = 50
MAX_TRACKING = 100
MAX_ADDRESS_LINE = 200
MAX_POSTAL_CODE = 20
# Far above any print, far below what a BIGINT sum of MAX_LINES * MAX_QUANTITY lines could overflow.
MAX_PRICE = 100_000_000


class PrintOrderStatus(Enum):
    PENDING = "PENDING"
    PAID = "PAID"
    IN_PRODUCTION = "IN_PRODUCTION"
    SHIPPED = "SHIPPED"
    CANCELLED = "CANCELLED"
    REFUNDED = "REFUNDED"


# What the studio may move an order to, by hand. PAID is Stripe's word alone; REFUNDED follows a refund.
STUDIO_MOVES: Mapping[PrintOrderStatus, frozenset[PrintOrderStatus]] = {
    PrintOrderStatus.PENDING: frozenset({PrintOrderStatus.CANCELLED}),
    PrintOrderStatus.PAID: frozenset({PrintOrderStatus.IN_PRODUCTION}),
    PrintOrderStatus.IN_PRODUCTION: frozenset({PrintOrderStatus.SHIPPED}),
}
PAID_STATES = frozenset({PrintOrderStatus.PAID, PrintOrderStatus.IN_PRODUCTION, PrintOrderStatus.SHIPPED})


def _clean(value: str, longest: int, field: Sequence[str], what: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned or len(cleaned) > longest:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Give {what} of 1 to {longest} characters.", field)
    return cleaned


def clean_product_name(name: str) -> str:
    return _clean(name, MAX_NAME, ["name"], "a name")


def clean_size(size: str) -> str:
    """What the client reads ("20x30 cm", "A3"): free text, the studio's own words."""
    return _clean(size, MAX_SIZE, ["size"], "a size")


def check_price(price: Money) -> None:
    if not 0 < price.amount <= MAX_PRICE:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"A print costs more than 0 and at most {MAX_PRICE} minor units.", ["price"]
        )


@dataclass(frozen=True)
class ShippingAddress:
    name: str
    line1: str
    line2: str | None
    city: str
    postal_code: str
    region: str | None
    country: str


def clean_address(given: ShippingAddress) -> ShippingAddress:
    """Trimmed, required parts present, the country an ISO 3166-1 alpha-2 code (upper case)."""
    field = "shippingAddress"
    country = given.country.strip().upper()
    if len(country) != 2 or pycountry.countries.get(alpha_2=country) is None:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"{given.country!r} is not an ISO 3166 country code.", [field, "country"]
        )
    line2 = " ".join((given.line2 or "").split()) or None
    region = " ".join((given.region or "").split()) or None
    if line2 is not None and len(line2) > MAX_ADDRESS_LINE:
        raise DomainError(ErrorCode.INVALID_INPUT, "The second line is too long.", [field, "line2"])
    if region is not None and len(region) > MAX_NAME:
        raise DomainError(ErrorCode.INVALID_INPUT, "The region is too long.", [field, "region"])
    return ShippingAddress(
        name=_clean(given.name, MAX_NAME, [field, "name"], "the recipient's name"),
        line1=_clean(given.line1, MAX_ADDRESS_LINE, [field, "line1"], "the street address"),
        line2=line2,
        city=_clean(given.city, MAX_NAME, [field, "city"], "the city"),
        postal_code=_clean(given.postal_code, MAX_POSTAL_CODE, [field, "postalCode"], "the postal code"),
        region=region,
        country=country,
    )


@dataclass(frozen=True)
class OrderLine:
    """One line as the client asks for it."""

    photo_id: UUID
    product_id: UUID
    quantity: int


@dataclass(frozen=True)
class Product:
    """A print product as the order sees it."""

    id: UUID
    studio_id: UUID
    name: str
    size: str
    price: Money
    active: bool


@dataclass(frozen=True)
class PricedLine:
    photo_id: UUID
    product: Product
    quantity: int
    line_total: Money


@dataclass(frozen=True)
class PricedOrder:
    lines: tuple[PricedLine, ...]
    total: Money


def check_lines(lines: Sequence[OrderLine]) -> None:
    """The shape of an order before anything is read: 1 to MAX_LINES lines, each quantity 1 to MAX_QUANTITY."""
    if not lines:
        raise DomainError(ErrorCode.INVALID_INPUT, "An order has at least one print.", ["items"])
    if len(lines) > MAX_LINES:
        raise DomainError(ErrorCode.INVALID_INPUT, f"An order has at most {MAX_LINES} lines.", ["items"])
    for index, line in enumerate(lines):
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                f"A quantity is 1 to {MAX_QUANTITY}.",
                ["items", str(index), "quantity"],
            )


def price_order(
    studio_id: UUID, lines: Sequence[OrderLine], products: Mapping[UUID, Product], gallery_photos: frozenset[UUID]
) -> PricedOrder:
    """Each line's photo in the gallery, its product the studio's and active, one currency: the order's lines
    with their totals and the order's total, in minor units."""
    check_lines(lines)
    priced: list[PricedLine] = []
    currency: Currency | None = None
    for index, line in enumerate(lines):
        at = ["items", str(index)]
        if line.photo_id not in gallery_photos:
            raise DomainError(ErrorCode.NOT_FOUND, "This photo is not in the gallery.", [*at, "photoId"])
        product = products.get(line.product_id)
        if product is None or product.studio_id != studio_id or not product.active:
            raise DomainError(ErrorCode.NOT_FOUND, "This gallery offers no such print.", [*at, "productId"])
        if currency is not None and product.price.currency is not currency:
            raise DomainError(
                ErrorCode.INVALID_INPUT, "An order is paid in one currency: order these prints apart.", [*at]
            )
        currency = product.price.currency
        priced.append(
            PricedLine(line.photo_id, product, line.quantity, Money(product.price.amount * line.quantity, currency))
        )
    assert currency is not None  # check_lines refused an empty order
    return PricedOrder(tuple(priced), Money(sum(line.line_total.amount for line in priced), currency))


def move_by_studio(current: PrintOrderStatus, target: PrintOrderStatus, tracking_number: str | None) -> str | None:
    """Checks the studio's move and answers the tracking number to keep: one is required to ship, and only then."""
    if target not in STUDIO_MOVES.get(current, frozenset()):
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            f"A {current.value} order cannot become {target.value}.",
            ["status"],
        )
    if target is PrintOrderStatus.SHIPPED:
        return _clean(tracking_number or "", MAX_TRACKING, ["trackingNumber"], "the tracking number")
    if tracking_number is not None:
        raise DomainError(ErrorCode.INVALID_INPUT, "A tracking number goes with SHIPPED only.", ["trackingNumber"])
    return None


def check_cancellable(current: PrintOrderStatus) -> None:
    if current is not PrintOrderStatus.PENDING:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION, f"Only a PENDING order can be cancelled; this one is {current.value}.", ["id"]
        )


def pay(current: PrintOrderStatus) -> PrintOrderStatus:
    """Its checkout was paid: PENDING becomes PAID, once; anything else is refused (a cancelled order's late payment
    is the operator's to refund)."""
    if current is not PrintOrderStatus.PENDING:
        raise DomainError(ErrorCode.INVALID_TRANSITION, f"A {current.value} order cannot be paid.")
    return PrintOrderStatus.PAID


def refund(current: PrintOrderStatus, full: bool) -> PrintOrderStatus:
    """A full refund of a paid order makes it REFUNDED; a partial one leaves it where it is."""
    return PrintOrderStatus.REFUNDED if full and current in PAID_STATES else current
