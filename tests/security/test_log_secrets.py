"""No secret the server hands out reaches its log: a real ``lensgraph serve`` runs a full flow (registration,
the mailed links, a password reset, refresh tokens, API keys, a photo upload and its file URLs, a webhook whose
URL carries a token, an offline checkout), then its whole output, access log included, is searched for every
secret the flow was given."""

from __future__ import annotations

import asyncio
import email
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from lensgraph.adapters.logs import redact_secrets
from tests.api.webhook_receiver import Receiver
from tests.e2e.conftest import Server, running_server
from tests.e2e.test_live_updates import OFFER, TERMS, upload_photo
from tests.e2e.test_payments_offline import ACCEPT, CHECKOUT, ORIGINAL, SIGN
from tests.e2e.test_subscriptions import BRAND, PHOTOGRAPHER, TIMEOUT, login

PASSWORD = "first password 123"
NEW_PASSWORD = "second password 456"
REGISTER = """mutation($input: RegisterInput!) { register(input: $input) { userErrors { code } } }"""
LOGIN = """mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken userErrors { code } } }"""
REFRESH = """mutation($input: RefreshTokenInput!) {
  refreshToken(input: $input) { accessToken refreshToken userErrors { code } } }"""
RESET = """mutation($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) { ok } }"""
CREATE_KEY = """mutation { createApiKey(input: {description: "logs"}) { rawKey userErrors { code } } }"""
CREATE_WEBHOOK = """mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { signingSecret userErrors { code message } } }"""
PHOTO = "query($id: ID!) { node(id: $id) { ... on Photo { status thumbnailUrl previewUrl originalUrl } } }"
LINK = re.compile(r"https?://\S+")
# A signed link's plain parts: operation, expiry, size limit, served type and disposition.
NOT_SECRET = frozenset({"op", "exp", "max", "ct", "cd"})


