"""The audit log through the API: each security-relevant action leaves exactly one entry with its actor,
address and user agent; a rolled-back action leaves none; reads are the owner's and the administrators';
the log is append-only in the code and in the database."""

from __future__ import annotations

import ast
import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from lensgraph.app import create_app
from lensgraph.app.services import Services
from lensgraph.domain.accounts import Role
from lensgraph.domain.audit import AuditAction
from lensgraph.persistence import accounts as account_queries
from lensgraph.persistence import audit as audit_queries
from lensgraph.persistence.models import AuditEntry
from tests.api.helpers import LOGIN, PASSWORD, Account, sign_in, sign_up
from tests.conftest import GraphQLClient

ADDRESS = "203.0.113.7"
USER_AGENT = "AuditTest/1.0 (+https://example.com)"

ENTRY = "id action occurredAt target address userAgent requestId details { name value } actor { id } subject { id }"
VIEWER_LOG = f"""query($first: Int, $after: String, $actions: [AuditAction!]) {{ viewer {{
  auditLog(first: $first, after: $after, actions: $actions) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {ENTRY} }} }} }} }} }}"""
WHOLE_LOG = f"""query($filter: AuditLogFilter, $first: Int, $after: String) {{
  auditLog(filter: $filter, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {ENTRY} }} }} }} }}"""
CREATE_KEY = """mutation { createApiKey(input: {description: "audit"}) { apiKey { id } userErrors { code } } }"""
REVOKE_KEY = """mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { id } userErrors { code } } }"""
CREATE_ENDPOINT = """mutation { createWebhookEndpoint(input: {url: "https://hooks.example.com/lg",
  events: ["api_key.created"]}) { endpoint { id } userErrors { code } } }"""
ROTATE_WEBHOOK = (
    """mutation($id: ID!) { rotateWebhookSecret(input: {id: $id}) { signingSecret userErrors { code } } }"""
)
ROTATE_CONTENT = "mutation { rotateContentSecret { contentSecret userErrors { code } } }"
CHANGE_PASSWORD = """mutation($input: ChangePasswordInput!) { changePassword(input: $input) { userErrors { code } } }"""
RESET_PASSWORD = """mutation($input: ResetPasswordInput!) { resetPassword(input: $input) { userErrors { code } } }"""
REQUEST_RESET = "mutation($email: String!) { requestPasswordReset(input: {email: $email}) { ok } }"
DISABLE = """mutation($input: DisableUserInput!) { disableUser(input: $input) { userErrors { code } } }"""
ENABLE = """mutation($input: EnableUserInput!) { enableUser(input: $input) { userErrors { code } } }"""
CHANGE_ROLE = """mutation($input: ChangeUserRoleInput!) { changeUserRole(input: $input) { userErrors { code } } }"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on AuditEntry {{ {ENTRY} }} }} }}"


@pytest.fixture
async def remote(services: Services) -> AsyncIterator[GraphQLClient]:
    """A client calling from a public address with a browser's User-Agent, as the log should show it."""
    app = create_app(services.settings, services=services)
    transport = httpx.ASGITransport(app=app, client=(ADDRESS, 40123))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers={"User-Agent": USER_AGENT}
    ) as http:
        yield GraphQLClient(http)


async def an_admin(client: GraphQLClient, services: Services) -> Account:
    admin = await sign_up(client, role="BRAND")
    async with services.db.unit_of_work() as uow:
        assert await account_queries.grant_role(uow.session, admin.email, Role.ADMIN)
    admin.access_token = await sign_in(client, admin.email)
    return admin


async def own_log(client: GraphQLClient, token: str, **variables: Any) -> list[dict[str, Any]]:
    data = await client.data(VIEWER_LOG, {"first": 100, **variables}, token=token)
    return [edge["node"] for edge in data["viewer"]["auditLog"]["edges"]]


async def whole_log(client: GraphQLClient, token: str, **filter_: Any) -> list[dict[str, Any]]:
    data = await client.data(WHOLE_LOG, {"filter": filter_, "first": 100}, token=token)
    return [edge["node"] for edge in data["auditLog"]["edges"]]


