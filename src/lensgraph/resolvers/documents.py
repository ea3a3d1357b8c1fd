"""Studio documents: templates kept by a studio, documents sent to its clients, and their completion by the client
through a mailed link (answers to a questionnaire, or a signature under a contract), exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from lensgraph.adapters.pdf import PDF_MEDIA_TYPE, render_pdf
from lensgraph.adapters.tokens import digest
from lensgraph.domain import documents as rules
from lensgraph.domain.documents import DocumentKind, DocumentStatus, MergeFacts, Question, QuestionKind, SessionFacts
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import DocumentCompleted, DocumentSent
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.policies import can_view_studio_record
from lensgraph.domain.studio import time_zone
from lensgraph.persistence import documents as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import UnitOfWork
from lensgraph.persistence.models import Client, DocumentTemplate, StudioDocument, User
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.studio import require_studio

LINK_NOT_FOUND = "This link opens no document: ask the studio for a new one."
MAX_USER_AGENT = 500


@dataclass(frozen=True)
class QuestionInput:
    text: str
    kind: QuestionKind
    choices: Sequence[str]
    required: bool


def _content(kind: DocumentKind, name: str, body: str, questions: Sequence[QuestionInput]) -> rules.TemplateContent:
    return rules.check_template(
        kind, name, body, [(item.text, item.kind, item.choices, item.required) for item in questions]
    )


def template_content(row: DocumentTemplate) -> rules.TemplateContent:
    questions = tuple(Question.from_snapshot(item) for item in row.questions)
    return rules.TemplateContent(row.kind, row.name, row.body, questions)


async def _own_template(ctx: Context, uow: UnitOfWork, template_id: UUID, field: str) -> DocumentTemplate:
    viewer = require_studio(ctx)
    row = await uow.session.get(DocumentTemplate, template_id)
    if row is None or not can_view_studio_record(viewer, row.studio_id):
        raise DomainError(ErrorCode.NOT_FOUND, "No such template of yours.", [field])
    return row


# Templates ---------------------------------------------------------------------------------------


async def create_template(
    ctx: Context, kind: DocumentKind, name: str, body: str, questions: Sequence[QuestionInput]
) -> DocumentTemplate:
    viewer = require_studio(ctx)
    content = _content(kind, name, body, questions)
    row = DocumentTemplate(
        studio_id=viewer.user_id,
        kind=kind,
        name=content.name,
        body=content.body,
        questions=[question.snapshot() for question in content.questions],
    )
    async with ctx.db.unit_of_work() as uow:
        uow.session.add(row)
    return row


async def update_template(
    ctx: Context,
    template_id: UUID,
    *,
    version: int | None,
    name: str | None,
    body: str | None,
    questions: Sequence[QuestionInput] | None,
) -> DocumentTemplate:
    """Changes what is given (the kind stays); documents already sent keep the text they were sent with."""
    async with ctx.db.unit_of_work() as uow:
        row = await _own_template(ctx, uow, template_id, "id")
        if version is not None and version != row.version:
            raise DomainError(ErrorCode.CONFLICT, "This template changed since you read it.", ["version"])
        current = template_content(row)
        asked = (
            [QuestionInput(q.text, q.kind, q.choices, q.required) for q in current.questions]
            if questions is None
            else questions
        )
        new_name = current.name if name is None else name
        content = _content(row.kind, new_name, current.body if body is None else body, asked)
        row.name, row.body = content.name, content.body
        row.questions = [question.snapshot() for question in content.questions]
    return row


async def delete_template(ctx: Context, template_id: UUID) -> None:
    """The template goes; documents sent from it stay as they were sent."""
    async with ctx.db.unit_of_work() as uow:
        await uow.session.delete(await _own_template(ctx, uow, template_id, "id"))


async def list_templates(ctx: Context, page: PageRequest, kind: DocumentKind | None) -> Page[DocumentTemplate]:
    """Your templates, newest first."""
    viewer = require_studio(ctx)
    query = queries.templates_of(viewer.user_id)
    if kind is not None:
        query = query.where(DocumentTemplate.kind == kind)
    return await paginate(ctx.reads, query, [DocumentTemplate.created_at, DocumentTemplate.id], page, descending=True)


async def template_by_id(ctx: Context, template_id: UUID) -> DocumentTemplate | None:
    row = await ctx.loaders.document_template.load(template_id)
    return row if row and can_view_studio_record(ctx.viewer, row.studio_id) else None


# Sending -----------------------------------------------------------------------------------------


async def send_document(ctx: Context, template_id: UUID, client_id: UUID, booking_id: UUID | None) -> StudioDocument:
    """Renders the template for the client (and the booking) and freezes it in a document; the client's link is
    mailed after the commit (``documents.mail_link``)."""
    viewer = require_studio(ctx)
    async with ctx.db.unit_of_work() as uow:
        template = await _own_template(ctx, uow, template_id, "templateId")
        client = await uow.session.get(Client, client_id)
        if client is None or not can_view_studio_record(viewer, client.studio_id):
            raise DomainError(ErrorCode.NOT_FOUND, "No such client of yours.", ["clientId"])
        if not client.emails:
            raise DomainError(ErrorCode.INVALID_INPUT, "This client has no address to mail.", ["clientId"])
        content = template_content(template)
        session = await _session_facts(uow, client, booking_id)
        if session is None and rules.needs_booking([content.body, *(item.text for item in content.questions)]):
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                "This template names the session: choose one of the client's bookings.",
                ["bookingId"],
            )
        frozen = rules.freeze(content, rules.merge_values(await _merge_facts(uow, client, session)))
        document = StudioDocument(
            id=ctx.new_id("studio-document"),
            studio_id=viewer.user_id,
            client_id=client.id,
            template_id=template.id,
            booking_id=booking_id,
            kind=template.kind,
            title=frozen.title,
            body=frozen.body,
            questions=[question.snapshot() for question in frozen.questions],
            recipient=client.emails[0],
            status=DocumentStatus.SENT,
        )
        uow.session.add(document)
        uow.emit(DocumentSent(document_id=document.id, audience=(viewer.user_id,)))
    return document


async def _session_facts(uow: UnitOfWork, client: Client, booking_id: UUID | None) -> SessionFacts | None:
    """The booked session the document is about: one of this client's bookings, else NOT_FOUND."""
    if booking_id is None:
        return None
    booked = await queries.booked_session(uow.session, booking_id)
    if booked is None or booked[0].client_id != client.id or booked[0].studio_id != client.studio_id:
        raise DomainError(ErrorCode.NOT_FOUND, "No such booking of this client.", ["bookingId"])
    booking, type_name = booked
    return SessionFacts(booking.starts_at, type_name)


