"""Invoice steps for API tests, each through the GraphQL API (and the offline checkout page, as a client clicks it)."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import Account

CREATE_CLIENT = """
mutation($input: CreateClientInput!) { createClient(input: $input) { client { id } userErrors { field code } } }"""
INVOICE_FIELDS = """id status dueDate version sentAt paidAt client { id } payments { amount { amount } status paidAt }
  lines { description quantity unitPrice { amount currency } amount { amount } }
  amounts { subtotal { amount } discount { amount } tax { amount } total { amount formatted } paid { amount }
            balance { amount } taxRateBasisPoints discountPercentBasisPoints }"""
CREATE = f"""
mutation($input: CreateInvoiceInput!) {{
  createInvoice(input: $input) {{ invoice {{ {INVOICE_FIELDS} }} userErrors {{ field code message }} }}
}}"""
UPDATE = f"""
mutation($input: UpdateInvoiceInput!) {{
  updateInvoice(input: $input) {{ invoice {{ {INVOICE_FIELDS} }} userErrors {{ field code message }} }}
}}"""
SEND = """
mutation($input: InvoiceActionInput!) {
  sendInvoice(input: $input) { invoice { id status version } userErrors { field code message } }
}"""
VOID = """
mutation($input: InvoiceActionInput!) {
  voidInvoice(input: $input) { invoice { id status version } userErrors { field code message } }
}"""
PUBLIC = """
query($token: String!) {
  invoice(token: $token) {
    status studioName clientName dueDate lines { description }
    amounts { total { amount } paid { amount } balance { amount } }
  }
}"""
PAY = """
mutation($input: PayInvoiceInput!) {
  payInvoice(input: $input) {
    checkoutUrl amount { amount currency } invoice { status amounts { balance { amount } } }
    userErrors { field code message }
  }
}"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Invoice {{ {INVOICE_FIELDS} }} }} }}"
DASHBOARD = """
query($from: DateTime!, $to: DateTime!) {
  viewer {
    studioDashboard(from: $from, to: $to) {
      revenue { amount currency } outstanding { amount currency } bookings leadsCreated leadsConverted conversionRate
    }
  }
}"""
SUBJECT_PREFIX = "Invoice from "


async def new_client(
    client: Any, studio: Account, name: str = "Ann Archer", email: str | None = "ann@example.com"
) -> str:
    fields: dict[str, Any] = {"name": name, "emails": [email] if email else []}
    answer = await client.data(CREATE_CLIENT, {"input": fields}, token=studio.access_token)
    assert answer["createClient"]["userErrors"] == []
    return str(answer["createClient"]["client"]["id"])


def invoice_input(client_id: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "clientId": client_id,
        "lines": [
            {"description": "Wedding coverage", "quantity": 1, "unitAmount": 150_000},
            {"description": "Prints", "quantity": 3, "unitAmount": 2_500},
        ],
        "currency": "EUR",
        "dueDate": "2030-07-01",
        "taxRateBasisPoints": 2000,
    }
    values.update(overrides)
    return values


async def create_invoice(client: Any, studio: Account, client_id: str, **overrides: Any) -> dict[str, Any]:
    answer = await client.data(CREATE, {"input": invoice_input(client_id, **overrides)}, token=studio.access_token)
    payload: dict[str, Any] = answer["createInvoice"]
    return payload


async def send(client: Any, studio: Account, invoice_id: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.data(SEND, {"input": {"id": invoice_id}}, token=studio.access_token))[
        "sendInvoice"
    ]
    return payload


async def sent_invoice(client: Any, background: Any, inbox: Any, studio: Account, **overrides: Any) -> tuple[str, str]:
    """A SENT invoice (total 1,890.00 EUR unless overridden) and the token its client was mailed."""
    email = overrides.pop("email", "ann@example.com")
    client_id = await new_client(client, studio, email=email)
    created = await create_invoice(client, studio, client_id, **overrides)
    assert created["userErrors"] == [], created
    invoice_id = created["invoice"]["id"]
    assert (await send(client, studio, invoice_id))["userErrors"] == []
    await background.settle()
    token = await inbox.token_for(email, f"{SUBJECT_PREFIX}Ada Lovelace")
    return invoice_id, token


async def pay(client: Any, token: str, amount: int | None = None) -> dict[str, Any]:
    fields: dict[str, Any] = {"token": token}
    if amount is not None:
        fields["amount"] = amount
    payload: dict[str, Any] = (await client.data(PAY, {"input": fields}))["payInvoice"]
    return payload


async def confirm(client: Any, checkout_url: str) -> None:
    """The offline checkout page's button, as the client presses it."""
    confirmed = await client.http.post(checkout_url.removeprefix("http://testserver"))
    assert confirmed.status_code == 303, confirmed.text


async def status_of(client: Any, studio: Account, invoice_id: str) -> dict[str, Any]:
    node: dict[str, Any] = (await client.data(NODE, {"id": invoice_id}, token=studio.access_token))["node"]
    return node
