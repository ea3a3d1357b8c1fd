"""Payments: Stripe (Checkout for license fees, Connect Express accounts and transfers for payouts), or the
explicit offline mode for development, where a local page stands in for Stripe's checkout.

Every call that creates something at Stripe carries an idempotency key derived from our own row, so a retry
(ours, or the library's after a network error) returns what the first attempt made instead of charging or
paying twice.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar
from uuid import UUID

import stripe

from lensgraph.domain.money import Money

# Stripe's own default: a signed event older than this is refused, so a captured delivery cannot be replayed later.
WEBHOOK_TOLERANCE_SECONDS = 300
# Retries of connection errors and 409/5xx answers; safe because every write carries an idempotency key.
NETWORK_RETRIES = 2
OFFLINE_CHECKOUT_LIFETIME = timedelta(hours=24)

OFFLINE_BANNER = (
    "PAYMENTS ARE OFFLINE (DEVELOPMENT ONLY): LENSGRAPH_STRIPE_SECRET_KEY is not set, so checkouts are confirmed "
    "on a local page without any money moving, and payouts are simulated. Never run this way in production."
)

T = TypeVar("T")


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class ConnectedAccount:
    """A photographer's Stripe Express account, as far as paying them goes."""

    id: str
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    # Ours, set in the account's metadata at creation: who it belongs to, even before we stored it.
    user_id: str | None = None

    @classmethod
    def from_stripe(cls, account: Mapping[str, Any]) -> ConnectedAccount:
        return cls(
            id=account["id"],
            charges_enabled=bool(account.get("charges_enabled")),
            payouts_enabled=bool(account.get("payouts_enabled")),
            details_submitted=bool(account.get("details_submitted")),
            user_id=(account.get("metadata") or {}).get("user_id"),
        )


@dataclass(frozen=True)
class ProviderEvent:
    """A verified event: its id (the key of idempotent processing), its type, and the object it is about."""

    id: str
    type: str
    object: dict[str, Any]


class PaymentRefused(Exception):
    """Stripe refused the request for good (invalid, not permitted, declined): the same request will fail again.

    Network errors, rate limits and Stripe outages are not this: they propagate, and the caller's retry (with
    the same idempotency key) is safe.
    """


class SignatureInvalid(Exception):
    """An incoming event whose Stripe-Signature does not verify: nothing of it may be trusted."""


class PaymentGateway(Protocol):
    offline: bool

    async def create_checkout(
        self, *, payment_id: UUID, license_id: UUID, price: Money, product: str, success_url: str, cancel_url: str
    ) -> CheckoutSession: ...

    async def create_account(self, *, user_id: UUID, email: str) -> ConnectedAccount: ...

    async def create_onboarding_link(self, *, account_id: str, refresh_url: str, return_url: str) -> str: ...

    async def retrieve_account(self, account_id: str) -> ConnectedAccount: ...

    async def create_transfer(self, *, payout_id: UUID, account_id: str, amount: Money) -> str: ...

    def verify_event(self, payload: bytes, signature: str | None) -> ProviderEvent: ...

    async def aclose(self) -> None: ...


def create_payment_gateway(
    *, secret_key: str | None, webhook_secret: str | None, api_base: str | None, signing_key: bytes, public_url: str
) -> PaymentGateway:
    """Stripe when a secret key is configured; the offline development mode otherwise."""
    if secret_key is None:
        return OfflineGateway(signing_key, public_url)
    return StripeGateway(secret_key, webhook_secret, api_base)


async def _refusals(call: Awaitable[T]) -> T:
    try:
        return await call
    except (stripe.InvalidRequestError, stripe.CardError, stripe.PermissionError) as error:
        raise PaymentRefused(error.user_message or "Stripe refused the request.") from error


