"""Idempotency keys of mutations: who sent which key for which request, and the answer it got."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lensgraph.domain.idempotency import MAX_KEY_LENGTH, KeyState
from lensgraph.persistence.base import Entity


class IdempotencyKey(Entity):
    """One caller's key: claimed by the first request that sent it (the unique constraint decides between
    concurrent ones), then holding that request's answer until it expires."""

    __tablename__ = "idempotency_keys"

    # ``user:<id>`` or ``address:<ip>``, as the request rate names callers.
    caller: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[KeyState] = mapped_column(Enum(KeyState, name="idempotency_key_state", native_enum=False, length=12))
    # When the request now running took it; a take-over (after a crash) moves it and counts an attempt.
    claimed_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=1)
    response_status: Mapped[int | None]
    response_headers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("caller", "key", name="uq_idempotency_keys_caller_key"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )
