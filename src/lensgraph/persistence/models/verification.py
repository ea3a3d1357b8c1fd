"""Verifications (a RAW + JPEG pair and what the forensic analysis of it concluded), their invitations, the
views of shared reports, and the verifications charged against a plan's monthly allowance."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, Float, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.money import Currency
from lensgraph.domain.verification import AccessType, VerificationStatus
from lensgraph.persistence.base import Base, Entity


class Verification(Entity):
    """One RAW + JPEG pair of a user's, the status of its analysis and, once COMPLETED, the verdict and evidence."""

    __tablename__ = "verifications"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[VerificationStatus] = mapped_column(
        Enum(VerificationStatus, name="verification_status", native_enum=False, length=12),
        default=VerificationStatus.PENDING,
    )
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    # The verdict (the API's ``result``): None until COMPLETED.
    authentic: Mapped[bool | None]
    result_confidence: Mapped[float | None] = mapped_column(Float)
    integrity_score: Mapped[float | None] = mapped_column(Float)
    security_score: Mapped[float | None] = mapped_column(Float)
    # Every check's evidence: [{analyzer, outcome, confidence, details, regions: [{x, y, width, height, score}]}].
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    raw_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    image_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The two files as stored by the server (``verifications/<id>/raw.<ext>``, ``.../image.jpg``) and their hashes.
    raw_key: Mapped[str] = mapped_column(String(300))
    raw_sha256: Mapped[str] = mapped_column(String(64))
    # The RAW's container as its extension says and its bytes confirm: DNG, CR2, NEF ...
    raw_format: Mapped[str] = mapped_column(String(10))
    raw_size: Mapped[int] = mapped_column(BigInteger)
    image_key: Mapped[str] = mapped_column(String(300))
    image_sha256: Mapped[str] = mapped_column(String(64))
    image_size: Mapped[int] = mapped_column(BigInteger)
    # imagehash's pHash of the JPEG, in hex: how the catalogue finds a photo that is this verified image.
    image_phash: Mapped[str | None] = mapped_column(String(16))
    # Renditions made from the JPEG on demand (a small thumbnail, the JPEG with a verification strip).
    thumbnail_key: Mapped[str | None] = mapped_column(String(300))
    watermarked_key: Mapped[str | None] = mapped_column(String(300))
    # Names the report in print and on the watermark strip; from an alphabet without look-alike characters.
    short_code: Mapped[str] = mapped_column(String(12), unique=True)
    access_type: Mapped[AccessType] = mapped_column(
        Enum(AccessType, name="verification_access_type", native_enum=False, length=20),
        default=AccessType.RESTRICTED,
    )
    # SHA-256 of the share link's secret; None while the report has no link.
    share_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    show_location: Mapped[bool] = mapped_column(default=False)
    # Analysis runs started (retries included): the job gives up, FAILED, after its last one.
    attempts: Mapped[int] = mapped_column(default=0)
    completed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        # viewer.verifications: newest first, by status, by verdict, by name (keyset on (key, id)).
        Index("ix_verifications_user_created", "user_id", "created_at", "id"),
        Index("ix_verifications_user_status_created", "user_id", "status", "created_at", "id"),
        Index("ix_verifications_user_authentic_created", "user_id", "authentic", "created_at", "id"),
        Index("ix_verifications_user_name", "user_id", "name", "id"),
        Index("ix_verifications_user_completed", "user_id", "completed_at", "id"),
        # Resuming analyses at worker start, sweeping stuck ones.
        Index("ix_verifications_status_updated", "status", "updated_at"),
        # The marketplace's badge: a catalogue photo matched by exact hash or perceptual hash.
        Index("ix_verifications_image_sha256", "image_sha256"),
        Index("ix_verifications_image_phash", "image_phash"),
    )


class VerificationInvite(Entity):
    """A person let into a RESTRICTED report by email; ``invited_user_id`` once the email is someone's account."""

    __tablename__ = "verification_invites"

    verification_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("verifications.id", ondelete="CASCADE"))
    # Lower-cased and stripped, as accounts' emails are compared.
    email: Mapped[str] = mapped_column(String(320))
    invited_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    # When the invitation mail went out: claimed once, so a mail job run twice sends it once.
    mailed_at: Mapped[datetime | None]

    __table_args__ = (
        # One live invitation per person and report; revoked ones stay as history.
        Index(
            "uq_verification_invites_live_email",
            "verification_id",
            "email",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        Index("ix_verification_invites_verification_created", "verification_id", "created_at", "id"),
        # "Reports shared with me", and linking invitations to an account made later with that email.
        Index("ix_verification_invites_invited_user", "invited_user_id"),
        Index("ix_verification_invites_email", "email"),
    )


class VerificationViewDay(Base):
    """How often a shared report was opened on one UTC day, counted like photo views (``PhotoViewDay``)."""

    __tablename__ = "verification_view_days"

    verification_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("verifications.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger, default=0)


class VerificationUsage(Entity):
    """One verification counted against its owner's plan in a calendar month (UTC), and what it was charged.

    Kept when the verification is deleted (``verification_id`` then None): deleting does not give allowance back.
    """

    __tablename__ = "verification_usage"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # ``YYYY-MM``, UTC.
    month: Mapped[str] = mapped_column(String(7))
    verification_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("verifications.id", ondelete="SET NULL"), unique=True
    )
    # Beyond the plan's allowance: charged ``amount`` (minor units of ``currency``) as metered usage.
    overage: Mapped[bool] = mapped_column(default=False)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[Currency] = mapped_column(
        Enum(Currency, name="currency", native_enum=False, length=3), default=Currency.EUR
    )
    # Overage reported to Stripe's meter (or recorded by the offline mode): when, and the meter event's identifier.
    reported_to_stripe_at: Mapped[datetime | None]
    stripe_usage_id: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (
        Index("ix_verification_usage_user_month", "user_id", "month", "overage"),
        # The reporter's queue: overage not yet reported.
        Index(
            "ix_verification_usage_unreported",
            "created_at",
            sqlite_where=text("overage AND reported_to_stripe_at IS NULL"),
            postgresql_where=text("overage AND reported_to_stripe_at IS NULL"),
        ),
    )
