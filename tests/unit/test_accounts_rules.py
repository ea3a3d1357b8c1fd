"""Account rules: password shape, usernames, names, roles, API-key expiry and refresh rotation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lensgraph.domain.accounts import (
    MAX_API_KEY_DAYS,
    MAX_DISABLE_REASON_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    SELF_SERVICE_ROLES,
    AccountStanding,
    RefreshOutcome,
    RefreshTokenState,
    Role,
    api_key_expiry,
    check_administrable,
    check_can_sign_in,
    check_password,
    check_role_change,
    check_role_for_registration,
    clean_disable_reason,
    clean_name,
    is_access_token_current,
    is_api_key_usable,
    judge_refresh,
    normalize_username,
)
from lensgraph.domain.errors import DomainError, ErrorCode

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
EMAIL = "Alice.Smith@Example.com"


# --- check_password ---------------------------------------------------------------------------


def test_password_limits_are_ten_and_256():
    assert (MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH) == (10, 256)


@pytest.mark.parametrize("password", ["x" * 10, "x" * 11, "correct horse battery", "y" * 256])
def test_password_within_bounds_is_accepted(password):
    assert check_password(password, EMAIL) is None


@pytest.mark.parametrize("password", ["", "x", "x" * 9, "y" * 257, "z" * 1000])
def test_password_out_of_bounds_is_refused(password):
    with pytest.raises(DomainError) as caught:
        check_password(password, EMAIL)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == ["password"]


def test_short_password_message_names_the_minimum():
    with pytest.raises(DomainError) as caught:
        check_password("short", EMAIL)
    assert "10" in caught.value.message


def test_long_password_message_names_the_maximum():
    with pytest.raises(DomainError) as caught:
        check_password("y" * 257, EMAIL)
    assert "256" in caught.value.message


@pytest.mark.parametrize(
    "password",
    [
        "Alice.Smith@Example.com",
        "alice.smith@example.com",
        "ALICE.SMITH@EXAMPLE.COM",
        "  alice.smith@example.com  ",
        "alice.smith",
        "ALICE.SMITH",
        " Alice.Smith ",
    ],
)
def test_password_equal_to_email_or_local_part_is_refused(password):
    with pytest.raises(DomainError) as caught:
        check_password(password, EMAIL)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == ["password"]
    assert "email" in caught.value.message


@pytest.mark.parametrize("password", ["alice.smith1", "alice.smith@example.org", "example.com-pass"])
def test_password_merely_resembling_the_email_is_accepted(password):
    assert check_password(password, EMAIL) is None


@pytest.mark.parametrize(
    ("password", "email"),
    [("short", EMAIL), ("y" * 257, EMAIL), ("alice.smith", EMAIL)],
)
def test_password_field_name_is_passed_through(password, email):
    with pytest.raises(DomainError) as caught:
        check_password(password, email, field="newPassword")
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == ["newPassword"]


# --- normalize_username -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("alice", "alice"),
        ("Alice_01", "alice_01"),
        ("  BOB-the-builder  ", "bob-the-builder"),
        ("abc", "abc"),
        ("a" * 32, "a" * 32),
        ("a_-b", "a_-b"),
        ("123", "123"),
    ],
)
def test_username_is_normalized(raw, expected):
    assert normalize_username(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "ab", "a" * 33, "-abc", "abc-", "_abc", "abc_", "a.b.c", "al ice", "ålice", "ali@ce", "   "],
)
def test_username_not_matching_pattern_is_invalid(raw):
    with pytest.raises(DomainError) as caught:
        normalize_username(raw)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == ["username"]


@pytest.mark.parametrize("raw", ["admin", "ADMIN", " Root ", "api", "graphql", "lensgraph", "support", "Viewer"])
def test_reserved_username_is_already_taken(raw):
    with pytest.raises(DomainError) as caught:
        normalize_username(raw)
    assert caught.value.code is ErrorCode.ALREADY_EXISTS
    assert caught.value.field == ["username"]


# --- clean_name -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Alice", "Alice"),
        ("  Alice   Smith  ", "Alice Smith"),
        ("Studio\tNord\nBerlin", "Studio Nord Berlin"),
        ("a" + " " * 200 + "b", "a b"),
        ("n" * MAX_NAME_LENGTH, "n" * MAX_NAME_LENGTH),
    ],
)
def test_name_whitespace_is_collapsed(raw, expected):
    assert clean_name(raw, "displayName") == expected


@pytest.mark.parametrize("raw", ["", " ", "\t\n  "])
def test_blank_name_is_refused_on_the_given_field(raw):
    with pytest.raises(DomainError) as caught:
        clean_name(raw, "displayName")
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == ["displayName"]


def test_too_long_name_is_refused_on_the_given_field():
    assert MAX_NAME_LENGTH == 80
    with pytest.raises(DomainError) as caught:
        clean_name("n" * 81, "companyName")
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == ["companyName"]


# --- check_role_for_registration --------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.BRAND, Role.STUDIO])
def test_self_service_roles_may_register(role):
    assert check_role_for_registration(role) is None


def test_admin_role_is_refused_at_registration():
    with pytest.raises(DomainError) as caught:
        check_role_for_registration(Role.ADMIN)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == ["role"]


# --- api_key_expiry ---------------------------------------------------------------------------


def test_no_expiry_requested_means_none():
    assert api_key_expiry(NOW, None) is None


@pytest.mark.parametrize("days", [1, 30, 365, MAX_API_KEY_DAYS])
def test_expiry_is_now_plus_days(days):
    assert api_key_expiry(NOW, days) == NOW + timedelta(days=days)


@pytest.mark.parametrize("days", [0, -1, MAX_API_KEY_DAYS + 1, 100_000])
def test_expiry_out_of_bounds_is_refused(days):
    assert MAX_API_KEY_DAYS == 3650
    with pytest.raises(DomainError) as caught:
        api_key_expiry(NOW, days)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == ["expiresInDays"]


# --- judge_refresh ----------------------------------------------------------------------------

LATER = NOW + timedelta(days=30)
EARLIER = NOW - timedelta(seconds=1)


@pytest.mark.parametrize(
    ("expires_at", "revoked_at", "replaced", "outcome"),
    [
        (LATER, None, False, RefreshOutcome.ROTATE),
        (NOW + timedelta(seconds=1), None, False, RefreshOutcome.ROTATE),
        (EARLIER, None, False, RefreshOutcome.EXPIRED),
        (NOW, None, False, RefreshOutcome.EXPIRED),
        (LATER, EARLIER, False, RefreshOutcome.REVOKED),
        (EARLIER, EARLIER, False, RefreshOutcome.REVOKED),
        (LATER, None, True, RefreshOutcome.REVOKE_FAMILY),
        (EARLIER, None, True, RefreshOutcome.REVOKE_FAMILY),
        (LATER, EARLIER, True, RefreshOutcome.REVOKE_FAMILY),
        (EARLIER, EARLIER, True, RefreshOutcome.REVOKE_FAMILY),
    ],
    ids=[
        "fresh-rotates",
        "one-second-left-rotates",
        "expired",
        "expiring-exactly-now-is-expired",
        "revoked",
        "revoked-and-expired-is-revoked",
        "replaced-is-reuse",
        "replaced-and-expired-is-reuse",
        "replaced-and-revoked-is-reuse",
        "replaced-revoked-expired-is-reuse",
    ],
)
def test_judge_refresh(expires_at, revoked_at, replaced, outcome):
    token = RefreshTokenState(expires_at=expires_at, revoked_at=revoked_at, replaced=replaced)
    assert judge_refresh(token, NOW) is outcome


# --- is_api_key_usable ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("revoked_at", "expires_at", "usable"),
    [
        (None, None, True),
        (None, LATER, True),
        (None, NOW, False),
        (None, EARLIER, False),
        (EARLIER, None, False),
        (EARLIER, LATER, False),
        (EARLIER, EARLIER, False),
    ],
)
def test_is_api_key_usable(revoked_at, expires_at, usable):
    assert is_api_key_usable(revoked_at, expires_at, NOW) is usable


# --- account standing: access tokens, disabling, administration -------------------------------

STANDING = AccountStanding(role=Role.BRAND, token_version=3, disabled=False)


@pytest.mark.parametrize(
    ("issued_under", "standing", "current"),
    [
        (3, STANDING, True),
        (2, STANDING, False),  # the version was raised since: signed out everywhere, new password, disabled
        (4, STANDING, False),
        (0, STANDING, False),  # a token from before versions existed
        (3, AccountStanding(role=Role.BRAND, token_version=3, disabled=True), False),
        (3, None, False),  # the account is gone
    ],
)
def test_is_access_token_current(issued_under, standing, current):
    assert is_access_token_current(issued_under, standing) is current


def test_a_disabled_account_cannot_sign_in():
    check_can_sign_in(None)
    with pytest.raises(DomainError) as refused:
        check_can_sign_in(NOW)
    assert refused.value.code is ErrorCode.FORBIDDEN and "disabled" in refused.value.message


@pytest.mark.parametrize(("raw", "cleaned"), [(None, ""), ("  fraud \n ring ", "fraud ring"), ("x" * 1000, "x" * 1000)])
def test_disable_reason_is_collapsed_to_one_line(raw, cleaned):
    assert clean_disable_reason(raw) == cleaned


def test_disable_reason_over_1000_characters_is_refused():
    with pytest.raises(DomainError) as refused:
        clean_disable_reason("x" * (MAX_DISABLE_REASON_LENGTH + 1))
    assert refused.value.code is ErrorCode.INVALID_INPUT and refused.value.field == ["reason"]


@pytest.mark.parametrize("role", sorted(SELF_SERVICE_ROLES, key=lambda role: role.value))
def test_non_admin_accounts_are_administrable(role):
    check_administrable(role)


def test_admin_accounts_are_left_to_the_operators():
    with pytest.raises(DomainError) as refused:
        check_administrable(Role.ADMIN)
    assert refused.value.code is ErrorCode.FORBIDDEN and refused.value.field == ["userId"]


@pytest.mark.parametrize("role", sorted(SELF_SERVICE_ROLES, key=lambda role: role.value))
def test_roles_change_among_the_self_service_roles(role):
    check_role_change(role)


def test_no_one_is_made_admin_through_a_role_change():
    with pytest.raises(DomainError) as refused:
        check_role_change(Role.ADMIN)
    assert refused.value.code is ErrorCode.INVALID_INPUT and refused.value.field == ["role"]
