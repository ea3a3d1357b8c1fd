"""Queries for users, refresh tokens, one-time tokens and API keys."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import Select, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain.accounts import AccountStanding, Role, TokenPurpose
from lensgraph.persistence.db import Database
from lensgraph.persistence.models import ApiKey, OneTimeToken, RefreshToken, User


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email))


async def user_exists(session: AsyncSession, *, email: str | None = None, username: str | None = None) -> bool:
    query = select(User.id)
    if email is not None:
        query = query.where(User.email == email)
    if username is not None:
        query = query.where(User.username == username)
    return await session.scalar(query.limit(1)) is not None


async def account_standing(session: AsyncSession, user_id: UUID) -> AccountStanding | None:
    row = (
        await session.execute(select(User.role, User.token_version, User.disabled_at).where(User.id == user_id))
    ).one_or_none()
    if row is None:
        return None
    return AccountStanding(role=row.role, token_version=row.token_version, disabled=row.disabled_at is not None)


class AccountStandings:
    """This process's short memory of each account's standing, so that checking an access token costs no
    database read on most requests. A change made here is forgotten at once (``forget`` after its commit);
    other processes see it within ``ttl_seconds``."""

    def __init__(
        self,
        db: Database,
        ttl_seconds: float,
        *,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[UUID, tuple[float, AccountStanding | None]] = OrderedDict()
        # Raised by every ``forget``: a read that overlapped one may have seen the old row, so it is not kept.
        self._forgets = 0

    async def get(self, user_id: UUID) -> AccountStanding | None:
        now = self._clock()
        cached = self._entries.get(user_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        forgets_before = self._forgets
        async with self._db.session() as session:
            standing = await account_standing(session, user_id)
        if self._ttl > 0 and self._forgets == forgets_before:
            self._entries[user_id] = (now + self._ttl, standing)
            self._entries.move_to_end(user_id)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return standing

    def forget(self, user_id: UUID) -> None:
        self._forgets += 1
        self._entries.pop(user_id, None)

    async def reload(self, user_id: UUID) -> AccountStanding | None:
        self.forget(user_id)
        return await self.get(user_id)


async def end_every_session(session: AsyncSession, user_id: UUID, now: datetime) -> None:
    """Revokes every refresh token of the user and raises the token version, which ends every access token
    issued before (``AccountStandings`` holders: call ``forget`` after the commit)."""
    await revoke_all_refresh_tokens(session, user_id, now)
    await session.execute(update(User).where(User.id == user_id).values(token_version=User.token_version + 1))


async def refresh_token_by_hash(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    return await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))


async def claim_refresh_token(session: AsyncSession, token_id: UUID, now: datetime) -> bool:
    """Retires the token for its one rotation, if no one did first; answers whether this caller did.

    One conditional statement checked by its row count, so of two presentations at once exactly one wins, on
    PostgreSQL (the second waits for the row, then finds it retired) and on SQLite (where FOR UPDATE does nothing).
    """
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.revoked_at.is_(None), RefreshToken.replaced_by_id.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def revoke_refresh_family(session: AsyncSession, family_id: UUID, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def revoke_all_refresh_tokens(session: AsyncSession, user_id: UUID, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def use_one_time_token(
    session: AsyncSession, token_hash: str, purpose: TokenPurpose, now: datetime
) -> UUID | None:
    """Marks the token used if it is unused and unexpired, and answers its user; None for any other token.

    One conditional statement: of two uses at once exactly one gets the user, on both databases.
    """
    user_id: UUID | None = await session.scalar(
        update(OneTimeToken)
        .where(
            OneTimeToken.token_hash == token_hash,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_(None),
            OneTimeToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(OneTimeToken.user_id)
        .execution_options(synchronize_session=False)
    )
    return user_id


async def invalidate_one_time_tokens(
    session: AsyncSession, user_id: UUID, purpose: TokenPurpose, now: datetime
) -> None:
    """Asking again voids the earlier tokens: only the newest mail works."""
    await session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user_id,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=now)
    )


async def api_key_by_prefix(session: AsyncSession, prefix: str) -> ApiKey | None:
    return await session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))


async def touch_api_key(session: AsyncSession, key_id: UUID, now: datetime) -> None:
    await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now))


async def revoke_api_key(session: AsyncSession, key_id: UUID, now: datetime) -> bool:
    """Revokes a live key; False when it was revoked already, by an earlier or a concurrent request (the row
    count decides: on SQLite the key's earlier read held no lock)."""
    result = await session.execute(
        update(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None)).values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0)) == 1


def api_keys_of(user_id: UUID) -> Select[ApiKey]:
    return select(ApiKey).where(ApiKey.user_id == user_id)


async def purge_expired_tokens(session: AsyncSession, now: datetime, refresh_grace: timedelta) -> None:
    await session.execute(
        delete(OneTimeToken).where(or_(OneTimeToken.used_at.is_not(None), OneTimeToken.expires_at < now))
    )
    await session.execute(delete(RefreshToken).where(RefreshToken.expires_at < now - refresh_grace))


async def grant_role(session: AsyncSession, email: str, role: Role) -> bool:
    """Operators' tool (``lensgraph grant-admin``); answers whether such a user exists."""
    user = await user_by_email(session, email)
    if user is None:
        return False
    user.role = role
    return True
