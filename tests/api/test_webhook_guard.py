"""The SSRF guard, with LENSGRAPH_WEBHOOKS_ALLOW_PRIVATE off as in production."""

from __future__ import annotations

import pytest

from lensgraph.adapters import webhook_http
from lensgraph.config import Settings
from lensgraph.domain.webhooks import all_public
from tests.api.helpers import sign_up
from tests.api.test_webhooks import CREATE
from tests.api.webhook_receiver import Receiver


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhooks_allow_private": False})


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/hook",
        "http://localhost./hook",
        "http://[::1]/hook",
        "http://[::ffff:10.0.0.1]/hook",
        "https://10.0.0.5/hook",
        "https://192.168.1.10/hook",
        "http://0.0.0.0/hook",
    ],
)
async def test_private_targets_are_refused_at_registration(client, url):
    owner = await sign_up(client)
    refused = await client.data(
        CREATE, {"input": {"url": url, "events": ["api_key.created"]}}, token=owner.access_token
    )
    assert refused["createWebhookEndpoint"]["userErrors"][0]["field"] == ["url"]
    assert refused["createWebhookEndpoint"]["userErrors"][0]["code"] == "INVALID_INPUT"


async def test_public_targets_are_accepted(client):
    owner = await sign_up(client)
    accepted = await client.data(
        CREATE,
        {"input": {"url": "https://hooks.example.com/lensgraph", "events": ["api_key.created"]}},
        token=owner.access_token,
    )
    assert accepted["createWebhookEndpoint"]["userErrors"] == []


async def test_a_name_resolving_to_loopback_is_refused_when_sending():
    receiver = Receiver()
    receiver.start()
    try:
        with pytest.raises(webhook_http.AddressNotAllowed):
            await webhook_http.post(
                f"http://localhost:{receiver.port}/hook",
                b"{}",
                {},
                allow_private=False,
                timeout_seconds=2,
            )
        assert receiver.received == []
    finally:
        receiver.stop()


def test_every_resolved_address_must_be_public():
    assert all_public(["93.184.216.34"])
    assert all_public(["2606:2800:220:1:248:1893:25c8:1946"])
    assert not all_public(["93.184.216.34", "10.1.2.3"])
    assert not all_public(["169.254.169.254"])
    assert not all_public(["::ffff:127.0.0.1"])
    assert not all_public(["100.64.0.1"])
    assert not all_public([])
