"""Sharing verification reports through the API: the share link and who it admits, invitations (their mail
through a real SMTP server, linking to an account made later), view analytics, the renditions with their
verification strip, verificationUpdated reaching an invited reader over a real WebSocket, and every bad input."""

from __future__ import annotations

import asyncio
import io
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import numpy as np
import uvicorn
import websockets
from PIL import Image, ImageOps
from sqlalchemy import func, select

from lensgraph.app import create_app
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Verification, VerificationInvite
from lensgraph.resolvers.context import Services
from lensgraph.schema.core import from_global_id, to_global_id
from tests.api.conftest import Background
from tests.api.factories import completed_verifications
from tests.api.helpers import Account, sign_up
from tests.api.verification_flows import camera_pair, verify

GPS = (48.8584, 2.2945)
READ = """query($id: ID!) { node(id: $id) { ... on Verification {
  id name shortCode result imageUrl thumbnailUrl watermarkedUrl captureLocation { latitude longitude }
  sharing { accessType showLocation hasLink invites { email accountLinked } } } } }"""
SHARED = """query($token: String!) { sharedVerification(token: $token) {
  id name shortCode result imageUrl thumbnailUrl captureLocation { latitude longitude } sharing { accessType } } }"""
SET_SHARING = """mutation($input: SetVerificationSharingInput!) { setVerificationSharing(input: $input) {
  shareUrl verification { id sharing { accessType showLocation hasLink } } userErrors { field code message } } }"""
REVOKE_LINK = """mutation($input: RevokeVerificationShareLinkInput!) { revokeVerificationShareLink(input: $input) {
  verification { sharing { hasLink } } userErrors { field code message } } }"""
INVITE = """mutation($input: VerificationInviteInput!) { inviteToVerification(input: $input) {
  hasAccount invite { email accountLinked } userErrors { field code message } } }"""
REVOKE_INVITE = """mutation($input: VerificationInviteInput!) { revokeVerificationInvite(input: $input) {
  verification { id } userErrors { field code message } } }"""
ANALYTICS = """query($id: ID!, $from: Date!, $to: Date!) { node(id: $id) { ... on Verification {
  viewAnalytics(from: $from, to: $to) { totalViews dailyViews { date count } } } } }"""
VERIFY_EMAIL = "mutation($token: String!) { verifyEmail(input: {token: $token}) { userErrors { code } } }"
INVITE_SUBJECT = "Ada Lovelace shared a verification report with you"


async def verified_account(client: Any, background: Any, inbox: Any, email: str) -> Account:
    """An account whose owner proved the address theirs (the verification mail's token, through SMTP, once the
    relay has sent it)."""
    account = await sign_up(client, email=email)
    await background.settle()
    token = await inbox.token_for(email, "Confirm your email address")
    assert (await client.data(VERIFY_EMAIL, {"token": token}))["verifyEmail"]["userErrors"] == []
    return account


async def completed_report(client: Any, background: Any, owner: Account) -> str:
    created = await verify(client, owner, camera_pair(1, gps=GPS))
    assert created["userErrors"] == [], created
    await background.settle()
    return str(created["verification"]["id"])


async def read(client: Any, report_id: str, account: Account | None) -> dict[str, Any] | None:
    token = account.access_token if account else None
    node: dict[str, Any] | None = (await client.data(READ, {"id": report_id}, token=token))["node"]
    return node


async def shared(client: Any, token: str, account: Account | None = None) -> dict[str, Any]:
    """The whole answer: data, or the error a refused link gets."""
    return await client.execute(SHARED, {"token": token}, token=account.access_token if account else None)


def refused(answer: dict[str, Any]) -> bool:
    """The one answer every unusable link gets: NOT_FOUND, nothing about the report."""
    assert answer["data"] is None, answer
    [error] = answer["errors"]
    return bool(error["extensions"]["code"] == "NOT_FOUND" and "report" not in json.dumps(answer["data"]))


async def mutate(client: Any, query: str, account: Account | None, **values: Any) -> dict[str, Any]:
    data = await client.data(query, {"input": values}, token=account.access_token if account else None)
    [payload] = data.values()
    result: dict[str, Any] = payload
    return result


