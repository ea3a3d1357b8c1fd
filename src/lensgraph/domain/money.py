"""Money in minor units, in the 28 currencies the marketplace settles in."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from lensgraph.domain.errors import DomainError, ErrorCode


class Currency(Enum):
    USD = "USD"
    CAD = "CAD"
    MXN = "MXN"
    EUR = "EUR"
    GBP = "GBP"
    CHF = "CHF"
    SEK = "SEK"
    NOK = "NOK"
    DKK = "DKK"
    PLN = "PLN"
    CZK = "CZK"
    HUF = "HUF"
    RON = "RON"
    BGN = "BGN"
    AUD = "AUD"
    NZD = "NZD"
    JPY = "JPY"
    SGD = "SGD"
    HKD = "HKD"
    KRW = "KRW"
    CNY = "CNY"
    INR = "INR"
    THB = "THB"
    MYR = "MYR"
    BRL = "BRL"
    AED = "AED"
    ZAR = "ZAR"
    ILS = "ILS"


ZERO_DECIMAL = frozenset({Currency.JPY, Currency.KRW})


def minor_unit_exponent(currency: Currency) -> int:
    return 0 if currency in ZERO_DECIMAL else 2


@dataclass(frozen=True)
class Money:
    amount: int
    currency: Currency

    def formatted(self) -> str:
        """``12.50 EUR``, ``1,500 JPY``: unambiguous in every locale."""
        exponent = minor_unit_exponent(self.currency)
        if exponent == 0:
            return f"{self.amount:,} {self.currency.value}"
        sign = "-" if self.amount < 0 else ""
        major, minor = divmod(abs(self.amount), 10**exponent)
        return f"{sign}{major:,}.{minor:0{exponent}d} {self.currency.value}"


def parse_currency(code: str, field: str = "currency") -> Currency:
    try:
        return Currency(code.upper())
    except ValueError:
        raise DomainError(ErrorCode.INVALID_INPUT, f"{code!r} is not a supported currency.", [field]) from None


def parse_amount(text: str, currency: Currency, field: str = "amount") -> int:
    """An amount as a person types it ("150", "150.5", "1,500.00"; "1500" yen) in minor units: at most as many
    decimals as the currency has, no sign, no other characters."""
    exponent = minor_unit_exponent(currency)
    cleaned = text.strip().replace(",", "").replace(" ", "")
    major, _, minor = cleaned.partition(".")
    if not major.isdigit() or (minor and not minor.isdigit()) or len(minor) > exponent or cleaned.endswith("."):
        places = f"with at most {exponent} decimals" if exponent else "in whole units"
        raise DomainError(ErrorCode.INVALID_INPUT, f"Give the amount as a number {places}.", [field])
    return int(major + minor.ljust(exponent, "0"))
