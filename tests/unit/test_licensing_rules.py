"""Negotiation rules: every allowed and every refused move, terms, releases and exclusivity."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from lensgraph.domain import licensing as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import (
    ContractSigned,
    LicenseAccepted,
    LicenseCancelled,
    LicenseCountered,
    LicenseCreated,
    LicenseDeclined,
)
from lensgraph.domain.licensing import (
    Exclusivity,
    LicenseRef,
    LicenseStatus,
    Medium,
    Negotiation,
    Party,
    RunningLicense,
    Signatory,
    Terms,
    Usage,
)
from lensgraph.domain.money import Currency, Money

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)
BRAND, PHOTOGRAPHER = Party.BRAND, Party.PHOTOGRAPHER


def terms(**changes: object) -> Terms:
    base = Terms(
        usage=Usage.EDITORIAL,
        media=frozenset({Medium.WEB}),
        territories=frozenset(),
        duration_days=365,
        exclusivity=Exclusivity.NONE,
        price=Money(25_000, Currency.EUR),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def refused(code: ErrorCode) -> pytest.RaisesExc[DomainError]:
    return pytest.raises(DomainError, check=lambda error: error.code is code)


def at(status: LicenseStatus) -> Negotiation:
    return Negotiation(status, expires_at=NOW + timedelta(days=7))


# The turn ------------------------------------------------------------------------------------


def test_an_offer_awaits_the_photographer_for_seven_days():
    negotiation = rules.open_negotiation(NOW)
    assert negotiation.status is LicenseStatus.OFFERED
    assert negotiation.awaiting is PHOTOGRAPHER
    assert negotiation.expires_at == NOW + timedelta(days=7)


def test_counters_alternate_the_turn_and_renew_the_deadline():
    countered = rules.counter(rules.open_negotiation(NOW), PHOTOGRAPHER, LATER)
    assert (countered.status, countered.awaiting) == (LicenseStatus.COUNTERED, BRAND)
    assert countered.expires_at == LATER + timedelta(days=7)

    countered_back = rules.counter(countered, BRAND, LATER, validity=timedelta(hours=48))
    assert (countered_back.status, countered_back.awaiting) == (LicenseStatus.OFFERED, PHOTOGRAPHER)
    assert countered_back.expires_at == LATER + timedelta(hours=48)


@pytest.mark.parametrize(("status", "party"), [(LicenseStatus.OFFERED, PHOTOGRAPHER), (LicenseStatus.COUNTERED, BRAND)])
def test_the_awaited_party_may_accept_or_decline(status, party):
    assert rules.accept(at(status), party, NOW).status is LicenseStatus.ACCEPTED
    assert rules.decline(at(status), party, NOW).status is LicenseStatus.DECLINED


@pytest.mark.parametrize(("status", "party"), [(LicenseStatus.OFFERED, BRAND), (LicenseStatus.COUNTERED, PHOTOGRAPHER)])
@pytest.mark.parametrize("move", [rules.accept, rules.decline, rules.counter])
def test_the_party_not_awaited_may_not_answer(status, party, move):
    with refused(ErrorCode.INVALID_TRANSITION):
        move(at(status), party, NOW)


@pytest.mark.parametrize(
    "status",
    [
        LicenseStatus.ACCEPTED,
        LicenseStatus.DECLINED,
        LicenseStatus.CANCELLED,
        LicenseStatus.EXPIRED,
        LicenseStatus.AWAITING_PAYMENT,
        LicenseStatus.ACTIVE,
    ],
)
@pytest.mark.parametrize("move", [rules.accept, rules.decline, rules.counter])
@pytest.mark.parametrize("party", [BRAND, PHOTOGRAPHER])
def test_a_closed_negotiation_takes_no_answer(status, move, party):
    with refused(ErrorCode.INVALID_TRANSITION):
        move(at(status), party, NOW)


@pytest.mark.parametrize("move", [rules.accept, rules.decline, rules.counter])
def test_an_answer_after_the_deadline_is_refused(move):
    negotiation = rules.open_negotiation(NOW)
    with refused(ErrorCode.INVALID_TRANSITION):
        move(negotiation, PHOTOGRAPHER, negotiation.expires_at)


# Cancelling and expiring ---------------------------------------------------------------------


@pytest.mark.parametrize("status", sorted(rules.OPEN, key=lambda status: status.value))
def test_the_brand_cancels_an_open_offer_whoever_is_awaited(status):
    assert rules.cancel(at(status), BRAND).status is LicenseStatus.CANCELLED


def test_the_photographer_declines_rather_than_cancels():
    with refused(ErrorCode.INVALID_TRANSITION):
        rules.cancel(at(LicenseStatus.OFFERED), PHOTOGRAPHER)


@pytest.mark.parametrize("status", [status for status in LicenseStatus if status not in rules.OPEN])
def test_nothing_agreed_or_ended_can_be_cancelled(status):
    with refused(ErrorCode.INVALID_TRANSITION):
        rules.cancel(at(status), BRAND)


def test_the_sweep_expires_only_open_offers_past_their_deadline():
    negotiation = rules.open_negotiation(NOW)
    assert rules.expire(negotiation, negotiation.expires_at - timedelta(seconds=1)) is None
    expired = rules.expire(negotiation, negotiation.expires_at)
    assert expired is not None and expired.status is LicenseStatus.EXPIRED
    assert rules.expire(replace(negotiation, status=LicenseStatus.ACCEPTED), LATER + timedelta(days=30)) is None
    assert rules.expire(expired, LATER + timedelta(days=30)) is None


@pytest.mark.parametrize("validity", [timedelta(minutes=59), timedelta(days=31)])
def test_offer_validity_is_bounded(validity):
    with refused(ErrorCode.INVALID_INPUT):
        rules.open_negotiation(NOW, validity)


# Terms ---------------------------------------------------------------------------------------


def test_terms_are_normalised():
    checked = rules.check_terms(terms(territories=frozenset({"fr", " de "})))
    assert checked.territories == {"FR", "DE"}
    assert rules.check_terms(terms()).worldwide


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"media": frozenset()}, "media"),
        ({"territories": frozenset({"FR", "XX"})}, "territories"),
        ({"territories": frozenset({"EU"})}, "territories"),
        ({"duration_days": 0}, "durationDays"),
        ({"duration_days": 36_501}, "durationDays"),
        ({"price": Money(0, Currency.EUR)}, "price"),
        ({"price": Money(-500, Currency.USD)}, "price"),
        ({"price": Money(10_000_000_01, Currency.USD)}, "price"),
        ({"price": Money(10_000_001, Currency.JPY)}, "price"),
    ],
)
def test_impossible_terms_are_refused_on_their_field(changes, field):
    with pytest.raises(DomainError) as refusal:
        rules.check_terms(terms(**changes))
    assert refusal.value.code is ErrorCode.INVALID_INPUT
    assert refusal.value.field == ["terms", field]


def test_zero_decimal_currencies_count_whole_units():
    rules.check_terms(terms(price=Money(10_000_000, Currency.JPY)))
    rules.check_terms(terms(price=Money(10_000_000_00, Currency.EUR)))


def test_perpetual_licenses_have_no_duration():
    assert rules.check_terms(terms(duration_days=None)).duration_days is None


def test_messages_are_trimmed_and_bounded():
    assert rules.check_message("  Deal?  ") == "Deal?"
    assert rules.check_message(None) == ""
    with refused(ErrorCode.INVALID_INPUT):
        rules.check_message("x" * 2001)


# Releases ------------------------------------------------------------------------------------


@pytest.mark.parametrize("usage", [Usage.COMMERCIAL, Usage.EXTENDED])
def test_commercial_use_of_people_needs_a_release(usage):
    with refused(ErrorCode.RELEASE_REQUIRED):
        rules.check_release(usage, needs_model_release=True)
    rules.check_release(usage, needs_model_release=False)


@pytest.mark.parametrize("usage", [Usage.PERSONAL, Usage.EDITORIAL])
def test_personal_and_editorial_use_need_no_release(usage):
    rules.check_release(usage, needs_model_release=True)


# Exclusivity ---------------------------------------------------------------------------------


def running(ends_in_days: int | None = 30, **changes: object) -> RunningLicense:
    ends_at = None if ends_in_days is None else NOW + timedelta(days=ends_in_days)
    return RunningLicense(terms(**changes), ends_at)


def test_a_full_exclusive_blocks_any_overlapping_offer():
    held = running(exclusivity=Exclusivity.FULL, territories=frozenset({"FR"}))
    assert rules.exclusivity_conflict(terms(), [held], NOW)  # worldwide overlaps France
    assert rules.exclusivity_conflict(terms(territories=frozenset({"FR", "DE"})), [held], NOW)
    assert rules.exclusivity_conflict(terms(territories=frozenset({"DE"})), [held], NOW) is None


def test_an_exclusive_offer_cannot_be_granted_over_a_running_license():
    held = running(ends_in_days=None)
    reason = rules.exclusivity_conflict(terms(exclusivity=Exclusivity.FULL), [held], NOW)
    assert reason is not None and reason.startswith("Another license on this photo is in force")
    narrowly = terms(exclusivity=Exclusivity.CATEGORY)
    assert rules.exclusivity_conflict(narrowly, [held], NOW).startswith("Another license for this usage and media")


def test_the_refusal_names_the_exclusive_license_that_is_held():
    held = running(exclusivity=Exclusivity.FULL)
    assert rules.exclusivity_conflict(terms(), [held], NOW).startswith("An exclusive license on this photo")


def test_a_category_exclusive_blocks_the_same_usage_and_media_only():
    held = running(exclusivity=Exclusivity.CATEGORY, usage=Usage.COMMERCIAL, media=frozenset({Medium.WEB}))
    same = terms(usage=Usage.COMMERCIAL, media=frozenset({Medium.WEB, Medium.PRINT}))
    assert rules.exclusivity_conflict(same, [held], NOW)
    other_media = terms(usage=Usage.COMMERCIAL, media=frozenset({Medium.PRINT}))
    assert rules.exclusivity_conflict(other_media, [held], NOW) is None
    other_usage = terms(usage=Usage.EDITORIAL, media=frozenset({Medium.WEB}))
    assert rules.exclusivity_conflict(other_usage, [held], NOW) is None


def test_an_ended_exclusive_blocks_nothing():
    ended = running(ends_in_days=0, exclusivity=Exclusivity.FULL)
    assert rules.exclusivity_conflict(terms(), [ended], NOW) is None


def test_non_exclusive_licenses_coexist():
    assert rules.exclusivity_conflict(terms(), [running(), running(ends_in_days=None)], NOW) is None


# Contracts -----------------------------------------------------------------------------------


def test_a_contract_is_signed_when_both_parties_have_signed():
    signed, status, name = rules.sign(frozenset(), BRAND, "  Jane   Brand ")
    assert (signed, status, name) == ({BRAND}, rules.ContractStatus.AWAITING_SIGNATURES, "Jane Brand")
    signed, status, _ = rules.sign(signed, PHOTOGRAPHER, "Ann Photographer")
    assert (signed, status) == ({BRAND, PHOTOGRAPHER}, rules.ContractStatus.SIGNED)


def test_nobody_signs_twice():
    with refused(ErrorCode.INVALID_TRANSITION):
        rules.sign(frozenset({PHOTOGRAPHER}), PHOTOGRAPHER, "Ann Photographer")


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_a_signature_needs_a_name(name):
    with refused(ErrorCode.INVALID_INPUT):
        rules.sign(frozenset(), BRAND, name)


def test_the_content_hash_depends_on_content_not_key_order():
    first = rules.content_hash({"price": {"amount": 100, "currency": "EUR"}, "usage": "WEB"})
    second = rules.content_hash({"usage": "WEB", "price": {"currency": "EUR", "amount": 100}})
    assert first == second and len(first) == 64
    assert rules.content_hash({"usage": "PRINT", "price": {"amount": 100, "currency": "EUR"}}) != first


def test_terms_survive_their_snapshot():
    original = rules.check_terms(
        terms(territories=frozenset({"FR", "DE"}), media=frozenset({Medium.PRINT, Medium.WEB}), duration_days=None)
    )
    snapshot = rules.terms_snapshot(original)
    assert snapshot["media"] == ["PRINT", "WEB"] and snapshot["territories"] == ["DE", "FR"]
    assert rules.terms_from_snapshot(snapshot) == original


def test_the_contract_text_states_the_terms_and_their_digest():
    snapshot = {
        "licenseId": "lic-1",
        "acceptedAt": "2026-11-22T12:00:00+00:00",
        "brand": {"name": "Acme Ltd", "username": "acme"},
        "photographer": {"name": "Ann Lee", "username": "ann"},
        "photo": {"id": "photo-1", "title": "Dunes"},
        "terms": rules.terms_snapshot(terms(territories=frozenset({"FR"}), duration_days=None)),
    }
    text = rules.contract_text(snapshot, rules.content_hash(snapshot))
    assert "Licensee: Acme Ltd (@acme)" in text and "Licensor: Ann Lee (@ann)" in text
    assert "Territory: FR." in text and "Duration: perpetual." in text and "Fee: 250.00 EUR" in text
    assert rules.content_hash(snapshot) in text


# Moves and the events they cause -------------------------------------------------------------

LICENSE = LicenseRef(license_id=uuid4(), photo_id=uuid4(), brand_id=uuid4(), photographer_id=uuid4())


def test_a_new_offer_says_license_created_to_both_parties():
    [event] = rules.offer_made(LICENSE, rules.open_negotiation(NOW))
    assert event == LicenseCreated(
        license_id=LICENSE.license_id,
        photo_id=LICENSE.photo_id,
        status="OFFERED",
        audience=(LICENSE.brand_id, LICENSE.photographer_id),
    )


def test_a_counter_offer_moves_the_turn_and_says_license_countered():
    outcome = rules.counter_offer(
        LICENSE, at(LicenseStatus.OFFERED), PHOTOGRAPHER, Money(30_000, Currency.EUR), Currency.EUR, NOW
    )
    assert outcome.negotiation.status is LicenseStatus.COUNTERED
    assert outcome.negotiation.expires_at == NOW + rules.DEFAULT_OFFER_VALIDITY
    [event] = outcome.events
    assert isinstance(event, LicenseCountered) and event.status == "COUNTERED"
    assert event.license_id == LICENSE.license_id and event.audience == (LICENSE.brand_id, LICENSE.photographer_id)


def test_a_counter_offer_stays_in_the_currency_of_the_offer():
    with refused(ErrorCode.INVALID_INPUT) as caught:
        rules.counter_offer(
            LICENSE, at(LicenseStatus.OFFERED), PHOTOGRAPHER, Money(30_000, Currency.USD), Currency.EUR, NOW
        )
    assert caught.value.field == ["terms", "price"] and "EUR" in caught.value.message


def test_the_turn_is_checked_before_the_currency():
    """Out of turn, the answer is the turn (INVALID_TRANSITION), whatever the currency."""
    with refused(ErrorCode.INVALID_TRANSITION):
        rules.counter_offer(LICENSE, at(LicenseStatus.OFFERED), BRAND, Money(30_000, Currency.USD), Currency.EUR, NOW)


@pytest.mark.parametrize(
    ("move", "status", "kind"),
    [
        (lambda n: rules.accept_offer(LICENSE, n, PHOTOGRAPHER, NOW), LicenseStatus.ACCEPTED, LicenseAccepted),
        (lambda n: rules.decline_offer(LICENSE, n, PHOTOGRAPHER, NOW), LicenseStatus.DECLINED, LicenseDeclined),
        (lambda n: rules.cancel_offer(LICENSE, n, BRAND), LicenseStatus.CANCELLED, LicenseCancelled),
        (lambda n: rules.withdraw_offer(LICENSE, n), LicenseStatus.DECLINED, LicenseDeclined),
    ],
)
def test_each_answer_says_what_became_of_the_offer(move, status, kind):
    outcome = move(at(LicenseStatus.OFFERED))
    assert outcome.negotiation.status is status
    assert outcome.events == (LICENSE.event(kind, status),)


def test_a_refused_move_causes_no_event():
    with refused(ErrorCode.INVALID_TRANSITION):
        rules.accept_offer(LICENSE, at(LicenseStatus.DECLINED), PHOTOGRAPHER, NOW)


def test_the_first_signature_changes_nothing_but_the_contract():
    signing = rules.sign_contract(LICENSE, uuid4(), frozenset(), BRAND, "Jane Brand")
    assert signing.status is rules.ContractStatus.AWAITING_SIGNATURES
    assert signing.license_status is None and signing.events == ()


def test_the_second_signature_puts_the_license_up_for_payment_and_says_contract_signed():
    contract_id = uuid4()
    signing = rules.sign_contract(LICENSE, contract_id, frozenset({BRAND}), PHOTOGRAPHER, " Ann  Lee ")
    assert (signing.status, signing.name) == (rules.ContractStatus.SIGNED, "Ann Lee")
    assert signing.license_status is LicenseStatus.AWAITING_PAYMENT
    assert signing.events == (
        ContractSigned(
            contract_id=contract_id,
            license_id=LICENSE.license_id,
            audience=(LICENSE.brand_id, LICENSE.photographer_id),
        ),
    )


def test_the_contract_draft_freezes_the_parties_photo_and_terms():
    brand = Signatory(uuid4(), "Acme", "", "acme")
    photographer = Signatory(uuid4(), "Ann", "Lee", "ann")
    agreed = terms(territories=frozenset({"FR"}))
    draft = rules.draft_contract(LICENSE.license_id, NOW, LICENSE.photo_id, "Dunes", brand, photographer, agreed)
    assert draft.snapshot == {
        "licenseId": str(LICENSE.license_id),
        "acceptedAt": NOW.isoformat(),
        "photo": {"id": str(LICENSE.photo_id), "title": "Dunes"},
        "brand": {"id": str(brand.user_id), "name": "Acme", "username": "acme"},
        "photographer": {"id": str(photographer.user_id), "name": "Ann Lee", "username": "ann"},
        "terms": rules.terms_snapshot(agreed),
    }
    assert draft.content_hash == rules.content_hash(draft.snapshot)
    assert draft.text == rules.contract_text(draft.snapshot, draft.content_hash)
    assert "Licensee: Acme (@acme)" in draft.text
