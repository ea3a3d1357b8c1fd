"""Studio documents through the API: templates with merge fields, a document sent to a client and mailed as a
link, opened, then signed or answered exactly once, stored as a PDF, and kept from every other studio."""

from __future__ import annotations

import asyncio
import hashlib
import re
import zlib
from typing import Any
from uuid import UUID

from sqlalchemy import func, select

from lensgraph.persistence.models import OutboxEvent, StudioDocument
from lensgraph.schema.core import from_global_id
from tests.api.helpers import Account, sign_up
from tests.api.test_booking import at, book, codes, studio_with_session_type
from tests.api.test_studio_clients import create as create_client

CREATE_TEMPLATE = """
mutation($input: CreateDocumentTemplateInput!) {
  createDocumentTemplate(input: $input) {
    documentTemplate { id kind name body mergeFields version questions { id text kind choices required } }
    userErrors { field code message }
  }
}"""
UPDATE_TEMPLATE = """
mutation($input: UpdateDocumentTemplateInput!) {
  updateDocumentTemplate(input: $input) { documentTemplate { id name body version } userErrors { field code message } }
}"""
DELETE_TEMPLATE = """
mutation($input: DeleteDocumentTemplateInput!) {
  deleteDocumentTemplate(input: $input) { deletedDocumentTemplateId userErrors { field code } }
}"""
SEND = """
mutation($input: SendDocumentInput!) {
  sendDocument(input: $input) {
    document { id kind title body status recipient questions { id text } }
    userErrors { field code message }
  }
}"""
VOID = """
mutation($input: VoidDocumentInput!) {
  voidDocument(input: $input) { document { id status voidedAt } userErrors { field code } }
}"""
OPEN = """
query($token: String!) {
  studioDocument(token: $token) { kind title body status completedAt signatureName answers { questionId value } }
}"""
SIGN = """
mutation($input: SignStudioContractInput!) {
  signStudioContract(input: $input) { document { status signatureName completedAt } userErrors { field code } }
}"""
SUBMIT = """
mutation($input: SubmitQuestionnaireInput!) {
  submitQuestionnaire(input: $input) { document { status answers { questionId value } } userErrors { field code } }
}"""
CLIENT_DOCUMENTS = """
query($id: ID!) {
  node(id: $id) {
    ... on Client {
      documents {
        id kind status viewedAt completedAt downloadUrl answers { questionId value }
        signature { name signedAt ipAddress userAgent textHash }
        client { id }
      }
    }
  }
}"""

CONTRACT_BODY = (
    "{{studio.name}} photographs {{client.name}} ({{ client.email }}) on {{session.date}} at {{session.time}} "
    "for a {{session.type}} session."
)
QUESTIONS = [
    {"text": "Where is the venue, {{client.name}}?", "kind": "TEXT", "required": True},
    {"text": "Which style?", "kind": "CHOICE", "choices": ["Classic", "Candid"], "required": True},
    {"text": "Your wedding date", "kind": "DATE"},
    {"text": "Anything else?", "kind": "LONG_TEXT"},
]


async def template(client: Any, studio: Account, **fields: Any) -> dict[str, Any]:
    answer = await client.data(CREATE_TEMPLATE, {"input": fields}, token=studio.access_token)
    return answer["createDocumentTemplate"]


async def send(client: Any, studio: Account, **fields: Any) -> dict[str, Any]:
    return (await client.data(SEND, {"input": fields}, token=studio.access_token))["sendDocument"]


async def booked_client(client: Any, studio: Account) -> tuple[str, str]:
    """The id of the studio's one client and of their one booking."""
    answer = await client.data(
        "{ viewer { clients { edges { node { id bookings { id } } } } } }", token=studio.access_token
    )
    [edge] = answer["viewer"]["clients"]["edges"]
    return edge["node"]["id"], edge["node"]["bookings"][0]["id"]


async def link_of(background: Any, inbox: Any, address: str, subject: str) -> str:
    await background.settle()
    token: str = await inbox.token_for(address, subject)
    return token


async def sent(client: Any, background: Any, inbox: Any, studio: Account, **fields: Any) -> tuple[dict[str, Any], str]:
    """A document sent, and the token its mail carries."""
    payload = await send(client, studio, **fields)
    assert payload["userErrors"] == [], payload
    document = payload["document"]
    token = await link_of(background, inbox, document["recipient"], f"Ada Lovelace sent you {document['title']}")
    return document, token