class StripeGateway:
    offline = False

    def __init__(self, secret_key: str, webhook_secret: str | None, api_base: str | None) -> None:
        # The library's own async transport (httpx): no thread per call, closed with the gateway.
        self._http = stripe.HTTPXClient()
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=self._http,
            max_network_retries=NETWORK_RETRIES,
        )
        # One per Stripe webhook endpoint: the platform's own events and its connected accounts' come signed apart.
        self._webhook_secrets = [secret.strip() for secret in (webhook_secret or "").split(",") if secret.strip()]

    async def create_checkout(
        self, *, payment_id: UUID, license_id: UUID, price: Money, product: str, success_url: str, cancel_url: str
    ) -> CheckoutSession:
        metadata = {"payment_id": str(payment_id), "license_id": str(license_id)}
        session = await _refusals(
            self._client.v1.checkout.sessions.create_async(
                {
                    "mode": "payment",
                    "line_items": [
                        {
                            "quantity": 1,
                            "price_data": {
                                "currency": price.currency.value.lower(),
                                # Minor units, as Stripe counts them too (whole yen for JPY).
                                "unit_amount": price.amount,
                                "product_data": {"name": product},
                            },
                        }
                    ],
                    "client_reference_id": str(license_id),
                    "metadata": metadata,
                    "payment_intent_data": {"metadata": metadata},
                    "success_url": success_url,
                    "cancel_url": cancel_url,
                },
                {"idempotency_key": str(payment_id)},
            )
        )
        if not session.url:
            raise PaymentRefused("Stripe answered a checkout session without a URL.")
        return CheckoutSession(session.id, session.url, datetime.fromtimestamp(session.expires_at, UTC))

    async def create_account(self, *, user_id: UUID, email: str) -> ConnectedAccount:
        account = await _refusals(
            self._client.v1.accounts.create_async(
                {
                    "type": "express",
                    "email": email,
                    "capabilities": {"transfers": {"requested": True}},
                    "metadata": {"user_id": str(user_id)},
                },
                # One account per person, however often onboarding is started or retried.
                {"idempotency_key": f"payout-account-{user_id}"},
            )
        )
        return ConnectedAccount.from_stripe(account.to_dict())

    async def create_onboarding_link(self, *, account_id: str, refresh_url: str, return_url: str) -> str:
        link = await _refusals(
            self._client.v1.account_links.create_async(
                {
                    "account": account_id,
                    "refresh_url": refresh_url,
                    "return_url": return_url,
                    "type": "account_onboarding",
                }
            )
        )
        return str(link.url)

    async def retrieve_account(self, account_id: str) -> ConnectedAccount:
        account = await _refusals(self._client.v1.accounts.retrieve_async(account_id))
        return ConnectedAccount.from_stripe(account.to_dict())

    async def create_transfer(self, *, payout_id: UUID, account_id: str, amount: Money) -> str:
        transfer = await _refusals(
            self._client.v1.transfers.create_async(
                {
                    "amount": amount.amount,
                    "currency": amount.currency.value.lower(),
                    "destination": account_id,
                    "transfer_group": f"payout-{payout_id}",
                    "metadata": {"payout_id": str(payout_id)},
                },
                {"idempotency_key": str(payout_id)},
            )
        )
        return str(transfer.id)

    def verify_event(self, payload: bytes, signature: str | None) -> ProviderEvent:
        refusal = "LENSGRAPH_STRIPE_WEBHOOK_SECRET is not set"
        for secret in self._webhook_secrets:
            try:
                event = self._client.construct_event(payload, signature, secret, WEBHOOK_TOLERANCE_SECONDS)
            except (stripe.SignatureVerificationError, ValueError) as error:
                refusal = str(error)
                continue
            data = event.to_dict()
            return ProviderEvent(id=data["id"], type=data["type"], object=data["data"]["object"])
        raise SignatureInvalid(refusal)

    async def aclose(self) -> None:
        await self._http.close_async()


class OfflineGateway:
    """Development only: the checkout is a local page whose button confirms the payment; accounts are ready at once
    and transfers succeed without moving money. Every id says ``offline`` so none is mistaken for Stripe's."""

    offline = True

    def __init__(self, signing_key: bytes, public_url: str) -> None:
        self._key = hashlib.sha256(b"offline-payments:" + signing_key).digest()
        self._public_url = public_url.rstrip("/")

    def _token(self, payment_id: UUID) -> str:
        return hmac.new(self._key, str(payment_id).encode(), hashlib.sha256).hexdigest()

    def token_valid(self, payment_id: UUID, token: str) -> bool:
        """Whether ``token`` is the one in this payment's confirm URL: only its checkout link opens the page."""
        return hmac.compare_digest(self._token(payment_id), token)

    def confirm_url(self, payment_id: UUID) -> str:
        return f"{self._public_url}/payments/offline/{payment_id}?token={self._token(payment_id)}"

    async def create_checkout(
        self, *, payment_id: UUID, license_id: UUID, price: Money, product: str, success_url: str, cancel_url: str
    ) -> CheckoutSession:
        expires_at = datetime.now(UTC) + OFFLINE_CHECKOUT_LIFETIME
        return CheckoutSession(f"cs_offline_{payment_id.hex}", self.confirm_url(payment_id), expires_at)

    async def create_account(self, *, user_id: UUID, email: str) -> ConnectedAccount:
        return ConnectedAccount(f"acct_offline_{user_id.hex}", True, True, True, str(user_id))

    async def create_onboarding_link(self, *, account_id: str, refresh_url: str, return_url: str) -> str:
        return f"{self._public_url}/payments/offline/onboarding"

    async def retrieve_account(self, account_id: str) -> ConnectedAccount:
        return ConnectedAccount(account_id, True, True, True)

    async def create_transfer(self, *, payout_id: UUID, account_id: str, amount: Money) -> str:
        return f"tr_offline_{payout_id.hex}"

    def checkout_completed(self, checkout_session_id: str, price: Money) -> ProviderEvent:
        """What Stripe would send once the checkout is paid; its id is the session's, so confirming twice is a
        replay of one event."""
        return ProviderEvent(
            id=f"evt_{checkout_session_id}",
            type="checkout.session.completed",
            object={
                "id": checkout_session_id,
                "object": "checkout.session",
                "mode": "payment",
                "status": "complete",
                "payment_status": "paid",
                "amount_total": price.amount,
                "currency": price.currency.value.lower(),
                "payment_intent": None,
            },
        )

    def verify_event(self, payload: bytes, signature: str | None) -> ProviderEvent:
        raise SignatureInvalid("Stripe is not configured: this server runs in the offline payment mode.")

    async def aclose(self) -> None:
        return None
