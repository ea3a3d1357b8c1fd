"""Browsers on another origin (CORS): preflights and answers for listed origins only, on /graphql and /files."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from lensgraph.adapters.storage import SAFETY_HEADERS
from lensgraph.app import create_app
from lensgraph.app.services import Services
from lensgraph.config import Settings
from tests.api.helpers import sign_up
from tests.api.images import photo_jpeg
from tests.api.test_photos import CONFIRM, request_upload

APP = "https://app.example.com"
STRANGER = "https://evil.example"
QUERY = {"query": "{ viewer { emailVerified } }"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"cors_origins": [APP, "http://localhost:5173"]})


def preflight(origin: str, method: str = "POST", headers: str = "authorization, content-type") -> dict[str, str]:
    return {"origin": origin, "access-control-request-method": method, "access-control-request-headers": headers}


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name.startswith("access-control-")}


def is_safe(response: httpx.Response) -> bool:
    """Carries the headers every /files answer carries (no sniffing, nothing runs)."""
    return all(response.headers.get(name) == value for name, value in SAFETY_HEADERS.items())


def listed(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",")}


async def test_a_listed_origin_gets_its_preflight_answered(client):
    headers = "authorization, content-type, x-api-key, idempotency-key, x-gallery-token"
    answer = await client.http.options("/graphql", headers=preflight(APP, headers=headers))
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == APP
    assert {"get", "post"} <= listed(answer.headers["access-control-allow-methods"])
    assert listed(headers) <= listed(answer.headers["access-control-allow-headers"])
    assert answer.headers["access-control-max-age"] == "600"
    assert "origin" in listed(answer.headers["vary"])
    # Bearer tokens, not cookies: credentials mode is off unless LENSGRAPH_CORS_ALLOW_CREDENTIALS says so.
    assert "access-control-allow-credentials" not in answer.headers


async def test_a_listed_origin_reads_the_answer_and_the_headers_it_needs(client):
    account = await sign_up(client)
    answer = await client.http.post(
        "/graphql", json=QUERY, headers={"origin": APP, "authorization": f"Bearer {account.access_token}"}
    )
    assert answer.status_code == 200 and answer.json()["data"]["viewer"] == {"emailVerified": False}
    assert answer.headers["access-control-allow-origin"] == APP
    exposed = listed(answer.headers["access-control-expose-headers"])
    assert {"x-request-id", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "retry-after"} <= exposed
    assert "origin" in listed(answer.headers["vary"])
    assert "access-control-allow-credentials" not in answer.headers


async def test_another_origin_learns_nothing_of_the_policy(client):
    refused = await client.http.options("/graphql", headers=preflight(STRANGER))
    assert refused.status_code == 400 and cors_headers(refused) == {}
    # The request itself still runs (CORS is the browser's to enforce) but its page cannot read the answer.
    answer = await client.http.post("/graphql", json=QUERY, headers={"origin": STRANGER})
    assert answer.status_code == 200 and cors_headers(answer) == {}
    assert "origin" in listed(answer.headers["vary"])
    # The origin must match exactly: no suffix or scheme tricks.
    for almost in ("https://app.example.com.evil.example", "http://app.example.com", "null"):
        assert cors_headers(await client.http.options("/graphql", headers=preflight(almost))) == {}


async def test_a_method_or_header_outside_the_policy_is_refused(client):
    assert (await client.http.options("/graphql", headers=preflight(APP, method="DELETE"))).status_code == 400
    unknown_header = await client.http.options("/graphql", headers=preflight(APP, headers="x-secret-admin"))
    assert unknown_header.status_code == 400


async def test_a_rate_limited_answer_tells_the_page_when_to_retry(settings):
    async with app_client(settings.model_copy(update={"request_rate_limit": "1/minute"})) as http:
        await http.post("/graphql", json=QUERY, headers={"origin": APP})
        limited = await http.post("/graphql", json=QUERY, headers={"origin": APP})
    assert limited.status_code == 429 and limited.headers["retry-after"]
    assert limited.headers["access-control-allow-origin"] == APP
    assert "retry-after" in listed(limited.headers["access-control-expose-headers"])


async def test_a_browser_uploads_to_and_downloads_from_files_across_origins(client):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    data = photo_jpeg()
    target = await request_upload(client, owner, data)
    asked = await client.http.options(target["uploadUrl"], headers=preflight(APP, method="PUT", headers="content-type"))
    assert asked.status_code == 200 and asked.headers["access-control-allow-origin"] == APP
    assert "put" in listed(asked.headers["access-control-allow-methods"])
    assert "content-type" in listed(asked.headers["access-control-allow-headers"])
    assert is_safe(asked)

    sent = await client.http.put(target["uploadUrl"], content=data, headers={**target["headers"], "origin": APP})
    assert sent.status_code == 200 and sent.headers["access-control-allow-origin"] == APP
    assert is_safe(sent)
    confirmed = await client.data(
        CONFIRM, {"input": {"uploadId": target["uploadId"], "title": "Dusk"}}, token=owner.access_token
    )
    photo_id = confirmed["confirmPhotoUpload"]["photo"]["id"]
    query = "query($id: ID!) { node(id: $id) { ... on Photo { originalUrl } } }"
    url = (await client.data(query, {"id": photo_id}, token=owner.access_token))["node"]["originalUrl"]

    fetched = await client.http.get(url, headers={"origin": APP})
    assert fetched.status_code == 200 and fetched.content == data
    assert fetched.headers["access-control-allow-origin"] == APP
    assert "content-disposition" in listed(fetched.headers["access-control-expose-headers"])
    assert is_safe(fetched)

    elsewhere = await client.http.options(url, headers=preflight(STRANGER, method="PUT", headers="content-type"))
    assert elsewhere.status_code == 400 and cors_headers(elsewhere) == {}
    assert is_safe(elsewhere)


@pytest.mark.parametrize("path", ["/hooks/stripe", "/metrics", "/verify-email", "/reset-password", "/healthz"])
async def test_routes_that_are_not_for_other_origins_send_no_cors_headers(client, path):
    asked = await client.http.options(path, headers=preflight(APP))
    assert asked.status_code == 405 and cors_headers(asked) == {}
    opened = await client.http.get(path, headers={"origin": APP})
    assert cors_headers(opened) == {}


@contextlib.asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app built from these settings (the ``client`` fixture's app uses the module's)."""
    services = Services(settings)
    transport = httpx.ASGITransport(app=create_app(settings, services=services))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
    finally:
        await services.close()


