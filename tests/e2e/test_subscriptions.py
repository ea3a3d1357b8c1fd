"""notificationReceived against real servers: the gql client, Redis between two nodes, expiry, auth, limits.

A notification is produced through the API: ``createApiKey`` emits ``api_key.created`` for its creator, the
outbox relay turns it into an in-app notification and publishes it on the creator's channel.

The pubsub does not replay: a test makes sure the server listens before it mutates. On one node (memory pubsub)
a ``{ __typename }`` answered on the same socket after the subscribe message is enough, since the subscription
registers its queue before it first waits; across nodes the test asks Redis for the subscribed channel.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import redis
import redis.asyncio
import websockets
from gql import Client, gql
from gql.client import AsyncClientSession
from gql.transport.websockets import WebsocketsTransport
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from lensgraph.seed import DEMO_PASSWORD

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Server, StartServer

PROTOCOL = "graphql-transport-ws"
TIMEOUT = 10.0
POLL_SECONDS = 0.02
SILENCE = 2.0
REDIS_URL = "redis://127.0.0.1:6379/0"

BRAND = "brand@demo.lensgraph.dev"
PHOTOGRAPHER = "photographer@demo.lensgraph.dev"

NOTIFICATIONS = "subscription { notificationReceived { id eventType message data read createdAt } }"
LOGIN = """mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { accessToken expiresAt userErrors { code } }
}"""
CREATE_API_KEY = """mutation {
  createApiKey(input: {description: "e2e subscription test"}) { apiKey { prefix } userErrors { code } }
}"""
API_KEY_CREATED = "api_key.created"
LIMIT = 3
LIMIT_REACHED = {"message": "Subscription limit reached"}


# GraphQL over HTTP ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    expires_at: datetime


async def graphql(
    server: Server, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    """POSTs one operation and returns its ``data``; any error fails the test."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=server.base_url, timeout=TIMEOUT) as http:
        response = await http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


async def login(server: Server, email: str) -> SignedIn:
    payload = (await graphql(server, LOGIN, {"email": email, "password": DEMO_PASSWORD}))["login"]
    assert payload["userErrors"] == []
    return SignedIn(payload["accessToken"], datetime.fromisoformat(payload["expiresAt"]))


async def create_api_key(server: Server, token: str) -> str:
    """Creates a key for the signed-in user, which notifies that user; returns the key's prefix."""
    payload = (await graphql(server, CREATE_API_KEY, token=token))["createApiKey"]
    assert payload["userErrors"] == []
    return payload["apiKey"]["prefix"]


# graphql-transport-ws with the raw websockets client -------------------------------------------


async def send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def receive(ws: ClientConnection, within: float = TIMEOUT) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), within))


async def subscribe(ws: ClientConnection, operation_id: str, query: str) -> None:
    await send(ws, {"id": operation_id, "type": "subscribe", "payload": {"query": query}})


async def assert_silent(ws: ClientConnection, seconds: float = SILENCE) -> None:
    """Nothing arrives for ``seconds`` (cancelling ``recv`` loses no message)."""
    with pytest.raises(TimeoutError):
        message = await receive(ws, within=seconds)
        pytest.fail(f"expected nothing, received {message}")


async def assert_typename_works(ws: ClientConnection, operation_id: str) -> None:
    await subscribe(ws, operation_id, "{ __typename }")
    answer = await receive(ws)
    answer["payload"].pop("extensions", None)  # the cost report (README "Query cost")
    assert answer == {"id": operation_id, "type": "next", "payload": {"data": {"__typename": "Query"}}}
    assert await receive(ws) == {"id": operation_id, "type": "complete"}


@asynccontextmanager
async def graphql_socket(server: Server, token: str | None = None) -> AsyncIterator[ClientConnection]:
    """An acknowledged connection: signed in with ``token``, anonymous (no init payload) without."""
    async with websockets.connect(server.ws_url, subprotocols=[PROTOCOL], open_timeout=TIMEOUT) as ws:
        init: dict[str, Any] = {"type": "connection_init"}
        if token is not None:
            init["payload"] = {"authorization": f"Bearer {token}"}
        await send(ws, init)
        assert await receive(ws) == {"type": "connection_ack"}
        yield ws