async def client_documents(client: Any, studio: Account, client_id: str) -> list[dict[str, Any]]:
    answer = await client.data(CLIENT_DOCUMENTS, {"id": client_id}, token=studio.access_token)
    documents: list[dict[str, Any]] = answer["node"]["documents"]
    return documents


async def test_a_contract_is_rendered_mailed_opened_and_signed_once(client, services, background, inbox):
    studio, session_type = await studio_with_session_type(client)
    assert (await book(client, session_type, at(8)))["userErrors"] == []
    client_id, booking_id = await booked_client(client, studio)
    created = await template(client, studio, kind="CONTRACT", name="Wedding contract", body=CONTRACT_BODY)
    assert created["userErrors"] == []
    assert created["documentTemplate"]["mergeFields"] == [
        "studio.name",
        "client.name",
        "client.email",
        "session.date",
        "session.time",
        "session.type",
    ]
    template_id = created["documentTemplate"]["id"]

    document, token = await sent(
        client, background, inbox, studio, templateId=template_id, clientId=client_id, bookingId=booking_id
    )
    # 08:00 UTC is 10:00 in the studio's time zone (Paris, summer).
    body = "Ada Lovelace photographs Ann (ann@example.com) on 2030-06-03 at 10:00 for a Portrait session."
    assert document["body"] == body and document["status"] == "SENT" and document["kind"] == "CONTRACT"
    # The secret went out by mail only: no event in the outbox holds it.
    async with services.db.session() as session:
        payloads = [str(row) for row in await session.scalars(select(OutboxEvent.payload))]
    assert payloads and not any(token in payload for payload in payloads)
    # A relay that queues the mail job again mails nothing more.
    background.send("documents.mail_link", _key(document["id"]))
    await background.settle()
    assert [message["To"] for message in inbox.messages].count("ann@example.com") == 1

    # Editing the template later changes nothing already sent.
    await client.data(UPDATE_TEMPLATE, {"input": {"id": template_id, "body": "New terms."}}, token=studio.access_token)
    opened = (await client.data(OPEN, {"token": token}))["studioDocument"]
    assert (opened["status"], opened["body"], opened["title"]) == ("VIEWED", body, "Wedding contract")

    headers = {"User-Agent": "DocumentsTest/1.0"}
    refused = await client.data(
        SIGN, {"input": {"token": token, "signatureName": "Ann Archer", "agree": False}}, headers=headers
    )
    assert codes(refused["signStudioContract"]) == [(["agree"], "INVALID_INPUT")]
    signed = await client.data(
        SIGN, {"input": {"token": token, "signatureName": " Ann  Archer ", "agree": True}}, headers=headers
    )
    assert signed["signStudioContract"]["userErrors"] == []
    assert signed["signStudioContract"]["document"]["status"] == "COMPLETED"
    assert signed["signStudioContract"]["document"]["signatureName"] == "Ann Archer"
    again = await client.data(SIGN, {"input": {"token": token, "signatureName": "Ann", "agree": True}})
    assert codes(again["signStudioContract"]) == [(["token"], "INVALID_TRANSITION")]
    assert (await client.data(OPEN, {"token": token}))["studioDocument"]["status"] == "COMPLETED"

    [seen] = await client_documents(client, studio, client_id)
    assert seen["status"] == "COMPLETED" and seen["viewedAt"] and seen["client"] == {"id": client_id}
    assert seen["signature"]["name"] == "Ann Archer"
    assert seen["signature"]["ipAddress"] == "127.0.0.1"
    assert seen["signature"]["userAgent"] == "DocumentsTest/1.0"
    assert seen["signature"]["textHash"] == hashlib.sha256(body.encode()).hexdigest()
    pdf = await client.http.get(seen["downloadUrl"].removeprefix("http://testserver"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    drawn = pdf_text(pdf.content)
    assert b"Ann Archer" in drawn and seen["signature"]["textHash"].encode() in drawn and b"DocumentsTest/1.0" in drawn

    async with services.db.session() as session:
        completed = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "document.completed")
        )
    assert completed == 1
    # The studio is told, with IDs node(id:) resolves.
    await background.settle()
    feed = await client.data(
        "{ viewer { notifications(first: 10) { edges { node { eventType data } } } } }", token=studio.access_token
    )
    [told] = [
        edge["node"]["data"]
        for edge in feed["viewer"]["notifications"]["edges"]
        if edge["node"]["eventType"] == "document.completed"
    ]
    assert told == {"documentId": document["id"], "clientId": client_id, "kind": "CONTRACT"}


