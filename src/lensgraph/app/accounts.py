"""The pages the account emails link to, so a link works without a front end: confirming an address and
choosing a new password. Each calls the same use case as its mutation."""

from __future__ import annotations

import html
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lensgraph.adapters.bodies import BodyTooLarge, read_body
from lensgraph.app.pages import page
from lensgraph.domain.accounts import MIN_PASSWORD_LENGTH
from lensgraph.domain.errors import DomainError
from lensgraph.resolvers import accounts
from lensgraph.resolvers.context import Context, Services

# The reset form sends a token and a password: a few hundred bytes, with room to spare.
MAX_FORM_BYTES = 16 * 1024


def account_routes(services: Services) -> list[Route]:
    async def verify_email_page(request: Request) -> Response:
        try:
            user = await accounts.verify_email(
                Context.of_request(services, request, viewer=None), token=request.query_params.get("token", "")
            )
        except DomainError as refusal:
            return page("Email not confirmed", f"<p>{html.escape(refusal.message)}</p>", status_code=400)
        return page("Email confirmed", f"<p>{html.escape(user.email)} is confirmed. You can close this page.</p>")

    async def reset_password_page(request: Request) -> Response:
        if request.method == "GET":
            return _reset_form(request.query_params.get("token", ""))
        try:
            sent = await read_body(request, MAX_FORM_BYTES)
        except BodyTooLarge:
            return page("Password not changed", "<p>The form sent is too large.</p>", status_code=413)
        form = parse_qs(sent.decode(errors="replace"))
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
        Route("/verify-email", verify_email_page, methods=["GET"]),
        Route("/reset-password", reset_password_page, methods=["GET", "POST"]),
    ]


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
