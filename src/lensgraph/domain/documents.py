"""Studio documents: contract and questionnaire templates with merge fields, frozen into documents that a client
completes once (answers or a signature) through a mailed link."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.licensing import clean_signature_name

MAX_TEMPLATE_NAME = 200
MAX_BODY = 50_000
MAX_QUESTIONS = 100
MAX_QUESTION_TEXT = 1_000
MAX_CHOICES = 50
MAX_CHOICE = 200
MAX_TEXT_ANSWER = 1_000
MAX_LONG_TEXT_ANSWER = 10_000
# Where a client opens a document; the secret travels as the ``token`` query parameter, which logs redact.
DOCUMENT_PATH = "/documents"
# ``{{ client.name }}``: letters, digits, dots and underscores between double braces, spaces allowed inside.
MERGE_FIELD = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
STRAY_BRACES = re.compile(r"\{\{|\}\}")


class DocumentKind(Enum):
    CONTRACT = "CONTRACT"
    QUESTIONNAIRE = "QUESTIONNAIRE"


class QuestionKind(Enum):
    TEXT = "TEXT"
    LONG_TEXT = "LONG_TEXT"
    CHOICE = "CHOICE"
    DATE = "DATE"


class DocumentStatus(Enum):
    SENT = "SENT"
    VIEWED = "VIEWED"
    COMPLETED = "COMPLETED"
    VOID = "VOID"


# A document the client can still complete; the conditional UPDATE that completes one names these.
OPEN_STATUSES = (DocumentStatus.SENT, DocumentStatus.VIEWED)

# Every merge field a template may name, with what it becomes.
MERGE_FIELDS: Mapping[str, str] = {
    "client.name": "The client's name.",
    "client.email": "The client's first address.",
    "client.phone": "The client's phone number.",
    "studio.name": "The studio's name.",
    "studio.email": "The studio's address.",
    "session.date": "The booked session's date (the studio's time zone, YYYY-MM-DD).",
    "session.time": "The booked session's start time (the studio's time zone, HH:MM).",
    "session.type": "The booked session's type.",
    "today": "The day the document is sent (YYYY-MM-DD, UTC).",
}
SESSION_FIELDS = frozenset(name for name in MERGE_FIELDS if name.startswith("session."))


# Merge fields ------------------------------------------------------------------------------------


def merge_fields(text: str) -> list[str]:
    """The merge fields a text names, each once, in the order they first appear."""
    return list(dict.fromkeys(match.group(1) for match in MERGE_FIELD.finditer(text)))


def check_merge_fields(text: str, field: Sequence[str]) -> list[str]:
    """Refuses a text naming a merge field nobody fills, or with braces that open or close nothing."""
    for name in merge_fields(text):
        if name not in MERGE_FIELDS:
            raise DomainError(
                ErrorCode.UNKNOWN_MERGE_FIELD,
                f"Unknown merge field {{{{{name}}}}}; known ones: {', '.join(sorted(MERGE_FIELDS))}.",
                field,
            )
    if STRAY_BRACES.search(MERGE_FIELD.sub("", text)):
        raise DomainError(ErrorCode.INVALID_INPUT, "Write merge fields as {{client.name}}: a brace is unpaired.", field)
    return merge_fields(text)


def render(text: str, values: Mapping[str, str]) -> str:
    """The text with each merge field replaced by its value; the text was checked, so every field is known."""
    return MERGE_FIELD.sub(lambda match: values[match.group(1)], text)


@dataclass(frozen=True)
class SessionFacts:
    starts_at: datetime
    type_name: str


@dataclass(frozen=True)
class MergeFacts:
    """What a document is filled from, as plain values."""

    client_name: str
    client_email: str
    client_phone: str
    studio_name: str
    studio_email: str
    time_zone: ZoneInfo
    today: date
    session: SessionFacts | None


def merge_values(facts: MergeFacts) -> dict[str, str]:
    """The value of every merge field; the session's are empty without a booking (refused before, see
    ``needs_booking``)."""
    local = facts.session.starts_at.astimezone(facts.time_zone) if facts.session else None
    return {
        "client.name": facts.client_name,
        "client.email": facts.client_email,
        "client.phone": facts.client_phone,
        "studio.name": facts.studio_name,
        "studio.email": facts.studio_email,
        "session.date": local.date().isoformat() if local else "",
        "session.time": local.strftime("%H:%M") if local else "",
        "session.type": facts.session.type_name if facts.session else "",
        "today": facts.today.isoformat(),
    }


def needs_booking(texts: Sequence[str]) -> bool:
    return any(name in SESSION_FIELDS for text in texts for name in merge_fields(text))


# Templates ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: QuestionKind
    choices: tuple[str, ...] = ()
    required: bool = False

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "kind": self.kind.value,
            "choices": list(self.choices),
            "required": self.required,
        }

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> Question:
        return cls(
            id=str(data["id"]),
            text=str(data["text"]),
            kind=QuestionKind(data["kind"]),
            choices=tuple(data.get("choices", ())),
            required=bool(data.get("required", False)),
        )


@dataclass(frozen=True)
class TemplateContent:
    kind: DocumentKind
    name: str
    body: str
    questions: tuple[Question, ...]


def check_template(
    kind: DocumentKind, name: str, body: str, questions: Sequence[tuple[str, QuestionKind, Sequence[str], bool]]
) -> TemplateContent:
    """A template that can be sent: a named contract with a body, or a questionnaire with at least one question
    (and an optional intro); merge fields known. Questions get ids ``q1``, ``q2``... in the order given."""
    cleaned_name = " ".join(name.split())
    if not 1 <= len(cleaned_name) <= MAX_TEMPLATE_NAME:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Give a name of 1 to {MAX_TEMPLATE_NAME} characters.", ["name"])
    cleaned_body = body.strip()
    if len(cleaned_body) > MAX_BODY:
        raise DomainError(ErrorCode.INVALID_INPUT, f"A body holds at most {MAX_BODY} characters.", ["body"])
    check_merge_fields(cleaned_body, ["body"])
    if kind is DocumentKind.CONTRACT:
        if not cleaned_body:
            raise DomainError(ErrorCode.INVALID_INPUT, "A contract needs a body to sign.", ["body"])
        if questions:
            raise DomainError(ErrorCode.INVALID_INPUT, "A contract has no questions.", ["questions"])
        return TemplateContent(kind, cleaned_name, cleaned_body, ())
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"A questionnaire asks 1 to {MAX_QUESTIONS} questions.", ["questions"]
        )
    checked = tuple(_question(index, *question) for index, question in enumerate(questions))
    return TemplateContent(kind, cleaned_name, cleaned_body, checked)


def _question(index: int, text: str, kind: QuestionKind, choices: Sequence[str], required: bool) -> Question:
    field = ["questions", str(index)]
    cleaned = " ".join(text.split())
    if not 1 <= len(cleaned) <= MAX_QUESTION_TEXT:
        raise DomainError(ErrorCode.INVALID_INPUT, f"A question has 1 to {MAX_QUESTION_TEXT} characters.", field)
    check_merge_fields(cleaned, field)
    options = tuple(dict.fromkeys(" ".join(choice.split()) for choice in choices))
    if kind is QuestionKind.CHOICE:
        if not 2 <= len(options) <= MAX_CHOICES or any(not 1 <= len(option) <= MAX_CHOICE for option in options):
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                f"A choice question offers 2 to {MAX_CHOICES} distinct choices of 1 to {MAX_CHOICE} characters.",
                field,
            )
    elif options:
        raise DomainError(ErrorCode.INVALID_INPUT, "Only CHOICE questions offer choices.", field)
    return Question(f"q{index + 1}", cleaned, kind, options, required)


# Documents ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frozen:
    """A template rendered for one client: what the document shows, for good."""

    title: str
    body: str
    questions: tuple[Question, ...]


def freeze(template: TemplateContent, values: Mapping[str, str]) -> Frozen:
    questions = tuple(
        Question(question.id, render(question.text, values), question.kind, question.choices, question.required)
        for question in template.questions
    )
    return Frozen(template.name, render(template.body, values), questions)


def document_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{DOCUMENT_PATH}?token={token}"


def check_open(status: DocumentStatus, field: str = "token") -> None:
    """Only a SENT or VIEWED document can be completed or voided."""
    if status is DocumentStatus.COMPLETED:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "This document is already completed.", [field])
    if status is DocumentStatus.VOID:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "The studio withdrew this document.", [field])


def check_kind(kind: DocumentKind, expected: DocumentKind) -> None:
    if kind is not expected:
        action = "signed" if expected is DocumentKind.CONTRACT else "answered"
        raise DomainError(
            ErrorCode.WRONG_DOCUMENT_KIND, f"This document is a {kind.value.lower()}; it cannot be {action}.", ["token"]
        )


def check_answers(questions: Sequence[Question], answers: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The answers by question id, trimmed: each names a question once, required ones are answered, a choice is
    one of the choices and a date is YYYY-MM-DD. Blank answers to optional questions are dropped."""
    by_id = {question.id: question for question in questions}
    given: dict[str, str] = {}
    for question_id, value in answers:
        question = by_id.get(question_id)
        if question is None:
            raise DomainError(ErrorCode.INVALID_INPUT, f"No question {question_id!r} here.", ["answers"])
        if question_id in given:
            raise DomainError(ErrorCode.INVALID_INPUT, f"Question {question_id} is answered twice.", ["answers"])
        given[question_id] = value.strip()
    checked: dict[str, str] = {}
    for question in questions:
        value = given.get(question.id, "")
        field = ["answers", question.id]
        if not value:
            if question.required:
                raise DomainError(ErrorCode.ANSWER_REQUIRED, f"Answer question {question.id}: {question.text}", field)
            continue
        _check_answer(question, value, field)
        checked[question.id] = value
    return checked