def link_token(share_url: str) -> str:
    assert share_url.startswith("http://testserver/v?token="), share_url
    token = share_url.split("=", 1)[1]
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    return token


async def test_a_restricted_report_is_for_invitees_and_the_link_for_anyone_once_shared(client, background, inbox):
    owner = await sign_up(client, email="owner@example.com")
    invitee = await verified_account(client, background, inbox, "editor@example.com")
    stranger = await verified_account(client, background, inbox, "stranger@example.com")
    report = await completed_report(client, background, owner)

    shared_now = await mutate(client, SET_SHARING, owner, id=report, accessType="RESTRICTED")
    assert shared_now["userErrors"] == []
    token = link_token(shared_now["shareUrl"])
    assert shared_now["verification"]["sharing"] == {"accessType": "RESTRICTED", "showLocation": False, "hasLink": True}
    # Only the link's hash is stored.
    async with background.services.db.session() as session:
        row = await session.get(Verification, from_global_id(report)[1])
        assert row.share_token_hash and token not in row.share_token_hash

    # RESTRICTED: the link admits nobody who is not invited, signed in or not; the ID is not enough either.
    assert refused(await shared(client, token))
    assert refused(await shared(client, token, stranger))
    assert await read(client, report, stranger) is None
    assert (await client.http.get(shared_now["shareUrl"])).status_code == 404  # the link's page, anonymous

    invited = await mutate(client, INVITE, owner, id=report, email=" Editor@Example.com ")
    assert invited == {
        "hasAccount": True,
        "invite": {"email": "editor@example.com", "accountLinked": True},
        "userErrors": [],
    }
    as_invitee = await read(client, report, invitee)
    assert as_invitee["name"] == "Harbour at dawn" and as_invitee["result"] is True
    assert as_invitee["imageUrl"] and as_invitee["thumbnailUrl"] and as_invitee["watermarkedUrl"]
    assert as_invitee["captureLocation"] is None and as_invitee["sharing"] is None
    by_link = (await shared(client, token, invitee))["data"]["sharedVerification"]
    assert by_link["id"] == report and by_link["imageUrl"]
    assert refused(await shared(client, token, stranger))

    as_owner = await read(client, report, owner)
    assert as_owner["captureLocation"] == {"latitude": GPS[0], "longitude": GPS[1]}
    assert as_owner["sharing"]["invites"] == [{"email": "editor@example.com", "accountLinked": True}]

    # ANYONE_WITH_LINK: the same link now opens it for anyone; no new link is made unless asked for.
    opened = await mutate(client, SET_SHARING, owner, id=report, accessType="ANYONE_WITH_LINK")
    assert opened["shareUrl"] is None and opened["verification"]["sharing"]["hasLink"] is True
    for reader in (None, stranger):
        seen = (await shared(client, f"http://testserver/v?token={token}", reader))["data"]["sharedVerification"]
        assert seen["id"] == report and seen["thumbnailUrl"]
        # A link holder gets no original and, unless shown, no location; never the sharing settings.
        assert seen["imageUrl"] is None and seen["captureLocation"] is None and seen["sharing"] is None
    assert await read(client, report, stranger) is None  # the link, not the ID, admits them
    # The page the link opens, for a browser without a front end: the verdict, the code, the watermarked image.
    opened_page = await client.http.get(f"http://testserver/v?token={token}")
    assert opened_page.status_code == 200
    assert "Authentic" in opened_page.text and as_owner["shortCode"] in opened_page.text
    assert "/files/verifications/" in opened_page.text and "watermarked.jpg" in opened_page.text
    located = await mutate(client, SET_SHARING, owner, id=report, accessType="ANYONE_WITH_LINK", showLocation=True)
    assert located["verification"]["sharing"]["showLocation"] is True
    seen = (await shared(client, token))["data"]["sharedVerification"]
    assert seen["captureLocation"] == {"latitude": GPS[0], "longitude": GPS[1]}

    # A new link: the old one stops working at once.
    renewed = await mutate(client, SET_SHARING, owner, id=report, accessType="ANYONE_WITH_LINK", newLink=True)
    new_token = link_token(renewed["shareUrl"])
    assert new_token != token
    assert refused(await shared(client, token))
    assert (await shared(client, new_token))["data"]["sharedVerification"]["id"] == report

    # The link revoked: it opens nothing, for anyone; the invitee keeps access by ID.
    revoked = await mutate(client, REVOKE_LINK, owner, id=report)
    assert revoked == {"verification": {"sharing": {"hasLink": False}}, "userErrors": []}
    assert refused(await shared(client, new_token))
    assert refused(await shared(client, new_token, invitee))
    assert (await client.http.get(renewed["shareUrl"])).status_code == 404
    assert (await read(client, report, invitee))["id"] == report

    # The invitation revoked: nothing left for them.
    ended = await mutate(client, REVOKE_INVITE, owner, id=report, email="editor@example.com")
    assert ended == {"verification": {"id": report}, "userErrors": []}
    assert await read(client, report, invitee) is None
    relinked = await mutate(client, SET_SHARING, owner, id=report, accessType="RESTRICTED")
    assert refused(await shared(client, link_token(relinked["shareUrl"]), invitee))


