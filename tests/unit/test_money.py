"""Money: formatting in minor units and currency parsing."""

from __future__ import annotations

import pytest

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.money import Currency, Money, minor_unit_exponent, parse_amount, parse_currency


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (0, "0.00 EUR"),
        (1, "0.01 EUR"),
        (5, "0.05 EUR"),
        (99, "0.99 EUR"),
        (100, "1.00 EUR"),
        (1250, "12.50 EUR"),
        (99_999, "999.99 EUR"),
        (100_000, "1,000.00 EUR"),
        (123_456_789, "1,234,567.89 EUR"),
        (-1, "-0.01 EUR"),
        (-5, "-0.05 EUR"),
        (-1250, "-12.50 EUR"),
        (-123_456_789, "-1,234,567.89 EUR"),
    ],
)
def test_eur_has_two_decimals_and_thousands_separators(amount, expected):
    assert Money(amount, Currency.EUR).formatted() == expected


@pytest.mark.parametrize("currency", [Currency.USD, Currency.GBP, Currency.CHF, Currency.INR])
def test_other_two_decimal_currencies(currency):
    assert Money(150_000, currency).formatted() == f"1,500.00 {currency.value}"


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (0, Currency.JPY, "0 JPY"),
        (1, Currency.JPY, "1 JPY"),
        (1500, Currency.JPY, "1,500 JPY"),
        (1_234_567, Currency.JPY, "1,234,567 JPY"),
        (-1500, Currency.JPY, "-1,500 JPY"),
        (0, Currency.KRW, "0 KRW"),
        (999, Currency.KRW, "999 KRW"),
        (50_000, Currency.KRW, "50,000 KRW"),
        (-7, Currency.KRW, "-7 KRW"),
    ],
)
def test_zero_decimal_currencies_have_no_fraction(amount, currency, expected):
    assert Money(amount, currency).formatted() == expected


def test_only_jpy_and_krw_are_zero_decimal():
    zero = {currency for currency in Currency if minor_unit_exponent(currency) == 0}
    assert zero == {Currency.JPY, Currency.KRW}
    assert all(minor_unit_exponent(c) == 2 for c in Currency if c not in zero)


def test_exactly_28_currencies():
    assert len(Currency) == 28
    assert len({c.value for c in Currency}) == 28
    assert all(c.name == c.value and len(c.value) == 3 and c.value.isupper() for c in Currency)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("EUR", Currency.EUR),
        ("eur", Currency.EUR),
        ("Eur", Currency.EUR),
        ("jPy", Currency.JPY),
        ("ils", Currency.ILS),
    ],
)
def test_parse_currency_is_case_insensitive(code, expected):
    assert parse_currency(code) is expected


@pytest.mark.parametrize("currency", list(Currency))
def test_every_currency_parses_from_its_code(currency):
    assert parse_currency(currency.value.lower()) is currency


@pytest.mark.parametrize("code", ["", "XYZ", "EU", "EURO", "BTC", "RUB", "TRY"])
def test_unknown_currency_is_invalid_on_default_field(code):
    with pytest.raises(DomainError) as caught:
        parse_currency(code)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == ["currency"]


def test_unknown_currency_is_invalid_on_given_field():
    with pytest.raises(DomainError) as caught:
        parse_currency("xyz", field="payoutCurrency")
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == ["payoutCurrency"]
    assert "xyz" in caught.value.message


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [
        ("150", Currency.EUR, 15000),
        ("150.5", Currency.EUR, 15050),
        (" 1,500.05 ", Currency.USD, 150005),
        ("0.01", Currency.GBP, 1),
        ("1500", Currency.JPY, 1500),
        ("1,500", Currency.KRW, 1500),
    ],
)
def test_a_typed_amount_becomes_minor_units(typed, currency, minor):
    assert parse_amount(typed, currency) == minor


@pytest.mark.parametrize(
    ("typed", "currency"),
    [
        ("", Currency.EUR),
        ("-5", Currency.EUR),
        ("1.234", Currency.EUR),
        ("1.5", Currency.JPY),
        ("1e3", Currency.EUR),
        ("12.", Currency.EUR),
        (".5", Currency.EUR),
        ("five", Currency.EUR),
    ],
)
def test_a_bad_typed_amount_is_refused(typed, currency):
    with pytest.raises(DomainError) as refused:
        parse_amount(typed, currency)
    assert refused.value.code is ErrorCode.INVALID_INPUT and refused.value.field == ["amount"]
