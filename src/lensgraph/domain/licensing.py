"""License negotiation: terms, who may answer, and the moves from an offer to a deal or its end.

A negotiation alternates. The brand offers; the photographer is awaited (``OFFERED``). A counter-offer
hands the turn to the other side: the photographer's counter awaits the brand (``COUNTERED``), the
brand's counter awaits the photographer again (``OFFERED``). Only the awaited side may counter, accept
or decline; the brand may cancel at any point before acceptance; an answer that comes too late finds
the offer ``EXPIRED``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Any
from uuid import UUID

import pycountry

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import (
    ContractSigned,
    Event,
    LicenseAccepted,
    LicenseCancelled,
    LicenseCountered,
    LicenseCreated,
    LicenseDeclined,
    LicenseEvent,
)
from lensgraph.domain.license_references import BuyerReferences
from lensgraph.domain.money import Currency, Money, minor_unit_exponent

DEFAULT_OFFER_VALIDITY = timedelta(days=7)
MAX_OFFER_VALIDITY = timedelta(days=30)
MAX_DURATION_DAYS = 36_500
MAX_MESSAGE = 2000
MAX_TERRITORIES = 50
# Free-text terms beside the structured ones (the buyer's own wording of the usage).
MAX_CUSTOM_TERMS = 4000
# In major units of any currency: above this an offer is a typo (or worse), not a negotiation.
MAX_PRICE_MAJOR_UNITS = 10_000_000


class Usage(Enum):
    PERSONAL = "PERSONAL"
    EDITORIAL = "EDITORIAL"
    COMMERCIAL = "COMMERCIAL"
    EXTENDED = "EXTENDED"


class Medium(Enum):
    WEB = "WEB"
    PRINT = "PRINT"
    SOCIAL = "SOCIAL"
    BROADCAST = "BROADCAST"
    OUT_OF_HOME = "OUT_OF_HOME"


class Exclusivity(Enum):
    NONE = "NONE"
    # Exclusive for the same usage in the same media and territory; others may still license it.
    CATEGORY = "CATEGORY"
    # Nobody else may license the photo anywhere it overlaps in territory while this one runs.
    FULL = "FULL"


class LicenseStatus(Enum):
    OFFERED = "OFFERED"
    COUNTERED = "COUNTERED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    AWAITING_PAYMENT = "AWAITING_PAYMENT"
    ACTIVE = "ACTIVE"
    # Its payment was refunded in full: no longer in force, and it stays so (a new offer starts a new license).
    REFUNDED = "REFUNDED"


class LicenseSortField(Enum):
    """What ``viewer.licenses`` orders by: when the negotiation began, the photo's title, or the price (its amount,
    whatever the currency)."""

    CREATED_AT = "CREATED_AT"
    TITLE = "TITLE"
    PRICE = "PRICE"


class ContractStatus(Enum):
    AWAITING_SIGNATURES = "AWAITING_SIGNATURES"
    SIGNED = "SIGNED"


class Party(Enum):
    BRAND = "BRAND"
    PHOTOGRAPHER = "PHOTOGRAPHER"

    @property
    def other(self) -> Party:
        return Party.PHOTOGRAPHER if self is Party.BRAND else Party.BRAND


OPEN = frozenset({LicenseStatus.OFFERED, LicenseStatus.COUNTERED})
COMMERCIAL_USAGES = frozenset({Usage.COMMERCIAL, Usage.EXTENDED})


@dataclass(frozen=True)
class Terms:
    usage: Usage
    media: frozenset[Medium]
    # ISO 3166-1 alpha-2 codes; empty means worldwide.
    territories: frozenset[str]
    # None means perpetual.
    duration_days: int | None
    exclusivity: Exclusivity
    price: Money
    # The parties' own wording beside the structured terms ("print run up to 5,000 copies"); "" for none.
    custom_terms: str = ""

    @property
    def worldwide(self) -> bool:
        return not self.territories


def terms_snapshot(terms: Terms) -> dict[str, Any]:
    """Terms as plain JSON, for revisions and contracts (sorted, so equal terms give equal JSON); the custom terms
    only when there are some, so terms without them keep the JSON (and contract hash) they always had."""
    snapshot: dict[str, Any] = {
        "usage": terms.usage.value,
        "media": sorted(medium.value for medium in terms.media),
        "territories": sorted(terms.territories),
        "durationDays": terms.duration_days,
        "exclusivity": terms.exclusivity.value,
        "price": {"amount": terms.price.amount, "currency": terms.price.currency.value},
    }
    return snapshot | ({"customTerms": terms.custom_terms} if terms.custom_terms else {})


def terms_from_snapshot(snapshot: dict[str, Any]) -> Terms:
    return Terms(
        usage=Usage(snapshot["usage"]),
        media=frozenset(Medium(medium) for medium in snapshot["media"]),
        territories=frozenset(snapshot["territories"]),
        duration_days=snapshot["durationDays"],
        exclusivity=Exclusivity(snapshot["exclusivity"]),
        price=Money(snapshot["price"]["amount"], Currency(snapshot["price"]["currency"])),
        custom_terms=snapshot.get("customTerms", ""),
    )


def check_terms(terms: Terms) -> Terms:
    """Refuses terms nobody could sign; returns them normalised (upper-case territory codes)."""
    if not terms.media:
        raise DomainError(ErrorCode.INVALID_INPUT, "Name at least one medium.", ["terms", "media"])
    territories = frozenset(code.strip().upper() for code in terms.territories)
    if len(territories) > MAX_TERRITORIES:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"Name at most {MAX_TERRITORIES} territories, or none for worldwide.",
            ["terms", "territories"],
        )
    unknown = sorted(code for code in territories if pycountry.countries.get(alpha_2=code) is None)
    if unknown:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"Not ISO 3166 country codes: {', '.join(unknown)}.",
            ["terms", "territories"],
        )
    if terms.duration_days is not None and not 1 <= terms.duration_days <= MAX_DURATION_DAYS:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"A license lasts 1 to {MAX_DURATION_DAYS} days, or is perpetual.",
            ["terms", "durationDays"],
        )
    check_price(terms.price)
    custom_terms = terms.custom_terms.strip()
    if len(custom_terms) > MAX_CUSTOM_TERMS:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"Write the terms in at most {MAX_CUSTOM_TERMS} characters.",
            ["terms", "customTerms"],
        )
    return replace(terms, territories=territories, custom_terms=custom_terms)


def check_price(price: Money, field: tuple[str, ...] = ("terms", "price")) -> None:
    if price.amount <= 0:
        raise DomainError(ErrorCode.INVALID_INPUT, "The price must be more than zero.", list(field))
    if price.amount > MAX_PRICE_MAJOR_UNITS * 10 ** minor_unit_exponent(price.currency):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"The price may be at most {MAX_PRICE_MAJOR_UNITS:,} {price.currency.value}.",
            list(field),
        )


@dataclass(frozen=True)
class PhotoLicenseOffer:
    """What a photographer offers for one photo before any negotiation: the usages a brand may ask for, the asking
    price from which (None: on request), and whether an exclusive license may be negotiated. Enterprise search
    filters on it; an offer (``Terms``) may still propose anything."""

    usages: frozenset[Usage] = frozenset()
    price: Money | None = None
    exclusive_available: bool = False


def check_photo_offer(offer: PhotoLicenseOffer) -> PhotoLicenseOffer:
    if offer.price is not None:
        check_price(offer.price, ("licenseOffer", "price"))
    if (offer.price is not None or offer.exclusive_available) and not offer.usages:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "Name at least one usage you license the photo for.",
            ["licenseOffer", "usages"],
        )
    return offer


def check_message(message: str | None) -> str:
    cleaned = (message or "").strip()
    if len(cleaned) > MAX_MESSAGE:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Write at most {MAX_MESSAGE} characters.", ["message"])
    return cleaned


def offer_expiry(now: datetime, validity: timedelta | None) -> datetime:
    validity = DEFAULT_OFFER_VALIDITY if validity is None else validity
    if not timedelta(hours=1) <= validity <= MAX_OFFER_VALIDITY:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"An offer stays open from 1 hour to {MAX_OFFER_VALIDITY.days} days.",
            ["validForHours"],
        )
    return now + validity


def check_release(usage: Usage, needs_model_release: bool) -> None:
    """People recognisable in a photo must have signed a release before it sells commercially."""
    if usage in COMMERCIAL_USAGES and needs_model_release:
        raise DomainError(
            ErrorCode.RELEASE_REQUIRED,
            "This photo shows people without a model release: it can only be licensed for personal or "
            "editorial use until the photographer adds one.",
            ["terms", "usage"],
        )


@dataclass(frozen=True)
class Negotiation:
    """What decides the next move: where the negotiation is and until when the open offer stands."""

    status: LicenseStatus
    expires_at: datetime

    @property
    def awaiting(self) -> Party | None:
        if self.status is LicenseStatus.OFFERED:
            return Party.PHOTOGRAPHER
        if self.status is LicenseStatus.COUNTERED:
            return Party.BRAND
        return None


def open_negotiation(now: datetime, validity: timedelta | None = None) -> Negotiation:
    return Negotiation(LicenseStatus.OFFERED, offer_expiry(now, validity))


def _require_turn(negotiation: Negotiation, by: Party, now: datetime, verb: str) -> None:
    if negotiation.status not in OPEN:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION, f"This offer is {negotiation.status.value.lower()}: it cannot be {verb}."
        )
    if now >= negotiation.expires_at:
        raise DomainError(ErrorCode.INVALID_TRANSITION, f"This offer has expired: it cannot be {verb}.")
    if negotiation.awaiting is not by:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION, f"It is the {by.other.value.lower()}'s turn to answer this offer."
        )


def counter(negotiation: Negotiation, by: Party, now: datetime, validity: timedelta | None = None) -> Negotiation:
    _require_turn(negotiation, by, now, "countered")
    status = LicenseStatus.COUNTERED if by is Party.PHOTOGRAPHER else LicenseStatus.OFFERED
    return Negotiation(status, offer_expiry(now, validity))


def accept(negotiation: Negotiation, by: Party, now: datetime) -> Negotiation:
    _require_turn(negotiation, by, now, "accepted")
    return replace(negotiation, status=LicenseStatus.ACCEPTED)


def decline(negotiation: Negotiation, by: Party, now: datetime) -> Negotiation:
    _require_turn(negotiation, by, now, "declined")
    return replace(negotiation, status=LicenseStatus.DECLINED)


def cancel(negotiation: Negotiation, by: Party) -> Negotiation:
    """The brand withdraws, whoever's turn it is, as long as nothing was agreed (even once expired: no)."""
    if by is not Party.BRAND:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "Only the brand cancels an offer; decline it instead.")
    if negotiation.status not in OPEN:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            f"This offer is {negotiation.status.value.lower()}: it cannot be cancelled.",
        )
    return replace(negotiation, status=LicenseStatus.CANCELLED)


