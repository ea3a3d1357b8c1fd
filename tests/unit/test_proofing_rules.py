"""Proofing rules: list names, selection limits, and the daily figures of a gallery."""

from __future__ import annotations

from datetime import date

import pytest

from lensgraph.domain import proofing as rules
from lensgraph.domain.analytics import window
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.resolvers.gallery_activity import ACTIVITY_EVENTS


def code_of(call, *args) -> ErrorCode:
    with pytest.raises(DomainError) as refused:
        call(*args)
    return refused.value.code


def test_a_list_is_named_or_the_default():
    assert rules.clean_list_name(None) == rules.clean_list_name("   ") == "Favorites"
    assert rules.clean_list_name("  Album   picks ") == "Album picks"
    assert code_of(rules.clean_list_name, "x" * 51) is ErrorCode.INVALID_INPUT


def test_limits_the_studio_sets_must_make_sense():
    rules.check_limits(0, 1)
    rules.check_limits(None, None)
    assert code_of(rules.check_limits, 3, 2) is ErrorCode.INVALID_INPUT
    assert code_of(rules.check_limits, -1, None) is ErrorCode.INVALID_INPUT
    assert code_of(rules.check_limits, None, 0) is ErrorCode.INVALID_INPUT


def test_a_selection_stays_within_the_limits():
    rules.check_room(1, 2)
    rules.check_room(100, None)
    assert code_of(rules.check_room, 2, 2) is ErrorCode.SELECTION_LIMIT
    rules.check_submittable(2, 2, 2)
    assert code_of(rules.check_submittable, 1, 2, None) is ErrorCode.SELECTION_LIMIT
    assert code_of(rules.check_submittable, 3, None, 2) is ErrorCode.SELECTION_LIMIT
    assert code_of(rules.check_open, rules.SelectionStatus.SUBMITTED) is ErrorCode.INVALID_TRANSITION


def test_figures_cover_every_day_of_the_window():
    chosen = window(date(2026, 3, 1), date(2026, 3, 3))
    figures = rules.gallery_figures(chosen, {date(2026, 3, 2): 4, date(2026, 2, 1): 9}, {date(2026, 3, 3): 2}, {}, 3)
    assert [(day.day.day, day.views, day.favorites, day.selections) for day in figures.days] == [
        (1, 0, 0, 0),
        (2, 4, 0, 0),
        (3, 0, 2, 0),
    ]
    assert (figures.views, figures.unique_visitors, figures.favorites, figures.selections) == (4, 3, 2, 0)


def test_the_live_feed_follows_one_event_type_per_kind():
    assert {kind.type for kind in ACTIVITY_EVENTS} == {kind.value for kind in rules.GalleryActivityKind}
