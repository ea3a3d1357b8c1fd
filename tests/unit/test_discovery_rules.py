"""Discovery rules: filter cleaning, search terms, and the tags a photo is filed under."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lensgraph.domain.discovery import (
    MAX_SEARCH_LENGTH,
    PhotoFilter,
    clean_filter,
    photo_tags,
    search_terms,
)
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.photos import COLOR_NAMES, MAX_KEYWORD_LENGTH, PhotoCategory, TagKind, clean_keywords

NOON = datetime(2026, 6, 1, 12, tzinfo=UTC)


def refused(given: PhotoFilter) -> DomainError:
    with pytest.raises(DomainError) as caught:
        clean_filter(given)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    return caught.value


# --- clean_filter -----------------------------------------------------------------------------


def test_an_empty_filter_stays_empty():
    assert clean_filter(PhotoFilter()) == PhotoFilter()


def test_exact_match_values_are_normalised_as_stored():
    cleaned = clean_filter(PhotoFilter(keyword="  Golden   HOUR ", photographer=" Iris ", color="Blue"))
    assert (cleaned.keyword, cleaned.photographer, cleaned.color) == ("golden hour", "iris", "blue")


def test_other_conditions_pass_through():
    given = PhotoFilter(category=PhotoCategory.NATURE, min_width=1, has_release=False, captured_after=NOON)
    assert clean_filter(given) == given


@pytest.mark.parametrize("name", [named.name for named in COLOR_NAMES])
def test_every_named_colour_is_accepted(name):
    assert clean_filter(PhotoFilter(color=name.upper())).color == name


@pytest.mark.parametrize("color", ["chartreuse", "#0000ff", "bluish"])
def test_an_unknown_colour_is_refused_on_its_field(color):
    error = refused(PhotoFilter(color=color))
    assert error.field == ["filter", "color"]
    assert "blue" in error.message


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (PhotoFilter(keyword="   "), "keyword"),
        (PhotoFilter(keyword="x" * (MAX_KEYWORD_LENGTH + 1)), "keyword"),
        (PhotoFilter(photographer=""), "photographer"),
        (PhotoFilter(photographer="iris\x00"), "photographer"),
        (PhotoFilter(keyword="sea\x1bside"), "keyword"),
        (PhotoFilter(color=""), "color"),
        (PhotoFilter(min_width=0), "minWidth"),
        (PhotoFilter(min_width=-5), "minWidth"),
    ],
)
def test_blank_overlong_or_impossible_values_are_refused(given, field):
    assert refused(given).field == ["filter", field]


def test_an_empty_or_inverted_capture_window_is_refused():
    assert refused(PhotoFilter(captured_after=NOON, captured_before=NOON)).field == ["filter", "capturedBefore"]
    inverted = PhotoFilter(captured_after=NOON, captured_before=NOON - timedelta(days=1))
    assert refused(inverted).field == ["filter", "capturedBefore"]


def test_times_without_an_offset_are_utc():
    naive = clean_filter(PhotoFilter(captured_after=datetime(2026, 6, 1, 12), captured_before=datetime(2026, 6, 2)))
    assert naive.captured_after == NOON
    assert naive.captured_before == datetime(2026, 6, 2, tzinfo=UTC)


# --- search_terms -----------------------------------------------------------------------------


def test_words_are_lower_cased_and_deduplicated_in_order():
    assert search_terms("Sunset SEA sunset Dunes") == ["sunset", "sea", "dunes"]


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ('"', []),
        ("AND (", []),
        ("NEAR(sunset sea, 2)", ["near", "sunset", "sea", "2"]),
        ("title:sunset*", ["title", "sunset"]),
        ("'; DROP TABLE photos; --", ["drop", "table", "photos"]),
        ('sunset -beach | "golden hour"', ["sunset", "beach", "golden", "hour"]),
        ("the a of", []),
        ("Zürich straße 東京", ["zürich", "straße", "東京"]),
        ("snake_case", ["snake", "case"]),
    ],
)
def test_operators_quotes_and_stop_words_are_not_terms(query, terms):
    assert search_terms(query) == terms


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_a_blank_query_is_refused(query):
    with pytest.raises(DomainError) as caught:
        search_terms(query)
    assert (caught.value.code, caught.value.field) == (ErrorCode.INVALID_INPUT, ["query"])


def test_an_overlong_query_is_refused():
    assert search_terms("a" * MAX_SEARCH_LENGTH) == ["a" * MAX_SEARCH_LENGTH]
    with pytest.raises(DomainError) as caught:
        search_terms("a" * (MAX_SEARCH_LENGTH + 1))
    assert caught.value.field == ["query"]


# --- photo_tags -------------------------------------------------------------------------------


def test_keywords_and_inferred_keywords_are_keyword_tags_once():
    tags = photo_tags(["sea", "dusk"], ["landscape", "sea"], [])
    assert tags == {(TagKind.KEYWORD, "sea"), (TagKind.KEYWORD, "dusk"), (TagKind.KEYWORD, "landscape")}


def test_the_dominant_colours_are_colour_tags_by_name():
    colors = ["#1e5ac8", "#f0f0f0", "#1c58c4", "#c81e1e"]  # blue, white, blue again; red is the fourth
    assert photo_tags([], [], colors) == {(TagKind.COLOR, "blue"), (TagKind.COLOR, "white")}


def test_an_inferred_keyword_too_long_to_filter_by_is_not_a_tag():
    assert photo_tags([], ["x" * (MAX_KEYWORD_LENGTH + 1)], []) == set()


def test_no_text_and_no_colours_means_no_tags():
    assert photo_tags([], [], []) == set()


@pytest.mark.parametrize("keyword", ["a\x00b", "bell\x07", "\x7f", "x\x9fy"])
def test_keywords_with_control_characters_are_refused_before_they_become_tags(keyword):
    with pytest.raises(DomainError) as caught:
        clean_keywords(["sea", keyword])
    assert (caught.value.code, caught.value.field) == (ErrorCode.INVALID_INPUT, ["keywords"])


def test_keywords_keep_letters_of_any_script_and_emoji():
    assert clean_keywords(["Zürich", "東京", "👩\u200d💻", "tab\tseparated"]) == [
        "zürich",
        "東京",
        "👩\u200d💻",
        "tab separated",
    ]
