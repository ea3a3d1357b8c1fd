"""Collection, lightbox and portfolio rules: slugs, order, links, featured photos, who may do what."""

from __future__ import annotations

from uuid import uuid4

import pytest

from lensgraph.domain import collections as rules
from lensgraph.domain import portfolios
from lensgraph.domain.accounts import Role
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.photos import PhotoStatus, Visibility
from lensgraph.domain.policies import Viewer, can_keep_lightbox, can_publish, can_view_collection
from lensgraph.domain.portfolios import SocialLink, SocialNetwork


def refused(call, *args) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args)
    return caught.value


# --- slugs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Summer in Lisbon", "summer-in-lisbon"),
        ("  Café  Crème — 2024! ", "cafe-creme-2024"),
        ("B&W / portraits", "b-w-portraits"),
        ("Zoë's Café", "zoes-cafe"),
        ("A", "collection"),
        ("東京", "collection"),
        ("x" * 90, "x" * 80),
        ("a" * 79 + " b", "a" * 79),
    ],
)
def test_slug_from_title(title, slug):
    assert rules.slug_from_title(title) == slug


@pytest.mark.parametrize("slug", ["abc", "summer-2024", "a1-b2-c3", "  Mixed-Case  ", "x" * 80])
def test_chosen_slugs_that_are_fine(slug):
    assert rules.clean_slug(slug) == slug.strip().lower()


@pytest.mark.parametrize("slug", ["", "ab", "x" * 81, "-abc", "abc-", "a--b", "with space", "ümlaut", "a_b", "a.b"])
def test_chosen_slugs_that_are_refused(slug):
    error = refused(rules.clean_slug, slug)
    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, ["slug"])


def test_a_taken_derived_slug_gets_the_first_free_number():
    assert rules.first_free_slug("summer", set()) == "summer"
    assert rules.first_free_slug("summer", {"summer"}) == "summer-2"
    assert rules.first_free_slug("summer", {"summer", "summer-2", "summer-4"}) == "summer-3"


def test_a_numbered_slug_still_fits():
    base = "y" * 80
    numbered = rules.first_free_slug(base, {base})
    assert numbered == "y" * 78 + "-2" and len(numbered) == rules.MAX_SLUG
    assert rules.clean_slug(rules.numbered_slug("ab-" + "c" * 77, 10)) == "ab-" + "c" * 74 + "-10"


# --- membership and order ----------------------------------------------------------------------


def test_reorder_names_every_photo_once():
    photos = [uuid4() for _ in range(3)]
    assert rules.check_reorder(photos, photos[::-1]) == photos[::-1]
    assert rules.check_reorder([], []) == []


@pytest.mark.parametrize(
    "requested",
    [
        lambda p: p[:2],  # one missing
        lambda p: [*p, uuid4()],  # a stranger
        lambda p: [p[0], p[0], p[1], p[2]],  # a duplicate
        lambda p: [p[0], p[0], p[1]],  # a duplicate hiding a missing one
    ],
)
def test_reorder_refuses_anything_else(requested):
    photos = [uuid4() for _ in range(3)]
    error = refused(rules.check_reorder, photos, requested(photos))
    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, ["photoIds"])


def test_a_full_collection_takes_no_more():
    rules.check_room(rules.MAX_COLLECTION_PHOTOS - 1)
    error = refused(rules.check_room, rules.MAX_COLLECTION_PHOTOS)
    assert error.code is ErrorCode.QUOTA_EXCEEDED


def test_own_photos_do_not_go_in_a_lightbox():
    brand, photographer = uuid4(), uuid4()
    rules.check_lightbox_photo(brand, photographer)
    error = refused(rules.check_lightbox_photo, brand, brand)
    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, ["photoId"])


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_photographers_studios_and_admins_curate_and_brands_keep_lightboxes(role):
    viewer = Viewer(user_id=uuid4(), role=role)
    assert can_publish(viewer) is (role in {Role.PHOTOGRAPHER, Role.STUDIO, Role.ADMIN})
    assert can_keep_lightbox(viewer) is (role is Role.BRAND)


def test_a_private_collection_is_its_owners_alone():
    owner = Viewer(user_id=uuid4(), role=Role.PHOTOGRAPHER)
    admin = Viewer(user_id=uuid4(), role=Role.ADMIN)
    assert can_view_collection(owner, owner.user_id, Visibility.PRIVATE)
    assert not can_view_collection(admin, owner.user_id, Visibility.PRIVATE)
    assert not can_view_collection(None, owner.user_id, Visibility.PRIVATE)
    assert can_view_collection(None, owner.user_id, Visibility.PUBLIC)


