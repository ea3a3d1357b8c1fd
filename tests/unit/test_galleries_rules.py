"""Gallery rules without a database: expiry, cleaning, ordering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from lensgraph.domain import galleries as rules
from lensgraph.domain.errors import DomainError, ErrorCode

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def test_a_gallery_expires_at_its_expiry_not_before():
    assert not rules.is_expired(None, NOW)
    assert not rules.is_expired(NOW + timedelta(seconds=1), NOW)
    assert rules.is_expired(NOW, NOW)
    with pytest.raises(DomainError) as refusal:
        rules.check_open_to_clients(NOW - timedelta(days=1), NOW)
    assert refusal.value.code is ErrorCode.GALLERY_EXPIRED


@pytest.mark.parametrize(
    ("clean", "value", "expected"),
    [
        (rules.clean_accent_colour, "#a1b2c3", "#A1B2C3"),
        (rules.clean_client_email, " Jane@Example.COM ", "jane@example.com"),
        (rules.clean_client_email, "", None),
        (rules.clean_title, "  Smith   wedding ", "Smith wedding"),
        (rules.clean_set_name, " Ceremony ", "Ceremony"),
    ],
)
def test_fields_are_cleaned(clean, value, expected):
    assert clean(value) == expected


@pytest.mark.parametrize(
    ("check", "value", "field"),
    [
        (rules.clean_accent_colour, "red", "accentColor"),
        (rules.clean_client_email, "nobody", "clientEmail"),
        (rules.check_password, "abc", "password"),
        (rules.clean_watermark_text, "x" * 81, "watermarkText"),
    ],
)
def test_bad_fields_are_refused(check, value, field):
    with pytest.raises(DomainError) as refusal:
        check(value)
    assert refusal.value.field == [field]


def test_a_new_order_names_each_item_once():
    first, second = uuid4(), uuid4()
    assert rules.check_reorder([first, second], [second, first]) == [second, first]
    for wrong in ([first], [first, first], [first, second, uuid4()]):
        with pytest.raises(DomainError):
            rules.check_reorder([first, second], wrong)
    with pytest.raises(DomainError) as refusal:
        rules.check_reorder([first], [], "sets", "setIds")
    assert refusal.value.field == ["setIds"]


def test_an_archived_gallery_is_not_archived_again():
    rules.check_archivable(rules.GalleryStatus.ACTIVE)
    with pytest.raises(DomainError) as refusal:
        rules.check_archivable(rules.GalleryStatus.ARCHIVED)
    assert refusal.value.code is ErrorCode.INVALID_TRANSITION
