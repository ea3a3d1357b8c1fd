"""Sharing a verification report: its share link, invitations by email, who counts as a view, and the strip
printed on the watermarked JPEG.

A share link carries 32 random bytes; only their SHA-256 is stored, so the link is shown once, when it is made
(as API keys are), and a lost link is replaced by a new one. Invitations name a person by email; they reach
that person's account once it exists with that address verified.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from lensgraph.domain.errors import DomainError, ErrorCode

# Where a share link opens the report. The token travels as the ``token`` query parameter, which every log redacts
# (a path segment would be written to access logs as it is).
SHARE_PATH = "/v"
# No report has more invited readers than this: an invitation list is a few colleagues or editors, not a mailing.
MAX_LIVE_INVITES = 100
NOT_FOUND = "No such verification."
# The same answer for an unknown, revoked or replaced link and for a link the reader may not use: a link that does
# not work says nothing about whether a report behind it exists.
LINK_NOT_FOUND = "This share link does not open any report you may see."
# Renditions of the verified JPEG.
THUMBNAIL_PX = 320
WATERMARKED_PX = 2048


def new_share_token() -> str:
    """32 random bytes, URL-safe base64: what the share link carries."""
    return secrets.token_urlsafe(32)


def share_token_digest(token: str) -> str:
    """What is stored of a share token, and what a presented token is looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()


def share_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{SHARE_PATH}?token={token}"


def token_from_link(token_or_url: str) -> str:
    """Accepts the token or the whole share URL (what a reader pastes); answers the token."""
    text = token_or_url.strip()
    if "token=" in text:
        text = text.split("token=", 1)[1].split("&", 1)[0]
    return text.split("#", 1)[0].strip()


def check_owner(viewer_id: UUID, owner_id: UUID) -> None:
    """Sharing is the owner's: another user's report answers as if it did not exist, as every lookup does."""
    if viewer_id != owner_id:
        raise DomainError(ErrorCode.NOT_FOUND, NOT_FOUND, ["id"])


def check_invitee(email: str, owner_email: str) -> str:
    """A normalised address (the caller normalises as accounts do); the owner cannot invite themselves."""
    if email == owner_email:
        raise DomainError(ErrorCode.INVALID_INPUT, "You own this report: invite someone else.", ["email"])
    return email


def check_invite_room(live_invites: int) -> None:
    if live_invites >= MAX_LIVE_INVITES:
        raise DomainError(
            ErrorCode.QUOTA_EXCEEDED,
            f"A report may have at most {MAX_LIVE_INVITES} invited readers; revoke some first.",
            ["email"],
        )


def counts_as_view(reader_id: UUID | None, owner_id: UUID) -> bool:
    """A read of a shared report by anyone but its owner (anonymous link holders included)."""
    return reader_id != owner_id


@dataclass(frozen=True)
class Strip:
    """What the verification strip under the watermarked JPEG says."""

    verdict: str
    short_code: str
    day: date

    @property
    def lines(self) -> tuple[str, str]:
        return (f"LENSGRAPH VERIFIED: {self.verdict}", f"Report {self.short_code}  ·  {self.day.isoformat()}")


def strip_for(authentic: bool | None, short_code: str, day: date) -> Strip:
    """The verdict as printed: a report without one yet (analysis running or failed) says so."""
    verdict = {True: "AUTHENTIC", False: "NOT AUTHENTIC", None: "NO VERDICT"}[authentic]
    return Strip(verdict, short_code, day)
