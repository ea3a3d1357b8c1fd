from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.accounts import Role, TokenPurpose
from lensgraph.persistence.base import Entity


class User(Entity):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, name="user_role", native_enum=False, length=20))
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    # A brand's company (optional): the licensee its contracts name, signed for by the person.
    company_name: Mapped[str | None] = mapped_column(String(200))
    email_verified_at: Mapped[datetime | None]
    # Raised to end every credential at once (signing out everywhere, a new password, disabling):
    # access tokens carry the version they were issued under.
    token_version: Mapped[int] = mapped_column(default=1, server_default="1")
    disabled_at: Mapped[datetime | None]
    # What the user lets verifications beyond their plan's monthly allowance cost per month, in EUR cents (0: none).
    verification_budget: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class RefreshToken(Entity):
    """Stored as a SHA-256 digest; ``family_id`` ties every rotation of one login together."""

    __tablename__ = "refresh_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[uuid.UUID] = mapped_column(index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    replaced_by_id: Mapped[uuid.UUID | None]


class OneTimeToken(Entity):
    """Email verification and password reset tokens: single use, expiring, stored hashed."""

    __tablename__ = "one_time_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(
        Enum(TokenPurpose, name="token_purpose", native_enum=False, length=20)
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class ApiKey(Entity):
    """``lg_<prefix>_<secret>``: the prefix finds the row, the secret's digest proves it."""

    __tablename__ = "api_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_api_keys_user_created", "user_id", "created_at", "id"),)
