"""Print store rules: pricing an order in minor units, its shape, the shipping address, every status move."""

from __future__ import annotations

from uuid import uuid4

import pytest

from lensgraph.domain import prints as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.money import Currency, Money
from lensgraph.domain.prints import OrderLine, PrintOrderStatus, Product, ShippingAddress

STUDIO = uuid4()
PHOTO, OTHER_PHOTO = uuid4(), uuid4()


def product(amount: int = 2500, currency: Currency = Currency.EUR, **fields: object) -> Product:
    values: dict[str, object] = {
        "id": uuid4(),
        "studio_id": STUDIO,
        "name": "Print",
        "size": "A4",
        "price": Money(amount, currency),
        "active": True,
        **fields,
    }
    return Product(**values)  # type: ignore[arg-type]


def refusal(call: object, *args: object) -> tuple[ErrorCode, list[str] | None]:
    with pytest.raises(DomainError) as refused:
        call(*args)  # type: ignore[operator]
    return refused.value.code, refused.value.field


def test_an_order_is_priced_per_line_and_in_total_in_minor_units() -> None:
    print_, canvas = product(2500), product(9050)
    priced = rules.price_order(
        STUDIO,
        [OrderLine(PHOTO, print_.id, 3), OrderLine(OTHER_PHOTO, canvas.id, 1), OrderLine(PHOTO, canvas.id, 2)],
        {print_.id: print_, canvas.id: canvas},
        frozenset({PHOTO, OTHER_PHOTO}),
    )
    assert [line.line_total.amount for line in priced.lines] == [7500, 9050, 18100]
    assert priced.total == Money(34650, Currency.EUR)


def test_yen_are_whole_units() -> None:
    item = product(1500, Currency.JPY)
    priced = rules.price_order(STUDIO, [OrderLine(PHOTO, item.id, 2)], {item.id: item}, frozenset({PHOTO}))
    assert priced.total == Money(3000, Currency.JPY) and priced.total.formatted() == "3,000 JPY"


def test_what_an_order_cannot_hold() -> None:
    item, dollars = product(), product(currency=Currency.USD)
    retired, foreign = product(active=False), product(studio_id=uuid4())
    products = {row.id: row for row in (item, dollars, retired, foreign)}
    photos = frozenset({PHOTO})

    def price(*lines: OrderLine) -> None:
        rules.price_order(STUDIO, list(lines), products, photos)

    assert refusal(price) == (ErrorCode.INVALID_INPUT, ["items"])
    assert refusal(price, *[OrderLine(PHOTO, item.id, 1)] * 51) == (ErrorCode.INVALID_INPUT, ["items"])
    for quantity in (0, -1, 101):
        assert refusal(price, OrderLine(PHOTO, item.id, quantity)) == (
            ErrorCode.INVALID_INPUT,
            ["items", "0", "quantity"],
        )
    assert refusal(price, OrderLine(OTHER_PHOTO, item.id, 1)) == (ErrorCode.NOT_FOUND, ["items", "0", "photoId"])
    for missing in (retired.id, foreign.id, uuid4()):
        assert refusal(price, OrderLine(PHOTO, missing, 1)) == (ErrorCode.NOT_FOUND, ["items", "0", "productId"])
    assert refusal(price, OrderLine(PHOTO, item.id, 1), OrderLine(PHOTO, dollars.id, 1)) == (
        ErrorCode.INVALID_INPUT,
        ["items", "1"],
    )
    # The largest order there can be stays far inside a BIGINT.
    top = product(rules.MAX_PRICE)
    biggest = rules.price_order(
        STUDIO, [OrderLine(PHOTO, top.id, rules.MAX_QUANTITY)] * rules.MAX_LINES, {top.id: top}, photos
    )
    assert biggest.total.amount == rules.MAX_PRICE * rules.MAX_QUANTITY * rules.MAX_LINES < 2**63


def test_a_shipping_address_is_cleaned_and_its_country_checked() -> None:
    given = ShippingAddress(" Jane  Client ", "1 Rue de Rivoli", " ", "Paris", "75001", None, " fr ")
    cleaned = rules.clean_address(given)
    assert (cleaned.name, cleaned.line2, cleaned.country) == ("Jane Client", None, "FR")
    for country in ("XY", "FRA", "", "1"):
        bad = ShippingAddress("Jane", "1 Rue", None, "Paris", "75001", None, country)
        assert refusal(rules.clean_address, bad) == (ErrorCode.INVALID_INPUT, ["shippingAddress", "country"])
    no_city = ShippingAddress("Jane", "1 Rue", None, "  ", "75001", None, "FR")
    assert refusal(rules.clean_address, no_city) == (ErrorCode.INVALID_INPUT, ["shippingAddress", "city"])


ALLOWED = {
    (PrintOrderStatus.PENDING, PrintOrderStatus.CANCELLED),
    (PrintOrderStatus.PAID, PrintOrderStatus.IN_PRODUCTION),
    (PrintOrderStatus.IN_PRODUCTION, PrintOrderStatus.SHIPPED),
}


@pytest.mark.parametrize("current", list(PrintOrderStatus))
@pytest.mark.parametrize("target", list(PrintOrderStatus))
def test_every_move_the_studio_may_and_may_not_make(current: PrintOrderStatus, target: PrintOrderStatus) -> None:
    tracking = "1Z999" if target is PrintOrderStatus.SHIPPED else None
    if (current, target) in ALLOWED:
        assert rules.move_by_studio(current, target, tracking) == tracking
    else:
        assert refusal(rules.move_by_studio, current, target, tracking) == (ErrorCode.INVALID_TRANSITION, ["status"])


def test_shipping_needs_a_tracking_number_and_nothing_else_takes_one() -> None:
    shipped = PrintOrderStatus.IN_PRODUCTION, PrintOrderStatus.SHIPPED
    assert refusal(rules.move_by_studio, *shipped, None) == (ErrorCode.INVALID_INPUT, ["trackingNumber"])
    assert refusal(rules.move_by_studio, *shipped, "  ") == (ErrorCode.INVALID_INPUT, ["trackingNumber"])
    assert rules.move_by_studio(*shipped, " 1Z  999 ") == "1Z 999"
    making = PrintOrderStatus.PAID, PrintOrderStatus.IN_PRODUCTION
    assert refusal(rules.move_by_studio, *making, "1Z") == (ErrorCode.INVALID_INPUT, ["trackingNumber"])


@pytest.mark.parametrize("current", list(PrintOrderStatus))
def test_payment_cancel_and_refund(current: PrintOrderStatus) -> None:
    if current is PrintOrderStatus.PENDING:
        assert rules.pay(current) is PrintOrderStatus.PAID
        rules.check_cancellable(current)
    else:
        assert refusal(rules.pay, current)[0] is ErrorCode.INVALID_TRANSITION
        assert refusal(rules.check_cancellable, current) == (ErrorCode.INVALID_TRANSITION, ["id"])
    paid = current in {PrintOrderStatus.PAID, PrintOrderStatus.IN_PRODUCTION, PrintOrderStatus.SHIPPED}
    assert rules.refund(current, full=True) is (PrintOrderStatus.REFUNDED if paid else current)
    assert rules.refund(current, full=False) is current
