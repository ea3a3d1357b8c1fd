"""Domain events, named like their webhook types. Each says who may see it (``audience``).

One event feeds three outlets after its transaction commits: in-app notifications, GraphQL
subscriptions and signed webhooks. Payloads carry ids and small facts, never secrets.

A field that holds an entity's key is typed with the entity it names (``LicenseKey``): the payload is
stored with raw keys, and every outlet shows it through ``public_payload``, which turns each key into
the global ID ``node(id:)`` resolves. Only events with ``emitted`` set are offered to webhooks and
notification preferences; the others are the contract of capabilities still to come.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

from lensgraph.domain import global_ids
from lensgraph.domain.errors import DomainError, ErrorCode


@dataclass(frozen=True)
class Names:
    """Marks a key field with the entity it names (its type in the API), e.g. ``Names("License")``."""

    entity: str


UserKey = Annotated[UUID, Names("User")]
ApiKeyKey = Annotated[UUID, Names("ApiKey")]
WebhookEndpointKey = Annotated[UUID, Names("WebhookEndpoint")]
PhotoKey = Annotated[UUID, Names("Photo")]
LicenseKey = Annotated[UUID, Names("License")]
ContractKey = Annotated[UUID, Names("Contract")]
PaymentKey = Annotated[UUID, Names("Payment")]
PayoutKey = Annotated[UUID, Names("Payout")]
PlanSubscriptionKey = Annotated[UUID, Names("PlanSubscription")]
VerificationKey = Annotated[UUID, Names("Verification")]
VerificationInviteKey = Annotated[UUID, Names("VerificationInvite")]
BookingKey = Annotated[UUID, Names("Booking")]
GalleryKey = Annotated[UUID, Names("Gallery")]
ClientKey = Annotated[UUID, Names("Client")]
StudioDocumentKey = Annotated[UUID, Names("StudioDocument")]
PrintOrderKey = Annotated[UUID, Names("PrintOrder")]
GallerySetKey = Annotated[UUID, Names("GallerySet")]
GalleryDownloadKey = Annotated[UUID, Names("GalleryDownload")]
DuplicateClaimKey = Annotated[UUID, Names("DuplicateClaim")]
BrandMatchKey = Annotated[UUID, Names("BrandMatch")]
# Entities of capabilities not built yet: their events are not emitted, so these IDs resolve to nothing yet.
ListingKey = Annotated[UUID, Names("Listing")]
PurchaseKey = Annotated[UUID, Names("Purchase")]
InvoiceKey = Annotated[UUID, Names("Invoice")]
ContentKey = Annotated[UUID, Names("Content")]
AlbumKey = Annotated[UUID, Names("Album")]
DataRequestKey = Annotated[UUID, Names("DataRequest")]


@dataclass(frozen=True, kw_only=True)
class Event:
    type: ClassVar[str]
    summary: ClassVar[str]
    # False while no code path emits the event: it is then not offered for subscription.
    emitted: ClassVar[bool] = True
    # Internal events feed GraphQL subscriptions only: they are no webhook type and no notification, so they are
    # left out of the catalogue (the published contract).
    internal: ClassVar[bool] = False
    audience: tuple[UUID, ...] = field(default=())

    def payload(self) -> dict[str, Any]:
        """The stored form: entity keys as plain UUID strings (outlets show ``public_payload`` of it)."""
        data = asdict(self)
        data.pop("audience")
        return {_camel(key): _plain(value) for key, value in data.items()}


@dataclass(frozen=True)
class PayloadField:
    """One field of an event's payload, as the payload names it."""

    name: str
    kind: type
    optional: bool
    # The entity whose key the field holds, shown as its global ID; None for a plain fact.
    entity: str | None


def payload_fields(kind: type[Event]) -> tuple[PayloadField, ...]:
    """The payload's fields, read from the dataclass; a UUID that names no entity is a mistake caught here."""
    hints = typing.get_type_hints(kind, include_extras=True)
    found = []
    for item in fields(kind):
        if item.name == "audience":
            continue
        hint, optional = _without_none(hints[item.name])
        entity = None
        if typing.get_origin(hint) is Annotated:
            hint, *extras = typing.get_args(hint)
            entity = next((extra.entity for extra in extras if isinstance(extra, Names)), None)
        if hint is UUID and entity is None:
            raise TypeError(f"{kind.__name__}.{item.name} holds a key: type it with the entity it names")
        found.append(PayloadField(_camel(item.name), hint, optional, entity))
    return tuple(found)


def _without_none(hint: Any) -> tuple[Any, bool]:
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        rest = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(rest) == 1:
            return rest[0], True
    return hint, False


