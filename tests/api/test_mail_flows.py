"""Email verification and password reset through a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import email
import html
import re

from sqlalchemy import update

from lensgraph.app.accounts import MAX_FORM_BYTES
from lensgraph.domain.events import AccountLinkRequested
from lensgraph.persistence.models import OutboxEvent
from tests.api.conftest import TOKEN
from tests.api.helpers import LOGIN, PASSWORD, REGISTER, registration, sign_up

VERIFY = """mutation($token: String!) { verifyEmail(input: {token: $token}) {
  user { username } userErrors { field code } } }"""
RESET = """mutation($token: String!, $password: String!) {
  resetPassword(input: {token: $token, newPassword: $password}) { user { username } userErrors { field code } } }"""
REQUEST_RESET = (
    """mutation($email: String!) { requestPasswordReset(input: {email: $email}) { ok userErrors { code } } }"""
)


async def test_email_verification_through_smtp(client, background, inbox):
    account = await sign_up(client, email="verify@example.com")
    await background.settle()
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


async def test_registration_mail_leaves_after_the_commit_through_the_relay_once(client, services, background, inbox):
    account = await sign_up(client, email="relayed@example.com")
    # The request answered without mailing: the link goes out when the relay hands the event to the worker.
    assert inbox.messages == []
    await background.settle()
    token = await inbox.token_for("relayed@example.com", "Confirm your email address")

    # A relay that died after queuing the job and before marking the event published queues it again: the job
    # finds the token its first run issued and sends nothing, and the link mailed stays the one that works.
    async with services.db.unit_of_work() as uow:
        replayed = await uow.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.type == AccountLinkRequested.type)
            .values(published_at=None, claimed_until=None)
        )
        assert replayed.rowcount == 1
    await background.settle()
    assert [message["To"] for message in inbox.messages] == ["relayed@example.com"]
    verified = (await client.data(VERIFY, {"token": token}))["verifyEmail"]
    assert verified == {"user": {"username": account.username}, "userErrors": []}


async def test_a_registration_that_does_not_commit_mails_nothing(client, background, inbox):
    # Registrations racing for one username: the one that commits gets its mail, the refused ones none, whether
    # the check refused them or the unique index rolled their transaction back.
    attempts = [registration(username="contested", email=f"racer{index}@example.com") for index in range(6)]
    answers = await asyncio.gather(*(client.data(REGISTER, {"input": values}) for values in attempts))
    winners = [values["email"] for values, answer in zip(attempts, answers, strict=True) if answer["register"]["user"]]
    refused = [[error["code"] for error in answer["register"]["userErrors"]] for answer in answers]
    assert len(winners) == 1 and sorted(refused) == [[]] + [["ALREADY_EXISTS"]] * 5
    await background.settle()
    await inbox.token_for(winners[0], "Confirm your email address")
    assert [message["To"] for message in inbox.messages] == winners


async def test_requesting_a_new_verification_voids_the_old_one(client, background, inbox):
    account = await sign_up(client, email="twice@example.com")
    await background.settle()
    old = await inbox.token_for("twice@example.com", "Confirm your email address")
    inbox.messages.clear()
    asked = await client.data("mutation { requestEmailVerification { ok } }", token=account.access_token)
    assert asked["requestEmailVerification"]["ok"] is True
    await background.settle()
    new = await inbox.token_for("twice@example.com", "Confirm your email address")
    assert (await client.data(VERIFY, {"token": old}))["verifyEmail"]["userErrors"][0]["code"] == "INVALID_INPUT"
    assert (await client.data(VERIFY, {"token": new}))["verifyEmail"]["userErrors"] == []


async def test_password_reset_through_smtp(client, background, inbox):
    account = await sign_up(client, email="forgetful@example.com")
    unknown = (await client.data(REQUEST_RESET, {"email": "nobody@example.com"}))["requestPasswordReset"]
    known = (await client.data(REQUEST_RESET, {"email": "forgetful@example.com"}))["requestPasswordReset"]
    assert unknown == known == {"ok": True, "userErrors": []}
    await background.settle()
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


async def test_without_smtp_mail_lands_in_the_data_folder(client, background, settings):
    await sign_up(client, email="filed@example.com")
    await background.settle()
    files = list((settings.data_dir / "mail").glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes())
    assert message["To"] == "filed@example.com" and TOKEN.search(message.get_payload())


def link_in(inbox, address: str, subject: str) -> str:
    """The path and query of the link in the newest such message, as a person would click it."""
    message = next(m for m in reversed(inbox.messages) if m["To"] == address and m["Subject"] == subject)
    url = next(word for word in message.get_payload(decode=True).decode().split() if word.startswith("http"))
    return url.removeprefix("http://testserver")


def press_the_button(page: str) -> tuple[str, dict[str, str]]:
    """Where the page's form posts, and what it sends: its hidden fields, as a browser would."""
    action = re.search(r'<form method="post" action="([^"]+)"', page)
    assert action, page
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    return html.unescape(action.group(1)), {name: html.unescape(value) for name, value in fields.items()}


