"""GDPR rules: pseudonyms, scrubbing of kept records, the grace period, cancellation."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from lensgraph.domain.compliance import (
    DELETION_GRACE,
    PSEUDONYM_PREFIX,
    check_cancelled,
    deletion_due,
    pseudonym,
    scrubbed,
)
from lensgraph.domain.errors import DomainError, ErrorCode


def test_a_pseudonym_is_stable_per_person_and_holds_nothing_of_them():
    first, second = uuid4(), uuid4()
    assert pseudonym(first) == pseudonym(first) != pseudonym(second)
    assert pseudonym(first).startswith(PSEUDONYM_PREFIX) and str(first) not in pseudonym(first)
    assert str(first)[:8] not in pseudonym(first)


def test_scrubbing_replaces_every_occurrence_in_text_and_json_longest_first():
    needles = ["zelda@example.com", "Zelda Quintrell", "Zelda", "Quintrell"]
    assert scrubbed("Signed: ZELDA QUINTRELL", needles, "P") == "Signed: P"
    assert scrubbed({"parties": [{"name": "Zelda Q", "mail": "zelda@example.com"}], "n": 3}, needles, "P") == {
        "parties": [{"name": "P Q", "mail": "P"}],
        "n": 3,
    }
    assert scrubbed(None, needles, "P") is None
    # Blank needles (an empty last name) change nothing.
    assert scrubbed("text", ["", " "], "P") == "text"


def test_the_grace_period_is_thirty_days_and_only_a_pending_deletion_cancels():
    asked = datetime(2026, 1, 1, tzinfo=UTC)
    assert deletion_due(asked) == asked + DELETION_GRACE == datetime(2026, 1, 31, tzinfo=UTC)
    check_cancelled(True)
    with pytest.raises(DomainError) as refused:
        check_cancelled(False)
    assert refused.value.code is ErrorCode.NOT_FOUND