async def test_the_invitation_mail_and_an_account_made_later(client, background, inbox):
    owner = await sign_up(client, email="owner@example.com")
    report = await completed_report(client, background, owner)
    invited = await mutate(client, INVITE, owner, id=report, email="newcomer@example.com")
    assert invited == {
        "hasAccount": False,
        "invite": {"email": "newcomer@example.com", "accountLinked": False},
        "userErrors": [],
    }
    # Mailed after the commit, by a job the outbox relay sends; once, however often the job runs.
    await background.settle()
    mails = [message for message in inbox.messages if message["To"] == "newcomer@example.com"]
    assert [message["Subject"] for message in mails] == [INVITE_SUBJECT]
    body = mails[0].get_payload(decode=True).decode()
    assert "Harbour at dawn" in body and f"/verifications/{report}" in body
    async with background.services.db.session() as session:
        [invite] = (await session.scalars(select(VerificationInvite))).all()
    background.send("verification.mail_invite", str(invite.id))
    await background.settle()
    assert len([message for message in inbox.messages if message["To"] == "newcomer@example.com"]) == 1

    # An account made with that address reads the report once the address is proven theirs, not before.
    newcomer = await sign_up(client, email="newcomer@example.com")
    assert await read(client, report, newcomer) is None
    await background.settle()
    token = await inbox.token_for("newcomer@example.com", "Confirm your email address")
    assert (await client.data(VERIFY_EMAIL, {"token": token}))["verifyEmail"]["userErrors"] == []
    assert (await read(client, report, newcomer))["id"] == report
    listed = (await read(client, report, owner))["sharing"]["invites"]
    assert listed == [{"email": "newcomer@example.com", "accountLinked": True}]

    # A revoked invitation is not mailed by a late job.
    await mutate(client, REVOKE_INVITE, owner, id=report, email="newcomer@example.com")
    again = await mutate(client, INVITE, owner, id=report, email="late@example.com")
    assert again["userErrors"] == []
    await mutate(client, REVOKE_INVITE, owner, id=report, email="late@example.com")
    await background.settle()
    assert not [message for message in inbox.messages if message["To"] == "late@example.com"]


async def test_views_of_a_shared_report_count_except_the_owners(client, background, services, inbox):
    owner = await sign_up(client, email="owner@example.com")
    invitee = await verified_account(client, background, inbox, "editor@example.com")
    report = await completed_report(client, background, owner)
    token = link_token((await mutate(client, SET_SHARING, owner, id=report, accessType="ANYONE_WITH_LINK"))["shareUrl"])
    await mutate(client, INVITE, owner, id=report, email="editor@example.com")
    for reader in (None, None, invitee):
        assert (await shared(client, token, reader))["data"]["sharedVerification"]["id"] == report
    for _ in range(3):
        assert (await shared(client, token, owner))["data"]["sharedVerification"]["id"] == report
    assert refused(await shared(client, "not-a-link"))  # refusals count nothing

    today = str(utcnow().date())
    window = {"id": report, "from": today, "to": today}
    counted = await client.data(ANALYTICS, window, token=owner.access_token)
    assert counted["node"]["viewAnalytics"] == {"totalViews": 0, "dailyViews": [{"date": today, "count": 0}]}
    assert await services.views.flush() == 3
    counted = await client.data(ANALYTICS, window, token=owner.access_token)
    assert counted["node"]["viewAnalytics"] == {"totalViews": 3, "dailyViews": [{"date": today, "count": 3}]}
    # The figures are the owner's: an invitee reads the report, not its analytics.
    assert (await client.data(ANALYTICS, window, token=invitee.access_token))["node"]["viewAnalytics"] is None


