"""Keyset pagination arguments: sizes, direction and opaque cursors."""

from __future__ import annotations

import base64

import pytest

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PageRequest,
    decode_cursor,
    encode_cursor,
    page_request,
)

KEY = ("2026-11-22T12:00:00+00:00", "0b7f3c2e-8d1a-4c55-9a8e-3f2b1c0d9e7a")
CURSOR = encode_cursor(KEY)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


# --- sizes ------------------------------------------------------------------------------------


def test_defaults_to_twenty_forward_without_cursor():
    assert DEFAULT_PAGE_SIZE == 20
    assert page_request(None, None, None, None) == PageRequest(limit=20, cursor=None, backward=False)


@pytest.mark.parametrize("size", [0, 1, 50, MAX_PAGE_SIZE])
def test_first_within_bounds(size):
    assert page_request(size, None, None, None) == PageRequest(limit=size, cursor=None, backward=False)


@pytest.mark.parametrize("size", [0, 1, 50, MAX_PAGE_SIZE])
def test_last_within_bounds(size):
    assert page_request(None, None, size, None) == PageRequest(limit=size, cursor=None, backward=True)


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        (-1, None, "first"),
        (MAX_PAGE_SIZE + 1, None, "first"),
        (10_000, None, "first"),
        (None, -1, "last"),
        (None, MAX_PAGE_SIZE + 1, "last"),
        (None, 10_000, "last"),
    ],
)
def test_size_out_of_bounds_is_refused_on_its_field(first, last, field):
    assert MAX_PAGE_SIZE == 100
    with pytest.raises(DomainError) as caught:
        page_request(first, None, last, None)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == [field]


@pytest.mark.parametrize(("first", "last"), [(10, 10), (0, 0), (1, 500)])
def test_first_and_last_together_are_refused(first, last):
    with pytest.raises(DomainError) as caught:
        page_request(first, None, last, None)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == ["first"]


def test_after_and_before_together_are_refused():
    with pytest.raises(DomainError) as caught:
        page_request(None, CURSOR, None, CURSOR)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == ["after"]


# --- direction and cursor ---------------------------------------------------------------------


def test_first_after_pages_forward_from_the_cursor():
    assert page_request(5, CURSOR, None, None) == PageRequest(limit=5, cursor=KEY, backward=False)


def test_after_alone_pages_forward_with_default_size():
    assert page_request(None, CURSOR, None, None) == PageRequest(limit=20, cursor=KEY, backward=False)


def test_last_before_pages_backward_from_the_cursor():
    assert page_request(None, None, 5, CURSOR) == PageRequest(limit=5, cursor=KEY, backward=True)


def test_before_alone_pages_backward_with_default_size():
    assert page_request(None, None, None, CURSOR) == PageRequest(limit=20, cursor=KEY, backward=True)


def test_last_alone_pages_backward():
    assert page_request(None, None, 3, None).backward is True


def test_empty_cursor_text_means_no_cursor():
    assert page_request(None, "", None, None).cursor is None
    assert page_request(None, None, None, "").cursor is None


@pytest.mark.parametrize(
    ("arguments", "field"),
    [((5, None, None, CURSOR), "before"), ((None, CURSOR, 5, None), "after")],
)
def test_mixing_directions_is_refused_rather_than_dropping_a_cursor(arguments, field):
    with pytest.raises(DomainError) as refused:
        page_request(*arguments)
    assert refused.value.code is ErrorCode.INVALID_INPUT
    assert refused.value.field == [field]


# --- cursors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        KEY,
        (1,),
        (42, "abc"),
        ("ünïcödé", 3.5, None, True),
        ("with/slash+plus", -7),
    ],
)
def test_cursor_round_trip(key):
    cursor = encode_cursor(key)
    assert isinstance(cursor, str)
    assert decode_cursor(cursor, "after") == key


def test_cursor_is_url_safe():
    cursor = encode_cursor(("?" * 30, "~" * 30, ">" * 30))
    assert "+" not in cursor and "/" not in cursor


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        "!!!!",
        "abc",
        "é",
        b64(b"not json"),
        b64(b"\xff\xfe\xfd"),
        b64(b"[]"),
        b64(b"{}"),
        b64(b'{"id": 1}'),
        b64(b'"just a string"'),
        b64(b"42"),
        b64(b"null"),
    ],
)
@pytest.mark.parametrize("field", ["after", "before"])
def test_garbage_cursor_is_invalid_input(cursor, field):
    with pytest.raises(DomainError) as caught:
        decode_cursor(cursor, field)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == [field]


def test_garbage_after_is_reported_on_after():
    with pytest.raises(DomainError) as caught:
        page_request(10, "garbage!", None, None)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == ["after"]


def test_garbage_before_is_reported_on_before():
    with pytest.raises(DomainError) as caught:
        page_request(None, None, 10, "garbage!")
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == ["before"]
