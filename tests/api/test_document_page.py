"""The page a document's mail links to: a client signs a contract or answers a questionnaire with a browser form,
through the same rules as the mutations, and a refused form shows again with the reason."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import sign_up
from tests.api.test_studio_clients import create as create_client
from tests.api.test_studio_documents import CLIENT_DOCUMENTS, QUESTIONS, sent, template

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def a_document(client: Any, background: Any, inbox: Any, **template_fields: Any) -> tuple[Any, str, str]:
    studio = await sign_up(client, role="STUDIO")
    ann = (await create_client(client, studio, name="Ann", emails=["ann@example.com"]))["client"]["id"]
    chosen = (await template(client, studio, **template_fields))["documentTemplate"]
    _, token = await sent(client, background, inbox, studio, templateId=chosen["id"], clientId=ann)
    return studio, ann, token


async def test_a_contract_is_read_and_signed_from_its_page(client, background, inbox):
    studio, ann, token = await a_document(
        client, background, inbox, kind="CONTRACT", name="Contract", body="{{client.name}} & <b>us</b>."
    )
    opened = await client.http.get("/documents", params={"token": token})
    assert opened.status_code == 200
    assert opened.headers["x-content-type-options"] == "nosniff"
    assert opened.headers["referrer-policy"] == "no-referrer"
    assert "Ann &amp; &lt;b&gt;us&lt;/b&gt;." in opened.text  # the studio's text is shown, never run as HTML
    assert 'name="signatureName"' in opened.text

    unticked = await client.http.post(
        "/documents", content=f"token={token}&kind=CONTRACT&signatureName=Ann+Smith", headers=FORM
    )
    assert unticked.status_code == 400
    assert 'role="alert"' in unticked.text
    assert 'value="Ann Smith"' in unticked.text  # what was typed stays in the form

    signed = await client.http.post(
        "/documents", content=f"token={token}&kind=CONTRACT&signatureName=Ann+Smith&agree=yes", headers=FORM
    )
    assert signed.status_code == 200, signed.text
    assert "Signed by Ann Smith" in signed.text
    [document] = (await client.data(CLIENT_DOCUMENTS, {"id": ann}, token=studio.access_token))["node"]["documents"]
    assert document["status"] == "COMPLETED"
    assert document["signature"]["name"] == "Ann Smith"

    again = await client.http.get("/documents", params={"token": token})
    assert "Signed by Ann Smith" in again.text
    assert "<form" not in again.text


async def test_a_questionnaire_is_answered_from_its_page(client, background, inbox):
    studio, ann, token = await a_document(
        client, background, inbox, kind="QUESTIONNAIRE", name="Intake", body="Hello", questions=QUESTIONS
    )
    opened = await client.http.get("/documents", params={"token": token})
    assert '<select name="a:q2" required>' in opened.text
    assert '<input type="date" name="a:q3"' in opened.text

    missing = await client.http.post(
        "/documents", content=f"token={token}&kind=QUESTIONNAIRE&a:q2=Classic", headers=FORM
    )
    assert missing.status_code == 400
    assert "<option selected>Classic</option>" in missing.text

    answered = await client.http.post(
        "/documents", content=f"token={token}&kind=QUESTIONNAIRE&a:q1=The+barn&a:q2=Candid&a:q3=&a:q4=", headers=FORM
    )
    assert answered.status_code == 200, answered.text
    [document] = (await client.data(CLIENT_DOCUMENTS, {"id": ann}, token=studio.access_token))["node"]["documents"]
    assert document["status"] == "COMPLETED"
    assert {answer["questionId"]: answer["value"] for answer in document["answers"]} == {
        "q1": "The barn",
        "q2": "Candid",
    }


async def test_a_wrong_link_shows_a_page_not_a_form(client):
    wrong = await client.http.get("/documents", params={"token": "no-such-token"})
    assert wrong.status_code == 404
    assert "<form" not in wrong.text