class Flow:
    """Talks to the server and keeps every secret it is given."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.secrets: set[str] = set()

    async def data(self, query: str, variables: dict[str, Any] | None = None, **headers: str) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.server.base_url, timeout=TIMEOUT) as http:
            answer = await http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        body = answer.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def keep(self, *secrets: str | None) -> None:
        self.secrets.update(secret for secret in secrets if secret)

    def keep_url(self, url: str | None) -> str | None:
        """The secrets of a link are the values in its query string (tokens, signatures)."""
        if url:
            self.keep(
                *(
                    value
                    for name, value in parse_qsl(urlsplit(url).query)
                    if name not in {"op", "exp", "max", "ct", "cd"}
                )
            )
        return url

    async def open(self, url: str, method: str = "GET", **kwargs: Any) -> httpx.Response:
        self.keep_url(url)
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            return await http.request(method, url, **kwargs)

    async def mailed_link(self, address: str, path: str) -> str:
        folder = self.server.folder / "data" / "mail"
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for saved in sorted(folder.glob("*.eml")) if folder.exists() else []:
                message = email.message_from_bytes(saved.read_bytes())
                text = message.get_payload(decode=True).decode()
                if message["To"] == address:
                    links = [link for link in LINK.findall(text) if urlsplit(link).path == path]
                    if links:
                        return links[-1]
            await asyncio.sleep(0.1)
        raise AssertionError(f"no mail to {address} links to {path}")


async def run_account_flow(flow: Flow) -> None:
    email = "logs@example.com"
    registered = await flow.data(
        REGISTER,
        {
            "input": {
                "email": email,
                "password": PASSWORD,
                "role": "PHOTOGRAPHER",
                "firstName": "Lo",
                "lastName": "Gs",
                "username": "logs",
            }
        },
    )
    assert registered["register"]["userErrors"] == []
    flow.keep(PASSWORD, NEW_PASSWORD)
    verify = await flow.mailed_link(email, "/verify-email")
    assert (await flow.open(verify)).status_code == 200

    assert (await flow.data(RESET, {"input": {"email": email}}))["requestPasswordReset"]["ok"]
    reset = await flow.mailed_link(email, "/reset-password")
    assert (await flow.open(reset)).status_code == 200
    token = dict(parse_qsl(urlsplit(reset).query))["token"]
    changed = await flow.open(
        f"{flow.server.base_url}/reset-password", "POST", data={"token": token, "password": NEW_PASSWORD}
    )
    assert changed.status_code == 200, changed.text

    signed_in = (await flow.data(LOGIN, {"input": {"email": email, "password": NEW_PASSWORD}}))["login"]
    refreshed = (await flow.data(REFRESH, {"input": {"refreshToken": signed_in["refreshToken"]}}))["refreshToken"]
    flow.keep(signed_in["accessToken"], signed_in["refreshToken"], refreshed["accessToken"], refreshed["refreshToken"])
    raw_key = (await flow.data(CREATE_KEY, Authorization=f"Bearer {refreshed['accessToken']}"))["createApiKey"][
        "rawKey"
    ]
    flow.keep(raw_key)
    assert (await flow.data("{ viewer { user { username } } }", **{"X-API-Key": raw_key}))["viewer"]["user"]


async def run_photo_and_payment_flow(flow: Flow, receiver: Receiver) -> None:
    photographer = await login(flow.server, PHOTOGRAPHER)
    brand = await login(flow.server, BRAND)
    flow.keep(photographer.access_token, brand.access_token)
    as_photographer = {"Authorization": f"Bearer {photographer.access_token}"}
    as_brand = {"Authorization": f"Bearer {brand.access_token}"}

    hook_token = "hook-query-secret-7f3a9c"
    webhook = await flow.data(
        CREATE_WEBHOOK,
        {"input": {"url": receiver.url(f"/hook?token={hook_token}"), "events": ["license.accepted"]}},
        **as_photographer,
    )
    assert webhook["createWebhookEndpoint"]["userErrors"] == []
    flow.keep(hook_token, webhook["createWebhookEndpoint"]["signingSecret"])

    photo_id = await upload_photo(flow.server, photographer.access_token)
    deadline = time.monotonic() + 30
    photo = (await flow.data(PHOTO, {"id": photo_id}, **as_photographer))["node"]
    while photo["status"] != "READY" and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        photo = (await flow.data(PHOTO, {"id": photo_id}, **as_photographer))["node"]
    assert photo["status"] == "READY"
    for name in ("thumbnailUrl", "previewUrl", "originalUrl"):
        assert (await flow.open(photo[name])).status_code == 200

    offered = await flow.data(OFFER, {"input": {"photoId": photo_id, "terms": TERMS}}, **as_brand)
    license_id = offered["createLicenseOffer"]["license"]["id"]
    accepted = await flow.data(ACCEPT, {"input": {"licenseId": license_id}}, **as_photographer)
    contract_id = accepted["acceptLicenseOffer"]["contract"]["id"]
    for headers, name in ((as_brand, "Jane Brand"), (as_photographer, "Ann Photographer")):
        signed = await flow.data(SIGN, {"input": {"contractId": contract_id, "signatureName": name}}, **headers)
        assert signed["signContract"]["userErrors"] == []
    checkout_url = (await flow.data(CHECKOUT, {"input": {"licenseId": license_id}}, **as_brand))[
        "createLicenseCheckout"
    ]["checkoutUrl"]
    assert (await flow.open(checkout_url)).status_code == 200
    assert (await flow.open(checkout_url, "POST", follow_redirects=True)).status_code == 200
    deadline = time.monotonic() + 30
    original = (await flow.data(ORIGINAL, {"id": license_id}, **as_brand))["node"]["originalDownloadUrl"]
    while original is None and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        original = (await flow.data(ORIGINAL, {"id": license_id}, **as_brand))["node"]["originalDownloadUrl"]
    assert (await flow.open(original)).status_code == 200
    for _ in range(150):
        if receiver.received:
            break
        await asyncio.sleep(0.2)
    assert receiver.received, "the webhook was not delivered"


def test_redaction_keeps_the_url_and_drops_the_secret_values():
    url = "http://h/files/a.jpg?op=get&exp=1&sig=abc123&X-Amz-Signature=def&token=t0k"
    assert redact_secrets(f"GET {url} 200") == (
        "GET http://h/files/a.jpg?op=get&exp=1&sig=REDACTED&X-Amz-Signature=REDACTED&token=REDACTED 200"
    )


async def test_a_full_flow_leaves_no_secret_in_the_servers_log(tmp_path: Path):
    receiver = Receiver()
    receiver.start()
    try:
        with running_server(tmp_path, LENSGRAPH_WEBHOOKS_ALLOW_PRIVATE="true") as server:
            flow = Flow(server)
            await run_account_flow(flow)
            await run_photo_and_payment_flow(flow, receiver)
            await asyncio.sleep(0.5)  # the last access log lines
            log = server.log()
    finally:
        receiver.stop()
    assert len(flow.secrets) > 15
    leaked = [secret for secret in flow.secrets if secret in log]
    assert not leaked, f"{len(leaked)} of the {len(flow.secrets)} secrets handed out are in the log"
    # The flow did reach the log: its requests are in the access log, their secrets redacted.
    assert '"GET /verify-email?token=REDACTED HTTP/1.1" 200' in log
    assert "/payments/offline/" in log and "sig=REDACTED" in log


async def test_the_access_log_can_be_left_to_a_proxy_in_front(tmp_path: Path):
    with running_server(tmp_path, LENSGRAPH_ACCESS_LOG="false") as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=TIMEOUT) as http:
            answered = await http.post("/graphql", json={"query": "{ __typename }"})
        await asyncio.sleep(0.5)
        log = server.log()
    assert answered.status_code == 200
    assert "POST /graphql" not in log
    assert "Application startup complete" in log  # the server's own lines are still written
