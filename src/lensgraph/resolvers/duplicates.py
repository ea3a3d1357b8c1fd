"""Duplicate claims: the owner of an original claims another account's possible duplicate of it; an administrator
dismisses the claim or takes the photo down (out of the catalogue, its listings withdrawn, its running licenses
flagged to both parties). Every change of a claim's state is appended to its history."""

from __future__ import annotations

from uuid import UUID

from lensgraph.domain import duplicates as rules
from lensgraph.domain.audit import AuditAction
from lensgraph.domain.duplicates import ClaimDecision, ClaimStatus
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.events import DuplicateClaimResolved, LicensePhotoTakenDown
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.photos import PhotoStatus
from lensgraph.domain.policies import can_view_duplicate_claim, can_view_photo
from lensgraph.persistence import duplicates as queries
from lensgraph.persistence import licensing as licensing_queries
from lensgraph.persistence import marketplace as marketplace_queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import ConstraintViolation
from lensgraph.persistence.models import DuplicateClaim, DuplicateClaimChange, Photo
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers import audit
from lensgraph.resolvers.context import Context

NEWEST_FIRST = [DuplicateClaim.created_at, DuplicateClaim.id]


async def claim_duplicate(ctx: Context, photo_id: UUID, note: str | None) -> DuplicateClaim:
    """Files an OPEN claim on ``photo_id``, which the analysis flagged as a possible duplicate of the viewer's."""
    viewer = ctx.require_viewer()
    text = rules.check_note(note)
    try:
        async with ctx.db.unit_of_work() as uow:
            photo = await uow.session.get(Photo, photo_id)
            if photo is None:
                raise DomainError(ErrorCode.NOT_FOUND, "No such photo.", ["photoId"])
            original = (
                await uow.session.get(Photo, photo.possible_duplicate_of_id) if photo.possible_duplicate_of_id else None
            )
            try:
                rules.check_claimable(viewer.user_id, photo.user_id, original.user_id if original else None)
            except DomainError as refused:
                if refused.code is ErrorCode.NOT_A_DUPLICATE and not can_view_photo(
                    viewer, photo.user_id, photo.status, photo.visibility
                ):
                    raise DomainError(ErrorCode.NOT_FOUND, "No such photo.", ["photoId"]) from None
                raise
            if photo.status is PhotoStatus.TAKEN_DOWN:
                raise DomainError(ErrorCode.INVALID_TRANSITION, "This photo is taken down already.", ["photoId"])
            claim = DuplicateClaim(
                photo_id=photo.id,
                original_photo_id=original.id if original else None,
                claimant_id=viewer.user_id,
                uploader_id=photo.user_id,
                status=ClaimStatus.OPEN,
                note=text,
            )
            uow.session.add(claim)
            await uow.session.flush()
            uow.session.add(
                DuplicateClaimChange(claim_id=claim.id, status=claim.status, actor_id=viewer.user_id, note=text)
            )
    except ConstraintViolation:
        raise DomainError(
            ErrorCode.ALREADY_EXISTS,
            "This photo has an open claim already: an administrator is looking at it.",
            ["photoId"],
        ) from None
    return claim


async def resolve_duplicate(ctx: Context, claim_id: UUID, decision: ClaimDecision, note: str | None) -> DuplicateClaim:
    """As an administrator: DISMISSED, or TAKEN_DOWN (the photo leaves the catalogue; its owner's listings of it are
    withdrawn; its running licenses are flagged to both parties). All in one transaction, or nothing."""
    viewer = ctx.require_viewer()
    if not viewer.is_admin:
        raise forbidden("Only administrators resolve duplicate claims.")
    text = rules.check_note(note)
    now = utcnow()
    async with ctx.db.unit_of_work() as uow:
        claim = await uow.session.get(DuplicateClaim, claim_id)
        if claim is None:
            raise DomainError(ErrorCode.NOT_FOUND, "No such duplicate claim.", ["id"])
        status = rules.resolve(claim.status, decision)
        # Held first, as acceptances and deletions of the photo hold it: none of them runs half before a take-down.
        held = claim.photo_id is not None and await licensing_queries.hold_photo(uow.session, claim.photo_id)
        if not await queries.settle(uow.session, claim.id, status, viewer.user_id, now):
            raise DomainError(
                ErrorCode.INVALID_TRANSITION, "This claim was resolved by another administrator meanwhile.", ["id"]
            )
        uow.session.add(DuplicateClaimChange(claim_id=claim.id, status=status, actor_id=viewer.user_id, note=text))
        await audit.record(
            ctx,
            AuditAction.DUPLICATE_CLAIM_RESOLVED,
            uow=uow,
            subject_id=claim.uploader_id,
            target=("DuplicateClaim", claim.id),
            details={"decision": status.value},
        )
        photo = await uow.session.get(Photo, claim.photo_id) if held and claim.photo_id else None
        # A photo its uploader deleted meanwhile has nothing left to take down.
        if status is ClaimStatus.TAKEN_DOWN and photo is not None:
            await queries.take_down(uow.session, photo.id, now)
            hashes = marketplace_queries.PhotoHashes(photo.user_id, photo.original_sha256, photo.phash)
            await marketplace_queries.withdraw_listings_of(uow.session, hashes, now)
            for flagged in await queries.flag_running_licenses(uow.session, photo.id, now):
                uow.emit(
                    LicensePhotoTakenDown(
                        license_id=flagged.id,
                        photo_id=photo.id,
                        audience=(flagged.brand_id, flagged.photographer_id),
                    )
                )
        uow.emit(
            DuplicateClaimResolved(
                claim_id=claim.id,
                photo_id=claim.photo_id,
                decision=status.value,
                audience=(claim.claimant_id, claim.uploader_id),
            )
        )
    async with ctx.db.session() as session:
        resolved = await session.get(DuplicateClaim, claim_id)
    assert resolved is not None
    return resolved


async def list_viewer_claims(ctx: Context, page: PageRequest) -> Page[DuplicateClaim]:
    """Claims the viewer filed and claims on the viewer's photos, newest first."""
    viewer = ctx.require_viewer()
    return await paginate(ctx.reads, queries.claims_of(viewer.user_id), NEWEST_FIRST, page, descending=True)


async def list_claims(ctx: Context, status: ClaimStatus | None, page: PageRequest) -> Page[DuplicateClaim]:
    """For administrators: every claim, or those of one status, newest first."""
    if not ctx.require_viewer().is_admin:
        raise forbidden("Only administrators review duplicate claims.")
    return await paginate(ctx.reads, queries.claims_with(status), NEWEST_FIRST, page, descending=True)


async def visible_claim(ctx: Context, claim_id: UUID) -> DuplicateClaim | None:
    row: DuplicateClaim | None = await ctx.loaders.duplicate_claim.load(claim_id)
    if row is None or not can_view_duplicate_claim(ctx.viewer, row.claimant_id, row.uploader_id):
        return None
    return row
