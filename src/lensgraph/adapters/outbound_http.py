"""The one HTTP client for requests the server makes to URLs users give it (webhooks, content by URL).

Each new connection resolves its host once, checks every address the name resolves to, and connects to
an address it checked: the HTTP client never resolves the name again, so a DNS answer that changes
between the check and the connection (DNS rebinding) cannot turn a request inward. The ``Host`` header,
TLS SNI and certificate verification still use the name. Environment proxies are ignored (a proxy would
resolve the name itself), and redirects are followed only by ``fetch``, which checks every hop again.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

import httpcore
import httpx

from lensgraph.domain import outbound as rules
from lensgraph.domain.errors import DomainError

USER_AGENT = "Lensgraph/1"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5

# (host, port) -> the addresses it resolves to, in the order to try them.
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]


class AddressNotAllowed(Exception):
    """The target is (or resolves to) a private or reserved address, or a hop went somewhere not allowed."""


class ResponseTooLarge(Exception):
    pass


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class PinnedNetwork(httpcore.AsyncNetworkBackend):
    """httpcore's network layer, resolving and checking a host once per connection, then pinning to it."""

    def __init__(
        self, *, allow_private: bool, resolver: Resolver, inner: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self._allow_private = allow_private
        self._resolver = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in await self.checked_addresses(host, port, timeout):
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # checked_addresses never answers an empty list
        raise failure

    async def checked_addresses(self, host: str, port: int, limit_seconds: float | None) -> list[str]:
        """The addresses to connect to: a literal as it is, a name resolved once; all must be allowed."""
        try:
            parsed = rules.parse_host(host)
        except rules.InvalidHost as exc:
            raise AddressNotAllowed(str(exc)) from None
        if parsed.address is not None:
            addresses = [str(parsed.address)]
        else:
            if not self._allow_private and rules.is_private_name(parsed.name):
                raise AddressNotAllowed(f"{parsed.name} is not on the public internet")
            addresses = await self._resolve(parsed.name, port, limit_seconds)
        if not self._allow_private and not rules.all_public(addresses):
            raise AddressNotAllowed(f"{parsed.name} resolves to a private address")
        return addresses

    async def _resolve(self, name: str, port: int, limit_seconds: float | None) -> list[str]:
        try:
            async with asyncio.timeout(limit_seconds):
                addresses = list(await self._resolver(name, port))
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {name} timed out") from None
        except OSError as exc:
            raise httpcore.ConnectError(f"resolving {name} failed: {exc}") from None
        if not addresses:
            raise httpcore.ConnectError(f"{name} has no address")
        return addresses

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressNotAllowed("unix sockets are not outbound targets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport over a ``PinnedNetwork``: same request handling, guarded connections."""

    def __init__(self, network: PinnedNetwork, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(trust_env=False)
        # httpx has no public parameter for the network backend; replace its pool, and refuse to run
        # unguarded if a future httpx keeps it elsewhere.
        if not isinstance(getattr(self, "_pool", None), httpcore.AsyncConnectionPool):
            raise RuntimeError("this httpx version keeps its connection pool elsewhere: update PinnedTransport")
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            network_backend=network,
            max_connections=10,
            max_keepalive_connections=0,
        )


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    content_type: str
    body: bytes


class OutboundHttp:
    """Guarded requests; ``resolver``, ``network`` and ``ssl_context`` are the outside world, for tests."""

    def __init__(
        self,
        *,
        allow_private: bool,
        timeout_seconds: float,
        resolver: Resolver = system_resolver,
        network: httpcore.AsyncNetworkBackend | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.allow_private = allow_private
        self._timeout = timeout_seconds
        self._network = PinnedNetwork(allow_private=allow_private, resolver=resolver, inner=network)
        self._ssl_context = ssl_context

    def client(self) -> httpx.AsyncClient:
        """A client that never follows redirects by itself and reads no proxy settings."""
        return httpx.AsyncClient(
            transport=PinnedTransport(self._network, self._ssl_context),
            timeout=self._timeout,
            follow_redirects=False,
            trust_env=False,
            headers={"user-agent": USER_AGENT},
        )

    async def post(self, url: str, content: bytes, headers: dict[str, str]) -> httpx.Response:
        """One POST, redirects not followed (a 3xx is the answer); raises ``AddressNotAllowed``."""
        async with self.client() as client:
            return await client.post(self._checked(url), content=content, headers=headers)

    async def fetch(self, url: str, max_bytes: int, headers: dict[str, str] | None = None) -> Fetched:
        """GET a URL, following at most ``MAX_REDIRECTS`` redirects, each hop checked like the first;
        the body is read up to ``max_bytes`` (``ResponseTooLarge`` past it). The caller checks the type."""
        async with self.client() as client:
            for _hop in range(MAX_REDIRECTS + 1):
                async with client.stream("GET", self._checked(url), headers=headers) as response:
                    location = response.headers.get("location")
                    if response.status_code in REDIRECTS and location:
                        url = urljoin(url, location)
                        continue
                    return Fetched(
                        url=url,
                        status=response.status_code,
                        content_type=response.headers.get("content-type", ""),
                        body=await _read_at_most(response, max_bytes),
                    )
        raise AddressNotAllowed(f"more than {MAX_REDIRECTS} redirects")

    def _checked(self, url: str) -> str:
        try:
            return rules.check_url(url, self.allow_private)
        except DomainError as refused:
            raise AddressNotAllowed(refused.message) from None


async def _read_at_most(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(f"the answer declares {declared} bytes, more than {max_bytes}")
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise ResponseTooLarge(f"the answer is larger than {max_bytes} bytes")
    return bytes(body)