def actions(entries: list[dict[str, Any]]) -> list[str]:
    return [entry["action"] for entry in entries]


def details(entry: dict[str, Any]) -> dict[str, str]:
    return {detail["name"]: detail["value"] for detail in entry["details"]}


async def stored_count(services: Services) -> int:
    async with services.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


# --- what is recorded ---------------------------------------------------------------------------------------


async def test_each_action_leaves_one_entry_with_its_actor_address_and_user_agent(remote):
    account = await sign_up(remote)
    token = account.access_token
    wrong = (await remote.data(LOGIN, {"input": {"email": account.email, "password": "not it at all"}}))["login"]
    assert wrong["userErrors"][0]["code"] == "UNAUTHENTICATED"
    key = (await remote.data(CREATE_KEY, token=token))["createApiKey"]["apiKey"]["id"]
    assert (await remote.data(REVOKE_KEY, {"id": key}, token=token))["revokeApiKey"]["userErrors"] == []
    # Revoking again changes nothing, and records nothing.
    assert (await remote.data(REVOKE_KEY, {"id": key}, token=token))["revokeApiKey"]["userErrors"] == []
    endpoint = (await remote.data(CREATE_ENDPOINT, token=token))["createWebhookEndpoint"]["endpoint"]["id"]
    assert (await remote.data(ROTATE_WEBHOOK, {"id": endpoint}, token=token))["rotateWebhookSecret"]["signingSecret"]
    new_password = "an entirely new passphrase"
    changed = await remote.data(
        CHANGE_PASSWORD, {"input": {"currentPassword": PASSWORD, "newPassword": new_password}}, token=token
    )
    assert changed["changePassword"]["userErrors"] == []
    token = await sign_in(remote, account.email, new_password)

    entries = await own_log(remote, token)
    assert actions(entries) == [
        "LOGIN",
        "PASSWORD_CHANGED",
        "WEBHOOK_SECRET_ROTATED",
        "API_KEY_REVOKED",
        "API_KEY_CREATED",
        "LOGIN_FAILED",
        "LOGIN",
    ]
    for entry in entries:
        assert entry["address"] == ADDRESS
        assert entry["userAgent"] == USER_AGENT
        assert entry["subject"] == {"id": account.id}
        assert len(entry["requestId"]) == 32
        # A failed sign-in is nobody's until proven: its actor is unknown.
        assert entry["actor"] == (None if entry["action"] == "LOGIN_FAILED" else {"id": account.id})
    by_action = {entry["action"]: entry for entry in entries}
    assert details(by_action["LOGIN_FAILED"]) == {"reason": "UNAUTHENTICATED"}
    assert by_action["API_KEY_CREATED"]["target"] == key
    assert by_action["API_KEY_REVOKED"]["target"] == key
    assert details(by_action["API_KEY_CREATED"]) == {
        "description": "audit",
        "prefix": details(by_action["API_KEY_REVOKED"])["prefix"],
    }
    assert by_action["WEBHOOK_SECRET_ROTATED"]["target"] == endpoint
    times = [entry["occurredAt"] for entry in entries]
    assert times == sorted(times, reverse=True)


async def test_a_content_secret_rotation_is_recorded(remote):
    brand = await sign_up(remote, role="BRAND")
    rotated = await remote.data(ROTATE_CONTENT, token=brand.access_token)
    assert rotated["rotateContentSecret"]["contentSecret"]
    [entry] = await own_log(remote, brand.access_token, actions=["CONTENT_SECRET_ROTATED"])
    assert entry["actor"] == {"id": brand.id}
    assert (entry["address"], entry["userAgent"]) == (ADDRESS, USER_AGENT)


