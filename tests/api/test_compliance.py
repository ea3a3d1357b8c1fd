"""GDPR through the API: exports (Article 20), account deletion after a grace period (Article 17), consents.

Time is moved, never slept: the deletion sweep reads the clock through ``lensgraph.jobs.compliance.utcnow``.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from datetime import timedelta
from typing import Any
from uuid import UUID

import orjson
import pytest
from sqlalchemy import JSON, String, Text, select

from lensgraph.domain.compliance import pseudonym
from lensgraph.persistence import compliance as rules
from lensgraph.persistence.base import Base, utcnow
from lensgraph.persistence.models import Client, Invoice, Photo
from tests.api.factories import ready_photos, user_key
from tests.api.helpers import PASSWORD, sign_up
from tests.api.invoice_flows import SUBJECT_PREFIX, confirm, create_invoice, new_client
from tests.api.invoice_flows import pay as pay_invoice
from tests.api.invoice_flows import send as send_invoice
from tests.api.payment_flows import pay, signed_license
from tests.api.test_api_keys import WHO, create_key
from tests.api.test_licensing import photo_of
from tests.api.test_webhooks import create_endpoint

EXPORT = "mutation { requestDataExport { dataRequest { id kind status } userErrors { field code message } } }"
DELETE = """mutation { requestAccountDeletion {
  dataRequest { id kind status dueAt } userErrors { field code message } } }"""
CANCEL = "mutation { cancelAccountDeletion { dataRequest { id status } userErrors { field code message } } }"
CONSENT = """mutation($input: UpdateConsentInput!) { updateConsent(input: $input) {
  consent { marketingEmails productAnalytics thirdPartySharing givenAt } userErrors { field code message } } }"""
REQUESTS = """{ viewer {
  dataRequests { totalCount edges { node { id kind status dueAt completedAt cancelledAt downloadUrl } } }
  consent { marketingEmails productAnalytics thirdPartySharing givenAt }
  consentHistory { totalCount edges { node { marketingEmails productAnalytics thirdPartySharing } } } } }"""
NODE = "query($id: ID!) { node(id: $id) { ... on DataRequest { id status downloadUrl } } }"
LOGIN = """mutation($input: LoginInput!) { login(input: $input) { accessToken userErrors { field code message } } }"""
REFRESH = """mutation($token: String!) {
  refreshToken(input: {refreshToken: $token}) { accessToken userErrors { field code message } } }"""
HOOK = "http://127.0.0.1:9/hooks"
EXPORT_SUBJECT = "Lensgraph: your data export is ready"
# The deleting person's own names, unlike the helpers' default "Ada Lovelace", so a search for them is exact.
PERSON = {"firstName": "Zelda", "lastName": "Quintrell"}


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def originals(services, owner, count: int) -> list[tuple[UUID, str, bytes]]:
    """READY photos whose original (and thumbnail) are in storage: (id, original key, its bytes)."""
    made = []
    for photo_id in await ready_photos(services, owner, count):
        async with services.db.session() as session:
            photo = await session.get(Photo, photo_id)
            original_key = photo.original_key
        content = b"\xff\xd8original of " + str(photo_id).encode()
        await services.storage.write(original_key, content, content_type="image/jpeg")
        thumbnail_key = f"photos/{photo_id}/thumbnail.jpg"
        await services.storage.write(thumbnail_key, b"\xff\xd8thumb", content_type="image/jpeg")
        async with services.db.unit_of_work() as uow:
            (await uow.session.get(Photo, photo_id)).thumbnail_key = thumbnail_key
        made.append((photo_id, original_key, content))
    return made


async def download(client, url: str):
    return await client.http.get(url.removeprefix("http://testserver"))


# Every table has a rule ----------------------------------------------------------------------------------


def test_every_table_of_the_schema_has_an_export_and_deletion_rule():
    tables = {table.name for table in Base.metadata.sorted_tables}
    missing = sorted(tables - set(rules.RULES))
    assert missing == [], f"add a rule to persistence/compliance.py RULES for: {missing}"
    assert sorted(set(rules.RULES) - tables) == []
    for name, rule in rules.RULES.items():
        # A table that is someone's says how to find their rows, through columns and parents that exist.
        if rule.erasure is not rules.Erasure.NOT_PERSONAL:
            assert rule.owner is not None, name
        owner = rule.owner
        if isinstance(owner, rules.Direct):
            assert all(column in rules.table(name).c for column in owner.columns), name
        elif isinstance(owner, rules.Via):
            assert owner.column in rules.table(name).c and owner.parent in rules.RULES, name
    for name, columns in rules.FILE_COLUMNS.items():
        assert all(column in rules.table(name).c for column in columns), name
    for name, (referring, column) in rules.KEPT_WHEN.items():
        assert rules.RULES[name].erasure is rules.Erasure.DELETE_UNLESS_KEPT
        assert column in rules.table(referring).c


# Export ----------------------------------------------------------------------------------------------------


async def test_export_zip_holds_every_area_as_json_and_the_originals(client, services, background, inbox):
    person = await sign_up(client, **PERSON)
    other = await sign_up(client)
    photos = await originals(services, person, 2)
    await originals(services, other, 1)
    consent = {"marketingEmails": True, "productAnalytics": False, "thirdPartySharing": False}
    assert (await client.data(CONSENT, {"input": consent}, token=person.access_token))["updateConsent"][
        "userErrors"
    ] == []
    await create_endpoint(client, person, HOOK)

    requested = (await client.data(EXPORT, token=person.access_token))["requestDataExport"]
    assert requested["userErrors"] == [] and requested["dataRequest"]["status"] == "PENDING"
    # One pending export at a time.
    assert codes((await client.data(EXPORT, token=person.access_token))["requestDataExport"]) == ["ALREADY_EXISTS"]
    await background.settle()

    url = await inbox.token_for(person.email, EXPORT_SUBJECT)
    history = (await client.data(REQUESTS, token=person.access_token))["viewer"]
    [export] = [edge["node"] for edge in history["dataRequests"]["edges"]]
    assert export["status"] == "READY" and export["downloadUrl"].split("?")[0] == url.split("?")[0]
    assert history["consent"]["marketingEmails"] is True and history["consentHistory"]["totalCount"] == 1

    response = await download(client, url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    expected_files = {f"files/photos/{photo_id}-original_key.jpg": content for photo_id, _, content in photos}
    assert sorted(names) == sorted([f"data/{name}.json" for name in rules.exported_tables()] + list(expected_files))
    # File by file: each original byte for byte, each table only the person's rows, no secret column.
    for name, content in expected_files.items():
        assert archive.read(name) == content
    person_id = str(user_key(person))
    for name in rules.exported_tables():
        rows = orjson.loads(archive.read(f"data/{name}.json"))
        for row in rows:
            assert not rules.SECRET_COLUMNS & set(row), (name, row)
            owner = rules.RULES[name].owner
            if isinstance(owner, rules.Direct):
                assert person_id in {str(row[column]) for column in owner.columns}, (name, row)
    tables = {name: orjson.loads(archive.read(f"data/{name}.json")) for name in rules.exported_tables()}
    assert [row["email"] for row in tables["users"]] == [person.email]
    assert sorted(row["id"] for row in tables["photos"]) == sorted(str(photo_id) for photo_id, _, _ in photos)
    assert [row["marketing_emails"] for row in tables["consent_records"]] == [True]
    assert len(tables["webhook_endpoints"]) == 1 and len(tables["data_requests"]) == 1
    assert tables["notifications"] == [] and tables["api_keys"] == []

    # After READY, a new export may be asked for.
    assert (await client.data(EXPORT, token=person.access_token))["requestDataExport"]["userErrors"] == []


async def test_someone_elses_export_is_refused(client, services, background, inbox):
    owner, stranger = await sign_up(client), await sign_up(client)
    await client.data(EXPORT, token=owner.access_token)
    await client.data(EXPORT, token=stranger.access_token)
    await background.settle()
    owner_url = await inbox.token_for(owner.email, EXPORT_SUBJECT)
    stranger_url = await inbox.token_for(stranger.email, EXPORT_SUBJECT)
    owner_request = owner_url.split("?")[0].rsplit("/", 1)[1]
    stranger_token = stranger_url.split("token=")[1]
    # The stranger's own valid token does not open the owner's export; a forged one opens nothing.
    refused = await download(client, f"/data-exports/{owner_request}?token={stranger_token}")
    assert refused.status_code == 403
    assert (await download(client, owner_url + "x")).status_code == 403
    assert (await download(client, f"/data-exports/{owner_request}")).status_code == 403
    # Nor does the stranger see the owner's request.
    history = (await client.data(REQUESTS, token=owner.access_token))["viewer"]["dataRequests"]
    request_id = history["edges"][0]["node"]["id"]
    assert (await client.data(NODE, {"id": request_id}, token=stranger.access_token))["node"] is None
    assert (await client.data(NODE, {"id": request_id}, token=owner.access_token))["node"]["status"] == "READY"
    # Without an account: no export at all.
    anonymous = await client.execute(EXPORT)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_export_link_ends_after_seven_days(client, services, background, inbox, monkeypatch):
    person = await sign_up(client)
    await client.data(EXPORT, token=person.access_token)
    await background.settle()
    url = await inbox.token_for(person.email, EXPORT_SUBJECT)
    later = utcnow() + timedelta(days=7, minutes=1)
    monkeypatch.setattr("lensgraph.resolvers.compliance.utcnow", lambda: later)
    assert (await download(client, url)).status_code in (403, 410)
    node = (await client.data(REQUESTS, token=person.access_token))["viewer"]["dataRequests"]["edges"][0]["node"]
    assert node["downloadUrl"] is None


# Requests under concurrency ------------------------------------------------------------------------------


@pytest.mark.parametrize("mutation", [EXPORT, DELETE])
async def test_concurrent_requests_make_one_pending_request(client, mutation):
    person = await sign_up(client)
    answers = await asyncio.gather(*(client.execute(mutation, token=person.access_token) for _ in range(6)))
    payloads = [next(iter(answer["data"].values())) for answer in answers]
    made = [payload for payload in payloads if payload["userErrors"] == []]
    assert len(made) == 1, payloads
    for payload in payloads:
        assert codes(payload) in ([], ["ALREADY_EXISTS"], ["CONFLICT"])
    history = (await client.data(REQUESTS, token=person.access_token))["viewer"]["dataRequests"]
    assert history["totalCount"] == 1


async def test_cancel_with_nothing_pending_is_a_coded_error(client):
    person = await sign_up(client)
    assert codes((await client.data(CANCEL, token=person.access_token))["cancelAccountDeletion"]) == ["NOT_FOUND"]
    scheduled = (await client.data(DELETE, token=person.access_token))["requestAccountDeletion"]
    assert scheduled["userErrors"] == [] and scheduled["dataRequest"]["status"] == "PENDING"
    assert codes((await client.data(DELETE, token=person.access_token))["requestAccountDeletion"]) == ["ALREADY_EXISTS"]
    cancelled = (await client.data(CANCEL, token=person.access_token))["cancelAccountDeletion"]
    assert cancelled["userErrors"] == [] and cancelled["dataRequest"]["status"] == "CANCELLED"
    assert codes((await client.data(CANCEL, token=person.access_token))["cancelAccountDeletion"]) == ["NOT_FOUND"]


# Deletion ------------------------------------------------------------------------------------------------


async def _strings_in(services, needles: list[str]) -> list[tuple[str, str]]:
    """(table, column) of every text or JSON value in the whole database that contains one of the needles."""
    found = []
    async with services.db.session() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.c if isinstance(c.type, String | Text | JSON)]
            if not columns:
                continue
            for row in (await session.execute(select(*columns))).all():
                for column, value in zip(columns, row, strict=True):
                    text = orjson.dumps(value).decode().lower() if not isinstance(value, str) else value.lower()
                    if any(needle.lower() in text for needle in needles):
                        found.append((table.name, column.name))
    return found


async def test_deletion_after_the_grace_period_leaves_no_file_and_no_personal_data(
    client, services, background, inbox, stripe_fake, monkeypatch
):
    person = await sign_up(client, **PERSON)
    brand = await sign_up(client, role="BRAND")
    photos = await originals(services, person, 2)
    # A signed, paid license of one of the person's photos: kept (pseudonymised) for the brand and the books.
    license_id = await signed_license(client, brand, person, await photo_of(services, person))
    paid = await pay(client, stripe_fake, brand, license_id)
    receipt = await client.data(
        "query($id: ID!) { node(id: $id) { ... on Payment { receiptUrl } } }",
        {"id": paid["payment"]["id"]},
        token=brand.access_token,
    )
    assert (await client.http.get(receipt["node"]["receiptUrl"])).status_code == 200
    raw_key = (await create_key(client, person.access_token))["rawKey"]
    await create_endpoint(client, person, HOOK)
    await client.data(EXPORT, token=person.access_token)
    await background.settle()
    export_url = await inbox.token_for(person.email, EXPORT_SUBJECT)
    # The export holds the licensing side too: the license, its signed contract, the earning from the payment.
    archive = zipfile.ZipFile(io.BytesIO((await download(client, export_url)).content))
    license_rows = orjson.loads(archive.read("data/licenses.json"))
    assert [row["photographer_id"] for row in license_rows] == [str(user_key(person))]
    [contract_row] = orjson.loads(archive.read("data/contracts.json"))
    assert contract_row["status"] == "SIGNED" and contract_row["photographer_signature_name"] == "Ann Photographer"
    assert len(orjson.loads(archive.read("data/earnings.json"))) == 1
    await client.data(
        CONSENT,
        {"input": {"marketingEmails": True, "productAnalytics": True, "thirdPartySharing": True}},
        token=person.access_token,
    )
    scheduled = (await client.data(DELETE, token=person.access_token))["requestAccountDeletion"]["dataRequest"]
    assert scheduled["status"] == "PENDING"
    person_id = user_key(person)
    async with services.db.session() as session:
        keys = await rules.stored_keys(session, person_id)
    assert {key for _, key, _ in photos} <= set(keys)

    needles = [person.email, person.username, PERSON["firstName"], PERSON["lastName"], "Ann Photographer"]
    before = await _strings_in(services, needles)
    assert {("users", "email"), ("contracts", "photographer_signature_name")} <= set(before)
    # Before the 30 days are over the sweep leaves the account alone.
    background.send("compliance.delete_due_accounts")
    await background.settle()
    assert (await client.data(WHO, token=person.access_token))["viewer"] is not None

    later = utcnow() + timedelta(days=30, minutes=1)
    monkeypatch.setattr("lensgraph.jobs.compliance.utcnow", lambda: later)
    # Past its due time the deletion is the sweep's: it can no longer be cancelled.
    monkeypatch.setattr("lensgraph.resolvers.compliance.utcnow", lambda: later)
    assert codes((await client.data(CANCEL, token=person.access_token))["cancelAccountDeletion"]) == ["NOT_FOUND"]
    background.send("compliance.delete_due_accounts")
    background.send("compliance.delete_due_accounts")
    await background.settle()

    # No file of the person is left in storage: photos, renditions, the export, the receipt.
    for key in keys:
        assert await services.storage.stat(key) is None, key
    assert (await client.http.get(receipt["node"]["receiptUrl"])).status_code == 404
    export_id = UUID(export_url.split("?")[0].rsplit("/", 1)[1])
    assert await services.storage.stat(f"exports/{export_id}/files.json") is None
    assert (await download(client, export_url)).status_code == 403
    # No personal data anywhere in the database, kept rows included.
    assert await _strings_in(services, needles) == []
    # Sign-in, the old tokens and the API key all fail.
    login = (await client.data(LOGIN, {"input": {"email": person.email, "password": PASSWORD}}))["login"]
    assert login["accessToken"] is None and login["userErrors"]
    refreshed = (await client.data(REFRESH, {"token": person.refresh_token}))["refreshToken"]
    assert refreshed["accessToken"] is None
    # The deletion ran in the worker: an API node notices it once its account cache (account_cache_seconds)
    # lets the entry go, which forget() stands for here.
    services.account_standings.forget(person_id)
    stale = await client.post(WHO, token=person.access_token)
    assert stale.status_code == 401 or stale.json()["data"]["viewer"] is None
    assert (await client.post(WHO, headers={"X-API-Key": raw_key})).status_code == 401
    # What the law keeps is still there for the brand: the license, its signed contract, the payment.
    kept = await client.data(
        """query($id: ID!) { node(id: $id) { ... on License { status
             contract { status photographerSignature { name } brandSignature { name } } } } }""",
        {"id": license_id},
        token=brand.access_token,
    )
    contract = kept["node"]["contract"]
    assert contract["status"] == "SIGNED"
    assert contract["photographerSignature"]["name"] == pseudonym(person_id)
    assert contract["brandSignature"]["name"] == "Jane Brand"
    payments = await client.data("{ viewer { payments { totalCount } } }", token=brand.access_token)
    assert payments["viewer"]["payments"]["totalCount"] == 1
    async with services.db.session() as session:
        remaining = await session.scalar(select(Photo.id).where(Photo.user_id == person_id))
    assert remaining is None


async def test_a_studio_deleted_keeps_its_paid_invoice_and_that_invoices_client_only(
    client, services, background, inbox, monkeypatch
):
    studio = await sign_up(client, role="STUDIO", **PERSON)
    invoiced = await new_client(client, studio, "Ann Archer", "ann@example.com")
    await new_client(client, studio, "Bo Never Invoiced", "bo@example.com")
    created = await create_invoice(client, studio, invoiced, notes=f"Thanks! {PERSON['firstName']}")
    invoice_id = created["invoice"]["id"]
    assert (await send_invoice(client, studio, invoice_id))["userErrors"] == []
    await background.settle()
    token = await inbox.token_for("ann@example.com", f"{SUBJECT_PREFIX}{PERSON['firstName']} {PERSON['lastName']}")
    await confirm(client, (await pay_invoice(client, token))["checkoutUrl"])
    assert (await client.data(DELETE, token=studio.access_token))["requestAccountDeletion"]["userErrors"] == []

    later = utcnow() + timedelta(days=31)
    monkeypatch.setattr("lensgraph.jobs.compliance.utcnow", lambda: later)
    background.send("compliance.delete_due_accounts")
    await background.settle()

    studio_id = user_key(studio)
    async with services.db.session() as session:
        invoices = (await session.execute(select(Invoice).where(Invoice.studio_id == studio_id))).scalars().all()
        clients = (await session.execute(select(Client).where(Client.studio_id == studio_id))).scalars().all()
    # The paid invoice stays, with its amounts; its client stays for it; the other client is gone.
    assert [(invoice.status.value, invoice.amount_paid > 0) for invoice in invoices] == [("PAID", True)]
    assert [row.name for row in clients] == ["Ann Archer"]
    assert clients[0].notes == "" and not clients[0].phone
    assert await _strings_in(services, [studio.email, studio.username, PERSON["firstName"], PERSON["lastName"]]) == []
    assert invoices[0].notes is not None and pseudonym(studio_id) in invoices[0].notes


async def test_the_request_history_costs_the_same_sql_at_2_and_at_12_requests(client, sql):
    person = await sign_up(client)

    async def statements_for(count: int) -> int:
        sql.reset()
        history = (await client.data(REQUESTS, token=person.access_token))["viewer"]["dataRequests"]
        assert history["totalCount"] == len(history["edges"]) == count
        return sql.count

    async def ask_and_cancel(times: int) -> None:
        for _ in range(times):
            assert (await client.data(DELETE, token=person.access_token))["requestAccountDeletion"]["userErrors"] == []
            assert (await client.data(CANCEL, token=person.access_token))["cancelAccountDeletion"]["userErrors"] == []

    await ask_and_cancel(2)
    few = await statements_for(2)
    await ask_and_cancel(10)
    assert await statements_for(12) == few