def public_payload(event_type: str, stored: Mapping[str, Any]) -> dict[str, Any]:
    """A stored payload as every outlet shows it: each entity key becomes that entity's global ID.

    Stored payloads (outbox, notifications, webhook deliveries) keep raw keys, from before this rule and
    after it alike; rendering on the way out is what makes old rows right too.
    """
    entities = _ENTITY_FIELDS.get(event_type, {})
    return {key: _public_id(entities[key], value) if key in entities else value for key, value in stored.items()}


def _public_id(entity: str, value: Any) -> Any:
    try:
        return global_ids.encode(entity, UUID(value))
    except (TypeError, ValueError, AttributeError):
        # None (a photo since deleted), or already a global ID: nothing to translate.
        return value


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
    user_id: UserKey
    role: str


@dataclass(frozen=True, kw_only=True)
class ApiKeyCreated(Event):
    type: ClassVar[str] = "api_key.created"
    summary: ClassVar[str] = "A new API key was created for your account."
    api_key_id: ApiKeyKey
    prefix: str
    description: str


@dataclass(frozen=True, kw_only=True)
class PasswordChanged(Event):
    type: ClassVar[str] = "password.changed"
    summary: ClassVar[str] = "Your password was changed and every session was signed out."
    user_id: UserKey


@dataclass(frozen=True, kw_only=True)
class AccountLinkRequested(Event):
    """Internal: asks the worker to mail a single-use link (``purpose``: VERIFY_EMAIL or RESET_PASSWORD). No summary,
    so it is outside the catalogue: no notification, webhook or preference ever carries it. The token is made when
    the mail is sent, never stored here."""

    type: ClassVar[str] = "account.link_requested"
    summary: ClassVar[str] = ""
    user_id: UserKey
    purpose: str


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointDisabled(Event):
    type: ClassVar[str] = "webhook_endpoint.disabled"
    summary: ClassVar[str] = "A webhook endpoint was disabled: it kept failing, or answered 410 Gone."
    endpoint_id: WebhookEndpointKey
    url: str
    failing_since: datetime
    # "FAILING" (failing for DISABLE_AFTER) or "GONE" (the receiver answered 410 Gone).
    reason: str


@dataclass(frozen=True, kw_only=True)
class WebhookTest(Event):
    type: ClassVar[str] = "webhook.test"
    summary: ClassVar[str] = "A test delivery."
    endpoint_id: WebhookEndpointKey


# Privacy (GDPR) -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DataExportRequested(Event):
    type: ClassVar[str] = "account.data_export_requested"
    summary: ClassVar[str] = "A person asked for an export of their data."
    internal: ClassVar[bool] = True
    request_id: UUID


@dataclass(frozen=True, kw_only=True)
class DataExportReady(Event):
    type: ClassVar[str] = "account.data_export_ready"
    summary: ClassVar[str] = "Your data export is ready: the download link was emailed to you (valid 7 days)."
    request_id: DataRequestKey
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class AccountDeletionScheduled(Event):
    type: ClassVar[str] = "account.deletion_scheduled"
    summary: ClassVar[str] = "Your account is scheduled for deletion; cancel it with cancelAccountDeletion."
    request_id: DataRequestKey
    deletes_at: datetime


# Photos --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PhotoAnalyzed(Event):
    type: ClassVar[str] = "photo.analyzed"
    summary: ClassVar[str] = "A photo finished analysis."
    photo_id: PhotoKey
    status: str


@dataclass(frozen=True, kw_only=True)
class PhotoDuplicateFound(Event):
    type: ClassVar[str] = "photo.duplicateFound"
    summary: ClassVar[str] = "A photo someone else uploaded looks like one of yours: claim it if it is a copy."
    # The possible copy (claim it with claimDuplicate), and your photo it looks like.
    photo_id: PhotoKey
    original_photo_id: PhotoKey


@dataclass(frozen=True, kw_only=True)
class DuplicateClaimResolved(Event):
    type: ClassVar[str] = "duplicateClaim.resolved"
    summary: ClassVar[str] = "A duplicate claim was resolved: dismissed, or the photo taken down."
    claim_id: DuplicateClaimKey
    # None when its uploader deleted the photo while the claim was open.
    photo_id: PhotoKey | None
    # DISMISSED or TAKEN_DOWN.
    decision: str


@dataclass(frozen=True, kw_only=True)
class LicensePhotoTakenDown(Event):
    type: ClassVar[str] = "license.photoTakenDown"
    summary: ClassVar[str] = "The photo of a running license was taken down after a duplicate claim."
    license_id: LicenseKey
    photo_id: PhotoKey