def _image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


async def _fetched(client: Any, url: str) -> bytes:
    response = await client.http.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.headers["content-disposition"].startswith("inline")
    return response.content


async def _stored(services: Services, report: str) -> Verification:
    async with services.db.session() as session:
        row: Verification = await session.get(Verification, from_global_id(report)[1])
    return row


async def test_renditions_are_made_once_and_the_strip_is_drawn(client, services):
    owner = await sign_up(client)
    created = await verify(client, owner, camera_pair(1, gps=GPS))  # no worker yet: it stays QUEUED
    report = created["verification"]["id"]
    query = "query($id: ID!) { node(id: $id) { ... on Verification { thumbnailUrl watermarkedUrl shortCode } } }"
    # Several first requests at once: the thumbnail is made once, on request; no watermark before the verdict.
    answers = await asyncio.gather(*[client.data(query, {"id": report}, token=owner.access_token) for _ in range(3)])
    assert len({answer["node"]["thumbnailUrl"] for answer in answers}) == 1
    assert {answer["node"]["watermarkedUrl"] for answer in answers} == {None}
    row = await _stored(services, report)
    assert row.thumbnail_key == f"verifications/{row.id}/thumbnail.jpg" and row.watermarked_key is None
    thumbnail_version = row.version

    # The analysis ends: the job the relay sends on the verdict makes the watermarked JPEG, before anyone asks.
    await services.jobs.start()
    try:
        await Background(services).settle()
    finally:
        await services.jobs.stop()
    row = await _stored(services, report)
    assert row.status.value == "COMPLETED" and row.version > thumbnail_version
    assert row.watermarked_key == f"verifications/{row.id}/watermarked.jpg"
    assert row.thumbnail_key == f"verifications/{row.id}/thumbnail.jpg"
    node = (await client.data(query, {"id": report}, token=owner.access_token))["node"]

    thumbnail = _image(await _fetched(client, node["thumbnailUrl"]))
    assert thumbnail.format == "JPEG" and max(thumbnail.size) == 320

    original = ImageOps.exif_transpose(_image(camera_pair(1, gps=GPS).image)).convert("RGB")
    marked = _image(await _fetched(client, node["watermarkedUrl"])).convert("RGB")
    assert marked.size == original.size  # 640 x 480: under the 2048 px cap, not resized
    before, after = np.asarray(original, dtype=np.int16), np.asarray(marked, dtype=np.int16)
    band = original.height // 9
    # Above the strip the photo is as it was (JPEG re-encoding aside); the strip is dark with light text on it.
    assert np.abs(after[: -band - 4] - before[: -band - 4]).mean() < 4
    strip_before, strip_after = before[-band + 4 :], after[-band + 4 :]
    assert np.abs(strip_after - strip_before).mean() > 40
    assert strip_after.mean() < strip_before.mean() and strip_after.max() > 200
    # The verdict's green mark at the strip's left.
    pad = max(4, band // 8)
    mark = after[-band + pad + 2 : -pad - 2, pad + 2 : band - pad - 2].reshape(-1, 3).mean(axis=0)
    assert mark[1] > 120 and mark[1] > mark[0] + 50 and mark[1] > mark[2] + 50

    # Asked again: the same stored renditions, nothing made twice.
    again = (await client.data(query, {"id": report}, token=owner.access_token))["node"]
    assert _image(await _fetched(client, again["thumbnailUrl"])).size == thumbnail.size


async def _count_invites(services: Services) -> int:
    async with services.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(VerificationInvite)) or 0)


