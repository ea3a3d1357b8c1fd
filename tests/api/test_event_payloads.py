"""One ID everywhere: every ID in a notification's data and a webhook body is a global ID node(id:) resolves.

Payloads are checked against docs/events.schema.json (generated from the event dataclasses; a test here
fails when the committed file drifts), and only event types something emits can be chosen.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import select, update
from typer.testing import CliRunner

from lensgraph.cli import cli
from lensgraph.domain import global_ids
from lensgraph.domain.event_schemas import GLOBAL_ID_FORMAT, event_schemas_json
from lensgraph.domain.events import CATALOGUE, EMITTED_TYPES, EVENT_TYPES, payload_fields
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import WebhookDelivery
from lensgraph.schema.core import NODE_TYPES
from tests.api.helpers import Account, sign_up
from tests.api.images import photo_jpeg
from tests.api.payment_flows import pay, signed_license
from tests.api.test_api_keys import create_key
from tests.api.test_licensing import offer, photo_of
from tests.api.test_photos import upload
from tests.api.test_webhooks import create_endpoint
from tests.api.webhook_receiver import Receiver

SCHEMA_FILE = Path(__file__).parents[2] / "docs" / "events.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_FILE.read_text())

FEED = "{ viewer { notifications(first: 50) { edges { node { eventType data } } } } }"
NODE = "query($id: ID!) { node(id: $id) { __typename id } }"
UPDATE_ENDPOINT = """mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) {
  endpoint { events } userErrors { field code message } } }"""
CREATE_ENDPOINT = """mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
  endpoint { id } userErrors { field code message } } }"""
PREFERENCES = "{ viewer { notificationPreferences { eventType } } }"
UPDATE_PREFERENCES = """mutation($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { preferences { eventType } userErrors { field code message } } }"""


def format_checker() -> FormatChecker:
    """JSON Schema's formats, and ours: a global ID is one that decodes to a type and a key."""
    checker = FormatChecker()

    @checker.checks(GLOBAL_ID_FORMAT, raises=ValueError)
    def is_global_id(value: object) -> bool:
        return not isinstance(value, str) or bool(global_ids.decode(value))

    return checker


def assert_valid_data(event_type: str, data: dict[str, Any]) -> None:
    Draft202012Validator(SCHEMA["$defs"][event_type], format_checker=format_checker()).validate(data)


def assert_valid_body(body: dict[str, Any]) -> None:
    Draft202012Validator(SCHEMA, format_checker=format_checker()).validate(body)


async def feed(client, account: Account) -> dict[str, list[dict[str, Any]]]:
    """The account's notification data, by event type, newest first."""
    edges = (await client.data(FEED, token=account.access_token))["viewer"]["notifications"]["edges"]
    found: dict[str, list[dict[str, Any]]] = {}
    for edge in edges:
        found.setdefault(edge["node"]["eventType"], []).append(edge["node"]["data"])
    return found


def bodies(receiver: Receiver) -> dict[str, list[dict[str, Any]]]:
    """What the receiver got, by event type."""
    found: dict[str, list[dict[str, Any]]] = {}
    for request in receiver.received:
        body = json.loads(request.body)
        found.setdefault(body["type"], []).append(body)
    return found


async def assert_resolves(client, account: Account, global_id: str, type_name: str) -> None:
    """node(id:) gives back the very object, of the type the schema names."""
    node = (await client.data(NODE, {"id": global_id}, token=account.access_token))["node"]
    assert node == {"__typename": type_name, "id": global_id}


async def assert_ids_resolve(client, account: Account, event_type: str, data: dict[str, Any]) -> None:
    """Every ID field of the payload is a global ID of the entity the event class says it names."""
    for item in payload_fields(CATALOGUE[event_type]):
        if item.entity is not None and data[item.name] is not None:
            await assert_resolves(client, account, data[item.name], item.entity)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


