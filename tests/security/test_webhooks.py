"""Webhook lifecycle rules receivers rely on: 410 Gone stops deliveries at once; a rotated secret keeps
signing for 24 hours beside the new one, then only the new one signs."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import WebhookEndpoint
from tests.api.helpers import sign_up
from tests.api.test_api_keys import create_key
from tests.api.test_webhooks import create_endpoint, deliveries
from tests.api.webhook_receiver import Receiver, standard_webhooks_valid

ROTATE = """mutation($id: ID!) { rotateWebhookSecret(input: {id: $id}) {
  signingSecret endpoint { previousSecretExpiresAt } userErrors { code } } }"""
SEND_TEST = "mutation($id: ID!) { sendTestWebhook(input: {endpointId: $id}) { delivery { id } userErrors { code } } }"
NOTIFICATIONS = "{ viewer { notifications(first: 5) { edges { node { eventType data } } } } }"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


async def test_a_410_gone_disables_the_endpoint_at_once_and_tells_the_owner(client, background, receiver):
    receiver.script = [410]
    owner = await sign_up(client)
    endpoint = await create_endpoint(client, owner, receiver.url())
    await create_key(client, owner.access_token)
    await background.settle()

    node, log = await deliveries(client, owner, endpoint["endpoint"]["id"])
    assert node["enabled"] is False
    assert log[0]["status"] == "FAILED" and log[0]["responseStatus"] == 410 and log[0]["nextAttemptAt"] is None
    feed = await client.data(NOTIFICATIONS, token=owner.access_token)
    disabled = [
        edge["node"]["data"]
        for edge in feed["viewer"]["notifications"]["edges"]
        if edge["node"]["eventType"] == "webhook_endpoint.disabled"
    ]
    assert len(disabled) == 1 and disabled[0]["reason"] == "GONE"

    await create_key(client, owner.access_token)  # nothing more goes to a receiver that is gone
    await background.settle()
    assert len(receiver.received) == 1


async def test_a_rotated_secret_signs_beside_the_new_one_for_24_hours(client, services, background, receiver):
    owner = await sign_up(client)
    endpoint = await create_endpoint(client, owner, receiver.url())
    endpoint_id, old_secret = endpoint["endpoint"]["id"], endpoint["signingSecret"]
    rotated = (await client.data(ROTATE, {"id": endpoint_id}, token=owner.access_token))["rotateWebhookSecret"]
    new_secret = rotated["signingSecret"]
    expires = datetime.fromisoformat(rotated["endpoint"]["previousSecretExpiresAt"])
    assert abs(expires - (utcnow() + timedelta(hours=24))) < timedelta(minutes=1)

    await client.data(SEND_TEST, {"id": endpoint_id}, token=owner.access_token)
    await background.settle()
    during = receiver.received[-1]
    assert len(during.headers["webhook-signature"].split()) == 2
    assert standard_webhooks_valid(new_secret, during, time.time())
    assert standard_webhooks_valid(old_secret, during, time.time())

    async with services.db.unit_of_work() as uow:  # a day has passed
        await uow.session.execute(
            update(WebhookEndpoint).values(previous_secret_expires_at=utcnow() - timedelta(seconds=1))
        )
    await client.data(SEND_TEST, {"id": endpoint_id}, token=owner.access_token)
    await background.settle()
    after = receiver.received[-1]
    assert json.loads(after.body)["type"] == "webhook.test"
    assert standard_webhooks_valid(new_secret, after, time.time())
    assert not standard_webhooks_valid(old_secret, after, time.time())


async def test_a_second_rotation_drops_the_oldest_secret(client, background, receiver):
    owner = await sign_up(client)
    endpoint = await create_endpoint(client, owner, receiver.url())
    endpoint_id, first = endpoint["endpoint"]["id"], endpoint["signingSecret"]
    second = (await client.data(ROTATE, {"id": endpoint_id}, token=owner.access_token))["rotateWebhookSecret"]
    third = (await client.data(ROTATE, {"id": endpoint_id}, token=owner.access_token))["rotateWebhookSecret"]

    await client.data(SEND_TEST, {"id": endpoint_id}, token=owner.access_token)
    await background.settle()
    sent = receiver.received[-1]
    assert standard_webhooks_valid(third["signingSecret"], sent, time.time())
    assert standard_webhooks_valid(second["signingSecret"], sent, time.time())
    assert not standard_webhooks_valid(first, sent, time.time())