@dataclass(frozen=True, kw_only=True)
class PhotoAvailable(Event):
    """A newly analysed photo matches a brand's profile strongly: told to that brand, once per photo."""

    type: ClassVar[str] = "photo.available"
    summary: ClassVar[str] = "A new photo matching your brand is available."
    photo_id: PhotoKey
    photographer_id: UserKey


@dataclass(frozen=True, kw_only=True)
class MatchNew(Event):
    """A photo became a strong match of a brand (a new photo, or a changed profile): told to the brand once per
    match, never again when the match is scored again."""

    type: ClassVar[str] = "match.new"
    summary: ClassVar[str] = "A new photo matches what you look for."
    match_id: BrandMatchKey
    photo_id: PhotoKey
    brand_id: UserKey
    score: float


@dataclass(frozen=True, kw_only=True)
class BrandProfileUpdated(Event):
    """Internal: a brand's profile changed; its outlet is the job scoring the catalogue for it (FOLLOW_UP_JOBS)."""

    type: ClassVar[str] = "brand_profile.updated"
    summary: ClassVar[str] = "A brand profile changed."
    internal: ClassVar[bool] = True
    brand_id: UserKey


# Licensing and money -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LicenseEvent(Event):
    type: ClassVar[str] = "license.event"
    summary: ClassVar[str] = ""
    license_id: LicenseKey
    # None once the photo was deleted (its licenses are kept as records).
    photo_id: PhotoKey | None
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
    contract_id: ContractKey
    license_id: LicenseKey


@dataclass(frozen=True, kw_only=True)
class PaymentCompleted(Event):
    type: ClassVar[str] = "payment.completed"
    summary: ClassVar[str] = "A payment went through."
    payment_id: PaymentKey
    license_id: LicenseKey
    amount: int
    currency: str


@dataclass(frozen=True, kw_only=True)
class PaymentRefunded(Event):
    type: ClassVar[str] = "payment.refunded"
    summary: ClassVar[str] = "A payment was refunded."
    payment_id: PaymentKey
    license_id: LicenseKey
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
    payout_id: PayoutKey
    amount: int
    currency: str


@dataclass(frozen=True, kw_only=True)
class SubscriptionUpdated(Event):
    type: ClassVar[str] = "subscription.updated"
    summary: ClassVar[str] = "Your subscription changed."
    subscription_id: PlanSubscriptionKey
    plan_id: str
    status: str
    cancel_at_period_end: bool


# Verification and marketplace ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class VerificationCompleted(Event):
    """Emitted when the analysis concluded (COMPLETED); ``verdict`` AUTHENTIC or NOT_AUTHENTIC."""

    type: ClassVar[str] = "verification.completed"
    summary: ClassVar[str] = "An authenticity verification finished."
    verification_id: VerificationKey
    verdict: str
    confidence: float


@dataclass(frozen=True, kw_only=True)
class VerificationFailed(Event):
    """The analysis could not conclude (an unreadable pair, or every attempt died): FAILED, with the reason."""

    type: ClassVar[str] = "verification.failed"
    summary: ClassVar[str] = "An authenticity verification could not be completed."
    verification_id: VerificationKey
    reason: str


@dataclass(frozen=True, kw_only=True)
class VerificationStatusChanged(Event):
    """Every move of a verification's status, for ``verificationUpdated``; internal (no webhook, no notification)."""

    type: ClassVar[str] = "verification.status_changed"
    summary: ClassVar[str] = "A verification's status changed."
    internal: ClassVar[bool] = True
    verification_id: VerificationKey
    status: str


@dataclass(frozen=True, kw_only=True)
class VerificationInvited(Event):
    """Someone was invited to read a report; internal: its outlet is the invitation mail (FOLLOW_UP_JOBS), sent to
    the address whether or not it is anyone's account yet."""

    type: ClassVar[str] = "verification.invited"
    summary: ClassVar[str] = "A verification report was shared with you."
    internal: ClassVar[bool] = True
    verification_id: VerificationKey
    invite_id: VerificationInviteKey


@dataclass(frozen=True, kw_only=True)
class ListingSold(Event):
    type: ClassVar[str] = "listing.sold"
    summary: ClassVar[str] = "One of your verified photos was sold."
    listing_id: ListingKey
    purchase_id: PurchaseKey
    tier: str
    # The price the buyer paid, in minor units of ``currency``; the seller earns it less the platform fee.
    amount: int
    currency: str


