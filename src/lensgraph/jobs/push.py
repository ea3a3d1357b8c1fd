"""``notifications.push``: one notification to one device, once.

The relay writes a delivery per (notification, device) pair (a unique key); this job leases it, sends, and
records the answer: sent; tried again later with backoff (5xx, timeout, no answer: ``PushLater`` makes dramatiq
retry); the device is gone (404/410, FCM ``UNREGISTERED``: its registration is removed); or refused for good.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from lensgraph.adapters.push import Answer
from lensgraph.domain import global_ids
from lensgraph.domain import push as rules
from lensgraph.domain.events import public_payload
from lensgraph.domain.push import Outcome
from lensgraph.jobs.services import current_services
from lensgraph.persistence import notifications as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.enums import DeliveryStatus, PushPlatform
from lensgraph.persistence.models import Notification, PushToken

log = logging.getLogger(__name__)

# Longer than the job may run (TIME_LIMIT: an FCM token exchange and a send, each at most push_timeout_seconds, 60 s
# at most), so no two workers send one delivery at once.
TIME_LIMIT = timedelta(seconds=150)
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
# dramatiq's wait before a retry doubles from 10 s up to this.
MIN_BACKOFF, MAX_BACKOFF = timedelta(seconds=10), timedelta(minutes=10)
# Longer than the longest wait before a retry: a delivery left alone this long has lost its job; the sweep queues it.
STALE = MAX_BACKOFF + timedelta(minutes=5)
_said: set[str] = set()


class PushLater(Exception):
    """The push service failed for now (5xx, timeout, no answer): dramatiq runs the job again, with backoff."""


def actor_options() -> dict[str, object]:
    return {
        "retry_when": retry_when,
        "min_backoff": int(MIN_BACKOFF.total_seconds() * 1000),
        "max_backoff": int(MAX_BACKOFF.total_seconds() * 1000),
        "time_limit": int(TIME_LIMIT.total_seconds() * 1000),
    }


def retry_when(retries: int, exception: BaseException) -> bool:
    """Retries for a push service's transient failures only, MAX_ATTEMPTS attempts in all."""
    return isinstance(exception, PushLater) and retries < MAX_ATTEMPTS - 1


def _say_once(message: str) -> None:
    if message not in _said:
        _said.add(message)
        log.warning(message)


async def enqueue_lost_pushes() -> None:
    """Queues again the deliveries whose job was lost (a stopped worker or in-memory broker); the lease makes a
    delivery queued twice go out once."""
    async with current_services().database.session() as session:
        due = await queries.due_pushes(session, utcnow(), STALE, limit=500)
    for delivery_id in due:
        current_services().queue.send("notifications.push", str(delivery_id))


async def push_notification(delivery_id: str) -> None:
    key = uuid.UUID(delivery_id)
    db = current_services().database
    async with db.unit_of_work() as uow:
        if not await queries.lease_push(uow.session, key, utcnow(), LEASE):
            return
    async with db.session() as session:
        parts = await queries.push_delivery_parts(session, key)
    if parts is None:
        return
    delivery, notification, device = parts
    try:
        answer = await _send(notification, device)
    except Exception as exc:  # a bug or a refused address: this delivery fails, the sweep does not take it up again
        log.exception("push %s could not be sent", key)
        answer = Answer(None, f"{type(exc).__name__}: {exc}"[:500], final=True)
    result = Outcome.FAILED if answer.final else rules.outcome(answer.status, answer.fcm_error)
    if result is Outcome.RETRY and delivery.attempt_count >= MAX_ATTEMPTS:
        result = Outcome.FAILED
    async with db.unit_of_work() as uow:
        if result is Outcome.SENT:
            await queries.record_push(
                uow.session, key, status=DeliveryStatus.SUCCEEDED, delivered_at=utcnow(), response_status=answer.status
            )
        elif result is Outcome.GONE:
            log.info("push %s: the device is gone (HTTP %s): its registration is removed", key, answer.status)
            await queries.forget_push_token(uow.session, device.id)
        else:
            status = DeliveryStatus.PENDING if result is Outcome.RETRY else DeliveryStatus.FAILED
            error = answer.error or f"HTTP {answer.status}"
            await queries.record_push(uow.session, key, status=status, response_status=answer.status, last_error=error)
    if result is Outcome.RETRY:
        raise PushLater(f"push {key}: {answer.error or answer.status}")


async def _send(notification: Notification, device: PushToken) -> Answer:
    """Sends through the service for the device's platform. A service that is not configured sends nothing: the
    delivery FAILS (never counted as sent) and the log says so once."""
    if device.user_id != notification.user_id:
        return Answer(None, "the device was registered again by another account", final=True)
    push = current_services().push
    message = rules.web_push_message(
        global_ids.encode("Notification", notification.id),
        notification.event_type,
        notification.message,
        public_payload(notification.event_type, notification.data),
        notification.created_at.isoformat(),
    )
    if device.platform is PushPlatform.WEB:
        if push.web is None:
            _say_once("LENSGRAPH_VAPID_PRIVATE_KEY is not set: browser subscriptions are kept, nothing is pushed")
            return Answer(None, "Web Push is not configured", final=True)
        if not device.web_push_p256dh or not device.web_push_auth:
            return Answer(None, "registered before Web Push: no subscription keys", final=True)
        subscription = rules.WebPushSubscription(device.token, device.web_push_p256dh, device.web_push_auth)
        return await push.web.send(subscription, message)
    if push.fcm is None:
        _say_once("LENSGRAPH_FCM_CREDENTIALS_FILE is not set: iOS and Android tokens are kept, nothing is pushed")
        return Answer(None, "FCM is not configured", final=True)
    return await push.fcm.send(rules.fcm_message(device.token, message))
