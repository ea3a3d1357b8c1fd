"""The audit log's vocabulary: which security-relevant actions are recorded, and how what a request says of
itself (its user agent) is kept. Entries are only ever added, never changed or removed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from uuid import UUID

from lensgraph.domain.errors import DomainError, ErrorCode


class AuditAction(Enum):
    """Stored as text (no database enum): adding an action needs no migration."""

    LOGIN = "LOGIN"
    # A refused sign-in: wrong password, unknown email, too many attempts, disabled account.
    LOGIN_FAILED = "LOGIN_FAILED"
    PASSWORD_CHANGED = "PASSWORD_CHANGED"
    PASSWORD_RESET_REQUESTED = "PASSWORD_RESET_REQUESTED"
    PASSWORD_RESET = "PASSWORD_RESET"
    API_KEY_CREATED = "API_KEY_CREATED"
    API_KEY_REVOKED = "API_KEY_REVOKED"
    WEBHOOK_SECRET_ROTATED = "WEBHOOK_SECRET_ROTATED"
    CONTENT_SECRET_ROTATED = "CONTENT_SECRET_ROTATED"
    # Compliance (GDPR export and erasure): recorded by that area's resolvers and jobs.
    DATA_EXPORT_REQUESTED = "DATA_EXPORT_REQUESTED"
    DATA_EXPORT_DOWNLOADED = "DATA_EXPORT_DOWNLOADED"
    ACCOUNT_DELETION_REQUESTED = "ACCOUNT_DELETION_REQUESTED"
    ACCOUNT_DELETED = "ACCOUNT_DELETED"
    # Administrators' actions on other accounts.
    ROLE_CHANGED = "ROLE_CHANGED"
    USER_DISABLED = "USER_DISABLED"
    USER_ENABLED = "USER_ENABLED"
    # Money given back through the API (by an administrator, or the photographer paid), and duplicate claims
    # decided by an administrator: the payer's and the uploader's accounts are their subjects.
    PAYMENT_REFUNDED = "PAYMENT_REFUNDED"
    DUPLICATE_CLAIM_RESOLVED = "DUPLICATE_CLAIM_RESOLVED"


# Long enough for any real browser's; a client sending more is not owed more of our storage.
MAX_USER_AGENT_LENGTH = 512
# An IPv6 address with a zone index fits in 64.
MAX_ADDRESS_LENGTH = 64
MAX_DETAIL_LENGTH = 1000


def clean_user_agent(value: str | None) -> str | None:
    """The header as sent, control characters dropped (it is shown to people and read by log tools), cut short."""
    if value is None:
        return None
    printable = "".join(character for character in value if character.isprintable()).strip()
    return printable[:MAX_USER_AGENT_LENGTH] or None


def clean_address(value: str | None) -> str | None:
    return value[:MAX_ADDRESS_LENGTH] if value else None


def clean_details(details: dict[str, str] | None) -> dict[str, str]:
    return {name: value[:MAX_DETAIL_LENGTH] for name, value in (details or {}).items()}


@dataclass(frozen=True)
class AuditFilter:
    """What an administrator narrows the whole log to; every part is optional. ``occurred_from`` is inclusive,
    ``occurred_to`` exclusive."""

    actor_id: UUID | None = None
    subject_id: UUID | None = None
    actions: tuple[AuditAction, ...] = ()
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None

    def __post_init__(self) -> None:
        if self.occurred_from and self.occurred_to and self.occurred_to <= self.occurred_from:
            raise DomainError(ErrorCode.INVALID_INPUT, "`to` must be after `from`.", ["filter", "to"])
