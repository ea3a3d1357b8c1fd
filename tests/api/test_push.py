"""Push notifications end to end: a browser subscription (Web Push, VAPID, aes128gcm) and an app token (FCM HTTP v1)
registered through the API, a real event, and what the push services receive, decrypted and verified here."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import SecretStr
from sqlalchemy import func, select, update

from lensgraph.config import Settings
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.enums import DeliveryStatus
from lensgraph.persistence.models import PushDelivery, PushToken
from tests.api.factories import user_key
from tests.api.helpers import sign_up
from tests.api.test_licensing import offer, photo_of
from tests.fakes.push import Browser, FcmFake, WebPushReceiver, b64url, vapid_claims

REGISTER = """mutation($input: RegisterPushTokenInput!) { registerPushToken(input: $input) {
  ok userErrors { field code message } } }"""
PREFERENCES = """mutation($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) {
    preferences { eventType inApp email push } userErrors { field code } } }"""
NOTIFICATIONS = "{ viewer { notifications(first: 5) { edges { node { id eventType message } } } } }"


def vapid_private_key() -> str:
    """What `lensgraph vapid-keys` prints, made here with cryptography alone."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


@pytest.fixture
def receiver() -> Iterator[WebPushReceiver]:
    server = WebPushReceiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fcm() -> Iterator[FcmFake]:
    fake = FcmFake()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def no_push_credentials() -> None:
    """Settings without VAPID key or FCM credentials."""


@pytest.fixture
def strict_outbound() -> None:
    """Settings as in production: the server's requests may reach public addresses only."""


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest, tmp_path) -> Settings:
    if "no_push_credentials" in request.fixturenames:
        return settings
    updates: dict[str, object] = {"vapid_private_key": SecretStr(vapid_private_key()), "vapid_subject": None}
    if "fcm" in request.fixturenames:
        fake: FcmFake = request.getfixturevalue("fcm")
        path = tmp_path / "service-account.json"
        path.write_text(json.dumps(fake.service_account()))
        updates.update(fcm_credentials_file=path, fcm_api_base=fake.url)
    if "strict_outbound" in request.fixturenames:
        updates["outbound_allow_private"] = False
    return settings.model_copy(update=updates)


@pytest.fixture
async def parties(client):
    return await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER")


async def subscribe_browser(client, account, endpoint: str, browser: Browser) -> dict:
    web_push = {"endpoint": endpoint, "p256dh": browser.p256dh, "auth": b64url(browser.auth)}
    data = await client.data(REGISTER, {"input": {"platform": "WEB", "webPush": web_push}}, token=account.access_token)
    return data["registerPushToken"]


async def pushes(services, status: DeliveryStatus | None = None) -> list[PushDelivery]:
    async with services.db.session() as session:
        query = select(PushDelivery)
        if status is not None:
            query = query.where(PushDelivery.status == status)
        return list(await session.scalars(query))


async def devices_of(services, account) -> int:
    async with services.db.session() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(PushToken).where(PushToken.user_id == user_key(account))
            )
            or 0
        )


async def test_a_license_offer_is_pushed_to_the_photographers_browser(client, services, background, parties, receiver):
    brand, photographer = parties
    public_key = (await client.data("{ pushPublicKey }"))["pushPublicKey"]
    browser = Browser()
    assert await subscribe_browser(client, photographer, receiver.endpoint("abc"), browser) == {
        "ok": True,
        "userErrors": [],
    }
    await background.settle()  # the registrations' own events, out of the way
    receiver.received.clear()

    offered = await offer(client, brand, await photo_of(services, photographer))
    await background.settle()

    [request] = receiver.received
    assert request.path == "/push/abc"
    assert request.headers["content-encoding"] == "aes128gcm"
    assert int(request.headers["ttl"]) > 0
    message = browser.decrypt(request.body)
    [notification] = (await client.data(NOTIFICATIONS, token=photographer.access_token))["viewer"]["notifications"][
        "edges"
    ]
    assert message["notificationId"] == notification["node"]["id"]
    assert message["eventType"] == "license.created"
    assert message["title"] == "Lensgraph" and message["body"] == "A new license offer was made."
    assert message["data"]["licenseId"] == offered["license"]["id"]
    # RFC 8292: an ES256 JWT for the endpoint's origin, signed with the key browsers were given.
    key, claims = vapid_claims(request.headers["authorization"])
    assert key == public_key
    assert claims["aud"] == f"http://127.0.0.1:{receiver.port}"
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert claims["sub"] == "mailto:no-reply@lensgraph.local"

    [delivery] = await pushes(services)
    assert delivery.status is DeliveryStatus.SUCCEEDED and delivery.response_status == 201
    # Idempotent: the job run again for the same notification and subscription sends nothing.
    background.send("notifications.push", str(delivery.id))
    await background.settle()
    assert len(receiver.received) == 1
    # The brand has no device: nothing for it.
    assert len(await pushes(services)) == 1


