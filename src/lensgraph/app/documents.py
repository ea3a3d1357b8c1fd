"""The page a studio's document link opens, so a client can sign a contract or answer a questionnaire without a
front end. It calls the same use cases as `studioDocument`, `signStudioContract` and `submitQuestionnaire`;
only a form's POST completes anything (opening the link, as mail scanners do, marks it viewed, nothing more)."""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lensgraph.adapters.bodies import BodyTooLarge
from lensgraph.app.accounts import read_form
from lensgraph.app.pages import page
from lensgraph.app.services import Services
from lensgraph.domain.documents import DOCUMENT_PATH, DocumentKind, DocumentStatus, Question, QuestionKind
from lensgraph.domain.errors import DomainError
from lensgraph.persistence.models import StudioDocument
from lensgraph.resolvers import documents
from lensgraph.resolvers.context import Context

ALERT = '<p role="alert" style="color:#b00020">{}</p>'


def document_routes(services: Services) -> list[Route]:
    async def document_page(request: Request) -> Response:
        ctx = Context.of_request(services, request, viewer=None)
        if request.method == "GET":
            token = request.query_params.get("token", "")
            try:
                return _document_page(await documents.open_document(ctx, token), token)
            except DomainError as refusal:
                return page("Document unavailable", f"<p>{html.escape(refusal.message)}</p>", status_code=404)
        try:
            form = await read_form(request)
        except BodyTooLarge:
            return page("Not sent", "<p>The form sent is too large.</p>", status_code=413)
        token = form.get("token", [""])[0]
        try:
            if form.get("kind", [""])[0] == DocumentKind.CONTRACT.value:
                done = await documents.sign_contract(
                    ctx, token, form.get("signatureName", [""])[0], agree=form.get("agree", [""])[0] == "yes"
                )
            else:
                # An optional question left blank is not answered; a blank required one is refused by the rules.
                answers = [
                    (name[2:], value)
                    for name, values in form.items()
                    if name.startswith("a:")
                    for value in values
                    if value.strip()
                ]
                done = await documents.submit_questionnaire(ctx, token, answers)
        except DomainError as refusal:
            try:
                row = await documents.open_document(ctx, token)
            except DomainError:
                return page("Not sent", f"<p>{html.escape(refusal.message)}</p>", status_code=400)
            return _document_page(row, token, problem=refusal.message, sent=form, status_code=400)
        return page("Thank you", f"<h1>{html.escape(done.title)}</h1><p>{_completed(done)}</p>")

    return [Route(DOCUMENT_PATH, document_page, methods=["GET", "POST"])]


def _completed(row: StudioDocument) -> str:
    if row.kind is DocumentKind.CONTRACT:
        return f"Signed by {html.escape(row.signature_name or '')}. Your studio has been told; you can close this page."
    return "Your answers are sent to your studio. You can close this page."


def _document_page(
    row: StudioDocument,
    token: str,
    *,
    problem: str | None = None,
    sent: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    title = html.escape(row.title)
    text = "".join(f"<p>{html.escape(part)}</p>" for part in row.body.split("\n\n") if part.strip())
    if row.status is DocumentStatus.COMPLETED:
        return page(row.title, f"<h1>{title}</h1>{text}<p><strong>{_completed(row)}</strong></p>")
    if row.status is DocumentStatus.VOID:
        return page(row.title, f"<h1>{title}</h1><p>The studio has withdrawn this document.</p>", status_code=410)
    sent = sent or {}
    fields = _signature_fields(sent) if row.kind is DocumentKind.CONTRACT else _question_fields(row.questions, sent)
    form = (
        f'<form method="post" action="{DOCUMENT_PATH}">'
        f'<input type="hidden" name="token" value="{html.escape(token)}">'
        f'<input type="hidden" name="kind" value="{row.kind.value}">{fields}'
        f'<p><button type="submit">{"Sign" if row.kind is DocumentKind.CONTRACT else "Send my answers"}</button></p>'
        "</form>"
    )
    warning = ALERT.format(html.escape(problem)) if problem else ""
    return page(row.title, f"<h1>{title}</h1>{text}{warning}{form}", status_code=status_code)


def _signature_fields(sent: dict[str, list[str]]) -> str:
    name = html.escape(sent.get("signatureName", [""])[0])
    return (
        f'<p><label>Your full name <input name="signatureName" value="{name}" required autocomplete="name"></label></p>'
        '<p><label><input type="checkbox" name="agree" value="yes" required> '
        "I have read this contract and agree to it.</label></p>"
    )


def _question_fields(snapshots: list[dict[str, object]], sent: dict[str, list[str]]) -> str:
    parts = []
    for question in (Question.from_snapshot(item) for item in snapshots):
        name = f"a:{question.id}"
        given = html.escape(sent.get(name, [""])[0])
        required = " required" if question.required else ""
        label = html.escape(question.text) + (" *" if question.required else "")
        if question.kind is QuestionKind.LONG_TEXT:
            control = f'<textarea name="{name}" rows="4" cols="50"{required}>{given}</textarea>'
        elif question.kind is QuestionKind.CHOICE:
            options = "".join(
                f"<option{' selected' if html.escape(choice) == given else ''}>{html.escape(choice)}</option>"
                for choice in question.choices
            )
            control = f'<select name="{name}"{required}><option value=""></option>{options}</select>'
        else:
            kind = "date" if question.kind is QuestionKind.DATE else "text"
            control = f'<input type="{kind}" name="{name}" value="{given}"{required}>'
        parts.append(f"<p><label>{label}<br>{control}</label></p>")
    return "".join(parts)
