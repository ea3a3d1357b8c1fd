"""Idempotent mutations: ``Idempotency-Key`` on POST /graphql, through the ASGI app and the real database."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import func, select, update

from lensgraph.app.services import Services
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Collection, IdempotencyKey
from tests.api.factories import user_key
from tests.api.helpers import LOGIN, PASSWORD, Account, sign_up
from tests.api.payment_flows import CHECKOUT, PAYMENTS, signed_license
from tests.api.test_collections import CREATE
from tests.api.test_licensing import photo_of
from tests.fakes.stripe import StripeFake

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")

VIEWER = "{ viewer { id username } }"


async def keyed(
    client: Any, document: str, variables: dict[str, Any], key: str, account: Account | None = None
) -> httpx.Response:
    response: httpx.Response = await client.post(
        document,
        variables,
        token=account.access_token if account else None,
        headers={"Idempotency-Key": key},
    )
    return response


def create(title: str = "Dunes") -> dict[str, Any]:
    return {"input": {"title": title, "visibility": "PUBLIC"}}


async def collections_of(services: Services, account: Account) -> int:
    async with services.db.session() as session:
        count: int = await session.scalar(
            select(func.count()).select_from(Collection).where(Collection.user_id == user_key(account))
        )
    return count


async def test_a_repeat_replays_the_first_answer_without_running_again(client, services):
    owner = await sign_up(client)
    key = str(uuid4())
    first = await keyed(client, CREATE, create(), key, owner)
    again = await keyed(client, CREATE, create(), key, owner)
    assert first.status_code == again.status_code == 200
    assert first.json()["data"]["createCollection"]["userErrors"] == []
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert await collections_of(services, owner) == 1


async def test_an_answer_with_user_errors_is_kept_too(client, services):
    owner = await sign_up(client)
    key = str(uuid4())
    refused = await keyed(client, CREATE, create(title=""), key, owner)
    assert refused.json()["data"]["createCollection"]["userErrors"]
    again = await keyed(client, CREATE, create(title=""), key, owner)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == refused.content


async def test_the_same_key_with_another_body_is_refused(client, services):
    owner = await sign_up(client)
    key = str(uuid4())
    assert (await keyed(client, CREATE, create("Dunes"), key, owner)).status_code == 200
    other = await keyed(client, CREATE, create("Lisbon"), key, owner)
    assert other.status_code == 422
    assert [error["extensions"]["code"] for error in other.json()["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert "data" not in other.json()
    assert await collections_of(services, owner) == 1


async def test_variables_in_another_key_order_are_the_same_request(client, services):
    owner = await sign_up(client)
    key = str(uuid4())
    await keyed(client, CREATE, {"input": {"title": "Dunes", "visibility": "PUBLIC"}}, key, owner)
    again = await keyed(client, CREATE, {"input": {"visibility": "PUBLIC", "title": "Dunes"}}, key, owner)
    assert again.headers["idempotent-replayed"] == "true"


@pytest.mark.parametrize("rounds", [3])
async def test_concurrent_repeats_run_once_and_all_get_its_answer(client, services, rounds):
    owner = await sign_up(client)
    for _ in range(rounds):
        key = str(uuid4())
        before = await collections_of(services, owner)
        answers = await asyncio.gather(*(keyed(client, CREATE, create(), key, owner) for _ in range(5)))
        assert [answer.status_code for answer in answers] == [200] * 5, [answer.text for answer in answers]
        assert len({answer.content for answer in answers}) == 1
        assert sum(answer.headers.get("idempotent-replayed") == "true" for answer in answers) == 4
        assert await collections_of(services, owner) == before + 1


async def test_keys_are_per_caller(client, services):
    first, second = await sign_up(client), await sign_up(client)
    key = str(uuid4())
    mine = await keyed(client, CREATE, create(), key, first)
    theirs = await keyed(client, CREATE, create(), key, second)
    assert "idempotent-replayed" not in theirs.headers
    assert (
        mine.json()["data"]["createCollection"]["collection"]["id"]
        != (theirs.json()["data"]["createCollection"]["collection"]["id"])
    )
    assert await collections_of(services, first) == await collections_of(services, second) == 1


async def test_queries_ignore_the_header(client, services):
    owner = await sign_up(client)
    for key in ("same", "same", "", "x" * 300):
        answer = await keyed(client, VIEWER, {}, key, owner)
        assert answer.status_code == 200
        assert "idempotent-replayed" not in answer.headers
    async with services.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


@pytest.mark.parametrize("key", ["", "   ", "k" * 256])
async def test_an_empty_or_overlong_key_is_invalid_input(client, services, key):
    owner = await sign_up(client)
    answer = await keyed(client, CREATE, create(), key, owner)
    assert answer.status_code == 400
    assert [error["extensions"]["code"] for error in answer.json()["errors"]] == ["INVALID_INPUT"]
    assert await collections_of(services, owner) == 0


async def test_a_key_of_255_characters_is_taken(client, services):
    owner = await sign_up(client)
    answer = await keyed(client, CREATE, create(), "k" * 255, owner)
    assert answer.json()["data"]["createCollection"]["userErrors"] == []


async def test_an_expired_key_is_a_new_request(client, services):
    owner = await sign_up(client)
    key = str(uuid4())
    await keyed(client, CREATE, create(), key, owner)
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1)))
    again = await keyed(client, CREATE, create(), key, owner)
    assert "idempotent-replayed" not in again.headers
    assert await collections_of(services, owner) == 2
    # And then the new answer is the key's.
    assert (await keyed(client, CREATE, create(), key, owner)).headers["idempotent-replayed"] == "true"


async def test_the_sweep_deletes_expired_keys_only(client, services, background):
    owner = await sign_up(client)
    await keyed(client, CREATE, create("Old"), "old", owner)
    await keyed(client, CREATE, create("New"), "new", owner)
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(
            update(IdempotencyKey).where(IdempotencyKey.key == "old").values(expires_at=utcnow() - timedelta(hours=1))
        )
    background.send("idempotency.purge_expired_keys")
    await background.settle()
    async with services.db.session() as session:
        assert list(await session.scalars(select(IdempotencyKey.key))) == ["new"]


async def test_a_request_still_running_is_waited_for_then_conflicts(client, services, monkeypatch):
    from lensgraph.domain import idempotency

    owner = await sign_up(client)
    key = str(uuid4())
    await keyed(client, CREATE, create(), key, owner)
    # As if the first request were still running (claimed a moment ago, no answer yet).
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(update(IdempotencyKey).values(state="IN_PROGRESS", claimed_at=utcnow()))
    monkeypatch.setattr(idempotency, "WAIT_FOR_FIRST", timedelta(milliseconds=300))
    waited = await keyed(client, CREATE, create(), key, owner)
    assert waited.status_code == 409
    assert [error["extensions"]["code"] for error in waited.json()["errors"]] == ["CONFLICT"]
    # Abandoned (its process died): a repeat takes it over and runs.
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(update(IdempotencyKey).values(claimed_at=utcnow() - timedelta(hours=1)))
    taken = await keyed(client, CREATE, create(), key, owner)
    assert taken.status_code == 200 and "idempotent-replayed" not in taken.headers
    assert await collections_of(services, owner) == 2


async def test_an_invalid_document_keeps_nothing(client, services):
    owner = await sign_up(client)
    key = str(uuid4())
    invalid = await keyed(client, "mutation { createCollection(input: {}) { nope } }", {}, key, owner)
    assert invalid.json()["errors"]
    async with services.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    # So the key is free for the request the client meant.
    assert (await keyed(client, CREATE, create(), key, owner)).json()["data"]["createCollection"]["userErrors"] == []


async def test_anonymous_callers_are_keyed_by_address(client, services):
    account = await sign_up(client)
    login = {"input": {"email": account.email, "password": PASSWORD}}
    # Sign-in hands out tokens, which are never stored: the header is ignored.
    first = await keyed(client, LOGIN, login, "sign-in")
    second = await keyed(client, LOGIN, login, "sign-in")
    assert first.json()["data"]["login"]["accessToken"] != second.json()["data"]["login"]["accessToken"]
    assert "idempotent-replayed" not in second.headers
    register = "mutation($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) { ok } }"
    reset = {"input": {"email": account.email}}
    await keyed(client, register, reset, "reset")
    assert (await keyed(client, register, reset, "reset")).headers["idempotent-replayed"] == "true"
    async with services.db.session() as session:
        callers = list(await session.scalars(select(IdempotencyKey.caller)))
    assert callers == ["address:127.0.0.1"]


async def test_a_crashed_checkout_retried_with_its_key_reuses_the_stripe_session(
    client, services, stripe_fake: StripeFake
):
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER")
    license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
    variables = {"input": {"licenseId": license_id}}
    # Stripe makes the session, and every answer (the library's retries too) is lost: the mutation fails.
    stripe_fake.lose_next_answer("/v1/checkout/sessions")
    for _ in range(2):
        stripe_fake.refuse_next("/v1/checkout/sessions", "An unknown error occurred", status=500)
    crashed = await keyed(client, CHECKOUT, variables, "pay-once", brand)
    assert [error["extensions"]["code"] for error in crashed.json()["errors"]] == ["INTERNAL"]
    assert len(stripe_fake.sessions) == 1
    retried = await keyed(client, CHECKOUT, variables, "pay-once", brand)
    payload = retried.json()["data"]["createLicenseCheckout"]
    assert payload["userErrors"] == []
    assert "idempotent-replayed" not in retried.headers
    assert len(stripe_fake.sessions) == 1
    (session,) = stripe_fake.sessions.values()
    assert session["url"] == payload["checkoutUrl"]
    keys = {call.headers["idempotency-key"] for call in stripe_fake.calls("POST", "/v1/checkout/sessions")}
    assert len(keys) == 1 and next(iter(keys)).startswith("checkout-")
    again = await keyed(client, CHECKOUT, variables, "pay-once", brand)
    assert again.headers["idempotent-replayed"] == "true"
    assert len(stripe_fake.sessions) == 1
    assert (await client.data(PAYMENTS, token=brand.access_token))["viewer"]["payments"]["totalCount"] == 1


async def test_a_checkout_without_a_key_keeps_its_own_stripe_key(client, services, stripe_fake: StripeFake):
    brand, photographer = await sign_up(client, role="BRAND"), await sign_up(client, role="PHOTOGRAPHER")
    license_id = await signed_license(client, brand, photographer, await photo_of(services, photographer))
    opened = await client.data(CHECKOUT, {"input": {"licenseId": license_id}}, token=brand.access_token)
    (call,) = stripe_fake.calls("POST", "/v1/checkout/sessions")
    assert not call.headers["idempotency-key"].startswith("checkout-")
    assert opened["createLicenseCheckout"]["userErrors"] == []


async def test_the_mutation_is_parsed_once_for_the_key_and_its_run(client, services):
    from lensgraph.schema.extensions import PARSE_CACHE_SIZE, ParseCache

    owner = await sign_up(client)
    cache = ParseCache(maxsize=PARSE_CACHE_SIZE).cached_parse_document
    document = CREATE + f" # {uuid4()}"  # a text never parsed before
    before = cache.cache_info()
    await keyed(client, document, create(), str(uuid4()), owner)
    after = cache.cache_info()
    assert after.misses - before.misses == 1
    assert after.hits > before.hits


REQUEST_UPLOAD = """mutation($input: RequestUploadInput!) {
  requestUpload(input: $input) { uploadId uploadUrl userErrors { code } } }"""


async def test_a_mutation_answering_a_secret_ignores_the_key_and_keeps_nothing(client, services):
    """An upload URL is a bearer secret, shown once: the answer is not kept, so a repeat asks for a new one."""
    owner = await sign_up(client)
    key = str(uuid4())
    variables = {"input": {"purpose": "PHOTO", "filename": "dunes.jpg", "mimeType": "image/jpeg", "fileSizeBytes": 100}}
    first = await keyed(client, REQUEST_UPLOAD, variables, key, owner)
    again = await keyed(client, REQUEST_UPLOAD, variables, key, owner)
    assert "idempotent-replayed" not in again.headers
    assert first.json()["data"]["requestUpload"]["uploadId"] != again.json()["data"]["requestUpload"]["uploadId"]
    async with services.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
