"""Sign-in and credentials: the lockout holds under concurrency and aliases, API keys cannot end sessions,
and signing out everywhere, a new password or disabling an account ends access tokens too."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import httpx
import pytest

from lensgraph.app import create_app
from lensgraph.app.services import Services
from lensgraph.domain.accounts import Role
from lensgraph.persistence import accounts as account_queries
from lensgraph.schema.core import to_global_id
from tests.api.helpers import LOGIN, PASSWORD, Account, sign_in, sign_up
from tests.conftest import GraphQLClient

WRONG = "not the password at all"
VIEWER = "{ viewer { user { username role } } }"
REFRESH = """mutation($token: String!) {
  refreshToken(input: {refreshToken: $token}) { accessToken refreshToken userErrors { field code message } } }"""
LOGOUT = "mutation($input: LogoutInput!) { logout(input: $input) { ok userErrors { field code message } } }"
CREATE_KEY = """mutation { createApiKey(input: {description: "sync"}) { rawKey userErrors { code } } }"""
CHANGE_PASSWORD = """mutation($input: ChangePasswordInput!) {
  changePassword(input: $input) { user { id } userErrors { field code } } }"""
RESET_PASSWORD = """mutation($input: ResetPasswordInput!) {
  resetPassword(input: $input) { user { id } userErrors { field code } } }"""
UPLOAD = """mutation { requestPhotoUpload(input: {filename: "a.jpg", mimeType: "image/jpeg", fileSizeBytes: 1000}) {
  uploadId userErrors { code } } }"""
DISABLE = """mutation($input: DisableUserInput!) {
  disableUser(input: $input) { user { id username } disabledAt userErrors { field code message } } }"""
ENABLE = """mutation($input: EnableUserInput!) {
  enableUser(input: $input) { user { id } disabledAt userErrors { field code message } } }"""
CHANGE_ROLE = """mutation($input: ChangeUserRoleInput!) {
  changeUserRole(input: $input) { user { id role } userErrors { field code message } } }"""


def login_input(email: str, password: str) -> dict[str, Any]:
    return {"input": {"email": email, "password": password}}


async def login_code(client: GraphQLClient, email: str, password: str) -> str | None:
    errors = (await client.data(LOGIN, login_input(email, password)))["login"]["userErrors"]
    return errors[0]["code"] if errors else None


async def api_key_of(client: GraphQLClient, account: Account) -> str:
    created = (await client.data(CREATE_KEY, token=account.access_token))["createApiKey"]
    assert created["userErrors"] == []
    key: str = created["rawKey"]
    return key


async def status_of(client: GraphQLClient, credential: str) -> int:
    return (await client.post(VIEWER, token=credential)).status_code


async def an_admin(client: GraphQLClient, services: Services) -> Account:
    admin = await sign_up(client, role="BRAND")
    async with services.db.unit_of_work() as uow:
        assert await account_queries.grant_role(uow.session, admin.email, Role.ADMIN)
    admin.access_token = await sign_in(client, admin.email)
    return admin


# --- the lockout --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("round_", range(3))
async def test_forty_concurrent_wrong_passwords_are_at_most_ten_attempts(client, round_):
    account = await sign_up(client)
    answers = await asyncio.gather(*(login_code(client, account.email, WRONG) for _ in range(40)))
    evaluated = answers.count("UNAUTHENTICATED")
    assert 1 <= evaluated <= 10, answers
    assert answers.count("RATE_LIMITED") == 40 - evaluated, answers
    # Locked: the right password is refused too until the window has passed.
    assert await login_code(client, account.email, PASSWORD) == "RATE_LIMITED"


async def test_a_successful_sign_in_forgets_the_failures(client):
    account = await sign_up(client)
    for _ in range(9):
        assert await login_code(client, account.email, WRONG) == "UNAUTHENTICATED"
    assert await login_code(client, account.email, PASSWORD) is None
    for _ in range(9):
        assert await login_code(client, account.email, WRONG) == "UNAUTHENTICATED"
    assert await login_code(client, account.email, PASSWORD) is None


async def test_guessing_the_current_password_counts_against_the_lockout(client):
    account = await sign_up(client)
    guess = {"input": {"currentPassword": WRONG, "newPassword": "a brand new passphrase"}}
    answers = await asyncio.gather(
        *(client.data(CHANGE_PASSWORD, guess, token=account.access_token) for _ in range(15))
    )
    codes = [answer["changePassword"]["userErrors"][0]["code"] for answer in answers]
    assert codes.count("UNAUTHENTICATED") <= 10 and "RATE_LIMITED" in codes, codes


# --- one sensitive mutation per request ---------------------------------------------------------------------


def aliased_logins(count: int, email: str, password: str) -> str:
    fields = " ".join(
        f'a{index}: login(input: {{email: "{email}", password: "{password}"}}) {{ accessToken userErrors {{ code }} }}'
        for index in range(count)
    )
    return f"mutation {{ {fields} }}"


async def test_fifteen_aliased_logins_are_refused_before_any_attempt(client, sql):
    account = await sign_up(client)
    for _ in range(2):
        sql.reset()
        body = await client.execute(aliased_logins(15, account.email, WRONG))
        assert body.get("data") is None
        assert [error["extensions"]["code"] for error in body["errors"]] == ["INVALID_INPUT"]
        assert "login" in body["errors"][0]["message"]
        assert sql.count == 0
    # Thirty refused attempts counted nothing: the account is not locked.
    assert await login_code(client, account.email, PASSWORD) is None


LOGIN_FIELD = 'login(input: {email: "x@example.com", password: "y"}) { accessToken }'
TWO_SENSITIVE = {
    "aliases": f"mutation {{ a: {LOGIN_FIELD} b: {LOGIN_FIELD} }}",
    "named fragments": (
        f"mutation {{ ...A ...B }} fragment A on Mutation {{ a: {LOGIN_FIELD} }}"
        f" fragment B on Mutation {{ b: {LOGIN_FIELD} }}"
    ),
    "nested fragments": (
        f"mutation {{ ...A }} fragment A on Mutation {{ a: {LOGIN_FIELD} ...B }}"
        f" fragment B on Mutation {{ ... on Mutation {{ b: {LOGIN_FIELD} }} }}"
    ),
    "inline fragments": f"mutation {{ ... on Mutation {{ a: {LOGIN_FIELD} }} ... {{ b: {LOGIN_FIELD} }} }}",
    "a directive": f"mutation {{ a: {LOGIN_FIELD} b: {LOGIN_FIELD.replace('{ ', '@include(if: true) { ')} }}",
    "different mutations": (
        f'mutation {{ {LOGIN_FIELD} refreshToken(input: {{refreshToken: "r"}}) {{ accessToken }} }}'
    ),
    "password resets": (
        'mutation { requestPasswordReset(input: {email: "x@example.com"}) { ok }'
        ' resetPassword(input: {token: "t", newPassword: "long enough password"}) { user { id } } }'
    ),
    "email verification": (
        'mutation { a: verifyEmail(input: {token: "t"}) { user { id } } b: verifyEmail(input: {token: "u"}) '
        "{ user { id } } }"
    ),
    "password changes": (
        'mutation { a: changePassword(input: {currentPassword: "p", newPassword: "q"}) { user { id } }'
        ' b: changePassword(input: {currentPassword: "r", newPassword: "s"}) { user { id } } }'
    ),
    "api keys": (
        'mutation { createApiKey(input: {description: "a"}) { rawKey }'
        ' revokeApiKey(input: {id: "QXBpS2V5OjE="}) { apiKey { id } } }'
    ),
}


@pytest.mark.parametrize("document", TWO_SENSITIVE.values(), ids=TWO_SENSITIVE.keys())
async def test_two_sensitive_mutations_in_one_request_are_refused(client, document):
    body = await client.execute(document)
    assert body.get("data") is None, body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["INVALID_INPUT"], body


async def test_one_sensitive_mutation_beside_others_runs(client):
    account = await sign_up(client)
    login = f'login(input: {{email: "{account.email}", password: "{PASSWORD}"}}) {{ accessToken }}'
    # The same fragment spread twice is one field, run once.
    document = (
        f"mutation {{ ...A ...A logout(input: {{everywhere: false}}) {{ ok }} }} fragment A on Mutation {{ {login} }}"
    )
    body = await client.execute(document)
    assert body["data"]["login"]["accessToken"], body


# --- API keys cannot end sessions or manage keys ------------------------------------------------------------


async def test_an_api_key_cannot_sign_out_every_session(client):
    account = await sign_up(client)
    key = await api_key_of(client, account)
    body = await client.execute(LOGOUT, {"input": {"everywhere": True}}, headers={"X-API-Key": key})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
    # Nothing was ended: the session's tokens still work.
    assert await status_of(client, account.access_token) == 200
    refreshed = (await client.data(REFRESH, {"token": account.refresh_token}))["refreshToken"]
    assert refreshed["userErrors"] == []


async def test_an_api_key_cannot_mint_or_revoke_keys(client):
    account = await sign_up(client)
    key = await api_key_of(client, account)
    body = await client.execute(CREATE_KEY, headers={"X-API-Key": key})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# --- ending access tokens -----------------------------------------------------------------------------------


async def test_signing_out_everywhere_ends_access_tokens(client):
    account = await sign_up(client)
    other_session = await sign_in(client, account.email)
    done = (await client.data(LOGOUT, {"input": {"everywhere": True}}, token=account.access_token))["logout"]
    assert done == {"ok": True, "userErrors": []}
    for token in (account.access_token, other_session):
        response = await client.post(VIEWER, token=token)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # Signing in again works, with a token of the new version.
    assert await status_of(client, await sign_in(client, account.email)) == 200


async def test_a_password_change_ends_access_tokens(client):
    account = await sign_up(client)
    other_session = await sign_in(client, account.email)
    new = "a brand new passphrase"
    changed = await client.data(
        CHANGE_PASSWORD, {"input": {"currentPassword": PASSWORD, "newPassword": new}}, token=account.access_token
    )
    assert changed["changePassword"]["userErrors"] == []
    assert await status_of(client, account.access_token) == 401
    assert await status_of(client, other_session) == 401
    assert await status_of(client, await sign_in(client, account.email, new)) == 200


async def test_a_password_reset_ends_access_tokens(client, background, inbox):
    account = await sign_up(client)
    await client.data(
        "mutation($email: String!) { requestPasswordReset(input: {email: $email}) { ok } }", {"email": account.email}
    )
    await background.settle()
    token = await inbox.token_for(account.email, "Reset your password")
    reset = await client.data(RESET_PASSWORD, {"input": {"token": token, "newPassword": "a brand new passphrase"}})
    assert reset["resetPassword"]["userErrors"] == []
    assert await status_of(client, account.access_token) == 401


# --- disabling accounts and changing roles ------------------------------------------------------------------


async def test_a_disabled_user_is_out_at_once_and_back_when_enabled(client, services):
    admin = await an_admin(client, services)
    target = await sign_up(client)
    key = await api_key_of(client, target)
    assert await status_of(client, target.access_token) == 200  # now cached in this process

    disabled = await client.data(
        DISABLE, {"input": {"userId": target.id, "reason": "chargeback fraud"}}, token=admin.access_token
    )
    assert disabled["disableUser"]["userErrors"] == []
    assert disabled["disableUser"]["user"]["id"] == target.id and disabled["disableUser"]["disabledAt"]

    assert await status_of(client, target.access_token) == 401
    assert await status_of(client, key) == 401
    refreshed = (await client.data(REFRESH, {"token": target.refresh_token}))["refreshToken"]
    assert refreshed["userErrors"][0]["code"] == "UNAUTHENTICATED" and refreshed["accessToken"] is None
    # The right password says the account is disabled; a wrong one reads as any wrong password.
    assert await login_code(client, target.email, PASSWORD) == "FORBIDDEN"
    assert await login_code(client, target.email, WRONG) == "UNAUTHENTICATED"

    enabled = await client.data(ENABLE, {"input": {"userId": target.id}}, token=admin.access_token)
    assert enabled["enableUser"]["userErrors"] == [] and enabled["enableUser"]["disabledAt"] is None
    assert await status_of(client, key) == 200
    # Tokens from before stay dead: disabling ended them.
    assert await status_of(client, target.access_token) == 401
    assert await status_of(client, await sign_in(client, target.email)) == 200


async def test_disabling_reaches_other_api_nodes_within_the_cache_lifetime(client, services, settings):
    admin = await an_admin(client, services)
    target = await sign_up(client)
    other_node = Services(settings.model_copy(update={"account_cache_seconds": 0.3}))
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(other_node.settings, services=other_node)),
            base_url="http://testserver",
        ) as http:
            elsewhere = GraphQLClient(http)
            assert await status_of(elsewhere, target.access_token) == 200
            disabled = await client.data(DISABLE, {"input": {"userId": target.id}}, token=admin.access_token)
            assert disabled["disableUser"]["userErrors"] == []
            await asyncio.sleep(0.4)
            assert await status_of(elsewhere, target.access_token) == 401
    finally:
        await other_node.close()


async def test_a_role_change_takes_effect_at_once(client, services):
    admin = await an_admin(client, services)
    target = await sign_up(client, role="PHOTOGRAPHER")
    key = await api_key_of(client, target)
    assert (await client.data(UPLOAD, token=target.access_token))["requestPhotoUpload"]["userErrors"] == []

    changed = await client.data(
        CHANGE_ROLE, {"input": {"userId": target.id, "role": "BRAND"}}, token=admin.access_token
    )
    assert changed["changeUserRole"] == {"user": {"id": target.id, "role": "BRAND"}, "userErrors": []}
    for credential in (target.access_token, key):
        body = await client.execute(UPLOAD, token=credential)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
        assert (await client.data(VIEWER, token=credential))["viewer"]["user"]["role"] == "BRAND"


async def test_only_password_signed_in_admins_administer_accounts(client, services):
    admin = await an_admin(client, services)
    admin_key = await api_key_of(client, admin)
    someone = await sign_up(client)
    target = await sign_up(client)
    variables = {"input": {"userId": target.id}}
    for credential in (someone.access_token, admin_key):
        for document, input_ in ((DISABLE, variables), (ENABLE, variables)):
            body = await client.execute(document, input_, token=credential)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
        body = await client.execute(CHANGE_ROLE, {"input": {"userId": target.id, "role": "BRAND"}}, token=credential)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
    anonymous = await client.execute(DISABLE, variables)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await status_of(client, target.access_token) == 200


async def test_account_administration_refuses_bad_input(client, services):
    admin = await an_admin(client, services)
    target = await sign_up(client)
    token = admin.access_token

    async def errors(document: str, input_: dict[str, Any]) -> list[dict[str, Any]]:
        data = await client.data(document, {"input": input_}, token=token)
        result: list[dict[str, Any]] = next(iter(data.values()))["userErrors"]
        return result

    missing = to_global_id("User", uuid4())
    assert [e["code"] for e in await errors(DISABLE, {"userId": missing})] == ["NOT_FOUND"]
    assert [e["code"] for e in await errors(DISABLE, {"userId": admin.id})] == ["FORBIDDEN"]
    assert [e["code"] for e in await errors(CHANGE_ROLE, {"userId": admin.id, "role": "BRAND"})] == ["FORBIDDEN"]
    assert [e["code"] for e in await errors(CHANGE_ROLE, {"userId": target.id, "role": "ADMIN"})] == ["INVALID_INPUT"]
    assert [e["code"] for e in await errors(DISABLE, {"userId": target.id, "reason": "x" * 1001})] == ["INVALID_INPUT"]
    assert [e["code"] for e in await errors(DISABLE, {"userId": "bm90LWFuLWlk"})] == ["NOT_FOUND"]
    # Disabling twice keeps the first time; enabling an enabled account is a no-op.
    first = (await client.data(DISABLE, {"input": {"userId": target.id}}, token=token))["disableUser"]
    again = (await client.data(DISABLE, {"input": {"userId": target.id}}, token=token))["disableUser"]
    assert again["userErrors"] == [] and again["disabledAt"] == first["disabledAt"]
    assert await errors(ENABLE, {"userId": target.id}) == []
    assert await errors(ENABLE, {"userId": target.id}) == []


async def test_checking_an_access_token_costs_no_database_read_while_the_account_is_remembered(client, sql):
    account = await sign_up(client)  # signing in reads the account's standing
    sql.reset()
    for _ in range(3):
        assert (await client.post("{ __typename }", token=account.access_token)).status_code == 200
    assert sql.count == 0
