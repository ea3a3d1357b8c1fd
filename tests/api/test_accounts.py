"""Registration, sign-in, token rotation and profile, through the GraphQL API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lensgraph.persistence.base import utcnow
from tests.api.helpers import LOGIN, PASSWORD, REGISTER, registration, sign_up

VIEWER = "{ viewer { email emailVerified user { id username firstName lastName role } } }"
REFRESH = """
mutation Refresh($token: String!) {
  refreshToken(input: {refreshToken: $token}) { accessToken refreshToken userErrors { field code message } }
}"""
LOGOUT = """
mutation Logout($input: LogoutInput!) { logout(input: $input) { ok userErrors { field code message } } }"""


async def test_register_login_and_viewer(client):
    values = registration(email="Ada@Example.COM", role="BRAND", username="Ada-L")
    registered = (await client.data(REGISTER, {"input": values}))["register"]
    assert registered["userErrors"] == []
    assert registered["user"]["username"] == "ada-l"
    assert registered["user"]["role"] == "BRAND"

    login = (await client.data(LOGIN, {"input": {"email": "ada@example.com", "password": PASSWORD}}))["login"]
    assert login["userErrors"] == []
    assert login["refreshToken"] and login["accessToken"].count(".") == 2

    viewer = (await client.data(VIEWER, token=login["accessToken"]))["viewer"]
    assert viewer == {
        "email": "ada@example.com",
        "emailVerified": False,
        "user": {
            "id": registered["user"]["id"],
            "username": "ada-l",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "role": "BRAND",
        },
    }


async def test_anonymous_viewer_is_null(client):
    assert (await client.data(VIEWER))["viewer"] is None


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"password": "short"}, ["password"], "INVALID_INPUT"),
        ({"email": "longenough@example.com", "password": "longenough@example.com"}, ["password"], "INVALID_INPUT"),
        ({"email": "not-an-email"}, ["email"], "INVALID_INPUT"),
        ({"username": "x"}, ["username"], "INVALID_INPUT"),
        ({"username": "admin"}, ["username"], "ALREADY_EXISTS"),
        ({"role": "ADMIN"}, ["role"], "INVALID_INPUT"),
        ({"firstName": "   "}, ["firstName"], "INVALID_INPUT"),
    ],
)
async def test_register_refuses_bad_input(client, sql, overrides, field, code):
    payload = (await client.data(REGISTER, {"input": registration(**overrides)}))["register"]
    assert payload["user"] is None
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [(field, code)]
    assert not any(statement.lstrip().upper().startswith("INSERT") for statement in sql.statements)


async def test_duplicate_email_and_username(client):
    await sign_up(client, email="taken@example.com", username="taken")
    by_email = (await client.data(REGISTER, {"input": registration(email="TAKEN@example.com")}))["register"]
    assert by_email["userErrors"][0]["code"] == "ALREADY_EXISTS"
    assert by_email["userErrors"][0]["field"] == ["email"]
    by_username = (await client.data(REGISTER, {"input": registration(username="Taken")}))["register"]
    assert by_username["userErrors"][0] == {
        "field": ["username"],
        "code": "ALREADY_EXISTS",
        "message": "This username is taken.",
    }


async def test_wrong_password_and_unknown_email_read_the_same(client):
    await sign_up(client, email="known@example.com")
    wrong = await client.data(LOGIN, {"input": {"email": "known@example.com", "password": "wrong password!"}})
    unknown = await client.data(LOGIN, {"input": {"email": "nobody@example.com", "password": "wrong password!"}})
    assert wrong["login"]["userErrors"] == unknown["login"]["userErrors"]
    assert wrong["login"]["userErrors"][0]["code"] == "UNAUTHENTICATED"
    assert wrong["login"]["accessToken"] is None


async def test_ten_failed_logins_lock_the_account_for_the_window(client):
    await sign_up(client, email="target@example.com")
    for _ in range(10):
        failed = await client.data(LOGIN, {"input": {"email": "target@example.com", "password": "guess guess!"}})
        assert failed["login"]["userErrors"][0]["code"] == "UNAUTHENTICATED"
    locked = await client.data(LOGIN, {"input": {"email": "target@example.com", "password": PASSWORD}})
    assert locked["login"]["userErrors"][0]["code"] == "RATE_LIMITED"
    assert locked["login"]["accessToken"] is None
    other = await sign_up(client)
    assert other.access_token


async def test_refresh_rotates_and_reuse_revokes_the_family(client):
    account = await sign_up(client)
    first = (await client.data(REFRESH, {"token": account.refresh_token}))["refreshToken"]
    assert first["userErrors"] == [] and first["refreshToken"] != account.refresh_token
    second = (await client.data(REFRESH, {"token": first["refreshToken"]}))["refreshToken"]
    assert second["userErrors"] == []

    reused = (await client.data(REFRESH, {"token": account.refresh_token}))["refreshToken"]
    assert reused["userErrors"][0]["code"] == "UNAUTHENTICATED"
    # The thief's reuse killed the whole family, including the newest token.
    latest = (await client.data(REFRESH, {"token": second["refreshToken"]}))["refreshToken"]
    assert latest["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def test_logout_revokes_the_session(client):
    account = await sign_up(client)
    out = (await client.data(LOGOUT, {"input": {"refreshToken": account.refresh_token}}))["logout"]
    assert out == {"ok": True, "userErrors": []}
    refreshed = (await client.data(REFRESH, {"token": account.refresh_token}))["refreshToken"]
    assert refreshed["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def test_logout_everywhere_needs_a_viewer(client):
    account = await sign_up(client)
    body = await client.execute(LOGOUT, {"input": {"everywhere": True}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    done = (await client.data(LOGOUT, {"input": {"everywhere": True}}, token=account.access_token))["logout"]
    assert done["ok"] is True
    refreshed = (await client.data(REFRESH, {"token": account.refresh_token}))["refreshToken"]
    assert refreshed["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def test_expired_or_forged_access_token_is_refused(client, services):
    account = await sign_up(client)
    user_id = services.access_tokens.verify(account.access_token, utcnow()).user_id
    expired, _ = services.access_tokens.issue(
        user_id, "PHOTOGRAPHER", utcnow() - timedelta(minutes=16), token_version=1
    )
    response = await client.post(VIEWER, token=expired)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    header, payload, _signature = account.access_token.split(".")
    unsigned = f"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}."
    assert (await client.post(VIEWER, token=unsigned)).status_code == 401
    tampered = f"{header}.{payload}.AAAA"
    assert (await client.post(VIEWER, token=tampered)).status_code == 401


async def test_update_profile_and_change_password(client):
    account = await sign_up(client)
    other = await sign_up(client)
    update = """mutation($input: UpdateProfileInput!) {
      updateProfile(input: $input) { user { username firstName } userErrors { field code } } }"""
    taken = await client.data(update, {"input": {"username": other.username}}, token=account.access_token)
    assert taken["updateProfile"]["userErrors"] == [{"field": ["username"], "code": "ALREADY_EXISTS"}]
    changed = await client.data(
        update, {"input": {"firstName": " Grace ", "username": "grace-h"}}, token=account.access_token
    )
    assert changed["updateProfile"]["user"] == {"username": "grace-h", "firstName": "Grace"}

    change = """mutation($input: ChangePasswordInput!) {
      changePassword(input: $input) { user { id } userErrors { field code } } }"""
    wrong = await client.data(
        change,
        {"input": {"currentPassword": "nope nope nope", "newPassword": "a new long password"}},
        token=account.access_token,
    )
    assert wrong["changePassword"]["userErrors"] == [{"field": ["currentPassword"], "code": "UNAUTHENTICATED"}]
    weak = await client.data(
        change, {"input": {"currentPassword": PASSWORD, "newPassword": "short"}}, token=account.access_token
    )
    assert weak["changePassword"]["userErrors"] == [{"field": ["newPassword"], "code": "INVALID_INPUT"}]
    ok = await client.data(
        change,
        {"input": {"currentPassword": PASSWORD, "newPassword": "a new long password"}},
        token=account.access_token,
    )
    assert ok["changePassword"]["userErrors"] == []
    relogin = await client.data(LOGIN, {"input": {"email": account.email, "password": "a new long password"}})
    assert relogin["login"]["userErrors"] == []
    stale = (await client.data(REFRESH, {"token": account.refresh_token}))["refreshToken"]
    assert stale["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def test_profile_mutations_need_a_viewer(client):
    body = await client.execute('mutation { updateProfile(input: {firstName: "X"}) { userErrors { code } } }')
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
