"""verificationUpdated against a real server with the gql client over WebSocket: a RAW + JPEG pair uploaded,
the verification created, each status change and then the verdict with its checks arrive live; someone else
subscribing to it is refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from gql import GraphQLRequest, gql
from gql.transport.exceptions import TransportQueryError

from tests.api.verification_flows import camera_pair

from .conftest import Server
from .test_subscriptions import BRAND, PHOTOGRAPHER, TIMEOUT, gql_session, graphql, login

REQUEST_UPLOAD = """mutation($input: RequestUploadInput!) {
  requestUpload(input: $input) { uploadId uploadUrl method headers userErrors { code message } } }"""
CREATE = """mutation($input: CreateVerificationInput!) {
  createVerification(input: $input) { verification { id status } userErrors { code message } } }"""
UPDATED = """subscription($id: ID!) { verificationUpdated(id: $id) {
  id status result resultConfidence checks { analyzer outcome confidence } } }"""
ORDER = ["PENDING", "QUEUED", "IN_PROGRESS", "COMPLETED", "FAILED"]


def following(verification_id: str) -> GraphQLRequest:
    request = gql(UPDATED)
    request.variable_values = {"id": verification_id}
    return request


async def uploaded(server: Server, token: str, purpose: str, data: bytes, filename: str, mime: str) -> str:
    variables = {"input": {"purpose": purpose, "filename": filename, "mimeType": mime, "fileSizeBytes": len(data)}}
    target = (await graphql(server, REQUEST_UPLOAD, variables, token))["requestUpload"]
    assert target["userErrors"] == [], target
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        sent = await http.request(target["method"], target["uploadUrl"], content=data, headers=target["headers"])
    assert sent.status_code == 200, sent.text
    upload_id: str = target["uploadId"]
    return upload_id


async def test_verification_updated_delivers_each_status_and_the_verdict(server: Server):
    photographer = await login(server, PHOTOGRAPHER)
    token = photographer.access_token
    pair = camera_pair(1)
    raw_id = await uploaded(server, token, "RAW", pair.raw, "harbour.DNG", "image/x-adobe-dng")
    image_id = await uploaded(server, token, "IMAGE_FOR_VERIFICATION", pair.image, "harbour.jpg", "image/jpeg")
    created = (await graphql(server, CREATE, {"input": {"rawUploadId": raw_id, "imageUploadId": image_id}}, token))[
        "createVerification"
    ]
    assert created["userErrors"] == [], created
    verification_id = created["verification"]["id"]

    seen: list[dict[str, Any]] = []
    async with gql_session(server, token) as (session, _):
        async for result in session.subscribe(following(verification_id)):
            seen.append(result["verificationUpdated"])
    # It starts from the state at subscription (the analysis takes seconds), moves only forward, and ends with
    # the verdict.
    statuses = [item["status"] for item in seen]
    assert len(statuses) >= 2 and statuses[0] in {"QUEUED", "IN_PROGRESS"}, statuses
    assert statuses == sorted(statuses, key=ORDER.index) and len(set(statuses)) == len(statuses), statuses
    final = seen[-1]
    assert final["status"] == "COMPLETED" and final["result"] is True and final["resultConfidence"] > 0.5
    assert {check["analyzer"] for check in final["checks"]} >= {"RAW_INTEGRITY", "STRUCTURAL_SIMILARITY"}
    assert all(item["checks"] == [] for item in seen[:-1])


async def test_someone_else_cannot_follow_a_verification(server: Server):
    photographer = await login(server, PHOTOGRAPHER)
    brand = await login(server, BRAND)
    pair = camera_pair(2)
    token = photographer.access_token
    raw_id = await uploaded(server, token, "RAW", pair.raw, "bus.DNG", "image/x-adobe-dng")
    image_id = await uploaded(server, token, "IMAGE_FOR_VERIFICATION", pair.image, "bus.jpg", "image/jpeg")
    created = (await graphql(server, CREATE, {"input": {"rawUploadId": raw_id, "imageUploadId": image_id}}, token))[
        "createVerification"
    ]
    verification_id = created["verification"]["id"]
    async with gql_session(server, brand.access_token) as (session, _):
        with pytest.raises(TransportQueryError) as refused:
            async for _ in session.subscribe(following(verification_id)):
                pytest.fail("a stranger received a verification")
        assert refused.value.errors and refused.value.errors[0]["extensions"]["code"] == "NOT_FOUND"
        # The socket stays usable.
        assert await session.execute(gql("{ __typename }")) == {"__typename": "Query"}
