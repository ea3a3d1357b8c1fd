"""Domain events, named like their webhook types. Each says who may see it (``audience``).

One event feeds three outlets after its transaction commits: in-app notifications, GraphQL
subscriptions and signed webhooks. Payloads carry ids and small facts, never secrets.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID


@dataclass(frozen=True, kw_only=True)
class Event:
    type: ClassVar[str]
    summary: ClassVar[str]
    audience: tuple[UUID, ...] = field(default=())

    def payload(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("audience")
        return {_camel(key): _plain(value) for key, value in data.items()}


def _camel(name: str) -> str:
    """Payloads use the API's camelCase, in GraphQL ``data`` and webhook bodies alike."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _plain(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


# Accounts ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class UserRegistered(Event):
    type: ClassVar[str] = "user.registered"
    summary: ClassVar[str] = "Welcome to Lensgraph."
    user_id: UUID
    role: str


@dataclass(frozen=True, kw_only=True)
class ApiKeyCreated(Event):
    type: ClassVar[str] = "api_key.created"
    summary: ClassVar[str] = "A new API key was created for your account."
    api_key_id: UUID
    prefix: str
    description: str


@dataclass(frozen=True, kw_only=True)
class PasswordChanged(Event):
    type: ClassVar[str] = "password.changed"
    summary: ClassVar[str] = "Your password was changed and every session was signed out."
    user_id: UUID


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointDisabled(Event):
    type: ClassVar[str] = "webhook_endpoint.disabled"
    summary: ClassVar[str] = "A webhook endpoint was disabled: it kept failing, or answered 410 Gone."
    endpoint_id: UUID
    url: str
    failing_since: datetime
    # "FAILING" (failing for DISABLE_AFTER) or "GONE" (the receiver answered 410 Gone).
    reason: str


@dataclass(frozen=True, kw_only=True)
class WebhookTest(Event):
    type: ClassVar[str] = "webhook.test"
    summary: ClassVar[str] = "A test delivery."
    endpoint_id: UUID


# Photos --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PhotoAnalyzed(Event):
    type: ClassVar[str] = "photo.analyzed"
    summary: ClassVar[str] = "A photo finished analysis."
    photo_id: UUID
    status: str


@dataclass(frozen=True, kw_only=True)
class PhotoAvailable(Event):
    type: ClassVar[str] = "photo.available"
    summary: ClassVar[str] = "A photo is available for licensing."
    photo_id: UUID
    photographer_id: UUID


@dataclass(frozen=True, kw_only=True)
class MatchNew(Event):
    type: ClassVar[str] = "match.new"
    summary: ClassVar[str] = "A new photo matches what you look for."
    photo_id: UUID
    brand_id: UUID
    score: float


# Licensing and money -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LicenseEvent(Event):
    type: ClassVar[str] = "license.event"
    summary: ClassVar[str] = ""
    license_id: UUID
    # None once the photo was deleted (its licenses are kept as records).
    photo_id: UUID | None
    status: str


@dataclass(frozen=True, kw_only=True)
class LicenseCreated(LicenseEvent):
    type: ClassVar[str] = "license.created"
    summary: ClassVar[str] = "A new license offer was made."


@dataclass(frozen=True, kw_only=True)
class LicenseCountered(LicenseEvent):
    type: ClassVar[str] = "license.countered"
    summary: ClassVar[str] = "A license offer was countered."


@dataclass(frozen=True, kw_only=True)
class LicenseAccepted(LicenseEvent):
    type: ClassVar[str] = "license.accepted"
    summary: ClassVar[str] = "A license offer was accepted."


@dataclass(frozen=True, kw_only=True)
class LicenseDeclined(LicenseEvent):
    type: ClassVar[str] = "license.declined"
    summary: ClassVar[str] = "A license offer was declined."


@dataclass(frozen=True, kw_only=True)
class LicenseCancelled(LicenseEvent):
    type: ClassVar[str] = "license.cancelled"
    summary: ClassVar[str] = "A license offer was cancelled."


@dataclass(frozen=True, kw_only=True)
class LicenseExpired(LicenseEvent):
    type: ClassVar[str] = "license.expired"
    summary: ClassVar[str] = "A license offer expired without an answer."


@dataclass(frozen=True, kw_only=True)
class ContractSigned(Event):
    type: ClassVar[str] = "contract.signed"
    summary: ClassVar[str] = "A contract was signed by both parties."
    contract_id: UUID
    license_id: UUID