def notification_of(message: dict[str, Any], operation_id: str) -> dict[str, Any]:
    assert message["id"] == operation_id and message["type"] == "next", message
    assert "errors" not in message["payload"], message
    return message["payload"]["data"]["notificationReceived"]


# The gql client --------------------------------------------------------------------------------


@asynccontextmanager
async def gql_session(server: Server, token: str) -> AsyncIterator[tuple[AsyncClientSession, WebsocketsTransport]]:
    transport = WebsocketsTransport(
        url=server.ws_url,
        init_payload={"authorization": f"Bearer {token}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        connect_timeout=TIMEOUT,
        ack_timeout=TIMEOUT,
        close_timeout=TIMEOUT,
    )
    async with Client(transport=transport) as session:
        yield session, transport


class Feed:
    """What a background ``notificationReceived`` subscription delivered, in order."""

    def __init__(self) -> None:
        self.items: asyncio.Queue[dict[str, Any] | BaseException] = asyncio.Queue()

    async def next(self) -> dict[str, Any]:
        item = await asyncio.wait_for(self.items.get(), TIMEOUT)
        if isinstance(item, BaseException):
            raise item
        return item

    async def assert_silent(self, seconds: float = SILENCE) -> None:
        with pytest.raises(TimeoutError):
            item = await asyncio.wait_for(self.items.get(), seconds)
            pytest.fail(f"expected nothing, received {item}")

    def assert_empty(self) -> None:
        assert self.items.empty(), self.items.get_nowait()


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Polls ``check`` until it holds, for at most ``TIMEOUT`` seconds."""
    for _ in range(int(TIMEOUT / POLL_SECONDS)):
        if await check():
            return
        await asyncio.sleep(POLL_SECONDS)
    pytest.fail(f"{what}: still not true after {TIMEOUT} s")


@asynccontextmanager
async def live_feed(session: AsyncClientSession, transport: WebsocketsTransport) -> AsyncIterator[Feed]:
    """Subscribes with gql in a background task; yields once the server listens, cancels at the end."""
    feed = Feed()

    async def consume() -> None:
        try:
            async for result in session.subscribe(gql(NOTIFICATIONS)):
                feed.items.put_nowait(result["notificationReceived"])
            feed.items.put_nowait(AssertionError("the server completed notificationReceived"))
        except Exception as error:
            feed.items.put_nowait(error)

    async def sent() -> bool:
        return len(transport.listeners) > listening or task.done()

    listening = len(transport.listeners)
    task = asyncio.create_task(consume())
    try:
        # gql registers its listener right after sending the subscribe message; the query behind it is
        # answered after the server started the subscription.
        await eventually(sent, "gql sent the subscribe message")
        assert await session.execute(gql("{ __typename }")) == {"__typename": "Query"}
        yield feed
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


# 1. One node: only the audience hears of an event ------------------------------------------------


async def test_only_the_audience_receives_a_notification(server: Server):
    brand = await login(server, BRAND)
    photographer = await login(server, PHOTOGRAPHER)
    async with (
        graphql_socket(server, brand.access_token) as brand_ws,
        graphql_socket(server, photographer.access_token) as photographer_ws,
    ):
        for ws in (brand_ws, photographer_ws):
            await subscribe(ws, "feed", NOTIFICATIONS)
            await assert_typename_works(ws, "listening")

        prefix = await create_api_key(server, brand.access_token)

        notification = notification_of(await receive(brand_ws), "feed")
        assert notification["eventType"] == API_KEY_CREATED
        assert notification["data"]["prefix"] == prefix
        await assert_silent(photographer_ws)

        # The photographer's subscription was listening all along: it gets the photographer's own key.
        own_prefix = await create_api_key(server, photographer.access_token)
        assert notification_of(await receive(photographer_ws), "feed")["data"]["prefix"] == own_prefix
        await assert_silent(brand_ws, seconds=0.5)


async def test_a_live_notification_names_objects_by_the_global_id_node_resolves(server: Server):
    brand = await login(server, BRAND)
    async with graphql_socket(server, brand.access_token) as ws:
        await subscribe(ws, "feed", NOTIFICATIONS)
        await assert_typename_works(ws, "listening")
        created = await graphql(
            server,
            'mutation { createApiKey(input: {description: "e2e ids"}) { apiKey { id prefix } } }',
            token=brand.access_token,
        )
        key = created["createApiKey"]["apiKey"]
        notification = notification_of(await receive(ws), "feed")
    assert notification["data"] == {"apiKeyId": key["id"], "prefix": key["prefix"], "description": "e2e ids"}
    found = await graphql(
        server,
        "query($id: ID!) { node(id: $id) { __typename ... on ApiKey { prefix } } }",
        {"id": notification["data"]["apiKeyId"]},
        token=brand.access_token,
    )
    assert found["node"] == {"__typename": "ApiKey", "prefix": key["prefix"]}
    # The demo account's plan allows a few live keys, which the other tests of this server use too.
    await graphql(
        server,
        "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { userErrors { code } } }",
        {"id": key["id"]},
        token=brand.access_token,
    )


async def test_protocol_messages_are_text_frames(server: Server):
    async with websockets.connect(server.ws_url, subprotocols=[PROTOCOL], open_timeout=TIMEOUT) as ws:
        await send(ws, {"type": "connection_init"})
        frame = await asyncio.wait_for(ws.recv(), TIMEOUT)
        assert isinstance(frame, str), frame


async def test_gql_client_receives_own_notification_and_another_user_does_not(server: Server):
    brand = await login(server, BRAND)
    photographer = await login(server, PHOTOGRAPHER)
    async with (
        gql_session(server, brand.access_token) as (brand_session, brand_transport),
        gql_session(server, photographer.access_token) as (photographer_session, photographer_transport),
        live_feed(brand_session, brand_transport) as brand_feed,
        live_feed(photographer_session, photographer_transport) as photographer_feed,
    ):
        prefix = await create_api_key(server, brand.access_token)

        notification = await brand_feed.next()
        assert notification["eventType"] == API_KEY_CREATED
        assert notification["data"]["prefix"] == prefix
        assert notification["message"] == "A new API key was created for your account."
        assert notification["read"] is False
        await photographer_feed.assert_silent()

        # The photographer's subscription was listening all along: it gets the photographer's own key.
        own_prefix = await create_api_key(server, photographer.access_token)
        assert (await photographer_feed.next())["data"]["prefix"] == own_prefix
        brand_feed.assert_empty()


# 2. Two nodes: one SQLite file, Redis pubsub --------------------------------------------------


@dataclass(frozen=True)
class Nodes:
    first: Server
    second: Server
    namespace: str


@pytest.fixture
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis does not answer on {REDIS_URL}: {error}")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def two_nodes(start_server: StartServer, redis_url: str, tmp_path: Path) -> Nodes:
    """Both share the database, the Redis namespace and (from conftest) the secret key behind tokens."""
    namespace = f"lensgraph-e2e-{uuid.uuid4().hex}"
    shared = {
        "LENSGRAPH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}",
        "LENSGRAPH_PUBSUB": redis_url,
        "LENSGRAPH_PUBSUB_NAMESPACE": namespace,
    }
    first = start_server(**shared)  # migrates the shared database before the second one starts
    second = start_server(**shared)
    return Nodes(first, second, namespace)


async def test_notification_crosses_nodes_through_redis(two_nodes: Nodes, redis_url: str):
    brand = await login(two_nodes.first, BRAND)
    async with graphql_socket(two_nodes.first, brand.access_token) as ws, redis.asyncio.from_url(redis_url) as r:
        await subscribe(ws, "feed", NOTIFICATIONS)

        async def subscribed() -> bool:
            return bool(await r.pubsub_channels(f"{two_nodes.namespace}:user:*"))

        await eventually(subscribed, "node 1 subscribed to the user's Redis channel")

        prefix = await create_api_key(two_nodes.second, brand.access_token)

        notification = notification_of(await receive(ws), "feed")
        assert notification["eventType"] == API_KEY_CREATED
        assert notification["data"]["prefix"] == prefix
        await assert_silent(ws)  # once, although both nodes run a relay


# 3. Token expiry ---------------------------------------------------------------------------------


@pytest.fixture
def short_token_server(start_server: StartServer) -> Server:
    return start_server(LENSGRAPH_ACCESS_TOKEN_MINUTES="0.05")  # 3 s access tokens


async def test_subscription_socket_is_closed_4403_when_the_access_token_expires(short_token_server: Server):
    server = short_token_server
    brand = await login(server, BRAND)
    async with graphql_socket(server, brand.access_token) as ws:
        await subscribe(ws, "feed", NOTIFICATIONS)
        with pytest.raises(ConnectionClosed) as closed:
            message = await receive(ws)
            pytest.fail(f"expected the socket to close, received {message}")
        closed_at = datetime.now(UTC)

    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4403, "Access token expired")
    # The token's exp claim is in whole seconds, so it may end up to 1 s before expiresAt.
    assert brand.expires_at - timedelta(seconds=1) <= closed_at <= brand.expires_at + timedelta(seconds=5)


# 4. Anonymous subscribers ------------------------------------------------------------------------


async def refusal_errors(ws: ClientConnection, operation_id: str) -> list[dict[str, Any]]:
    """The errors that end an operation: an ``error`` message, or a ``next`` with errors then ``complete``."""
    message = await receive(ws)
    assert message["id"] == operation_id, message
    if message["type"] == "error":
        return message["payload"]
    assert message["type"] == "next" and message["payload"]["data"] is None, message
    assert await receive(ws) == {"id": operation_id, "type": "complete"}
    return message["payload"]["errors"]


async def test_anonymous_subscription_is_refused_and_the_socket_stays_usable(server: Server):
    async with graphql_socket(server) as ws:
        await subscribe(ws, "feed", NOTIFICATIONS)
        errors = await refusal_errors(ws, "feed")
        assert [(error["message"], error["extensions"]["code"]) for error in errors] == [
            ("Sign in to do this.", "UNAUTHENTICATED")
        ]

        await assert_typename_works(ws, "after")


# 5. Operations per connection ------------------------------------------------------------------


@pytest.fixture
def limited_server(start_server: StartServer) -> Server:
    return start_server(LENSGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION=str(LIMIT))


async def test_subscription_beyond_the_limit_gets_an_error_and_the_socket_stays_open(limited_server: Server):
    server = limited_server
    brand = await login(server, BRAND)
    async with graphql_socket(server, brand.access_token) as ws:
        subscriptions = [f"feed-{index}" for index in range(1, LIMIT + 1)]
        for operation_id in subscriptions:
            await subscribe(ws, operation_id, NOTIFICATIONS)

        # strawberry answers an `error` for that id only (no close) and does not register it.
        await subscribe(ws, "one-too-many", NOTIFICATIONS)
        assert await receive(ws) == {"id": "one-too-many", "type": "error", "payload": [LIMIT_REACHED]}
        # It counts every operation in flight, so a query is refused too.
        await subscribe(ws, "query", "{ __typename }")
        assert await receive(ws) == {"id": "query", "type": "error", "payload": [LIMIT_REACHED]}

        # The accepted subscriptions are live: each one gets the notification. (The server waited for the
        # refused query after sending the first refusal, so the three had run up to their first wait.)
        prefix = await create_api_key(server, brand.access_token)
        received = {}
        for _ in subscriptions:
            message = await receive(ws)
            received[message["id"]] = notification_of(message, message["id"])
        assert sorted(received) == subscriptions
        assert {notification["data"]["prefix"] for notification in received.values()} == {prefix}

        # Completing one frees a slot, and the refused id was never taken.
        await send(ws, {"id": subscriptions[-1], "type": "complete"})
        await assert_typename_works(ws, "one-too-many")


async def test_subscription_socket_is_closed_when_its_sessions_are_ended(start_server: StartServer):
    """Signing out everywhere ends the access token an open subscription was opened with: the next event for
    that account closes the socket instead of reaching it."""
    server = start_server()  # its own: the module's server has used up the brand's API keys
    listening = await login(server, BRAND)
    async with graphql_socket(server, listening.access_token) as ws:
        await subscribe(ws, "feed", NOTIFICATIONS)
        await assert_typename_works(ws, "listening")

        other_session = await login(server, BRAND)
        await graphql(server, "mutation { logout(input: {everywhere: true}) { ok } }", token=other_session.access_token)
        await create_api_key(server, (await login(server, BRAND)).access_token)

        with pytest.raises(ConnectionClosed) as closed:
            message = await receive(ws)
            pytest.fail(f"expected the socket to close, received {message}")
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