# --- portfolio text and links ------------------------------------------------------------------


def test_headline_and_bio_lengths():
    assert portfolios.clean_headline("  Light   and  shade ") == "Light and shade"
    assert portfolios.clean_bio("  Line one\n\nLine two  ") == "Line one\n\nLine two"
    assert refused(portfolios.clean_headline, "h" * 201).field == ["headline"]
    assert refused(portfolios.clean_bio, "b" * 2001).field == ["bio"]


def test_social_links_are_kept_in_order():
    links = [
        SocialLink(SocialNetwork.INSTAGRAM, " https://www.instagram.com/ada "),
        SocialLink(SocialNetwork.X, "https://twitter.com/ada"),
        SocialLink(SocialNetwork.WEBSITE, "https://ada.example/portfolio?lang=en"),
    ]
    cleaned = portfolios.clean_social_links(links)
    assert [link.url for link in cleaned] == [
        "https://www.instagram.com/ada",
        "https://twitter.com/ada",
        "https://ada.example/portfolio?lang=en",
    ]
    stored = portfolios.stored_links(cleaned)
    assert list(stored) == ["instagram", "x", "website"]
    assert portfolios.links_from_storage(stored) == cleaned


@pytest.mark.parametrize(
    ("network", "url"),
    [
        (SocialNetwork.WEBSITE, "http://ada.example"),
        (SocialNetwork.WEBSITE, "javascript:alert(1)"),
        (SocialNetwork.WEBSITE, "https://"),
        (SocialNetwork.WEBSITE, "https://localhost/"),
        (SocialNetwork.WEBSITE, "https://user:secret@ada.example/"),
        (SocialNetwork.WEBSITE, "https://ada.example/" + "p" * 300),
        (SocialNetwork.WEBSITE, "https://ada.example/a b"),
        (SocialNetwork.WEBSITE, "https://[::1/"),
        (SocialNetwork.INSTAGRAM, "https://instagram.com.evil.example/ada"),
        (SocialNetwork.INSTAGRAM, "https://notinstagram.com/ada"),
        (SocialNetwork.YOUTUBE, "https://vimeo.com/ada"),
    ],
)
def test_bad_links_are_refused_with_their_place(network, url):
    links = [SocialLink(SocialNetwork.FLICKR, "https://flickr.com/ada"), SocialLink(network, url)]
    error = refused(portfolios.clean_social_links, links)
    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, ["socialLinks", "1", "url"])


def test_one_link_per_network():
    links = [
        SocialLink(SocialNetwork.WEBSITE, "https://a.example"),
        SocialLink(SocialNetwork.WEBSITE, "https://b.example"),
    ]
    assert refused(portfolios.clean_social_links, links).field == ["socialLinks", "1", "network"]


def test_stored_values_no_longer_offered_fall_back():
    assert portfolios.links_from_storage({"myspace": "https://myspace.com/ada"}) == []
    assert portfolios.theme_from_storage("NEON") is portfolios.DEFAULT_THEME
    assert portfolios.theme_from_storage("DARK") is portfolios.PortfolioTheme.DARK


# --- featured photos ---------------------------------------------------------------------------


def test_featured_photos_are_own_ready_ones_in_order():
    photos = [uuid4() for _ in range(3)]
    statuses = dict.fromkeys(photos, PhotoStatus.READY)
    assert portfolios.check_featured(photos[::-1], statuses) == photos[::-1]
    assert portfolios.check_featured([], {}) == []


def test_featured_photo_refusals():
    mine, processing, theirs = uuid4(), uuid4(), uuid4()
    statuses = {mine: PhotoStatus.READY, processing: PhotoStatus.PROCESSING}
    not_mine = refused(portfolios.check_featured, [mine, theirs], statuses)
    assert (not_mine.code, not_mine.field) == (ErrorCode.NOT_FOUND, ["photoIds", "1"])
    unfinished = refused(portfolios.check_featured, [processing], statuses)
    assert (unfinished.code, unfinished.field) == (ErrorCode.INVALID_INPUT, ["photoIds", "0"])
    twice = refused(portfolios.check_featured, [mine, mine], statuses)
    assert (twice.code, twice.field) == (ErrorCode.INVALID_INPUT, ["photoIds"])
    many = [uuid4() for _ in range(portfolios.MAX_FEATURED + 1)]
    too_many = refused(portfolios.check_featured, many, dict.fromkeys(many, PhotoStatus.READY))
    assert (too_many.code, too_many.field) == (ErrorCode.INVALID_INPUT, ["photoIds"])
