"""The photographer's embedded text, price bands and the enterprise filter's checks: pure rules."""

from __future__ import annotations

import pytest

from lensgraph.adapters.imaging import decode_text
from lensgraph.domain.discovery import (
    PRICE_BAND_EDGES,
    PhotoFilter,
    clean_filter,
    price_band,
    price_band_name,
)
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.licensing import PhotoLicenseOffer, Usage, check_photo_offer
from lensgraph.domain.money import Currency, Money
from lensgraph.domain.photos import MAX_KEYWORDS, MAX_TITLE, EmbeddedText, PhotoText, with_embedded_text

FILE = EmbeddedText(title="Astronaut", caption="A spacesuit\x07 glints", keywords=("Spacesuit", "moon", "spacesuit"))


def test_embedded_text_fills_only_what_the_owner_left_empty():
    assert with_embedded_text(PhotoText("", "", []), FILE) == PhotoText(
        "Astronaut", "A spacesuit glints", ["spacesuit", "moon"]
    )
    typed = PhotoText("Mine", "My words", ["rocket"])
    assert with_embedded_text(typed, FILE) == typed
    assert with_embedded_text(PhotoText("Mine", "", []), FILE).title == "Mine"


def test_embedded_text_is_cut_and_cleaned_never_refused():
    hostile = EmbeddedText(
        title="x" * 500, caption="line one\n\n\x00line two", keywords=("ok", "", "y" * 80, *map(str, range(99)))
    )
    text = with_embedded_text(PhotoText("", "", []), hostile)
    assert len(text.title) == MAX_TITLE
    assert text.description == "line one\n\nline two"
    assert text.keywords[0] == "ok" and len(text.keywords) == MAX_KEYWORDS and "y" * 80 not in text.keywords


def test_iptc_bytes_are_decoded_as_declared_else_utf8_else_cp1252():
    assert decode_text("Zürich".encode(), utf8=True) == "Zürich"
    assert decode_text("Zürich".encode()) == "Zürich"
    assert decode_text("Zürich".encode("latin-1")) == "Zürich"
    assert decode_text(b"caf\xe9 \x80") == "café €"
    assert decode_text(b"\xff\xfe", utf8=True) == "\ufffd\ufffd"


@pytest.mark.parametrize(
    ("major", "band", "name"),
    [(None, None, None), (0, 0, "EUR 0-50"), (49, 0, "EUR 0-50"), (50, 1, "EUR 50-200"), (999, 3, "EUR 500-1000"),
     (1000, 4, "EUR 1000+"), (10**9, 4, "EUR 1000+")],
)  # fmt: skip
def test_price_bands(major, band, name):
    assert price_band(major) == band
    assert price_band_name(Currency.EUR, band) == name
    assert len(PRICE_BAND_EDGES) == 4


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (PhotoFilter(price_currency=Currency.EUR, min_price=10, max_price=5), ["filter", "price", "max"]),
        (PhotoFilter(price_currency=Currency.EUR, min_price=-1), ["filter", "price", "min"]),
        (PhotoFilter(min_price=1), ["filter", "price"]),
    ],
)
def test_a_price_range_upside_down_below_zero_or_without_currency_is_refused(given, field):
    with pytest.raises(DomainError) as refused:
        clean_filter(given)
    assert refused.value.code is ErrorCode.INVALID_INPUT and refused.value.field == field


def test_an_equal_price_range_is_fine():
    assert clean_filter(PhotoFilter(price_currency=Currency.EUR, min_price=5, max_price=5)).max_price == 5


def test_a_license_offer_names_a_usage_for_a_price_or_exclusivity_and_prices_above_zero():
    offer = PhotoLicenseOffer(frozenset({Usage.COMMERCIAL}), Money(1000, Currency.EUR), exclusive_available=True)
    assert check_photo_offer(offer) == offer
    assert check_photo_offer(PhotoLicenseOffer()) == PhotoLicenseOffer()
    for refused_offer, field in [
        (PhotoLicenseOffer(frozenset(), Money(1000, Currency.EUR)), ["licenseOffer", "usages"]),
        (PhotoLicenseOffer(frozenset(), None, exclusive_available=True), ["licenseOffer", "usages"]),
        (PhotoLicenseOffer(frozenset({Usage.PERSONAL}), Money(0, Currency.EUR)), ["licenseOffer", "price"]),
    ]:
        with pytest.raises(DomainError) as refused:
            check_photo_offer(refused_offer)
        assert refused.value.code is ErrorCode.INVALID_INPUT and refused.value.field == field
