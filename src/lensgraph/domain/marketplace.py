"""The verified-photo marketplace: listings of authentic verifications under four license tiers, purchases, the
download window, the license written into the file, sales figures, and the verified badge of catalogue photos.

A listing sells what a verification proved: only its owner's COMPLETED, authentic verification can be listed, once
at a time. A purchase is paid through the same Stripe checkout as a license; once paid, its buyer may download the
original, with the license in its metadata, for ``download_days``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from uuid import UUID

from lensgraph.domain.analytics import DayCount, Window
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.money import Currency, Money, parse_currency
from lensgraph.domain.photos import CONTROL_CHARACTERS, DUPLICATE_DISTANCE

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_TERMS = 2000
# Stripe's largest amount for a card charge is 99,999,999 minor units (eight digits).
MAX_PRICE = 99_999_999
DEFAULT_DOWNLOAD_DAYS = 30


class LicenseTier(Enum):
    PERSONAL = "PERSONAL"
    COMMERCIAL = "COMMERCIAL"
    EDITORIAL = "EDITORIAL"
    EXTENDED = "EXTENDED"


class PurchaseStatus(Enum):
    # Checkout open: nothing may be downloaded yet.
    PENDING = "PENDING"
    # Paid: the buyer may download within the window.
    COMPLETED = "COMPLETED"
    # The checkout closed unpaid.
    FAILED = "FAILED"
    # Paid, then refunded in full: the license and its downloads end.
    REFUNDED = "REFUNDED"


class ListingOrder(Enum):
    NEWEST = "NEWEST"
    PRICE_LOW_TO_HIGH = "PRICE_LOW_TO_HIGH"
    PRICE_HIGH_TO_LOW = "PRICE_HIGH_TO_LOW"
    BEST_SELLING = "BEST_SELLING"


# Listings -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierOffer:
    """One tier of a listing: its price (minor units of the listing's currency) and its license terms."""

    tier: LicenseTier
    price: int | None
    terms: str


@dataclass(frozen=True)
class ListingTerms:
    """A listing's checked content: what ``createListing`` and ``updateListing`` write."""

    title: str
    description: str
    currency: Currency
    tiers: tuple[TierOffer, ...]

    @property
    def lowest_price(self) -> int:
        return min(offer.price or 0 for offer in self.tiers)


def _text(value: str, limit: int, field: Sequence[str], what: str, *, required: bool) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Give the listing a {what}.", field)
    if len(cleaned) > limit:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {limit} characters for the {what}.", field)
    if CONTROL_CHARACTERS.search(cleaned.replace("\n", " ").replace("\t", " ")):
        raise DomainError(ErrorCode.INVALID_INPUT, f"The {what} holds control characters.", field)
    return cleaned


def listing_terms(title: str, description: str, currency: str, tiers: Sequence[TierOffer]) -> ListingTerms:
    """Checks a listing as the seller gave it: a currency of the 28, at least one tier, each tier once and priced."""
    chosen = parse_currency(currency)
    if not tiers:
        raise DomainError(ErrorCode.INVALID_INPUT, "Offer at least one license tier, with its price.", ["tiers"])
    seen: set[LicenseTier] = set()
    offers = []
    for index, offer in enumerate(tiers):
        path = ["tiers", str(index)]
        if offer.tier in seen:
            raise DomainError(
                ErrorCode.INVALID_INPUT, f"The {offer.tier.value} tier is offered twice.", [*path, "tier"]
            )
        seen.add(offer.tier)
        if offer.price is None or offer.price < 1:
            raise DomainError(
                ErrorCode.UNPRICED_TIER, f"Give the {offer.tier.value} tier a price above zero.", [*path, "price"]
            )
        if offer.price > MAX_PRICE:
            raise DomainError(ErrorCode.INVALID_INPUT, f"A price is at most {MAX_PRICE} minor units.", [*path, "price"])
        terms = _text(offer.terms, MAX_TERMS, [*path, "terms"], "license terms", required=False)
        offers.append(TierOffer(offer.tier, offer.price, terms))
    return ListingTerms(
        title=_text(title, MAX_TITLE, ["title"], "title", required=True),
        description=_text(description, MAX_DESCRIPTION, ["description"], "description", required=False),
        currency=chosen,
        tiers=tuple(sorted(offers, key=lambda offer: list(LicenseTier).index(offer.tier))),
    )


@dataclass(frozen=True)
class VerificationFacts:
    """What listing a verification depends on: who owns it, whether it finished, and its verdict."""

    owner_id: UUID
    completed: bool
    failed: bool
    authentic: bool | None


def check_listable(viewer_id: UUID, verification: VerificationFacts | None) -> None:
    """Only the owner's COMPLETED verification that found the photo authentic is sold; someone else's is not found."""
    field = ["verificationId"]
    if verification is None or verification.owner_id != viewer_id:
        raise DomainError(ErrorCode.NOT_FOUND, "No verification of yours has this ID.", field)
    if verification.failed:
        raise DomainError(
            ErrorCode.VERIFICATION_FAILED, "This verification failed: only a completed, authentic one is sold.", field
        )
    if not verification.completed:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION, "This verification has not finished: list it once it is completed.", field
        )
    if verification.authentic is not True:
        raise DomainError(
            ErrorCode.NOT_AUTHENTIC, "This verification did not find the photo authentic: it cannot be sold.", field
        )