async def test_license_and_payment_events_carry_global_ids(client, services, background, receiver, stripe_fake):
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER")
    kinds = ["license.created", "license.accepted", "contract.signed", "payment.completed"]
    await create_endpoint(client, brand, receiver.url("/brand"), events=kinds)
    photo_id = await photo_of(services, photographer)
    license_id = await signed_license(client, brand, photographer, photo_id)
    payment_id = (await pay(client, stripe_fake, brand, license_id))["payment"]["id"]
    await background.settle()

    expected = {"licenseId": license_id, "photoId": photo_id, "paymentId": payment_id}
    for account in (brand, photographer):
        notices = await feed(client, account)
        for kind in kinds:
            [data] = notices[kind]
            assert_valid_data(kind, data)
            assert {key: data[key] for key in data.keys() & expected.keys()} == {
                key: expected[key] for key in data.keys() & expected.keys()
            }
            await assert_ids_resolve(client, account, kind, data)
    assert (await feed(client, brand))["payment.completed"][0]["licenseId"] == license_id

    received = bodies(receiver)
    assert sorted(received) == sorted(kinds)
    for kind in kinds:
        [body] = received[kind]
        assert_valid_body(body)
        # The receiver reads the same payload the notification shows.
        assert body["data"] == (await feed(client, brand))[kind][0]
        await assert_ids_resolve(client, brand, kind, body["data"])
    assert received["license.created"][0]["data"] == {"licenseId": license_id, "photoId": photo_id, "status": "OFFERED"}


async def test_an_offer_on_a_photo_since_deleted_keeps_a_null_photo_id(client, services, background):
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER")
    photo_id = await photo_of(services, photographer)
    license_id = (await offer(client, brand, photo_id))["license"]["id"]
    deleted = await client.data(
        "mutation($id: ID!) { deletePhoto(input: {id: $id}) { userErrors { code } } }",
        {"id": photo_id},
        token=photographer.access_token,
    )
    assert deleted["deletePhoto"]["userErrors"] == []
    await background.settle()
    [declined] = (await feed(client, brand))["license.declined"]
    assert declined["licenseId"] == license_id
    assert_valid_data("license.declined", declined)


async def test_photo_key_and_endpoint_events_carry_global_ids(client, services, background, receiver):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    kinds = ["photo.analyzed", "api_key.created", "webhook_endpoint.disabled"]
    endpoint = await create_endpoint(client, owner, receiver.url(), events=kinds)
    gone = Receiver(script=[410])
    gone.start()
    try:
        doomed = await create_endpoint(client, owner, gone.url(), events=["api_key.created"])
        photo = (await upload(client, owner, photo_jpeg()))["photo"]
        key = (await create_key(client, owner.access_token))["apiKey"]
        await background.settle()
    finally:
        gone.stop()

    notices = await feed(client, owner)
    received = bodies(receiver)
    expected = {
        "photo.analyzed": {"photoId": photo["id"], "status": "READY"},
        "api_key.created": {"apiKeyId": key["id"], "prefix": key["prefix"], "description": "CI deploys"},
    }
    for kind, data in expected.items():
        assert notices[kind] == [data]
        assert [body["data"] for body in received[kind]] == [data]
    [disabled] = notices["webhook_endpoint.disabled"]
    assert disabled["endpointId"] == doomed["endpoint"]["id"] and disabled["reason"] == "GONE"
    assert [body["data"] for body in received["webhook_endpoint.disabled"]] == [disabled]
    assert endpoint["endpoint"]["id"] != disabled["endpointId"]

    for kind in kinds:
        assert_valid_data(kind, notices[kind][0])
        assert_valid_body(received[kind][0])
        await assert_ids_resolve(client, owner, kind, notices[kind][0])


async def test_a_test_delivery_names_its_endpoint_by_global_id(client, background, receiver):
    owner = await sign_up(client)
    endpoint_id = (await create_endpoint(client, owner, receiver.url(), events=["license.accepted"]))["endpoint"]["id"]
    await client.data(
        "mutation($id: ID!) { sendTestWebhook(input: {endpointId: $id}) { userErrors { code } } }",
        {"id": endpoint_id},
        token=owner.access_token,
    )
    await background.settle()
    [body] = bodies(receiver)["webhook.test"]
    assert body["data"] == {"endpointId": endpoint_id}
    assert_valid_body(body)


