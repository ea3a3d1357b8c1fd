"""User-generated content: a brand's albums and product catalogue, signed submissions, moderation, rights.

Pure rules: cleaning input, the content signature (HMAC-SHA1 of the exact request body, base64, the way
content platforms sign their POSTs), moderation transitions and what rights allow.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.money import Money

MAX_NAME = 200
MAX_TITLE = 300
MAX_SKU = 64
MAX_URL = 2048
MAX_TERMS = 5000
MAX_REASON = 500
MAX_USERNAME = 100
MAX_EMAIL = 254
MAX_PRODUCTS_PER_UPSERT = 500
MAX_IDS_PER_BULK = 100
MAX_SKUS_PER_CONTENT = 50
# The author has this long to answer a rights request; the link is single-use.
RIGHTS_LINK_LIFETIME = timedelta(days=14)
SIGNATURE_HEADER = "signature"

_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_HASHTAG = re.compile(r"^[A-Za-z0-9_]{1,100}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AlbumKind(Enum):
    """MANUAL: the brand files content itself; HASHTAG: content under a hashtag; PRODUCT: content of one product."""

    MANUAL = "MANUAL"
    HASHTAG = "HASHTAG"
    PRODUCT = "PRODUCT"


class ContentStatus(Enum):
    """Moderation: every submission starts PENDING unless its (signed) submitter approved it already."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class ContentSource(Enum):
    API = "API"
    UPLOAD_LINK = "UPLOAD_LINK"


class MediaStatus(Enum):
    """Where the content's file stands: FETCHING from its photoUri, then through the photo pipeline."""

    FETCHING = "FETCHING"
    PROCESSING = "PROCESSING"
    READY = "READY"
    FAILED = "FAILED"


class ContentFlag(Enum):
    """Raised by the photo pipeline for a moderator to look at."""

    FACES = "FACES"
    POSSIBLE_DUPLICATE = "POSSIBLE_DUPLICATE"


class RightsStatus(Enum):
    NONE = "NONE"
    REQUESTED = "REQUESTED"
    GRANTED = "GRANTED"
    DECLINED = "DECLINED"


class RightsRequestStatus(Enum):
    PENDING = "PENDING"
    GRANTED = "GRANTED"
    DECLINED = "DECLINED"


# Moderation transitions: a moderator may change their mind, but not "approve" what is approved.
_MODERATION: dict[ContentStatus, frozenset[ContentStatus]] = {
    ContentStatus.PENDING: frozenset({ContentStatus.APPROVED, ContentStatus.REJECTED}),
    ContentStatus.APPROVED: frozenset({ContentStatus.REJECTED}),
    ContentStatus.REJECTED: frozenset({ContentStatus.APPROVED}),
}