def check_counter_currency(price: Money, offered_in: Currency) -> None:
    """A counter-offer haggles over the amount, not the currency: it stays in the currency of the offer."""
    if price.currency is not offered_in:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"Counter in the currency of the offer ({offered_in.value}).", ["terms", "price"]
        )


@dataclass(frozen=True)
class LicenseRef:
    """What a license's events name: the license, its photo (None once deleted) and its two parties."""

    license_id: UUID
    photo_id: UUID | None
    brand_id: UUID
    photographer_id: UUID

    def event(self, kind: type[LicenseEvent], status: LicenseStatus) -> LicenseEvent:
        return kind(
            license_id=self.license_id,
            photo_id=self.photo_id,
            status=status.value,
            audience=(self.brand_id, self.photographer_id),
        )


@dataclass(frozen=True)
class Outcome:
    """A negotiation after a move, and the events the move causes (for the outbox of the same transaction)."""

    negotiation: Negotiation
    events: tuple[Event, ...]


def offer_made(license_: LicenseRef, negotiation: Negotiation) -> tuple[Event, ...]:
    """The events of a new offer (``open_negotiation`` decided its state before the license had an id)."""
    return (license_.event(LicenseCreated, negotiation.status),)


def counter_offer(
    license_: LicenseRef,
    negotiation: Negotiation,
    by: Party,
    price: Money,
    offered_in: Currency,
    now: datetime,
    validity: timedelta | None = None,
) -> Outcome:
    """``by`` counters at ``price``: whose turn it is first, then the currency of the offer."""
    moved = counter(negotiation, by, now, validity)
    check_counter_currency(price, offered_in)
    return Outcome(moved, (license_.event(LicenseCountered, moved.status),))


