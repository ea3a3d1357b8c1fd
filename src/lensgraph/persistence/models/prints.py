"""The print store: a studio's print products, its gallery clients' orders and their lines."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.money import Currency
from lensgraph.domain.prints import PrintOrderStatus
from lensgraph.persistence.base import Entity


def _currency() -> Enum:
    return Enum(Currency, name="currency", native_enum=False, length=3)


class PrintProduct(Entity):
    """A print a studio sells in its galleries. Once ordered it is kept (deactivated) rather than deleted."""

    __tablename__ = "print_products"

    studio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    size: Mapped[str] = mapped_column(String(50))
    price_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[Currency] = mapped_column(_currency())
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (Index("ix_print_products_studio_created", "studio_id", "created_at", "id"),)


class PrintOrder(Entity):
    """A gallery client's order of prints, priced when placed; paid through one checkout (a ``Payment``)."""

    __tablename__ = "print_orders"

    gallery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("galleries.id", ondelete="CASCADE"))
    studio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Who placed it: the visitor its gallery access token names; orders are shown to that visitor alone.
    visitor: Mapped[str] = mapped_column(String(254))
    email: Mapped[str] = mapped_column(String(254))
    ship_name: Mapped[str] = mapped_column(String(100))
    ship_line1: Mapped[str] = mapped_column(String(200))
    ship_line2: Mapped[str | None] = mapped_column(String(200))
    ship_city: Mapped[str] = mapped_column(String(100))
    ship_postal_code: Mapped[str] = mapped_column(String(20))
    ship_region: Mapped[str | None] = mapped_column(String(100))
    ship_country: Mapped[str] = mapped_column(String(2))
    total_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[Currency] = mapped_column(_currency())
    status: Mapped[PrintOrderStatus] = mapped_column(
        Enum(PrintOrderStatus, name="print_order_status", native_enum=False, length=13)
    )
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    paid_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_print_orders_studio_created", "studio_id", "created_at", "id"),
        Index("ix_print_orders_studio_status_created", "studio_id", "status", "created_at", "id"),
        Index("ix_print_orders_gallery_visitor", "gallery_id", "visitor", "created_at", "id"),
    )


class PrintOrderItem(Entity):
    """One line of an order: the product's name, size and price copied as they were when it was placed."""

    __tablename__ = "print_order_items"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("print_orders.id", ondelete="CASCADE"))
    position: Mapped[int]
    photo_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("photos.id", ondelete="SET NULL"), index=True)
    # Null once the product is deleted (a product never ordered is deleted; this line then keeps its copy).
    product_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("print_products.id", ondelete="SET NULL"), index=True
    )
    product_name: Mapped[str] = mapped_column(String(100))
    product_size: Mapped[str] = mapped_column(String(50))
    quantity: Mapped[int]
    unit_amount: Mapped[int] = mapped_column(BigInteger)
    line_amount: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_print_order_items_order", "order_id", "position"),)
