"""Webhook endpoints and their delivery log."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain.pagination import page_request
from lensgraph.domain.policies import owns
from lensgraph.persistence import enums
from lensgraph.persistence.models import WebhookDelivery as DeliveryRow
from lensgraph.persistence.models import WebhookEndpoint as EndpointRow
from lensgraph.resolvers import webhooks
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import (
    AcknowledgedPayload,
    Connection,
    Node,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)

DeliveryStatus = strawberry.enum(enums.DeliveryStatus, description="Where a webhook delivery stands.")


@node_type
@strawberry.type(description="One event sent (or being sent) to one endpoint.")
class WebhookDelivery(Node):
    event_id: strawberry.ID = strawberry.field(description="Also the `webhook-id` header: dedupe on it.")
    event_type: str
    status: DeliveryStatus  # type: ignore[valid-type]
    attempt_count: int
    response_status: int | None
    latency_ms: int | None
    last_error: str | None
    next_attempt_at: datetime | None = strawberry.field(description="When the next retry goes out, if any.")
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: DeliveryRow) -> WebhookDelivery:
        return cls(
            id=to_global_id("WebhookDelivery", row.id),
            event_id=strawberry.ID(str(row.event_id)),
            event_type=row.event_type,
            status=row.status,
            attempt_count=row.attempt_count,
            response_status=row.response_status,
            latency_ms=row.latency_ms,
            last_error=row.last_error,
            next_attempt_at=row.next_attempt_at,
            delivered_at=row.delivered_at,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> WebhookDelivery | None:
        row = await info.context.loaders.webhook_delivery.load(key)
        endpoint = await info.context.loaders.webhook_endpoint.load(row.endpoint_id) if row else None
        if row is None or endpoint is None or not owns(info.context.viewer, endpoint.user_id):
            return None
        return cls.from_row(row)


@node_type
@strawberry.type(description="A URL of yours that receives signed events.")
class WebhookEndpoint(Node):
    _row: strawberry.Private[EndpointRow]
    url: str
    description: str
    events: list[str]
    enabled: bool
    disabled_at: datetime | None
    failing_since: datetime | None
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="After a rotation, deliveries are also signed with the replaced secret until this time."
    )
    created_at: datetime

    @classmethod
    def from_row(cls, row: EndpointRow) -> WebhookEndpoint:
        return cls(
            _row=row,
            id=to_global_id("WebhookEndpoint", row.id),
            url=row.url,
            description=row.description,
            events=row.events,
            enabled=row.enabled,
            disabled_at=row.disabled_at,
            failing_since=row.failing_since,
            previous_secret_expires_at=row.previous_secret_expires_at,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> WebhookEndpoint | None:
        row = await info.context.loaders.webhook_endpoint.load(key)
        if row is None or not owns(info.context.viewer, row.user_id):
            return None
        return cls.from_row(row)

    @strawberry.field(description="Deliveries to this endpoint, newest first.")
    async def deliveries(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[WebhookDelivery]:
        page = await webhooks.list_deliveries(info.context, self._row, page_request(first, after, last, before))
        return Connection[WebhookDelivery].from_page(page, WebhookDelivery.from_row)


@strawberry.input
class CreateWebhookEndpointInput:
    url: str
    events: list[str] = strawberry.field(
        description="Event types, e.g. `license.accepted`: those something emits (docs/events.schema.json)."
    )
    description: str | None = None


@strawberry.type
class WebhookEndpointSecretPayload:
    endpoint: WebhookEndpoint | None = None
    signing_secret: str | None = strawberry.field(
        default=None, description="`whsec_...`: verify signatures with it. Shown only now."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateWebhookEndpointInput:
    id: strawberry.ID
    url: str | None = None
    events: list[str] | None = None
    description: str | None = None
    enabled: bool | None = None


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class WebhookEndpointIdInput:
    id: strawberry.ID


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDelivery | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SendTestWebhookInput:
    endpoint_id: strawberry.ID


@strawberry.input
class RedeliverWebhookInput:
    delivery_id: strawberry.ID


def _endpoint_id(global_id: str, field: str = "id") -> UUID:
    return expect_global_id(global_id, "WebhookEndpoint", field)


@strawberry.type
class ViewerWebhooks:
    """Fields of ``Viewer`` about webhooks."""

    @strawberry.field(description="Your webhook endpoints, newest first.")
    async def webhook_endpoints(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[WebhookEndpoint]:
        page = await webhooks.list_endpoints(info.context, page_request(first, after, last, before))
        return Connection[WebhookEndpoint].from_page(page, WebhookEndpoint.from_row)


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(description="Register a URL for events. The signing secret is in the answer only.")
    @returns_user_errors(WebhookEndpointSecretPayload)
    async def create_webhook_endpoint(
        self, info: Info[Context, None], input: CreateWebhookEndpointInput
    ) -> WebhookEndpointSecretPayload:
        created = await webhooks.create_endpoint(
            info.context, url=input.url, events=input.events, description=input.description
        )
        return WebhookEndpointSecretPayload(
            endpoint=WebhookEndpoint.from_row(created.endpoint), signing_secret=created.secret
        )

    @strawberry.mutation(description="Change an endpoint's URL, events or description, or turn it off and on.")
    @returns_user_errors(WebhookEndpointPayload)
    async def update_webhook_endpoint(
        self, info: Info[Context, None], input: UpdateWebhookEndpointInput
    ) -> WebhookEndpointPayload:
        row = await webhooks.update_endpoint(
            info.context,
            _endpoint_id(input.id),
            url=input.url,
            events=input.events,
            description=input.description,
            enabled=input.enabled,
        )
        return WebhookEndpointPayload(endpoint=WebhookEndpoint.from_row(row))

    @strawberry.mutation(
        description="Replace the signing secret. For 24 hours deliveries are signed with the old and the new "
        "secret (two `v1,` entries in `webhook-signature`), so receivers can switch; then with the new one only."
    )
    @returns_user_errors(WebhookEndpointSecretPayload)
    async def rotate_webhook_secret(
        self, info: Info[Context, None], input: WebhookEndpointIdInput
    ) -> WebhookEndpointSecretPayload:
        rotated = await webhooks.rotate_secret(info.context, _endpoint_id(input.id))
        return WebhookEndpointSecretPayload(
            endpoint=WebhookEndpoint.from_row(rotated.endpoint), signing_secret=rotated.secret
        )

    @strawberry.mutation
    @returns_user_errors(AcknowledgedPayload)
    async def delete_webhook_endpoint(
        self, info: Info[Context, None], input: WebhookEndpointIdInput
    ) -> AcknowledgedPayload:
        await webhooks.delete_endpoint(info.context, _endpoint_id(input.id))
        return AcknowledgedPayload(ok=True)

    @strawberry.mutation(description="Send a `webhook.test` event to one endpoint now.")
    @returns_user_errors(WebhookDeliveryPayload)
    async def send_test_webhook(self, info: Info[Context, None], input: SendTestWebhookInput) -> WebhookDeliveryPayload:
        row = await webhooks.send_test(info.context, _endpoint_id(input.endpoint_id, "endpointId"))
        return WebhookDeliveryPayload(delivery=WebhookDelivery.from_row(row))

    @strawberry.mutation(description="Send a delivery again now, whatever happened to it before.")
    @returns_user_errors(WebhookDeliveryPayload)
    async def redeliver_webhook(
        self, info: Info[Context, None], input: RedeliverWebhookInput
    ) -> WebhookDeliveryPayload:
        key = expect_global_id(input.delivery_id, "WebhookDelivery", "deliveryId")
        return WebhookDeliveryPayload(delivery=WebhookDelivery.from_row(await webhooks.redeliver(info.context, key)))
