"""Payouts through the API: onboarding a Stripe Express account, and the job that transfers earnings, safe to
run again, to fail, or to die half-way, without ever paying twice."""

from __future__ import annotations

import pytest

from lensgraph.domain.money import Currency, Money
from lensgraph.domain.payments import PayoutStatus
from lensgraph.jobs.services import payments_for
from lensgraph.persistence.models import Payout
from lensgraph.persistence.payments import claim_earnings
from lensgraph.schema.core import to_global_id
from tests.api.factories import user_key
from tests.api.helpers import Account, sign_up
from tests.api.payment_flows import ONBOARD, earnings, onboard, pay, signed_license
from tests.api.test_licensing import photo_of

# stripe-python's httpx transport sends its form body as data=<str>, which httpx deprecates (in their code, not ours).
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")


@pytest.fixture
async def parties(client) -> tuple[Account, Account]:
    return await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER")


async def owed_and_onboarded(client, services, stripe_fake, parties: tuple[Account, Account]) -> str:
    """A paid license (250.00 EUR, so 200.00 owed to the photographer) and a finished onboarding: the account id."""
    brand, photographer = parties
    license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
    await pay(client, stripe_fake, brand, license_id)
    return await onboard(client, stripe_fake, photographer)


async def test_only_photographers_and_studios_onboard(client, stripe_fake):
    brand = await sign_up(client, role="BRAND")
    body = await client.execute(ONBOARD, token=brand.access_token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await client.execute(ONBOARD))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    studio = await sign_up(client, role="STUDIO")
    first = (await client.data(ONBOARD, token=studio.access_token))["startPayoutOnboarding"]
    second = (await client.data(ONBOARD, token=studio.access_token))["startPayoutOnboarding"]
    assert first["url"].startswith("https://connect.stripe.com/setup/e/acct_") and second["url"] != first["url"]
    # One account, created once; each call makes a new link (and refreshes the account's flags).
    assert len(stripe_fake.calls("POST", "/v1/accounts")) == 1
    assert len(stripe_fake.calls("POST", "/v1/account_links")) == 2
    [link] = stripe_fake.calls("POST", "/v1/account_links")[:1]
    assert link.params["type"] == "account_onboarding"
    assert link.params["return_url"].startswith("http://testserver/payments/return")
    assert len(stripe_fake.calls("GET", f"/v1/accounts/{link.params['account']}")) == 1


async def test_a_refused_transfer_fails_the_payout_and_the_next_run_pays(
    client, services, parties, stripe_fake, background
):
    photographer = parties[1]
    await owed_and_onboarded(client, services, stripe_fake, parties)

    stripe_fake.refuse_next("/v1/transfers", "Your destination account needs to have at least one capability enabled.")
    background.send("payments.pay_out")
    await background.settle()
    failed = await earnings(client, photographer)
    [payout] = [edge["node"] for edge in failed["payouts"]["edges"]]
    assert payout["status"] == "FAILED" and "capability" in payout["failureReason"]
    assert failed["payoutStats"][0]["pending"] == {"amount": 20_000}

    background.send("payments.pay_out")
    await background.settle()
    paid = await earnings(client, photographer)
    assert [edge["node"]["status"] for edge in paid["payouts"]["edges"]] == ["PAID", "FAILED"]
    assert paid["payoutStats"][0]["paid"] == {"amount": 20_000}
    assert len(stripe_fake.transfers) == 1


async def test_a_lost_transfer_answer_is_retried_without_paying_twice(
    client, services, parties, stripe_fake, background
):
    photographer = parties[1]
    await owed_and_onboarded(client, services, stripe_fake, parties)
    stripe_fake.lose_next_answer("/v1/transfers")
    background.send("payments.pay_out")
    await background.settle()
    sent = stripe_fake.calls("POST", "/v1/transfers")
    assert len(sent) == 2 and sent[0].headers["idempotency-key"] == sent[1].headers["idempotency-key"]
    assert len(stripe_fake.transfers) == 1
    [payout] = (await earnings(client, photographer))["payouts"]["edges"]
    assert payout["node"]["status"] == "PAID"


async def test_a_payout_left_unsent_by_a_crash_is_sent_once(client, services, parties, stripe_fake, background):
    photographer = parties[1]
    account_id = await owed_and_onboarded(client, services, stripe_fake, parties)
    # A run claimed the earning in a payout and sent its transfer, then died before recording it.
    async with services.db.unit_of_work() as uow:
        payout = Payout(
            photographer_id=user_key(photographer), amount=0, currency=Currency.EUR, status=PayoutStatus.PENDING
        )
        uow.session.add(payout)
        await uow.session.flush()
        payout.amount = await claim_earnings(uow.session, payout.id, user_key(photographer), Currency.EUR)
    gateway = payments_for(services.settings)
    try:
        transfer_id = await gateway.create_transfer(
            payout_id=payout.id, account_id=account_id, amount=Money(20_000, Currency.EUR)
        )
    finally:
        await gateway.aclose()

    background.send("payments.pay_out")
    await background.settle()
    assert list(stripe_fake.transfers) == [transfer_id]
    [recorded] = (await earnings(client, photographer))["payouts"]["edges"]
    assert (recorded["node"]["id"], recorded["node"]["status"]) == (to_global_id("Payout", payout.id), "PAID")


async def test_payouts_are_their_photographers_only(client, services, parties, stripe_fake, background):
    brand, photographer = parties
    await owed_and_onboarded(client, services, stripe_fake, parties)
    background.send("payments.pay_out")
    await background.settle()
    [payout] = (await earnings(client, photographer))["payouts"]["edges"]
    query = "query($id: ID!) { node(id: $id) { ... on Payout { status } } }"
    assert (await client.data(query, {"id": payout["node"]["id"]}, token=photographer.access_token))["node"]
    other = await sign_up(client, role="PHOTOGRAPHER")
    assert (await client.data(query, {"id": payout["node"]["id"]}, token=other.access_token))["node"] is None
    assert (await client.data(query, {"id": payout["node"]["id"]}, token=brand.access_token))["node"] is None
    assert (await earnings(client, other))["payouts"]["totalCount"] == 0
