"""The pages the account emails link to, so a link works without a front end: confirming an address and
choosing a new password. Each calls the same use case as its mutation, and only from a form's POST: opening a
link (as mail gateways' scanners do) shows the form and uses up nothing."""

from __future__ import annotations

import html
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lensgraph.adapters.bodies import BodyTooLarge, read_body
from lensgraph.app.pages import page
from lensgraph.app.services import Services
from lensgraph.domain.accounts import MIN_PASSWORD_LENGTH
from lensgraph.domain.errors import DomainError
from lensgraph.resolvers import accounts
from lensgraph.resolvers.context import Context

# The forms send a token, and a password: a few hundred bytes, with room to spare.
MAX_FORM_BYTES = 16 * 1024


def account_routes(services: Services) -> list[Route]:
    async def verify_email_page(request: Request) -> Response:
        # Mail gateways open links to scan them: opening the link only shows the button; pressing it confirms.
        if request.method == "GET":
            return _verify_form(request.query_params.get("token", ""))
        try:
            form = await read_form(request)
        except BodyTooLarge:
            return page("Email not confirmed", "<p>The form sent is too large.</p>", status_code=413)
        try:
            user = await accounts.verify_email(
                Context.of_request(services, request, viewer=None), token=form.get("token", [""])[0]
            )
        except DomainError as refusal:
            return page("Email not confirmed", f"<p>{html.escape(refusal.message)}</p>", status_code=400)
        return page("Email confirmed", f"<p>{html.escape(user.email)} is confirmed. You can close this page.</p>")

    async def reset_password_page(request: Request) -> Response:
        if request.method == "GET":
            return _reset_form(request.query_params.get("token", ""))
        try:
            form = await read_form(request)
        except BodyTooLarge:
            return page("Password not changed", "<p>The form sent is too large.</p>", status_code=413)
        token = form.get("token", [""])[0]
        try:
            await accounts.reset_password(
                Context.of_request(services, request, viewer=None),
                token=token,
                new_password=form.get("password", [""])[0],
            )
        except DomainError as refusal:
            if refusal.field == ["newPassword"]:
                return _reset_form(token, problem=refusal.message)
            return page("Password not changed", f"<p>{html.escape(refusal.message)}</p>", status_code=400)
        return page("Password changed", "<p>Your password is changed. Sign in with it from now on.</p>")

    return [
        Route("/verify-email", verify_email_page, methods=["GET", "POST"]),
        Route("/reset-password", reset_password_page, methods=["GET", "POST"]),
    ]


async def read_form(request: Request) -> dict[str, list[str]]:
    """A page's form fields, read within MAX_FORM_BYTES (BodyTooLarge past it)."""
    sent = await read_body(request, MAX_FORM_BYTES)
    return parse_qs(sent.decode(errors="replace"))


def _verify_form(token: str) -> Response:
    form = (
        '<form method="post" action="/verify-email">'
        f'<input type="hidden" name="token" value="{html.escape(token)}">'
        '<button type="submit" autofocus>Confirm my email address</button></form>'
    )
    return page("Confirm your email address", f"<h1>Confirm your email address</h1>{form}")


def _reset_form(token: str, problem: str | None = None) -> Response:
    warning = f'<p role="alert" style="color:#b00020">{html.escape(problem)}</p>' if problem else ""
    form = (
        '<form method="post" action="/reset-password">'
        f'<input type="hidden" name="token" value="{html.escape(token)}">'
        f'<label>New password <input type="password" name="password" minlength="{MIN_PASSWORD_LENGTH}" required '
        'autocomplete="new-password" autofocus></label> <button type="submit">Change password</button></form>'
    )
    return page(
        "Choose a new password", f"<h1>Choose a new password</h1>{warning}{form}", status_code=400 if problem else 200
    )
