"""Sharing verification reports: the share link and its access type, invitations by email, the public read by
link (counted as a view), the owner's view analytics, and the URLs of the report's renditions (thumbnail,
watermarked JPEG; see ``jobs.verification_renditions``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from lensgraph.domain import analytics
from lensgraph.domain import verification_sharing as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import VerificationInvited
from lensgraph.domain.policies import can_view_verification
from lensgraph.domain.verification import TERMINAL, AccessType
from lensgraph.jobs import verification_renditions as renditions
from lensgraph.persistence import verification_sharing as queries
from lensgraph.persistence.base import take_write_lock, utcnow
from lensgraph.persistence.models import User, Verification, VerificationInvite
from lensgraph.resolvers.accounts import normalize_email
from lensgraph.resolvers.context import Context

RENDITION_URL_LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True)
class Shared:
    """A report after its sharing changed; ``share_url`` only when a new link was made (it is shown once)."""

    verification: Verification
    share_url: str | None


async def _owned(ctx: Context, verification_id: UUID) -> Verification:
    """The viewer's own report, fresh from the database; anyone else's is NOT_FOUND."""
    viewer = ctx.require_viewer()
    async with ctx.db.session() as session:
        row = await session.get(Verification, verification_id)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, rules.NOT_FOUND, ["id"])
    rules.check_owner(viewer.user_id, row.user_id)
    return row


async def _reloaded(ctx: Context, verification_id: UUID) -> Verification:
    async with ctx.db.session() as session:
        row = await session.get(Verification, verification_id)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, rules.NOT_FOUND, ["id"])
    return row


# The share link ----------------------------------------------------------------------------------


async def set_sharing(
    ctx: Context, verification_id: UUID, access_type: AccessType, show_location: bool | None, new_link: bool
) -> Shared:
    """Sets who the link admits and whether the location shows; makes a link when there is none or ``new_link``
    (the old one then stops working). Written only if nobody changed the report since it was read (CONFLICT)."""
    row = await _owned(ctx, verification_id)
    token = rules.new_share_token() if new_link or row.share_token_hash is None else None
    async with ctx.db.unit_of_work() as uow:
        changed = await queries.update_sharing(
            uow.session,
            verification_id,
            row.user_id,
            expected_version=row.version,
            access_type=access_type,
            show_location=show_location,
            share_token_hash=rules.share_token_digest(token) if token else queries.KEEP,
        )
        if not changed:
            raise DomainError(ErrorCode.CONFLICT, "The report changed meanwhile; try again.", ["id"])
    url = rules.share_url(ctx.settings.public_url, token) if token else None
    return Shared(await _reloaded(ctx, verification_id), url)


async def revoke_share_link(ctx: Context, verification_id: UUID) -> Verification:
    """The link stops working at once; invited readers keep their access (revoke them one by one)."""
    row = await _owned(ctx, verification_id)
    if row.share_token_hash is None:
        raise DomainError(ErrorCode.NOT_FOUND, "This report has no share link.", ["id"])
    async with ctx.db.unit_of_work() as uow:
        changed = await queries.update_sharing(
            uow.session, verification_id, row.user_id, expected_version=row.version, share_token_hash=None
        )
        if not changed:
            raise DomainError(ErrorCode.CONFLICT, "The report changed meanwhile; try again.", ["id"])
    return await _reloaded(ctx, verification_id)


# Invitations -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invited:
    invite: VerificationInvite
    has_account: bool


async def invite(ctx: Context, verification_id: UUID, email: str) -> Invited:
    """Invites a person by email: their account (verified address) reads the report at once; an address that is
    nobody's yet reaches the account made with it once verified. The mail goes out after the commit (a job the
    outbox relay sends)."""
    viewer = ctx.require_viewer()
    address = normalize_email(email)
    async with ctx.db.unit_of_work() as uow:
        # Held first (the owner's report only): the count of live invitations below is then the truth until this
        # commits.
        mine = (Verification.id == verification_id, Verification.user_id == viewer.user_id)
        if not await take_write_lock(uow.session, Verification, *mine):
            raise DomainError(ErrorCode.NOT_FOUND, rules.NOT_FOUND, ["id"])
        owner = await uow.session.get(User, viewer.user_id)
        if owner is None:
            raise DomainError(ErrorCode.NOT_FOUND, rules.NOT_FOUND, ["id"])
        rules.check_invitee(address, owner.email)
        rules.check_invite_room(await queries.count_live_invites(uow.session, verification_id))
        account_id, verified = await queries.verified_account(uow.session, address)
        created = await queries.add_invite(uow.session, verification_id, address, account_id if verified else None)
        if created is None:
            raise DomainError(ErrorCode.ALREADY_EXISTS, "This person is already invited to this report.", ["email"])
        uow.emit(VerificationInvited(verification_id=verification_id, invite_id=created.id))
    return Invited(created, has_account=account_id is not None)


async def revoke_invite(ctx: Context, verification_id: UUID, email: str) -> Verification:
    """Ends a person's invitation: from the next read on (and on their open subscriptions' next update) the report
    is not theirs to see."""
    address = normalize_email(email)
    row = await _owned(ctx, verification_id)
    async with ctx.db.unit_of_work() as uow:
        if not await queries.revoke_invite(uow.session, verification_id, address, utcnow()):
            raise DomainError(ErrorCode.NOT_FOUND, "This person holds no invitation to this report.", ["email"])
    return row


async def live_invites(ctx: Context, row: Verification) -> list[VerificationInvite]:
    return await ctx.loaders.verification_invites.load(row.id)


# Reading by link ---------------------------------------------------------------------------------


async def invited_viewer(ctx: Context, row: Verification) -> bool:
    """Whether the viewer, not the owner, holds a live invitation to the report."""
    viewer = ctx.viewer
    if viewer is None or viewer.user_id == row.user_id:
        return False
    return bool(await ctx.loaders.verification_invited.load((viewer.user_id, row.id)))


async def shared(ctx: Context, token: str) -> Verification:
    """The report a share link opens, for whoever it admits (``can_view_verification`` with the link held); every
    refusal is the same NOT_FOUND. A read by anyone but the owner counts as a view."""
    presented = rules.token_from_link(token)
    row = None
    if presented:
        async with ctx.db.session() as session:
            row = await queries.by_share_token(session, rules.share_token_digest(presented))
    if row is None or not can_view_verification(
        ctx.viewer, row.user_id, row.access_type, await invited_viewer(ctx, row), holds_link=True
    ):
        raise DomainError(ErrorCode.NOT_FOUND, rules.LINK_NOT_FOUND, ["token"])
    reader_id = ctx.viewer.user_id if ctx.viewer else None
    if rules.counts_as_view(reader_id, row.user_id):
        ctx.services.views.record(row.id, analytics.utc_day(utcnow()), analytics.Viewed.VERIFICATION)
    return row


# View analytics ----------------------------------------------------------------------------------


async def view_analytics(ctx: Context, row: Verification, first: date, last: date) -> analytics.ViewTotals | None:
    """Views of the report per day over the window: the owner's figures; None for anyone else."""
    if ctx.viewer is None or ctx.viewer.user_id != row.user_id:
        return None
    chosen = analytics.window(first, last)
    counts = await ctx.loaders.verification_daily_views.load((row.id, chosen))
    return analytics.view_totals(chosen, counts)


# Renditions --------------------------------------------------------------------------------------


async def thumbnail_url(ctx: Context, row: Verification) -> str | None:
    """Made on first request when the job (sent when the analysis ends) has not made it yet."""
    key = row.thumbnail_key or await renditions.make(ctx.db, ctx.services.storage, row.id, renditions.THUMBNAIL)
    return await _signed(ctx, key)


async def watermarked_url(ctx: Context, row: Verification) -> str | None:
    """Once the analysis ended: the strip prints the verdict, which must not change after it is drawn."""
    if row.status not in TERMINAL:
        return None
    key = row.watermarked_key or await renditions.make(ctx.db, ctx.services.storage, row.id, renditions.WATERMARKED)
    return await _signed(ctx, key)


async def _signed(ctx: Context, key: str | None) -> str | None:
    if key is None:
        return None
    return await ctx.services.storage.presign_download(
        key, expires_in=RENDITION_URL_LIFETIME, media_type=renditions.MEDIA_TYPE
    )
