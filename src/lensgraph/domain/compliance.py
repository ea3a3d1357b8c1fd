"""GDPR rules: data exports (Article 20), account deletion with a grace period (Article 17), consents.

Pure: the persistence and job layers apply them to rows and files.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from uuid import UUID

from lensgraph.domain.errors import DomainError, ErrorCode

# Article 17: the account is deleted this long after the request, unless the request is cancelled first.
DELETION_GRACE = timedelta(days=30)
# Article 20: how long an export's signed download link stays valid.
EXPORT_LINK_LIFETIME = timedelta(days=7)
PSEUDONYM_PREFIX = "deleted-user-"


class DataRequestKind(Enum):
    EXPORT = "EXPORT"
    DELETION = "DELETION"


class DataRequestStatus(Enum):
    # Waiting: an export being built, a deletion in its grace period. One per kind and user at a time.
    PENDING = "PENDING"
    # An export built and downloadable until its link expires.
    READY = "READY"
    # A deletion carried out.
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class Consents:
    marketing_emails: bool
    product_analytics: bool
    third_party_sharing: bool


# Nothing is consented to until the person says so (Article 7: consent is opted into, never presumed).
NO_CONSENT = Consents(marketing_emails=False, product_analytics=False, third_party_sharing=False)


def deletion_due(requested_at: datetime) -> datetime:
    return requested_at + DELETION_GRACE


def check_cancelled(cancelled: bool) -> None:
    """Only a deletion still in its grace period can be cancelled: past it, the deletion is under way."""
    if not cancelled:
        raise DomainError(ErrorCode.NOT_FOUND, "No account deletion is pending: there is nothing to cancel.")


def pseudonym(user_id: UUID) -> str:
    """A stable stand-in for a deleted person in the records that must be kept: the same id gives the same
    pseudonym (so kept rows still tell one party from another), and nothing of the person's data is in it."""
    return PSEUDONYM_PREFIX + hashlib.sha256(b"lensgraph-pseudonym:" + user_id.bytes).hexdigest()[:12]


def scrubbed(value: object, needles: list[str], replacement: str) -> object:
    """``value`` (a string, or JSON of lists and dicts) with every occurrence of each needle replaced,
    case-insensitively; needles are tried longest first so a full name goes before its parts."""
    if isinstance(value, str):
        for needle in sorted({n for n in needles if n.strip()}, key=len, reverse=True):
            value = re.sub(re.escape(needle), replacement, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [scrubbed(item, needles, replacement) for item in value]
    if isinstance(value, dict):
        return {key: scrubbed(item, needles, replacement) for key, item in value.items()}
    return value
