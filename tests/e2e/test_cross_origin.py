"""A single-page app on another origin against a real server: CORS over HTTP, the Origin check on sockets."""

from __future__ import annotations

import json

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.e2e.conftest import Server, StartServer

PROTOCOL = "graphql-transport-ws"
SPA = "http://localhost:5173"
STUDIO = "https://studio.example"


@pytest.fixture
def cross_origin_server(start_server: StartServer) -> Server:
    # Comma-separated, as an operator writes it in a unit file.
    return start_server(LENSGRAPH_ALLOWED_ORIGINS=f"{SPA},{STUDIO}")


def test_a_listed_origin_is_served_across_origins(cross_origin_server: Server):
    graphql = f"{cross_origin_server.base_url}/graphql"
    preflight = {
        "origin": SPA,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }
    asked = httpx.options(graphql, headers=preflight)
    assert asked.status_code == 200 and asked.headers["access-control-allow-origin"] == SPA
    answer = httpx.post(graphql, json={"query": "{ __typename }"}, headers={"origin": STUDIO})
    assert answer.json()["data"] == {"__typename": "Query"}
    assert "errors" not in answer.json()
    assert answer.headers["access-control-allow-origin"] == STUDIO
    assert "X-Request-ID" in answer.headers["access-control-expose-headers"]


async def test_a_socket_from_another_origin_is_refused_and_the_log_says_what_to_set(cross_origin_server: Server):
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(
            cross_origin_server.ws_url, subprotocols=[PROTOCOL], origin="https://evil.example"
        ):
            pass
    assert refused.value.response.status_code == 403
    async with websockets.connect(cross_origin_server.ws_url, subprotocols=[PROTOCOL], origin=STUDIO) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"

    # Logged before the refusal was sent, by then long written.
    [line] = [line for line in cross_origin_server.log().splitlines() if "LENSGRAPH_ALLOWED_ORIGINS" in line]
    assert "'https://evil.example'" in line
