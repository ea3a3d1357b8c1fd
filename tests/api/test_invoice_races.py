"""Invoice payments under real concurrency, on SQLite and PostgreSQL: payments in part completing at once are all
counted and mark the invoice PAID once; checkouts asked at once never reserve more than the balance; one checkout
confirmed many times at once counts once."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import func, select

from lensgraph.domain.payments import PaymentStatus
from lensgraph.persistence.models import Earning, OutboxEvent, Payment
from tests.api.helpers import sign_up
from tests.api.invoice_flows import confirm, pay, sent_invoice, status_of

ROUNDS = 2
AT_ONCE = 5
TOTAL = 189_000


async def paid_events(services) -> int:
    async with services.db.session() as session:
        query = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "invoice.paid")
        return int(await session.scalar(query) or 0)


async def test_payments_in_part_completing_at_once_are_all_counted_and_pay_the_invoice_once(
    client, services, background, inbox
):
    studio = await sign_up(client, role="STUDIO")
    for round_number in range(ROUNDS):
        invoice_id, token = await sent_invoice(client, background, inbox, studio, email=f"r{round_number}@example.com")
        part = TOTAL // AT_ONCE
        # The same amount asked twice hands out the same checkout (a second click), not a second one.
        assert (await pay(client, token, part))["checkoutUrl"] == (await pay(client, token, part))["checkoutUrl"]
        urls = [(await pay(client, token, part))["checkoutUrl"]]
        for index in range(AT_ONCE - 2):
            opened = await pay(client, token, part + 1 + index)
            assert opened["userErrors"] == [], opened
            urls.append(opened["checkoutUrl"])
        # Left out, the amount is all that is left.
        last = await pay(client, token)
        assert last["userErrors"] == [], last
        urls.append(last["checkoutUrl"])
        assert (await pay(client, token))["checkoutUrl"] == last["checkoutUrl"]
        assert len(set(urls)) == AT_ONCE
        before = await paid_events(services)

        await asyncio.gather(*(confirm(client, url) for url in urls))

        invoice = await status_of(client, studio, invoice_id)
        assert invoice["status"] == "PAID"
        assert invoice["amounts"]["paid"] == {"amount": TOTAL} and invoice["amounts"]["balance"] == {"amount": 0}
        assert await paid_events(services) == before + 1
        async with services.db.session() as session:
            statuses = Counter(
                (await session.scalars(select(Payment.status).where(Payment.invoice_id.is_not(None)))).all()
            )
            earned = await session.scalar(select(func.sum(Earning.gross)))
        assert statuses[PaymentStatus.SUCCEEDED] == AT_ONCE * (round_number + 1)
        assert earned == TOTAL * (round_number + 1)


async def test_checkouts_asked_at_once_never_reserve_more_than_the_balance(client, services, background, inbox):
    studio = await sign_up(client, role="STUDIO")
    for round_number in range(ROUNDS):
        invoice_id, token = await sent_invoice(client, background, inbox, studio, email=f"c{round_number}@example.com")
        # Each asks for 40 % (a different amount, so none is handed another's checkout): two fit, the rest do not.
        answers = await asyncio.gather(*(pay(client, token, 75_600 + index) for index in range(AT_ONCE)))
        outcomes = Counter("OK" if not item["userErrors"] else item["userErrors"][0]["code"] for item in answers)
        assert outcomes == {"OK": 2, "INVALID_INPUT": AT_ONCE - 2}, answers
        async with services.db.session() as session:
            reserved = await session.scalar(
                select(func.sum(Payment.amount)).where(Payment.status == PaymentStatus.PENDING)
            )
        assert reserved is not None and reserved <= TOTAL
        await asyncio.gather(*(confirm(client, item["checkoutUrl"]) for item in answers if not item["userErrors"]))
        invoice = await status_of(client, studio, invoice_id)
        assert invoice["status"] == "SENT" and invoice["amounts"]["paid"]["amount"] == reserved


async def test_one_checkout_confirmed_many_times_at_once_counts_once(client, services, background, inbox):
    studio = await sign_up(client, role="STUDIO")
    invoice_id, token = await sent_invoice(client, background, inbox, studio)
    url = (await pay(client, token, 1_000))["checkoutUrl"]
    await asyncio.gather(*(confirm(client, url) for _ in range(AT_ONCE)))
    invoice = await status_of(client, studio, invoice_id)
    assert invoice["amounts"]["paid"] == {"amount": 1_000} and invoice["status"] == "SENT"