def content_signature(secret: str, body: bytes) -> str:
    """base64(HMAC-SHA1(secret, body)): what a partner's server sends in the ``Signature`` header."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha1).digest()).decode()


def signature_matches(secret: str | None, body: bytes | None, sent: str | None) -> bool:
    """Compared in constant time; no secret, no body or no signature never matches."""
    if not secret or body is None or not sent:
        return False
    return hmac.compare_digest(content_signature(secret, body).encode(), sent.strip().encode())


def moderated(current: ContentStatus, target: ContentStatus, field: Sequence[str] = ("id",)) -> ContentStatus:
    if target not in _MODERATION[current]:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION, f"Content that is {current.value} cannot become {target.value}.", field
        )
    return target


def check_approvable(media: MediaStatus, field: Sequence[str] = ("id",)) -> None:
    """Content whose file could not be fetched or read has nothing to show: it can only be rejected."""
    if media is MediaStatus.FAILED:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "This content's file failed: reject it instead.", field)


def flags_of(face_count: int | None, duplicate_of: object | None) -> list[ContentFlag]:
    flags = []
    if face_count:
        flags.append(ContentFlag.FACES)
    if duplicate_of is not None:
        flags.append(ContentFlag.POSSIBLE_DUPLICATE)
    return flags


def check_commercial_use(rights: RightsStatus, field: Sequence[str] = ("commercialUse",)) -> None:
    if rights is not RightsStatus.GRANTED:
        raise DomainError(
            ErrorCode.RIGHTS_REQUIRED, "Only content whose author granted rights may be used commercially.", field
        )


def check_rights_requestable(rights: RightsStatus, email: str | None, field: Sequence[str] = ("contentId",)) -> None:
    if not email:
        raise DomainError(ErrorCode.INVALID_INPUT, "This content has no author email to ask.", field)
    if rights is RightsStatus.GRANTED:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "The author already granted rights.", field)


def rights_link_usable(status: RightsRequestStatus, expires_at: datetime, now: datetime) -> bool:
    return status is RightsRequestStatus.PENDING and now < expires_at


# Input -------------------------------------------------------------------------------------------


def clean_text(value: str | None, field: str, limit: int, *, required: bool = False) -> str:
    cleaned = " ".join((value or "").split())
    if required and not cleaned:
        raise DomainError(ErrorCode.INVALID_INPUT, "This cannot be empty.", [field])
    if len(cleaned) > limit:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {limit} characters.", [field])
    return cleaned


def clean_terms(value: str) -> str:
    """Terms are kept exactly as given (line breaks and all): it is what the author is shown and agrees to."""
    terms = value.strip()
    if not terms:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the terms the author is asked to agree to.", ["terms"])
    if len(terms) > MAX_TERMS:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {MAX_TERMS} characters.", ["terms"])
    return terms


def terms_digest(terms: str) -> str:
    return hashlib.sha256(terms.encode()).hexdigest()


def clean_sku(value: str, field: Sequence[str] = ("sku",)) -> str:
    sku = value.strip()
    if not sku or len(sku) > MAX_SKU or not _SKU.match(sku):
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"A SKU is 1-{MAX_SKU} letters, digits, '.', '_' or '-'.", list(field)
        )
    return sku


def clean_skus(values: Sequence[str], field: str = "productSkus") -> list[str]:
    if len(values) > MAX_SKUS_PER_CONTENT:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Tag at most {MAX_SKUS_PER_CONTENT} products.", [field])
    return list(dict.fromkeys(clean_sku(value, [field]) for value in values))


def clean_email(value: str | None, field: str = "email") -> str | None:
    if value is None or not value.strip():
        return None
    email = value.strip()
    if len(email) > MAX_EMAIL or not _EMAIL.match(email):
        raise DomainError(ErrorCode.INVALID_INPUT, "Give a valid email address.", [field])
    return email.lower()


def clean_hashtag(kind: AlbumKind, hashtag: str | None) -> str | None:
    if kind is not AlbumKind.HASHTAG:
        if hashtag:
            raise DomainError(ErrorCode.INVALID_INPUT, "Only HASHTAG albums have a hashtag.", ["hashtag"])
        return None
    tag = (hashtag or "").strip().removeprefix("#")
    if not _HASHTAG.match(tag):
        raise DomainError(ErrorCode.INVALID_INPUT, "A HASHTAG album needs a hashtag (letters, digits, _).", ["hashtag"])
    return tag.lower()


def check_product_album(kind: AlbumKind, sku: str | None) -> str | None:
    if kind is not AlbumKind.PRODUCT:
        if sku:
            raise DomainError(ErrorCode.INVALID_INPUT, "Only PRODUCT albums name a product.", ["productSku"])
        return None
    if not sku:
        raise DomainError(ErrorCode.INVALID_INPUT, "A PRODUCT album names the product's SKU.", ["productSku"])
    return clean_sku(sku, ["productSku"])


def check_price(price: Money | None) -> Money | None:
    if price is not None and price.amount < 0:
        raise DomainError(ErrorCode.INVALID_INPUT, "A price cannot be negative.", ["price"])
    return price


def check_bulk(count: int, limit: int, field: str) -> None:
    if count == 0:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give at least one.", [field])
    if count > limit:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Give at most {limit} at once.", [field])


def check_one_source(photo_uri: str | None, upload_id: object | None) -> None:
    if (photo_uri is None) == (upload_id is None):
        raise DomainError(ErrorCode.INVALID_INPUT, "Give either photoUri or uploadId.", ["photoUri"])


def unknown_skus(asked: Sequence[str], known: Sequence[str], field: str = "productSkus") -> None:
    missing = sorted(set(asked) - set(known))
    if missing:
        raise DomainError(ErrorCode.NOT_FOUND, f"No products with SKUs: {', '.join(missing)}.", [field])


@dataclass(frozen=True)
class Evidence:
    """What a rights grant rests on, as exported: who answered, when, from where, and what they were shown."""

    content_id: str
    author_email: str
    author_username: str
    terms: str
    terms_sha256: str
    requested_at: datetime
    answered_at: datetime | None
    answer: RightsRequestStatus
    ip_address: str | None
    user_agent: str | None

    def document(self) -> dict[str, str | None]:
        """The evidence as plain JSON values, for export."""
        return {
            "contentId": self.content_id,
            "authorEmail": self.author_email,
            "authorUsername": self.author_username,
            "terms": self.terms,
            "termsSha256": self.terms_sha256,
            "requestedAt": self.requested_at.isoformat(),
            "answeredAt": self.answered_at.isoformat() if self.answered_at else None,
            "answer": self.answer.value,
            "ipAddress": self.ip_address,
            "userAgent": self.user_agent,
        }
