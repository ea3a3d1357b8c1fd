"""Where the server may send requests of its own (webhooks, content fetched by URL): public addresses only.

A host is read the way resolvers, browsers and curl read it, so that ``2130706433``, ``0x7f000001``,
``0177.0.0.1`` and ``127.1`` are all 127.0.0.1 here too; a URL is refused when its host is an address or a
name that never points to the public internet. Names are checked again, on every address they resolve to,
right before connecting (adapters/outbound_http.py).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from lensgraph.domain.errors import DomainError, ErrorCode

MAX_URL_LENGTH = 2048
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Special-use names (RFC 6761, 6762, 8375, ICANN's .internal) and the hosts-file habit: never public.
PRIVATE_NAME_SUFFIXES = ("localhost", "local", "internal", "home.arpa", "localdomain")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_LABELS = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$")
_NUMBER = {10: re.compile(r"^[0-9]+$"), 8: re.compile(r"^[0-7]+$"), 16: re.compile(r"^[0-9a-f]*$")}


class InvalidHost(ValueError):
    pass


@dataclass(frozen=True)
class Host:
    """A URL's host in canonical form: ``name`` as it goes in a URL, ``address`` when it is a literal."""

    name: str
    address: IPAddress | None


def parse_host(raw: str) -> Host:
    """Canonical host: IDNA, lower case, no trailing dot; IPv4 in every notation ``inet_aton`` accepts."""
    host = raw.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        try:
            v6 = ipaddress.IPv6Address(host.replace("%25", "%"))
        except ValueError:
            raise InvalidHost(f"{raw!r} is not an IPv6 address") from None
        return Host(f"[{v6.compressed.replace('%', '%25')}]", v6)
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise InvalidHost(f"{raw!r} is not a valid host name") from None
    host = host.removesuffix(".")
    if not _LABELS.match(host):
        raise InvalidHost(f"{raw!r} is not a valid host name")
    v4 = _ipv4(host)
    return Host(str(v4), v4) if v4 is not None else Host(host, None)


def _ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The WHATWG URL standard's IPv4 parser: a name whose last label is a number must be an address."""
    parts = host.split(".")
    final = parts[-1]
    if not (_NUMBER[10].match(final) or (final.startswith("0x") and _NUMBER[16].match(final[2:]))):
        return None
    numbers = [_ipv4_number(part) for part in parts]
    if len(parts) > 4 or any(number is None for number in numbers):
        raise InvalidHost(f"{host!r} looks like an IPv4 address but is not one")
    *leading, last = [number for number in numbers if number is not None]
    if any(number > 255 for number in leading) or last >= 256 ** (5 - len(parts)):
        raise InvalidHost(f"{host!r} is out of the IPv4 range")
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_number(part: str) -> int | None:
    base, digits = 10, part
    if part.startswith("0x"):
        base, digits = 16, part[2:]
    elif len(part) > 1 and part.startswith("0"):
        base, digits = 8, part[1:]
    if not part or not _NUMBER[base].match(digits):
        return None
    return int(digits, base) if digits else 0


def is_public_address(address: IPAddress) -> bool:
    """Globally reachable, not multicast; an IPv4 address carried inside IPv6 must be public as well."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public_address(embedded)
        if address in _IPV4_COMPATIBLE or address in _NAT64_LOCAL:
            return False
    return address.is_global and not address.is_multicast


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:  # DNS64 answers these for IPv4-only names on an IPv6-only network
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def all_public(addresses: Iterable[str]) -> bool:
    """Every address a host resolves to must be public: one private answer is enough to refuse."""
    try:
        resolved = [ipaddress.ip_address(address) for address in addresses]
    except ValueError:
        return False
    return bool(resolved) and all(is_public_address(address) for address in resolved)


def is_private_name(name: str) -> bool:
    """Names that never lead to the public internet: special-use suffixes and single labels (search domains)."""
    return "." not in name or any(name == suffix or name.endswith("." + suffix) for suffix in PRIVATE_NAME_SUFFIXES)


def check_url(url: str, allow_private: bool, field: str = "url") -> str:
    """An http(s) URL with a host and no credentials, its host made canonical; private targets refused.

    ``allow_private`` lifts the last rule, for development and tests whose servers listen on 127.0.0.1.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give an http:// or https:// URL with a host.", [field]) from None
    if len(url) > MAX_URL_LENGTH or parts.scheme not in {"http", "https"} or not parts.hostname:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give an http:// or https:// URL with a host.", [field])
    if parts.username is not None or parts.password is not None:
        raise DomainError(ErrorCode.INVALID_INPUT, "Credentials in the URL are not allowed.", [field])
    try:
        port = parts.port
        host = parse_host(parts.hostname)
    except ValueError:
        raise DomainError(ErrorCode.INVALID_INPUT, "The URL's host or port is not valid.", [field]) from None
    if not allow_private:
        if host.address is not None and not is_public_address(host.address):
            raise DomainError(ErrorCode.INVALID_INPUT, "Private and reserved addresses cannot be targets.", [field])
        if host.address is None and is_private_name(host.name):
            raise DomainError(ErrorCode.INVALID_INPUT, "This host is not on the public internet.", [field])
    netloc = host.name if port is None else f"{host.name}:{port}"
    return parts._replace(netloc=netloc).geturl()