async def test_bad_input_is_refused_and_nothing_is_half_written(client, background, services, inbox):
    owner = await sign_up(client, email="owner@example.com")
    other = await verified_account(client, background, inbox, "other@example.com")
    report = await completed_report(client, background, owner)
    async with services.db.session() as session:
        version = (await session.get(Verification, from_global_id(report)[1])).version

    def codes(payload: dict[str, Any]) -> list[tuple[list[str], str]]:
        return [(error["field"], error["code"]) for error in payload["userErrors"]]

    # Someone else's report: as if it did not exist.
    assert codes(await mutate(client, SET_SHARING, other, id=report, accessType="ANYONE_WITH_LINK")) == [
        (["id"], "NOT_FOUND")
    ]
    assert codes(await mutate(client, INVITE, other, id=report, email="x@example.com")) == [(["id"], "NOT_FOUND")]
    assert codes(await mutate(client, REVOKE_LINK, other, id=report)) == [(["id"], "NOT_FOUND")]
    assert codes(await mutate(client, REVOKE_INVITE, other, id=report, email="x@example.com")) == [
        (["id"], "NOT_FOUND")
    ]
    not_a_report = "UGhvdG86MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"
    assert codes(await mutate(client, INVITE, owner, id=not_a_report, email="x@example.com")) == [(["id"], "NOT_FOUND")]
    # Bad addresses, oneself, twice the same person, an invitation or a link that is not there.
    assert codes(await mutate(client, INVITE, owner, id=report, email="not an address")) == [
        (["email"], "INVALID_INPUT")
    ]
    assert codes(await mutate(client, INVITE, owner, id=report, email="OWNER@example.com")) == [
        (["email"], "INVALID_INPUT")
    ]
    assert (await mutate(client, INVITE, owner, id=report, email="other@example.com"))["userErrors"] == []
    assert codes(await mutate(client, INVITE, owner, id=report, email="other@example.com")) == [
        (["email"], "ALREADY_EXISTS")
    ]
    assert codes(await mutate(client, REVOKE_INVITE, owner, id=report, email="nobody@example.com")) == [
        (["email"], "NOT_FOUND")
    ]
    assert codes(await mutate(client, REVOKE_LINK, owner, id=report)) == [(["id"], "NOT_FOUND")]
    assert await _count_invites(services) == 1
    async with services.db.session() as session:
        row = await session.get(Verification, from_global_id(report)[1])
        assert row.share_token_hash is None and row.version == version  # no refused change wrote anything

    # Signed out: no sharing at all.
    answer = await client.execute(SET_SHARING, {"input": {"id": report, "accessType": "RESTRICTED"}})
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # Revoked twice: the second finds nothing to revoke.
    assert (await mutate(client, REVOKE_INVITE, owner, id=report, email="other@example.com"))["userErrors"] == []
    assert codes(await mutate(client, REVOKE_INVITE, owner, id=report, email="other@example.com")) == [
        (["email"], "NOT_FOUND")
    ]
    # Invited again after a revocation: a new live invitation, the revoked one kept as history.
    assert (await mutate(client, INVITE, owner, id=report, email="other@example.com"))["userErrors"] == []
    assert await _count_invites(services) == 2


# verificationUpdated over a real WebSocket ------------------------------------------------------------

PROTOCOL = "graphql-transport-ws"
UPDATED = "subscription($id: ID!) { verificationUpdated(id: $id) { id status result } }"


