"""The studio CRM through the API: clients, filters and search, versions, bookings on a client in one batch, and
isolation between studios."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import Account, sign_up
from tests.api.test_booking import at, book, codes, studio_with_session_type

CREATE = """
mutation($input: CreateClientInput!) {
  createClient(input: $input) { client { id name emails tags status version } userErrors { field code } }
}"""
UPDATE = """
mutation($input: UpdateClientInput!) {
  updateClient(input: $input) { client { id name tags status notes version } userErrors { field code } }
}"""
DELETE = """
mutation($input: DeleteClientInput!) {
  deleteClient(input: $input) { deletedClientId userErrors { field code } }
}"""
CLIENTS = """
query($filter: ClientFilter, $search: String) {
  viewer { clients(filter: $filter, search: $search) { totalCount edges { node { name } } } }
}"""


async def create(client: Any, studio: Account, **fields: Any) -> dict[str, Any]:
    answer = await client.data(CREATE, {"input": fields}, token=studio.access_token)
    return answer["createClient"]


async def names(client: Any, studio: Account, **variables: Any) -> list[str]:
    answer = await client.data(CLIENTS, variables, token=studio.access_token)
    return [edge["node"]["name"] for edge in answer["viewer"]["clients"]["edges"]]


async def test_clients_are_created_filtered_searched_and_updated_by_version(client):
    studio = await sign_up(client, role="STUDIO")
    ann = await create(client, studio, name="Ann Archer", emails=["Ann@Example.com"], tags=["Wedding", "vip"])
    assert ann["userErrors"] == []
    assert ann["client"]["emails"] == ["ann@example.com"] and ann["client"]["tags"] == ["wedding", "vip"]
    assert ann["client"]["status"] == "LEAD"
    await create(client, studio, name="Bob Baker", emails=["bob@studio.test"], tags=["portrait"], status="ACTIVE")
    await create(client, studio, name="Cy Cole", tags=["wedding"], status="PAST")

    assert await names(client, studio) == ["Cy Cole", "Bob Baker", "Ann Archer"]
    assert await names(client, studio, filter={"tag": "Wedding"}) == ["Cy Cole", "Ann Archer"]
    assert await names(client, studio, filter={"status": "ACTIVE"}) == ["Bob Baker"]
    assert await names(client, studio, filter={"status": "PAST", "tag": "wedding"}) == ["Cy Cole"]
    assert await names(client, studio, search="studio.TEST") == ["Bob Baker"]
    assert await names(client, studio, search="arch") == ["Ann Archer"]
    assert await names(client, studio, search="100%") == []

    duplicate = await create(client, studio, name="Other Ann", emails=["ann@example.com"])
    assert codes(duplicate) == [(["emails"], "ALREADY_EXISTS")]

    client_id, version = ann["client"]["id"], ann["client"]["version"]
    updated = await client.data(
        UPDATE,
        {"input": {"id": client_id, "version": version, "status": "BOOKED", "tags": ["vip"], "notes": "Prefers film"}},
        token=studio.access_token,
    )
    assert updated["updateClient"]["client"]["status"] == "BOOKED"
    assert updated["updateClient"]["client"]["version"] == version + 1
    assert await names(client, studio, filter={"tag": "wedding"}) == ["Cy Cole"]
    stale = await client.data(
        UPDATE, {"input": {"id": client_id, "version": version, "name": "Lost edit"}}, token=studio.access_token
    )
    assert codes(stale["updateClient"]) == [(["version"], "CONFLICT")]
    bad = await client.data(UPDATE, {"input": {"id": client_id, "name": "  "}}, token=studio.access_token)
    assert codes(bad["updateClient"]) == [(["name"], "INVALID_INPUT")]

    deleted = await client.data(DELETE, {"input": {"id": client_id}}, token=studio.access_token)
    assert deleted["deleteClient"] == {"deletedClientId": client_id, "userErrors": []}
    assert await names(client, studio) == ["Cy Cole", "Bob Baker"]


async def test_only_studios_keep_clients(client):
    photographer = await sign_up(client)
    body = await client.execute(CREATE, {"input": {"name": "Ann"}}, token=photographer.access_token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_one_studio_never_sees_another_studios_clients_or_bookings(client):
    first, session_type = await studio_with_session_type(client)
    second = await sign_up(client, role="STUDIO")
    assert (await book(client, session_type, at(8)))["userErrors"] == []
    lead = (await create(client, first, name="Private Lead", notes="secret"))["client"]["id"]
    own = await client.data(
        "{ viewer { clients { edges { node { id name bookings { id } } } } bookings { edges { node { id } } } } }",
        token=first.access_token,
    )
    booked_client = next(edge["node"] for edge in own["viewer"]["clients"]["edges"] if edge["node"]["name"] == "Ann")
    booking_id = booked_client["bookings"][0]["id"]
    assert own["viewer"]["bookings"]["edges"] == [{"node": {"id": booking_id}}]

    theirs = await client.data(
        "{ viewer { clients { totalCount } bookings { totalCount } } }", token=second.access_token
    )
    assert theirs["viewer"] == {"clients": {"totalCount": 0}, "bookings": {"totalCount": 0}}
    for global_id in (lead, booked_client["id"], booking_id):
        for token in (second.access_token, None):
            seen = await client.data("query($id: ID!) { node(id: $id) { id } }", {"id": global_id}, token=token)
            assert seen == {"node": None}
        mine = await client.data(
            "query($id: ID!) { node(id: $id) { id } }", {"id": global_id}, token=first.access_token
        )
        assert mine == {"node": {"id": global_id}}
    for mutation, name in ((UPDATE, "updateClient"), (DELETE, "deleteClient")):
        refused = await client.data(mutation, {"input": {"id": lead}}, token=second.access_token)
        assert codes(refused[name]) == [(["id"], "NOT_FOUND")]


async def test_bookings_on_many_clients_load_in_flat_statements(client, sql):
    studio, session_type = await studio_with_session_type(client)
    query = "{ viewer { clients(first: 50) { edges { node { name bookings { startsAt sessionType { name } } } } } } }"

    booked_so_far: list[int] = []

    async def statements_with(clients: int) -> int:
        while len(booked_so_far) < clients:
            index = len(booked_so_far)
            booked_so_far.append(index)
            # One booking each, on distinct Mondays 2 weeks apart (the Monday a week later is blocked).
            booked = await book(client, session_type, at(7, days=14 * (index + 1)), email=f"c{index}@example.com")
            assert booked["userErrors"] == []
        sql.reset()
        answer = await client.data(query, token=studio.access_token)
        assert all(len(edge["node"]["bookings"]) == 1 for edge in answer["viewer"]["clients"]["edges"])
        return sql.count

    few = await statements_with(2)
    assert few > 0
    assert await statements_with(8) == few