async def test_a_password_reset_is_recorded_from_request_to_new_password(remote, background, inbox):
    account = await sign_up(remote)
    await remote.data(REQUEST_RESET, {"email": account.email})
    await remote.data(REQUEST_RESET, {"email": "nobody-here@example.com"})
    await background.settle()
    token = await inbox.token_for(account.email, "Reset your password")
    new_password = "a brand new passphrase"
    reset = await remote.data(RESET_PASSWORD, {"input": {"token": token, "newPassword": new_password}})
    assert reset["resetPassword"]["userErrors"] == []
    entries = await own_log(remote, await sign_in(remote, account.email, new_password))
    assert actions(entries) == ["LOGIN", "PASSWORD_RESET", "PASSWORD_RESET_REQUESTED", "LOGIN"]
    requested = entries[2]
    # Anyone may ask for a reset by email: the request has no actor, and the owner sees where it came from.
    assert requested["actor"] is None
    assert (requested["address"], requested["userAgent"]) == (ADDRESS, USER_AGENT)
    assert entries[1]["actor"] == {"id": account.id}


async def test_failed_sign_ins_are_recorded_even_for_unknown_emails(remote, client, services):
    admin = await an_admin(client, services)
    target = await sign_up(remote)
    for _ in range(2):
        await remote.data(LOGIN, {"input": {"email": "Ghost@Example.com", "password": "whatever it is"}})
    await remote.data(LOGIN, {"input": {"email": "someone-else@example.com", "password": "whatever it is"}})
    for _ in range(11):  # past the lockout: the last attempt is refused unchecked
        await remote.data(LOGIN, {"input": {"email": target.email, "password": "a wrong guess"}})

    failed = await whole_log(client, admin.access_token, actions=["LOGIN_FAILED"])
    unknown = [entry for entry in failed if entry["subject"] is None]
    assert len(unknown) == 3
    digests = [details(entry)["emailDigest"] for entry in unknown]
    # Oldest last: the two attempts at one address share a digest, the other address has its own.
    assert digests[1] == digests[2] != digests[0]
    for entry in unknown:
        assert "ghost" not in str(entry).lower() and "someone-else" not in str(entry).lower()
        assert (entry["actor"], entry["address"], entry["userAgent"]) == (None, ADDRESS, USER_AGENT)
    on_target = [entry for entry in failed if entry["subject"] == {"id": target.id}]
    assert [details(entry)["reason"] for entry in on_target] == ["RATE_LIMITED"] + ["UNAUTHENTICATED"] * 10
    # The account's owner sees the attempts on it, with where they came from.
    await services.login_failures.reset(target.email)  # the lockout's end, without waiting for it
    own = await own_log(remote, await sign_in(remote, target.email), actions=["LOGIN_FAILED"])
    assert len(own) == 11 and all(entry["address"] == ADDRESS for entry in own)


async def test_a_disabled_account_signing_in_is_a_failure_not_a_login(remote, client, services):
    admin = await an_admin(client, services)
    target = await sign_up(remote)
    await client.data(DISABLE, {"input": {"userId": target.id}}, token=admin.access_token)
    refused = (await remote.data(LOGIN, {"input": {"email": target.email, "password": PASSWORD}}))["login"]
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"
    entries = await whole_log(client, admin.access_token, subject=target.id)
    assert actions(entries) == ["LOGIN_FAILED", "USER_DISABLED", "LOGIN"]
    assert details(entries[0]) == {"reason": "FORBIDDEN"}


