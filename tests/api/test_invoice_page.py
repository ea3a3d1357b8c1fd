"""The page an invoice's mail links to: the client reads the invoice and pays all or part of it through the same
rules as payInvoice, and is sent on to the checkout."""

from __future__ import annotations

from tests.api.helpers import sign_up
from tests.api.invoice_flows import PUBLIC, confirm, sent_invoice

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def test_the_client_reads_the_invoice_and_pays_part_then_the_rest(client, background, inbox):
    studio = await sign_up(client, role="STUDIO")
    _, token = await sent_invoice(client, background, inbox, studio, notes="Thanks <3")

    opened = await client.http.get("/invoice", params={"token": token})
    assert opened.status_code == 200
    assert opened.headers["referrer-policy"] == "no-referrer"
    assert "Invoice from Ada Lovelace" in opened.text
    assert "Wedding coverage" in opened.text and "1,890.00 EUR" in opened.text
    assert "Thanks &lt;3" in opened.text  # the studio's words shown, never run as HTML

    part = await client.http.post("/invoice", content=f"token={token}&amount=500", headers=FORM)
    assert part.status_code == 303
    await confirm(client, part.headers["location"])
    await background.settle()
    balance = (await client.data(PUBLIC, {"token": token}))["invoice"]["amounts"]["balance"]["amount"]
    assert balance == 189_000 - 50_000

    too_much = await client.http.post("/invoice", content=f"token={token}&amount=5000", headers=FORM)
    assert too_much.status_code == 400
    assert 'role="alert"' in too_much.text and 'value="5000"' in too_much.text
    typo = await client.http.post("/invoice", content=f"token={token}&amount=12.345", headers=FORM)
    assert typo.status_code == 400 and "at most 2 decimals" in typo.text

    rest = await client.http.post("/invoice", content=f"token={token}&amount=", headers=FORM)
    assert rest.status_code == 303
    await confirm(client, rest.headers["location"])
    await background.settle()
    paid = await client.http.get("/invoice", params={"token": token})
    assert "Status: PAID" in paid.text and "<form" not in paid.text


async def test_a_wrong_link_opens_nothing(client):
    for answer in (
        await client.http.get("/invoice", params={"token": "nope"}),
        await client.http.post("/invoice", content="token=nope&amount=1", headers=FORM),
    ):
        assert answer.status_code == 404
        assert "<form" not in answer.text