@asynccontextmanager
async def served(services: Services) -> AsyncIterator[str]:
    """The app on a real socket (uvicorn in this process, sharing ``services`` with the ASGI test client)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.listen()  # connections wait in the backlog until uvicorn accepts: no polling for its start
    app = create_app(services.settings, services=services)
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def _receive(ws: Any) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 30))
    return message


@asynccontextmanager
async def subscribed(url: str, account: Account, report_id: str) -> AsyncIterator[Any]:
    async with websockets.connect(url, subprotocols=[PROTOCOL]) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {account.access_token}"}})
        )
        assert await _receive(ws) == {"type": "connection_ack"}
        subscribe = {"id": "1", "type": "subscribe", "payload": {"query": UPDATED, "variables": {"id": report_id}}}
        await ws.send(json.dumps(subscribe))
        # Answered after the subscription registered its queue: from here nothing published is missed.
        await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": {"query": "{ __typename }"}}))
        yield ws


async def test_verification_updated_reaches_an_invited_reader_not_a_stranger(client, services, background, inbox):
    owner = await sign_up(client, email="owner@example.com")
    invitee = await verified_account(client, background, inbox, "editor@example.com")
    stranger = await verified_account(client, background, inbox, "stranger@example.com")
    created = await verify(client, owner, camera_pair(1, gps=GPS))
    report = created["verification"]["id"]
    await mutate(client, INVITE, owner, id=report, email="editor@example.com")

    async with served(services) as url:
        async with subscribed(url, stranger, report) as ws:
            refusal = await _receive(ws)
            while refusal["id"] == "2":  # the __typename answer and its completion
                refusal = await _receive(ws)
            assert refusal["id"] == "1" and refusal["payload"]["data"] is None, refusal
            assert [error["extensions"]["code"] for error in refusal["payload"]["errors"]] == ["NOT_FOUND"]
        async with subscribed(url, invitee, report) as ws:
            messages = []
            while not messages or messages[-1]["type"] != "next" or messages[-1]["id"] != "2":
                messages.append(await _receive(ws))
            # The analysis' status changes, published by the relay, each re-read and authorised for the invitee.
            await background.settle()
            statuses = []
            while "COMPLETED" not in statuses:
                message = await _receive(ws)
                if message["id"] == "1":
                    assert "errors" not in message["payload"], message
                    update = message["payload"]["data"]["verificationUpdated"]
                    assert update["id"] == report
                    statuses.append(update["status"])
            assert update["result"] is True


async def test_concurrent_invitations_and_new_links_leave_one_of_each(client, background, services):
    owner = await sign_up(client, email="owner@example.com")
    report = await completed_report(client, background, owner)
    invites = await asyncio.gather(
        *[mutate(client, INVITE, owner, id=report, email="editor@example.com") for _ in range(4)]
    )
    assert sorted(str([error["code"] for error in payload["userErrors"]]) for payload in invites) == [
        "['ALREADY_EXISTS']",
        "['ALREADY_EXISTS']",
        "['ALREADY_EXISTS']",
        "[]",
    ]
    assert await _count_invites(services) == 1

    renewed = await asyncio.gather(
        *[mutate(client, SET_SHARING, owner, id=report, accessType="ANYONE_WITH_LINK", newLink=True) for _ in range(3)]
    )
    # Each either made a link or was refused with CONFLICT (nothing written); of the links shown, one works.
    for payload in renewed:
        assert payload["userErrors"] == [] or [error["code"] for error in payload["userErrors"]] == ["CONFLICT"]
        assert (payload["shareUrl"] is None) == bool(payload["userErrors"])
    urls = [payload["shareUrl"] for payload in renewed if payload["shareUrl"]]
    working = [url for url in urls if (await shared(client, link_token(url)))["data"]]
    assert len(urls) >= 1 and len(working) == 1


NESTED = """query($first: Int!, $from: Date!, $to: Date!) { viewer { verifications(first: $first) { edges { node {
  id sharing { accessType hasLink invites { email accountLinked } }
  viewAnalytics(from: $from, to: $to) { totalViews dailyViews { date count } } } } } } }"""


async def test_sharing_fields_of_a_list_cost_the_same_sql_at_2_and_at_8(client, services, sql, unmetered):
    owner = await sign_up(client, email="owner@example.com")
    reports = [to_global_id("Verification", key) for key in await completed_verifications(services, owner, 8)]
    for index, report in enumerate(reports):
        await mutate(client, INVITE, owner, id=report, email=f"reader{index}@example.com")
        await mutate(client, INVITE, owner, id=report, email=f"editor{index}@example.com")
    today = str(utcnow().date())

    async def statements_for(first: int) -> int:
        sql.reset()
        data = await client.data(NESTED, {"first": first, "from": today, "to": today}, token=owner.access_token)
        edges = data["viewer"]["verifications"]["edges"]
        assert len(edges) == first
        for edge in edges:
            node = edge["node"]
            assert len(node["sharing"]["invites"]) == 2 and node["viewAnalytics"]["totalViews"] == 0
        return sql.count

    assert await statements_for(2) == await statements_for(8)
