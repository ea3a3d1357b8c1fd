"""Brand matching rules: profiles, scoring with its reasons, exclusions, budget fit, status moves."""

from __future__ import annotations

import pytest

from lensgraph.domain import matching as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.matching import Budget, MatchStatus, PhotoFacts
from lensgraph.domain.money import Currency, Money
from lensgraph.domain.photos import PhotoCategory


def profile(**overrides):
    values = {
        "company_name": "Tidewater Surf Co.",
        "website": "https://tidewater.example",
        "description": "Surf wear for cold water.",
        "categories": [PhotoCategory.SPORTS],
        "styles": ["golden hour"],
        "colors": ["blue"],
        "keywords": ["surf", "beach"],
        "excluded_keywords": ["crowd"],
        "budget": Budget(Currency.EUR, 10_000, 50_000),
    }
    values.update(overrides)
    return rules.check_profile(**values)


def facts(**overrides):
    values = {
        "title": "Surfers at golden hour",
        "description": "",
        "keywords": ("beach", "ocean"),
        "category": PhotoCategory.SPORTS,
        "colors": ("blue", "orange"),
    }
    values.update(overrides)
    return PhotoFacts(**values)


def test_a_profile_is_cleaned():
    checked = profile(company_name="  Tidewater   Surf ", keywords=["Surf", " surf ", "Beach"], colors=["Blue"])
    assert checked.company_name == "Tidewater Surf"
    assert checked.keywords == ("surf", "beach")
    assert checked.colors == ("blue",)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"company_name": "  "}, ["companyName"]),
        ({"website": "ftp://x"}, ["website"]),
        ({"colors": ["teal-ish"]}, ["colors", "0"]),
        ({"keywords": ["x" * 51]}, ["keywords"]),
        ({"excluded_keywords": ["surf"]}, ["excludedKeywords"]),
        ({"budget": Budget(Currency.EUR, 500, 100)}, ["budget", "min"]),
        ({"budget": Budget(Currency.EUR, -1, None)}, ["budget"]),
    ],
)
def test_a_profile_that_cannot_be_used_is_refused(overrides, field):
    with pytest.raises(DomainError) as refused:
        profile(**overrides)
    assert refused.value.code is ErrorCode.INVALID_INPUT
    assert refused.value.field == field


def test_a_good_fit_scores_high_with_readable_reasons():
    scored = rules.score(profile(), facts(prices=(Money(20_000, Currency.EUR),)))
    assert scored is not None
    assert scored.score == 1.0
    assert scored.reasons[0] == "keywords: surf, beach, golden hour"
    assert set(scored.reasons[1:]) == {"category: sports", "palette: blue", "budget: licensed at 200.00 EUR"}


def test_plurals_and_phrases_match():
    photo = facts(title="Two surfers", keywords=("sandy beaches",))
    assert rules.mentions(photo, "surfer") and rules.mentions(photo, "beach")
    assert not rules.mentions(photo, "sand beach")


def test_an_excluded_keyword_removes_the_photo():
    assert rules.score(profile(), facts(description="A crowd on the pier")) is None


def test_similarity_counts_when_known_and_is_left_out_when_not():
    nothing_else = profile(categories=[], styles=[], colors=[], keywords=["surf"], budget=None)
    unrelated = facts(title="Office desk", keywords=(), description="")
    without = rules.score(nothing_else, unrelated)
    assert without is not None and without.score == 0 and not rules.worth_keeping(without)
    close = rules.score(nothing_else, facts(title="Office desk", keywords=(), similarity=0.7))
    assert close is not None and close.score > 0.4
    assert close.reasons == ("similar to your profile (0.70)",)
    far = rules.score(nothing_else, facts(title="Office desk", keywords=(), similarity=0.05))
    assert far is not None and far.score == 0


def test_an_unknown_price_is_neutral_and_an_expensive_one_costs():
    known = rules.score(profile(), facts())
    assert known is not None and known.score == 1.0
    expensive = rules.score(profile(), facts(prices=(Money(90_000, Currency.EUR),)))
    assert expensive is not None and expensive.score < 1.0
    assert "over budget: licensed at 900.00 EUR" in expensive.reasons
    other_currency = rules.score(profile(), facts(prices=(Money(90_000, Currency.USD),)))
    assert other_currency is not None and other_currency.score == 1.0


def test_a_profile_that_asks_nothing_scores_nothing():
    empty = profile(categories=[], styles=[], colors=[], keywords=[], excluded_keywords=[], budget=None)
    scored = rules.score(empty, facts())
    assert scored == rules.Scored(0.0, ())


def test_dominant_colour_names():
    assert rules.dominant_color_names(["#2050d0", "#2a5ac8", "#f08c14", "#141414", "bad"]) == ("blue", "orange")


@pytest.mark.parametrize(
    ("current", "wanted", "changes"),
    [
        (MatchStatus.NEW, MatchStatus.VIEWED, True),
        (MatchStatus.NEW, MatchStatus.INTERESTED, True),
        (MatchStatus.NEW, MatchStatus.DISMISSED, True),
        (MatchStatus.VIEWED, MatchStatus.INTERESTED, True),
        (MatchStatus.VIEWED, MatchStatus.DISMISSED, True),
        (MatchStatus.INTERESTED, MatchStatus.DISMISSED, True),
        (MatchStatus.VIEWED, MatchStatus.VIEWED, False),
        (MatchStatus.DISMISSED, MatchStatus.DISMISSED, False),
    ],
)
def test_allowed_moves(current, wanted, changes):
    assert rules.check_transition(current, wanted) is changes


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (MatchStatus.INTERESTED, MatchStatus.VIEWED),
        (MatchStatus.DISMISSED, MatchStatus.VIEWED),
        (MatchStatus.DISMISSED, MatchStatus.INTERESTED),
    ],
)
def test_refused_moves(current, wanted):
    with pytest.raises(DomainError) as refused:
        rules.check_transition(current, wanted)
    assert refused.value.code is ErrorCode.INVALID_TRANSITION


def test_nothing_sets_a_match_back_to_new():
    with pytest.raises(DomainError) as refused:
        rules.check_transition(MatchStatus.VIEWED, MatchStatus.NEW)
    assert refused.value.code is ErrorCode.INVALID_INPUT


def test_precision_at_k():
    assert rules.precision_at(["a", "b", "c"], {"a", "c"}, 2) == 0.5
    assert rules.precision_at(["a"], {"a"}, 4) == 0.25


def test_expected_precision_counts_a_tied_group_by_its_share():
    assert (
        rules.expected_precision_at([(0.9, True), (0.5, True), (0.5, False), (0.5, False), (0.5, False)], 3)
        == (1 + 2 * 0.25) / 3
    )
    assert rules.expected_precision_at([(0.9, True), (0.8, False)], 2) == 0.5
    assert rules.expected_precision_at([(0.9, True)], 4) == 0.25
