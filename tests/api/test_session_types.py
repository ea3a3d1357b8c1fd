"""Session types through the API: create, update, delete; bad input, other studios, and what deleting ends."""

from __future__ import annotations

from tests.api.helpers import sign_up
from tests.api.test_booking import SLOTS, at, book, codes, studio_with_session_type

UPDATE = """
mutation($input: UpdateSessionTypeInput!) {
  updateSessionType(input: $input) {
    sessionType { name durationMinutes bufferMinutes price { amount currency } }
    userErrors { field code }
  }
}"""
DELETE = """
mutation($input: DeleteSessionTypeInput!) {
  deleteSessionType(input: $input) { deletedSessionTypeId userErrors { field code } }
}"""
CREATE = """
mutation($input: CreateSessionTypeInput!) {
  createSessionType(input: $input) { sessionType { id } userErrors { field code } }
}"""
LISTED = "{ viewer { sessionTypes { edges { node { id name } } } } }"


async def test_session_types_are_changed_and_deleted_by_their_studio_only(client):
    studio, session_type = await studio_with_session_type(client)
    other = await sign_up(client, role="STUDIO")
    token = studio.access_token

    too_short = {"name": "Blink", "durationMinutes": 1, "price": {"amount": 100, "currency": "EUR"}}
    assert codes((await client.data(CREATE, {"input": too_short}, token=token))["createSessionType"]) == [
        (["durationMinutes"], "INVALID_INPUT")
    ]
    negative = {"name": "Free", "durationMinutes": 30, "price": {"amount": -1, "currency": "EUR"}}
    assert codes((await client.data(CREATE, {"input": negative}, token=token))["createSessionType"]) == [
        (["price", "amount"], "INVALID_INPUT")
    ]
    photographer = await sign_up(client)
    refused = await client.execute(
        CREATE, {"input": too_short | {"durationMinutes": 30}}, token=photographer.access_token
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    changed = await client.data(
        UPDATE,
        {
            "input": {
                "id": session_type,
                "name": "Family",
                "bufferMinutes": 15,
                "price": {"amount": 500, "currency": "JPY"},
            }
        },
        token=token,
    )
    assert changed["updateSessionType"] == {
        "sessionType": {
            "name": "Family",
            "durationMinutes": 60,
            "bufferMinutes": 15,
            "price": {"amount": 500, "currency": "JPY"},
        },
        "userErrors": [],
    }
    for mutation, name in ((UPDATE, "updateSessionType"), (DELETE, "deleteSessionType")):
        theirs = await client.data(mutation, {"input": {"id": session_type}}, token=other.access_token)
        assert codes(theirs[name]) == [(["id"], "NOT_FOUND")]

    assert (await book(client, session_type, at(7)))["userErrors"] == []
    deleted = await client.data(DELETE, {"input": {"id": session_type}}, token=token)
    assert deleted["deleteSessionType"] == {"deletedSessionTypeId": session_type, "userErrors": []}
    assert (await client.data(LISTED, token=token))["viewer"]["sessionTypes"]["edges"] == []
    assert codes(await book(client, session_type, at(7, days=14))) == [(["sessionTypeId"], "NOT_FOUND")]
    gone = await client.execute(SLOTS, {"studio": studio.username, "type": session_type, "from": at(0), "to": at(24)})
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # The booking made before stays, naming its session type.
    kept = await client.data("{ viewer { bookings { edges { node { sessionType { name deleted } } } } } }", token=token)
    assert kept["viewer"]["bookings"]["edges"] == [{"node": {"sessionType": {"name": "Family", "deleted": True}}}]


async def test_available_slots_refuses_a_wrong_studio_and_long_spans(client):
    studio, session_type = await studio_with_session_type(client)
    other, _ = await studio_with_session_type(client)
    wrong = await client.execute(SLOTS, {"studio": other.username, "type": session_type, "from": at(0), "to": at(24)})
    assert wrong["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    unknown = await client.execute(SLOTS, {"studio": "nobody-here", "type": session_type, "from": at(0), "to": at(24)})
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    long = await client.execute(
        SLOTS, {"studio": studio.username, "type": session_type, "from": at(0), "to": at(0, days=40)}
    )
    assert long["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
