"""Payments: Stripe (Checkout for license fees and marketplace purchases, Connect Express accounts and transfers
for payouts), or the explicit offline mode for development, where a local page stands in for Stripe's checkout.

Every call that creates something at Stripe carries an idempotency key derived from our own row, so a retry
(ours, or the library's after a network error) returns what the first attempt made instead of charging or
paying twice. When the mutation behind a call carries an ``Idempotency-Key`` (``request_key``: derived from it
and its caller), the call's key is derived from that and the call's purpose instead, so a client's retry of a
crashed mutation reaches Stripe as the same request again.
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
from stripe import RequestOptions
from stripe.params import SubscriptionUpdateParams
from stripe.params.checkout import SessionCreateParams

from lensgraph.domain.money import Money

# Stripe's own default: a signed event older than this is refused, so a captured delivery cannot be replayed later.
WEBHOOK_TOLERANCE_SECONDS = 300
# Retries of connection errors and 409/5xx answers; safe because every write carries an idempotency key.
NETWORK_RETRIES = 2
OFFLINE_CHECKOUT_LIFETIME = timedelta(hours=24)
OFFLINE_SUBSCRIPTION_PERIOD = timedelta(days=30)
# The Billing meter verification overage is reported to; its price (EUR 0.25 a unit) is set on the meter in Stripe.
VERIFICATION_OVERAGE_METER = "lensgraph_verification_overage"

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
class PaidItem:
    """What a checkout pays for, as its Stripe metadata names it: a ``license``, a marketplace ``purchase``, a
    studio's ``invoice`` or a gallery client's ``print_order``."""

    kind: str
    key: UUID


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


@dataclass(frozen=True)
class PlanCharge:
    """What a subscription bills monthly: one of our plans, its name and price."""

    plan_id: str
    name: str
    price: Money


@dataclass(frozen=True)
class BillingSubscription:
    """A Stripe Billing subscription as far as our plans go; ``plan_id`` and ``owner_key`` are our metadata."""

    id: str
    customer_id: str | None
    status: str
    plan_id: str | None
    owner_key: str | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    item_id: str | None

    @classmethod
    def from_stripe(cls, subscription: Mapping[str, Any]) -> BillingSubscription:
        items = (subscription.get("items") or {}).get("data") or [{}]
        # Since API version 2025-03-31 the period belongs to each item; before, to the subscription.
        period_end = items[0].get("current_period_end") or subscription.get("current_period_end")
        metadata = subscription.get("metadata") or {}
        customer = subscription.get("customer")
        return cls(
            id=subscription["id"],
            customer_id=customer if isinstance(customer, str) else (customer or {}).get("id"),
            status=str(subscription.get("status", "incomplete")),
            plan_id=metadata.get("plan_id"),
            owner_key=metadata.get("subscription_key"),
            current_period_end=datetime.fromtimestamp(int(period_end), UTC) if period_end else None,
            cancel_at_period_end=bool(subscription.get("cancel_at_period_end")),
            item_id=items[0].get("id"),
        )


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
        self,
        *,
        payment_id: UUID,
        item: PaidItem,
        price: Money,
        product: str,
        success_url: str,
        cancel_url: str,
        request_key: str | None = None,
    ) -> CheckoutSession: ...

    async def create_refund(
        self,
        *,
        payment_id: UUID,
        payment_intent: str,
        charged: Money,
        amount: Money,
        refunded_total: int,
        reason: str,
        request_key: str | None = None,
    ) -> dict[str, Any]:
        """Refunds ``amount`` of the charge of ``payment_intent``; answers the Charge as Stripe then holds it (what its
        ``charge.refunded`` event carries). ``refunded_total``: what is refunded in all once this one is."""
        ...

    async def create_account(self, *, user_id: UUID, email: str) -> ConnectedAccount: ...

    async def create_onboarding_link(self, *, account_id: str, refresh_url: str, return_url: str) -> str: ...

    async def retrieve_account(self, account_id: str) -> ConnectedAccount: ...

    async def create_transfer(self, *, payout_id: UUID, account_id: str, amount: Money) -> str: ...

    async def create_subscription_checkout(
        self,
        *,
        attempt: UUID,
        subscription_key: UUID,
        email: str,
        customer_id: str | None,
        charge: PlanCharge,
        success_url: str,
        cancel_url: str,
        request_key: str | None = None,
    ) -> CheckoutSession: ...

    async def retrieve_subscription(self, subscription_id: str) -> BillingSubscription: ...

    async def change_subscription_plan(
        self, subscription_id: str, charge: PlanCharge, *, request_key: str | None = None
    ) -> None: ...

    async def set_cancel_at_period_end(
        self, subscription_id: str, cancel: bool, *, request_key: str | None = None
    ) -> None: ...

    async def report_metered_usage(
        self, *, usage_id: UUID, customer_id: str | None, quantity: int, at: datetime
    ) -> str:
        """Reports ``quantity`` units of verification overage for a customer to Billing's meter; answers the meter
        event's identifier (``usage_id``: reporting twice counts once)."""
        ...

    def verify_event(self, payload: bytes, signature: str | None) -> ProviderEvent: ...

    async def aclose(self) -> None: ...


