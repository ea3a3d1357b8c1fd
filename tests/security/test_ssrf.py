"""Outgoing requests cannot be turned inward: numeric host forms, names resolving inward, DNS rebinding, redirects.

The guard is on (``outbound_allow_private`` off, as in production). The outside world is played at its
boundaries: the system resolver (``socket.getaddrinfo``) answers as a rebinding DNS server would, and a
small "internet" network backend routes a public address to a local server and records every connection.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterable, Iterator

import httpcore
import pytest
import trustme

from lensgraph.adapters import webhook_http
from lensgraph.adapters.outbound_http import AddressNotAllowed, OutboundHttp, ResponseTooLarge
from lensgraph.config import Settings
from tests.api.helpers import sign_up
from tests.api.test_api_keys import create_key
from tests.api.test_webhooks import CREATE, DELIVERIES, create_endpoint
from tests.api.webhook_receiver import Receiver

PUBLIC = "93.184.216.34"
UPDATE = """mutation($input: UpdateWebhookEndpointInput!) {
  updateWebhookEndpoint(input: $input) { endpoint { url } userErrors { field code } } }"""

INWARD_URLS = [
    "http://2130706433/hook",  # 127.0.0.1 in decimal
    "http://0x7f000001/hook",  # in hex
    "http://0177.0.0.1/hook",  # octal first part
    "http://127.1/hook",  # short form
    "http://0x7f.1/hook",
    "http://0/hook",  # 0.0.0.0
    "http://0.0.0.0/hook",
    "http://2852039166/latest/meta-data/",  # 169.254.169.254, cloud metadata
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:7f00:1]/hook",
    "http://[::127.0.0.1]/hook",  # IPv4-compatible
    "http://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of the metadata address
    "http://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
    "http://[::1]/hook",
    "http://[fd00::1]/hook",  # unique local
    "http://[fe80::1]/hook",  # link local
    "http://%EF%BC%91%EF%BC%92%EF%BC%97.0.0.1/hook",  # full-width digits, IDNA-mapped to 127.0.0.1
    "http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/hook",
    "http://localhost/hook",
    "http://api.localhost/hook",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://printer.local/hook",
    "http://intranet/hook",  # a single label: the resolver's search domains
    "http://10.0.0.5/hook",
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"outbound_allow_private": False, "webhooks_timeout_seconds": 1.0})


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


class Internet(httpcore.AsyncNetworkBackend):
    """The network as the adapter sees it: ``routes`` sends a public address to a local server; every
    connection is recorded; other addresses connect for real (so a connection to 127.0.0.1 would land)."""

    def __init__(self, routes: dict[str, int]) -> None:
        self.routes = routes
        self.connected: list[tuple[str, int]] = []
        self.real = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connected.append((host, port))
        if host in self.routes:
            return await self.real.connect_tcp("127.0.0.1", self.routes[host], timeout=timeout)
        return await self.real.connect_tcp(host, port, timeout=timeout)

    async def sleep(self, seconds: float) -> None:
        await self.real.sleep(seconds)


class RebindingDns:
    """A name server that answers a public address first, then 127.0.0.1."""

    def __init__(self, first: str = PUBLIC, then: str = "127.0.0.1") -> None:
        self.answers = [first, then]
        self.questions: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.questions.append(host)
        return [self.answers[min(len(self.questions), len(self.answers)) - 1]]


@pytest.mark.parametrize("url", INWARD_URLS)
async def test_inward_targets_in_any_notation_are_refused_at_registration(client, url):
    owner = await sign_up(client)
    refused = await client.data(
        CREATE, {"input": {"url": url, "events": ["api_key.created"]}}, token=owner.access_token
    )
    errors = refused["createWebhookEndpoint"]["userErrors"]
    assert [(error["field"], error["code"]) for error in errors] == [(["url"], "INVALID_INPUT")], url


@pytest.mark.parametrize("url", INWARD_URLS)
async def test_inward_targets_are_refused_when_changing_the_url(client, url):
    owner = await sign_up(client)
    endpoint = await create_endpoint(client, owner, "https://hooks.example.com/lensgraph")
    changed = await client.data(
        UPDATE, {"input": {"id": endpoint["endpoint"]["id"], "url": url}}, token=owner.access_token
    )
    assert changed["updateWebhookEndpoint"]["userErrors"] == [{"field": ["url"], "code": "INVALID_INPUT"}], url
    node = await client.data(DELIVERIES, {"id": endpoint["endpoint"]["id"]}, token=owner.access_token)
    assert node["node"]["enabled"] is True


async def test_a_public_address_in_another_notation_is_stored_in_its_canonical_form(client):
    owner = await sign_up(client)
    created = await create_endpoint(client, owner, "http://1572395042:8080/hook")
    assert created["endpoint"]["url"] == f"http://{PUBLIC}:8080/hook"
    named = await create_endpoint(client, owner, "https://HOOKS.Example.com./in")
    assert named["endpoint"]["url"] == "https://hooks.example.com/in"


async def test_a_name_resolving_to_loopback_is_refused_at_send_time(client, background, receiver, monkeypatch):
    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, *rest, **kw: real(
            "127.0.0.1" if host in ("inward.example.com", b"inward.example.com") else host, *rest, **kw
        ),
    )
    owner = await sign_up(client)
    endpoint = await create_endpoint(client, owner, f"http://inward.example.com:{receiver.port}/hook")
    await create_key(client, owner.access_token)
    await background.settle()

    assert receiver.received == []
    node = (await client.data(DELIVERIES, {"id": endpoint["endpoint"]["id"]}, token=owner.access_token))["node"]
    (delivery,) = [edge["node"] for edge in node["deliveries"]["edges"]]
    assert delivery["status"] == "FAILED" and "private address" in delivery["lastError"]


async def test_dns_rebinding_cannot_reach_loopback_through_the_api(client, background, receiver, monkeypatch):
    """The name answers public when checked and 127.0.0.1 afterwards: the connection must use the first answer."""
    real = socket.getaddrinfo
    answers = iter([PUBLIC])

    def rebinding(host, *rest, **kw):
        if host in ("rebind.example.com", b"rebind.example.com"):  # anyio asks with the IDNA bytes
            return real(next(answers, "127.0.0.1"), *rest, **kw)
        return real(host, *rest, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    owner = await sign_up(client)
    await create_endpoint(client, owner, f"http://rebind.example.com:{receiver.port}/hook")
    await create_key(client, owner.access_token)
    await background.settle()
    assert receiver.received == []


async def test_the_connection_is_pinned_to_the_checked_address(receiver):
    internal = Receiver()
    internal.start()
    try:
        dns, internet = RebindingDns(), Internet({PUBLIC: receiver.port})
        outbound = OutboundHttp(allow_private=False, timeout_seconds=2, resolver=dns, network=internet)
        url = f"http://rebind.example.com:{internal.port}/hook"
        attempt = await webhook_http.post(outbound, url, b"{}", {"webhook-id": "msg_1"})

        assert attempt.status == 200
        assert dns.questions == ["rebind.example.com"]  # resolved once, by the guard
        assert internet.connected == [(PUBLIC, internal.port)]
        assert internal.received == []
        assert receiver.received[0].headers["host"] == f"rebind.example.com:{internal.port}"
    finally:
        internal.stop()


async def test_a_name_with_one_private_answer_among_public_ones_is_refused():
    async def mixed(host: str, port: int) -> list[str]:
        return [PUBLIC, "10.0.0.7"]

    internet = Internet({})
    outbound = OutboundHttp(allow_private=False, timeout_seconds=2, resolver=mixed, network=internet)
    with pytest.raises(AddressNotAllowed):
        await outbound.post("http://mixed.example.com/hook", b"{}", {})
    assert internet.connected == []


@pytest.mark.parametrize("legacy_host", ["2130706433", "0x7f000001", "localhost", "[::ffff:127.0.0.1]"])
async def test_an_inward_url_stored_before_these_rules_is_refused_when_sending(legacy_host):
    internet = Internet({})
    outbound = OutboundHttp(
        allow_private=False, timeout_seconds=2, resolver=RebindingDns("127.0.0.1"), network=internet
    )
    with pytest.raises(AddressNotAllowed):
        await outbound.client().post(f"http://{legacy_host}:9/hook", content=b"{}")
    assert internet.connected == []


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


def _tls_receiver(ca: trustme.CA, name: str) -> Receiver:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    server = Receiver(tls=context)
    server.start()
    return server


async def test_tls_keeps_the_name_for_sni_and_certificate_checks(ca):
    site = _tls_receiver(ca, "hooks.example.com")
    try:
        client_context = ssl.create_default_context()
        ca.configure_trust(client_context)
        outbound = OutboundHttp(
            allow_private=False,
            timeout_seconds=2,
            resolver=RebindingDns(),
            network=Internet({PUBLIC: site.port}),
            ssl_context=client_context,
        )
        response = await outbound.post("https://hooks.example.com/hook", b"{}", {})
        assert response.status_code == 200
        assert site.server_names == ["hooks.example.com"]
        assert site.received[0].headers["host"] == "hooks.example.com"
    finally:
        site.stop()


async def test_tls_refuses_a_certificate_for_another_name(ca):
    site = _tls_receiver(ca, "other.example.org")
    try:
        client_context = ssl.create_default_context()
        ca.configure_trust(client_context)
        outbound = OutboundHttp(
            allow_private=False,
            timeout_seconds=2,
            resolver=RebindingDns(),
            network=Internet({PUBLIC: site.port}),
            ssl_context=client_context,
        )
        attempt = await webhook_http.post(outbound, "https://hooks.example.com/hook", b"{}", {})
        assert attempt.status is None and "CERTIFICATE_VERIFY_FAILED" in (attempt.error or "")
        assert site.received == []
    finally:
        site.stop()


async def test_webhooks_do_not_follow_redirects(receiver):
    internal = Receiver()
    internal.start()
    try:
        receiver.script, receiver.redirect_to = [307], internal.url()
        outbound = OutboundHttp(
            allow_private=False, timeout_seconds=2, resolver=RebindingDns(), network=Internet({PUBLIC: receiver.port})
        )
        attempt = await webhook_http.post(outbound, "http://hooks.example.com/hook", b"{}", {})
        assert attempt.status == 307
        assert internal.received == []
    finally:
        internal.stop()


async def test_fetch_checks_every_redirect_hop_again(receiver):
    internal = Receiver()
    internal.start()
    try:
        receiver.script, receiver.redirect_to = [302], internal.url()
        internet = Internet({PUBLIC: receiver.port})
        outbound = OutboundHttp(
            allow_private=False, timeout_seconds=2, resolver=RebindingDns(then=PUBLIC), network=internet
        )
        with pytest.raises(AddressNotAllowed):
            await outbound.fetch("http://photos.example.com/start", max_bytes=1_000)
        assert internal.received == [] and internet.connected == [(PUBLIC, 80)]

        receiver.script, receiver.redirect_to = [302], "http://photos.example.com/next"
        fetched = await outbound.fetch("http://photos.example.com/start", max_bytes=1_000)
        assert (fetched.status, fetched.body, fetched.url) == (200, b"ok", "http://photos.example.com/next")
    finally:
        internal.stop()


async def test_fetch_stops_reading_past_its_size_cap(receiver):
    outbound = OutboundHttp(
        allow_private=False,
        timeout_seconds=2,
        resolver=RebindingDns(then=PUBLIC),
        network=Internet({PUBLIC: receiver.port}),
    )
    with pytest.raises(ResponseTooLarge):
        await outbound.fetch("http://photos.example.com/big", max_bytes=1)
