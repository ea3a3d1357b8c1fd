"""The rules of Idempotency-Key: valid keys, same requests, what a held key answers, which outcomes are kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lensgraph.domain import idempotency as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.idempotency import HeldKey, KeyState, Outcome, Repeat

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
PRINT = rules.fingerprint("mutation { a }", None, {"x": 1})


def held(state: KeyState, *, claimed_ago: timedelta = timedelta(0), expires_in: timedelta = timedelta(hours=1)):
    return HeldKey(PRINT, state, NOW - claimed_ago, NOW + expires_in)


@pytest.mark.parametrize("raw", ["", "  ", "k" * 256])
def test_an_empty_or_overlong_key_is_invalid(raw):
    with pytest.raises(DomainError) as refused:
        rules.checked_key(raw)
    assert refused.value.code is ErrorCode.INVALID_INPUT


def test_a_key_up_to_255_characters_is_taken_as_sent():
    assert rules.checked_key("k" * 255) == "k" * 255
    assert rules.checked_key(" abc ") == "abc"


def test_the_fingerprint_ignores_key_order_but_not_values():
    assert rules.fingerprint("q", "Op", {"a": 1, "b": {"c": 2, "d": 3}}) == rules.fingerprint(
        "q", "Op", {"b": {"d": 3, "c": 2}, "a": 1}
    )
    assert rules.fingerprint("q", None, None) == rules.fingerprint("q", None, {})
    assert rules.fingerprint("q", "Op", {"a": 1}) != rules.fingerprint("q", "Op", {"a": 2})
    assert rules.fingerprint("q", "Op", {}) != rules.fingerprint("q", "Other", {})
    assert rules.fingerprint("q", None, {}) != rules.fingerprint("q ", None, {})


def test_what_a_held_key_answers():
    assert rules.on_repeat(held(KeyState.DONE), PRINT, NOW) is Repeat.REPLAY
    assert rules.on_repeat(held(KeyState.IN_PROGRESS), PRINT, NOW) is Repeat.WAIT
    assert rules.on_repeat(held(KeyState.RELEASED), PRINT, NOW) is Repeat.TAKE_OVER
    abandoned = held(KeyState.IN_PROGRESS, claimed_ago=rules.ABANDONED_AFTER)
    assert rules.on_repeat(abandoned, PRINT, NOW) is Repeat.TAKE_OVER
    for state in KeyState:
        assert rules.on_repeat(held(state), "another body", NOW) is Repeat.REUSED
        assert rules.on_repeat(held(state, expires_in=timedelta(0)), "another body", NOW) is Repeat.EXPIRED


def test_which_outcomes_are_kept():
    assert rules.outcome(200, {"data": {"m": {"userErrors": [{"code": "INVALID_INPUT"}]}}}) is Outcome.FINAL
    refused = {"data": None, "errors": [{"path": ["m"], "extensions": {"code": "FORBIDDEN"}}]}
    assert rules.outcome(200, refused) is Outcome.FINAL
    invalid = {"errors": [{"message": "Cannot query field", "extensions": {"code": "INVALID_INPUT"}}]}
    assert rules.outcome(400, invalid) is Outcome.NOT_RUN
    assert rules.outcome(200, {"data": None, "errors": [{"path": ["m"], "extensions": {"code": "INTERNAL"}}]}) is (
        Outcome.CRASHED
    )
    assert rules.outcome(503, {"data": {"m": None}}) is Outcome.CRASHED
    assert rules.outcome(200, None) is Outcome.CRASHED


def test_derived_ids_are_stable_per_key_and_purpose():
    assert rules.derived_id("k1", "payment") == rules.derived_id("k1", "payment")
    assert rules.derived_id("k1", "payment") != rules.derived_id("k2", "payment")
    assert rules.derived_id("k1", "payment") != rules.derived_id("k1", "subscription")
