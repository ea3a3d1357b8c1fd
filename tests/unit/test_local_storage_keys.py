"""Local storage's key check and quoting, fast forms held equal to their plain definitions."""

from urllib.parse import quote

import pytest

from lensgraph.adapters.storage.local import _check_key, _quoted_key

KEYS = [
    "",
    ".",
    "..",
    "a",
    "a/b.jpg",
    "renditions/5f0c/thumbnail.jpg",
    "./a",
    "a/.",
    "a/./b",
    "a/../b",
    "../escaped",
    "a/..",
    "a//b",
    "/a",
    "a/",
    "a/.hidden",
    "a..b/c",
    "...",
    "a/.../b",
    "a\\b",
    "a\x00b",
    "with space/é.jpg",
    "q?x=1#f",
    "tilde~and-dash_under.score",
]


def escapes(key: str) -> bool:
    parts = key.split("/")
    return not key or "\\" in key or "\x00" in key or any(part in {"", ".", ".."} for part in parts)


@pytest.mark.parametrize("key", KEYS, ids=[repr(key) for key in KEYS])
def test_the_key_check_refuses_exactly_the_keys_that_could_leave_the_folder(key: str) -> None:
    if escapes(key):
        with pytest.raises(ValueError):
            _check_key(key)
    else:
        _check_key(key)


@pytest.mark.parametrize("key", KEYS, ids=[repr(key) for key in KEYS])
def test_keys_are_quoted_as_urllib_quotes_them(key: str) -> None:
    assert _quoted_key(key) == quote(key)
