"""Account rules: who may register with what, and how credentials are shaped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from lensgraph.domain.errors import DomainError, ErrorCode

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
USERNAME_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{1,30}[a-z0-9])$")
RESERVED_USERNAMES = frozenset({"admin", "api", "graphql", "lensgraph", "root", "support", "viewer"})
MAX_NAME_LENGTH = 80
MAX_API_KEY_DAYS = 3650


class Role(Enum):
    PHOTOGRAPHER = "PHOTOGRAPHER"
    BRAND = "BRAND"
    STUDIO = "STUDIO"
    ADMIN = "ADMIN"


SELF_SERVICE_ROLES = frozenset({Role.PHOTOGRAPHER, Role.BRAND, Role.STUDIO})


class TokenPurpose(Enum):
    VERIFY_EMAIL = "VERIFY_EMAIL"
    RESET_PASSWORD = "RESET_PASSWORD"


def check_role_for_registration(role: Role) -> None:
    if role not in SELF_SERVICE_ROLES:
        raise DomainError(ErrorCode.INVALID_INPUT, "This role cannot be chosen at registration.", ["role"])


def check_password(password: str, email: str, field: str = "password") -> None:
    """Length 10 to 256, and not the email address (nor its local part)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"Use at least {MIN_PASSWORD_LENGTH} characters.",
            [field],
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {MAX_PASSWORD_LENGTH} characters.", [field])
    lowered = password.strip().lower()
    local_part = email.split("@", 1)[0].lower()
    if lowered in {email.lower(), local_part}:
        raise DomainError(ErrorCode.INVALID_INPUT, "The password must not be your email address.", [field])


def normalize_username(username: str) -> str:
    candidate = username.strip().lower()
    if not USERNAME_PATTERN.fullmatch(candidate):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "Use 3 to 32 letters, digits, '-' or '_', starting and ending with a letter or digit.",
            ["username"],
        )
    if candidate in RESERVED_USERNAMES:
        raise DomainError(ErrorCode.ALREADY_EXISTS, "This username is taken.", ["username"])
    return candidate


def clean_name(value: str, field: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise DomainError(ErrorCode.INVALID_INPUT, "This cannot be empty.", [field])
    if len(cleaned) > MAX_NAME_LENGTH:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {MAX_NAME_LENGTH} characters.", [field])
    return cleaned


MAX_COMPANY_NAME = 200


def clean_company_name(value: str) -> str | None:
    """A brand's company name: spaces collapsed, empty clears it, at most MAX_COMPANY_NAME characters."""
    cleaned = " ".join(value.split())
    if len(cleaned) > MAX_COMPANY_NAME:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {MAX_COMPANY_NAME} characters.", ["companyName"])
    return cleaned or None


def api_key_expiry(now: datetime, expires_in_days: int | None) -> datetime | None:
    if expires_in_days is None:
        return None
    if not 1 <= expires_in_days <= MAX_API_KEY_DAYS:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"Choose between 1 and {MAX_API_KEY_DAYS} days, or no expiry.",
            ["expiresInDays"],
        )
    return now + timedelta(days=expires_in_days)


@dataclass(frozen=True)
class RefreshTokenState:
    """What the rotation rule needs to know of a stored refresh token."""

    expires_at: datetime
    revoked_at: datetime | None
    replaced: bool


class RefreshOutcome(Enum):
    ROTATE = "ROTATE"
    EXPIRED = "EXPIRED"
    REVOKE_FAMILY = "REVOKE_FAMILY"
    REVOKED = "REVOKED"


def judge_refresh(token: RefreshTokenState, now: datetime) -> RefreshOutcome:
    """A token used once already means it leaked: the whole family is revoked."""
    if token.replaced:
        return RefreshOutcome.REVOKE_FAMILY
    if token.revoked_at is not None:
        return RefreshOutcome.REVOKED
    if token.expires_at <= now:
        return RefreshOutcome.EXPIRED
    return RefreshOutcome.ROTATE


def is_api_key_usable(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> bool:
    return revoked_at is None and (expires_at is None or expires_at > now)


@dataclass(frozen=True)
class AccountStanding:
    """What every request must know of its caller's account, beyond the credential itself."""

    role: Role
    token_version: int
    disabled: bool


def is_access_token_current(issued_under: int, standing: AccountStanding | None) -> bool:
    """An access token dies when its account is disabled or gone, or when the account's token version was
    raised after it was issued (signing out everywhere, a new password, disabling)."""
    return standing is not None and not standing.disabled and issued_under == standing.token_version


DISABLED_ACCOUNT = "This account has been disabled. Contact support if you think this is a mistake."


def check_can_sign_in(disabled_at: datetime | None) -> None:
    """Asked only once the password (or refresh token) is proven: saying "disabled" then tells an attacker
    nothing, and tells the account's owner why."""
    if disabled_at is not None:
        raise DomainError(ErrorCode.FORBIDDEN, DISABLED_ACCOUNT)


MAX_DISABLE_REASON_LENGTH = 1000


def clean_disable_reason(reason: str | None) -> str:
    cleaned = " ".join((reason or "").split())
    if len(cleaned) > MAX_DISABLE_REASON_LENGTH:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {MAX_DISABLE_REASON_LENGTH} characters.", ["reason"])
    return cleaned


def check_administrable(target_role: Role) -> None:
    """Administrators disable accounts and change roles through the API, but never an administrator's own:
    granting and withdrawing ADMIN stays with the operators (``lensgraph grant-admin``), so one stolen admin
    session cannot lock the other administrators out or mint new ones. This also keeps an admin from
    disabling or demoting themselves."""
    if target_role is Role.ADMIN:
        raise DomainError(
            ErrorCode.FORBIDDEN, "Administrators are managed by the operators, not through the API.", ["userId"]
        )


def check_role_change(new_role: Role) -> None:
    if new_role not in SELF_SERVICE_ROLES:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "Choose PHOTOGRAPHER, BRAND or STUDIO; operators grant ADMIN.", ["role"]
        )
