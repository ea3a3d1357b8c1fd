"""Terms as buyers write them (custom terms, references, the company as licensee), list searches, and the receipt
and statement of a payment: pure rules."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from lensgraph.domain import license_references as references_rules
from lensgraph.domain import licensing as rules
from lensgraph.domain import payments as payment_rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.license_references import BuyerReferences
from lensgraph.domain.licensing import Exclusivity, Medium, Signatory, Terms, Usage
from lensgraph.domain.money import Currency, Money
from lensgraph.domain.pagination import check_search

TERMS = Terms(Usage.EDITORIAL, frozenset({Medium.WEB}), frozenset(), None, Exclusivity.NONE, Money(100, Currency.EUR))


def refused(call, *args) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args)
    return caught.value


def test_references_are_trimmed_emptied_and_bounded():
    cleaned = references_rules.check_references(BuyerReferences("  PO   42 ", "", None))
    assert cleaned == BuyerReferences("PO 42", None, None)
    assert cleaned.items() == [("Purchase order", "PO 42")]
    assert references_rules.check_references(BuyerReferences(client="c" * 200)).client == "c" * 200
    error = refused(references_rules.check_references, BuyerReferences(client="c" * 201))
    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, ["references", "client"])
    assert refused(references_rules.check_reference_filter, "r" * 201).field == ["filter", "reference"]
    assert references_rules.check_reference_filter("  ") is None


def test_custom_terms_are_bounded_and_kept_out_of_snapshots_without_them():
    assert rules.check_terms(TERMS).custom_terms == ""
    assert "customTerms" not in rules.terms_snapshot(TERMS)
    worded = rules.check_terms(Terms(**{**TERMS.__dict__, "custom_terms": "  Print run 5,000. "}))
    assert worded.custom_terms == "Print run 5,000."
    assert rules.terms_from_snapshot(rules.terms_snapshot(worded)) == worded
    error = refused(rules.check_terms, Terms(**{**TERMS.__dict__, "custom_terms": "x" * 4001}))
    assert error.field == ["terms", "customTerms"]


def test_the_contract_names_the_company_the_signer_and_the_references():
    brand = Signatory(uuid4(), "Jane", "Buyer", "jane", "Northwind Ltd")
    photographer = Signatory(uuid4(), "Ann", "Shooter", "ann")
    draft = rules.draft_contract(
        uuid4(),
        datetime(2026, 12, 5, tzinfo=UTC),
        uuid4(),
        "Harbour",
        brand,
        photographer,
        Terms(**{**TERMS.__dict__, "custom_terms": "Print run 5,000."}),
        BuyerReferences("PO-7", None, "Oasis"),
    )
    assert "Licensee: Northwind Ltd, represented by Jane Buyer (@jane), who signs for it; the brand." in draft.text
    assert "Purchase order: PO-7." in draft.text and "Client: Oasis." in draft.text
    assert "Further terms: Print run 5,000." in draft.text
    plain = rules.draft_contract(
        uuid4(), datetime(2026, 12, 5, tzinfo=UTC), uuid4(), "Harbour", photographer, brand, TERMS
    )
    assert "Licensee: Ann Shooter (@ann), the brand." in plain.text and "references" not in plain.snapshot


def test_searches_are_bounded():
    assert check_search("  two   words ") == "two words"
    assert check_search("") is None
    assert refused(check_search, "s" * 201).field == ["search"]


def test_the_statement_shows_fee_share_and_payout_and_the_receipt_does_not():
    facts = payment_rules.ReceiptFacts(
        payment_id="p",
        license_id="l",
        photo_title="Harbour",
        paid_at=datetime(2026, 12, 5, tzinfo=UTC),
        amount=Money(25_000, Currency.EUR),
        refunded=Money(0, Currency.EUR),
        licensee="Northwind Ltd, represented by Jane Buyer (@jane)",
        licensor="Ann Shooter (@ann)",
        references=[("Purchase order", "PO-7")],
        fee=Money(5_000, Currency.EUR),
        share=Money(20_000, Currency.EUR),
        payout=None,
    )
    title, blocks = payment_rules.receipt(facts, payment_rules.PaymentDirection.PAID)
    text = "\n".join(body for _, body in blocks)
    assert title == "Receipt" and "PO-7" in text and "Platform fee" not in text
    title, blocks = payment_rules.receipt(facts, payment_rules.PaymentDirection.RECEIVED)
    text = "\n".join(body for _, body in blocks)
    assert title == "Payment statement" and "Platform fee: 50.00 EUR" in text and "Your share: 200.00 EUR" in text
    assert "Not paid out yet" in text
