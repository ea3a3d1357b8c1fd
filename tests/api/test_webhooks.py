"""Signed webhooks to a real receiver on 127.0.0.1: signatures, retries, the delivery log, management."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update

from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import WebhookDelivery, WebhookEndpoint
from tests.api.helpers import sign_up
from tests.api.test_api_keys import create_key
from tests.api.webhook_receiver import Receiver, standard_webhooks_valid

CREATE = """mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    signingSecret endpoint { id url events enabled } userErrors { field code message }
  }
}"""
DELIVERIES = """query($id: ID!) { node(id: $id) { ... on WebhookEndpoint {
  enabled failingSince
  deliveries(first: 10) { totalCount edges { node {
    id eventId eventType status attemptCount responseStatus latencyMs lastError nextAttemptAt deliveredAt } } } } } }"""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


async def create_endpoint(client, account, url, events=("api_key.created",)):
    payload = await client.data(CREATE, {"input": {"url": url, "events": list(events)}}, token=account.access_token)
    assert payload["createWebhookEndpoint"]["userErrors"] == []
    return payload["createWebhookEndpoint"]


async def deliveries(client, account, endpoint_id):
    node = (await client.data(DELIVERIES, {"id": endpoint_id}, token=account.access_token))["node"]
    return node, [edge["node"] for edge in node["deliveries"]["edges"]]


async def test_event_is_delivered_signed_the_standard_webhooks_way(client, background, receiver):
    owner = await sign_up(client)
    endpoint = await create_endpoint(client, owner, receiver.url())
    assert endpoint["signingSecret"].startswith("whsec_")
    key = await create_key(client, owner.access_token)
    await background.settle()

    assert len(receiver.received) == 1
    request = receiver.received[0]
    assert standard_webhooks_valid(endpoint["signingSecret"], request, time.time())
    body = json.loads(request.body)
    assert body["type"] == "api_key.created" and body["data"]["prefix"] == key["apiKey"]["prefix"]
    assert body["id"] == request.headers["webhook-id"] and body["createdAt"]

    _, log = await deliveries(client, owner, endpoint["endpoint"]["id"])
    assert log[0]["status"] == "SUCCEEDED" and log[0]["attemptCount"] == 1 and log[0]["responseStatus"] == 200
    assert log[0]["latencyMs"] is not None and log[0]["deliveredAt"] and log[0]["nextAttemptAt"] is None


async def test_a_replayed_delivery_is_rejected_by_its_timestamp(client, background, receiver):
    owner = await sign_up(client)
    endpoint = await create_endpoint(client, owner, receiver.url())
    await create_key(client, owner.access_token)
    await background.settle()
    captured = receiver.received[0]
    assert standard_webhooks_valid(endpoint["signingSecret"], captured, time.time())
    # An attacker replays the captured request ten minutes later: the signed timestamp gives it away.
    assert not standard_webhooks_valid(endpoint["signingSecret"], captured, time.time() + 600)
    # Forging a fresh timestamp breaks the signature instead.
    captured.headers["webhook-timestamp"] = str(int(captured.headers["webhook-timestamp"]) + 600)
    assert not standard_webhooks_valid(endpoint["signingSecret"], captured, time.time() + 600)


async def test_a_500_is_retried_with_the_same_id(client, services, background, receiver):
    receiver.script = [500]
    owner = await sign_up(client)
    endpoint = await create_endpoint(client, owner, receiver.url())
    await create_key(client, owner.access_token)
    await background.settle()

    node, log = await deliveries(client, owner, endpoint["endpoint"]["id"])
    assert log[0]["status"] == "PENDING" and log[0]["responseStatus"] == 500 and log[0]["lastError"] == "HTTP 500"
    assert log[0]["nextAttemptAt"] is not None and node["failingSince"] is not None

    async with services.db.unit_of_work() as uow:  # the retry delay has passed
        await uow.session.execute(update(WebhookDelivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    background.send("webhooks.enqueue_due")
    await background.settle()

    node, log = await deliveries(client, owner, endpoint["endpoint"]["id"])
    assert log[0]["status"] == "SUCCEEDED" and log[0]["attemptCount"] == 2 and node["failingSince"] is None
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert all(standard_webhooks_valid(endpoint["signingSecret"], item, time.time()) for item in receiver.received)


async def test_a_hanging_or_closing_receiver_does_not_block_others(client, services, background, receiver):
    services.settings.webhooks_timeout_seconds = 0.5
    healthy = Receiver()
    healthy.start()
    try:
        receiver.script = ["hang", "close"]
        receiver.hang_seconds = 2
        owner = await sign_up(client)
        slow = await create_endpoint(client, owner, receiver.url())
        fine = await create_endpoint(client, owner, healthy.url())
        await create_key(client, owner.access_token)
        await create_key(client, owner.access_token)
        await background.settle()

        assert len(healthy.received) == 2
        _, log = await deliveries(client, owner, slow["endpoint"]["id"])
        errors = sorted(item["lastError"].split(":")[0] for item in log)
        assert errors == ["ReadTimeout", "RemoteProtocolError"]
        assert all(item["status"] == "PENDING" and item["nextAttemptAt"] for item in log)
        _, ok = await deliveries(client, owner, fine["endpoint"]["id"])
        assert [item["status"] for item in ok] == ["SUCCEEDED", "SUCCEEDED"]
    finally:
        healthy.stop()


async def test_an_endpoint_failing_for_days_is_disabled_and_its_owner_told(client, services, background, receiver):
    receiver.script = [503]
    owner = await sign_up(client)
    endpoint = await create_endpoint(client, owner, receiver.url())
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(update(WebhookEndpoint).values(failing_since=utcnow() - timedelta(days=4)))
    await create_key(client, owner.access_token)
    await background.settle()

    node, _ = await deliveries(client, owner, endpoint["endpoint"]["id"])
    assert node["enabled"] is False
    feed = await client.data(
        "{ viewer { notifications(first: 5) { edges { node { eventType data } } } } }", token=owner.access_token
    )
    types = [edge["node"]["eventType"] for edge in feed["viewer"]["notifications"]["edges"]]
    assert "webhook_endpoint.disabled" in types


async def test_test_delivery_redelivery_and_secret_rotation(client, background, receiver):
    owner = await sign_up(client)
    endpoint = await create_endpoint(client, owner, receiver.url(), events=["license.accepted"])
    endpoint_id = endpoint["endpoint"]["id"]
    sent = await client.data(
        """mutation($id: ID!) { sendTestWebhook(input: {endpointId: $id}) {
          delivery { id eventType status } userErrors { code } } }""",
        {"id": endpoint_id},
        token=owner.access_token,
    )
    assert sent["sendTestWebhook"]["delivery"]["eventType"] == "webhook.test"
    await background.settle()
    assert json.loads(receiver.received[0].body)["type"] == "webhook.test"

    rotated = await client.data(
        "mutation($id: ID!) { rotateWebhookSecret(input: {id: $id}) { signingSecret userErrors { code } } }",
        {"id": endpoint_id},
        token=owner.access_token,
    )
    new_secret = rotated["rotateWebhookSecret"]["signingSecret"]
    assert new_secret != endpoint["signingSecret"]
    again = await client.data(
        "mutation($id: ID!) { redeliverWebhook(input: {deliveryId: $id}) { delivery { status } userErrors { code } } }",
        {"id": sent["sendTestWebhook"]["delivery"]["id"]},
        token=owner.access_token,
    )
    assert again["redeliverWebhook"]["delivery"]["status"] == "PENDING"
    await background.settle()
    redelivered = receiver.received[1]
    assert redelivered.headers["webhook-id"] == receiver.received[0].headers["webhook-id"]
    assert standard_webhooks_valid(new_secret, redelivered, time.time())
    # The replaced secret still signs for a day, so receivers can switch (tests/security/test_webhooks.py).
    assert standard_webhooks_valid(endpoint["signingSecret"], redelivered, time.time())


async def test_only_subscribed_events_are_sent(client, background, receiver):
    owner = await sign_up(client)
    endpoint = await create_endpoint(client, owner, receiver.url(), events=["password.changed"])
    await create_key(client, owner.access_token)
    await background.settle()
    assert receiver.received == []
    update_events = """mutation($input: UpdateWebhookEndpointInput!) {
      updateWebhookEndpoint(input: $input) { endpoint { events } userErrors { field code } } }"""
    changed = await client.data(
        update_events,
        {"input": {"id": endpoint["endpoint"]["id"], "events": ["api_key.created", "password.changed"]}},
        token=owner.access_token,
    )
    assert changed["updateWebhookEndpoint"]["endpoint"]["events"] == ["api_key.created", "password.changed"]
    await create_key(client, owner.access_token)
    await background.settle()
    assert len(receiver.received) == 1


@pytest.mark.parametrize(
    ("url", "events", "field"),
    [
        ("ftp://example.com/hook", ["api_key.created"], ["url"]),
        ("not a url", ["api_key.created"], ["url"]),
        ("https://user:pw@example.com/hook", ["api_key.created"], ["url"]),
        ("https://example.com/hook", ["no.such.event"], ["events"]),
        ("https://example.com/hook", [], ["events"]),
    ],
)
async def test_bad_endpoint_input(client, url, events, field):
    owner = await sign_up(client)
    refused = await client.data(CREATE, {"input": {"url": url, "events": events}}, token=owner.access_token)
    assert refused["createWebhookEndpoint"]["endpoint"] is None
    assert [(e["field"], e["code"]) for e in refused["createWebhookEndpoint"]["userErrors"]] == [
        (field, "INVALID_INPUT")
    ]


async def test_other_users_endpoints_and_deliveries_are_invisible(client, background, receiver):
    owner = await sign_up(client)
    stranger = await sign_up(client)
    endpoint = await create_endpoint(client, owner, receiver.url())
    endpoint_id = endpoint["endpoint"]["id"]
    await create_key(client, owner.access_token)
    await background.settle()
    _, log = await deliveries(client, owner, endpoint_id)

    assert (await client.data(DELIVERIES, {"id": endpoint_id}, token=stranger.access_token))["node"] is None
    delivery_node = "query($id: ID!) { node(id: $id) { id } }"
    assert (await client.data(delivery_node, {"id": log[0]["id"]}, token=stranger.access_token))["node"] is None
    for mutation in (
        "mutation($id: ID!) { deleteWebhookEndpoint(input: {id: $id}) { userErrors { field code } } }",
        "mutation($id: ID!) { rotateWebhookSecret(input: {id: $id}) { userErrors { field code } } }",
        "mutation($id: ID!) { sendTestWebhook(input: {endpointId: $id}) { userErrors { field code } } }",
    ):
        payload = next(iter((await client.data(mutation, {"id": endpoint_id}, token=stranger.access_token)).values()))
        assert payload["userErrors"][0]["code"] == "NOT_FOUND"
    redeliver = "mutation($id: ID!) { redeliverWebhook(input: {deliveryId: $id}) { userErrors { field code } } }"
    refused = await client.data(redeliver, {"id": log[0]["id"]}, token=stranger.access_token)
    assert refused["redeliverWebhook"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]

    deleted = await client.data(
        "mutation($id: ID!) { deleteWebhookEndpoint(input: {id: $id}) { ok } }",
        {"id": endpoint_id},
        token=owner.access_token,
    )
    assert deleted["deleteWebhookEndpoint"]["ok"] is True
    listed = await client.data("{ viewer { webhookEndpoints { totalCount } } }", token=owner.access_token)
    assert listed["viewer"]["webhookEndpoints"]["totalCount"] == 0