async def _merge_facts(uow: UnitOfWork, client: Client, session: SessionFacts | None) -> MergeFacts:
    studio = await uow.session.get(User, client.studio_id)
    assert studio is not None
    return MergeFacts(
        client_name=client.name,
        client_email=client.emails[0],
        client_phone=client.phone,
        studio_name=f"{studio.first_name} {studio.last_name}".strip(),
        studio_email=studio.email,
        time_zone=time_zone(await queries.time_zone_of(uow.session, client.studio_id)),
        today=utcnow().date(),
        session=session,
    )


async def void_document(ctx: Context, document_id: UUID) -> StudioDocument:
    """The studio withdraws a document the client has not completed: its link opens it as VOID, and it can no
    longer be completed."""
    viewer = require_studio(ctx)
    async with ctx.db.session() as session:
        row = await session.get(StudioDocument, document_id)
    if row is None or not can_view_studio_record(viewer, row.studio_id):
        raise DomainError(ErrorCode.NOT_FOUND, "No such document of yours.", ["id"])
    async with ctx.db.unit_of_work() as uow:
        if not await queries.void(uow.session, document_id, utcnow()):
            current = await uow.session.get(StudioDocument, document_id)
            rules.check_open(current.status if current else DocumentStatus.VOID, "id")
        voided = await uow.session.get(StudioDocument, document_id)
    assert voided is not None
    return voided


async def document_by_id(ctx: Context, document_id: UUID) -> StudioDocument | None:
    row = await ctx.loaders.studio_document.load(document_id)
    return row if row and can_view_studio_record(ctx.viewer, row.studio_id) else None


async def documents_of_client(ctx: Context, client: Client) -> list[StudioDocument]:
    rows: list[StudioDocument] = await ctx.loaders.documents_by_client.load(client.id)
    return rows


# The client's side -------------------------------------------------------------------------------


def _digest_of(token: str) -> str:
    presented = token.strip()
    # Links carry URL-safe base64: anything else names no document.
    if not presented or len(presented) > 200 or not presented.isascii():
        raise DomainError(ErrorCode.NOT_FOUND, LINK_NOT_FOUND, ["token"])
    return digest(presented)


