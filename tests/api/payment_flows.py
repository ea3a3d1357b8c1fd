"""Payment and payout steps for API tests: each through the GraphQL API or /hooks/stripe, as a client or Stripe
would take it; plus bulk paid licenses written straight to the database for the statement-count tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from lensgraph.domain.licensing import Exclusivity, LicenseStatus, Usage
from lensgraph.domain.money import Currency
from lensgraph.domain.payments import PaymentStatus
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import License, Payment
from tests.api.factories import ready_photos, user_key
from tests.api.helpers import Account
from tests.api.test_licensing import ACCEPT, SIGN, answer, offer
from tests.fakes.stripe import StripeFake

CHECKOUT = """mutation($input: CreateLicenseCheckoutInput!) { createLicenseCheckout(input: $input) {
  checkoutUrl payment { id status paidAt amount { amount currency formatted } license { id status } }
  userErrors { field code message } } }"""
LICENSE = """query($id: ID!) { node(id: $id) { ... on License {
  status startsAt endsAt originalDownloadUrl photo { id originalUrl } } } }"""
PAYMENT = """query($id: ID!) { node(id: $id) { ... on Payment { status paidAt amount { amount } license { id } } } }"""
PAYMENTS = """{ viewer { payments { totalCount edges { node { id status amount { amount } } } } } }"""
ONBOARD = """mutation { startPayoutOnboarding {
  url payoutAccount { status payoutsEnabled } userErrors { field code message } } }"""
EARNINGS = """{ viewer {
  payoutAccount { status chargesEnabled payoutsEnabled detailsSubmitted }
  payouts { totalCount edges { node { id status failureReason paidAt amount { amount currency } } } }
  payoutStats { currency total { amount } pending { amount } paid { amount }
    byMonth { month amount { amount } } } } }"""
NOTIFICATIONS = "{ viewer { notifications { edges { node { eventType data } } } } }"


async def signed_license(client, brand: Account, photographer: Account, photo_id: str, **changes: Any) -> str:
    """Offer, accept, both sign: a license AWAITING_PAYMENT (250.00 EUR unless ``changes`` say otherwise)."""
    license_id: str = (await offer(client, brand, photo_id, **changes))["license"]["id"]
    contract_id = (await answer(client, ACCEPT, photographer, licenseId=license_id))["contract"]["id"]
    await answer(client, SIGN, brand, contractId=contract_id, signatureName="Jane Brand")
    signed = await answer(client, SIGN, photographer, contractId=contract_id, signatureName="Ann Photographer")
    assert signed["contract"]["license"]["status"] == "AWAITING_PAYMENT"
    return license_id


async def checkout(client, account: Account, license_id: str) -> dict[str, Any]:
    return await answer(client, CHECKOUT, account, licenseId=license_id)


def session_id(checkout_url: str) -> str:
    """The Checkout Session id in a Stripe checkout URL."""
    return checkout_url.split("/pay/")[1].split("#")[0]


async def deliver(client, stripe_fake: StripeFake, event: dict[str, Any], **signing: Any):
    """POSTs a webhook event to /hooks/stripe, signed as Stripe signs it (``signing``: another secret or time)."""
    payload, signature = stripe_fake.signed(event, **signing)
    return await client.http.post(
        "/hooks/stripe", content=payload, headers={"Stripe-Signature": signature, "Content-Type": "application/json"}
    )


async def pay(client, stripe_fake: StripeFake, brand: Account, license_id: str) -> dict[str, Any]:
    """Checkout, then Stripe's word that it was paid; answers the checkout."""
    opened = await checkout(client, brand, license_id)
    paid = stripe_fake.checkout_paid(session_id(opened["checkoutUrl"]))
    response = await deliver(client, stripe_fake, stripe_fake.event("checkout.session.completed", paid))
    assert response.status_code == 200, response.text
    return opened


async def onboard(client, stripe_fake: StripeFake, photographer: Account) -> str:
    """Onboarding through Stripe, finished, and Stripe's account.updated saying so: answers the account id."""
    started = (await client.data(ONBOARD, token=photographer.access_token))["startPayoutOnboarding"]
    assert started["userErrors"] == [] and started["payoutAccount"]["status"] == "PENDING"
    [account_id] = [account["id"] for account in stripe_fake.accounts.values()]
    updated = stripe_fake.event("account.updated", stripe_fake.complete_onboarding(account_id))
    assert (await deliver(client, stripe_fake, updated)).status_code == 200
    return account_id


async def earnings(client, account: Account) -> dict[str, Any]:
    """The viewer's payout account, payouts and payout stats."""
    viewer: dict[str, Any] = (await client.data(EARNINGS, token=account.access_token))["viewer"]
    return viewer


async def event_types(client, account: Account) -> list[str]:
    data = await client.data(NOTIFICATIONS, token=account.access_token)
    return [edge["node"]["eventType"] for edge in data["viewer"]["notifications"]["edges"]]


def active_license(photo_id: UUID, brand: Account, photographer: Account, now: datetime) -> License:
    """An ACTIVE editorial license row of the photo for the brand (EUR 100.00), for tests to write directly."""
    return License(
        photo_id=photo_id,
        brand_id=user_key(brand),
        photographer_id=user_key(photographer),
        status=LicenseStatus.ACTIVE,
        expires_at=now,
        usage=Usage.EDITORIAL,
        media=["WEB"],
        territories=[],
        duration_days=None,
        exclusivity=Exclusivity.NONE,
        price_amount=10_000,
        price_currency=Currency.EUR,
        starts_at=now,
    )


async def paid_licenses(services, brand: Account, photographer: Account, count: int) -> None:
    """``count`` ACTIVE licenses on new photos, each with its succeeded payment, written straight to the database."""
    now = utcnow()
    photos = await ready_photos(services, photographer, count)
    async with services.db.unit_of_work() as uow:
        for index, photo_id in enumerate(photos):
            license_row = active_license(photo_id, brand, photographer, now)
            uow.session.add(license_row)
            await uow.session.flush()
            uow.session.add(
                Payment(
                    license_id=license_row.id,
                    brand_id=user_key(brand),
                    amount=10_000,
                    currency=Currency.EUR,
                    status=PaymentStatus.SUCCEEDED,
                    stripe_checkout_session_id=f"cs_test_bulk_{license_row.id.hex}",
                    checkout_url="https://checkout.stripe.com/c/pay/bulk",
                    checkout_expires_at=now,
                    created_at=now + timedelta(seconds=index),
                    paid_at=now + timedelta(seconds=index),
                )
            )