async def test_the_verification_link_confirms_the_address_once_its_button_is_pressed(client, background, inbox):
    account = await sign_up(client, email="clicks@example.com")
    await background.settle()
    await inbox.token_for("clicks@example.com", "Confirm your email address")
    link = link_in(inbox, "clicks@example.com", "Confirm your email address")
    assert link.startswith("/verify-email?token=")

    # A mail gateway's scanner opens the link (twice, say): nothing is confirmed and the token is not spent.
    for _ in range(2):
        opened = await client.http.get(link)
        assert opened.status_code == 200 and "Confirm my email address" in opened.text
    viewer = await client.data("{ viewer { emailVerified } }", token=account.access_token)
    assert viewer["viewer"]["emailVerified"] is False

    action, fields = press_the_button(opened.text)
    confirmed = await client.http.post(action, data=fields)
    assert confirmed.status_code == 200 and "clicks@example.com is confirmed" in confirmed.text
    viewer = await client.data("{ viewer { emailVerified } }", token=account.access_token)
    assert viewer["viewer"]["emailVerified"] is True
    again = await client.http.post(action, data=fields)
    assert again.status_code == 400 and "Email not confirmed" in again.text


async def test_the_verification_form_is_read_within_its_limit(client):
    huge = await client.http.post("/verify-email", data={"token": "x" * (MAX_FORM_BYTES + 1)})
    assert huge.status_code == 413
    tampered = await client.http.post("/verify-email", data={"token": "<script>x</script>"})
    assert tampered.status_code == 400 and "<script>" not in tampered.text
    shown = await client.http.get("/verify-email", params={"token": '"><script>x</script>'})
    assert shown.status_code == 200 and "<script>" not in shown.text


async def test_the_reset_link_leads_to_a_form_that_changes_the_password(client, background, inbox):
    account = await sign_up(client, email="locked-out@example.com")
    await client.data(REQUEST_RESET, {"email": "locked-out@example.com"})
    await background.settle()
    token = await inbox.token_for("locked-out@example.com", "Reset your password")
    link = link_in(inbox, "locked-out@example.com", "Reset your password")

    # Opening the link (as a scanner would, twice) spends nothing: the form's token still changes the password.
    for _ in range(2):
        form = await client.http.get(link)
        assert form.status_code == 200 and f'name="token" value="{token}"' in form.text
    weak = await client.http.post("/reset-password", data={"token": token, "password": "short"})
    assert weak.status_code == 400 and "at least 10 characters" in weak.text and token in weak.text
    changed = await client.http.post("/reset-password", data={"token": token, "password": "a fresh passphrase"})
    assert changed.status_code == 200 and "Your password is changed" in changed.text
    reused = await client.http.post("/reset-password", data={"token": token, "password": "yet another one!"})
    assert reused.status_code == 400 and "Password not changed" in reused.text

    signed_in = await client.data(LOGIN, {"input": {"email": account.email, "password": "a fresh passphrase"}})
    assert signed_in["login"]["userErrors"] == []
    tampered = await client.http.post("/reset-password", data={"token": "<script>x</script>", "password": "p" * 12})
    assert tampered.status_code == 400 and "<script>" not in tampered.text