def pdf_text(data: bytes) -> bytes:
    """The PDF's page content streams, inflated (fpdf2 compresses them): the text drawn is in there. fpdf2 ends a
    stream with a bare newline: a carriage return before it is the compressed data's own last byte."""
    assert data.startswith(b"%PDF")
    streams = re.findall(rb"stream\r?\n(.*?)\nendstream", data, re.DOTALL)
    return b"".join(zlib.decompress(stream) for stream in streams if stream.startswith(b"x"))


def outcome(payload: dict[str, Any]) -> str:
    return "OK" if not payload["userErrors"] else str(payload["userErrors"][0]["code"])


def _key(global_id: str) -> str:
    return str(from_global_id(global_id)[1])


async def test_a_questionnaire_checks_its_answers_and_completes_once(client, services, background, inbox):
    studio = await sign_up(client, role="STUDIO")
    ann = (await create_client(client, studio, name="Ann", emails=["ann@example.com"]))["client"]["id"]
    created = await template(
        client, studio, kind="QUESTIONNAIRE", name="Wedding intake", body="Hello {{client.name}}", questions=QUESTIONS
    )
    assert created["userErrors"] == []
    assert [question["id"] for question in created["documentTemplate"]["questions"]] == ["q1", "q2", "q3", "q4"]
    document, token = await sent(
        client, background, inbox, studio, templateId=created["documentTemplate"]["id"], clientId=ann
    )
    assert document["body"] == "Hello Ann"
    assert document["questions"][0] == {"id": "q1", "text": "Where is the venue, Ann?"}

    async def submit(answers: list[dict[str, str]], token: str = token) -> dict[str, Any]:
        payload: dict[str, Any] = (await client.data(SUBMIT, {"input": {"token": token, "answers": answers}}))[
            "submitQuestionnaire"
        ]
        return payload

    refusals = [
        ([{"questionId": "q2", "value": "Classic"}], [(["answers", "q1"], "ANSWER_REQUIRED")]),
        (
            [{"questionId": "q1", "value": "Barn"}, {"questionId": "q2", "value": "Boho"}],
            [(["answers", "q2"], "INVALID_INPUT")],
        ),
        (
            [
                {"questionId": "q1", "value": "Barn"},
                {"questionId": "q2", "value": "Classic"},
                {"questionId": "q3", "value": "next June"},
            ],
            [(["answers", "q3"], "INVALID_INPUT")],
        ),
        ([{"questionId": "q7", "value": "x"}], [(["answers"], "INVALID_INPUT")]),
    ]
    for answers, expected in refusals:
        assert codes(await submit(answers)) == expected
    assert codes(await submit([], token="not-a-token")) == [(["token"], "NOT_FOUND")]
    signed = await client.data(SIGN, {"input": {"token": token, "signatureName": "Ann", "agree": True}})
    assert codes(signed["signStudioContract"]) == [(["token"], "WRONG_DOCUMENT_KIND")]
    # Nothing was written by the refusals: the document is still open, unanswered, with no file.
    [open_document] = await client_documents(client, studio, ann)
    assert (open_document["status"], open_document["answers"], open_document["downloadUrl"]) == ("SENT", None, None)

    answers = [
        {"questionId": "q1", "value": " The old barn "},
        {"questionId": "q2", "value": "Candid"},
        {"questionId": "q3", "value": "2030-09-14"},
    ]
    done = await submit(answers)
    assert done["userErrors"] == [] and done["document"]["status"] == "COMPLETED"
    assert done["document"]["answers"] == [
        {"questionId": "q1", "value": "The old barn"},
        {"questionId": "q2", "value": "Candid"},
        {"questionId": "q3", "value": "2030-09-14"},
    ]
    assert codes(await submit(answers)) == [(["token"], "INVALID_TRANSITION")]
    [seen] = await client_documents(client, studio, ann)
    assert seen["status"] == "COMPLETED" and seen["signature"] is None
    pdf = await client.http.get(seen["downloadUrl"].removeprefix("http://testserver"))
    assert b"The old barn" in pdf_text(pdf.content) and b"Which style?" in pdf_text(pdf.content)

    # A contract answered as a questionnaire is refused too.
    contract = await template(client, studio, kind="CONTRACT", name="Contract", body="Terms for {{client.name}}.")
    _, contract_token = await sent(
        client, background, inbox, studio, templateId=contract["documentTemplate"]["id"], clientId=ann
    )
    assert codes(await submit(answers, token=contract_token)) == [(["token"], "WRONG_DOCUMENT_KIND")]