@pytest.fixture
async def credentialed(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(settings.model_copy(update={"cors_allow_credentials": True})) as http:
        yield http


async def test_credentials_are_allowed_to_listed_origins_only_when_turned_on(credentialed):
    asked = await credentialed.options("/graphql", headers=preflight(APP))
    assert asked.headers["access-control-allow-credentials"] == "true"
    assert asked.headers["access-control-allow-origin"] == APP
    answer = await credentialed.post("/graphql", json=QUERY, headers={"origin": APP})
    assert answer.headers["access-control-allow-credentials"] == "true"
    assert answer.headers["access-control-allow-origin"] == APP
    stranger = await credentialed.post("/graphql", json=QUERY, headers={"origin": STRANGER})
    assert cors_headers(stranger) == {}


async def test_cors_follows_the_websocket_origins_unless_set(settings):
    websocket_origins = {"allowed_origins": ["https://studio.example"], "cors_origins": None}
    derived = Settings.model_validate({**settings.model_dump(), **websocket_origins})
    assert derived.cors_origins == ["https://studio.example"]
    async with app_client(derived) as http:
        asked = await http.options("/graphql", headers=preflight("https://studio.example"))
    assert asked.status_code == 200 and asked.headers["access-control-allow-origin"] == "https://studio.example"
    async with app_client(derived.model_copy(update={"cors_origins": []})) as http:
        asked = await http.options("/graphql", headers=preflight("https://studio.example"))
    assert asked.status_code == 405 and cors_headers(asked) == {}
