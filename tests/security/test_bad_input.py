"""Input a client controls never ends as INTERNAL: moments and days at the ends of the calendar, cursors that
carry them, subscriptions sent over HTTP, and one bad ID among many."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from lensgraph.domain.pagination import encode_cursor
from tests.api.helpers import sign_up

# Their UTC forms are in year 0 and year 10000: no datetime holds them.
OUT_OF_RANGE_MOMENTS = ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00")
BROWSE = """query($filter: PhotoFilter, $after: String) {
  photos(filter: $filter, after: $after) { edges { node { id } } } }"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { username } } }"
NOTIFICATIONS = "subscription { notificationReceived { id } }"


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


@pytest.mark.parametrize("moment", OUT_OF_RANGE_MOMENTS)
@pytest.mark.parametrize("bound", ["capturedAfter", "capturedBefore"])
async def test_a_moment_outside_the_calendar_in_utc_is_invalid_input(client, moment, bound):
    as_variable = await client.execute(BROWSE, {"filter": {bound: moment}})
    assert codes(as_variable) == ["INVALID_INPUT"], as_variable
    as_literal = await client.execute(f'{{ photos(filter: {{{bound}: "{moment}"}}) {{ edges {{ node {{ id }} }} }} }}')
    assert codes(as_literal) == ["INVALID_INPUT"], as_literal


async def test_the_calendars_own_ends_are_still_accepted(client):
    body = await client.execute(
        BROWSE, {"filter": {"capturedAfter": "0001-01-01T00:00:00+00:00", "capturedBefore": "9999-12-31T23:59:59Z"}}
    )
    assert body["data"] == {"photos": {"edges": []}} and "errors" not in body


@pytest.mark.parametrize("moment", OUT_OF_RANGE_MOMENTS)
async def test_a_cursor_carrying_a_moment_outside_the_calendar_is_invalid_input(client, moment):
    body = await client.execute(BROWSE, {"after": encode_cursor((moment, str(uuid4())))})
    assert codes(body) == ["INVALID_INPUT"], body


@pytest.mark.parametrize("role, dashboard", [("BRAND", "brandDashboard"), ("PHOTOGRAPHER", "photographerDashboard")])
@pytest.mark.parametrize("first, last", [("9999-12-30", "9999-12-31"), ("0001-01-01", "0001-01-02")])
async def test_a_dashboard_at_the_ends_of_the_calendar_is_invalid_input_or_empty(client, role, dashboard, first, last):
    account = await sign_up(client, role=role)
    query = f'{{ viewer {{ {dashboard}(from: "{first}", to: "{last}") {{ from to }} }} }}'
    body = await client.execute(query, token=account.access_token)
    if last == "9999-12-31":
        assert codes(body) == ["INVALID_INPUT"], body
    else:
        assert body["data"] == {"viewer": {dashboard: {"from": first, "to": last}}} and "errors" not in body


async def test_a_subscription_posted_over_http_is_a_request_error_pointing_at_the_websocket(client):
    answer = await client.http.post("/graphql", json={"query": NOTIFICATIONS})
    assert answer.status_code == 400
    assert answer.json() == {
        "errors": [
            {
                "message": "Subscriptions are served over WebSocket at /graphql (graphql-transport-ws).",
                "extensions": {"code": "INVALID_INPUT"},
            }
        ]
    }


async def test_a_subscription_sent_with_get_is_a_request_error_too(client):
    answer = await client.http.get("/graphql", params={"query": NOTIFICATIONS}, headers={"accept": "application/json"})
    assert answer.status_code == 400
    assert codes(answer.json()) == ["INVALID_INPUT"]
    assert "WebSocket" in answer.json()["errors"][0]["message"]
    graphql_response = await client.http.post(
        "/graphql", json={"query": NOTIFICATIONS}, headers={"accept": "application/graphql-response+json"}
    )
    assert graphql_response.status_code == 400
    assert codes(graphql_response.json()) == ["INVALID_INPUT"]


async def test_one_malformed_id_nulls_only_its_own_entry(client):
    ada, bob = await sign_up(client), await sign_up(client)
    body = await client.execute(NODES, {"ids": [ada.id, "garbage", bob.id, "VXNlcjpub3QtYS11dWlk"]})
    found = [{"id": ada.id, "username": ada.username}, None, {"id": bob.id, "username": bob.username}, None]
    assert body["data"] == {"nodes": found}
    assert [(error["path"], error["extensions"]["code"]) for error in body["errors"]] == [
        (["nodes", 1], "NOT_FOUND"),
        (["nodes", 3], "NOT_FOUND"),
    ]
