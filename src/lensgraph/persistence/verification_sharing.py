"""Queries of shared verification reports: the share settings as conditional UPDATEs, the lookup by link, the
invitations (one live one per person, enforced by a partial unique index), and the renditions' keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.verification import AccessType
from lensgraph.persistence.base import dialect_insert, grouped, utcnow
from lensgraph.persistence.models import User, Verification, VerificationInvite

KEEP = object()


async def update_sharing(
    session: AsyncSession,
    verification_id: UUID,
    owner_id: UUID,
    *,
    expected_version: int,
    access_type: AccessType | None = None,
    show_location: bool | None = None,
    share_token_hash: str | object | None = KEEP,
) -> bool:
    """Changes the owner's report's share settings in one conditional UPDATE, if it is still at ``expected_version``
    (bumping it); answers whether it was. ``share_token_hash`` None clears the link; KEEP leaves it."""
    values: dict[str, Any] = {"version": Verification.version + 1, "updated_at": utcnow()}
    if access_type is not None:
        values["access_type"] = access_type
    if show_location is not None:
        values["show_location"] = show_location
    if share_token_hash is not KEEP:
        values["share_token_hash"] = share_token_hash
    result = await session.execute(
        update(Verification)
        .where(
            Verification.id == verification_id,
            Verification.user_id == owner_id,
            Verification.version == expected_version,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def by_share_token(session: AsyncSession, token_hash: str) -> Verification | None:
    return await session.scalar(select(Verification).where(Verification.share_token_hash == token_hash))


# Invitations -------------------------------------------------------------------------------------


async def live_invites_of(session: AsyncSession, verification_ids: Sequence[UUID]) -> list[list[VerificationInvite]]:
    """Per report, its live invitations, oldest first. A loader's batch."""
    rows = await session.scalars(
        select(VerificationInvite)
        .where(VerificationInvite.verification_id.in_(set(verification_ids)), VerificationInvite.revoked_at.is_(None))
        .order_by(VerificationInvite.verification_id, VerificationInvite.created_at, VerificationInvite.id)
    )
    return grouped(((row.verification_id, row) for row in rows), verification_ids)


async def count_live_invites(session: AsyncSession, verification_id: UUID) -> int:
    count = await session.scalar(
        select(func.count()).where(
            VerificationInvite.verification_id == verification_id, VerificationInvite.revoked_at.is_(None)
        )
    )
    return int(count or 0)


async def add_invite(
    session: AsyncSession, verification_id: UUID, email: str, invited_user_id: UUID | None
) -> VerificationInvite | None:
    """Inserts a live invitation; None when that person already holds one (the partial unique index decides, so two
    invitations at once make one)."""
    now = utcnow()
    statement = dialect_insert(session, VerificationInvite).values(
        verification_id=verification_id,
        email=email,
        invited_user_id=invited_user_id,
        created_at=now,
        updated_at=now,
    )
    unless_invited = statement.on_conflict_do_nothing(
        index_elements=[VerificationInvite.verification_id, VerificationInvite.email],
        index_where=text("revoked_at IS NULL"),
    )
    invite_id = await session.scalar(unless_invited.returning(VerificationInvite.id))
    if invite_id is None:
        return None
    return await session.get(VerificationInvite, invite_id)


async def revoke_invite(session: AsyncSession, verification_id: UUID, email: str, at: datetime) -> bool:
    """Ends the live invitation of that address to that report; False when there is none."""
    result = await session.execute(
        update(VerificationInvite)
        .where(
            VerificationInvite.verification_id == verification_id,
            VerificationInvite.email == email,
            VerificationInvite.revoked_at.is_(None),
        )
        .values(revoked_at=at, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def link_invites(session: AsyncSession, user_id: UUID, email: str) -> int:
    """Gives invitations made out to ``email`` before it was this account's (verified) address to the account."""
    result = await session.execute(
        update(VerificationInvite)
        .where(VerificationInvite.email == email, VerificationInvite.invited_user_id.is_(None))
        .values(invited_user_id=user_id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def verified_account(session: AsyncSession, email: str) -> tuple[UUID | None, bool]:
    """The account with this address, if any, and whether its owner proved the address is theirs."""
    row = (await session.execute(select(User.id, User.email_verified_at).where(User.email == email))).first()
    if row is None:
        return None, False
    return row[0], row[1] is not None


async def claim_invite_mail(session: AsyncSession, invite_id: UUID, at: datetime) -> VerificationInvite | None:
    """Marks a live invitation mailed, once: of two runs of the mail job, one gets it."""
    result = await session.execute(
        update(VerificationInvite)
        .where(
            VerificationInvite.id == invite_id,
            VerificationInvite.mailed_at.is_(None),
            VerificationInvite.revoked_at.is_(None),
        )
        .values(mailed_at=at)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        return None
    return await session.get(VerificationInvite, invite_id)


# Renditions --------------------------------------------------------------------------------------


async def record_rendition(session: AsyncSession, verification_id: UUID, column: str, key: str) -> None:
    """Sets ``thumbnail_key`` or ``watermarked_key`` if unset; a second writer (same key, same bytes) changes
    nothing."""
    target = getattr(Verification, column)
    await session.execute(
        update(Verification)
        .where(Verification.id == verification_id, target.is_(None))
        .values({column: key})
        .execution_options(synchronize_session=False)
    )
