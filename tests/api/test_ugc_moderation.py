"""Moderation (one or up to 100 at once, all or none), product tags, and rights: requested by mail, answered once
by the link's token (raced), kept as evidence, and required for commercial use."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from sqlalchemy import update

from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import RightsRequest
from tests.api.ugc_helpers import ImageServer, album, brand, content, products, submit

APPROVE = """
mutation A($id: ID!) {
  approveContent(input: {id: $id}) { content { id status moderatedAt } userErrors { field code message } }
}"""
REJECT = """
mutation R($id: ID!, $reason: String) {
  rejectContent(input: {id: $id, reason: $reason}) { content { status rejectionReason } userErrors { field code } }
}"""
APPROVE_MANY = """
mutation A($ids: [ID!]!) {
  approveContents(input: {ids: $ids}) { contents { id status } userErrors { field code message } }
}"""
REJECT_MANY = """
mutation R($ids: [ID!]!) {
  rejectContents(input: {ids: $ids, reason: "off-brand"}) { contents { status } userErrors { field code } }
}"""
TAG = """
mutation T($id: ID!, $skus: [String!]!) {
  tagContentProducts(input: {contentId: $id, skus: $skus}) {
    content { products { sku } } userErrors { field code message }
  }
}"""
TAG_MANY = """
mutation T($taggings: [TagContentProductsInput!]!) {
  tagContentsProducts(input: {taggings: $taggings}) {
    contents { products { sku } } userErrors { field code message }
  }
}"""
REQUEST_RIGHTS = """
mutation R($id: ID!, $terms: String!) {
  requestContentRights(input: {contentId: $id, terms: $terms}) {
    rightsRequest { status terms authorEmail expiresAt } userErrors { field code message }
  }
}"""
GRANT = "mutation G($token: String!) { grantContentRights(input: {token: $token}) { ok userErrors { field code } } }"
DECLINE = (
    "mutation D($token: String!) { declineContentRights(input: {token: $token}) { ok userErrors { field code } } }"
)
OFFER = "query O($token: String!) { contentRightsOffer(token: $token) { terms contentTitle status } }"
COMMERCIAL = """
mutation C($id: ID!, $on: Boolean!) {
  setContentCommercialUse(input: {contentId: $id, commercialUse: $on}) {
    content { commercialUse } userErrors { field code }
  }
}"""
CONTENT_NODE = "query N($id: ID!) { node(id: $id) { id } }"
TERMS = "Use on our website and social accounts for 2 years.\nCredit: @{username}."
SUBJECT_SUFFIX = " asks to use your photo"


async def _contents(client, background, owner, count: int, **fields):
    summer = await album(client, owner)
    with ImageServer().running() as host:
        made = [
            (
                await submit(
                    client,
                    owner,
                    albumId=summer["id"],
                    photoUri=f"{host.url}/photo.jpg",
                    username=f"fan{index}",
                    email=f"fan{index}@example.com",
                    title=f"Shot {index}",
                    **fields,
                )
            )["content"]["id"]
            for index in range(count)
        ]
        await background.settle()
    return made


async def test_approve_reject_and_refused_transitions(client, background):
    owner = await brand(client)
    [first] = await _contents(client, background, owner, 1)
    approved = (await client.data(APPROVE, {"id": first}, token=owner.token))["approveContent"]
    assert approved["userErrors"] == [] and approved["content"]["status"] == "APPROVED"
    again = (await client.data(APPROVE, {"id": first}, token=owner.token))["approveContent"]
    assert again["userErrors"] == [
        {"field": ["id"], "code": "INVALID_TRANSITION", "message": again["userErrors"][0]["message"]}
    ]
    rejected = (await client.data(REJECT, {"id": first, "reason": " blurry "}, token=owner.token))["rejectContent"]
    assert rejected["content"] == {"status": "REJECTED", "rejectionReason": "blurry"}
    assert (await client.data(APPROVE, {"id": first}, token=owner.token))["approveContent"]["userErrors"] == []
    assert (await content(client, owner, first))["flags"] == []
    # The same image sent again to the same brand: flagged too.
    [again] = await _contents(client, background, owner, 1)
    assert (await content(client, owner, again))["flags"] == ["POSSIBLE_DUPLICATE"]
    # Another account's content of the same image: the pipeline flags it as a possible duplicate (of the first).
    other = await brand(client)
    [copied] = await _contents(client, background, other, 1)
    assert (await content(client, other, copied))["flags"] == ["POSSIBLE_DUPLICATE"]
    # Each brand's content is its own: the other's is null, as if it did not exist.
    assert (await client.data(CONTENT_NODE, {"id": first}, token=other.token))["node"] is None
    assert (await client.data(CONTENT_NODE, {"id": copied}, token=owner.token))["node"] is None


async def test_bulk_moderation_is_all_or_none_and_limited(client, background):
    owner = await brand(client)
    other = await brand(client)
    ids = await _contents(client, background, owner, 3)
    [theirs] = await _contents(client, background, other, 1)
    mixed = (await client.data(APPROVE_MANY, {"ids": [*ids, theirs]}, token=owner.token))["approveContents"]
    assert [(error["code"], error["field"]) for error in mixed["userErrors"]] == [("NOT_FOUND", ["ids", "3"])]
    assert [(await content(client, owner, content_id))["status"] for content_id in ids] == ["PENDING"] * 3
    await client.data(APPROVE, {"id": ids[0]}, token=owner.token)
    # One cannot move (already approved): none moves.
    refused = (await client.data(APPROVE_MANY, {"ids": ids}, token=owner.token))["approveContents"]
    assert [(error["code"], error["field"]) for error in refused["userErrors"]] == [
        ("INVALID_TRANSITION", ["ids", "0"])
    ]
    assert (await content(client, owner, ids[1]))["status"] == "PENDING"
    done = (await client.data(REJECT_MANY, {"ids": ids}, token=owner.token))["rejectContents"]
    assert done["userErrors"] == [] and [row["status"] for row in done["contents"]] == ["REJECTED"] * 3
    too_many = (await client.data(APPROVE_MANY, {"ids": ids * 34}, token=owner.token))["approveContents"]
    assert too_many["userErrors"][0]["code"] == "INVALID_INPUT"
    empty = (await client.data(APPROVE_MANY, {"ids": []}, token=owner.token))["approveContents"]
    assert empty["userErrors"][0]["code"] == "INVALID_INPUT"
    # Another brand's content, one at a time.
    for document in (APPROVE, REJECT):
        answer = await client.data(document, {"id": ids[0]}, token=other.token)
        assert next(iter(answer.values()))["userErrors"][0]["code"] == "NOT_FOUND"


async def test_concurrent_approvals_approve_once(client, services, background):
    owner = await brand(client)
    [content_id] = await _contents(client, background, owner, 1)
    answers = await asyncio.gather(*(client.data(APPROVE, {"id": content_id}, token=owner.token) for _ in range(4)))
    succeeded = [answer for answer in answers if answer["approveContent"]["userErrors"] == []]
    assert len(succeeded) == 1
    codes = {answer["approveContent"]["userErrors"][0]["code"] for answer in answers if answer not in succeeded}
    assert codes <= {"INVALID_TRANSITION", "CONFLICT"}
    from tests.api.test_ugc_submission import _events

    assert len(await _events(services, "content.approved")) == 1


async def test_product_tags_single_and_bulk(client, background):
    owner = await brand(client)
    other = await brand(client)
    await products(client, owner, "TEE-1", "CAP-2")
    [one, two] = await _contents(client, background, owner, 2)
    tagged = (await client.data(TAG, {"id": one, "skus": ["CAP-2", "TEE-1"]}, token=owner.token))["tagContentProducts"]
    assert tagged["content"]["products"] == [{"sku": "CAP-2"}, {"sku": "TEE-1"}]
    unknown = (await client.data(TAG, {"id": one, "skus": ["TEE-1", "GHOST"]}, token=owner.token))["tagContentProducts"]
    assert unknown["userErrors"][0]["code"] == "NOT_FOUND" and "GHOST" in unknown["userErrors"][0]["message"]
    assert len((await content(client, owner, one))["products"]) == 2
    bulk = [{"contentId": one, "skus": []}, {"contentId": two, "skus": ["TEE-1"]}]
    done = (await client.data(TAG_MANY, {"taggings": bulk}, token=owner.token))["tagContentsProducts"]
    assert done["userErrors"] == [] and [row["products"] for row in done["contents"]] == [[], [{"sku": "TEE-1"}]]
    bad = [{"contentId": one, "skus": ["CAP-2"]}, {"contentId": two, "skus": ["GHOST"]}]
    refused = (await client.data(TAG_MANY, {"taggings": bad}, token=owner.token))["tagContentsProducts"]
    assert refused["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await content(client, owner, one))["products"] == []
    over = (await client.data(TAG_MANY, {"taggings": bulk * 51}, token=owner.token))["tagContentsProducts"]
    assert over["userErrors"][0]["code"] == "INVALID_INPUT"
    theirs = (await client.data(TAG, {"id": one, "skus": []}, token=other.token))["tagContentProducts"]
    assert theirs["userErrors"][0]["code"] == "NOT_FOUND"


async def test_rights_granted_once_with_evidence_then_commercial_use(client, background, inbox):
    owner = await brand(client)
    [content_id] = await _contents(client, background, owner, 1)
    early = (await client.data(COMMERCIAL, {"id": content_id, "on": True}, token=owner.token))[
        "setContentCommercialUse"
    ]
    assert early["userErrors"] == [{"field": ["commercialUse"], "code": "RIGHTS_REQUIRED"}]
    asked = (await client.data(REQUEST_RIGHTS, {"id": content_id, "terms": TERMS}, token=owner.token))[
        "requestContentRights"
    ]
    assert asked["userErrors"] == [] and asked["rightsRequest"]["terms"] == TERMS
    await background.settle()
    message = next(message for message in inbox.messages if message["To"] == "fan0@example.com")
    token = await inbox.token_for("fan0@example.com", message["Subject"])
    assert message["Subject"].endswith(SUBJECT_SUFFIX) and TERMS in message.get_payload(decode=True).decode().replace(
        "\r\n", "\n"
    )

    offer = (await client.data(OFFER, {"token": token}))["contentRightsOffer"]
    assert offer == {"terms": TERMS, "contentTitle": "Shot 0", "status": "PENDING"}
    assert (await client.data(OFFER, {"token": "wrong"}))["contentRightsOffer"] is None

    granted = await client.data(GRANT, {"token": token}, headers={"User-Agent": "FanPhone/1"})
    assert granted["grantContentRights"] == {"ok": True, "userErrors": []}
    reused = await client.data(DECLINE, {"token": token})
    assert reused["declineContentRights"]["userErrors"] == [{"field": ["token"], "code": "TOKEN_EXPIRED"}]
    unknown = await client.data(GRANT, {"token": "not-a-token"})
    assert unknown["grantContentRights"]["userErrors"] == [{"field": ["token"], "code": "NOT_FOUND"}]

    seen = await content(client, owner, content_id)
    assert seen["rightsStatus"] == "GRANTED"
    evidence = seen["rightsRequest"]
    assert evidence["status"] == "GRANTED" and evidence["terms"] == TERMS and evidence["answeredAt"]
    assert evidence["ipAddress"] == "127.0.0.1" and evidence["authorEmail"] == "fan0@example.com"
    exported = json.loads(evidence["evidenceJson"])
    assert exported["terms"] == TERMS and exported["answer"] == "GRANTED" and exported["userAgent"] == "FanPhone/1"
    assert exported["termsSha256"] == evidence["termsSha256"] and exported["contentId"] == content_id

    on = (await client.data(COMMERCIAL, {"id": content_id, "on": True}, token=owner.token))["setContentCommercialUse"]
    assert on == {"content": {"commercialUse": True}, "userErrors": []}
    again = (await client.data(REQUEST_RIGHTS, {"id": content_id, "terms": TERMS}, token=owner.token))[
        "requestContentRights"
    ]
    assert again["userErrors"][0]["code"] == "INVALID_TRANSITION"


async def test_concurrent_answers_to_one_link_count_once(client, background, inbox):
    owner = await brand(client)
    [content_id] = await _contents(client, background, owner, 1)
    await client.data(REQUEST_RIGHTS, {"id": content_id, "terms": TERMS}, token=owner.token)
    await background.settle()
    subject = next(message["Subject"] for message in inbox.messages if message["To"] == "fan0@example.com")
    token = await inbox.token_for("fan0@example.com", subject)
    answers = await asyncio.gather(
        *(client.data(GRANT if index % 2 else DECLINE, {"token": token}) for index in range(6))
    )
    oks = [next(iter(answer.values())) for answer in answers]
    assert sum(1 for payload in oks if payload["ok"]) == 1
    assert all(
        payload["userErrors"] == [{"field": ["token"], "code": "TOKEN_EXPIRED"}] for payload in oks if not payload["ok"]
    )
    winner = next(index for index, payload in enumerate(oks) if payload["ok"])
    expected = "GRANTED" if winner % 2 else "DECLINED"
    assert (await content(client, owner, content_id))["rightsStatus"] == expected


async def test_expired_link_and_declined_rights(client, services, background, inbox):
    owner = await brand(client)
    other = await brand(client)
    [content_id] = await _contents(client, background, owner, 1)
    theirs = await client.data(REQUEST_RIGHTS, {"id": content_id, "terms": TERMS}, token=other.token)
    assert theirs["requestContentRights"]["userErrors"][0]["code"] == "NOT_FOUND"
    blank = await client.data(REQUEST_RIGHTS, {"id": content_id, "terms": "  "}, token=owner.token)
    assert blank["requestContentRights"]["userErrors"][0]["field"] == ["terms"]
    await client.data(REQUEST_RIGHTS, {"id": content_id, "terms": TERMS}, token=owner.token)
    await background.settle()
    subject = next(message["Subject"] for message in inbox.messages if message["To"] == "fan0@example.com")
    token = await inbox.token_for("fan0@example.com", subject)
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(update(RightsRequest).values(expires_at=utcnow() - timedelta(minutes=1)))
    expired = await client.data(GRANT, {"token": token})
    assert expired["grantContentRights"]["userErrors"] == [{"field": ["token"], "code": "TOKEN_EXPIRED"}]
    assert (await content(client, owner, content_id))["rightsStatus"] == "REQUESTED"

    # Asked again, declined: no commercial use.
    await client.data(REQUEST_RIGHTS, {"id": content_id, "terms": TERMS}, token=owner.token)
    inbox.messages.clear()
    await background.settle()
    token = await inbox.token_for("fan0@example.com", subject)
    assert (await client.data(DECLINE, {"token": token}))["declineContentRights"]["ok"] is True
    assert (await content(client, owner, content_id))["rightsStatus"] == "DECLINED"
    refused = await client.data(COMMERCIAL, {"id": content_id, "on": True}, token=owner.token)
    assert refused["setContentCommercialUse"]["userErrors"][0]["code"] == "RIGHTS_REQUIRED"


async def test_rights_need_an_author_address(client):
    owner = await brand(client)
    summer = await album(client, owner)
    # Recorded FETCHING; with no worker running here, nothing is fetched.
    anonymous = await submit(client, owner, albumId=summer["id"], photoUri="http://127.0.0.1:9/x.jpg", username="a")
    asked = await client.data(REQUEST_RIGHTS, {"id": anonymous["content"]["id"], "terms": TERMS}, token=owner.token)
    assert asked["requestContentRights"]["userErrors"][0]["code"] == "INVALID_INPUT"
    assert asked["requestContentRights"]["userErrors"][0]["field"] == ["contentId"]
    assert (await content(client, owner, anonymous["content"]["id"]))["rightsStatus"] == "NONE"
