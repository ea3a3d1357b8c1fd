"""Email verification and password reset through a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email

from tests.api.conftest import TOKEN
from tests.api.helpers import LOGIN, PASSWORD, sign_up

VERIFY = """mutation($token: String!) { verifyEmail(input: {token: $token}) {
  user { username } userErrors { field code } } }"""
RESET = """mutation($token: String!, $password: String!) {
  resetPassword(input: {token: $token, newPassword: $password}) { user { username } userErrors { field code } } }"""
REQUEST_RESET = (
    """mutation($email: String!) { requestPasswordReset(input: {email: $email}) { ok userErrors { code } } }"""
)


async def test_email_verification_through_smtp(client, inbox):
    account = await sign_up(client, email="verify@example.com")
    token = await inbox.token_for("verify@example.com", "Confirm your email address")
    verified = (await client.data(VERIFY, {"token": token}))["verifyEmail"]
    assert verified == {"user": {"username": account.username}, "userErrors": []}
    viewer = await client.data("{ viewer { emailVerified } }", token=account.access_token)
    assert viewer["viewer"]["emailVerified"] is True
    again = (await client.data(VERIFY, {"token": token}))["verifyEmail"]
    assert again["userErrors"] == [{"field": ["token"], "code": "INVALID_INPUT"}]
    already = await client.data(
        "mutation { requestEmailVerification { ok userErrors { code } } }", token=account.access_token
    )
    assert already["requestEmailVerification"]["userErrors"] == [{"code": "INVALID_TRANSITION"}]


async def test_requesting_a_new_verification_voids_the_old_one(client, inbox):
    account = await sign_up(client, email="twice@example.com")
    old = await inbox.token_for("twice@example.com", "Confirm your email address")
    inbox.messages.clear()
    asked = await client.data("mutation { requestEmailVerification { ok } }", token=account.access_token)
    assert asked["requestEmailVerification"]["ok"] is True
    new = await inbox.token_for("twice@example.com", "Confirm your email address")
    assert (await client.data(VERIFY, {"token": old}))["verifyEmail"]["userErrors"][0]["code"] == "INVALID_INPUT"
    assert (await client.data(VERIFY, {"token": new}))["verifyEmail"]["userErrors"] == []


async def test_password_reset_through_smtp(client, inbox):
    account = await sign_up(client, email="forgetful@example.com")
    unknown = (await client.data(REQUEST_RESET, {"email": "nobody@example.com"}))["requestPasswordReset"]
    known = (await client.data(REQUEST_RESET, {"email": "forgetful@example.com"}))["requestPasswordReset"]
    assert unknown == known == {"ok": True, "userErrors": []}
    token = await inbox.token_for("forgetful@example.com", "Reset your password")
    assert not any(message["To"] == "nobody@example.com" for message in inbox.messages)

    weak = (await client.data(RESET, {"token": token, "password": "short"}))["resetPassword"]
    assert weak["userErrors"] == [{"field": ["newPassword"], "code": "INVALID_INPUT"}]
    done = (await client.data(RESET, {"token": token, "password": "brand new password"}))["resetPassword"]
    assert done["userErrors"] == []
    reused = (await client.data(RESET, {"token": token, "password": "another new password"}))["resetPassword"]
    assert reused["userErrors"] == [{"field": ["token"], "code": "INVALID_INPUT"}]

    old = await client.data(LOGIN, {"input": {"email": account.email, "password": PASSWORD}})
    assert old["login"]["userErrors"][0]["code"] == "UNAUTHENTICATED"
    new = await client.data(LOGIN, {"input": {"email": account.email, "password": "brand new password"}})
    assert new["login"]["userErrors"] == []
    refresh = """mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { userErrors { code } } }"""
    stale = await client.data(refresh, {"t": account.refresh_token})
    assert stale["refreshToken"]["userErrors"] == [{"code": "UNAUTHENTICATED"}]


async def test_without_smtp_mail_lands_in_the_data_folder(client, settings):
    await sign_up(client, email="filed@example.com")
    files = list((settings.data_dir / "mail").glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes())
    assert message["To"] == "filed@example.com" and TOKEN.search(message.get_payload())