async def test_bad_templates_and_sends_are_refused_with_clear_codes(client, services):
    studio, session_type = await studio_with_session_type(client)
    unknown = await template(client, studio, kind="CONTRACT", name="C", body="Dear {{client.nickname}},")
    assert codes(unknown) == [(["body"], "UNKNOWN_MERGE_FIELD")]
    assert "{{client.nickname}}" in unknown["userErrors"][0]["message"]
    in_question = await template(
        client, studio, kind="QUESTIONNAIRE", name="Q", questions=[{"text": "{{venue}}?", "kind": "TEXT"}]
    )
    assert codes(in_question) == [(["questions", "0"], "UNKNOWN_MERGE_FIELD")]
    assert codes(await template(client, studio, kind="QUESTIONNAIRE", name="Q")) == [(["questions"], "INVALID_INPUT")]

    created = (await template(client, studio, kind="CONTRACT", name="C", body="On {{session.date}}."))[
        "documentTemplate"
    ]
    token = studio.access_token
    bad_update = await client.data(UPDATE_TEMPLATE, {"input": {"id": created["id"], "body": "{{nope}}"}}, token=token)
    assert codes(bad_update["updateDocumentTemplate"]) == [(["body"], "UNKNOWN_MERGE_FIELD")]
    updated = await client.data(
        UPDATE_TEMPLATE,
        {"input": {"id": created["id"], "version": created["version"], "name": "Session contract"}},
        token=token,
    )
    assert updated["updateDocumentTemplate"]["documentTemplate"]["version"] == created["version"] + 1
    stale = await client.data(
        UPDATE_TEMPLATE, {"input": {"id": created["id"], "version": created["version"], "name": "X"}}, token=token
    )
    assert codes(stale["updateDocumentTemplate"]) == [(["version"], "CONFLICT")]

    no_address = (await create_client(client, studio, name="No Mail"))["client"]["id"]
    assert codes(await send(client, studio, templateId=created["id"], clientId=no_address)) == [
        (["clientId"], "INVALID_INPUT")
    ]
    assert (await book(client, session_type, at(8)))["userErrors"] == []
    assert (await book(client, session_type, at(9), email="bob@example.com", name="Bob"))["userErrors"] == []
    clients = await client.data("{ viewer { clients { edges { node { id name bookings { id } } } } } }", token=token)
    by_name = {edge["node"]["name"]: edge["node"] for edge in clients["viewer"]["clients"]["edges"]}
    ann, bob = by_name["Ann"], by_name["Bob"]
    assert codes(await send(client, studio, templateId=created["id"], clientId=ann["id"])) == [
        (["bookingId"], "INVALID_INPUT")
    ]
    bobs_booking = bob["bookings"][0]["id"]
    assert codes(await send(client, studio, templateId=created["id"], clientId=ann["id"], bookingId=bobs_booking)) == [
        (["bookingId"], "NOT_FOUND")
    ]
    assert await client_documents(client, studio, ann["id"]) == []

    # Deleting the template keeps what was sent from it.
    sent_one = await send(
        client, studio, templateId=created["id"], clientId=ann["id"], bookingId=ann["bookings"][0]["id"]
    )
    assert sent_one["userErrors"] == []
    deleted = await client.data(DELETE_TEMPLATE, {"input": {"id": created["id"]}}, token=token)
    assert deleted["deleteDocumentTemplate"]["userErrors"] == []
    assert [item["id"] for item in await client_documents(client, studio, ann["id"])] == [sent_one["document"]["id"]]
    templates = await client.data("{ viewer { documentTemplates { totalCount } } }", token=token)
    assert templates["viewer"]["documentTemplates"]["totalCount"] == 0