async def test_a_push_whose_job_was_lost_is_sent_by_the_sweep(client, services, background, parties, receiver):
    brand, photographer = parties
    browser = Browser()
    await subscribe_browser(client, photographer, receiver.endpoint("lost"), browser)
    await background.settle()
    await offer(client, brand, await photo_of(services, photographer))
    await background.settle()
    [delivery] = await pushes(services)
    # As if its queued job had gone with a stopped in-memory broker, 20 minutes ago.
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(
            update(PushDelivery)
            .where(PushDelivery.id == delivery.id)
            .values(status=DeliveryStatus.PENDING, delivered_at=None, updated_at=utcnow() - timedelta(minutes=20))
        )
    background.send("notifications.enqueue_lost_pushes")
    await background.settle()
    assert len(receiver.received) == 2
    assert browser.decrypt(receiver.received[1].body)["eventType"] == "license.created"
    [delivery] = await pushes(services)
    assert delivery.status is DeliveryStatus.SUCCEEDED
    background.send("notifications.enqueue_lost_pushes")  # nothing is due any more
    await background.settle()
    assert len(receiver.received) == 2


async def test_the_subscription_json_as_token_and_unregistering_by_endpoint(client, services, parties, receiver):
    _, photographer = parties
    browser = Browser()
    endpoint = receiver.endpoint("json")
    subscription = {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": browser.p256dh, "auth": b64url(browser.auth)},
    }
    registered = await client.data(
        REGISTER, {"input": {"platform": "WEB", "token": json.dumps(subscription)}}, token=photographer.access_token
    )
    assert registered["registerPushToken"]["ok"] is True
    assert await devices_of(services, photographer) == 1
    unregister = (
        """mutation($token: String!) { unregisterPushToken(input: {token: $token}) { ok userErrors { code } } }"""
    )
    gone = await client.data(unregister, {"token": endpoint}, token=photographer.access_token)
    assert gone["unregisterPushToken"] == {"ok": True, "userErrors": []}
    assert await devices_of(services, photographer) == 0


async def test_push_preference_off_pushes_nothing(client, services, background, parties, receiver):
    brand, photographer = parties
    listed = await client.data(
        "{ viewer { notificationPreferences { eventType inApp email push } } }", token=photographer.access_token
    )
    by_type = {item["eventType"]: item for item in listed["viewer"]["notificationPreferences"]}
    assert by_type["license.created"] == {"eventType": "license.created", "inApp": True, "email": False, "push": True}
    changed = await client.data(
        PREFERENCES,
        {"input": {"preferences": [{"eventType": "license.created", "inApp": True, "email": False, "push": False}]}},
        token=photographer.access_token,
    )
    saved = {item["eventType"]: item for item in changed["updateNotificationPreferences"]["preferences"]}
    assert saved["license.created"]["push"] is False
    # A client that does not know the push channel leaves it as it was.
    await client.data(
        PREFERENCES,
        {"input": {"preferences": [{"eventType": "license.created", "inApp": True, "email": False}]}},
        token=photographer.access_token,
    )
    await subscribe_browser(client, photographer, receiver.endpoint("off"), Browser())
    await background.settle()
    receiver.received.clear()

    await offer(client, brand, await photo_of(services, photographer))
    await background.settle()
    assert receiver.received == []
    assert await pushes(services) == []
    # Still in the app.
    edges = (await client.data(NOTIFICATIONS, token=photographer.access_token))["viewer"]["notifications"]["edges"]
    assert [edge["node"]["eventType"] for edge in edges] == ["license.created"]


async def test_an_expired_subscription_is_removed(client, services, background, parties, receiver):
    brand, photographer = parties
    await subscribe_browser(client, photographer, receiver.endpoint("expired"), Browser())
    await background.settle()
    receiver.script = [410]
    await offer(client, brand, await photo_of(services, photographer))
    await background.settle()
    assert len(receiver.received) == 1
    assert await devices_of(services, photographer) == 0
    assert await pushes(services) == []


async def test_fcm_to_an_android_token(client, services, background, parties, fcm):
    brand, photographer = parties
    registered = await client.data(
        REGISTER, {"input": {"platform": "ANDROID", "token": "fcm-device-1"}}, token=photographer.access_token
    )
    assert registered["registerPushToken"]["ok"] is True
    await background.settle()

    offered = await offer(client, brand, await photo_of(services, photographer))
    await background.settle()
    [message] = fcm.messages
    sent = message["message"]
    assert sent["token"] == "fcm-device-1"
    assert sent["notification"] == {"title": "Lensgraph", "body": "A new license offer was made."}
    assert sent["data"]["eventType"] == "license.created"
    assert json.loads(sent["data"]["data"])["licenseId"] == offered["license"]["id"]
    assert all(isinstance(value, str) for value in sent["data"].values())  # FCM data is strings only
    [send] = [request for request in fcm.requests if request.path.endswith("messages:send")]
    assert send.path == f"/v1/projects/{fcm.project_id}/messages:send"
    assert send.headers["authorization"] == f"Bearer {fcm.issued[0]}"

    # A second push reuses the access token; an uninstalled app's token is removed.
    fcm.unregistered.add("fcm-device-1")
    await offer(client, brand, await photo_of(services, photographer))
    await background.settle()
    assert len(fcm.messages) == 2 and len(fcm.issued) == 1
    assert await devices_of(services, photographer) == 0