def accept_offer(license_: LicenseRef, negotiation: Negotiation, by: Party, now: datetime) -> Outcome:
    moved = accept(negotiation, by, now)
    return Outcome(moved, (license_.event(LicenseAccepted, moved.status),))


def decline_offer(license_: LicenseRef, negotiation: Negotiation, by: Party, now: datetime) -> Outcome:
    moved = decline(negotiation, by, now)
    return Outcome(moved, (license_.event(LicenseDeclined, moved.status),))


def cancel_offer(license_: LicenseRef, negotiation: Negotiation, by: Party) -> Outcome:
    moved = cancel(negotiation, by)
    return Outcome(moved, (license_.event(LicenseCancelled, moved.status),))


def withdraw_offer(license_: LicenseRef, negotiation: Negotiation) -> Outcome:
    """The photo is being deleted: an offer still open on it is declined for both sides, whoever's turn it was."""
    moved = replace(negotiation, status=LicenseStatus.DECLINED)
    return Outcome(moved, (license_.event(LicenseDeclined, moved.status),))


def expire(negotiation: Negotiation, now: datetime) -> Negotiation | None:
    """The sweep's move: an open offer past its time becomes EXPIRED; anything else is left alone."""
    if negotiation.status in OPEN and now >= negotiation.expires_at:
        return replace(negotiation, status=LicenseStatus.EXPIRED)
    return None


