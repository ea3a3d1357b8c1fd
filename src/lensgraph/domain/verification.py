"""Verifications: a RAW and the JPEG said to be developed from it, analysed for authenticity.

The status machine, what the two uploads must be, what one more verification costs against the plan's monthly
allowance, and the short codes that name a report.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.money import Currency, Money


class VerificationStatus(Enum):
    PENDING = "PENDING"
    QUEUED = "QUEUED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class AccessType(Enum):
    """Who may open a report besides its owner: invited users only, or anyone holding its share link."""

    RESTRICTED = "RESTRICTED"
    ANYONE_WITH_LINK = "ANYONE_WITH_LINK"


class VerificationOrder(Enum):
    NEWEST = "NEWEST"
    OLDEST = "OLDEST"
    NAME = "NAME"
    RECENTLY_COMPLETED = "RECENTLY_COMPLETED"


@dataclass(frozen=True)
class VerificationFilter:
    status: VerificationStatus | None = None
    # The verdict: True authentic, False not; None either (unfinished ones have none).
    result: bool | None = None
    # Part of the name, or the short code.
    search: str | None = None


# The status machine ------------------------------------------------------------------------------

TERMINAL = frozenset({VerificationStatus.COMPLETED, VerificationStatus.FAILED})
TRANSITIONS: Mapping[VerificationStatus, frozenset[VerificationStatus]] = {
    # Created with both files stored; queued once its job is sent.
    VerificationStatus.PENDING: frozenset({VerificationStatus.QUEUED, VerificationStatus.FAILED}),
    VerificationStatus.QUEUED: frozenset({VerificationStatus.IN_PROGRESS, VerificationStatus.FAILED}),
    # Back to QUEUED when an attempt died (worker killed, transient error) and attempts are left.
    VerificationStatus.IN_PROGRESS: frozenset(
        {VerificationStatus.COMPLETED, VerificationStatus.FAILED, VerificationStatus.QUEUED}
    ),
    VerificationStatus.COMPLETED: frozenset(),
    VerificationStatus.FAILED: frozenset(),
}
# Analysis attempts before a verification whose job keeps dying is FAILED.
MAX_ATTEMPTS = 3
GAVE_UP = "The analysis did not finish after several attempts."


def check_transition(current: VerificationStatus, target: VerificationStatus) -> VerificationStatus:
    """Answers ``target`` when the machine allows moving there from ``current``; refuses otherwise."""
    if target not in TRANSITIONS[current]:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            f"A verification {current.value.lower()} cannot become {target.value.lower()}.",
        )
    return target


def sources_of(target: VerificationStatus) -> frozenset[VerificationStatus]:
    """The statuses the machine allows moving to ``target`` from: what a conditional UPDATE to it may match."""
    return frozenset(current for current, targets in TRANSITIONS.items() if target in targets)


def after_interrupted_attempt(attempts: int) -> VerificationStatus:
    """Where an attempt that died leaves its verification: queued again while attempts are left, else FAILED."""
    return VerificationStatus.QUEUED if attempts < MAX_ATTEMPTS else VerificationStatus.FAILED


def check_deletable(status: VerificationStatus) -> None:
    """Not while its analysis runs: the job holds both files; once it ends (or fails) deleting is fine."""
    if status is VerificationStatus.IN_PROGRESS:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            "This verification is being analysed; delete it once it is completed or failed.",
            ["id"],
        )


# The two files -----------------------------------------------------------------------------------

# What LibRaw decodes (through rawpy), by extension: the container each one is.
RAW_FORMATS = ("CR2", "CR3", "ARW", "NEF", "DNG", "RAF", "ORF", "RW2", "PEF", "SRW")
IMAGE_EXTENSIONS = ("JPG", "JPEG")
IMAGE_MIME_TYPE = "image/jpeg"
# RAWs arrive under many vendor types (image/x-canon-cr2, image/x-adobe-dng) or none: the bytes decide anyway.
RAW_MIME_TYPE = re.compile(r"^(image/[\w.+-]+|application/octet-stream)$")
MAX_NAME = 200


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].upper() if "." in filename else ""


def check_raw_request(filename: str, mime_type: str, size: int, limit: int) -> str:
    """The RAW's format, by its extension: one of RAW_FORMATS, within the plan's upload size."""
    raw_format = extension_of(filename)
    if raw_format not in RAW_FORMATS:
        raise DomainError(
            ErrorCode.UPLOAD_INVALID,
            f"Upload a camera RAW file: {', '.join(RAW_FORMATS)}.",
            ["filename"],
        )
    if not RAW_MIME_TYPE.match(mime_type):
        raise DomainError(
            ErrorCode.UPLOAD_INVALID, "Send a RAW file as image/* or application/octet-stream.", ["mimeType"]
        )
    check_size(size, limit)
    return raw_format


def check_image_request(filename: str, mime_type: str, size: int, limit: int) -> None:
    """The developed image is a JPEG, within the plan's upload size."""
    if mime_type != IMAGE_MIME_TYPE or extension_of(filename) not in IMAGE_EXTENSIONS:
        raise DomainError(ErrorCode.UPLOAD_INVALID, "Upload the developed image as a JPEG (.jpg).", ["mimeType"])
    check_size(size, limit)


def check_size(size: int, limit: int) -> None:
    if size <= 0:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the file's size in bytes.", ["fileSizeBytes"])
    if size > limit:
        raise DomainError(
            ErrorCode.QUOTA_EXCEEDED,
            f"Files may be at most {limit // (1024 * 1024)} MB on your plan; a higher plan takes larger files.",
            ["fileSizeBytes"],
        )


SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def clean_declared_sha256(value: str | None) -> str | None:
    """A client's SHA-256 of the file it will send, lower-case hex; confirmation compares it with the bytes."""
    if value is None:
        return None
    cleaned = value.strip().lower()
    if not SHA256_HEX.match(cleaned):
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the SHA-256 as 64 hexadecimal digits.", ["sha256"])
    return cleaned


def check_declared_sha256(declared: str | None, actual: str, field: str = "uploadId") -> None:
    """The reference's 422 "File hash mismatch": what arrived is not the file the client hashed."""
    if declared is not None and declared != actual:
        raise DomainError(
            ErrorCode.HASH_MISMATCH,
            "File hash mismatch: the file received does not have the SHA-256 declared when the upload was requested.",
            [field],
        )


def check_raw_content(sniffed_format: str | None) -> str:
    """The bytes must be a camera RAW (a renamed JPEG is not); what they are, not the name, is the format."""
    if sniffed_format is None or sniffed_format not in RAW_FORMATS:
        raise DomainError(
            ErrorCode.UPLOAD_INVALID,
            "The RAW file is not a camera RAW (CR2, CR3, ARW, NEF, DNG, RAF, ORF, RW2, PEF, SRW): a renamed image?",
            ["rawUploadId"],
        )
    return sniffed_format


def check_image_content(is_jpeg: bool) -> None:
    if not is_jpeg:
        raise DomainError(ErrorCode.UPLOAD_INVALID, "The image is not a whole JPEG.", ["imageUploadId"])


def check_distinct_files(raw_sha256: str, image_sha256: str) -> None:
    if raw_sha256 == image_sha256:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "The RAW and the image are the same file: upload the camera's RAW and the JPEG developed from it.",
            ["imageUploadId"],
        )


def clean_name(name: str | None, fallback: str) -> str:
    cleaned = " ".join((name or "").split()) or fallback
    if len(cleaned) > MAX_NAME:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Give a name of at most {MAX_NAME} characters.", ["name"])
    return cleaned


# Short codes: read aloud, typed from print, shown on the watermark strip. No 0/O, 1/I/L.
SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SHORT_CODE_LENGTH = 10


def new_short_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def looks_like_short_code(text: str) -> bool:
    return len(text) == SHORT_CODE_LENGTH and all(char in SHORT_CODE_ALPHABET for char in text.upper())


# The monthly allowance and overage ---------------------------------------------------------------

OVERAGE_PRICE = Money(25, Currency.EUR)
# What a user may let overage cost per month, at most (EUR 10,000): a typo must not be an open cheque.
MAX_BUDGET = Money(1_000_000, Currency.EUR)


def usage_month(moment: datetime) -> str:
    """The calendar month (UTC) a verification is counted in, ``YYYY-MM``."""
    return f"{moment.year:04d}-{moment.month:02d}"


@dataclass(frozen=True)
class MonthlyUsage:
    """A user's verifications this month: within the allowance, beyond it (overage) and what overage cost."""

    month: str
    included: int
    overage: int
    overage_spent: Money


@dataclass(frozen=True)
class Allowance:
    """What the plan and the user's budget leave this month; ``remaining`` None: unlimited."""

    allowance: int | None
    remaining: int | None
    overage_remaining: int
    budget: Money


@dataclass(frozen=True)
class Charge:
    overage: bool
    amount: Money


def allowance_left(allowance: int | None, paid_plan: bool, usage: MonthlyUsage, budget: Money) -> Allowance:
    remaining = None if allowance is None else max(0, allowance - usage.included)
    affordable = max(0, budget.amount - usage.overage_spent.amount) // OVERAGE_PRICE.amount if paid_plan else 0
    return Allowance(allowance, remaining, affordable, budget)


def charge_for_next(allowance: int | None, paid_plan: bool, usage: MonthlyUsage, budget: Money) -> Charge:
    """What one more verification this month costs: nothing within the allowance; beyond it, on a paid plan,
    OVERAGE_PRICE while the month's overage stays within the user's budget; else QUOTA_EXCEEDED."""
    if allowance is None or usage.included < allowance:
        return Charge(False, Money(0, OVERAGE_PRICE.currency))
    if not paid_plan:
        raise DomainError(
            ErrorCode.QUOTA_EXCEEDED,
            f"Your plan allows {allowance} verifications a month; upgrade your plan for more.",
        )
    if usage.overage_spent.amount + OVERAGE_PRICE.amount > budget.amount:
        raise DomainError(
            ErrorCode.QUOTA_EXCEEDED,
            f"You used this month's {allowance} verifications and your overage budget "
            f"({usage.overage_spent.formatted()} of {budget.formatted()} spent, {OVERAGE_PRICE.formatted()} each): "
            "raise it with setVerificationBudget.",
        )
    return Charge(True, OVERAGE_PRICE)


def check_budget(amount: Money) -> Money:
    if amount.currency is not OVERAGE_PRICE.currency:
        raise DomainError(ErrorCode.INVALID_INPUT, "Verification budgets are in EUR.", ["amount", "currency"])
    if not 0 <= amount.amount <= MAX_BUDGET.amount:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"Give a monthly budget from 0 to {MAX_BUDGET.formatted()}.",
            ["amount"],
        )
    return amount


# What a report shows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaptureLocation:
    latitude: float
    longitude: float


def capture_location(image_metadata: Mapping[str, Any]) -> CaptureLocation | None:
    """Where the JPEG says it was taken, from its GPS EXIF as the analysis stored it (``gps: {latitude,
    longitude}`` in signed decimal degrees); None when it carries none or nonsense."""
    gps = image_metadata.get("gps")
    if not isinstance(gps, Mapping):
        return None
    latitude, longitude = gps.get("latitude"), gps.get("longitude")
    if not isinstance(latitude, int | float) or not isinstance(longitude, int | float):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return CaptureLocation(float(latitude), float(longitude))
