"""Duplicate claims: the owner of an original claims that another account's photo, flagged by the analysis as a
possible duplicate of it, is a copy; an administrator dismisses the claim or takes the copy down.

A claim is OPEN until resolved once, for good: DISMISSED (the copy stays) or TAKEN_DOWN (the copy leaves the
catalogue, cannot be licensed, and the licenses running on it are flagged to both their parties). Every change of
state is kept with who made it, when and their note.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from uuid import UUID

from lensgraph.domain.errors import DomainError, ErrorCode

NOTE_MAX = 2000


class ClaimStatus(Enum):
    OPEN = "OPEN"
    DISMISSED = "DISMISSED"
    TAKEN_DOWN = "TAKEN_DOWN"


class ClaimDecision(Enum):
    """What an administrator decides of an open claim."""

    DISMISSED = "DISMISSED"
    TAKEN_DOWN = "TAKEN_DOWN"


CLAIM_MOVES: Mapping[ClaimStatus, frozenset[ClaimStatus]] = {
    ClaimStatus.OPEN: frozenset({ClaimStatus.DISMISSED, ClaimStatus.TAKEN_DOWN}),
}


def is_cross_account(copy_owner_id: UUID, original_owner_id: UUID) -> bool:
    """A possible duplicate is told to the original's owner only when someone else uploaded it."""
    return copy_owner_id != original_owner_id


def check_note(note: str | None, field: str = "note") -> str:
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise DomainError(ErrorCode.INVALID_INPUT, f"A note has at most {NOTE_MAX} characters.", [field])
    return text


def check_claimable(claimant_id: UUID, copy_owner_id: UUID, original_owner_id: UUID | None) -> None:
    """Only the owner of the original a photo is flagged as a possible duplicate of may claim it, and never their
    own photo."""
    if claimant_id == copy_owner_id:
        raise DomainError(ErrorCode.INVALID_INPUT, "This photo is yours: claim only copies of others.", ["photoId"])
    if original_owner_id != claimant_id:
        raise DomainError(
            ErrorCode.NOT_A_DUPLICATE,
            "This photo is not flagged as a possible duplicate of one of yours.",
            ["photoId"],
        )


def resolve(current: ClaimStatus, decision: ClaimDecision) -> ClaimStatus:
    """An OPEN claim is resolved once; a resolved claim is never resolved again."""
    target = ClaimStatus(decision.value)
    if target not in CLAIM_MOVES.get(current, frozenset()):
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            f"This claim is {current.value.lower().replace('_', ' ')} already: it is resolved once.",
            ["id"],
        )
    return target
