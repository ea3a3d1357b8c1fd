"""Job functions, registered as actors named ``<area>.<verb>``: ids only, own session, idempotent."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import orjson

from lensgraph.adapters import webhook_http
from lensgraph.adapters.mail import Mail
from lensgraph.adapters.outbound_http import OutboundHttp
from lensgraph.domain import webhooks as rules
from lensgraph.domain.events import WebhookEndpointDisabled
from lensgraph.domain.verification import MAX_ATTEMPTS
from lensgraph.jobs.accounts import send_account_link
from lensgraph.jobs.compliance import build_export, delete_due_accounts
from lensgraph.jobs.documents import mail_document_link
from lensgraph.jobs.embeddings import embed_photo
from lensgraph.jobs.galleries import expire_galleries, watermark_gallery
from lensgraph.jobs.idempotency import purge_expired_keys
from lensgraph.jobs.invoices import mail_invoice_link, mark_overdue_invoices
from lensgraph.jobs.licensing import expire_offers
from lensgraph.jobs.matching import score_brand, score_photo
from lensgraph.jobs.payments import pay_out
from lensgraph.jobs.photos import analyze_photo, resume_analyses
from lensgraph.jobs.push import actor_options as push_actor_options
from lensgraph.jobs.push import enqueue_lost_pushes, push_notification
from lensgraph.jobs.relay import public_body
from lensgraph.jobs.services import current_services
from lensgraph.jobs.ugc import MAX_FETCH_ATTEMPTS, fetch_content, mail_rights_request
from lensgraph.jobs.verification import (
    ATTEMPT_TIME_LIMIT,
    analyse_verification,
    report_due_overage,
    report_overage,
    sweep,
)
from lensgraph.jobs.verification import resume_analyses as resume_verifications
from lensgraph.jobs.verification_renditions import make_renditions
from lensgraph.jobs.verification_sharing import mail_invite
from lensgraph.persistence import accounts as account_queries
from lensgraph.persistence import notifications as notification_queries
from lensgraph.persistence import webhooks as webhook_queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import UnitOfWork
from lensgraph.persistence.enums import DeliveryStatus
from lensgraph.persistence.models import Notification, User, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

# Kept a while after expiry so that reuse of an expired refresh token is still recognised as reuse.
REFRESH_TOKEN_GRACE = timedelta(days=7)
# Longer than one request can take (10 s timeout), so no two workers attempt the same delivery at once.
DELIVERY_LEASE = timedelta(seconds=60)


async def purge_expired_tokens() -> None:
    """Deletes spent or expired one-time tokens and long-expired refresh tokens."""
    async with current_services().database.unit_of_work() as uow:
        await account_queries.purge_expired_tokens(uow.session, utcnow(), REFRESH_TOKEN_GRACE)


async def enqueue_due_deliveries() -> None:
    """Sends every delivery whose next attempt is due: first tries lost in a crash, and retries."""
    async with current_services().database.session() as session:
        due = await webhook_queries.due_deliveries(session, utcnow(), limit=500)
    for delivery_id in due:
        current_services().queue.send("webhooks.deliver", str(delivery_id))


async def deliver_webhook(delivery_id: str) -> None:
    """One attempt, signed the Standard Webhooks way; failures are scheduled again by ``next_attempt``."""
    db = current_services().database
    key = uuid.UUID(delivery_id)
    async with db.unit_of_work() as uow:
        if not await webhook_queries.lease_delivery(uow.session, key, utcnow(), DELIVERY_LEASE):
            return
    async with db.session() as session:
        delivery = await session.get(WebhookDelivery, key)
        endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id) if delivery else None
    if delivery is None or endpoint is None:
        return
    if not endpoint.enabled:
        await _finish(delivery.id, status=DeliveryStatus.FAILED, error="endpoint is disabled")
        return
    body = orjson.dumps(public_body(delivery.body))
    timestamp = int(time.time())
    signing_secrets = rules.signing_secrets(
        endpoint.secret, endpoint.previous_secret, endpoint.previous_secret_expires_at, utcnow()
    )
    headers = {
        "webhook-id": str(delivery.event_id),
        "webhook-timestamp": str(timestamp),
        "webhook-signature": rules.signature_header(signing_secrets, str(delivery.event_id), timestamp, body),
    }
    settings = current_services().settings
    outbound = OutboundHttp(
        allow_private=settings.outbound_allow_private, timeout_seconds=settings.webhooks_timeout_seconds
    )
    try:
        attempt = await webhook_http.post(outbound, endpoint.url, body, headers)
    except webhook_http.AddressNotAllowed as refused:
        await _finish(delivery.id, status=DeliveryStatus.FAILED, error=str(refused), count_attempt=True)
        return
    await _record(delivery, endpoint, attempt)


async def _record(delivery: WebhookDelivery, endpoint: WebhookEndpoint, attempt: webhook_http.Attempt) -> None:
    """Logs the attempt; schedules a retry, or disables the endpoint when it failed for days or is gone."""
    now = utcnow()
    attempts = delivery.attempt_count + 1
    result = rules.outcome(attempt.status)
    async with current_services().database.unit_of_work() as uow:
        stored_endpoint = await uow.session.get(WebhookEndpoint, endpoint.id, with_for_update=True)
        values: dict[str, Any] = {
            "attempt_count": attempts,
            "response_status": attempt.status,
            "latency_ms": attempt.latency_ms,
            "last_error": attempt.error or (None if result is rules.Outcome.SUCCEEDED else f"HTTP {attempt.status}"),
        }
        if result is rules.Outcome.SUCCEEDED:
            values.update(status=DeliveryStatus.SUCCEEDED, delivered_at=now, next_attempt_at=None)
            if stored_endpoint is not None:
                stored_endpoint.failing_since = None
        else:
            retry_at = rules.next_attempt(attempts, now) if result is rules.Outcome.RETRY else None
            values.update(
                status=DeliveryStatus.PENDING if retry_at else DeliveryStatus.FAILED, next_attempt_at=retry_at
            )
            if stored_endpoint is not None:
                stored_endpoint.failing_since = stored_endpoint.failing_since or now
                if result is rules.Outcome.GONE:
                    _disable(uow, stored_endpoint, now, reason="GONE")
                elif rules.should_disable(stored_endpoint.failing_since, now):
                    _disable(uow, stored_endpoint, now, reason="FAILING")
        await webhook_queries.record_attempt(uow.session, delivery.id, values)


def _disable(uow: UnitOfWork, endpoint: WebhookEndpoint, now: datetime, *, reason: str) -> None:
    """Turns the endpoint off and tells its owner (notification, always emailed, and the event)."""
    if not endpoint.enabled:
        return
    endpoint.enabled = False
    endpoint.disabled_at = now
    uow.emit(
        WebhookEndpointDisabled(
            endpoint_id=endpoint.id,
            url=endpoint.url,
            failing_since=endpoint.failing_since or now,
            reason=reason,
            audience=(endpoint.user_id,),
        )
    )


async def _finish(delivery_id: uuid.UUID, *, status: DeliveryStatus, error: str, count_attempt: bool = False) -> None:
    async with current_services().database.unit_of_work() as uow:
        delivery = await uow.session.get(WebhookDelivery, delivery_id)
        if delivery is not None:
            delivery.status = status
            delivery.last_error = error[:500]
            delivery.next_attempt_at = None
            delivery.attempt_count += 1 if count_attempt else 0


async def email_notification(notification_id: str) -> None:
    """Mails one notification once: the claim on ``emailed_at`` makes a second run a no-op."""
    key = uuid.UUID(notification_id)
    async with current_services().database.unit_of_work() as uow:
        if not await notification_queries.claim_email(uow.session, key, utcnow()):
            return
        notification = await uow.session.get(Notification, key)
        user = await uow.session.get(User, notification.user_id) if notification else None
        if notification is None or user is None:
            return
        settings = current_services().settings
        # Sent inside the transaction: a mail server outage rolls the claim back and dramatiq retries.
        await current_services().mailer.send(
            Mail(
                to=user.email,
                subject=f"Lensgraph: {notification.message}",
                body=(
                    f"Hello {user.first_name},\n\n{notification.message}\n\n"
                    f"See your notifications at {settings.public_url}.\n"
                    f"Choose which messages you get with updateNotificationPreferences.\n"
                ),
            )
        )


# name -> (function, dramatiq actor options)
ACTORS: dict[str, tuple[Callable[..., Awaitable[None]], dict[str, Any]]] = {
    "accounts.purge_expired_tokens": (purge_expired_tokens, {"max_retries": 3}),
    "accounts.send_link": (send_account_link, {"max_retries": 5, "min_backoff": 5_000}),
    "webhooks.enqueue_due": (enqueue_due_deliveries, {"max_retries": 0}),
    # Retries are scheduled in the database (rules.next_attempt), not by dramatiq.
    "webhooks.deliver": (deliver_webhook, {"max_retries": 0, "time_limit": 60_000}),
    "notifications.email": (email_notification, {"max_retries": 5, "min_backoff": 5_000}),
    # One delivery (notification x device), leased: a second run sends nothing. Retried for 5xx and timeouts only.
    "notifications.push": (push_notification, push_actor_options()),
    "notifications.enqueue_lost_pushes": (enqueue_lost_pushes, {"max_retries": 0}),
    "photos.analyze": (analyze_photo, {"max_retries": 5, "min_backoff": 2_000, "time_limit": 300_000}),
    "photos.resume_analyses": (resume_analyses, {"max_retries": 3}),
    # Scoring again writes the same rows; a match is announced once (a claim on announced_at).
    "matching.score_photo": (score_photo, {"max_retries": 3, "min_backoff": 5_000, "time_limit": 600_000}),
    "matching.score_brand": (score_brand, {"max_retries": 3, "min_backoff": 5_000, "time_limit": 600_000}),
    # Skips a photo whose vector is of its current text, model and version: a second run writes nothing.
    "photos.embed": (embed_photo, {"max_retries": 3, "min_backoff": 2_000, "time_limit": 120_000}),
    "licensing.expire_offers": (expire_offers, {"max_retries": 3}),
    "idempotency.purge_expired_keys": (purge_expired_keys, {"max_retries": 3}),
    "galleries.expire": (expire_galleries, {"max_retries": 3}),
    # The claim on mailed_at makes a second run a no-op.
    "documents.mail_link": (mail_document_link, {"max_retries": 5, "min_backoff": 5_000}),
    # The invoice remembers the event its link came from: a second run mails nothing.
    "invoices.mail_link": (mail_invoice_link, {"max_retries": 5, "min_backoff": 5_000}),
    "invoices.mark_overdue": (mark_overdue_invoices, {"max_retries": 3}),
    "galleries.watermark": (watermark_gallery, {"max_retries": 3, "min_backoff": 2_000, "time_limit": 300_000}),
    # Each failed attempt queues the verification again; past MAX_ATTEMPTS it is FAILED, and dramatiq stops too.
    "verification.analyse": (
        analyse_verification,
        {
            "max_retries": MAX_ATTEMPTS - 1,
            "min_backoff": 5_000,
            "time_limit": int(ATTEMPT_TIME_LIMIT.total_seconds() * 1000),
        },
    ),
    "verification.resume_analyses": (resume_verifications, {"max_retries": 3}),
    "verification.sweep": (sweep, {"max_retries": 0}),
    # The usage id is the meter event's idempotency key: a retry never bills twice.
    "verification.report_overage": (report_overage, {"max_retries": 5, "min_backoff": 60_000}),
    "verification.report_due_overage": (report_due_overage, {"max_retries": 0}),
    # The claim on mailed_at makes a second run a no-op.
    "verification.mail_invite": (mail_invite, {"max_retries": 5, "min_backoff": 5_000}),
    "verification.make_renditions": (make_renditions, {"max_retries": 3, "min_backoff": 5_000, "time_limit": 300_000}),
    # Leaves FETCHING by a conditional UPDATE: a second run stores nothing. Retried for network failures only.
    "ugc.fetch_content": (
        fetch_content,
        {"max_retries": MAX_FETCH_ATTEMPTS - 1, "min_backoff": 5_000, "time_limit": 120_000},
    ),
    # The claim on mailed_at makes a second run a no-op.
    "ugc.mail_rights_request": (mail_rights_request, {"max_retries": 5, "min_backoff": 5_000}),
    # Retried for Stripe outages; a retry never pays twice (the payout id is the transfer's idempotency key).
    # The request moves to READY once, with the mail in the same transaction: a second run mails nothing.
    "compliance.build_export": (build_export, {"max_retries": 5, "min_backoff": 5_000, "time_limit": 1_800_000}),
    "compliance.delete_due_accounts": (delete_due_accounts, {"max_retries": 3, "time_limit": 1_800_000}),
    "payments.pay_out": (pay_out, {"max_retries": 3, "min_backoff": 60_000, "time_limit": 600_000}),
}

# Sweeps every API node enqueues on a timer; being idempotent, running one twice costs nothing.
PERIODIC: dict[str, timedelta] = {
    "accounts.purge_expired_tokens": timedelta(hours=1),
    "webhooks.enqueue_due": timedelta(seconds=15),
    "notifications.enqueue_lost_pushes": timedelta(minutes=1),
    "licensing.expire_offers": timedelta(minutes=1),
    "idempotency.purge_expired_keys": timedelta(hours=1),
    "galleries.expire": timedelta(minutes=1),
    "invoices.mark_overdue": timedelta(minutes=15),
    "payments.pay_out": timedelta(hours=1),
    "verification.sweep": timedelta(minutes=1),
    "compliance.delete_due_accounts": timedelta(hours=1),
    "verification.report_due_overage": timedelta(minutes=15),
}
