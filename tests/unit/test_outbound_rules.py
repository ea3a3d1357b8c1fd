"""Where the server may send requests: hosts read as resolvers and browsers read them, public targets only."""

from __future__ import annotations

import ipaddress

import pytest

from lensgraph.domain.errors import DomainError
from lensgraph.domain.outbound import InvalidHost, all_public, check_url, is_private_name, parse_host


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0x", "0.0.0.0"),
        ("127.0.0.1.", "127.0.0.1"),
        ("0xffffffff", "255.255.255.255"),
        ("\uff11\uff12\uff17.\uff10.\uff10.\uff11", "127.0.0.1"),
        ("[::ffff:127.0.0.1]", "[::ffff:7f00:1]"),
        ("::1", "[::1]"),
        ("[0:0:0:0:0:0:0:1]", "[::1]"),
        ("Hooks.Example.COM.", "hooks.example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_hosts_are_read_in_every_notation_and_made_canonical(raw, canonical):
    assert parse_host(raw).name == canonical


@pytest.mark.parametrize("raw", ["1.2.3.4.5", "256.0.0.1", "4294967296", "09", "example.09", "[::1", "a b", "a..b"])
def test_hosts_that_look_numeric_but_are_no_address_are_invalid(raw):
    with pytest.raises(InvalidHost):
        parse_host(raw)


def test_names_are_not_addresses():
    assert parse_host("hooks.example.com").address is None
    assert parse_host("1e100.net").address is None


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "255.255.255.255",
        "224.0.0.1",
        "192.0.2.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "::ffff:127.0.0.1",
        "::127.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b:1::1",
        "2002:7f00:1::",
        "2002:a00:1::",
        "ff02::1",
        "2001:db8::1",
    ],
)
def test_private_and_reserved_addresses_are_not_public(address):
    assert not all_public([address])


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "64:ff9b::5db8:d822"])
def test_public_addresses_are_public(address):
    assert all_public([address])
    assert ipaddress.ip_address(address)


def test_one_private_answer_among_several_is_enough_to_refuse():
    assert not all_public(["93.184.216.34", "10.1.2.3"])
    assert not all_public([])
    assert not all_public(["not-an-address"])


@pytest.mark.parametrize(
    "name", ["localhost", "api.localhost", "printer.local", "metadata.google.internal", "nas.home.arpa", "intranet"]
)
def test_special_use_and_single_label_names_are_private(name):
    assert is_private_name(name)


def test_public_names_are_not_private():
    assert not is_private_name("hooks.example.com")
    assert not is_private_name("localhost.example.com")


def test_check_url_refuses_and_normalises():
    assert check_url(" http://1572395042:8080/a?b=c ", allow_private=False) == "http://93.184.216.34:8080/a?b=c"
    assert check_url("http://127.1:9000/hook", allow_private=True) == "http://127.0.0.1:9000/hook"
    for url in [
        "ftp://example.com/",
        "http:///x",
        "http://user:pw@example.com/",
        "http://example.com:99999/",
        "http://2130706433/",
    ]:
        with pytest.raises(DomainError) as refused:
            check_url(url, allow_private=False)
        assert refused.value.field == ["url"]