@dataclass(frozen=True)
class RunningLicense:
    """A license in force (or about to be): its terms and when it ends (None: never)."""

    terms: Terms
    ends_at: datetime | None


def exclusivity_conflict(proposed: Terms, running: list[RunningLicense], now: datetime) -> str | None:
    """Why ``proposed`` cannot be offered next to the licenses in force, or None when it can.

    An exclusive license held by someone else blocks what overlaps it; the proposal's own exclusivity
    also cannot be granted over a license already running in the same place.
    """
    for license_ in running:
        if license_.ends_at is not None and license_.ends_at <= now:
            continue
        held = license_.terms
        if not _territories_overlap(held, proposed):
            continue
        if held.exclusivity is Exclusivity.FULL:
            return "An exclusive license on this photo is in force where this offer would apply."
        if proposed.exclusivity is Exclusivity.FULL:
            return "Another license on this photo is in force where this offer would apply: it cannot be exclusive."
        if Exclusivity.CATEGORY in (held.exclusivity, proposed.exclusivity) and (
            held.usage is proposed.usage and held.media & proposed.media
        ):
            if held.exclusivity is Exclusivity.CATEGORY:
                return "A license exclusive to this usage and media is in force where this offer would apply."
            return (
                "Another license for this usage and media is in force where this offer would apply: "
                "it cannot be exclusive to them."
            )
    return None


def _territories_overlap(first: Terms, second: Terms) -> bool:
    return first.worldwide or second.worldwide or bool(first.territories & second.territories)


MAX_SIGNATURE_NAME = 200


def content_hash(snapshot: dict[str, Any]) -> str:
    """SHA-256 of the snapshot's canonical JSON: the same terms always give the same hash."""
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Signatory:
    """A party as the contract names it."""

    user_id: UUID
    first_name: str
    last_name: str
    username: str
    # The brand's company, when its account names one: the licensee is then the company, the person signs for it.
    company: str | None = None

    def snapshot(self) -> dict[str, str]:
        name = f"{self.first_name} {self.last_name}".strip()
        snapshot = {"id": str(self.user_id), "name": name, "username": self.username}
        return snapshot | ({"company": self.company} if self.company else {})


@dataclass(frozen=True)
class ContractDraft:
    """The contract of an accepted license: what was agreed (frozen as JSON), its hash, and the text to sign."""

    snapshot: dict[str, Any]
    content_hash: str
    text: str


def draft_contract(
    license_id: UUID,
    accepted_at: datetime,
    photo_id: UUID,
    photo_title: str,
    brand: Signatory,
    photographer: Signatory,
    terms: Terms,
    references: BuyerReferences | None = None,
) -> ContractDraft:
    """The contract both parties sign, frozen at acceptance: later changes to names or the photo do not alter it."""
    snapshot: dict[str, Any] = {
        "licenseId": str(license_id),
        "acceptedAt": accepted_at.isoformat(),
        "photo": {"id": str(photo_id), "title": photo_title},
        "brand": brand.snapshot(),
        "photographer": photographer.snapshot(),
        "terms": terms_snapshot(terms),
    }
    if references is not None and references.items():
        snapshot["references"] = references.snapshot()
    digest = content_hash(snapshot)
    return ContractDraft(snapshot, digest, contract_text(snapshot, digest))


