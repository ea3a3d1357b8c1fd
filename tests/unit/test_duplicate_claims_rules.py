"""Duplicate claims: who may claim, each allowed and each refused transition, notes."""

from __future__ import annotations

from uuid import uuid4

import pytest

from lensgraph.domain.accounts import Role
from lensgraph.domain.duplicates import (
    NOTE_MAX,
    ClaimDecision,
    ClaimStatus,
    check_claimable,
    check_note,
    is_cross_account,
    resolve,
)
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.photos import PhotoStatus, Visibility, check_licensable_status
from lensgraph.domain.policies import Viewer, can_view_duplicate_claim, can_view_photo


@pytest.mark.parametrize(
    ("decision", "status"),
    [(ClaimDecision.DISMISSED, ClaimStatus.DISMISSED), (ClaimDecision.TAKEN_DOWN, ClaimStatus.TAKEN_DOWN)],
)
def test_an_open_claim_is_resolved_either_way(decision, status):
    assert resolve(ClaimStatus.OPEN, decision) is status


@pytest.mark.parametrize("current", [ClaimStatus.DISMISSED, ClaimStatus.TAKEN_DOWN])
@pytest.mark.parametrize("decision", list(ClaimDecision))
def test_a_resolved_claim_is_never_resolved_again(current, decision):
    with pytest.raises(DomainError) as refused:
        resolve(current, decision)
    assert refused.value.code is ErrorCode.INVALID_TRANSITION


def test_who_may_claim():
    claimant, uploader = uuid4(), uuid4()
    check_claimable(claimant, uploader, claimant)
    with pytest.raises(DomainError) as own:
        check_claimable(claimant, claimant, claimant)
    assert own.value.code is ErrorCode.INVALID_INPUT
    for original_owner in (uploader, uuid4(), None):
        with pytest.raises(DomainError) as other:
            check_claimable(claimant, uploader, original_owner)
        assert other.value.code is ErrorCode.NOT_A_DUPLICATE


def test_only_someone_elses_copy_is_told():
    owner = uuid4()
    assert is_cross_account(uuid4(), owner) and not is_cross_account(owner, owner)


def test_notes_are_trimmed_and_bounded():
    assert check_note("  mine  ") == "mine" and check_note(None) == ""
    with pytest.raises(DomainError):
        check_note("x" * (NOTE_MAX + 1))


def test_a_taken_down_photo_is_its_owners_alone_and_never_licensed():
    owner = uuid4()
    viewer = Viewer(owner, Role.PHOTOGRAPHER)
    other = Viewer(uuid4(), Role.BRAND)
    assert can_view_photo(viewer, owner, PhotoStatus.TAKEN_DOWN, Visibility.PUBLIC)
    assert not can_view_photo(other, owner, PhotoStatus.TAKEN_DOWN, Visibility.PUBLIC)
    with pytest.raises(DomainError) as refused:
        check_licensable_status(PhotoStatus.TAKEN_DOWN)
    assert refused.value.code is ErrorCode.PHOTO_TAKEN_DOWN
    check_licensable_status(PhotoStatus.READY)


def test_who_sees_a_claim():
    claimant, uploader = uuid4(), uuid4()
    assert can_view_duplicate_claim(Viewer(claimant, Role.PHOTOGRAPHER), claimant, uploader)
    assert can_view_duplicate_claim(Viewer(uploader, Role.PHOTOGRAPHER), claimant, uploader)
    assert can_view_duplicate_claim(Viewer(uuid4(), Role.ADMIN), claimant, uploader)
    assert not can_view_duplicate_claim(Viewer(uuid4(), Role.BRAND), claimant, uploader)
    assert not can_view_duplicate_claim(None, claimant, uploader)
