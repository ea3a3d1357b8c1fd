"""Invoices through the API: drafts and their totals, bad input, versions, sending a mailed link (no secret in the
outbox), the client's view and payments in part through the offline checkout, voiding, the overdue sweep, and
isolation between studios."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from lensgraph.domain import invoices as rules
from lensgraph.domain.events import InvoiceSent
from lensgraph.domain.global_ids import decode as from_global_id
from lensgraph.domain.invoices import InvoiceStatus
from lensgraph.domain.money import Currency
from lensgraph.persistence import invoices as invoice_queries
from lensgraph.persistence.models import Invoice, OutboxEvent
from tests.api.helpers import sign_up
from tests.api.invoice_flows import (
    CREATE,
    DASHBOARD,
    NODE,
    PUBLIC,
    UPDATE,
    VOID,
    confirm,
    create_invoice,
    invoice_input,
    new_client,
    pay,
    send,
    sent_invoice,
    status_of,
)
from tests.api.payment_flows import deliver, onboard, session_id
from tests.api.test_booking import codes
from tests.api.test_refunds import pay_out, refunded, totals

# stripe-python's httpx transport sends its form body as data=<str>, which httpx deprecates (in their code, not ours).
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")


async def test_a_draft_has_exact_lines_and_totals_rounded_once_and_changes_by_version(client):
    studio = await sign_up(client, role="STUDIO")
    client_id = await new_client(client, studio)
    created = await create_invoice(
        client,
        studio,
        client_id,
        lines=[{"description": "  Print   set ", "quantity": 3, "unitAmount": 333}],
        taxRateBasisPoints=825,
        discount={"percentBasisPoints": 1000},
    )
    assert created["userErrors"] == []
    invoice = created["invoice"]
    assert invoice["status"] == "DRAFT"
    assert invoice["lines"] == [
        {
            "description": "Print set",
            "quantity": 3,
            "unitPrice": {"amount": 333, "currency": "EUR"},
            "amount": {"amount": 999},
        }
    ]
    # 999 less 10 % (99.9 -> 100, half up) = 899; tax 8.25 % of it = 74.1675 -> 74; rounded on the invoice only.
    assert invoice["amounts"] == {
        "subtotal": {"amount": 999},
        "discount": {"amount": 100},
        "tax": {"amount": 74},
        "total": {"amount": 973, "formatted": "9.73 EUR"},
        "paid": {"amount": 0},
        "balance": {"amount": 973},
        "taxRateBasisPoints": 825,
        "discountPercentBasisPoints": 1000,
    }

    version = invoice["version"]
    changed = await client.data(
        UPDATE,
        {"input": {"id": invoice["id"], "version": version, "currency": "JPY", "discount": {"amount": 999}}},
        token=studio.access_token,
    )
    updated = changed["updateInvoice"]["invoice"]
    assert updated["amounts"]["total"] == {"amount": 0, "formatted": "0 JPY"}
    assert updated["version"] == version + 1
    stale = await client.data(
        UPDATE, {"input": {"id": invoice["id"], "version": version, "notes": "lost"}}, token=studio.access_token
    )
    assert codes(stale["updateInvoice"]) == [(["version"], "CONFLICT")]

    yen = await create_invoice(
        client,
        studio,
        client_id,
        currency="JPY",
        lines=[{"description": "Session", "quantity": 2, "unitAmount": 15000}],
    )
    assert yen["invoice"]["amounts"]["total"] == {"amount": 36_000, "formatted": "36,000 JPY"}


async def test_bad_input_is_refused_with_a_code_and_writes_nothing(client, services):
    studio = await sign_up(client, role="STUDIO")
    client_id = await new_client(client, studio)
    line = {"description": "Session", "quantity": 1, "unitAmount": 100}
    cases = [
        ({"lines": [{**line, "quantity": -1}]}, ["lines", "0", "quantity"], "INVALID_INPUT"),
        ({"lines": [{**line, "unitAmount": -5}]}, ["lines", "0", "unitAmount"], "INVALID_INPUT"),
        ({"lines": []}, ["lines"], "INVALID_INPUT"),
        ({"taxRateBasisPoints": 10_001}, ["taxRateBasisPoints"], "INVALID_INPUT"),
        ({"taxRateBasisPoints": -1}, ["taxRateBasisPoints"], "INVALID_INPUT"),
        ({"discount": {"percentBasisPoints": 10, "amount": 10}}, ["discount"], "INVALID_INPUT"),
        ({"discount": {"amount": 10**9}}, ["discount", "amount"], "INVALID_INPUT"),
        ({"currency": "XXX"}, ["currency"], "INVALID_INPUT"),
    ]
    for overrides, field, code in cases:
        refused = await create_invoice(client, studio, client_id, **overrides)
        assert codes(refused) == [(field, code)], overrides
    other = await sign_up(client, role="STUDIO")
    theirs = await create_invoice(client, other, client_id)
    assert codes(theirs) == [(["clientId"], "NOT_FOUND")]
    photographer = await sign_up(client)
    body = await client.execute(CREATE, {"input": invoice_input(client_id)}, token=photographer.access_token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    async with services.db.session() as session:
        assert (await session.scalars(select(Invoice))).all() == []


async def test_send_mails_a_link_the_client_views_and_pays_in_part_then_in_full(client, services, background, inbox):
    studio = await sign_up(client, role="STUDIO")
    invoice_id, token = await sent_invoice(client, background, inbox, studio)
    async with services.db.session() as session:
        [sent_event] = (await session.scalars(select(OutboxEvent).where(OutboxEvent.type == InvoiceSent.type))).all()
    assert token not in str(sent_event.payload)

    view = (await client.data(PUBLIC, {"token": token}))["invoice"]
    assert view["status"] == "SENT" and view["studioName"] == "Ada Lovelace" and view["clientName"] == "Ann Archer"
    assert view["amounts"] == {"total": {"amount": 189_000}, "paid": {"amount": 0}, "balance": {"amount": 189_000}}
    assert (await client.data(PUBLIC, {"token": "not-a-token"}))["invoice"] is None

    # A sent invoice is what the client was sent.
    frozen = await client.data(UPDATE, {"input": {"id": invoice_id, "notes": "x"}}, token=studio.access_token)
    assert codes(frozen["updateInvoice"]) == [(["id"], "INVALID_TRANSITION")]
    again = await send(client, studio, invoice_id)
    assert codes(again) == [(["id"], "INVALID_TRANSITION")]

    too_much = await pay(client, token, 189_001)
    assert codes(too_much) == [(["amount"], "INVALID_INPUT")]
    part = await pay(client, token, 50_000)
    assert part["userErrors"] == [] and part["amount"] == {"amount": 50_000, "currency": "EUR"}
    # A second click for the same amount gets the same checkout; more than what it leaves is refused.
    assert (await pay(client, token, 50_000))["checkoutUrl"] == part["checkoutUrl"]
    assert codes(await pay(client, token, 139_001)) == [(["amount"], "INVALID_INPUT")]
    # The studio cannot void an invoice a checkout may still pay.
    pending = await client.data(VOID, {"input": {"id": invoice_id}}, token=studio.access_token)
    assert codes(pending["voidInvoice"]) == [(["id"], "PAYMENT_PENDING")]

    await confirm(client, part["checkoutUrl"])
    await confirm(client, part["checkoutUrl"])  # a replay adds nothing
    seen = await status_of(client, studio, invoice_id)
    assert seen["status"] == "SENT" and seen["amounts"]["paid"] == {"amount": 50_000}
    assert seen["amounts"]["balance"] == {"amount": 139_000}

    rest = await pay(client, token)
    assert rest["amount"] == {"amount": 139_000, "currency": "EUR"}
    await confirm(client, rest["checkoutUrl"])
    paid = await status_of(client, studio, invoice_id)
    assert [(item["amount"]["amount"], item["status"]) for item in paid["payments"]] == [
        (50_000, "SUCCEEDED"),
        (139_000, "SUCCEEDED"),
    ]
    assert paid["status"] == "PAID" and paid["paidAt"] is not None and paid["amounts"]["balance"] == {"amount": 0}
    assert codes(await pay(client, token)) == [(["token"], "ALREADY_EXISTS")]
    refused = await client.data(VOID, {"input": {"id": invoice_id}}, token=studio.access_token)
    assert codes(refused["voidInvoice"]) == [(["id"], "INVALID_TRANSITION")]

    async with services.db.session() as session:
        events = (await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "invoice.paid"))).all()
    assert len(events) == 1 and events[0].payload["amount"] == 189_000
    await background.settle()
    feed = await client.data(
        "{ viewer { notifications(first: 50) { edges { node { eventType data } } } } }", token=studio.access_token
    )
    paid_notices = [
        edge["node"] for edge in feed["viewer"]["notifications"]["edges"] if edge["node"]["eventType"] == "invoice.paid"
    ]
    assert [notice["data"] for notice in paid_notices] == [
        {"invoiceId": invoice_id, "amount": 189_000, "currency": "EUR"}
    ]
    # The client of paid invoices stays: money received is never deleted with them.
    kept = await client.data(
        "mutation($input: DeleteClientInput!) { deleteClient(input: $input) { userErrors { field code } } }",
        {"input": {"id": paid["client"]["id"]}},
        token=studio.access_token,
    )
    assert codes(kept["deleteClient"]) == [(["id"], "INVALID_TRANSITION")]
    earned = await client.data("{ viewer { payoutStats { total { amount currency } } } }", token=studio.access_token)
    # The studio earns both payments, less the platform fee.
    assert earned["viewer"]["payoutStats"][0]["total"]["amount"] > 0


async def test_the_mail_job_run_twice_for_one_event_mails_one_link(client, services, background, inbox):
    studio = await sign_up(client, role="STUDIO")
    _, token = await sent_invoice(client, background, inbox, studio)
    async with services.db.unit_of_work() as uow:
        replayed = await uow.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.type == InvoiceSent.type)
            .values(published_at=None, claimed_until=None)
        )
        assert replayed.rowcount == 1
    await background.settle()
    assert [message["To"] for message in inbox.messages if message["To"] == "ann@example.com"] == ["ann@example.com"]
    assert (await client.data(PUBLIC, {"token": token}))["invoice"]["status"] == "SENT"


async def test_a_voided_invoice_takes_no_payment(client, background, inbox):
    studio = await sign_up(client, role="STUDIO")
    invoice_id, token = await sent_invoice(client, background, inbox, studio)
    stale = await client.data(VOID, {"input": {"id": invoice_id, "version": 1}}, token=studio.access_token)
    assert codes(stale["voidInvoice"]) == [(["version"], "CONFLICT")]
    voided = await client.data(VOID, {"input": {"id": invoice_id}}, token=studio.access_token)
    assert voided["voidInvoice"]["invoice"]["status"] == "VOID"
    assert (await client.data(PUBLIC, {"token": token}))["invoice"]["status"] == "VOID"
    assert codes(await pay(client, token)) == [(["token"], "INVALID_TRANSITION")]
    draft = await create_invoice(client, studio, await new_client(client, studio, "Bo", "bo@example.com"))
    voided_draft = await client.data(VOID, {"input": {"id": draft["invoice"]["id"]}}, token=studio.access_token)
    assert voided_draft["voidInvoice"]["invoice"]["status"] == "VOID"


async def test_an_invoice_without_an_address_or_an_amount_is_not_sent(client):
    studio = await sign_up(client, role="STUDIO")
    silent = await create_invoice(client, studio, await new_client(client, studio, "No Mail", None))
    assert codes(await send(client, studio, silent["invoice"]["id"])) == [(["id"], "INVALID_INPUT")]
    free = await create_invoice(
        client,
        studio,
        await new_client(client, studio, "Free", "free@example.com"),
        lines=[{"description": "Gift", "quantity": 1, "unitAmount": 0}],
    )
    assert codes(await send(client, studio, free["invoice"]["id"])) == [(["id"], "INVALID_INPUT")]


async def test_the_overdue_sweep_moves_sent_invoices_past_due_once(client, services, background, inbox):
    studio = await sign_up(client, role="STUDIO")
    late_id, token = await sent_invoice(client, background, inbox, studio, dueDate="2020-01-01")
    on_time_id, _ = await sent_invoice(client, background, inbox, studio, dueDate="2999-01-01", email="b@example.com")
    draft = await create_invoice(
        client, studio, await new_client(client, studio, "Cy", "cy@example.com"), dueDate="2020-01-01"
    )
    before = (await status_of(client, studio, late_id))["version"]
    background.send("invoices.mark_overdue")
    background.send("invoices.mark_overdue")
    await background.settle()
    late = await status_of(client, studio, late_id)
    assert late["status"] == "OVERDUE" and late["version"] == before + 1
    assert (await status_of(client, studio, on_time_id))["status"] == "SENT"
    assert (await status_of(client, studio, draft["invoice"]["id"]))["status"] == "DRAFT"
    # Overdue, it is still paid; paid in full, it is PAID.
    await confirm(client, (await pay(client, token))["checkoutUrl"])
    assert (await status_of(client, studio, late_id))["status"] == "PAID"


async def test_one_studio_never_sees_another_studios_invoices(client, background, inbox):
    first = await sign_up(client, role="STUDIO")
    second = await sign_up(client, role="STUDIO")
    invoice_id, _ = await sent_invoice(client, background, inbox, first)
    mine = await client.data("{ viewer { invoices { totalCount edges { node { id } } } } }", token=first.access_token)
    assert mine["viewer"]["invoices"]["edges"] == [{"node": {"id": invoice_id}}]
    theirs = await client.data(
        "{ viewer { invoices { totalCount } clients { totalCount edges { node { invoices { id } } } } } }",
        token=second.access_token,
    )
    assert theirs["viewer"] == {"invoices": {"totalCount": 0}, "clients": {"totalCount": 0, "edges": []}}
    for token in (second.access_token, None):
        assert (await client.data(NODE, {"id": invoice_id}, token=token)) == {"node": None}
        nodes = await client.data("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [invoice_id]}, token=token)
        assert nodes == {"nodes": [None]}
    for mutation, name in ((UPDATE, "updateInvoice"), (VOID, "voidInvoice")):
        refused = await client.data(mutation, {"input": {"id": invoice_id}}, token=second.access_token)
        assert codes(refused[name]) == [(["id"], "NOT_FOUND")]
    assert codes(await send(client, second, invoice_id)) == [(["id"], "NOT_FOUND")]
    dashboard = await client.data(
        DASHBOARD,
        {"from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"},
        token=second.access_token,
    )
    assert dashboard["viewer"]["studioDashboard"]["outstanding"] == []
    assert dashboard["viewer"]["studioDashboard"]["revenue"] == []


async def test_with_stripe_a_paid_session_counts_once_and_an_expired_one_frees_its_amount(
    client, background, inbox, stripe_fake
):
    studio = await sign_up(client, role="STUDIO")
    invoice_id, token = await sent_invoice(client, background, inbox, studio)
    part = await pay(client, token, 100_000)
    rest = await pay(client, token)
    assert rest["amount"] == {"amount": 89_000, "currency": "EUR"}
    assert codes(await pay(client, token, 1)) == [(["amount"], "INVALID_INPUT")]

    paid = stripe_fake.event("checkout.session.completed", stripe_fake.checkout_paid(session_id(part["checkoutUrl"])))
    for event in (paid, paid, {**paid, "id": paid["id"] + "_again"}):  # a replay, then another event of the session
        assert (await deliver(client, stripe_fake, event)).status_code == 200
    seen = await status_of(client, studio, invoice_id)
    assert seen["status"] == "SENT" and seen["amounts"]["paid"] == {"amount": 100_000}

    closed = stripe_fake.checkout_paid(session_id(rest["checkoutUrl"]))
    expired = stripe_fake.event("checkout.session.expired", {**closed, "status": "expired", "payment_status": "unpaid"})
    assert (await deliver(client, stripe_fake, expired)).status_code == 200
    again = await pay(client, token)
    assert again["userErrors"] == [] and again["checkoutUrl"] != rest["checkoutUrl"]
    completed = stripe_fake.checkout_paid(session_id(again["checkoutUrl"]))
    assert (
        await deliver(client, stripe_fake, stripe_fake.event("checkout.session.completed", completed))
    ).status_code == 200
    assert (await status_of(client, studio, invoice_id))["status"] == "PAID"


async def test_the_sweeps_sql_picks_exactly_what_the_domain_rule_calls_overdue(client, services):
    studio = await sign_up(client, role="STUDIO")
    client_key = from_global_id(await new_client(client, studio))[1]
    studio_key = from_global_id(studio.id)[1]
    today = date(2030, 6, 15)
    rows = [
        Invoice(
            studio_id=studio_key,
            client_id=client_key,
            currency=Currency.EUR,
            lines=[],
            subtotal=100,
            discount_amount=0,
            tax_amount=0,
            total=100,
            due_date=today + timedelta(days=offset),
            status=status,
        )
        for status in InvoiceStatus
        for offset in (-30, -1, 0, 1)
    ]
    async with services.db.unit_of_work() as uow:
        uow.session.add_all(rows)
    expected = {row.id for row in rows if rules.is_overdue(row.status, row.due_date, today)}
    async with services.db.unit_of_work() as uow:
        marked = await invoice_queries.mark_overdue(uow.session, today)
    assert {invoice_id for invoice_id, _ in marked} == expected and len(expected) == 2
    async with services.db.unit_of_work() as uow:
        assert await invoice_queries.mark_overdue(uow.session, today) == []


async def test_a_refund_in_stripe_gives_the_studios_share_back_and_shows_on_the_invoice(
    client, background, inbox, stripe_fake
):
    studio = await sign_up(client, role="STUDIO")
    invoice_id, token = await sent_invoice(client, background, inbox, studio)
    whole = await pay(client, token)
    session = session_id(whole["checkoutUrl"])
    paid = stripe_fake.event("checkout.session.completed", stripe_fake.checkout_paid(session))
    assert (await deliver(client, stripe_fake, paid)).status_code == 200
    # 1,890.00 EUR paid, the 20% platform fee kept: 1,512.00 EUR is the studio's, paid out.
    await onboard(client, stripe_fake, studio)
    await pay_out(background)
    assert await totals(client, studio) == (151_200, 0, 151_200)

    charge = stripe_fake.refund(session, 50_000)
    for _ in range(2):  # Stripe may say it twice: the refund is applied once
        await refunded(client, stripe_fake, charge)
    # 500.00 EUR given back: the studio owes 400.00 EUR of it, taken from its next payout.
    assert await totals(client, studio) == (151_200 - 40_000, -40_000, 151_200)
    query = """query($id: ID!) { node(id: $id) { ... on Invoice {
      status refunded { amount } amounts { paid { amount } } } } }"""
    seen = await client.data(
        query,
        {"id": invoice_id},
        token=studio.access_token,
    )
    assert seen["node"] == {"status": "PAID", "refunded": {"amount": 50_000}, "amounts": {"paid": {"amount": 189_000}}}