async def test_administrators_actions_are_recorded_and_their_origin_kept_from_the_user(remote, client, services):
    admin = await an_admin(remote, services)
    target = await sign_up(client)
    account = {"userId": target.id}
    await remote.data(DISABLE, {"input": {**account, "reason": "chargeback fraud"}}, token=admin.access_token)
    await remote.data(DISABLE, {"input": account}, token=admin.access_token)  # already disabled: no change
    await remote.data(ENABLE, {"input": account}, token=admin.access_token)
    await remote.data(CHANGE_ROLE, {"input": {**account, "role": "STUDIO"}}, token=admin.access_token)
    await remote.data(CHANGE_ROLE, {"input": {**account, "role": "STUDIO"}}, token=admin.access_token)

    by_admin = await whole_log(
        remote, admin.access_token, actor=admin.id, actions=["ROLE_CHANGED", "USER_DISABLED", "USER_ENABLED"]
    )
    assert actions(by_admin) == ["ROLE_CHANGED", "USER_ENABLED", "USER_DISABLED"]
    assert details(by_admin[0]) == {"from": "PHOTOGRAPHER", "to": "STUDIO"}
    assert details(by_admin[2]) == {"reason": "chargeback fraud"}
    for entry in by_admin:
        assert (entry["actor"], entry["subject"]) == ({"id": admin.id}, {"id": target.id})
        assert (entry["address"], entry["userAgent"]) == (ADDRESS, USER_AGENT)

    # The user sees what was done to their account and by whom, not the administrator's address.
    seen = await own_log(client, await sign_in(client, target.email), actions=["ROLE_CHANGED", "USER_DISABLED"])
    assert actions(seen) == ["ROLE_CHANGED", "USER_DISABLED"]
    assert all(entry["actor"] == {"id": admin.id} for entry in seen)
    assert all((entry["address"], entry["userAgent"], entry["requestId"]) == (None, None, None) for entry in seen)


# --- transactions -------------------------------------------------------------------------------------------


async def test_an_entry_commits_and_rolls_back_with_its_action(services):
    entry = audit_queries.NewAuditEntry(
        action=AuditAction.API_KEY_CREATED,
        actor_id=None,
        subject_id=None,
        address=None,
        user_agent=None,
        request_id=None,
    )
    with pytest.raises(RuntimeError):
        async with services.db.unit_of_work() as uow:
            await audit_queries.append(uow.session, entry)
            raise RuntimeError("the action failed after its entry was written")
    assert await stored_count(services) == 0
    async with services.db.unit_of_work() as uow:
        await audit_queries.append(uow.session, entry)
    assert await stored_count(services) == 1


async def test_concurrent_revocations_of_one_key_leave_one_entry(client):
    account = await sign_up(client)
    key = (await client.data(CREATE_KEY, token=account.access_token))["createApiKey"]["apiKey"]["id"]
    answers = await asyncio.gather(
        *(client.execute(REVOKE_KEY, {"id": key}, token=account.access_token) for _ in range(4))
    )
    assert all("errors" not in answer for answer in answers), answers
    assert len(await own_log(client, account.access_token, actions=["API_KEY_REVOKED"])) == 1


async def test_concurrent_administrators_disable_an_account_once(client, services):
    admin = await an_admin(client, services)
    target = await sign_up(client)
    answers = await asyncio.gather(
        *(client.execute(DISABLE, {"input": {"userId": target.id}}, token=admin.access_token) for _ in range(4))
    )
    assert all(answer["data"]["disableUser"]["userErrors"] == [] for answer in answers), answers
    assert actions(await whole_log(client, admin.access_token, subject=target.id)) == ["USER_DISABLED", "LOGIN"]


async def test_a_refused_password_change_leaves_no_entry(client):
    account = await sign_up(client)
    weak = await client.data(
        CHANGE_PASSWORD, {"input": {"currentPassword": PASSWORD, "newPassword": "short"}}, token=account.access_token
    )
    assert weak["changePassword"]["userErrors"][0]["code"] == "INVALID_INPUT"
    assert actions(await own_log(client, account.access_token)) == ["LOGIN"]


# --- who reads what -----------------------------------------------------------------------------------------


