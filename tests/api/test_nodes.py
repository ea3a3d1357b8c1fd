"""Relay node(id:) and nodes(ids:): same authorization as the objects' own fields, batched loads."""

from __future__ import annotations

from tests.api.helpers import sign_up
from tests.api.test_api_keys import create_key

NODE = "query($id: ID!) { node(id: $id) { id __typename ... on User { username } ... on ApiKey { description } } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { username } } }"


async def test_node_resolves_users_and_own_keys(client):
    owner = await sign_up(client)
    key = await create_key(client, owner.access_token)
    user = (await client.data(NODE, {"id": owner.id}))["node"]
    assert user == {"id": owner.id, "__typename": "User", "username": owner.username}
    own = (await client.data(NODE, {"id": key["apiKey"]["id"]}, token=owner.access_token))["node"]
    assert own["description"] == "CI deploys"


async def test_node_of_another_users_private_object_is_null(client):
    owner = await sign_up(client)
    stranger = await sign_up(client)
    key = await create_key(client, owner.access_token)
    body = await client.execute(NODE, {"id": key["apiKey"]["id"]}, token=stranger.access_token)
    assert body["data"] == {"node": None} and "errors" not in body
    anonymous = await client.execute(NODE, {"id": key["apiKey"]["id"]})
    assert anonymous["data"] == {"node": None} and "errors" not in anonymous


async def test_malformed_or_unknown_global_id_is_not_found(client):
    for bad in ("garbage", "VXNlcjpub3QtYS11dWlk", "Tm9wZTowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"):
        body = await client.execute(NODE, {"id": bad})
        assert body["data"] == {"node": None}
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_nodes_batches_into_one_statement(client, sql):
    accounts = [await sign_up(client) for _ in range(6)]
    ids = [account.id for account in accounts]
    sql.reset()
    few = (await client.data(NODES, {"ids": ids[:2]}))["nodes"]
    few_statements = sql.count
    sql.reset()
    many = (await client.data(NODES, {"ids": ids}))["nodes"]
    assert [node["username"] for node in few] == [account.username for account in accounts[:2]]
    assert [node["username"] for node in many] == [account.username for account in accounts]
    assert sql.count == few_statements == 1
