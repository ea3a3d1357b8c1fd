"""Webhook endpoints: register, change, rotate the secret, test, redeliver, read the delivery log."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from uuid import UUID, uuid4

from lensgraph.domain import webhooks as rules
from lensgraph.domain.audit import AuditAction
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import WebhookTest
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.policies import owns
from lensgraph.jobs.relay import delivery_body
from lensgraph.persistence import webhooks as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import UnitOfWork
from lensgraph.persistence.enums import DeliveryStatus
from lensgraph.persistence.models import WebhookDelivery, WebhookEndpoint
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers import audit
from lensgraph.resolvers.context import Context

MAX_DESCRIPTION = 200


@dataclass(frozen=True)
class EndpointWithSecret:
    endpoint: WebhookEndpoint
    secret: str


def new_signing_secret() -> str:
    return rules.SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _description(value: str | None) -> str:
    cleaned = " ".join((value or "").split())
    if len(cleaned) > MAX_DESCRIPTION:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {MAX_DESCRIPTION} characters.", ["description"])
    return cleaned


async def _owned_endpoint(ctx: Context, uow: UnitOfWork, endpoint_id: UUID) -> WebhookEndpoint:
    endpoint = await uow.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or not owns(ctx.viewer, endpoint.user_id):
        raise DomainError(ErrorCode.NOT_FOUND, "No such webhook endpoint.", ["id"])
    return endpoint


async def create_endpoint(ctx: Context, *, url: str, events: list[str], description: str | None) -> EndpointWithSecret:
    viewer = ctx.require_viewer()
    endpoint = WebhookEndpoint(
        user_id=viewer.user_id,
        url=rules.check_url(url, ctx.settings.outbound_allow_private),
        events=rules.check_event_types(events),
        description=_description(description),
        secret=new_signing_secret(),
    )
    async with ctx.db.unit_of_work() as uow:
        if await queries.count_endpoints(uow.session, viewer.user_id) >= rules.MAX_ENDPOINTS_PER_USER:
            raise DomainError(
                ErrorCode.QUOTA_EXCEEDED, f"At most {rules.MAX_ENDPOINTS_PER_USER} webhook endpoints per account."
            )
        uow.session.add(endpoint)
    return EndpointWithSecret(endpoint, endpoint.secret)


async def update_endpoint(
    ctx: Context,
    endpoint_id: UUID,
    *,
    url: str | None,
    events: list[str] | None,
    description: str | None,
    enabled: bool | None,
) -> WebhookEndpoint:
    ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        endpoint = await _owned_endpoint(ctx, uow, endpoint_id)
        if url is not None:
            endpoint.url = rules.check_url(url, ctx.settings.outbound_allow_private)
        if events is not None:
            endpoint.events = rules.check_event_types(events)
        if description is not None:
            endpoint.description = _description(description)
        if enabled is not None and enabled != endpoint.enabled:
            endpoint.enabled = enabled
            endpoint.disabled_at = None if enabled else utcnow()
            # Turning an endpoint back on gives it a clean slate.
            endpoint.failing_since = None
        return endpoint


async def rotate_secret(ctx: Context, endpoint_id: UUID) -> EndpointWithSecret:
    """A new secret; deliveries carry a signature by the replaced one too for ``ROTATION_OVERLAP``."""
    ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        endpoint = await _owned_endpoint(ctx, uow, endpoint_id)
        endpoint.previous_secret, endpoint.previous_secret_expires_at = rules.rotated(endpoint.secret, utcnow())
        endpoint.secret = new_signing_secret()
        target = ("WebhookEndpoint", endpoint.id)
        await audit.record(ctx, AuditAction.WEBHOOK_SECRET_ROTATED, uow=uow, subject_id=endpoint.user_id, target=target)
        return EndpointWithSecret(endpoint, endpoint.secret)


async def delete_endpoint(ctx: Context, endpoint_id: UUID) -> None:
    ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        await uow.session.delete(await _owned_endpoint(ctx, uow, endpoint_id))


async def list_endpoints(ctx: Context, page: PageRequest) -> Page[WebhookEndpoint]:
    viewer = ctx.require_viewer()
    return await paginate(
        ctx.reads,
        queries.endpoints_of(viewer.user_id),
        [WebhookEndpoint.created_at, WebhookEndpoint.id],
        page,
        descending=True,
    )


async def list_deliveries(ctx: Context, endpoint: WebhookEndpoint, page: PageRequest) -> Page[WebhookDelivery]:
    """Newest first; the endpoint was authorised when it was loaded."""
    return await paginate(
        ctx.reads,
        queries.deliveries_of(endpoint.id),
        [WebhookDelivery.created_at, WebhookDelivery.id],
        page,
        descending=True,
    )


async def send_test(ctx: Context, endpoint_id: UUID) -> WebhookDelivery:
    """A ``webhook.test`` delivery to this endpoint alone, whatever events it subscribes to."""
    ctx.require_viewer()
    now = utcnow()
    async with ctx.db.unit_of_work() as uow:
        endpoint = await _owned_endpoint(ctx, uow, endpoint_id)
        test = WebhookTest(endpoint_id=endpoint.id)
        event_id = uuid4()
        delivery = WebhookDelivery(
            endpoint_id=endpoint.id,
            event_id=event_id,
            event_type=test.type,
            body=delivery_body(event_id, test.type, now, test.payload()),
            next_attempt_at=now,
        )
        uow.session.add(delivery)
    ctx.services.jobs.send("webhooks.deliver", str(delivery.id))
    return delivery


async def redeliver(ctx: Context, delivery_id: UUID) -> WebhookDelivery:
    """Sends a delivery again now, whatever its state; receivers dedupe on ``webhook-id``."""
    ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        delivery = await uow.session.get(WebhookDelivery, delivery_id)
        endpoint = await uow.session.get(WebhookEndpoint, delivery.endpoint_id) if delivery else None
        if delivery is None or endpoint is None or not owns(ctx.viewer, endpoint.user_id):
            raise DomainError(ErrorCode.NOT_FOUND, "No such delivery.", ["id"])
        if not endpoint.enabled:
            raise DomainError(ErrorCode.INVALID_TRANSITION, "Enable the endpoint before redelivering.", ["id"])
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = utcnow()
    ctx.services.jobs.send("webhooks.deliver", str(delivery.id))
    return delivery
