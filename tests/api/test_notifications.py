"""Events become in-app notifications and emails, once, according to each person's preferences."""

from __future__ import annotations

from sqlalchemy import func, select

from lensgraph.persistence.models import Notification, OutboxEvent
from tests.api.helpers import PASSWORD, sign_in, sign_up, subscribe
from tests.api.test_api_keys import create_key

NOTIFICATIONS = """
query($unreadOnly: Boolean) {
  viewer {
    unreadNotificationCount
    notifications(unreadOnly: $unreadOnly, first: 10) {
      totalCount edges { node { id eventType message data read } }
    }
  }
}"""
PREFERENCES = """mutation($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { preferences { eventType inApp email } userErrors { field code } } }"""


async def notifications_of(client, account, unread_only=False):
    return (await client.data(NOTIFICATIONS, {"unreadOnly": unread_only}, token=account.access_token))["viewer"]


async def test_an_event_notifies_its_audience_only(client, background):
    owner = await sign_up(client)
    stranger = await sign_up(client)
    key = await create_key(client, owner.access_token)
    await background.settle()

    mine = await notifications_of(client, owner)
    assert mine["unreadNotificationCount"] == 1
    node = mine["notifications"]["edges"][0]["node"]
    assert node["eventType"] == "api_key.created" and node["read"] is False
    assert node["data"]["prefix"] == key["apiKey"]["prefix"]
    assert (await notifications_of(client, stranger))["notifications"]["totalCount"] == 0


async def test_mark_read_and_mark_all_read(client, background):
    owner = await sign_up(client)
    stranger = await sign_up(client)
    # Three notifications: the subscription starting, then two API keys.
    await subscribe(client, owner, "photographer-basic")
    for _ in range(2):
        await create_key(client, owner.access_token)
    await background.settle()
    edges = (await notifications_of(client, owner))["notifications"]["edges"]
    first_id = edges[0]["node"]["id"]

    mark = """mutation($id: ID!) { markNotificationRead(input: {id: $id}) {
      notification { read } userErrors { field code } } }"""
    theirs = await client.data(mark, {"id": first_id}, token=stranger.access_token)
    assert theirs["markNotificationRead"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]
    done = await client.data(mark, {"id": first_id}, token=owner.access_token)
    assert done["markNotificationRead"] == {"notification": {"read": True}, "userErrors": []}
    unread = await notifications_of(client, owner, unread_only=True)
    assert unread["unreadNotificationCount"] == 2 and unread["notifications"]["totalCount"] == 2

    everything = await client.data("mutation { markAllNotificationsRead { markedCount } }", token=owner.access_token)
    assert everything["markAllNotificationsRead"]["markedCount"] == 2
    assert (await notifications_of(client, owner))["unreadNotificationCount"] == 0


async def test_relay_dispatches_each_event_once_even_when_run_again(client, services, background):
    owner = await sign_up(client)
    await create_key(client, owner.access_token)
    await background.settle()
    # A second relay (another API node, or this one after a restart) finds nothing left to do.
    assert await services.relay.run_once() == 0
    async with services.db.session() as session:
        total = await session.scalar(select(func.count()).select_from(Notification))
        pending = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None))
        )
    assert total == 1 and pending == 0


async def test_events_committed_while_the_relay_was_down_are_delivered_later(client, services, background):
    services.db.on_events = None  # as if no relay were running in this process
    owner = await sign_up(client)
    await create_key(client, owner.access_token)
    await create_key(client, owner.access_token)
    assert (await notifications_of(client, owner))["notifications"]["totalCount"] == 0
    await background.settle()
    assert (await notifications_of(client, owner))["notifications"]["totalCount"] == 2


