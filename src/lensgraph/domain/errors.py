"""The one error vocabulary of the whole API."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum


class ErrorCode(Enum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    CONFLICT = "CONFLICT"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    PAYMENT_REQUIRED = "PAYMENT_REQUIRED"
    PAYMENT_PENDING = "PAYMENT_PENDING"
    DOWNLOAD_EXPIRED = "DOWNLOAD_EXPIRED"
    UPLOAD_INVALID = "UPLOAD_INVALID"
    RATE_LIMITED = "RATE_LIMITED"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    # Commercial use of a photo showing people needs a signed model release.
    RELEASE_REQUIRED = "RELEASE_REQUIRED"
    # A stored file is no longer the one confirmed: it is withheld, and the operators are alerted.
    FILE_INTEGRITY_FAILED = "FILE_INTEGRITY_FAILED"
    # A file's bytes do not have the SHA-256 its uploader declared (the reference's 422 "File hash mismatch").
    HASH_MISMATCH = "HASH_MISMATCH"
    # Apollo's automatic persisted queries: no document is known by the hash sent (send it with its hash).
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    # An Idempotency-Key sent again with another request than the one it was first used for.
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    # The operation's calculated cost is above the most one operation may request: ask for fewer items.
    QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
    # The operation ran past the execution time limit and was stopped (an unfinished transaction is rolled back).
    TIMEOUT = "TIMEOUT"
    # A booking's start is outside the studio's availability (hours, blocked dates, the slot grid).
    SLOT_UNAVAILABLE = "SLOT_UNAVAILABLE"
    # A booking's time (with buffers) overlaps another booking of the studio.
    SLOT_TAKEN = "SLOT_TAKEN"
    # A marketplace listing names a verification that failed, or one that found the photo not authentic.
    VERIFICATION_FAILED = "VERIFICATION_FAILED"
    NOT_AUTHENTIC = "NOT_AUTHENTIC"
    # A listing's license tier given without a price above zero.
    UNPRICED_TIER = "UNPRICED_TIER"
    # A purchase of a tier the listing does not offer, or of the buyer's own listing.
    TIER_NOT_OFFERED = "TIER_NOT_OFFERED"
    OWN_LISTING = "OWN_LISTING"
    # A client gallery past its expiry: it no longer opens to clients (its studio can still change the expiry).
    GALLERY_EXPIRED = "GALLERY_EXPIRED"
    # A client's gallery selection outside the studio's limits: too many favourites, or too few/many to submit.
    SELECTION_LIMIT = "SELECTION_LIMIT"
    # A document template names a merge field ({{client.name}}) that nothing fills.
    UNKNOWN_MERGE_FIELD = "UNKNOWN_MERGE_FIELD"
    # Answers sent for a contract, or a signature for a questionnaire.
    WRONG_DOCUMENT_KIND = "WRONG_DOCUMENT_KIND"
    # A questionnaire's required question left without an answer.
    ANSWER_REQUIRED = "ANSWER_REQUIRED"
    # A client asked to download from a gallery whose download policy is NONE.
    DOWNLOADS_DISABLED = "DOWNLOADS_DISABLED"
    # A refund of a payment that is refunded in full already, or of more than is left of it.
    ALREADY_REFUNDED = "ALREADY_REFUNDED"
    REFUND_EXCEEDS_PAYMENT = "REFUND_EXCEEDS_PAYMENT"
    # A photo taken down after a duplicate claim: it is out of the catalogue and cannot be licensed.
    PHOTO_TAKEN_DOWN = "PHOTO_TAKEN_DOWN"
    # A duplicate claim on a photo that is not flagged as a possible duplicate of one of the claimant's.
    NOT_A_DUPLICATE = "NOT_A_DUPLICATE"
    # A gallery download asked for without the gallery's download PIN, or with another one.
    WRONG_PIN = "WRONG_PIN"
    # A content submission whose Signature header is missing or is not the HMAC of its body by the content secret.
    SIGNATURE_INVALID = "SIGNATURE_INVALID"
    # Commercial use of user-generated content whose author has not granted rights.
    RIGHTS_REQUIRED = "RIGHTS_REQUIRED"
    # A rights link already answered, or past its expiry.
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    # Semantic or hybrid search, or similar photos, on a server without the embedding model (the ai extra).
    SEMANTIC_SEARCH_UNAVAILABLE = "SEMANTIC_SEARCH_UNAVAILABLE"
    INTERNAL = "INTERNAL"


class DomainError(Exception):
    """A refusal the user can act on; becomes a ``userErrors`` entry in a mutation payload."""

    def __init__(self, code: ErrorCode, message: str, field: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = list(field) if field else None


class AccessDenied(Exception):
    """Authentication or authorization failure; becomes a GraphQL error with a code."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def unauthenticated(message: str = "Sign in to do this.") -> AccessDenied:
    return AccessDenied(ErrorCode.UNAUTHENTICATED, message)


def forbidden(message: str = "You are not allowed to do this.") -> AccessDenied:
    return AccessDenied(ErrorCode.FORBIDDEN, message)