async def open_document(ctx: Context, token: str) -> StudioDocument:
    """The document a link opens, for whoever holds it; the first opening moves it from SENT to VIEWED."""
    token_digest = _digest_of(token)
    async with ctx.db.unit_of_work() as uow:
        # The write comes first, so the read after it sees the row as this transaction left it.
        await queries.mark_viewed_by_digest(uow.session, token_digest, utcnow())
        row = await queries.by_token_digest(uow.session, token_digest)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, LINK_NOT_FOUND, ["token"])
    return row


async def _presented(ctx: Context, token: str, kind: DocumentKind) -> StudioDocument:
    """The open document of this kind the token names, else a coded refusal."""
    token_digest = _digest_of(token)
    async with ctx.db.session() as session:
        row = await queries.by_token_digest(session, token_digest)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, LINK_NOT_FOUND, ["token"])
    rules.check_kind(row.kind, kind)
    rules.check_open(row.status)
    return row


async def submit_questionnaire(ctx: Context, token: str, answers: Sequence[tuple[str, str]]) -> StudioDocument:
    row = await _presented(ctx, token, DocumentKind.QUESTIONNAIRE)
    questions = [Question.from_snapshot(item) for item in row.questions]
    checked = rules.check_answers(questions, answers)
    return await _complete(ctx, row, answers=checked)


async def sign_contract(ctx: Context, token: str, signature_name: str, agree: bool) -> StudioDocument:
    row = await _presented(ctx, token, DocumentKind.CONTRACT)
    signature = rules.sign(row.body, signature_name, agree)
    user_agent = ctx.request.headers.get("user-agent", "") if ctx.request is not None else ""
    return await _complete(
        ctx,
        row,
        signature_name=signature.name,
        signed_ip=ctx.client_ip,
        signed_user_agent=user_agent[:MAX_USER_AGENT],
        signed_text_hash=signature.text_hash,
    )


async def _complete(ctx: Context, row: StudioDocument, **values: object) -> StudioDocument:
    """Completes the document with one conditional UPDATE (the first statement of its transaction): of two
    requests at once, one changes the row and the other finds it completed. The PDF is written before the
    commit, so a failed write leaves the document open."""
    now = utcnow()
    key = f"documents/{row.id}/{rules.pdf_name(row.title, row.id)}"
    async with ctx.db.unit_of_work() as uow:
        if not await queries.complete(uow.session, row.id, row.token_digest or "", now, file_key=key, **values):
            current = await uow.session.get(StudioDocument, row.id)
            rules.check_open(current.status if current else DocumentStatus.VOID)
            raise DomainError(ErrorCode.CONFLICT, "This document changed at the same moment: open it again.")
        completed = await uow.session.get(StudioDocument, row.id)
        assert completed is not None
        await ctx.services.storage.write(key, await _pdf(completed, now), content_type=PDF_MEDIA_TYPE)
        uow.emit(
            DocumentCompleted(
                document_id=row.id, client_id=row.client_id, kind=row.kind.value, audience=(row.studio_id,)
            )
        )
    return completed


def _stamp(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"


async def _pdf(row: StudioDocument, completed_at: datetime) -> bytes:
    """The completed document: its frozen text, the answers or the signature block, and when each step happened."""
    blocks: list[tuple[str, str]] = [("", row.body)] if row.body else []
    if row.kind is DocumentKind.QUESTIONNAIRE:
        answers = row.answers or {}
        for item in row.questions:
            question = Question.from_snapshot(item)
            blocks.append((question.text, answers.get(question.id, "")))
    else:
        blocks.append(
            (
                "Signature",
                f"Signed by: {row.signature_name}\nSigned at: {_stamp(completed_at)}\n"
                f"IP address: {row.signed_ip or 'unknown'}\nUser agent: {row.signed_user_agent or 'unknown'}\n"
                f"SHA-256 of the text signed: {row.signed_text_hash}",
            )
        )
    blocks.append(
        (
            "Record",
            f"Document {row.id}, sent to {row.recipient}.\nSent: {_stamp(row.created_at)}\n"
            f"Viewed: {_stamp(row.viewed_at)}\nCompleted: {_stamp(completed_at)}",
        )
    )
    return await render_pdf(row.title, blocks)