@pytest.mark.usefixtures("no_push_credentials")
async def test_without_credentials_tokens_are_kept_and_nothing_is_claimed_sent(client, services, background, parties):
    brand, photographer = parties
    assert (await client.data("{ pushPublicKey }"))["pushPublicKey"] is None
    await client.data(
        REGISTER, {"input": {"platform": "IOS", "token": "apns-via-fcm"}}, token=photographer.access_token
    )
    await offer(client, brand, await photo_of(services, photographer))
    await background.settle()
    [delivery] = await pushes(services)
    assert delivery.status is DeliveryStatus.FAILED and delivery.last_error == "FCM is not configured"
    assert await devices_of(services, photographer) == 1


def _bad_subscriptions(endpoint: str) -> list[tuple[dict, list[str]]]:
    browser = Browser()
    good = {"endpoint": endpoint, "p256dh": browser.p256dh, "auth": b64url(browser.auth)}
    off_curve = b64url(b"\x04" + b"\x01" * 64)
    return [
        ({**good, "p256dh": off_curve}, ["webPush", "p256dh"]),
        ({**good, "p256dh": browser.p256dh[:-4]}, ["webPush", "p256dh"]),
        ({**good, "p256dh": "not base64!"}, ["webPush", "p256dh"]),
        ({**good, "auth": b64url(b"short")}, ["webPush", "auth"]),
        ({**good, "endpoint": "ftp://push.example.com/x"}, ["webPush", "endpoint"]),
    ]


async def test_bad_subscriptions_are_refused_and_nothing_is_stored(client, services, parties):
    _, photographer = parties
    for web_push, field in _bad_subscriptions("https://push.example.com/ok"):
        data = await client.data(
            REGISTER, {"input": {"platform": "WEB", "webPush": web_push}}, token=photographer.access_token
        )
        errors = data["registerPushToken"]["userErrors"]
        assert [(error["field"], error["code"]) for error in errors] == [(field, "INVALID_INPUT")], web_push
    missing = await client.data(REGISTER, {"input": {"platform": "WEB"}}, token=photographer.access_token)
    assert missing["registerPushToken"]["userErrors"][0]["code"] == "INVALID_INPUT"
    assert await devices_of(services, photographer) == 0


@pytest.mark.usefixtures("strict_outbound")
async def test_a_plain_http_or_private_endpoint_is_refused_in_production(client, services, parties):
    _, photographer = parties
    browser = Browser()
    for endpoint in ("http://push.example.com/x", "https://127.0.0.1/x", "https://10.0.0.1/x"):
        refused = await subscribe_browser(client, photographer, endpoint, browser)
        assert [error["code"] for error in refused["userErrors"]] == ["INVALID_INPUT"], endpoint
    accepted = await subscribe_browser(client, photographer, "https://fcm.googleapis.com/fcm/send/abc", browser)
    assert accepted == {"ok": True, "userErrors": []}
    assert await devices_of(services, photographer) == 1


async def _settled_attempt(services) -> PushDelivery:
    """The delivery once its first attempt is recorded (a retry, if any, waits its backoff: not awaited here)."""
    for _ in range(200):
        found = await pushes(services)
        if found and found[0].attempt_count == 1 and found[0].leased_until is None:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError("the push was not attempted")


@pytest.mark.parametrize(("status", "expected"), [(503, DeliveryStatus.PENDING), (400, DeliveryStatus.FAILED)])
async def test_a_5xx_is_retried_later_and_a_4xx_is_not(
    client, services, background, parties, receiver, status, expected
):
    brand, photographer = parties
    await subscribe_browser(client, photographer, receiver.endpoint("flaky"), Browser())
    await background.settle()
    receiver.script = [status]
    await offer(client, brand, await photo_of(services, photographer))
    await services.relay.run_once()
    delivery = await _settled_attempt(services)
    assert delivery.status is expected and delivery.response_status == status
    assert await devices_of(services, photographer) == 1  # kept either way


async def test_a_device_registered_again_by_another_account_gets_nothing_queued_before(client, services, fcm):
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER")
    stranger = await sign_up(client)
    register = {"input": {"platform": "ANDROID", "token": "second-hand-phone"}}
    await client.data(REGISTER, register, token=photographer.access_token)
    await offer(client, brand, await photo_of(services, photographer))
    await services.relay.run_once()  # the push is queued; no worker runs yet
    await client.data(REGISTER, register, token=stranger.access_token)  # the phone changes hands
    await services.jobs.start()
    try:
        await asyncio.to_thread(services.jobs.broker.join, "default", timeout=30_000)
    finally:
        await services.jobs.stop()
    assert fcm.messages == []
    [delivery] = await pushes(services)
    assert delivery.status is DeliveryStatus.FAILED