# Galleries -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GalleryEvent(Event):
    type: ClassVar[str] = "gallery.event"
    summary: ClassVar[str] = ""
    emitted: ClassVar[bool] = False
    gallery_id: GalleryKey


@dataclass(frozen=True, kw_only=True)
class GalleryCreated(GalleryEvent):
    type: ClassVar[str] = "gallery.created"
    summary: ClassVar[str] = "A gallery was created."
    emitted: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class GalleryViewed(GalleryEvent):
    type: ClassVar[str] = "gallery.viewed"
    summary: ClassVar[str] = "A client opened a gallery."
    emitted: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class GalleryDownloaded(GalleryEvent):
    """Emitted once per download, when the zip's stream has ended (a broken stream announces nothing)."""

    type: ClassVar[str] = "gallery.downloaded"
    summary: ClassVar[str] = "A client downloaded from a gallery."
    emitted: ClassVar[bool] = True
    download_id: GalleryDownloadKey
    # Who: the email the client unlocked the gallery with (downloads need the gallery's access token).
    client_email: str
    # What: PHOTOS (some named photos), SET (one set) or GALLERY (all of it), in WEB_SIZE or FULL_SIZE.
    kind: str
    size: str
    set_id: GallerySetKey | None = None
    photo_count: int
    size_bytes: int


@dataclass(frozen=True, kw_only=True)
class GalleryValidated(GalleryEvent):
    type: ClassVar[str] = "gallery.validated"
    summary: ClassVar[str] = "A client validated their selection."
    emitted: ClassVar[bool] = True
    # The client (the email they unlocked the gallery with: the studio's own client), the list and its size.
    client_email: str
    list_name: str
    photo_count: int


@dataclass(frozen=True, kw_only=True)
class GalleryFavorited(GalleryEvent):
    """A client added a photo to one of their lists: live activity for the studio, no webhook or notification."""

    type: ClassVar[str] = "gallery.favorited"
    summary: ClassVar[str] = "A client picked a favourite photo."
    internal: ClassVar[bool] = True
    photo_id: PhotoKey
    client_email: str
    list_name: str


@dataclass(frozen=True, kw_only=True)
class GalleryExpired(GalleryEvent):
    type: ClassVar[str] = "gallery.expired"
    summary: ClassVar[str] = "A gallery expired."
    emitted: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class GalleryDeleted(GalleryEvent):
    type: ClassVar[str] = "gallery.deleted"
    summary: ClassVar[str] = "A gallery was deleted."
    emitted: ClassVar[bool] = True


# Studio and UGC ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class InvoicePaid(Event):
    """Emitted once, by the payment that leaves nothing to pay (payments in part before it emit nothing)."""

    type: ClassVar[str] = "invoice.paid"
    summary: ClassVar[str] = "An invoice was paid."
    invoice_id: InvoiceKey
    # The invoice's total, now paid in full, in minor units of ``currency``.
    amount: int
    currency: str


@dataclass(frozen=True, kw_only=True)
class InvoiceSent(Event):
    """Internal: asks the worker to mail the client the invoice's link (FOLLOW_UP_JOBS). The link's secret is made
    when the mail is sent, never stored here."""

    type: ClassVar[str] = "invoice.sent"
    summary: ClassVar[str] = ""
    internal: ClassVar[bool] = True
    invoice_id: InvoiceKey


@dataclass(frozen=True, kw_only=True)
class PrintOrderPaid(Event):
    type: ClassVar[str] = "print_order.paid"
    summary: ClassVar[str] = "A gallery client paid for an order of prints."
    print_order_id: PrintOrderKey
    gallery_id: GalleryKey
    # What the client paid, in minor units of ``currency``; the studio earns it less the platform fee.
    amount: int
    currency: str


@dataclass(frozen=True, kw_only=True)
class BookingCreated(Event):
    type: ClassVar[str] = "booking.created"
    summary: ClassVar[str] = "A session was booked."
    booking_id: BookingKey
    starts_at: datetime


@dataclass(frozen=True, kw_only=True)
class DocumentSent(Event):
    """A studio sent a client a document; internal: its outlet is the mail with the client's link
    (FOLLOW_UP_JOBS), whose token the job makes, so the outbox never holds it."""

    type: ClassVar[str] = "document.sent"
    summary: ClassVar[str] = "A document was sent to a client."
    internal: ClassVar[bool] = True
    document_id: StudioDocumentKey


@dataclass(frozen=True, kw_only=True)
class DocumentCompleted(Event):
    type: ClassVar[str] = "document.completed"
    summary: ClassVar[str] = "A client signed a contract or answered a questionnaire."
    document_id: StudioDocumentKey
    client_id: ClientKey
    # CONTRACT or QUESTIONNAIRE.
    kind: str