@dataclass(frozen=True, kw_only=True)
class PaymentCompleted(Event):
    type: ClassVar[str] = "payment.completed"
    summary: ClassVar[str] = "A payment went through."
    payment_id: UUID
    license_id: UUID
    amount: int
    currency: str


@dataclass(frozen=True, kw_only=True)
class PaymentRefunded(Event):
    type: ClassVar[str] = "payment.refunded"
    summary: ClassVar[str] = "A payment was refunded."
    payment_id: UUID
    license_id: UUID
    # This refund's amount; ``refunded_amount`` is everything refunded of the payment so far.
    amount: int
    refunded_amount: int
    currency: str
    # Refunded in full: the license is no longer in force (REFUNDED).
    fully_refunded: bool


@dataclass(frozen=True, kw_only=True)
class PayoutPaid(Event):
    type: ClassVar[str] = "payout.paid"
    summary: ClassVar[str] = "A payout was sent to your account."
    payout_id: UUID
    amount: int
    currency: str


@dataclass(frozen=True, kw_only=True)
class SubscriptionUpdated(Event):
    type: ClassVar[str] = "subscription.updated"
    summary: ClassVar[str] = "Your subscription changed."
    subscription_id: UUID
    plan_id: str
    status: str
    cancel_at_period_end: bool


# Verification and marketplace ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class VerificationCompleted(Event):
    type: ClassVar[str] = "verification.completed"
    summary: ClassVar[str] = "An authenticity verification finished."
    verification_id: UUID
    verdict: str
    confidence: float


@dataclass(frozen=True, kw_only=True)
class ListingSold(Event):
    type: ClassVar[str] = "listing.sold"
    summary: ClassVar[str] = "One of your verified photos was sold."
    listing_id: UUID
    purchase_id: UUID
    tier: str


# Galleries -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GalleryEvent(Event):
    type: ClassVar[str] = "gallery.event"
    summary: ClassVar[str] = ""
    gallery_id: UUID


@dataclass(frozen=True, kw_only=True)
class GalleryCreated(GalleryEvent):
    type: ClassVar[str] = "gallery.created"
    summary: ClassVar[str] = "A gallery was created."


@dataclass(frozen=True, kw_only=True)
class GalleryViewed(GalleryEvent):
    type: ClassVar[str] = "gallery.viewed"
    summary: ClassVar[str] = "A client opened a gallery."


@dataclass(frozen=True, kw_only=True)
class GalleryDownloaded(GalleryEvent):
    type: ClassVar[str] = "gallery.downloaded"
    summary: ClassVar[str] = "A client downloaded from a gallery."


@dataclass(frozen=True, kw_only=True)
class GalleryValidated(GalleryEvent):
    type: ClassVar[str] = "gallery.validated"
    summary: ClassVar[str] = "A client validated their selection."


@dataclass(frozen=True, kw_only=True)
class GalleryExpired(GalleryEvent):
    type: ClassVar[str] = "gallery.expired"
    summary: ClassVar[str] = "A gallery expired."


@dataclass(frozen=True, kw_only=True)
class GalleryDeleted(GalleryEvent):
    type: ClassVar[str] = "gallery.deleted"
    summary: ClassVar[str] = "A gallery was deleted."


# Studio and UGC ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class InvoicePaid(Event):
    type: ClassVar[str] = "invoice.paid"
    summary: ClassVar[str] = "An invoice was paid."
    invoice_id: UUID
    amount: int
    currency: str


@dataclass(frozen=True, kw_only=True)
class BookingCreated(Event):
    type: ClassVar[str] = "booking.created"
    summary: ClassVar[str] = "A session was booked."
    booking_id: UUID
    starts_at: datetime


@dataclass(frozen=True, kw_only=True)
class ContentSubmitted(Event):
    type: ClassVar[str] = "content.submitted"
    summary: ClassVar[str] = "New content was submitted for moderation."
    content_id: UUID
    album_id: UUID


@dataclass(frozen=True, kw_only=True)
class ContentApproved(Event):
    type: ClassVar[str] = "content.approved"
    summary: ClassVar[str] = "Submitted content was approved."
    content_id: UUID
    album_id: UUID


def _catalogue() -> dict[str, type[Event]]:
    pending: list[type[Event]] = [Event]
    found: dict[str, type[Event]] = {}
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.summary:
                found[sub.type] = sub
    return found


CATALOGUE: dict[str, type[Event]] = _catalogue()
EVENT_TYPES: frozenset[str] = frozenset(CATALOGUE)
