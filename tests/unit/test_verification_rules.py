"""Verification rules: the status machine (each allowed and each refused move), the two uploads' checks, the
monthly allowance and overage, who sees a report, and where it was taken."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product
from uuid import uuid4

import pytest

from lensgraph.domain.accounts import Role
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import CATALOGUE, EMITTED_TYPES
from lensgraph.domain.money import Currency, Money
from lensgraph.domain.policies import (
    Viewer,
    can_see_capture_location,
    can_view_verification,
    can_view_verification_image,
)
from lensgraph.domain.verification import (
    MAX_ATTEMPTS,
    SHORT_CODE_ALPHABET,
    SHORT_CODE_LENGTH,
    AccessType,
    MonthlyUsage,
    VerificationStatus,
    after_interrupted_attempt,
    allowance_left,
    capture_location,
    charge_for_next,
    check_budget,
    check_declared_sha256,
    check_deletable,
    check_distinct_files,
    check_image_request,
    check_raw_content,
    check_raw_request,
    check_transition,
    clean_declared_sha256,
    clean_name,
    looks_like_short_code,
    new_short_code,
    sources_of,
    usage_month,
)

S = VerificationStatus
ALLOWED = {
    (S.PENDING, S.QUEUED),
    (S.PENDING, S.FAILED),
    (S.QUEUED, S.IN_PROGRESS),
    (S.QUEUED, S.FAILED),
    (S.IN_PROGRESS, S.COMPLETED),
    (S.IN_PROGRESS, S.FAILED),
    (S.IN_PROGRESS, S.QUEUED),
}
MB = 1024 * 1024


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED, key=str))
def test_each_allowed_move(current, target):
    assert check_transition(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"), sorted((pair for pair in product(S, S) if pair not in ALLOWED), key=str)
)
def test_each_refused_move(current, target):
    with pytest.raises(DomainError) as refused:
        check_transition(current, target)
    assert refused.value.code is ErrorCode.INVALID_TRANSITION


@pytest.mark.parametrize("target", list(S))
def test_the_sources_of_a_status_are_the_allowed_moves_to_it(target):
    assert sources_of(target) == {current for current, to in ALLOWED if to is target}


def test_an_interrupted_attempt_is_queued_again_until_the_last():
    assert [after_interrupted_attempt(n) for n in range(1, MAX_ATTEMPTS + 1)] == [S.QUEUED] * (MAX_ATTEMPTS - 1) + [
        S.FAILED
    ]


@pytest.mark.parametrize("status", list(S))
def test_deletable_unless_being_analysed(status):
    if status is S.IN_PROGRESS:
        with pytest.raises(DomainError, match="being analysed"):
            check_deletable(status)
    else:
        check_deletable(status)


@pytest.mark.parametrize("extension", ["CR2", "cr3", "ARW", "NEF", "DNG", "RAF", "ORF", "RW2", "PEF", "SRW"])
def test_every_raw_format_is_taken(extension):
    assert check_raw_request(f"shot.{extension}", "application/octet-stream", 10 * MB, 50 * MB) == extension.upper()


@pytest.mark.parametrize(
    ("filename", "mime", "size", "code"),
    [
        ("shot.tiff", "image/tiff", MB, ErrorCode.UPLOAD_INVALID),
        ("shot.jpg", "image/jpeg", MB, ErrorCode.UPLOAD_INVALID),
        ("DNG", "image/x-adobe-dng", MB, ErrorCode.UPLOAD_INVALID),
        ("shot.DNG", "text/plain", MB, ErrorCode.UPLOAD_INVALID),
        ("shot.DNG", "image/x-adobe-dng", 0, ErrorCode.INVALID_INPUT),
        ("shot.DNG", "image/x-adobe-dng", 51 * MB, ErrorCode.QUOTA_EXCEEDED),
    ],
)
def test_raw_requests_refused(filename, mime, size, code):
    with pytest.raises(DomainError) as refused:
        check_raw_request(filename, mime, size, 50 * MB)
    assert refused.value.code is code


def test_the_image_is_a_jpeg():
    check_image_request("dev.JPEG", "image/jpeg", MB, 50 * MB)
    for filename, mime in (("dev.png", "image/png"), ("dev.jpg", "image/png"), ("dev.png", "image/jpeg")):
        with pytest.raises(DomainError) as refused:
            check_image_request(filename, mime, MB, 50 * MB)
        assert refused.value.code is ErrorCode.UPLOAD_INVALID


def test_the_bytes_decide_what_a_raw_is():
    assert check_raw_content("NEF") == "NEF"
    for sniffed in (None, "JPEG"):
        with pytest.raises(DomainError) as refused:
            check_raw_content(sniffed)
        assert refused.value.code is ErrorCode.UPLOAD_INVALID and refused.value.field == ["rawUploadId"]


def test_declared_hashes():
    digest = "ab" * 32
    assert clean_declared_sha256(None) is None and clean_declared_sha256(f" {digest.upper()} ") == digest
    with pytest.raises(DomainError) as refused:
        clean_declared_sha256("abc")
    assert refused.value.code is ErrorCode.INVALID_INPUT
    check_declared_sha256(None, digest)
    check_declared_sha256(digest, digest)
    with pytest.raises(DomainError) as mismatch:
        check_declared_sha256("cd" * 32, digest, "rawUploadId")
    assert mismatch.value.code is ErrorCode.HASH_MISMATCH and mismatch.value.field == ["rawUploadId"]
    assert mismatch.value.message.startswith("File hash mismatch")


def test_the_same_file_twice_and_names():
    with pytest.raises(DomainError):
        check_distinct_files("ab" * 32, "ab" * 32)
    check_distinct_files("ab" * 32, "cd" * 32)
    assert clean_name("  Harbour   at dawn ", "x") == "Harbour at dawn" and clean_name(None, "IMG_1") == "IMG_1"
    with pytest.raises(DomainError):
        clean_name("x" * 201, "y")


def test_short_codes_are_unambiguous():
    codes = {new_short_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == SHORT_CODE_LENGTH and set(code) <= set(SHORT_CODE_ALPHABET) for code in codes)
    assert not set("01ILO") & set(SHORT_CODE_ALPHABET)
    assert looks_like_short_code(next(iter(codes)).lower()) and not looks_like_short_code("Harbour")


EUR = Currency.EUR


def used(included: int, overage: int = 0) -> MonthlyUsage:
    return MonthlyUsage("2026-12", included, overage, Money(25 * overage, EUR))


def test_within_the_allowance_costs_nothing():
    assert charge_for_next(5, False, used(4), Money(0, EUR)).overage is False
    assert charge_for_next(None, True, used(10_000), Money(0, EUR)).amount == Money(0, EUR)


def test_beyond_the_allowance_free_plans_are_refused_and_paid_plans_charged_within_budget():
    with pytest.raises(DomainError) as refused:
        charge_for_next(5, False, used(5), Money(10_000, EUR))
    assert refused.value.code is ErrorCode.QUOTA_EXCEEDED
    with pytest.raises(DomainError) as no_budget:
        charge_for_next(50, True, used(50), Money(0, EUR))
    assert no_budget.value.code is ErrorCode.QUOTA_EXCEEDED and "setVerificationBudget" in no_budget.value.message
    charge = charge_for_next(50, True, used(50, 3), Money(100, EUR))
    assert charge.overage and charge.amount == Money(25, EUR)
    with pytest.raises(DomainError):
        charge_for_next(50, True, used(50, 4), Money(100, EUR))


def test_what_is_left():
    left = allowance_left(50, True, used(48, 0), Money(60, EUR))
    assert (left.remaining, left.overage_remaining) == (2, 2)
    assert allowance_left(None, True, used(7), Money(0, EUR)).remaining is None
    assert allowance_left(5, False, used(5), Money(500, EUR)).overage_remaining == 0
    assert allowance_left(50, True, used(50, 2), Money(40, EUR)).overage_remaining == 0


def test_budgets():
    assert check_budget(Money(0, EUR)) == Money(0, EUR)
    for refused in (Money(-1, EUR), Money(1_000_001, EUR), Money(100, Currency.USD)):
        with pytest.raises(DomainError):
            check_budget(refused)


def test_usage_months_are_utc_calendar_months():
    assert usage_month(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == "2026-12"
    assert usage_month(datetime(2027, 1, 1, tzinfo=UTC)) == "2027-01"


def test_capture_location_from_gps_metadata():
    assert capture_location({"gps": {"latitude": 48.8584, "longitude": -2.5}}).longitude == -2.5
    for metadata in ({}, {"gps": None}, {"gps": {"latitude": "48"}}, {"gps": {"latitude": 91, "longitude": 0}}):
        assert capture_location(metadata) is None


def test_who_sees_a_report():
    owner, other = uuid4(), uuid4()
    as_owner = Viewer(owner, Role.PHOTOGRAPHER)
    as_other = Viewer(other, Role.BRAND)
    admin = Viewer(uuid4(), Role.ADMIN)
    for access in AccessType:
        assert can_view_verification(as_owner, owner, access, invited=False)
        assert not can_view_verification(as_other, owner, access, invited=False)
        assert not can_view_verification(admin, owner, access, invited=False)
        assert can_view_verification(as_other, owner, access, invited=True)
        assert not can_view_verification(None, owner, access, invited=True)
    # The share link opens a report shared with anyone holding it, and only that.
    assert can_view_verification(None, owner, AccessType.ANYONE_WITH_LINK, False, holds_link=True)
    assert not can_view_verification(None, owner, AccessType.RESTRICTED, False, holds_link=True)
    assert can_view_verification_image(as_owner, owner) and not can_view_verification_image(as_other, owner)
    assert can_see_capture_location(as_owner, owner, False) and not can_see_capture_location(as_other, owner, False)
    assert can_see_capture_location(None, owner, True)


def test_status_changes_are_internal_and_the_outcomes_are_offered():
    assert "verification.status_changed" not in CATALOGUE
    assert {"verification.completed", "verification.failed"} <= EMITTED_TYPES
