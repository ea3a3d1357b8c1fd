"""Verifications: creating one from a RAW and a JPEG upload (charged against the plan's monthly allowance), the
owner's list, deleting, the monthly budget for overage, and the live updates of one verification."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

from lensgraph.adapters import forensics, imaging
from lensgraph.domain import files
from lensgraph.domain import verification as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import VerificationStatusChanged
from lensgraph.domain.money import Money
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.photos import UploadPurpose
from lensgraph.domain.policies import Viewer, can_view_verification
from lensgraph.domain.verification import (
    MonthlyUsage,
    VerificationFilter,
    VerificationOrder,
    VerificationStatus,
)
from lensgraph.jobs.relay import event_channel
from lensgraph.persistence import plans as plan_queries
from lensgraph.persistence import verification as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import ConstraintViolation
from lensgraph.persistence.models import Verification, VerificationUsage
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers import live, plans, uploads
from lensgraph.resolvers.context import Context

log = logging.getLogger(__name__)

IMAGE_MEDIA_TYPE = "image/jpeg"
# What a RAW is stored and served as: the container varies (TIFF-based, ISO BMFF, vendor formats).
RAW_MEDIA_TYPE = "application/octet-stream"
NOT_FOUND = "No such verification."


def raw_key(verification_id: UUID, raw_format: str) -> str:
    return f"verifications/{verification_id}/raw.{raw_format.lower()}"


def image_key(verification_id: UUID) -> str:
    return files.stored_key("verifications", verification_id, "image", IMAGE_MEDIA_TYPE)


# Creating ----------------------------------------------------------------------------------------


async def create_verification(
    ctx: Context, raw_upload_id: UUID, image_upload_id: UUID, name: str | None
) -> Verification:
    """Checks both uploads (the viewer's, unconfirmed, a RAW that is one and a whole JPEG, not the same file),
    charges the month's allowance (or overage within the budget), stores both files under the verification and
    consumes both uploads in one transaction, then queues the analysis."""
    viewer = ctx.require_viewer()
    if raw_upload_id == image_upload_id:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "The RAW and the image must be two different uploads.", ["imageUploadId"]
        )
    raw_upload, raw_data = await uploads.read_upload(ctx, raw_upload_id, UploadPurpose.RAW, "rawUploadId")
    image_upload, image_data = await uploads.read_upload(
        ctx, image_upload_id, UploadPurpose.IMAGE_FOR_VERIFICATION, "imageUploadId"
    )
    raw_sha256, image_sha256 = await asyncio.gather(
        asyncio.to_thread(uploads.sha256_hex, raw_data), asyncio.to_thread(uploads.sha256_hex, image_data)
    )
    rules.check_distinct_files(raw_sha256, image_sha256)
    async with uploads.ended_if_refused(ctx, raw_upload):
        sniffed = await asyncio.to_thread(forensics.sniff_raw, raw_data)
        raw_format = rules.check_raw_content(sniffed)
        await _decodes(imaging.check_raw_decodes, raw_data, "The RAW file is truncated or corrupt.", "rawUploadId")
    async with uploads.ended_if_refused(ctx, image_upload):
        rules.check_image_content(await asyncio.to_thread(forensics.is_jpeg, image_data))
        await _decodes(imaging.check_decodes, image_data, "The image is truncated or corrupt.", "imageUploadId")
    title = rules.clean_name(name, fallback=image_upload.filename.rsplit(".", 1)[0])
    plan = await plans.require_plan(ctx)
    verification_id = uuid4()
    checked = [
        uploads.CheckedFile(raw_upload, raw_data, raw_key(verification_id, raw_format), RAW_MEDIA_TYPE, "rawUploadId"),
        uploads.CheckedFile(image_upload, image_data, image_key(verification_id), IMAGE_MEDIA_TYPE, "imageUploadId"),
    ]
    async with uploads.accepting_all(ctx, checked) as (uow, [raw, image]):
        # Held before the month's usage is read: of concurrent creations, each counts what the others committed.
        await plan_queries.hold_account(uow.session, viewer.user_id)
        now = utcnow()
        month = rules.usage_month(now)
        usage = await queries.monthly_usage(uow.session, viewer.user_id, month)
        budget = await queries.budget_of(uow.session, viewer.user_id)
        charge = rules.charge_for_next(
            plan.limits.verifications_per_month, plan.monthly_price is not None, usage, budget
        )
        row = Verification(
            id=verification_id,
            user_id=viewer.user_id,
            name=title,
            status=VerificationStatus.PENDING,
            raw_key=raw.key,
            raw_sha256=raw.sha256,
            raw_format=raw_format,
            raw_size=raw.size,
            image_key=image.key,
            image_sha256=image.sha256,
            image_size=image.size,
            short_code=rules.new_short_code(),
            checks=[],
            raw_metadata={},
            image_metadata={},
        )
        uow.session.add(row)
        await uow.session.flush()
        usage_row = VerificationUsage(
            user_id=viewer.user_id,
            month=month,
            verification_id=verification_id,
            overage=charge.overage,
            amount=charge.amount.amount,
            currency=charge.amount.currency,
        )
        uow.session.add(usage_row)
    if charge.overage:
        _send(ctx, "verification.report_overage", str(usage_row.id))
    return await queue(ctx, row)


async def queue(ctx: Context, row: Verification) -> Verification:
    """PENDING -> QUEUED, then the analysis job is sent. A lost send is recovered by the sweep (it re-sends the
    jobs of verifications left waiting), so the verification is never stranded."""
    async with ctx.db.unit_of_work() as uow:
        if await queries.move_status(uow.session, row.id, VerificationStatus.QUEUED):
            uow.emit(_status_changed(row.id, row.user_id, VerificationStatus.QUEUED))
            row.status = VerificationStatus.QUEUED
            row.version += 1
    _send(ctx, "verification.analyse", str(row.id))
    return row


def _send(ctx: Context, actor: str, *args: str) -> None:
    try:
        ctx.services.jobs.send(actor, *args)
    except Exception:
        log.exception("could not enqueue %s %s; the periodic sweep sends it again", actor, args)


def _status_changed(verification_id: UUID, owner_id: UUID, status: VerificationStatus) -> VerificationStatusChanged:
    return VerificationStatusChanged(verification_id=verification_id, status=status.value, audience=(owner_id,))


async def _decodes(check: Callable[[bytes], None], data: bytes, refusal: str, field: str) -> None:
    """Decodes the file off the event loop: a file cut short is refused now, not found out in the analysis."""
    try:
        await asyncio.to_thread(check, data)
    except imaging.ImageUnreadable:
        raise DomainError(ErrorCode.UPLOAD_INVALID, refusal, [field]) from None


# Reading -----------------------------------------------------------------------------------------


async def visible(ctx: Context, row: Verification | None) -> Verification | None:
    """The row if the viewer may see it (``can_view_verification``), else None."""
    if row is None:
        return None
    viewer = ctx.viewer
    invited = False
    if viewer is not None and viewer.user_id != row.user_id:
        invited = await ctx.loaders.verification_invited.load((viewer.user_id, row.id))
    return row if can_view_verification(viewer, row.user_id, row.access_type, invited) else None


async def get_verification(ctx: Context, verification_id: UUID) -> Verification | None:
    return await visible(ctx, await ctx.loaders.verification.load(verification_id))


async def image_url(ctx: Context, row: Verification, *, expires_in: timedelta) -> str:
    """A download URL of the verified JPEG, once its bytes are checked against the hash recorded at creation."""
    await uploads.verified_digest(ctx, row.image_key, row.image_sha256)
    return await ctx.services.storage.presign_download(
        row.image_key,
        expires_in=expires_in,
        media_type=IMAGE_MEDIA_TYPE,
        filename=files.download_name(row.name, IMAGE_MEDIA_TYPE, fallback="verified"),
    )


async def list_verifications(
    ctx: Context, page: PageRequest, given: VerificationFilter, order: VerificationOrder
) -> Page[Verification]:
    viewer = ctx.require_viewer()
    keys, descending = queries.ORDER_KEYS[order]
    return await paginate(
        ctx.reads, queries.verifications_of(viewer.user_id, given, order), keys, page, descending=descending
    )


async def updates(ctx: Context, verification_id: UUID) -> AsyncIterator[Verification]:
    """The verification as it is now, then after each change of its status, ending with COMPLETED (and the
    verdict) or FAILED. For whoever may see it, checked again on every change. Changes close together may arrive
    as one (the row is read again, not replayed); the database is also looked at every few seconds, so a change
    made before the subscription reached the pubsub is not missed."""
    viewer = ctx.require_viewer()

    async def visible_now() -> Verification:
        async with ctx.db.session() as session:
            row = await session.get(Verification, verification_id)
            invited = row is not None and (await queries.invited_to(session, [(viewer.user_id, row.id)]))[0]
        if row is None or not can_view_verification(viewer, row.user_id, row.access_type, invited):
            raise DomainError(ErrorCode.NOT_FOUND, NOT_FOUND, ["id"])
        return row

    rechecks = live.rechecks(
        ctx, viewer, event_channel(VerificationStatusChanged.type), "verificationId", verification_id
    )
    shown: VerificationStatus | None = None
    async with contextlib.aclosing(rechecks):
        async for _ in rechecks:
            row = await visible_now()
            if row.status is not shown:
                shown = row.status
                yield row
            if row.status in rules.TERMINAL:
                return


# Deleting ----------------------------------------------------------------------------------------


async def delete_verification(ctx: Context, verification_id: UUID) -> None:
    """Deletes the record and its files; refused while its analysis runs. The month's usage stays counted."""
    viewer = ctx.require_viewer()
    try:
        async with ctx.db.unit_of_work() as uow:
            row = await uow.session.get(Verification, verification_id)
            if row is None or row.user_id != viewer.user_id:
                raise DomainError(ErrorCode.NOT_FOUND, NOT_FOUND, ["id"])
            rules.check_deletable(row.status)
            if not await queries.delete_unless_running(uow.session, verification_id):
                rules.check_deletable(VerificationStatus.IN_PROGRESS)
    except ConstraintViolation:
        # listings.verification_id is ON DELETE RESTRICT: the proof of what was put on sale stays.
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            "This verification was listed on the marketplace: it stays as the proof of that listing.",
            ["id"],
        ) from None
    keys = [row.raw_key, row.image_key, row.thumbnail_key, row.watermarked_key]
    for key in keys:
        if key is not None:
            await ctx.services.storage.delete(key)


# The monthly allowance and budget ----------------------------------------------------------------


@dataclass(frozen=True)
class UsageThisMonth:
    usage: MonthlyUsage
    allowance: rules.Allowance


async def usage_this_month(ctx: Context, viewer: Viewer) -> UsageThisMonth:
    plan = await plans.require_plan(ctx)
    async with ctx.db.session() as session:
        usage = await queries.monthly_usage(session, viewer.user_id, rules.usage_month(utcnow()))
        budget = await queries.budget_of(session, viewer.user_id)
    paid = plan.monthly_price is not None
    return UsageThisMonth(usage, rules.allowance_left(plan.limits.verifications_per_month, paid, usage, budget))


async def set_budget(ctx: Context, amount: Money) -> UsageThisMonth:
    """What overage may cost per month from now on; lowering it below what was spent stops further overage."""
    viewer = ctx.require_viewer()
    budget = rules.check_budget(amount)
    async with ctx.db.unit_of_work() as uow:
        await plan_queries.hold_account(uow.session, viewer.user_id)
        await queries.set_budget(uow.session, viewer.user_id, budget)
    return await usage_this_month(ctx, viewer)
