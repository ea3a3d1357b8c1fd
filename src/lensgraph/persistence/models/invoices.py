"""A studio's invoices to its clients: lines, discount and tax, totals and what is paid, in minor units."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.invoices import DiscountKind, InvoiceStatus
from lensgraph.domain.money import Currency
from lensgraph.persistence.base import Entity


class Invoice(Entity):
    """Totals are computed by ``domain.invoices.totals`` when the draft is written and never change after it is
    sent; ``amount_paid`` grows with each completed payment (held row, see ``persistence.invoices``)."""

    __tablename__ = "invoices"

    studio_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    currency: Mapped[Currency] = mapped_column(Enum(Currency, name="currency", native_enum=False, length=3))
    # [{"description": str, "quantity": int, "unit_amount": int}, ...] in the studio's order.
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    tax_rate_basis_points: Mapped[int] = mapped_column(default=0)
    discount_kind: Mapped[DiscountKind] = mapped_column(
        Enum(DiscountKind, name="invoice_discount_kind", native_enum=False, length=8), default=DiscountKind.NONE
    )
    discount_value: Mapped[int] = mapped_column(BigInteger, default=0)
    subtotal: Mapped[int] = mapped_column(BigInteger)
    discount_amount: Mapped[int] = mapped_column(BigInteger)
    tax_amount: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    amount_paid: Mapped[int] = mapped_column(BigInteger, default=0)
    due_date: Mapped[date]
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[InvoiceStatus] = mapped_column(
        Enum(InvoiceStatus, name="invoice_status", native_enum=False, length=8), default=InvoiceStatus.DRAFT
    )
    sent_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    # SHA-256 of the client's link secret, made by the mail job (the outbox never holds it); null until mailed.
    view_token_digest: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    # The invoice.sent event whose mail made the link: a second run of that job finds it and mails nothing.
    link_event_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_invoices_studio_created", "studio_id", "created_at", "id"),
        Index("ix_invoices_studio_status", "studio_id", "status", "currency"),
        # The overdue sweep's scan.
        Index("ix_invoices_status_due", "status", "due_date"),
        CheckConstraint("amount_paid >= 0 AND amount_paid <= total", name="paid_within_total"),
    )