@dataclass(frozen=True, kw_only=True)
class ContentSubmitted(Event):
    type: ClassVar[str] = "content.submitted"
    summary: ClassVar[str] = "New content was submitted for moderation."
    content_id: ContentKey
    album_id: AlbumKey


@dataclass(frozen=True, kw_only=True)
class ContentApproved(Event):
    type: ClassVar[str] = "content.approved"
    summary: ClassVar[str] = "Submitted content was approved."
    content_id: ContentKey
    album_id: AlbumKey


@dataclass(frozen=True, kw_only=True)
class ContentRightsRequested(Event):
    """A brand asked a content's author for rights; internal: its outlet is the mail with the author's link
    (FOLLOW_UP_JOBS), whose token the job makes, so the outbox never holds it."""

    type: ClassVar[str] = "content.rights_requested"
    summary: ClassVar[str] = "A brand asked an author for rights to their content."
    internal: ClassVar[bool] = True
    request_id: UUID
    content_id: ContentKey


def _catalogue() -> dict[str, type[Event]]:
    pending: list[type[Event]] = [Event]
    found: dict[str, type[Event]] = {}
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.summary and not sub.internal:
                found[sub.type] = sub
    return found


CATALOGUE: dict[str, type[Event]] = _catalogue()
EVENT_TYPES: frozenset[str] = frozenset(CATALOGUE)
# Per event type, its key fields and the entity each names. Built at import: a key field that names no
# entity fails here, before any outlet could show it raw.
_ENTITY_FIELDS: dict[str, dict[str, str]] = {
    name: {item.name: item.entity for item in payload_fields(kind) if item.entity} for name, kind in CATALOGUE.items()
}


@dataclass(frozen=True)
class FollowUp:
    """A job the outbox relay sends once an event of a type is published, with these payload fields as arguments
    (after the event's id when ``with_event_id``: for jobs that must act once per event). The job then runs only
    for a committed change, and at least once (the relay resumes from the outbox)."""

    actor: str
    fields: tuple[str, ...]
    with_event_id: bool = False

    def arguments(self, event_id: UUID, payload: Mapping[str, Any]) -> list[str]:
        values = [str(payload[name]) for name in self.fields]
        return [str(event_id), *values] if self.with_event_id else values


FOLLOW_UP_JOBS: dict[str, FollowUp] = {
    # A photo finished analysis: its text embedded for semantic search, then (the embedding job sends it) scored
    # against every brand profile (a FAILED one is left alone by both jobs).
    PhotoAnalyzed.type: FollowUp("photos.embed", ("photoId",)),
    BrandProfileUpdated.type: FollowUp("matching.score_brand", ("brandId",)),
    AccountLinkRequested.type: FollowUp("accounts.send_link", ("userId", "purpose"), with_event_id=True),
    VerificationInvited.type: FollowUp("verification.mail_invite", ("inviteId",)),
    DocumentSent.type: FollowUp("documents.mail_link", ("documentId",)),
    # A photoUri is fetched only once its content is committed; the job does nothing for content sent as an upload.
    ContentSubmitted.type: FollowUp("ugc.fetch_content", ("contentId",)),
    ContentRightsRequested.type: FollowUp("ugc.mail_rights_request", ("requestId",)),
    DataExportRequested.type: FollowUp("compliance.build_export", ("requestId",)),
    InvoiceSent.type: FollowUp("invoices.mail_link", ("invoiceId",), with_event_id=True),
    # The report's thumbnail and watermarked JPEG, once the strip's verdict is known.
    VerificationCompleted.type: FollowUp("verification.make_renditions", ("verificationId",)),
    VerificationFailed.type: FollowUp("verification.make_renditions", ("verificationId",)),
}
# What webhooks and notification preferences may choose: a type nothing emits would never arrive.
EMITTED_TYPES: frozenset[str] = frozenset(name for name, kind in CATALOGUE.items() if kind.emitted)


def check_offered(event_types: Iterable[str], field: Sequence[str]) -> None:
    """Refuses types outside the catalogue, and those of the catalogue that nothing emits yet."""
    asked = set(event_types)
    unknown = sorted(asked - EVENT_TYPES)
    if unknown:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Unknown event types: {', '.join(unknown)}.", field)
    pending = sorted(asked - EMITTED_TYPES)
    if pending:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"Not emitted yet, so not offered for subscription: {', '.join(pending)}.",
            field,
        )
