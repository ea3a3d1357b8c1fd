"""Who reads a verification report and what of it, the share link, invitations, and the watermark strip."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from lensgraph.domain import verification_sharing as rules
from lensgraph.domain.accounts import Role
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.policies import (
    Viewer,
    can_see_capture_location,
    can_view_verification,
    can_view_verification_image,
)
from lensgraph.domain.verification import AccessType

OWNER = Viewer(uuid4(), Role.PHOTOGRAPHER)
READER = Viewer(uuid4(), Role.BRAND)
ADMIN = Viewer(uuid4(), Role.ADMIN)
RESTRICTED, ANYONE = AccessType.RESTRICTED, AccessType.ANYONE_WITH_LINK


@pytest.mark.parametrize(
    ("viewer", "access", "invited", "holds_link", "allowed"),
    [
        (OWNER, RESTRICTED, False, False, True),
        (READER, RESTRICTED, True, False, True),  # invited: by ID or by link alike
        (READER, RESTRICTED, True, True, True),
        (READER, RESTRICTED, False, True, False),  # restricted: the link alone admits nobody
        (None, RESTRICTED, False, True, False),
        (None, ANYONE, False, True, True),  # anyone with the link, signed in or not
        (READER, ANYONE, False, True, True),
        (READER, ANYONE, False, False, False),  # the ID is not the link
        (ADMIN, RESTRICTED, False, False, False),  # not even an admin
        (None, RESTRICTED, True, False, False),  # an invitation needs a signed-in reader
    ],
)
def test_who_reads_a_report(viewer, access, invited, holds_link, allowed):
    assert can_view_verification(viewer, OWNER.user_id, access, invited, holds_link=holds_link) is allowed


def test_the_original_image_is_for_the_owner_and_invitees_the_location_for_the_owner_unless_shown():
    assert can_view_verification_image(OWNER, OWNER.user_id)
    assert can_view_verification_image(READER, OWNER.user_id, invited=True)
    assert not can_view_verification_image(READER, OWNER.user_id)
    assert not can_view_verification_image(None, OWNER.user_id, invited=True)
    assert can_see_capture_location(OWNER, OWNER.user_id, show_location=False)
    assert not can_see_capture_location(READER, OWNER.user_id, show_location=False)
    assert can_see_capture_location(None, OWNER.user_id, show_location=True)


def test_share_tokens_are_random_and_stored_as_their_hash():
    first, second = rules.new_share_token(), rules.new_share_token()
    assert first != second and len(first) == 43  # 32 bytes, URL-safe base64 without padding
    digest = rules.share_token_digest(first)
    assert len(digest) == 64 and first not in digest and digest == rules.share_token_digest(first)
    url = rules.share_url("https://api.example.com/", first)
    assert url == f"https://api.example.com/v?token={first}"
    assert rules.token_from_link(url) == first
    assert rules.token_from_link(f" {url}&utm=x#top ") == first
    assert rules.token_from_link(first) == first


def test_sharing_and_invitations_refuse_what_they_must():
    with pytest.raises(DomainError) as other:
        rules.check_owner(READER.user_id, OWNER.user_id)
    assert other.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(DomainError) as oneself:
        rules.check_invitee("owner@example.com", "owner@example.com")
    assert (oneself.value.code, oneself.value.field) == (ErrorCode.INVALID_INPUT, ["email"])
    assert rules.check_invitee("editor@example.com", "owner@example.com") == "editor@example.com"
    rules.check_invite_room(rules.MAX_LIVE_INVITES - 1)
    with pytest.raises(DomainError) as full:
        rules.check_invite_room(rules.MAX_LIVE_INVITES)
    assert full.value.code is ErrorCode.QUOTA_EXCEEDED


def test_views_are_everyone_but_the_owner():
    assert rules.counts_as_view(None, OWNER.user_id)
    assert rules.counts_as_view(READER.user_id, OWNER.user_id)
    assert not rules.counts_as_view(OWNER.user_id, OWNER.user_id)


@pytest.mark.parametrize(
    ("authentic", "verdict"), [(True, "AUTHENTIC"), (False, "NOT AUTHENTIC"), (None, "NO VERDICT")]
)
def test_the_strip_says_verdict_code_and_date(authentic, verdict):
    strip = rules.strip_for(authentic, "ABCDEFGH23", date(2026, 12, 4))
    assert strip.verdict == verdict
    assert strip.lines == (f"LENSGRAPH VERIFIED: {verdict}", "Report ABCDEFGH23  ·  2026-12-04")
