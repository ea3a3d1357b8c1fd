"""Verifications through the API: create -> analysis job -> COMPLETED with checks; listing, deleting, another
user's verification; every bad input refused with a userErrors code and nothing half-written."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from lensgraph.domain import global_ids
from lensgraph.domain.verification import VerificationStatus
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Upload, Verification, VerificationInvite, VerificationUsage
from lensgraph.resolvers.context import Services
from tests.api.conftest import Background
from tests.api.factories import completed_verifications, user_key
from tests.api.helpers import sign_up
from tests.api.images import photo_jpeg
from tests.api.verification_flows import (
    NODE,
    camera_pair,
    create,
    request,
    sent,
    sha256,
    verify,
)

LIST = """query($filter: VerificationFilter, $orderBy: VerificationOrder, $first: Int, $after: String) {
  viewer { verifications(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name status result shortCode owner { username } checks { analyzer outcome } } } } } }"""
STATUS = "query($id: ID!) { node(id: $id) { ... on Verification { status failureReason result } } }"
STATUS_AND_PRIVATE = """query($id: ID!) { node(id: $id) { ... on Verification {
  status result imageUrl captureLocation { latitude longitude } } } }"""
NOTIFICATIONS = "{ viewer { notifications(first: 20) { edges { node { eventType data } } } } }"
DELETE = """mutation($input: DeleteVerificationInput!) { deleteVerification(input: $input) {
  deletedVerificationId userErrors { field code message } } }"""


async def _count(services: Services, model: type) -> int:
    async with services.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_create_analyse_complete_with_checks(client, background, services):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    pair = camera_pair(1, gps=(48.8584, 2.2945))
    created = await verify(client, owner, pair)
    assert created["userErrors"] == []
    verification = created["verification"]
    assert verification["status"] == "QUEUED" and verification["name"] == "Harbour at dawn"
    assert verification["rawHash"] == sha256(pair.raw) and verification["imageHash"] == sha256(pair.image)
    assert verification["rawFormat"] == "DNG" and len(verification["shortCode"]) == 10

    await background.settle()
    node = (await client.data(NODE, {"id": verification["id"]}, token=owner.access_token))["node"]
    assert node["status"] == "COMPLETED", node["failureReason"]
    assert node["result"] is True and 0.5 < node["resultConfidence"] <= 1
    assert 0 <= node["integrityScore"] <= 1 and 0 <= node["securityScore"] <= 1
    analyzers = {check["analyzer"]: check for check in node["checks"]}
    assert {"RAW_INTEGRITY", "EXIF_CONSISTENCY", "STRUCTURAL_SIMILARITY"} <= set(analyzers)
    assert analyzers["RAW_INTEGRITY"]["outcome"] == "PASS" and analyzers["RAW_INTEGRITY"]["details"]
    assert node["rawMetadata"]["format"] == "DNG" and node["imageMetadata"]["make"] == "Lensgraph Optics"
    assert node["captureLocation"] == {"latitude": 48.8584, "longitude": 2.2945}
    assert node["completedAt"] is not None
    # The verified JPEG, as uploaded, for its owner.
    downloaded = await client.http.get(node["imageUrl"])
    assert downloaded.status_code == 200 and downloaded.content == pair.image

    # Stored under the verification, both uploads consumed, the month's usage counted once.
    async with services.db.session() as session:
        row = await session.get(Verification, _key(verification["id"]))
        assert row.raw_key.endswith("/raw.dng") and row.image_key.endswith("/image.jpg")
        assert row.image_phash and row.attempts == 1
        assert all(upload.confirmed_at for upload in (await session.scalars(select(Upload))).all())
    assert await _count(services, VerificationUsage) == 1
    feed = (await client.data(NOTIFICATIONS, token=owner.access_token))["viewer"]["notifications"]["edges"]
    [completed] = [edge["node"] for edge in feed if edge["node"]["eventType"] == "verification.completed"]
    assert completed["data"]["verificationId"] == verification["id"]
    assert completed["data"]["verdict"] == "AUTHENTIC" and completed["data"]["confidence"] == node["resultConfidence"]


async def test_a_missing_stored_file_fails_at_once(client, services):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    created = (await verify(client, owner))["verification"]
    async with services.db.session() as session:
        row = await session.get(Verification, _key(created["id"]))
    await services.storage.delete(row.image_key)
    await services.jobs.start()
    try:
        await Background(services).settle()
    finally:
        await services.jobs.stop()
    node = (await client.data(STATUS, {"id": created["id"]}, token=owner.access_token))["node"]
    assert (node["status"], node["failureReason"]) == ("FAILED", "The stored image is missing.")
    async with services.db.session() as session:
        assert (await session.get(Verification, row.id)).attempts == 1


async def test_others_do_not_see_it_and_cannot_use_or_delete_it(client, background):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    stranger = await sign_up(client, role="PHOTOGRAPHER")
    admin_like = await sign_up(client, role="BRAND")
    created = (await verify(client, owner))["verification"]
    for other in (stranger, admin_like):
        assert (await client.data(NODE, {"id": created["id"]}, token=other.access_token))["node"] is None
        refused = (await client.data(DELETE, {"input": {"id": created["id"]}}, token=other.access_token))[
            "deleteVerification"
        ]
        assert refused["userErrors"][0]["code"] == "NOT_FOUND"
        listed = (await client.data(LIST, {}, token=other.access_token))["viewer"]["verifications"]
        assert listed["totalCount"] == 0
    assert (await client.data(NODE, {"id": created["id"]}))["node"] is None  # anonymous

    # Someone else's uploads are not yours to verify.
    pair = camera_pair(2)
    raw_id = await sent(client, owner, "RAW", pair.raw)
    image_id = await sent(client, owner, "IMAGE_FOR_VERIFICATION", pair.image)
    stolen = await create(client, stranger, raw_id, image_id)
    assert stolen["verification"] is None
    assert stolen["userErrors"][0] == {"field": ["rawUploadId"], "code": "NOT_FOUND", "message": "No such upload."}
    # ... and they stay usable by their owner.
    assert (await create(client, owner, raw_id, image_id))["userErrors"] == []


async def test_an_invited_user_sees_the_report_but_not_the_image_until_revoked(client, services):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    guest = await sign_up(client, role="BRAND")
    [verification_id] = await completed_verifications(
        services, owner, 1, image_metadata={"gps": {"latitude": 1.5, "longitude": 2.5}}
    )
    global_id = global_ids.encode("Verification", verification_id)
    # Written as the sharing flow (inviteToVerification) will write it.
    async with services.db.unit_of_work() as uow:
        invite = VerificationInvite(verification_id=verification_id, email=guest.email, invited_user_id=user_key(guest))
        uow.session.add(invite)
    seen = (await client.data(STATUS_AND_PRIVATE, {"id": global_id}, token=guest.access_token))["node"]
    assert seen == {"status": "COMPLETED", "result": True, "imageUrl": None, "captureLocation": None}
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(update(VerificationInvite).values(revoked_at=utcnow()))
    assert (await client.data(STATUS_AND_PRIVATE, {"id": global_id}, token=guest.access_token))["node"] is None
    location = "query($id: ID!) { node(id: $id) { ... on Verification { captureLocation { latitude longitude } } } }"
    mine = (await client.data(location, {"id": global_id}, token=owner.access_token))["node"]
    assert mine["captureLocation"] == {"latitude": 1.5, "longitude": 2.5}


async def test_list_filter_search_order_and_delete(client, background, services):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    first = (await verify(client, owner, camera_pair(1), name="Alpine lake"))["verification"]
    second = (await verify(client, owner, camera_pair(2), name="Bus station"))["verification"]
    await background.settle()

    listed = (await client.data(LIST, {"first": 1}, token=owner.access_token))["viewer"]["verifications"]
    assert listed["totalCount"] == 2 and listed["pageInfo"]["hasNextPage"]
    assert [edge["node"]["id"] for edge in listed["edges"]] == [second["id"]]
    after = listed["pageInfo"]["endCursor"]
    rest = (await client.data(LIST, {"first": 1, "after": after}, token=owner.access_token))["viewer"]
    assert [edge["node"]["id"] for edge in rest["verifications"]["edges"]] == [first["id"]]

    by_name = (await client.data(LIST, {"orderBy": "NAME"}, token=owner.access_token))["viewer"]["verifications"]
    assert [edge["node"]["name"] for edge in by_name["edges"]] == ["Alpine lake", "Bus station"]
    for given, expected in (
        ({"search": "lake"}, [first["id"]]),
        ({"search": second["shortCode"].lower()}, [second["id"]]),
        ({"status": "COMPLETED"}, [second["id"], first["id"]]),
        ({"status": "FAILED"}, []),
        ({"result": True}, [second["id"], first["id"]]),
        ({"result": False}, []),
    ):
        found = (await client.data(LIST, {"filter": given}, token=owner.access_token))["viewer"]["verifications"]
        assert [edge["node"]["id"] for edge in found["edges"]] == expected, given

    deleted = (await client.data(DELETE, {"input": {"id": first["id"]}}, token=owner.access_token))[
        "deleteVerification"
    ]
    assert deleted == {"deletedVerificationId": first["id"], "userErrors": []}
    assert (await client.data(NODE, {"id": first["id"]}, token=owner.access_token))["node"] is None
    async with services.db.session() as session:
        usage = (await session.scalars(select(VerificationUsage))).all()
    # Deleting does not give the allowance back: both stay counted, the deleted one without its link.
    assert len(usage) == 2 and sum(row.verification_id is None for row in usage) == 1
    stored = [key async for key in _stored_keys(services, f"verifications/{_key(first['id'])}")]
    assert stored == []


async def test_deleting_is_refused_while_the_analysis_runs(client, services):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    created = (await verify(client, owner))["verification"]
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(
            update(Verification).values(status=VerificationStatus.IN_PROGRESS, updated_at=utcnow())
        )
    refused = (await client.data(DELETE, {"input": {"id": created["id"]}}, token=owner.access_token))[
        "deleteVerification"
    ]
    assert refused["userErrors"][0]["code"] == "INVALID_TRANSITION"
    assert "being analysed" in refused["userErrors"][0]["message"]
    assert await _count(services, Verification) == 1


async def test_bad_inputs_are_refused_and_nothing_is_half_written(client, services):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    pair = camera_pair(3)

    async def refused(raw: bytes, image: bytes, **raw_options: str) -> dict[str, str | list[str]]:
        raw_id = await sent(client, owner, "RAW", raw, **raw_options)
        image_id = await sent(client, owner, "IMAGE_FOR_VERIFICATION", image)
        answer = await create(client, owner, raw_id, image_id)
        assert answer["verification"] is None
        [error] = answer["userErrors"]
        return error

    # A JPEG renamed .CR2.
    error = await refused(pair.image, pair.image, filename="renamed.CR2")
    assert error["code"] in {"UPLOAD_INVALID", "INVALID_INPUT"}
    error = await refused(photo_jpeg(seed=5), pair.image, filename="renamed.CR2")
    assert (error["code"], error["field"]) == ("UPLOAD_INVALID", ["rawUploadId"])
    assert "not a camera RAW" in error["message"]
    # A RAW cut short.
    error = await refused(pair.raw[: len(pair.raw) // 2], pair.image)
    assert (error["code"], error["field"], error["message"]) == (
        "UPLOAD_INVALID",
        ["rawUploadId"],
        "The RAW file is truncated or corrupt.",
    )
    # An image that is not a JPEG (a PNG declared as one), and a JPEG cut short.
    error = await refused(pair.raw, _png())
    assert (error["code"], error["field"]) == ("UPLOAD_INVALID", ["imageUploadId"])
    error = await refused(pair.raw, pair.image[: len(pair.image) // 2])
    assert (error["code"], error["field"]) == ("UPLOAD_INVALID", ["imageUploadId"])
    # The same file as both halves.
    error = await refused(pair.raw, pair.raw)
    assert (error["code"], error["field"]) == ("INVALID_INPUT", ["imageUploadId"])
    # One upload as both halves, and an upload of the wrong purpose.
    raw_id = await sent(client, owner, "RAW", pair.raw)
    same = await create(client, owner, raw_id, raw_id)
    assert same["userErrors"][0]["code"] == "INVALID_INPUT"
    swapped = await create(client, owner, await sent(client, owner, "IMAGE_FOR_VERIFICATION", pair.image), raw_id)
    assert (swapped["userErrors"][0]["code"], swapped["userErrors"][0]["field"]) == ("UPLOAD_INVALID", ["rawUploadId"])

    # An unsupported RAW extension, and an image that is not a .jpg, at the request already.
    for purpose, filename, mime in (
        ("RAW", "shot.TIFF", "image/tiff"),
        ("RAW", "shot", "application/octet-stream"),
        ("IMAGE_FOR_VERIFICATION", "shot.png", "image/png"),
    ):
        target = await request(client, owner, purpose, pair.raw, filename=filename, mime=mime)
        assert target["uploadId"] is None and target["userErrors"][0]["code"] == "UPLOAD_INVALID", filename

    # A declared hash the bytes do not have: the reference's "File hash mismatch".
    raw_id = await sent(client, owner, "RAW", pair.raw, declared_sha256=sha256(b"something else"))
    image_id = await sent(client, owner, "IMAGE_FOR_VERIFICATION", pair.image)
    mismatch = await create(client, owner, raw_id, image_id)
    assert mismatch["userErrors"][0]["code"] == "HASH_MISMATCH"
    assert mismatch["userErrors"][0]["message"].startswith("File hash mismatch")
    bad_hash = await request(
        client, owner, "RAW", pair.raw, filename="a.DNG", mime="image/x-adobe-dng", declared_sha256="xyz"
    )
    assert bad_hash["userErrors"][0]["code"] == "INVALID_INPUT"
    # A matching declared hash is fine.
    raw_id = await sent(client, owner, "RAW", pair.raw, declared_sha256=sha256(pair.raw).upper())
    assert (await create(client, owner, raw_id, image_id))["userErrors"] == []

    # Nothing of the refusals was kept: one verification, one usage row, only its two files under verifications/.
    assert await _count(services, Verification) == 1
    assert await _count(services, VerificationUsage) == 1
    assert len([key async for key in _stored_keys(services, "verifications/")]) == 2


async def test_a_refused_upload_can_not_be_used_again(client):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    pair = camera_pair(3)
    raw_id = await sent(client, owner, "RAW", pair.raw[:1000])
    image_id = await sent(client, owner, "IMAGE_FOR_VERIFICATION", pair.image)
    assert (await create(client, owner, raw_id, image_id))["userErrors"][0]["code"] == "UPLOAD_INVALID"
    again = await create(client, owner, raw_id, image_id)
    assert again["userErrors"][0]["code"] == "UPLOAD_INVALID"
    # The image was not refused: it is still unconfirmed and usable with another RAW.
    fresh_raw = await sent(client, owner, "RAW", pair.raw)
    assert (await create(client, owner, fresh_raw, image_id))["userErrors"] == []


async def test_waiting_verifications_are_analysed_after_a_restart(client, services, settings):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    # Created while no worker runs: one queued (its job lost with the in-process queue), one left PENDING (the
    # server stopped between creating and queueing it).
    queued = (await verify(client, owner, camera_pair(1)))["verification"]
    pending = (await verify(client, owner, camera_pair(2)))["verification"]
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(
            update(Verification).where(Verification.id == _key(pending["id"])).values(status=VerificationStatus.PENDING)
        )
    restarted = Services(settings)
    await restarted.start()
    try:
        await Background(restarted).settle()
    finally:
        await restarted.close()
    for created in (queued, pending):
        node = (await client.data(STATUS, {"id": created["id"]}, token=owner.access_token))["node"]
        assert node["status"] == "COMPLETED", node


async def test_a_job_that_dies_is_retried_then_failed_never_stuck(client, background, services):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    created = (await verify(client, owner))["verification"]
    key = _key(created["id"])
    # A worker died mid-analysis: IN_PROGRESS, not moved for longer than an attempt may take.
    for attempts in (1, 2, 3):
        async with services.db.unit_of_work() as uow:
            await uow.session.execute(
                update(Verification).values(
                    status=VerificationStatus.IN_PROGRESS,
                    attempts=attempts,
                    updated_at=utcnow() - timedelta(hours=1),
                )
            )
        background.send("verification.sweep")
        await background.settle()
        node = (await client.data(NODE, {"id": created["id"]}, token=owner.access_token))["node"]
        if attempts < 3:
            # Queued again and analysed by the job the sweep sent.
            assert node["status"] == "COMPLETED", node
        else:
            assert node["status"] == "FAILED"
            assert node["failureReason"] == "The analysis did not finish after several attempts."
    async with services.db.session() as session:
        assert (await session.get(Verification, key)).completed_at is not None


async def test_a_stored_file_changed_after_creation_fails_with_the_reason(client, services):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    # Created while no worker runs, so the file changes before the analysis reads it.
    created = (await verify(client, owner))["verification"]
    async with services.db.session() as session:
        row = await session.get(Verification, _key(created["id"]))
    await services.storage.write(row.raw_key, b"II*\x00garbage", content_type="application/octet-stream")
    await services.jobs.start()
    try:
        await Background(services).settle()
    finally:
        await services.jobs.stop()
    node = (await client.data(STATUS, {"id": created["id"]}, token=owner.access_token))["node"]
    assert node["status"] == "FAILED" and node["result"] is None
    assert node["failureReason"] == "The stored RAW is not the file that was confirmed."
    # Its owner is told (notification), as webhooks subscribed to verification.failed would be.
    feed = (await client.data(NOTIFICATIONS, token=owner.access_token))["viewer"]["notifications"]["edges"]
    [failed] = [edge["node"] for edge in feed if edge["node"]["eventType"] == "verification.failed"]
    assert failed["data"]["verificationId"] == created["id"]


async def test_listing_verifications_with_owners_and_checks_stays_flat_in_sql(client, services, sql):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    query = """{ viewer { verifications(first: 50) { totalCount edges { node {
      name status result owner { username } checks { analyzer outcome regions { x } } captureLocation { latitude }
    } } } } }"""

    async def statements_for(count: int) -> int:
        await completed_verifications(services, owner, count)
        sql.reset()
        listed = (await client.data(query, token=owner.access_token))["viewer"]["verifications"]
        assert len(listed["edges"]) == listed["totalCount"]
        return sql.count

    assert await statements_for(2) == await statements_for(20)


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 20, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _key(global_id: str):
    return global_ids.decode(global_id)[1]


async def _stored_keys(services: Services, prefix: str):
    storage = services.storage
    root = getattr(storage, "root", None)
    assert root is not None, "these tests read the local storage folder"
    folder = root / prefix
    base = folder if folder.is_dir() else folder.parent
    if not base.exists():
        return
    for path in sorted(base.rglob("*")):
        relative = str(path.relative_to(root))
        if path.is_file() and relative.startswith(prefix):
            yield relative
