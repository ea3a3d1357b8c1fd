"""The rules of user-generated content: the content signature, moderation transitions, flags, input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lensgraph.domain import ugc as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.ugc import AlbumKind, ContentFlag, ContentStatus, MediaStatus, RightsRequestStatus, RightsStatus

BODY = b'{"query":"{ __typename }"}'


def test_signature_is_base64_hmac_sha1_of_the_body_as_the_readme_says():
    assert rules.content_signature("ABCDEFG", BODY) == "3Kwc2Qq8H7jBRGOGs4Di7FSefio="
    assert rules.signature_matches("ABCDEFG", BODY, " 3Kwc2Qq8H7jBRGOGs4Di7FSefio= ")


@pytest.mark.parametrize(
    ("secret", "body", "sent"),
    [
        (None, BODY, "3Kwc2Qq8H7jBRGOGs4Di7FSefio="),
        ("ABCDEFG", None, "3Kwc2Qq8H7jBRGOGs4Di7FSefio="),
        ("ABCDEFG", BODY, None),
        ("ABCDEFG", BODY, ""),
        ("ABCDEFG", BODY + b" ", "3Kwc2Qq8H7jBRGOGs4Di7FSefio="),
        ("other", BODY, "3Kwc2Qq8H7jBRGOGs4Di7FSefio="),
        ("ABCDEFG", BODY, "3kwc2Qq8H7jBRGOGs4Di7FSefio="),
    ],
)
def test_anything_else_does_not_match(secret, body, sent):
    assert not rules.signature_matches(secret, body, sent)


ALLOWED = {
    (ContentStatus.PENDING, ContentStatus.APPROVED),
    (ContentStatus.PENDING, ContentStatus.REJECTED),
    (ContentStatus.APPROVED, ContentStatus.REJECTED),
    (ContentStatus.REJECTED, ContentStatus.APPROVED),
}


@pytest.mark.parametrize("current", list(ContentStatus))
@pytest.mark.parametrize("target", list(ContentStatus))
def test_every_moderation_transition(current, target):
    if (current, target) in ALLOWED:
        assert rules.moderated(current, target) is target
    else:
        with pytest.raises(DomainError) as refused:
            rules.moderated(current, target)
        assert refused.value.code is ErrorCode.INVALID_TRANSITION


def test_failed_media_cannot_be_approved():
    with pytest.raises(DomainError):
        rules.check_approvable(MediaStatus.FAILED)
    for status in (MediaStatus.FETCHING, MediaStatus.PROCESSING, MediaStatus.READY):
        rules.check_approvable(status)


def test_flags_come_from_the_analysis():
    assert rules.flags_of(None, None) == [] and rules.flags_of(0, None) == []
    assert rules.flags_of(2, "other") == [ContentFlag.FACES, ContentFlag.POSSIBLE_DUPLICATE]


def test_commercial_use_needs_granted_rights():
    rules.check_commercial_use(RightsStatus.GRANTED)
    for status in (RightsStatus.NONE, RightsStatus.REQUESTED, RightsStatus.DECLINED):
        with pytest.raises(DomainError) as refused:
            rules.check_commercial_use(status)
        assert refused.value.code is ErrorCode.RIGHTS_REQUIRED


def test_rights_links_are_usable_while_pending_and_unexpired():
    now = datetime(2030, 1, 1, tzinfo=UTC)
    assert rules.rights_link_usable(RightsRequestStatus.PENDING, now + timedelta(seconds=1), now)
    assert not rules.rights_link_usable(RightsRequestStatus.PENDING, now, now)
    assert not rules.rights_link_usable(RightsRequestStatus.GRANTED, now + timedelta(days=1), now)


def test_album_kinds_and_their_fields():
    assert rules.clean_hashtag(AlbumKind.HASHTAG, " #Summer_24 ") == "summer_24"
    assert rules.clean_hashtag(AlbumKind.MANUAL, None) is None
    assert rules.check_product_album(AlbumKind.PRODUCT, " TEE-1 ") == "TEE-1"
    for call in (
        lambda: rules.clean_hashtag(AlbumKind.HASHTAG, "two words"),
        lambda: rules.clean_hashtag(AlbumKind.PRODUCT, "tag"),
        lambda: rules.check_product_album(AlbumKind.PRODUCT, None),
        lambda: rules.check_product_album(AlbumKind.MANUAL, "TEE-1"),
    ):
        with pytest.raises(DomainError):
            call()


def test_skus_are_cleaned_deduplicated_and_limited():
    assert rules.clean_skus(["A-1", " A-1", "b.2"]) == ["A-1", "b.2"]
    with pytest.raises(DomainError):
        rules.clean_skus(["x"] * (rules.MAX_SKUS_PER_CONTENT + 1))
    with pytest.raises(DomainError):
        rules.clean_sku("has space")


def test_terms_are_kept_as_written_and_hashed():
    terms = "Line one.\n\n  Line two."
    assert rules.clean_terms(f"  {terms}\n") == terms
    assert rules.terms_digest(terms) == rules.terms_digest(terms) != rules.terms_digest(terms + " ")
    with pytest.raises(DomainError):
        rules.clean_terms("   ")
