"""API keys: created once, authenticate as their owner, listed without secrets, revocable, expiring."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import ApiKey
from tests.api.helpers import sign_up

CREATE = """
mutation Create($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    rawKey apiKey { id prefix description expiresAt lastUsedAt active }
    userErrors { field code message }
  }
}"""
REVOKE = """
mutation Revoke($id: ID!) {
  revokeApiKey(input: {id: $id}) { apiKey { id active revokedAt } userErrors { field code } }
}"""
WHO = "{ viewer { user { username } } }"
KEYS = """
query Keys($first: Int, $after: String, $last: Int, $before: String) {
  viewer { apiKeys(first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { description prefix active } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }
}"""


async def create_key(client, token, description="CI deploys", days=None):
    payload = await client.data(CREATE, {"input": {"description": description, "expiresInDays": days}}, token=token)
    assert payload["createApiKey"]["userErrors"] == []
    return payload["createApiKey"]


async def test_key_authenticates_as_owner_with_either_header(client):
    owner = await sign_up(client)
    created = await create_key(client, owner.access_token, days=30)
    raw = created["rawKey"]
    assert raw.startswith(f"lg_{created['apiKey']['prefix']}_")
    assert created["apiKey"]["active"] is True and created["apiKey"]["expiresAt"]

    as_bearer = await client.data(WHO, token=raw)
    assert as_bearer["viewer"]["user"]["username"] == owner.username
    as_header = await client.data(WHO, headers={"X-API-Key": raw})
    assert as_header["viewer"]["user"]["username"] == owner.username

    listed = (await client.data(KEYS, {"first": 5}, token=owner.access_token))["viewer"]["apiKeys"]
    assert listed["totalCount"] == 1
    assert "rawKey" not in str(listed) and raw not in str(listed)


async def test_revoked_or_expired_key_is_unauthenticated(client, services):
    owner = await sign_up(client)
    created = await create_key(client, owner.access_token)
    revoked = (await client.data(REVOKE, {"id": created["apiKey"]["id"]}, token=owner.access_token))["revokeApiKey"]
    assert revoked["userErrors"] == [] and revoked["apiKey"]["active"] is False
    response = await client.post(WHO, token=created["rawKey"])
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    expiring = await create_key(client, owner.access_token, days=1)
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(
            update(ApiKey)
            .where(ApiKey.prefix == expiring["apiKey"]["prefix"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert (await client.post(WHO, headers={"X-API-Key": expiring["rawKey"]})).status_code == 401


async def test_wrong_secret_or_garbage_key_is_unauthenticated(client):
    owner = await sign_up(client)
    created = await create_key(client, owner.access_token)
    forged = created["rawKey"][:-4] + "AAAA"
    assert (await client.post(WHO, token=forged)).status_code == 401
    assert (await client.post(WHO, headers={"X-API-Key": "not-a-key"})).status_code == 401


async def test_last_used_is_recorded(client):
    owner = await sign_up(client)
    created = await create_key(client, owner.access_token)
    await client.data(WHO, token=created["rawKey"])
    node = await client.data(
        "query($id: ID!) { node(id: $id) { ... on ApiKey { lastUsedAt } } }",
        {"id": created["apiKey"]["id"]},
        token=owner.access_token,
    )
    assert node["node"]["lastUsedAt"] is not None


async def test_bad_input_and_other_users_keys(client):
    owner = await sign_up(client)
    stranger = await sign_up(client)
    for days in (0, 5000):
        bad = await client.data(
            CREATE, {"input": {"description": "x", "expiresInDays": days}}, token=owner.access_token
        )
        assert bad["createApiKey"]["userErrors"][0]["field"] == ["expiresInDays"]
    empty = await client.data(CREATE, {"input": {"description": "  "}}, token=owner.access_token)
    assert empty["createApiKey"]["userErrors"][0]["code"] == "INVALID_INPUT"

    created = await create_key(client, owner.access_token)
    theirs = await client.data(REVOKE, {"id": created["apiKey"]["id"]}, token=stranger.access_token)
    assert theirs["revokeApiKey"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]
    malformed = await client.data(REVOKE, {"id": "%%%"}, token=owner.access_token)
    assert malformed["revokeApiKey"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]
    still = await client.data(WHO, token=created["rawKey"])
    assert still["viewer"]["user"]["username"] == owner.username


async def test_an_api_key_cannot_mint_keys(client):
    owner = await sign_up(client)
    created = await create_key(client, owner.access_token)
    body = await client.execute(CREATE, {"input": {"description": "escalate"}}, token=created["rawKey"])
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_keys_page_forwards_and_backwards(client):
    owner = await sign_up(client)
    for index in range(5):
        created = await create_key(client, owner.access_token, description=f"key {index}")
        # Revoked keys stay listed and leave room on the free plan for the next.
        await client.data(REVOKE, {"id": created["apiKey"]["id"]}, token=owner.access_token)
    first = (await client.data(KEYS, {"first": 2}, token=owner.access_token))["viewer"]["apiKeys"]
    assert [edge["node"]["description"] for edge in first["edges"]] == ["key 4", "key 3"]
    assert first["pageInfo"]["hasNextPage"] is True and first["totalCount"] == 5
    second = (await client.data(KEYS, {"first": 2, "after": first["pageInfo"]["endCursor"]}, token=owner.access_token))[
        "viewer"
    ]["apiKeys"]
    assert [edge["node"]["description"] for edge in second["edges"]] == ["key 2", "key 1"]
    assert second["pageInfo"]["hasPreviousPage"] is True
    back = (
        await client.data(KEYS, {"last": 2, "before": second["pageInfo"]["startCursor"]}, token=owner.access_token)
    )["viewer"]["apiKeys"]
    assert [edge["node"]["description"] for edge in back["edges"]] == ["key 4", "key 3"]


async def test_page_size_over_100_is_invalid_input(client):
    owner = await sign_up(client)
    body = await client.execute(KEYS, {"first": 1000}, token=owner.access_token)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert body["errors"][0]["extensions"]["field"] == ["first"]
    garbage = await client.execute(KEYS, {"first": 2, "after": "!!not a cursor"}, token=owner.access_token)
    assert garbage["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_the_plan_caps_the_keys_in_use_at_once(client, services):
    owner = await sign_up(client)
    first = await create_key(client, owner.access_token, description="one")
    await create_key(client, owner.access_token, description="two")
    over = await client.data(CREATE, {"input": {"description": "three"}}, token=owner.access_token)
    [error] = over["createApiKey"]["userErrors"]
    assert error["code"] == "QUOTA_EXCEEDED" and "2 API keys" in error["message"]
    assert over["createApiKey"]["apiKey"] is None
    keys = (await client.data(KEYS, {"first": 10}, token=owner.access_token))["viewer"]["apiKeys"]
    assert keys["totalCount"] == 2
    # A revoked key frees its place.
    await client.data(REVOKE, {"id": first["apiKey"]["id"]}, token=owner.access_token)
    assert (await create_key(client, owner.access_token, description="three"))["apiKey"]["active"] is True