@dataclass(frozen=True)
class Signing:
    """A contract after a signature: who has signed, its status, the cleaned name, the license's status once
    the contract is signed by both (None before), and the events."""

    signed: frozenset[Party]
    status: ContractStatus
    name: str
    license_status: LicenseStatus | None
    events: tuple[Event, ...]


def sign_contract(
    license_: LicenseRef, contract_id: UUID, signed: frozenset[Party], by: Party, signature_name: str
) -> Signing:
    """``by`` signs; the second signature puts the license in AWAITING_PAYMENT and says so (contract.signed)."""
    now_signed, status, name = sign(signed, by, signature_name)
    if status is not ContractStatus.SIGNED:
        return Signing(now_signed, status, name, None, ())
    event = ContractSigned(
        contract_id=contract_id,
        license_id=license_.license_id,
        audience=(license_.brand_id, license_.photographer_id),
    )
    return Signing(now_signed, status, name, LicenseStatus.AWAITING_PAYMENT, (event,))


def clean_signature_name(signature_name: str) -> str:
    """A signature is the signer's full name, spaces collapsed (studio contracts sign the same way)."""
    name = " ".join(signature_name.split())
    if not name or len(name) > MAX_SIGNATURE_NAME:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"Sign with your full name (1 to {MAX_SIGNATURE_NAME} characters).",
            ["signatureName"],
        )
    return name


def sign(signed: frozenset[Party], by: Party, signature_name: str) -> tuple[frozenset[Party], ContractStatus, str]:
    """Records ``by``'s signature; answers who has signed, the contract's status and the cleaned name."""
    name = clean_signature_name(signature_name)
    if by in signed:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "You have signed this contract already.")
    now_signed = signed | {by}
    status = (
        ContractStatus.SIGNED if now_signed == {Party.BRAND, Party.PHOTOGRAPHER} else ContractStatus.AWAITING_SIGNATURES
    )
    return now_signed, status, name


def contract_text(snapshot: dict[str, Any], digest: str) -> str:
    """The human-readable contract both parties sign; it states the hash of the terms it renders."""
    terms = terms_from_snapshot(snapshot["terms"])
    brand, photographer, photo = snapshot["brand"], snapshot["photographer"], snapshot["photo"]
    territory = "worldwide" if terms.worldwide else ", ".join(sorted(terms.territories))
    duration = "perpetual" if terms.duration_days is None else f"{terms.duration_days} days from payment"
    media = ", ".join(sorted(medium.value.replace("_", " ").lower() for medium in terms.media))
    references = BuyerReferences.from_snapshot(snapshot.get("references")).items()
    return "\n".join(
        [
            "PHOTO LICENSE AGREEMENT",
            "",
            f"License {snapshot['licenseId']}, agreed {snapshot['acceptedAt']}.",
            "",
            f"Licensor: {photographer['name']} (@{photographer['username']}), the photographer.",
            licensee_line(brand),
            f'Photo: "{photo["title"]}" ({photo["id"]}).',
            *[f"{label}: {value}." for label, value in references],
            "",
            f"Usage: {terms.usage.value.lower()}.",
            f"Media: {media}.",
            f"Territory: {territory}.",
            f"Duration: {duration}.",
            f"Exclusivity: {terms.exclusivity.value.lower()}.",
            f"Fee: {terms.price.formatted()}, due before the license takes effect.",
            *([f"Further terms: {terms.custom_terms}"] if terms.custom_terms else []),
            "",
            "The licensor grants the licensee a license to reproduce the photo within these terms only. The "
            "licensor keeps the copyright. The license takes effect when the fee is paid.",
            "",
            f"Terms digest (SHA-256): {digest}",
        ]
    )


def party_name(party: dict[str, str]) -> str:
    """A contract party as documents name it: ``Acme Ltd, represented by Jane Doe (@jane)``, or the person alone."""
    person = f"{party['name']} (@{party['username']})"
    return f"{party['company']}, represented by {person}" if party.get("company") else person


def licensee_line(brand: dict[str, str]) -> str:
    """The contract's licensee: the brand's company, signed for by the person, or the person alone."""
    if brand.get("company"):
        return f"Licensee: {party_name(brand)}, who signs for it; the brand."
    return f"Licensee: {party_name(brand)}, the brand."
