"""The marketplace's pure rules: listing terms, who may list and buy, the download window, sales figures, and
when a catalogue photo is the verified image."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from lensgraph.domain.analytics import window
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.marketplace import (
    LicenseTier,
    PurchaseStatus,
    TierOffer,
    VerificationFacts,
    check_downloadable,
    check_listable,
    complete,
    listing_terms,
    offer_for,
    sales_figures,
    same_image,
)
from lensgraph.domain.money import Currency, Money

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def refusal(call, *args) -> tuple[ErrorCode, list[str] | None]:
    with pytest.raises(DomainError) as refused:
        call(*args)
    return refused.value.code, refused.value.field


def test_listing_terms_are_cleaned_and_tiers_ordered():
    terms = listing_terms(
        "  Dunes ",
        "",
        "usd",
        [TierOffer(LicenseTier.EXTENDED, 9000, " all "), TierOffer(LicenseTier.PERSONAL, 500, "")],
    )
    assert (terms.title, terms.currency, terms.lowest_price) == ("Dunes", Currency.USD, 500)
    assert [offer.tier for offer in terms.tiers] == [LicenseTier.PERSONAL, LicenseTier.EXTENDED]
    assert terms.tiers[1].terms == "all"


@pytest.mark.parametrize(
    ("currency", "tiers", "expected"),
    [
        ("EUR", [], (ErrorCode.INVALID_INPUT, ["tiers"])),
        ("EUR", [TierOffer(LicenseTier.PERSONAL, None, "")], (ErrorCode.UNPRICED_TIER, ["tiers", "0", "price"])),
        ("EUR", [TierOffer(LicenseTier.PERSONAL, -1, "")], (ErrorCode.UNPRICED_TIER, ["tiers", "0", "price"])),
        ("RUB", [TierOffer(LicenseTier.PERSONAL, 1, "")], (ErrorCode.INVALID_INPUT, ["currency"])),
        ("EUR", [TierOffer(LicenseTier.PERSONAL, 1, "a\x00b")], (ErrorCode.INVALID_INPUT, ["tiers", "0", "terms"])),
    ],
)
def test_listing_terms_refusals(currency, tiers, expected):
    assert refusal(listing_terms, "Title", "", currency, tiers) == expected


def test_only_the_owners_completed_authentic_verification_is_listable():
    owner = uuid4()
    proven = VerificationFacts(owner, completed=True, failed=False, authentic=True)
    check_listable(owner, proven)
    field = ["verificationId"]
    assert refusal(check_listable, uuid4(), proven) == (ErrorCode.NOT_FOUND, field)
    assert refusal(check_listable, owner, None) == (ErrorCode.NOT_FOUND, field)
    failed = VerificationFacts(owner, completed=False, failed=True, authentic=None)
    assert refusal(check_listable, owner, failed) == (ErrorCode.VERIFICATION_FAILED, field)
    running = VerificationFacts(owner, completed=False, failed=False, authentic=None)
    assert refusal(check_listable, owner, running) == (ErrorCode.INVALID_TRANSITION, field)
    forged = VerificationFacts(owner, completed=True, failed=False, authentic=False)
    assert refusal(check_listable, owner, forged) == (ErrorCode.NOT_AUTHENTIC, field)


def test_what_a_buyer_may_buy():
    seller, buyer = uuid4(), uuid4()
    offers = [TierOffer(LicenseTier.PERSONAL, 100, "p")]
    assert offer_for(buyer, seller, True, offers, LicenseTier.PERSONAL).price == 100
    assert refusal(offer_for, seller, seller, True, offers, LicenseTier.PERSONAL)[0] is ErrorCode.OWN_LISTING
    assert refusal(offer_for, buyer, seller, True, offers, LicenseTier.EDITORIAL) == (
        ErrorCode.TIER_NOT_OFFERED,
        ["tier"],
    )
    assert refusal(offer_for, buyer, seller, False, offers, LicenseTier.PERSONAL)[0] is ErrorCode.INVALID_TRANSITION


def test_a_purchase_completes_once_and_downloads_within_its_window():
    assert complete(PurchaseStatus.PENDING) is PurchaseStatus.COMPLETED
    assert refusal(complete, PurchaseStatus.COMPLETED)[0] is ErrorCode.INVALID_TRANSITION
    assert refusal(complete, PurchaseStatus.FAILED)[0] is ErrorCode.INVALID_TRANSITION
    ends = NOW + timedelta(days=30)
    check_downloadable(PurchaseStatus.COMPLETED, ends, ends - timedelta(microseconds=1))
    assert refusal(check_downloadable, PurchaseStatus.PENDING, None, NOW)[0] is ErrorCode.PAYMENT_PENDING
    assert refusal(check_downloadable, PurchaseStatus.COMPLETED, ends, ends)[0] is ErrorCode.DOWNLOAD_EXPIRED
    assert refusal(check_downloadable, PurchaseStatus.FAILED, None, NOW)[0] is ErrorCode.INVALID_TRANSITION


def test_sales_figures_fill_every_day():
    chosen = window(date(2026, 12, 1), date(2026, 12, 3))
    figures = sales_figures(chosen, Currency.EUR, [(date(2026, 12, 2), 2, 3000)])
    assert (figures.total_sales, figures.total_revenue) == (2, Money(3000, Currency.EUR))
    assert [(day.day.day, day.count, day.revenue) for day in figures.daily] == [(1, 0, 0), (2, 2, 3000), (3, 0, 0)]


def test_same_image_by_hash_or_close_perceptual_hash():
    assert same_image("a" * 64, None, "a" * 64, None)
    assert same_image(None, "ffffffffffffffff", None, "fffffffffffffff0")  # 4 bits apart
    assert same_image(None, "ffffffffffffffff", None, "ffffffffffffffc0")  # 6 bits apart: the limit
    assert not same_image(None, "ffffffffffffffff", None, "ffffffffffffff00")  # 8 bits apart
    assert not same_image("a" * 64, "ffff", "b" * 64, "ffffffffffffffff")
    assert not same_image(None, None, None, None)
    assert not same_image(None, "not-hex-at-all!!", None, "ffffffffffffffff")
