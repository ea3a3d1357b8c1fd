"""Studio documents: contract and questionnaire templates, documents sent to clients, and the client's side."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.adapters.pdf import PDF_MEDIA_TYPE
from lensgraph.domain import documents as rules
from lensgraph.domain.pagination import page_request
from lensgraph.persistence.models import DocumentTemplate as TemplateRow
from lensgraph.persistence.models import StudioDocument as DocumentRow
from lensgraph.resolvers import documents
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import (
    Connection,
    Node,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)

if TYPE_CHECKING:
    from lensgraph.schema.studio import Client

DOWNLOAD_URL_LIFETIME = timedelta(hours=1)

DocumentKind = strawberry.enum(rules.DocumentKind, description="A contract to sign, or a questionnaire to answer.")
DocumentStatus = strawberry.enum(
    rules.DocumentStatus, description="SENT, then VIEWED when the client opens it, COMPLETED once; or VOID."
)
QuestionKind = strawberry.enum(rules.QuestionKind, description="What an answer holds; DATE is YYYY-MM-DD.")


@strawberry.type(description="A question of a questionnaire.")
class DocumentQuestion:
    id: str = strawberry.field(description="q1, q2... in order: answers name it.")
    text: str
    kind: QuestionKind  # type: ignore[valid-type]
    choices: list[str]
    required: bool

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> DocumentQuestion:
        question = rules.Question.from_snapshot(data)
        return cls(
            id=question.id,
            text=question.text,
            kind=question.kind,
            choices=list(question.choices),
            required=question.required,
        )


@strawberry.type
class DocumentAnswer:
    question_id: str
    value: str


@strawberry.type(description="A client's signature under a contract, where it came from, and what it covers.")
class DocumentSignature:
    name: str
    signed_at: datetime
    ip_address: str | None
    user_agent: str | None
    text_hash: str = strawberry.field(description="SHA-256 (hex) of the exact text signed.")


@strawberry.type(description="A merge field a template may name, as {{name}}.")
class MergeField:
    name: str
    description: str


def _questions(row: TemplateRow | DocumentRow) -> list[DocumentQuestion]:
    return [DocumentQuestion.from_snapshot(item) for item in row.questions]


def _answers(row: DocumentRow) -> list[DocumentAnswer] | None:
    if row.answers is None:
        return None
    return [DocumentAnswer(question_id=key, value=value) for key, value in row.answers.items()]


@node_type
@strawberry.type(description="A studio's contract or questionnaire template, with merge fields. Seen by it alone.")
class DocumentTemplate(Node):
    _row: strawberry.Private[TemplateRow]
    kind: DocumentKind  # type: ignore[valid-type]
    name: str
    body: str = strawberry.field(description="A contract's text, or a questionnaire's intro; merge fields allowed.")
    questions: list[DocumentQuestion]
    merge_fields: list[str] = strawberry.field(description="The merge fields the template names, in order.")
    version: int = strawberry.field(description="Send it back with updateDocumentTemplate: a stale one is CONFLICT.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: TemplateRow) -> DocumentTemplate:
        texts = [row.body, *(item["text"] for item in row.questions)]
        return cls(
            _row=row,
            id=to_global_id("DocumentTemplate", row.id),
            kind=row.kind,
            name=row.name,
            body=row.body,
            questions=_questions(row),
            merge_fields=list(dict.fromkeys(name for text in texts for name in rules.merge_fields(text))),
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> DocumentTemplate | None:
        row = await documents.template_by_id(info.context, key)
        return cls.from_row(row) if row else None


@node_type
@strawberry.type(description="A template rendered for one client and frozen when sent. Seen by its studio alone.")
class StudioDocument(Node):
    _row: strawberry.Private[DocumentRow]
    kind: DocumentKind  # type: ignore[valid-type]
    title: str
    body: str = strawberry.field(description="The rendered text, as the client sees it.")
    questions: list[DocumentQuestion]
    status: DocumentStatus  # type: ignore[valid-type]
    recipient: str = strawberry.field(description="Where the link was mailed.")
    sent_at: datetime
    mailed_at: datetime | None
    viewed_at: datetime | None
    completed_at: datetime | None
    voided_at: datetime | None
    answers: list[DocumentAnswer] | None
    signature: DocumentSignature | None

    @classmethod
    def from_row(cls, row: DocumentRow) -> StudioDocument:
        signature = (
            DocumentSignature(
                name=row.signature_name,
                signed_at=row.completed_at,
                ip_address=row.signed_ip,
                user_agent=row.signed_user_agent,
                text_hash=row.signed_text_hash or "",
            )
            if row.signature_name and row.completed_at
            else None
        )
        return cls(
            _row=row,
            id=to_global_id("StudioDocument", row.id),
            kind=row.kind,
            title=row.title,
            body=row.body,
            questions=_questions(row),
            status=row.status,
            recipient=row.recipient,
            sent_at=row.created_at,
            mailed_at=row.mailed_at,
            viewed_at=row.viewed_at,
            completed_at=row.completed_at,
            voided_at=row.voided_at,
            answers=_answers(row),
            signature=signature,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> StudioDocument | None:
        row = await documents.document_by_id(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field(description="The client the document was sent to.")
    async def client(
        self, info: Info[Context, None]
    ) -> Annotated[Client, strawberry.lazy("lensgraph.schema.studio")] | None:
        from lensgraph.schema.studio import Client

        row = await info.context.loaders.client.load(self._row.client_id)
        return Client.from_row(row) if row else None

    @strawberry.field(description="The completed document as a PDF: a signed URL valid for an hour; null before.")
    async def download_url(self, info: Info[Context, None]) -> str | None:
        if self._row.file_key is None or self._row.status is not rules.DocumentStatus.COMPLETED:
            return None
        return await info.context.services.storage.presign_download(
            self._row.file_key,
            expires_in=DOWNLOAD_URL_LIFETIME,
            media_type=PDF_MEDIA_TYPE,
            filename=rules.pdf_name(self._row.title, self._row.id),
        )


@strawberry.type(description="A document as its client sees it through the mailed link.")
class ClientDocument:
    kind: DocumentKind  # type: ignore[valid-type]
    title: str
    body: str
    questions: list[DocumentQuestion]
    status: DocumentStatus  # type: ignore[valid-type]
    completed_at: datetime | None
    answers: list[DocumentAnswer] | None
    signature_name: str | None

    @classmethod
    def from_row(cls, row: DocumentRow) -> ClientDocument:
        return cls(
            kind=row.kind,
            title=row.title,
            body=row.body,
            questions=_questions(row),
            status=row.status,
            completed_at=row.completed_at,
            answers=_answers(row),
            signature_name=row.signature_name,
        )


@strawberry.type
class ViewerDocuments:
    """Fields of ``Viewer`` about the studio's document templates."""

    @strawberry.field(description="Studios: your contract and questionnaire templates, newest first.")
    async def document_templates(
        self,
        info: Info[Context, None],
        kind: DocumentKind | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[DocumentTemplate]:
        page = await documents.list_templates(info.context, page_request(first, after, last, before), kind)
        return Connection[DocumentTemplate].from_page(page, DocumentTemplate.from_row)


@strawberry.type
class DocumentQueries:
    @strawberry.field(description="The merge fields templates may name.")
    def merge_fields(self) -> list[MergeField]:
        return [MergeField(name=name, description=text) for name, text in rules.MERGE_FIELDS.items()]

    @strawberry.field(description="Public: the document a mailed link opens; the first opening marks it VIEWED.")
    async def studio_document(self, info: Info[Context, None], token: str) -> ClientDocument:
        return ClientDocument.from_row(await documents.open_document(info.context, token))


# Inputs and payloads ---------------------------------------------------------------------------


@strawberry.input
class DocumentQuestionInput:
    text: str
    kind: QuestionKind  # type: ignore[valid-type]
    choices: list[str] = strawberry.field(default_factory=list, description="CHOICE questions: 2 or more.")
    required: bool = False

    def to_resolver(self) -> documents.QuestionInput:
        return documents.QuestionInput(self.text, self.kind, self.choices, self.required)


@strawberry.input
class CreateDocumentTemplateInput:
    kind: DocumentKind  # type: ignore[valid-type]
    name: str
    body: str = ""
    questions: list[DocumentQuestionInput] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateDocumentTemplateInput:
    id: strawberry.ID
    version: int | None = strawberry.field(default=None, description="The version you read; stale is CONFLICT.")
    name: str | None = None
    body: str | None = None
    questions: list[DocumentQuestionInput] | None = None


@strawberry.type
class CreateDocumentTemplatePayload:
    document_template: DocumentTemplate | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UpdateDocumentTemplatePayload:
    document_template: DocumentTemplate | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeleteDocumentTemplateInput:
    id: strawberry.ID


@strawberry.type
class DeleteDocumentTemplatePayload:
    deleted_document_template_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SendDocumentInput:
    template_id: strawberry.ID
    client_id: strawberry.ID
    booking_id: strawberry.ID | None = strawberry.field(
        default=None, description="One of the client's bookings: needed when the template names {{session.*}}."
    )


@strawberry.type
class SendDocumentPayload:
    document: StudioDocument | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class VoidDocumentInput:
    id: strawberry.ID


@strawberry.type
class VoidDocumentPayload:
    document: StudioDocument | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DocumentAnswerInput:
    question_id: str
    value: str


@strawberry.input
class SubmitQuestionnaireInput:
    token: str
    answers: list[DocumentAnswerInput]


@strawberry.type
class SubmitQuestionnairePayload:
    document: ClientDocument | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SignStudioContractInput:
    token: str
    signature_name: str = strawberry.field(description="Your full name, as your signature.")
    agree: bool = strawberry.field(description="Must be true: you agree to the contract's text.")


@strawberry.type
class SignStudioContractPayload:
    document: ClientDocument | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DocumentMutations:
    @strawberry.mutation(description="Studios: a contract or questionnaire template; unknown merge fields are refused.")
    @returns_user_errors(CreateDocumentTemplatePayload)
    async def create_document_template(
        self, info: Info[Context, None], input: CreateDocumentTemplateInput
    ) -> CreateDocumentTemplatePayload:
        row = await documents.create_template(
            info.context, input.kind, input.name, input.body, [item.to_resolver() for item in input.questions]
        )
        return CreateDocumentTemplatePayload(document_template=DocumentTemplate.from_row(row))

    @strawberry.mutation(description="Change what is given; documents already sent keep their text.")
    @returns_user_errors(UpdateDocumentTemplatePayload)
    async def update_document_template(
        self, info: Info[Context, None], input: UpdateDocumentTemplateInput
    ) -> UpdateDocumentTemplatePayload:
        row = await documents.update_template(
            info.context,
            expect_global_id(input.id, "DocumentTemplate"),
            version=input.version,
            name=input.name,
            body=input.body,
            questions=None if input.questions is None else [item.to_resolver() for item in input.questions],
        )
        return UpdateDocumentTemplatePayload(document_template=DocumentTemplate.from_row(row))

    @strawberry.mutation(description="Delete a template; documents sent from it stay.")
    @returns_user_errors(DeleteDocumentTemplatePayload)
    async def delete_document_template(
        self, info: Info[Context, None], input: DeleteDocumentTemplateInput
    ) -> DeleteDocumentTemplatePayload:
        await documents.delete_template(info.context, expect_global_id(input.id, "DocumentTemplate"))
        return DeleteDocumentTemplatePayload(deleted_document_template_id=input.id)

    @strawberry.mutation(description="Studios: render a template for a client and mail them a link to complete it.")
    @returns_user_errors(SendDocumentPayload)
    async def send_document(self, info: Info[Context, None], input: SendDocumentInput) -> SendDocumentPayload:
        row = await documents.send_document(
            info.context,
            expect_global_id(input.template_id, "DocumentTemplate", "templateId"),
            expect_global_id(input.client_id, "Client", "clientId"),
            None if input.booking_id is None else expect_global_id(input.booking_id, "Booking", "bookingId"),
        )
        return SendDocumentPayload(document=StudioDocument.from_row(row))

    @strawberry.mutation(description="Studios: withdraw a document the client has not completed.")
    @returns_user_errors(VoidDocumentPayload)
    async def void_document(self, info: Info[Context, None], input: VoidDocumentInput) -> VoidDocumentPayload:
        row = await documents.void_document(info.context, expect_global_id(input.id, "StudioDocument"))
        return VoidDocumentPayload(document=StudioDocument.from_row(row))

    @strawberry.mutation(description="Public, with the mailed token: answer a questionnaire, once.")
    @returns_user_errors(SubmitQuestionnairePayload)
    async def submit_questionnaire(
        self, info: Info[Context, None], input: SubmitQuestionnaireInput
    ) -> SubmitQuestionnairePayload:
        row = await documents.submit_questionnaire(
            info.context, input.token, [(item.question_id, item.value) for item in input.answers]
        )
        return SubmitQuestionnairePayload(document=ClientDocument.from_row(row))

    @strawberry.mutation(description="Public, with the mailed token: sign a contract, once.")
    @returns_user_errors(SignStudioContractPayload)
    async def sign_studio_contract(
        self, info: Info[Context, None], input: SignStudioContractInput
    ) -> SignStudioContractPayload:
        row = await documents.sign_contract(info.context, input.token, input.signature_name, input.agree)
        return SignStudioContractPayload(document=ClientDocument.from_row(row))
