"""The outbox relay: after a commit, each event reaches its three outlets exactly once.

Step 1, one transaction per event: notification rows, push delivery rows (one per device of a recipient who
chose push) and webhook delivery rows are written and the event
is marked dispatched; a unique key per (recipient, event) and (endpoint, event) backs the guarantee.
Step 2: what step 1 wrote is published live and enqueued, then the event is marked published. A relay
that dies between the two steps leaves a claim that expires; the next relay redoes step 2 only, and
subscribers drop a notification id they have already sent. An internal ``account.link_requested`` event has no
outlet: step 2 queues ``accounts.send_link``, which mails one link per event however often it is queued.

Every row written here keeps the event's stored payload (raw keys). What leaves the server renders it
with ``public_payload`` on the way out: a notification when it is read (``Notification.data``), a webhook
when it is sent (``public_body``). Rows queued before global IDs went out are rendered the same way. The
live messages on ``event_channel`` stay raw: they never leave the server (subscriptions filter on them and
send the re-read object).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from lensgraph.adapters.pubsub import PubSub
from lensgraph.domain.events import FOLLOW_UP_JOBS, public_payload
from lensgraph.domain.notifications import channels_for, notifiable, summary
from lensgraph.jobs.services import JobQueue
from lensgraph.persistence import notifications as notification_queries
from lensgraph.persistence import outbox
from lensgraph.persistence import webhooks as webhook_queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import Database, UnitOfWork
from lensgraph.persistence.enums import DeliveryStatus
from lensgraph.persistence.models import Notification, OutboxEvent, PushDelivery, WebhookDelivery

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)
BATCH = 100
POLL_SECONDS = 1.0
# On shutdown the batch in hand is finished (else its claims wait LEASE for another relay) for at most this long.
STOP_SECONDS = 5.0


def user_channel(user_id: uuid.UUID | str) -> str:
    return f"user:{user_id}"


def event_channel(event_type: str) -> str:
    """Every event of a type, for subscriptions that follow one object (they filter and authorise)."""
    return f"events:{event_type}"


def delivery_body(event_id: uuid.UUID, event_type: str, created_at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """The stored form of a webhook body: ``{ id, type, createdAt, data }``, ``data`` as the event stored it."""
    return {"id": str(event_id), "type": event_type, "createdAt": created_at.isoformat(), "data": data}


def public_body(stored: dict[str, Any]) -> dict[str, Any]:
    """The JSON a webhook receiver gets: the stored body with every entity key as its global ID."""
    return {**stored, "data": public_payload(str(stored.get("type", "")), stored.get("data") or {})}


class Relay:
    def __init__(self, db: Database, pubsub: PubSub, jobs: JobQueue) -> None:
        self.db = db
        self.pubsub = pubsub
        self.jobs = jobs
        self.relay_id = uuid.uuid4()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def wake(self) -> None:
        """Called after a commit that wrote events: dispatch now rather than at the next poll."""
        self._wake.set()

    async def run_once(self) -> int:
        """Dispatches and publishes every event this relay can claim; returns how many it handled."""
        handled = 0
        while True:
            async with self.db.unit_of_work() as uow:
                events = await outbox.claim(uow.session, self.relay_id, utcnow(), LEASE, BATCH)
            for event in events:
                await self._dispatch(event)
                await self._publish(event)
            handled += len(events)
            if len(events) < BATCH:
                return handled

    async def _dispatch(self, event: OutboxEvent) -> None:
        audience = [uuid.UUID(user_id) for user_id in event.audience]
        async with self.db.unit_of_work() as uow:
            if not await outbox.mark_dispatched(uow.session, event.id, utcnow()):
                return
            if notifiable(event.type) and audience:
                await self._notify(uow, event, audience)
            if audience:
                for endpoint in await webhook_queries.subscribed_endpoints(uow.session, audience, event.type):
                    uow.session.add(
                        WebhookDelivery(
                            endpoint_id=endpoint.id,
                            event_id=event.id,
                            event_type=event.type,
                            body=delivery_body(event.id, event.type, event.created_at, event.payload),
                            next_attempt_at=utcnow(),
                        )
                    )

    async def _notify(self, uow: UnitOfWork, event: OutboxEvent, audience: list[uuid.UUID]) -> None:
        """A notification per recipient who hears of it by some channel, and a push delivery per device of each
        recipient who chose push."""
        session = uow.session
        stored = await outbox.preferences(session, audience, event.type)
        devices = await notification_queries.push_tokens_of(session, audience)
        pushes: list[PushDelivery] = []
        for user_id in audience:
            channels = channels_for(event.type, stored.get(user_id))
            pushed_to = devices.get(user_id, []) if channels.push else []
            if not (channels.in_app or channels.email or pushed_to):
                continue
            notification = Notification(
                id=uuid.uuid4(),
                user_id=user_id,
                event_id=event.id,
                event_type=event.type,
                message=summary(event.type),
                data=event.payload,
                in_app=channels.in_app,
                email=channels.email,
                push=bool(pushed_to),
            )
            session.add(notification)
            pushes += [
                PushDelivery(notification_id=notification.id, push_token_id=token, status=DeliveryStatus.PENDING)
                for token in pushed_to
            ]
        if pushes:
            await session.flush()  # the notifications first: their deliveries refer to them
            session.add_all(pushes)

    async def _publish(self, event: OutboxEvent) -> None:
        async with self.db.session() as session:
            notifications, deliveries, pushes = await outbox.outlets_of(session, event.id)
        for notification_id, user_id, in_app, email in notifications:
            if in_app:
                await self.pubsub.publish(
                    user_channel(user_id), {"notificationId": str(notification_id), "eventId": str(event.id)}
                )
            if email:
                self.jobs.send("notifications.email", str(notification_id))
        await self.pubsub.publish(
            event_channel(event.type), {"eventId": str(event.id), "type": event.type, "data": event.payload}
        )
        for delivery_id in deliveries:
            self.jobs.send("webhooks.deliver", str(delivery_id))
        for push_id in pushes:
            self.jobs.send("notifications.push", str(push_id))
        follow_up = FOLLOW_UP_JOBS.get(event.type)
        if follow_up is not None:
            # Sent again if this step is redone: each follow-up job acts once all the same.
            self.jobs.send(follow_up.actor, *follow_up.arguments(event.id, event.payload))
        async with self.db.unit_of_work() as uow:
            await outbox.mark_published(uow.session, event.id, utcnow())

    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                await self.run_once()
            except Exception:
                log.exception("outbox relay failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
            self._wake.clear()

    async def stop(self) -> None:
        """Lets the batch in hand finish, so that no claim is left to expire; cancels it past STOP_SECONDS."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), STOP_SECONDS)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
