"""Semantic search's pure rules: reciprocal rank fusion, pages of a ranked list, the query, a photo's text."""

from __future__ import annotations

import pytest

from lensgraph.domain.discovery import (
    MAX_SEMANTIC_QUERY_LENGTH,
    RRF_K,
    check_semantic_query,
    photo_text,
    ranked_page,
    reciprocal_rank_fusion,
)
from lensgraph.domain.errors import DomainError, ErrorCode


def test_fusion_rewards_what_both_lists_rank_high() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "b", "d"]])
    # c: 1/61 + 1/63 is a hair above b's 2/62; each beats what only one list holds.
    assert [item for item, _ in fused] == ["c", "b", "a", "d"]
    assert fused[0][1] == pytest.approx(1 / (RRF_K + 1) + 1 / (RRF_K + 3))
    assert dict(fused)["a"] == pytest.approx(1 / (RRF_K + 1))


def test_fusion_ties_keep_the_first_list_first_and_empty_lists_count_for_nothing() -> None:
    assert [item for item, _ in reciprocal_rank_fusion([["x", "y"], ["y", "x"]])] == ["x", "y"]
    assert reciprocal_rank_fusion([[], ["p", "q"]]) == reciprocal_rank_fusion([["p", "q"]])
    assert reciprocal_rank_fusion([]) == []


def test_pages_of_a_ranked_list_follow_the_cursor() -> None:
    ranked = [("a", 0.9), ("b", 0.8), ("c", 0.8), ("d", 0.5)]
    first, more = ranked_page(ranked, None, 2, key=str)
    assert (first, more) == ([("a", 0.9), ("b", 0.8)], True)
    second, more = ranked_page(ranked, (0.8, "b"), 2, key=str)
    assert (second, more) == ([("c", 0.8), ("d", 0.5)], False)
    # The last item seen is gone: the page starts at the first scoring less than it.
    assert ranked_page(ranked, (0.85, "gone"), 5, key=str) == ([("b", 0.8), ("c", 0.8), ("d", 0.5)], False)
    assert ranked_page(ranked, (0.1, "gone"), 5, key=str) == ([], False)


@pytest.mark.parametrize("query", ["", "   \n", "x" * (MAX_SEMANTIC_QUERY_LENGTH + 1)])
def test_a_semantic_query_is_not_empty_nor_huge(query: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_semantic_query(query)
    assert refused.value.code is ErrorCode.INVALID_INPUT and refused.value.field == ["query"]
    assert check_semantic_query("  dogs   on a  beach ") == "dogs on a beach"


def test_a_photos_text_holds_its_words_and_scene() -> None:
    text = photo_text("Harbour", "Boats at dusk.", ["boat", "sea"], ["landscape", "sea", "blue"], {"scene": "night"})
    assert text == "Harbour\nBoats at dusk.\nKeywords: boat, sea, landscape, blue.\nCamera: scene night."
    assert photo_text("Only a title", "", [], [], {}) == "Only a title"