def create_payment_gateway(
    *, secret_key: str | None, webhook_secret: str | None, api_base: str | None, signing_key: bytes, public_url: str
) -> PaymentGateway:
    """Stripe when a secret key is configured; the offline development mode otherwise."""
    if secret_key is None:
        return OfflineGateway(signing_key, public_url)
    return StripeGateway(secret_key, webhook_secret, api_base)


def _idempotency(purpose: str, request_key: str | None, own_key: str | None = None) -> RequestOptions:
    """The options of one Stripe call: keyed by the mutation's Idempotency-Key and the call's purpose when the
    request carried one, else by ``own_key`` (derived from our row), else unkeyed."""
    key = f"{purpose}-{request_key}" if request_key else own_key
    return {"idempotency_key": key} if key else {}


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
        self._products: set[str] = set()

    async def create_checkout(
        self,
        *,
        payment_id: UUID,
        item: PaidItem,
        price: Money,
        product: str,
        success_url: str,
        cancel_url: str,
        request_key: str | None = None,
    ) -> CheckoutSession:
        metadata = {"payment_id": str(payment_id), f"{item.kind}_id": str(item.key)}
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
                    "client_reference_id": str(item.key),
                    "metadata": metadata,
                    "payment_intent_data": {"metadata": metadata},
                    "success_url": success_url,
                    "cancel_url": cancel_url,
                },
                _idempotency("checkout", request_key, str(payment_id)),
            )
        )
        if not session.url:
            raise PaymentRefused("Stripe answered a checkout session without a URL.")
        return CheckoutSession(session.id, session.url, datetime.fromtimestamp(session.expires_at, UTC))

    async def create_refund(
        self,
        *,
        payment_id: UUID,
        payment_intent: str,
        charged: Money,
        amount: Money,
        refunded_total: int,
        reason: str,
        request_key: str | None = None,
    ) -> dict[str, Any]:
        refund = await _refusals(
            self._client.v1.refunds.create_async(
                {
                    "payment_intent": payment_intent,
                    "amount": amount.amount,
                    "reason": "requested_by_customer",
                    "metadata": {"payment_id": str(payment_id), "reason": reason[:500]},
                    # The charge as it is after this refund, in the same answer.
                    "expand": ["charge"],
                },
                # One refund per amount reserved: a retry of this call refunds once.
                _idempotency("refund", request_key, f"refund-{payment_id}-{refunded_total}"),
            )
        )
        charge = refund.to_dict().get("charge")
        if isinstance(charge, dict):
            return charge
        if not isinstance(charge, str):
            raise PaymentRefused("Stripe answered a refund without its charge.")
        return (await _refusals(self._client.v1.charges.retrieve_async(charge))).to_dict()

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

    async def _product(self, charge: PlanCharge) -> str:
        """The Stripe product of a plan, made on first use under our own id: prices refer to it, invoices name it."""
        product_id = f"lensgraph_{charge.plan_id}".replace("-", "_")
        if product_id not in self._products:
            try:
                await self._client.v1.products.retrieve_async(product_id)
            except stripe.InvalidRequestError:
                await _refusals(
                    self._client.v1.products.create_async(
                        {"id": product_id, "name": f"Lensgraph {charge.name}"},
                        {"idempotency_key": f"product-{product_id}"},
                    )
                )
            self._products.add(product_id)
        return product_id

    async def _monthly_price(self, charge: PlanCharge) -> Any:
        """The ``price_data`` of a plan: checkout line items and subscription items take the same shape, which
        Stripe types as two unrelated TypedDicts."""
        return {
            "currency": charge.price.currency.value.lower(),
            "unit_amount": charge.price.amount,
            "recurring": {"interval": "month"},
            "product": await self._product(charge),
        }

    async def create_subscription_checkout(
        self,
        *,
        attempt: UUID,
        subscription_key: UUID,
        email: str,
        customer_id: str | None,
        charge: PlanCharge,
        success_url: str,
        cancel_url: str,
        request_key: str | None = None,
    ) -> CheckoutSession:
        metadata = {"plan_id": charge.plan_id, "subscription_key": str(subscription_key)}
        params: SessionCreateParams = {
            "mode": "subscription",
            "line_items": [{"quantity": 1, "price_data": await self._monthly_price(charge)}],
            "client_reference_id": str(subscription_key),
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if customer_id:
            params["customer"] = customer_id
        else:
            params["customer_email"] = email
        session = await _refusals(
            self._client.v1.checkout.sessions.create_async(
                params, _idempotency("subscription-checkout", request_key, f"subscription-checkout-{attempt}")
            )
        )
        if not session.url:
            raise PaymentRefused("Stripe answered a checkout session without a URL.")
        return CheckoutSession(session.id, session.url, datetime.fromtimestamp(session.expires_at, UTC))

    async def retrieve_subscription(self, subscription_id: str) -> BillingSubscription:
        subscription = await _refusals(self._client.v1.subscriptions.retrieve_async(subscription_id))
        return BillingSubscription.from_stripe(subscription.to_dict())

    async def change_subscription_plan(
        self, subscription_id: str, charge: PlanCharge, *, request_key: str | None = None
    ) -> None:
        """Swaps the plan at once, prorated: the upgrade is billed for the rest of the period, a downgrade credited."""
        subscription = await self.retrieve_subscription(subscription_id)
        if subscription.item_id is None:
            raise PaymentRefused("This subscription has no item to change.")
        changes: SubscriptionUpdateParams = {
            "items": [{"id": subscription.item_id, "price_data": await self._monthly_price(charge)}],
            "metadata": {"plan_id": charge.plan_id},
            "proration_behavior": "create_prorations",
            "cancel_at_period_end": False,
        }
        await _refusals(
            self._client.v1.subscriptions.update_async(
                subscription.id, changes, _idempotency("change-plan", request_key)
            )
        )

    async def set_cancel_at_period_end(
        self, subscription_id: str, cancel: bool, *, request_key: str | None = None
    ) -> None:
        await _refusals(
            self._client.v1.subscriptions.update_async(
                subscription_id, {"cancel_at_period_end": cancel}, _idempotency("cancellation", request_key)
            )
        )

    async def report_metered_usage(
        self, *, usage_id: UUID, customer_id: str | None, quantity: int, at: datetime
    ) -> str:
        """A Billing meter event on VERIFICATION_OVERAGE_METER; the price per unit is the meter's price in Stripe."""
        if customer_id is None:
            raise PaymentRefused("This account has no Stripe customer to bill overage to.")
        event = await _refusals(
            self._client.v1.billing.meter_events.create_async(
                {
                    "event_name": VERIFICATION_OVERAGE_METER,
                    "payload": {"stripe_customer_id": customer_id, "value": str(quantity)},
                    "identifier": str(usage_id),
                    "timestamp": int(at.timestamp()),
                },
                {"idempotency_key": f"meter-{usage_id}"},
            )
        )
        return str(event.identifier)

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
        self,
        *,
        payment_id: UUID,
        item: PaidItem,
        price: Money,
        product: str,
        success_url: str,
        cancel_url: str,
        request_key: str | None = None,
    ) -> CheckoutSession:
        expires_at = datetime.now(UTC) + OFFLINE_CHECKOUT_LIFETIME
        return CheckoutSession(f"cs_offline_{payment_id.hex}", self.confirm_url(payment_id), expires_at)

    async def create_refund(
        self,
        *,
        payment_id: UUID,
        payment_intent: str,
        charged: Money,
        amount: Money,
        refunded_total: int,
        reason: str,
        request_key: str | None = None,
    ) -> dict[str, Any]:
        """No money moves: the charge as Stripe would hold it after the refund, for ``charge.refunded`` to carry."""
        return {
            "id": f"ch_offline_{payment_id.hex}",
            "object": "charge",
            "amount": charged.amount,
            "amount_captured": charged.amount,
            "amount_refunded": refunded_total,
            "currency": charged.currency.value.lower(),
            "payment_intent": payment_intent,
            "paid": True,
            "refunded": refunded_total == charged.amount,
            "status": "succeeded",
        }

    async def create_account(self, *, user_id: UUID, email: str) -> ConnectedAccount:
        return ConnectedAccount(f"acct_offline_{user_id.hex}", True, True, True, str(user_id))

    async def create_onboarding_link(self, *, account_id: str, refresh_url: str, return_url: str) -> str:
        return f"{self._public_url}/payments/offline/onboarding"

    async def retrieve_account(self, account_id: str) -> ConnectedAccount:
        return ConnectedAccount(account_id, True, True, True)

    async def create_transfer(self, *, payout_id: UUID, account_id: str, amount: Money) -> str:
        return f"tr_offline_{payout_id.hex}"

    def subscription_confirm_url(self, subscription_key: UUID) -> str:
        token = self._token(subscription_key)
        return f"{self._public_url}/payments/offline/subscriptions/{subscription_key}?token={token}"

    async def create_subscription_checkout(
        self,
        *,
        attempt: UUID,
        subscription_key: UUID,
        email: str,
        customer_id: str | None,
        charge: PlanCharge,
        success_url: str,
        cancel_url: str,
        request_key: str | None = None,
    ) -> CheckoutSession:
        expires_at = datetime.now(UTC) + OFFLINE_CHECKOUT_LIFETIME
        return CheckoutSession(f"cs_offline_{attempt.hex}", self.subscription_confirm_url(subscription_key), expires_at)

    def subscription_started(self, subscription_key: UUID, plan_id: str, now: datetime) -> BillingSubscription:
        """What Stripe would hold once the offline checkout is confirmed: a month paid for, renewed by nobody."""
        return BillingSubscription(
            id=f"sub_offline_{subscription_key.hex}",
            customer_id=f"cus_offline_{subscription_key.hex}",
            status="active",
            plan_id=plan_id,
            owner_key=str(subscription_key),
            current_period_end=now + OFFLINE_SUBSCRIPTION_PERIOD,
            cancel_at_period_end=False,
            item_id=f"si_offline_{subscription_key.hex}",
        )

    async def retrieve_subscription(self, subscription_id: str) -> BillingSubscription:
        raise PaymentRefused("The offline payment mode keeps no subscriptions of its own.")

    async def change_subscription_plan(
        self, subscription_id: str, charge: PlanCharge, *, request_key: str | None = None
    ) -> None:
        return None

    async def set_cancel_at_period_end(
        self, subscription_id: str, cancel: bool, *, request_key: str | None = None
    ) -> None:
        return None

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
                # Named as Stripe names the charge's intent, so that a refund finds the payment by it as by Stripe's.
                "payment_intent": f"pi_offline_{checkout_session_id.removeprefix('cs_offline_')}",
            },
        )

    async def report_metered_usage(
        self, *, usage_id: UUID, customer_id: str | None, quantity: int, at: datetime
    ) -> str:
        """Recorded, not billed: the usage row keeps this offline id and the time, as if Stripe had taken it."""
        return f"mtr_offline_{usage_id.hex}"

    def verify_event(self, payload: bytes, signature: str | None) -> ProviderEvent:
        raise SignatureInvalid("Stripe is not configured: this server runs in the offline payment mode.")

    async def aclose(self) -> None:
        return None
