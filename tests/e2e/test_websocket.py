"""graphql-transport-ws against a real uvicorn: authentication, timeouts, origins, protocols."""

from __future__ import annotations

import json

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from lensgraph.seed import DEMO_PASSWORD

PROTOCOL = "graphql-transport-ws"


def demo_token(server) -> str:
    response = httpx.post(
        f"{server.base_url}/graphql",
        json={
            "query": f'''mutation {{ login(input: {{
        email: "brand@demo.lensgraph.dev", password: "{DEMO_PASSWORD}"}}) {{ accessToken }} }}'''
        },
    )
    return response.json()["data"]["login"]["accessToken"]


async def receive(ws) -> dict:
    return json.loads(await ws.recv())


async def test_authenticated_operation_over_websocket(server):
    token = demo_token(server)
    async with websockets.connect(server.ws_url, subprotocols=[PROTOCOL]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        assert (await receive(ws))["type"] == "connection_ack"
        await ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ viewer { user { username role } } }"}})
        )
        message = await receive(ws)
        assert message["payload"].pop("extensions")["cost"]["requestedQueryCost"] == 2
        assert message == {
            "id": "1",
            "type": "next",
            "payload": {"data": {"viewer": {"user": {"username": "acme-brand", "role": "BRAND"}}}},
        }
        assert (await receive(ws)) == {"id": "1", "type": "complete"}


async def test_anonymous_connection_is_anonymous(server):
    async with websockets.connect(server.ws_url, subprotocols=[PROTOCOL]) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert (await receive(ws))["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "a", "type": "subscribe", "payload": {"query": "{ viewer { email } }"}}))
        payload = (await receive(ws))["payload"]
        assert payload["data"] == {"viewer": None} and "errors" not in payload
        # Operations over the socket are priced and charged like those over HTTP.
        assert payload["extensions"]["cost"]["requestedQueryCost"] == 1


async def test_invalid_token_in_connection_init_is_closed_4403(server):
    async with websockets.connect(server.ws_url, subprotocols=[PROTOCOL]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer not.a.token"}}))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd.code == 4403


async def test_connection_init_must_come_in_time(server):
    async with websockets.connect(server.ws_url, subprotocols=[PROTOCOL]) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd.code == 4408


async def test_operation_before_init_is_closed_4401(server):
    async with websockets.connect(server.ws_url, subprotocols=[PROTOCOL]) as ws:
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }"}}))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd.code == 4401


async def test_legacy_protocol_is_refused(server):
    async with websockets.connect(server.ws_url, subprotocols=["graphql-ws"]) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd.code == 4406


async def test_foreign_origin_is_refused_allowed_origin_accepted(server):
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(server.ws_url, subprotocols=[PROTOCOL], origin="https://evil.example"):
            pass
    assert refused.value.response.status_code == 403
    async with websockets.connect(server.ws_url, subprotocols=[PROTOCOL], origin="https://app.example.com") as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert (await receive(ws))["type"] == "connection_ack"


def test_http_round_trip_on_the_real_server(server):
    response = httpx.post(f"{server.base_url}/graphql", json={"query": "{ __typename }"})
    assert response.json()["data"] == {"__typename": "Query"} and "errors" not in response.json()
    assert response.headers["x-request-id"]


async def test_operations_on_one_socket_do_not_share_a_cache(server):
    token = demo_token(server)
    rename = "mutation($name: String!) { updateProfile(input: {firstName: $name}) { user { firstName } } }"
    query = {"query": "{ viewer { user { firstName } } }"}
    async with (
        websockets.connect(server.ws_url, subprotocols=[PROTOCOL]) as ws,
        httpx.AsyncClient(base_url=server.base_url) as http,
    ):
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        assert (await receive(ws))["type"] == "connection_ack"
        for index, name in enumerate(["Beatrice", "Bea"]):
            await http.post(
                "/graphql",
                json={"query": rename, "variables": {"name": name}},
                headers={"Authorization": f"Bearer {token}"},
            )
            await ws.send(json.dumps({"id": str(index), "type": "subscribe", "payload": query}))
            assert (await receive(ws))["payload"]["data"]["viewer"]["user"]["firstName"] == name
            assert (await receive(ws))["type"] == "complete"


async def test_failed_socket_credentials_spend_the_address_rate(start_server):
    """Keys guessed in connection_init are counted like those sent over HTTP: past the rate, even a right
    credential from that address is refused unchecked, so a right guess reads as a wrong one."""
    server = start_server(LENSGRAPH_REQUEST_RATE_LIMIT="3/minute")
    token = demo_token(server)

    async def closing_code(authorization: str) -> int:
        async with websockets.connect(server.ws_url, subprotocols=[PROTOCOL]) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": authorization}}))
            try:
                message = await receive(ws)
            except ConnectionClosed as closed:
                assert closed.rcvd is not None
                return closed.rcvd.code
            assert message["type"] == "connection_ack"
            return 0

    assert await closing_code(f"Bearer {token}") == 0
    for guess in range(3):
        assert await closing_code(f"Bearer lg_guess{guess}_not-a-real-secret") == 4403
    assert await closing_code(f"Bearer {token}") == 4403