def check_editable(viewer_id: UUID, seller_id: UUID, active: bool) -> None:
    if viewer_id != seller_id:
        raise DomainError(ErrorCode.NOT_FOUND, "No listing of yours has this ID.", ["listingId"])
    if not active:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "This listing is deactivated: create a new one.", ["listingId"])


# Purchases ----------------------------------------------------------------------------------------


def offer_for(
    buyer_id: UUID, seller_id: UUID, active: bool, offers: Iterable[TierOffer], tier: LicenseTier
) -> TierOffer:
    """The tier a buyer asks for, on a listing on sale by someone else."""
    if not active:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "This listing is no longer on sale.", ["listingId"])
    if buyer_id == seller_id:
        raise DomainError(ErrorCode.OWN_LISTING, "This is your own listing: you cannot buy it.", ["listingId"])
    found = next((offer for offer in offers if offer.tier is tier and offer.price), None)
    if found is None:
        raise DomainError(ErrorCode.TIER_NOT_OFFERED, f"This listing does not offer the {tier.value} tier.", ["tier"])
    return found


def download_expires_at(paid_at: datetime, download_days: int) -> datetime:
    return paid_at + timedelta(days=download_days)


def complete(status: PurchaseStatus) -> PurchaseStatus:
    """A pending purchase completes once, on payment."""
    if status is not PurchaseStatus.PENDING:
        raise DomainError(ErrorCode.INVALID_TRANSITION, f"A {status.value.lower()} purchase cannot complete.")
    return PurchaseStatus.COMPLETED


def check_downloadable(status: PurchaseStatus, expires_at: datetime | None, now: datetime) -> None:
    """Paid, and within its window."""
    if status is PurchaseStatus.PENDING:
        raise DomainError(ErrorCode.PAYMENT_PENDING, "This purchase is not paid yet.", ["purchaseId"])
    if status is PurchaseStatus.REFUNDED:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION, "This purchase was refunded: its license ended.", ["purchaseId"]
        )
    if status is not PurchaseStatus.COMPLETED or expires_at is None:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "This purchase was not paid: buy again.", ["purchaseId"])
    if now >= expires_at:
        raise DomainError(
            ErrorCode.DOWNLOAD_EXPIRED, "The download window of this purchase has closed.", ["purchaseId"]
        )


@dataclass(frozen=True)
class LicenseNotice:
    """What the licensed copy says about itself, in its XMP and IPTC: who may use it, how, and under which proof."""

    purchase_id: UUID
    buyer: str
    seller: str
    tier: LicenseTier
    terms: str
    verification_code: str
    price: Money
    licensed_at: datetime

    def rights(self) -> str:
        return f"© {self.seller}. Licensed to {self.buyer} ({self.tier.value.lower()} license)."

    def usage_terms(self) -> str:
        terms = self.terms or "No further terms were given."
        return (
            f"{self.tier.value.title()} license for {self.buyer}, purchase {self.purchase_id}, "
            f"photo verified authentic by Lensgraph ({self.verification_code}). {terms}"
        )

    def facts(self) -> dict[str, str]:
        return {
            "PurchaseId": str(self.purchase_id),
            "Licensee": self.buyer,
            "Licensor": self.seller,
            "Tier": self.tier.value,
            "Terms": self.terms,
            "VerificationCode": self.verification_code,
            "Price": self.price.formatted(),
            "LicensedAt": self.licensed_at.isoformat(),
        }


# Sales figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DaySales:
    day: date
    count: int
    revenue: int


@dataclass(frozen=True)
class SalesFigures:
    total_sales: int
    total_revenue: Money
    daily: list[DaySales]


def sales_figures(chosen: Window, currency: Currency, rows: Iterable[tuple[date, int, int]]) -> SalesFigures:
    """(day, sales, revenue) rows as a GROUP BY gives them: totals and one entry per day of the window."""
    by_day = {day: (count, revenue) for day, count, revenue in rows}
    daily = [DaySales(item.day, *by_day.get(item.day, (0, 0))) for item in _days(chosen)]
    return SalesFigures(sum(item.count for item in daily), Money(sum(item.revenue for item in daily), currency), daily)


def _days(chosen: Window) -> list[DayCount]:
    return [DayCount(day, 0) for day in chosen.dates()]


# Verified badge -----------------------------------------------------------------------------------


def hamming(first: str, second: str) -> int:
    """Bits that differ between two hex perceptual hashes."""
    return (int(first, 16) ^ int(second, 16)).bit_count()


def same_image(
    photo_sha256: str | None, photo_phash: str | None, image_sha256: str | None, image_phash: str | None
) -> bool:
    """A catalogue photo shows a verified JPEG when it is that file (same SHA-256) or the same picture, resized or
    recompressed (perceptual hashes within ``DUPLICATE_DISTANCE`` bits, as duplicates are found)."""
    if photo_sha256 and image_sha256 and photo_sha256 == image_sha256:
        return True
    if not photo_phash or not image_phash or len(photo_phash) != len(image_phash):
        return False
    try:
        return hamming(photo_phash, image_phash) <= DUPLICATE_DISTANCE
    except ValueError:
        return False
