"""Fixtures for API tests that need the background side (the relay and the in-process worker), and the app with
the compiled path off that the compiled operations are held to."""

from __future__ import annotations

import asyncio
import email
import re
import socket
from collections.abc import AsyncIterator, Iterator
from email.message import Message

import httpx
import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr

from lensgraph.app import create_app
from lensgraph.app.services import Services
from lensgraph.config import Settings
from tests.conftest import GraphQLClient
from tests.fakes.stripe import StripeFake

TOKEN = re.compile(r"^    (\S+)\r?$", re.MULTILINE)


class Inbox:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, _server, _session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    async def token_for(self, address: str, subject: str) -> str:
        for _ in range(100):
            for message in reversed(self.messages):
                if message["To"] == address and message["Subject"] == subject:
                    match = TOKEN.search(message.get_payload(decode=True).decode())
                    assert match, message.get_payload()
                    return match.group(1)
            await asyncio.sleep(0.02)
        raise AssertionError(f"no {subject!r} message for {address}")


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    # Test receivers listen on 127.0.0.1; the SSRF guard has tests of its own.
    updates: dict[str, object] = {"outbound_allow_private": True}
    if "inbox" in request.fixturenames:
        updates["smtp_url"] = request.getfixturevalue("inbox").url
    if "unmetered" in request.fixturenames:
        updates.update(max_query_cost=1_000_000, cost_bucket_size=0)
    if "embeddings_on" in request.fixturenames:
        updates["embeddings"] = "local"
    if "three_matches_kept" in request.fixturenames:
        updates["brand_matches_kept"] = 3
    if "stripe_fake" in request.fixturenames:
        fake = request.getfixturevalue("stripe_fake")
        updates["stripe_secret_key"] = SecretStr(fake.secret_key)
        updates["stripe_webhook_secret"] = SecretStr(f"{fake.webhook_secret},{fake.connect_webhook_secret}")
        updates["stripe_api_base"] = fake.url
    return settings.model_copy(update=updates)


@pytest.fixture
def unmetered() -> None:
    """For tests that send operations past the production cost limits on purpose (statement counts at large
    pages): their settings lift the per-operation maximum and turn the cost bucket off."""


@pytest.fixture
def three_matches_kept() -> None:
    """For the tests of brand matching's top N: their settings keep 3 NEW matches per brand."""


@pytest.fixture
def embeddings_on() -> None:
    """For the tests of semantic search: their settings turn the embedding model (the ai extra) on."""


@pytest.fixture
def stripe_fake() -> Iterator[StripeFake]:
    """Stripe for the tests that ask for it (the others run in the offline payment mode): a hand-written fake."""
    fake = StripeFake()
    fake.start()
    yield fake
    fake.stop()


class Background:
    """Runs what a server runs after a commit, on demand, so tests can wait for it to finish."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def settle(self) -> None:
        """Dispatches pending events, then waits until the worker has run every queued job."""
        for _ in range(5):
            handled = await self.services.relay.run_once()
            await asyncio.to_thread(self.services.jobs.broker.join, "default", timeout=30_000)
            if not handled:
                return

    def send(self, actor_name: str, *args: str) -> None:
        self.services.jobs.send(actor_name, *args)


@pytest.fixture
async def background(services: Services) -> AsyncIterator[Background]:
    await services.jobs.start()
    try:
        yield Background(services)
    finally:
        await services.jobs.stop()


@pytest.fixture
async def resolvers(services: Services) -> AsyncIterator[GraphQLClient]:
    """The same services in an app with the compiled path off: every operation through the executor and the
    resolvers."""
    app = create_app(services.settings.model_copy(update={"compiled_operations": False}), services=services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        yield GraphQLClient(http)
