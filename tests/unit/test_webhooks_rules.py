"""Webhook rules: which secrets sign at a given time, and what an answer's status means."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from lensgraph.domain.webhooks import (
    ROTATION_OVERLAP,
    Outcome,
    outcome,
    rotated,
    sign,
    signature_header,
    signing_secrets,
    verify,
)

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
OLD = "whsec_" + base64.b64encode(b"o" * 24).decode()
NEW = "whsec_" + base64.b64encode(b"n" * 24).decode()


def test_a_rotation_keeps_the_replaced_secret_for_the_overlap():
    previous, expires = rotated(OLD, NOW)
    assert previous == OLD and expires == NOW + ROTATION_OVERLAP == NOW + timedelta(hours=24)


def test_both_secrets_sign_during_the_overlap_and_only_the_new_one_after():
    expires = NOW + ROTATION_OVERLAP
    assert signing_secrets(NEW, OLD, expires, NOW) == [NEW, OLD]
    assert signing_secrets(NEW, OLD, expires, expires - timedelta(seconds=1)) == [NEW, OLD]
    assert signing_secrets(NEW, OLD, expires, expires) == [NEW]
    assert signing_secrets(NEW, None, None, NOW) == [NEW]


def test_the_signature_header_carries_one_entry_per_secret_and_each_verifies():
    timestamp = int(NOW.timestamp())
    header = signature_header([NEW, OLD], "msg_1", timestamp, b"{}")
    assert header.split() == [sign(NEW, "msg_1", timestamp, b"{}"), sign(OLD, "msg_1", timestamp, b"{}")]
    assert verify(NEW, "msg_1", timestamp, b"{}", header, NOW)
    assert verify(OLD, "msg_1", timestamp, b"{}", header, NOW)
    assert not verify(NEW, "msg_1", timestamp, b"{}", signature_header([OLD], "msg_1", timestamp, b"{}"), NOW)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, Outcome.SUCCEEDED),
        (204, Outcome.SUCCEEDED),
        (299, Outcome.SUCCEEDED),
        (410, Outcome.GONE),
        (301, Outcome.RETRY),
        (307, Outcome.RETRY),
        (400, Outcome.RETRY),
        (404, Outcome.RETRY),
        (429, Outcome.RETRY),
        (500, Outcome.RETRY),
        (None, Outcome.RETRY),
    ],
)
def test_a_status_decides_the_outcome(status, expected):
    assert outcome(status) is expected