async def test_a_retry_sends_the_same_global_ids(client, services, background, receiver):
    """Deliveries keep the stored form (raw keys, as rows queued before this rule hold) and are rendered at
    each attempt: a retry, like a first try, carries global IDs."""
    receiver.script = [503]
    owner = await sign_up(client)
    await create_endpoint(client, owner, receiver.url())
    key = (await create_key(client, owner.access_token))["apiKey"]
    await background.settle()
    async with services.db.unit_of_work() as uow:
        [stored] = (await uow.session.execute(select(WebhookDelivery.body))).scalars().all()
        assert stored["data"]["apiKeyId"] == str(global_ids.decode(key["id"])[1])
        await uow.session.execute(update(WebhookDelivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    background.send("webhooks.enqueue_due")
    await background.settle()
    first, retried = (json.loads(request.body) for request in receiver.received)
    assert first == retried and retried["data"]["apiKeyId"] == key["id"]


def test_every_id_an_emitted_event_names_is_a_node_type():
    for name in EMITTED_TYPES:
        for item in payload_fields(CATALOGUE[name]):
            assert item.entity is None or item.entity in NODE_TYPES, (name, item)


def test_docs_events_schema_has_not_drifted(tmp_path):
    assert SCHEMA_FILE.read_text() == event_schemas_json(), (
        "docs/events.schema.json is stale: run `lensgraph export-event-schemas`"
    )
    written = tmp_path / "events.schema.json"
    result = CliRunner().invoke(cli, ["export-event-schemas", "--output", str(written)])
    assert result.exit_code == 0, result.output
    assert written.read_text() == SCHEMA_FILE.read_text()


def test_the_schema_says_which_fields_are_global_ids_and_which_types_are_not_emitted():
    license_fields = SCHEMA["$defs"]["license.accepted"]["properties"]
    assert license_fields["licenseId"]["format"] == GLOBAL_ID_FORMAT
    assert license_fields["licenseId"]["x-node-type"] == "License"
    assert license_fields["photoId"]["type"] == ["string", "null"]
    assert "format" not in license_fields["status"]
    assert {name for name, schema in SCHEMA["$defs"].items() if not schema["x-emitted"]} == EVENT_TYPES - EMITTED_TYPES
    # Every type of the catalogue is emitted today (match.new and photo.available were the last to land).
    assert EVENT_TYPES == EMITTED_TYPES and "match.new" in EMITTED_TYPES
    assert {"gallery.created", "gallery.deleted", "gallery.downloaded", "gallery.expired", "gallery.validated"} <= (
        EMITTED_TYPES
    )


async def test_every_catalogue_type_is_offered_and_unknown_ones_are_refused(client):
    # match.new and photo.available were the last types still to come: brand matching emits them now.
    owner = await sign_up(client)
    url = "https://hooks.example.com/in"
    created = (
        await client.data(CREATE_ENDPOINT, {"input": {"url": url, "events": ["no.such"]}}, token=owner.access_token)
    )["createWebhookEndpoint"]
    assert created == {
        "endpoint": None,
        "userErrors": [{"field": ["events"], "code": "INVALID_INPUT", "message": "Unknown event types: no.such."}],
    }
    endpoint = await create_endpoint(client, owner, url, events=["license.accepted", "match.new", "photo.available"])
    assert endpoint["userErrors"] == []
    offered = {
        item["eventType"]
        for item in (await client.data(PREFERENCES, token=owner.access_token))["viewer"]["notificationPreferences"]
    }
    assert {"match.new", "photo.available", "license.accepted"} <= offered <= EMITTED_TYPES
    chosen = await client.data(
        UPDATE_PREFERENCES,
        {"input": {"preferences": [{"eventType": "match.new", "inApp": False, "email": True}]}},
        token=owner.access_token,
    )
    assert chosen["updateNotificationPreferences"]["userErrors"] == []