async def test_a_voided_document_can_no_longer_be_completed(client, services, background, inbox):
    studio = await sign_up(client, role="STUDIO")
    ann = (await create_client(client, studio, name="Ann", emails=["ann@example.com"]))["client"]["id"]
    contract = (await template(client, studio, kind="CONTRACT", name="Contract", body="Terms."))["documentTemplate"]
    document, token = await sent(client, background, inbox, studio, templateId=contract["id"], clientId=ann)
    assert (await client.data(OPEN, {"token": token}))["studioDocument"]["status"] == "VIEWED"
    voided = await client.data(VOID, {"input": {"id": document["id"]}}, token=studio.access_token)
    assert voided["voidDocument"]["document"]["status"] == "VOID"
    again = await client.data(VOID, {"input": {"id": document["id"]}}, token=studio.access_token)
    assert codes(again["voidDocument"]) == [(["id"], "INVALID_TRANSITION")]
    assert (await client.data(OPEN, {"token": token}))["studioDocument"]["status"] == "VOID"
    signed = await client.data(SIGN, {"input": {"token": token, "signatureName": "Ann", "agree": True}})
    assert codes(signed["signStudioContract"]) == [(["token"], "INVALID_TRANSITION")]

    # Voided before its mail went out, a document is never mailed.
    unsent = (await send(client, studio, templateId=contract["id"], clientId=ann))["document"]
    await client.data(VOID, {"input": {"id": unsent["id"]}}, token=studio.access_token)
    await background.settle()
    assert [message["To"] for message in inbox.messages].count("ann@example.com") == 1

    # A completed document stays completed.
    completed, completed_token = await sent(client, background, inbox, studio, templateId=contract["id"], clientId=ann)
    signed = await client.data(SIGN, {"input": {"token": completed_token, "signatureName": "Ann", "agree": True}})
    assert signed["signStudioContract"]["userErrors"] == []
    refused = await client.data(VOID, {"input": {"id": completed["id"]}}, token=studio.access_token)
    assert codes(refused["voidDocument"]) == [(["id"], "INVALID_TRANSITION")]

    unknown = await client.execute(OPEN, {"token": "no-such-token"})
    assert unknown["data"] is None and unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_another_studio_sees_and_touches_nothing(client, services, background, inbox):
    first = await sign_up(client, role="STUDIO")
    second = await sign_up(client, role="STUDIO")
    ann = (await create_client(client, first, name="Ann", emails=["ann@example.com"]))["client"]["id"]
    theirs = (await create_client(client, second, name="Bo", emails=["bo@example.com"]))["client"]["id"]
    contract = (await template(client, first, kind="CONTRACT", name="Contract", body="Terms."))["documentTemplate"]
    own = (await template(client, second, kind="CONTRACT", name="Theirs", body="Terms."))["documentTemplate"]
    document, _ = await sent(client, background, inbox, first, templateId=contract["id"], clientId=ann)

    listed = await client.data("{ viewer { documentTemplates { totalCount } } }", token=second.access_token)
    assert listed["viewer"]["documentTemplates"]["totalCount"] == 1
    by_kind = await client.data(
        "{ viewer { contracts: documentTemplates(kind: CONTRACT) { edges { node { name } } }"
        " questionnaires: documentTemplates(kind: QUESTIONNAIRE) { totalCount } } }",
        token=first.access_token,
    )
    assert by_kind["viewer"]["contracts"]["edges"] == [{"node": {"name": "Contract"}}]
    assert by_kind["viewer"]["questionnaires"]["totalCount"] == 0
    for global_id in (contract["id"], document["id"]):
        for token in (second.access_token, None):
            seen = await client.data("query($id: ID!) { node(id: $id) { id } }", {"id": global_id}, token=token)
            assert seen == {"node": None}
        mine = await client.data(
            "query($id: ID!) { node(id: $id) { id } }", {"id": global_id}, token=first.access_token
        )
        assert mine == {"node": {"id": global_id}}
    assert await client.data(CLIENT_DOCUMENTS, {"id": ann}, token=second.access_token) == {"node": None}

    token = second.access_token
    refusals = [
        (UPDATE_TEMPLATE, "updateDocumentTemplate", {"id": contract["id"], "name": "Mine"}, ["id"]),
        (DELETE_TEMPLATE, "deleteDocumentTemplate", {"id": contract["id"]}, ["id"]),
        (SEND, "sendDocument", {"templateId": contract["id"], "clientId": theirs}, ["templateId"]),
        (SEND, "sendDocument", {"templateId": own["id"], "clientId": ann}, ["clientId"]),
        (VOID, "voidDocument", {"id": document["id"]}, ["id"]),
    ]
    for mutation, name, variables, field in refusals:
        refused = await client.data(mutation, {"input": variables}, token=token)
        assert codes(refused[name]) == [(field, "NOT_FOUND")], name
    [still] = await client_documents(client, first, ann)
    assert still["status"] == "SENT"

    photographer = await sign_up(client)
    body = await client.execute(
        CREATE_TEMPLATE, {"input": {"kind": "CONTRACT", "name": "C", "body": "x"}}, token=photographer.access_token
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_concurrent_completions_complete_a_document_once(client, services, background, inbox):
    studio = await sign_up(client, role="STUDIO")
    ann = (await create_client(client, studio, name="Ann", emails=["ann@example.com"]))["client"]["id"]
    contract = (await template(client, studio, kind="CONTRACT", name="Contract", body="Terms."))["documentTemplate"]
    asked = [{"text": "Venue?", "kind": "TEXT", "required": True}]
    intake = (await template(client, studio, kind="QUESTIONNAIRE", name="Intake", questions=asked))["documentTemplate"]

    def signing(token: str, index: int) -> Any:
        return client.data(SIGN, {"input": {"token": token, "signatureName": f"Signer {index}", "agree": True}})

    def answering(token: str, index: int) -> Any:
        answers = [{"questionId": "q1", "value": f"Venue {index}"}]
        return client.data(SUBMIT, {"input": {"token": token, "answers": answers}})

    rounds = [(contract, signing, "signStudioContract")] * 2 + [(intake, answering, "submitQuestionnaire")] * 2
    for round_, (chosen, complete, field) in enumerate(rounds):
        document, token = await sent(client, background, inbox, studio, templateId=chosen["id"], clientId=ann)
        answers = await asyncio.gather(*(complete(token, index) for index in range(6)))
        outcomes = [outcome(answer[field]) for answer in answers]
        assert outcomes.count("OK") == 1, outcomes
        assert set(outcomes) - {"OK"} <= {"INVALID_TRANSITION", "CONFLICT"}, outcomes
        winner = outcomes.index("OK")
        async with services.db.session() as session:
            row = await session.get(StudioDocument, UUID(_key(document["id"])))
            events = await session.scalar(
                select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "document.completed")
            )
        assert row is not None
        # The stored completion is the winner's, whole: no loser's signature or answers leaked in.
        assert row.signature_name == (f"Signer {winner}" if chosen is contract else None)
        assert row.answers == (None if chosen is contract else {"q1": f"Venue {winner}"})
        assert events == round_ + 1
        inbox.messages.clear()


async def test_documents_on_many_clients_load_in_flat_statements(client, services, sql):
    studio = await sign_up(client, role="STUDIO")
    contract = (await template(client, studio, kind="CONTRACT", name="Contract", body="For {{client.name}}."))[
        "documentTemplate"
    ]
    query = "{ viewer { clients(first: 50) { edges { node { name documents { title status client { name } } } } } } }"
    made = 0

    async def statements_with(clients: int) -> int:
        nonlocal made
        while made < clients:
            person = (await create_client(client, studio, name=f"C{made}", emails=[f"c{made}@example.com"]))["client"]
            for _ in range(2):
                assert (await send(client, studio, templateId=contract["id"], clientId=person["id"]))[
                    "userErrors"
                ] == []
            made += 1
        sql.reset()
        answer = await client.data(query, token=studio.access_token)
        assert all(len(edge["node"]["documents"]) == 2 for edge in answer["viewer"]["clients"]["edges"])
        return sql.count

    few = await statements_with(2)
    assert few > 0
    assert await statements_with(8) == few
