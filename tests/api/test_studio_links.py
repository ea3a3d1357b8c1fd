"""A client's galleries, bookings and invoices: galleries linked to clients (their email and name kept in step),
the client node's lists loaded in flat statements, and the studio dashboard's figures."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import Account, sign_up
from tests.api.invoice_flows import DASHBOARD, confirm, create_invoice, new_client, pay, sent_invoice
from tests.api.test_booking import at, book, codes, studio_with_session_type

GALLERY = "id clientEmail clientName client { id name }"
CREATE_GALLERY = f"""mutation($input: CreateGalleryInput!) {{
  createGallery(input: $input) {{ gallery {{ {GALLERY} }} userErrors {{ field code }} }} }}"""
UPDATE_GALLERY = f"""mutation($input: UpdateGalleryInput!) {{
  updateGallery(input: $input) {{ gallery {{ {GALLERY} }} userErrors {{ field code }} }} }}"""
UPDATE_CLIENT = """mutation($input: UpdateClientInput!) {
  updateClient(input: $input) { client { id status } userErrors { field code } } }"""
DELETE_CLIENT = "mutation($input: DeleteClientInput!) { deleteClient(input: $input) { userErrors { code } } }"
GALLERY_NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Gallery {{ {GALLERY} }} }} }}"


async def gallery_for(client: Any, studio: Account, **fields: Any) -> dict[str, Any]:
    answer = await client.data(CREATE_GALLERY, {"input": {"title": "Wedding", **fields}}, token=studio.access_token)
    payload: dict[str, Any] = answer["createGallery"]
    return payload


async def test_a_linked_gallery_shows_its_client_and_follows_their_name_and_address(client):
    studio = await sign_up(client, role="STUDIO")
    client_id = await new_client(client, studio, "Ann Archer", "ann@example.com")
    linked = await gallery_for(client, studio, clientId=client_id)
    assert linked["userErrors"] == []
    gallery = linked["gallery"]
    assert gallery["clientEmail"] == "ann@example.com" and gallery["clientName"] == "Ann Archer"
    assert gallery["client"] == {"id": client_id, "name": "Ann Archer"}

    renamed = await client.data(
        UPDATE_CLIENT,
        {"input": {"id": client_id, "name": "Ann Baker", "emails": ["ann.baker@example.com"]}},
        token=studio.access_token,
    )
    assert renamed["updateClient"]["userErrors"] == []
    seen = (await client.data(GALLERY_NODE, {"id": gallery["id"]}, token=studio.access_token))["node"]
    assert seen["clientEmail"] == "ann.baker@example.com" and seen["clientName"] == "Ann Baker"

    both = await gallery_for(client, studio, clientId=client_id, clientEmail="other@example.com")
    assert codes(both) == [(["clientEmail"], "INVALID_INPUT")]
    other = await sign_up(client, role="STUDIO")
    assert codes(await gallery_for(client, other, clientId=client_id)) == [(["clientId"], "NOT_FOUND")]

    unlinked = await client.data(
        UPDATE_GALLERY, {"input": {"id": gallery["id"], "unlinkClient": True}}, token=studio.access_token
    )
    assert unlinked["updateGallery"]["gallery"]["client"] is None
    relinked = await client.data(
        UPDATE_GALLERY, {"input": {"id": gallery["id"], "clientId": client_id}}, token=studio.access_token
    )
    assert relinked["updateGallery"]["gallery"]["client"]["id"] == client_id
    await client.data(DELETE_CLIENT, {"input": {"id": client_id}}, token=studio.access_token)
    gone = (await client.data(GALLERY_NODE, {"id": gallery["id"]}, token=studio.access_token))["node"]
    assert gone["client"] is None and gone["clientName"] == "Ann Baker"


async def test_a_clients_galleries_bookings_and_invoices_load_in_flat_statements(client, sql):
    studio, session_type = await studio_with_session_type(client)
    query = """{ viewer { clients(first: 50) { edges { node {
      name galleries { title client { name } } bookings { startsAt }
      invoices { status amounts { total { amount } } payments { amount { amount } status } }
    } } } } }"""
    made: list[int] = []

    async def statements_with(clients: int) -> int:
        while len(made) < clients:
            index = len(made)
            made.append(index)
            booked = await book(client, session_type, at(7, days=14 * (index + 1)), email=f"c{index}@example.com")
            assert booked["userErrors"] == []
            client_id = await client_of(client, studio, f"c{index}@example.com")
            assert (await gallery_for(client, studio, clientId=client_id))["userErrors"] == []
            assert (await create_invoice(client, studio, client_id))["userErrors"] == []
        sql.reset()
        answer = await client.data(query, token=studio.access_token)
        nodes = [edge["node"] for edge in answer["viewer"]["clients"]["edges"]]
        assert all(len(node["galleries"]) == len(node["bookings"]) == len(node["invoices"]) == 1 for node in nodes)
        return sql.count

    few = await statements_with(2)
    assert few > 0
    assert await statements_with(6) == few


async def client_of(client: Any, studio: Account, email: str) -> str:
    answer = await client.data(
        "query($s: String) { viewer { clients(search: $s) { edges { node { id } } } } }",
        {"s": email},
        token=studio.access_token,
    )
    return str(answer["viewer"]["clients"]["edges"][0]["node"]["id"])


async def test_the_dashboard_sums_revenue_what_is_owed_bookings_and_lead_conversion(client, background, inbox):
    studio, session_type = await studio_with_session_type(client)
    # Ann books (a client made by the booking, BOOKED); two leads; one of them becomes ACTIVE.
    assert (await book(client, session_type, at(7)))["userErrors"] == []
    lead = await new_client(client, studio, "Lead", "lead@example.com")
    await new_client(client, studio, "Cold", "cold@example.com")
    await client.data(UPDATE_CLIENT, {"input": {"id": lead, "status": "ACTIVE"}}, token=studio.access_token)
    # One EUR invoice paid in full, one USD invoice paid in part, one draft (owes nothing yet).
    _, paid_token = await sent_invoice(client, background, inbox, studio, email="p@example.com")
    await confirm(client, (await pay(client, paid_token))["checkoutUrl"])
    _, part_token = await sent_invoice(client, background, inbox, studio, email="q@example.com", currency="USD")
    await confirm(client, (await pay(client, part_token, 9_000))["checkoutUrl"])
    await create_invoice(client, studio, await new_client(client, studio, "Drafty", "d@example.com"))

    everything = {"from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"}
    figures = (await client.data(DASHBOARD, everything, token=studio.access_token))["viewer"]["studioDashboard"]
    assert figures["revenue"] == [{"amount": 189_000, "currency": "EUR"}, {"amount": 9_000, "currency": "USD"}]
    assert figures["outstanding"] == [{"amount": 180_000, "currency": "USD"}]
    assert figures["bookings"] == 1
    # 6 clients made: Ann (BOOKED), Lead (ACTIVE), Cold, and the three invoice clients (LEAD).
    assert (figures["leadsCreated"], figures["leadsConverted"]) == (6, 2)
    assert figures["conversionRate"] == 2 / 6

    past = {"from": "2000-01-01T00:00:00Z", "to": "2001-01-01T00:00:00Z"}
    empty = (await client.data(DASHBOARD, past, token=studio.access_token))["viewer"]["studioDashboard"]
    assert empty["revenue"] == [] and empty["bookings"] == 0 and empty["leadsCreated"] == 0
    assert empty["conversionRate"] is None and empty["outstanding"] == figures["outstanding"]
    backwards = await client.execute(
        DASHBOARD, {"from": everything["to"], "to": everything["from"]}, token=studio.access_token
    )
    assert backwards["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