async def test_the_whole_log_is_for_administrators_and_each_user_reads_their_own(client, services):
    admin = await an_admin(client, services)
    alice = await sign_up(client)
    bob = await sign_up(client)
    refused = await client.execute(WHOLE_LOG, {"first": 5}, token=alice.access_token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # Refused before the filter is read: a bad ID does not tell a non-administrator anything else.
    refused = await client.execute(WHOLE_LOG, {"filter": {"actor": "nonsense"}}, token=alice.access_token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await client.execute(WHOLE_LOG, {"first": 5})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    [bobs] = await own_log(client, bob.access_token)
    assert bobs["subject"] == {"id": bob.id}
    assert (await client.data(NODE, {"id": bobs["id"]}, token=alice.access_token))["node"] is None
    assert (await client.data(NODE, {"id": bobs["id"]}, token=bob.access_token))["node"]["id"] == bobs["id"]
    assert (await client.data(NODE, {"id": bobs["id"]}, token=admin.access_token))["node"]["id"] == bobs["id"]
    assert [entry["subject"] for entry in await own_log(client, alice.access_token)] == [{"id": alice.id}]
    everything = await whole_log(client, admin.access_token)
    assert {alice.id, bob.id, admin.id} <= {entry["subject"]["id"] for entry in everything if entry["subject"]}


async def test_the_whole_log_pages_newest_first_and_filters_by_time(client, services):
    admin = await an_admin(client, services)
    for _ in range(3):
        await sign_up(client)
    first = await client.data(WHOLE_LOG, {"first": 2}, token=admin.access_token)
    page = first["auditLog"]
    assert page["totalCount"] >= 5 and page["pageInfo"]["hasNextPage"]
    rest = await client.data(
        WHOLE_LOG, {"first": 100, "after": page["pageInfo"]["endCursor"]}, token=admin.access_token
    )
    listed = [edge["node"] for edge in page["edges"] + rest["auditLog"]["edges"]]
    assert len({entry["id"] for entry in listed}) == len(listed) == page["totalCount"]
    times = [entry["occurredAt"] for entry in listed]
    assert times == sorted(times, reverse=True)
    middle = times[len(times) // 2]
    since = await whole_log(client, admin.access_token, **{"from": middle})
    assert [entry["occurredAt"] for entry in since] == [moment for moment in times if moment >= middle]
    before = await whole_log(client, admin.access_token, to=middle)
    assert [entry["occurredAt"] for entry in before] == [moment for moment in times if moment < middle]
    bad = await client.execute(WHOLE_LOG, {"filter": {"from": middle, "to": middle}}, token=admin.access_token)
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_listing_the_log_costs_the_same_statements_for_more_entries(client, services, sql):
    admin = await an_admin(client, services)

    async def statements() -> int:
        sql.reset()
        await client.data(WHOLE_LOG, {"first": 100}, token=admin.access_token)
        return sql.count

    await sign_up(client)
    few = await statements()
    for _ in range(4):
        await sign_up(client)
    assert await statements() == few


# --- append-only --------------------------------------------------------------------------------------------

SOURCE = Path(__file__).resolve().parents[2] / "src" / "lensgraph"


def test_the_code_has_no_way_to_change_or_remove_an_entry():
    module = ast.parse((SOURCE / "persistence" / "audit.py").read_text())
    imported = {alias.name for node in ast.walk(module) if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert {"update", "delete"}.isdisjoint(imported)
    called = {
        node.func.attr
        for node in ast.walk(module)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    assert {"delete", "merge", "add", "add_all", "update"}.isdisjoint(called)
    # Nothing else writes the table: only these modules name its model or its table (compliance's rule for it is
    # KEEP: an account's deletion leaves its entries as they are).
    naming = {
        path.relative_to(SOURCE).as_posix()
        for path in SOURCE.rglob("*.py")
        if "AuditEntry" in (source := path.read_text()) or "audit_entries" in source
    }
    assert naming == {
        "persistence/audit.py",
        "persistence/models/__init__.py",
        "persistence/models/audit.py",
        "persistence/compliance.py",
        "persistence/migrations/versions/0024_audit_log.py",
        "resolvers/audit.py",
        "schema/audit.py",
        "schema/schema.py",
    }


@pytest.mark.parametrize("statement", ["UPDATE audit_entries SET action = 'LOGIN_FAILED'", "DELETE FROM audit_entries"])
async def test_the_database_refuses_to_change_or_remove_an_entry(client, services, statement):
    await sign_up(client)
    assert await stored_count(services) == 1
    with pytest.raises(DBAPIError, match="append-only"):
        async with services.db.engine.begin() as connection:
            await connection.execute(text(statement))
    assert await stored_count(services) == 1
    async with services.db.session() as session:
        assert await session.scalar(select(AuditEntry.action)) is AuditAction.LOGIN
