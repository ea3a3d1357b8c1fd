"""Licenses under negotiation or in force, every offer made on them, and the contracts they end in."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.licensing import ContractStatus, Exclusivity, LicenseStatus, Party, Usage
from lensgraph.domain.money import Currency
from lensgraph.persistence.base import Entity


class License(Entity):
    """The negotiation and, once agreed, the license: its current terms live on the row."""

    __tablename__ = "licenses"

    # Kept when the photo is deleted later: the license and its contract are records of a deal.
    photo_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("photos.id", ondelete="SET NULL"))
    brand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    photographer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[LicenseStatus] = mapped_column(
        Enum(LicenseStatus, name="license_status", native_enum=False, length=20)
    )
    # Until when the open offer stands (meaningful while OFFERED or COUNTERED).
    expires_at: Mapped[datetime]
    usage: Mapped[Usage] = mapped_column(Enum(Usage, name="license_usage", native_enum=False, length=12))
    media: Mapped[list[str]] = mapped_column(JSON)
    territories: Mapped[list[str]] = mapped_column(JSON)
    duration_days: Mapped[int | None]
    exclusivity: Mapped[Exclusivity] = mapped_column(
        Enum(Exclusivity, name="license_exclusivity", native_enum=False, length=12)
    )
    price_amount: Mapped[int] = mapped_column(BigInteger)
    price_currency: Mapped[Currency] = mapped_column(Enum(Currency, name="currency", native_enum=False, length=3))
    # The parties' own wording beside the structured terms, as last offered ("" for none).
    custom_terms: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The brand's references (purchase order, project, client): on the contract, receipts and the delivered file.
    reference_purchase_order: Mapped[str | None] = mapped_column(String(200))
    reference_project: Mapped[str | None] = mapped_column(String(200))
    reference_client: Mapped[str | None] = mapped_column(String(200))
    # Set when the license comes into force (payment), ends_at from its duration (None: perpetual).
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    # When the licensed photo was taken down after a duplicate claim while this license ran: flagged to both parties.
    photo_taken_down_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_licenses_brand_created", "brand_id", "created_at", "id"),
        Index("ix_licenses_photographer_created", "photographer_id", "created_at", "id"),
        Index("ix_licenses_photo_status", "photo_id", "status"),
        Index("ix_licenses_status_expires", "status", "expires_at"),
        # viewer.licenses(sort: PRICE), per side (keyset on (price, id)).
        Index("ix_licenses_brand_price", "brand_id", "price_amount", "id"),
        Index("ix_licenses_photographer_price", "photographer_id", "price_amount", "id"),
    )


class LicenseRevision(Entity):
    """One offer or counter-offer, as it was made: who, which terms, what they wrote."""

    __tablename__ = "license_revisions"

    license_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("licenses.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    party: Mapped[Party] = mapped_column(Enum(Party, name="license_party", native_enum=False, length=12))
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_license_revisions_license_created", "license_id", "created_at", "id"),)


class Contract(Entity):
    """An immutable snapshot of the agreed terms, both parties and the photo, signed by both."""

    __tablename__ = "contracts"

    license_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("licenses.id", ondelete="CASCADE"), unique=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    # SHA-256 of the canonical JSON of the snapshot: what both signed.
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[ContractStatus] = mapped_column(
        Enum(ContractStatus, name="contract_status", native_enum=False, length=20)
    )
    document_key: Mapped[str | None] = mapped_column(String(300))
    brand_signature_name: Mapped[str | None] = mapped_column(String(200))
    brand_signed_at: Mapped[datetime | None]
    brand_signed_ip: Mapped[str | None] = mapped_column(String(45))
    photographer_signature_name: Mapped[str | None] = mapped_column(String(200))
    photographer_signed_at: Mapped[datetime | None]
    photographer_signed_ip: Mapped[str | None] = mapped_column(String(45))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
