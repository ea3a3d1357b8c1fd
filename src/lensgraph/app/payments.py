"""Payments over plain HTTP: Stripe's webhook, the offline mode's checkout page, where Stripe sends people back.

``/hooks/stripe`` answers 401 to anything whose ``Stripe-Signature`` does not verify (nothing is read from it),
200 to every verified event (processed once; replays, unknown types and objects not ours change nothing), and
500 only when processing failed, rolled back, so Stripe delivers the event again.
"""

from __future__ import annotations

import html
import logging
from uuid import UUID

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from lensgraph.adapters.bodies import BodyTooLarge, read_body
from lensgraph.adapters.payments import OFFLINE_BANNER, OfflineGateway, SignatureInvalid
from lensgraph.app.pages import page
from lensgraph.app.services import Services
from lensgraph.config import Settings
from lensgraph.domain.money import Money
from lensgraph.domain.payments import PaymentStatus
from lensgraph.domain.plans import SubscriptionStatus, plan_by_id
from lensgraph.resolvers import payments, plans

log = logging.getLogger(__name__)

# Stripe's events are a few kilobytes; anything this large is not one.
MAX_EVENT_BYTES = 512 * 1024

RETURN_MESSAGES = {
    "paid": "Thank you: your payment is being confirmed. The license turns ACTIVE within moments.",
    "subscribed": "Thank you: your subscription is being confirmed. Its plan applies within moments.",
    "cancelled": "The checkout was cancelled; nothing was charged. You can start it again.",
    "onboarding-done": "Thank you: Stripe is checking your details. Payouts start once your account is ACTIVE.",
    "onboarding-expired": "This onboarding link has expired: ask for a new one with startPayoutOnboarding.",
}


def log_payment_mode(settings: Settings) -> None:
    """At start-up: the offline mode must never go unnoticed, nor a Stripe set-up that cannot hear back."""
    if settings.stripe_secret_key is None:
        log.warning("\n%s\n%s\n%s", "*" * 100, OFFLINE_BANNER, "*" * 100)
    elif settings.stripe_webhook_secret is None:
        log.warning("LENSGRAPH_STRIPE_WEBHOOK_SECRET is not set: /hooks/stripe refuses every event, nothing gets paid")


def payment_routes(services: Services) -> list[Route]:
    async def stripe_hook(request: Request) -> Response:
        try:
            payload = await read_body(request, MAX_EVENT_BYTES)
        except BodyTooLarge:
            return JSONResponse({"error": "too large"}, status_code=413)
        try:
            event = services.payments.verify_event(payload, request.headers.get("stripe-signature"))
        except SignatureInvalid as invalid:
            log.warning("refused a Stripe event: %s", invalid)
            return JSONResponse({"error": "invalid signature"}, status_code=401)
        applied = await payments.process_event(services, event)
        return JSONResponse({"received": True, "replay": not applied})

    async def return_page(request: Request) -> Response:
        message = RETURN_MESSAGES.get(request.query_params.get("result", ""), "You can close this page.")
        return page("Lensgraph", f"<p>{html.escape(message)}</p>")

    routes = [
        Route("/hooks/stripe", stripe_hook, methods=["POST"]),
        Route("/payments/return", return_page, methods=["GET"]),
    ]
    if isinstance(services.payments, OfflineGateway):
        routes += _offline_routes(services, services.payments)
    return routes


def _offline_routes(services: Services, gateway: OfflineGateway) -> list[Route]:
    """Only mounted in the offline mode: with Stripe configured, no local page can confirm a payment."""

    async def checkout_page(request: Request) -> Response:
        payment_id: UUID = request.path_params["payment_id"]
        token = request.query_params.get("token", "")
        if not gateway.token_valid(payment_id, token):
            return page("Not found", "<p>This checkout link is not valid.</p>", status_code=404)
        payment = await payments.find_payment(services, payment_id)
        if payment is None:
            return page("Not found", "<p>This checkout link is not valid.</p>", status_code=404)
        if request.method == "POST":
            await payments.confirm_offline_payment(services, payment_id)
            return RedirectResponse(services.settings.payment_return_url("paid"), 303)
        price = html.escape(Money(payment.amount, payment.currency).formatted())
        if payment.status is PaymentStatus.PENDING:
            body = f"<p>Payment of <strong>{price}</strong>.</p>" + _confirm_form(
                gateway.confirm_url(payment_id), "Confirm the payment"
            )
        else:
            body = f"<p>This payment of <strong>{price}</strong> is {payment.status.value.lower()}.</p>"
        return _development_page("Offline checkout", body)

    async def subscription_page(request: Request) -> Response:
        key: UUID = request.path_params["subscription_key"]
        subscription = await plans.find_subscription(services, key)
        if subscription is None or not gateway.token_valid(key, request.query_params.get("token", "")):
            return page("Not found", "<p>This checkout link is not valid.</p>", status_code=404)
        if request.method == "POST":
            await plans.confirm_offline_subscription(services, key)
            return RedirectResponse(services.settings.payment_return_url("subscribed"), 303)
        plan = plan_by_id(subscription.plan_id)
        price = html.escape(plan.monthly_price.formatted() if plan.monthly_price else "free")
        if subscription.status is SubscriptionStatus.INCOMPLETE and subscription.checkout_url:
            body = (
                f"<p>Subscription to <strong>{html.escape(plan.name)}</strong> at <strong>{price}</strong> a month.</p>"
            )
            body += _confirm_form(gateway.subscription_confirm_url(key), "Confirm the subscription")
        else:
            body = f"<p>This subscription is {subscription.status.value.lower()}.</p>"
        return _development_page("Offline subscription", body)

    async def onboarding_page(_request: Request) -> Response:
        return _development_page(
            "Offline payouts", "<p>Your payout account is ACTIVE. Payouts are simulated: no money is sent.</p>"
        )

    return [
        Route("/payments/offline/onboarding", onboarding_page, methods=["GET"]),
        Route("/payments/offline/subscriptions/{subscription_key:uuid}", subscription_page, methods=["GET", "POST"]),
        Route("/payments/offline/{payment_id:uuid}", checkout_page, methods=["GET", "POST"]),
    ]


def _confirm_form(action: str, label: str) -> str:
    """The button that stands in for paying at Stripe: it posts back to the page's own signed URL."""
    return (
        f'<form method="post" action="{html.escape(action)}"><button type="submit">{html.escape(label)}</button></form>'
    )


def _development_page(title: str, body: str) -> HTMLResponse:
    warning = (
        '<h1 style="font-size:4em;color:#b00020">DEVELOPMENT</h1>'
        "<p><strong>Offline payment mode: no money moves. Never use this server for real payments.</strong></p>"
    )
    return page(title, warning + body)