async def test_preferences_choose_channels(client, background, inbox):
    owner = await sign_up(client, email="prefs@example.com")
    listed = await client.data(
        "{ viewer { notificationPreferences { eventType inApp email } } }", token=owner.access_token
    )
    by_type = {item["eventType"]: item for item in listed["viewer"]["notificationPreferences"]}
    assert by_type["license.countered"] == {"eventType": "license.countered", "inApp": True, "email": False}
    assert by_type["api_key.created"]["email"] is True  # security notices always go by email
    assert "user.registered" not in by_type and "webhook.test" not in by_type

    off = await client.data(
        PREFERENCES,
        {"input": {"preferences": [{"eventType": "api_key.created", "inApp": False, "email": False}]}},
        token=owner.access_token,
    )
    saved = {item["eventType"]: item for item in off["updateNotificationPreferences"]["preferences"]}
    assert saved["api_key.created"] == {"eventType": "api_key.created", "inApp": False, "email": True}

    await background.settle()  # the registration's mail, out of the way
    inbox.messages.clear()
    await create_key(client, owner.access_token)
    await background.settle()
    assert (await notifications_of(client, owner))["notifications"]["totalCount"] == 0
    mailed = [message for message in inbox.messages if message["To"] == "prefs@example.com"]
    assert len(mailed) == 1 and "API key" in mailed[0]["Subject"]


async def test_opting_into_email_for_an_event(client, background, inbox):
    owner = await sign_up(client, email="optin@example.com")
    change = """mutation($input: ChangePasswordInput!) { changePassword(input: $input) { userErrors { code } } }"""
    await client.data(
        PREFERENCES,
        {"input": {"preferences": [{"eventType": "password.changed", "inApp": True, "email": True}]}},
        token=owner.access_token,
    )
    await background.settle()  # the registration's mail, out of the way
    inbox.messages.clear()
    await client.data(
        change,
        {"input": {"currentPassword": PASSWORD, "newPassword": "another long password"}},
        token=owner.access_token,
    )
    await background.settle()
    assert [message["To"] for message in inbox.messages] == ["optin@example.com"]
    # A new password ends every session, access tokens included.
    owner.access_token = await sign_in(client, owner.email, "another long password")
    assert (await notifications_of(client, owner))["notifications"]["edges"][0]["node"][
        "eventType"
    ] == "password.changed"


async def test_bad_preference_input(client):
    owner = await sign_up(client)
    for event_type in ("no.such.event", "user.registered"):
        refused = await client.data(
            PREFERENCES,
            {"input": {"preferences": [{"eventType": event_type, "inApp": True, "email": True}]}},
            token=owner.access_token,
        )
        assert refused["updateNotificationPreferences"]["userErrors"] == [
            {"field": ["eventType"], "code": "INVALID_INPUT"}
        ]


async def test_push_tokens(client):
    owner = await sign_up(client)
    other = await sign_up(client)
    register = """mutation($token: String!) { registerPushToken(input: {token: $token, platform: IOS}) {
      ok userErrors { field code } } }"""
    unregister = """mutation($token: String!) { unregisterPushToken(input: {token: $token}) {
      ok userErrors { field code } } }"""
    assert (await client.data(register, {"token": "device-1"}, token=owner.access_token))["registerPushToken"]["ok"]
    empty = await client.data(register, {"token": "  "}, token=owner.access_token)
    assert empty["registerPushToken"]["userErrors"] == [{"field": ["token"], "code": "INVALID_INPUT"}]
    stolen = await client.data(unregister, {"token": "device-1"}, token=other.access_token)
    assert stolen["unregisterPushToken"]["userErrors"] == [{"field": ["token"], "code": "NOT_FOUND"}]
    gone = await client.data(unregister, {"token": "device-1"}, token=owner.access_token)
    assert gone["unregisterPushToken"] == {"ok": True, "userErrors": []}


async def test_notification_node_is_private(client, background):
    owner = await sign_up(client)
    stranger = await sign_up(client)
    await create_key(client, owner.access_token)
    await background.settle()
    node_id = (await notifications_of(client, owner))["notifications"]["edges"][0]["node"]["id"]
    query = "query($id: ID!) { node(id: $id) { ... on Notification { eventType } } }"
    assert (await client.data(query, {"id": node_id}, token=owner.access_token))["node"] == {
        "eventType": "api_key.created"
    }
    assert (await client.data(query, {"id": node_id}, token=stranger.access_token))["node"] is None


async def test_notifications_need_a_viewer(client):
    body = await client.execute("{ viewer { unreadNotificationCount } }")
    assert body["data"]["viewer"] is None
    denied = await client.execute("mutation { markAllNotificationsRead { markedCount } }")
    assert denied["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