def _check_answer(question: Question, value: str, field: list[str]) -> None:
    limit = MAX_LONG_TEXT_ANSWER if question.kind is QuestionKind.LONG_TEXT else MAX_TEXT_ANSWER
    if len(value) > limit:
        raise DomainError(ErrorCode.INVALID_INPUT, f"An answer here has at most {limit} characters.", field)
    if question.kind is QuestionKind.CHOICE and value not in question.choices:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Choose one of: {', '.join(question.choices)}.", field)
    if question.kind is QuestionKind.DATE:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise DomainError(ErrorCode.INVALID_INPUT, "Give a date as YYYY-MM-DD.", field) from None
        if len(value) != 10:
            raise DomainError(ErrorCode.INVALID_INPUT, "Give a date as YYYY-MM-DD.", field)


@dataclass(frozen=True)
class Signature:
    name: str
    text_hash: str


def sign(body: str, signature_name: str, agree: bool) -> Signature:
    """A contract's signature: the signer agrees, signs with their name, over the SHA-256 of the exact text shown."""
    if not agree:
        raise DomainError(ErrorCode.INVALID_INPUT, "Agree to the contract to sign it.", ["agree"])
    return Signature(clean_signature_name(signature_name), text_hash(body))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def pdf_name(title: str, document_id: UUID) -> str:
    """A file name for the completed document: the title's safe characters and a short id."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-")[:60] or "document"
    return f"{stem}-{str(document_id)[:8]}.pdf"
