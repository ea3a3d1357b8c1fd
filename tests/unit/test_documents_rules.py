"""Studio document rules: merge fields, templates, answers, signatures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from lensgraph.domain import documents as rules
from lensgraph.domain.documents import DocumentKind, DocumentStatus, MergeFacts, Question, QuestionKind, SessionFacts
from lensgraph.domain.errors import DomainError, ErrorCode


def refusal(call, *args) -> tuple[ErrorCode, list[str] | None]:
    with pytest.raises(DomainError) as caught:
        call(*args)
    return caught.value.code, caught.value.field


def test_merge_fields_are_found_once_in_order_with_spaces_allowed():
    text = "{{client.name}} and {{ studio.name }}, again {{client.name}}; {{today}}"
    assert rules.merge_fields(text) == ["client.name", "studio.name", "today"]
    assert rules.render(text, {"client.name": "Ann", "studio.name": "Ada", "today": "2030-06-03"}) == (
        "Ann and Ada, again Ann; 2030-06-03"
    )


def test_an_unknown_merge_field_is_refused_by_name():
    with pytest.raises(DomainError) as caught:
        rules.check_merge_fields("Dear {{client.nickname}},", ["body"])
    assert caught.value.code is ErrorCode.UNKNOWN_MERGE_FIELD
    assert caught.value.field == ["body"]
    assert "{{client.nickname}}" in caught.value.message


@pytest.mark.parametrize("text", ["Dear {{client.name}", "Dear client.name}}", "{{client.name}} }} {{"])
def test_unpaired_braces_are_refused(text):
    assert refusal(rules.check_merge_fields, text, ["body"])[0] in {
        ErrorCode.INVALID_INPUT,
        ErrorCode.UNKNOWN_MERGE_FIELD,
    }


def test_values_come_from_the_client_the_studio_and_the_session_in_the_studios_zone():
    facts = MergeFacts(
        client_name="Ann",
        client_email="ann@example.com",
        client_phone="",
        studio_name="Ada Lovelace",
        studio_email="ada@example.com",
        time_zone=ZoneInfo("Europe/Paris"),
        today=date(2030, 6, 1),
        session=SessionFacts(datetime(2030, 6, 3, 22, 30, tzinfo=UTC), "Portrait"),
    )
    values = rules.merge_values(facts)
    assert set(values) == set(rules.MERGE_FIELDS)
    # 22:30 UTC is 00:30 the next day in Paris.
    assert (values["session.date"], values["session.time"], values["session.type"]) == (
        "2030-06-04",
        "00:30",
        "Portrait",
    )
    assert rules.needs_booking(["Hi {{ session.date }}"]) and not rules.needs_booking(["Hi {{client.name}}"])


def test_contract_and_questionnaire_templates():
    contract = rules.check_template(DocumentKind.CONTRACT, "  Wedding   contract ", " Terms {{client.name}} ", [])
    assert (contract.name, contract.body, contract.questions) == ("Wedding contract", "Terms {{client.name}}", ())
    assert refusal(rules.check_template, DocumentKind.CONTRACT, "C", "  ", []) == (ErrorCode.INVALID_INPUT, ["body"])
    asked = rules.check_template(
        DocumentKind.QUESTIONNAIRE,
        "Intake",
        "",
        [("Your venue?", QuestionKind.TEXT, [], True), ("Style", QuestionKind.CHOICE, ["Classic", "Candid"], False)],
    )
    assert [question.id for question in asked.questions] == ["q1", "q2"]
    assert refusal(rules.check_template, DocumentKind.QUESTIONNAIRE, "Q", "", []) == (
        ErrorCode.INVALID_INPUT,
        ["questions"],
    )
    one_choice = [("Style", QuestionKind.CHOICE, ["Classic"], False)]
    assert refusal(rules.check_template, DocumentKind.QUESTIONNAIRE, "Q", "", one_choice) == (
        ErrorCode.INVALID_INPUT,
        ["questions", "0"],
    )
    choices_on_text = [("Venue", QuestionKind.TEXT, ["a", "b"], False)]
    assert refusal(rules.check_template, DocumentKind.QUESTIONNAIRE, "Q", "", choices_on_text)[0] is (
        ErrorCode.INVALID_INPUT
    )
    unknown_in_question = [("When is {{wedding.day}}?", QuestionKind.DATE, [], False)]
    assert refusal(rules.check_template, DocumentKind.QUESTIONNAIRE, "Q", "", unknown_in_question) == (
        ErrorCode.UNKNOWN_MERGE_FIELD,
        ["questions", "0"],
    )


QUESTIONS = [
    Question("q1", "Venue", QuestionKind.TEXT, (), True),
    Question("q2", "Style", QuestionKind.CHOICE, ("Classic", "Candid"), True),
    Question("q3", "Date", QuestionKind.DATE, (), False),
    Question("q4", "Notes", QuestionKind.LONG_TEXT, (), False),
]


def test_answers_are_checked_against_the_questions():
    answers = rules.check_answers(QUESTIONS, [("q1", " Barn "), ("q2", "Candid"), ("q3", "2030-06-03"), ("q4", "  ")])
    assert answers == {"q1": "Barn", "q2": "Candid", "q3": "2030-06-03"}
    cases = [
        ([("q2", "Candid")], ErrorCode.ANSWER_REQUIRED, ["answers", "q1"]),
        ([("q1", "Barn"), ("q2", "Boho")], ErrorCode.INVALID_INPUT, ["answers", "q2"]),
        ([("q1", "Barn"), ("q2", "Candid"), ("q3", "03/06/2030")], ErrorCode.INVALID_INPUT, ["answers", "q3"]),
        ([("q1", "Barn"), ("q2", "Candid"), ("q3", "20300603")], ErrorCode.INVALID_INPUT, ["answers", "q3"]),
        ([("q9", "x")], ErrorCode.INVALID_INPUT, ["answers"]),
        ([("q1", "a"), ("q1", "b")], ErrorCode.INVALID_INPUT, ["answers"]),
        ([("q1", "x" * 1001), ("q2", "Candid")], ErrorCode.INVALID_INPUT, ["answers", "q1"]),
    ]
    for given, code, field in cases:
        assert refusal(rules.check_answers, QUESTIONS, given) == (code, field), given
    assert rules.check_answers(QUESTIONS, [("q1", "a"), ("q2", "Classic"), ("q4", "x" * 5000)])["q4"] == "x" * 5000


def test_a_signature_agrees_and_covers_the_exact_text():
    signature = rules.sign("The terms.", "  Ann   Archer ", True)
    assert signature.name == "Ann Archer"
    assert signature.text_hash == rules.text_hash("The terms.") != rules.text_hash("The terms!")
    assert refusal(rules.sign, "The terms.", "Ann", False) == (ErrorCode.INVALID_INPUT, ["agree"])
    assert refusal(rules.sign, "The terms.", "  ", True) == (ErrorCode.INVALID_INPUT, ["signatureName"])


def test_only_open_documents_of_the_right_kind_complete():
    for status in rules.OPEN_STATUSES:
        rules.check_open(status)
    for status in (DocumentStatus.COMPLETED, DocumentStatus.VOID):
        assert refusal(rules.check_open, status)[0] is ErrorCode.INVALID_TRANSITION
    rules.check_kind(DocumentKind.CONTRACT, DocumentKind.CONTRACT)
    assert refusal(rules.check_kind, DocumentKind.CONTRACT, DocumentKind.QUESTIONNAIRE)[0] is (
        ErrorCode.WRONG_DOCUMENT_KIND
    )


def test_freezing_renders_the_body_and_the_questions():
    template = rules.check_template(
        DocumentKind.QUESTIONNAIRE,
        "Intake",
        "Hi {{client.name}}",
        [("Where, {{client.name}}?", QuestionKind.TEXT, [], True)],
    )
    frozen = rules.freeze(template, {"client.name": "Ann"})
    assert frozen.body == "Hi Ann" and frozen.questions[0].text == "Where, Ann?"
    assert rules.pdf_name("Wedding contract: Ann & Bob", UUID(int=1)) == ("Wedding-contract-Ann-Bob-00000000.pdf")
