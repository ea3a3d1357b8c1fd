"""Brand profiles and matches: the profile upsert, candidates for a brand, the conditional upsert of scored
matches that never touches a DISMISSED one, the one-time claim of announcements, and the reads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.domain import matching as rules
from lensgraph.domain.analytics import Window
from lensgraph.domain.licensing import LicenseStatus
from lensgraph.domain.matching import MatchStatus
from lensgraph.domain.money import Money
from lensgraph.domain.photos import PhotoCategory, TagKind
from lensgraph.persistence.base import dialect_insert, utcnow
from lensgraph.persistence.models import BrandMatch, BrandProfile, License, Photo, PhotoTag
from lensgraph.persistence.photos import shown_to_everyone

# Licenses whose price was agreed: what a photo is known to cost.
AGREED = (LicenseStatus.ACCEPTED, LicenseStatus.AWAITING_PAYMENT, LicenseStatus.ACTIVE)


# Profiles --------------------------------------------------------------------------------------------


async def profile_of(session: AsyncSession, user_id: uuid.UUID) -> BrandProfile | None:
    return await session.scalar(select(BrandProfile).where(BrandProfile.user_id == user_id))


async def all_profiles(session: AsyncSession) -> list[BrandProfile]:
    return list(await session.scalars(select(BrandProfile).order_by(BrandProfile.user_id)))


async def save_profile(session: AsyncSession, user_id: uuid.UUID, values: dict[str, Any]) -> None:
    """One row per brand whatever the race: an upsert on the brand; an update raises the version."""
    now = utcnow()
    statement = dialect_insert(session, BrandProfile).values(
        id=uuid.uuid4(), user_id=user_id, created_at=now, updated_at=now, version=1, **values
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id"],
            set_={**values, "updated_at": now, "version": BrandProfile.version + 1},
        )
    )


async def store_profile_embedding(
    session: AsyncSession, profile_id: uuid.UUID, vector: list[float], *, model: str, version: str, text_sha256: str
) -> None:
    await session.execute(
        update(BrandProfile)
        .where(BrandProfile.id == profile_id)
        .values(embedding=vector, embedding_model=model, embedding_version=version, embedded_text_sha256=text_sha256)
        .execution_options(synchronize_session=False)
    )


def stored_profile(row: BrandProfile) -> rules.Profile:
    """The stored row as the domain's profile (what the job scores with)."""
    budget = None
    if row.budget_currency is not None:
        budget = rules.Budget(row.budget_currency, row.budget_min or 0, row.budget_max)
    return rules.Profile(
        company_name=row.company_name,
        website=row.website,
        description=row.description,
        categories=tuple(PhotoCategory(value) for value in row.categories),
        styles=tuple(row.styles),
        colors=tuple(row.colors),
        keywords=tuple(row.keywords),
        excluded_keywords=tuple(row.excluded_keywords),
        budget=budget,
    )


# Photos to score ---------------------------------------------------------------------------------------


async def public_photos(session: AsyncSession, photo_ids: Sequence[uuid.UUID]) -> list[Photo]:
    """Those of ``photo_ids`` everyone may see: the only ones a brand is matched with."""
    if not photo_ids:
        return []
    return list(await session.scalars(select(Photo).where(Photo.id.in_(photo_ids), shown_to_everyone())))


async def tagged_candidates(
    session: AsyncSession,
    *,
    words: Sequence[str],
    colors: Sequence[str],
    categories: Sequence[PhotoCategory],
    owner_excluded: uuid.UUID,
    limit: int,
) -> list[uuid.UUID]:
    """Public photos filed under one of ``words`` or ``colors``, or in one of ``categories``, most recent first:
    the candidates of a brand when no embedding model can rank the catalogue (and beside it when one can)."""
    tag_filters = []
    if words:
        tag_filters.append((PhotoTag.kind == TagKind.KEYWORD) & PhotoTag.value.in_(list(words)))
    if colors:
        tag_filters.append((PhotoTag.kind == TagKind.COLOR) & PhotoTag.value.in_(list(colors)))
    conditions = []
    if tag_filters:
        conditions.append(Photo.id.in_(select(PhotoTag.photo_id).where(or_(*tag_filters))))
    if categories:
        conditions.append(Photo.category.in_(list(categories)))
    if not conditions:
        return []
    query = (
        select(Photo.id)
        .where(shown_to_everyone(), Photo.user_id != owner_excluded, or_(*conditions))
        .order_by(Photo.created_at.desc(), Photo.id.desc())
        .limit(limit)
    )
    return list(await session.scalars(query))


async def agreed_prices(session: AsyncSession, photo_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Money]]:
    """The prices each photo was licensed at (agreed, paid or not), per photo."""
    if not photo_ids:
        return {}
    rows = await session.execute(
        select(License.photo_id, License.price_amount, License.price_currency).where(
            License.photo_id.in_(list(photo_ids)), License.status.in_(AGREED)
        )
    )
    found: dict[uuid.UUID, list[Money]] = {}
    for photo_id, amount, currency in rows:
        if photo_id is not None:
            found.setdefault(photo_id, []).append(Money(amount, currency))
    return found


# Matches ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoredPhoto:
    photo_id: uuid.UUID
    score: float
    reasons: list[str]


async def upsert_matches(session: AsyncSession, brand_id: uuid.UUID, scored: Sequence[ScoredPhoto]) -> None:
    """Inserts new matches (NEW) and rescores existing ones, except DISMISSED ones, which keep what they had:
    the condition is in the statement, so a dismissal committed at any moment is never undone."""
    now = utcnow()
    # In one order of photos for every writer: two jobs writing the same rows wait for each other, never deadlock.
    for item in sorted(scored, key=lambda item: item.photo_id):
        statement = dialect_insert(session, BrandMatch).values(
            id=uuid.uuid4(),
            brand_id=brand_id,
            photo_id=item.photo_id,
            score=item.score,
            reasons=item.reasons,
            status=MatchStatus.NEW,
            created_at=now,
            updated_at=now,
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["brand_id", "photo_id"],
                set_={"score": item.score, "reasons": item.reasons, "updated_at": now},
                where=BrandMatch.status != MatchStatus.DISMISSED,
            )
        )


async def trim_matches(
    session: AsyncSession, brand_id: uuid.UUID, keep: int, *, dropped: Sequence[uuid.UUID] = ()
) -> None:
    """Deletes the brand's NEW matches beyond its ``keep`` best, and those of ``dropped`` photos (no longer a
    match: excluded, or scored nothing). Never a match the brand acted on (DISMISSED ones are how a dismissal is
    remembered), nor one it was told about, unless the photo was dropped."""
    best = (
        select(BrandMatch.id)
        .where(BrandMatch.brand_id == brand_id, BrandMatch.status == MatchStatus.NEW)
        .order_by(BrandMatch.score.desc(), BrandMatch.id.desc())
        .limit(keep)
    )
    await session.execute(
        delete(BrandMatch)
        .where(
            BrandMatch.brand_id == brand_id,
            BrandMatch.status == MatchStatus.NEW,
            BrandMatch.announced_at.is_(None),
            BrandMatch.id.not_in(best.scalar_subquery()),
        )
        .execution_options(synchronize_session=False)
    )
    if dropped:
        await session.execute(
            delete(BrandMatch)
            .where(
                BrandMatch.brand_id == brand_id,
                BrandMatch.status == MatchStatus.NEW,
                BrandMatch.photo_id.in_(list(dropped)),
            )
            .execution_options(synchronize_session=False)
        )


async def claim_announcements(
    session: AsyncSession, brand_id: uuid.UUID, photo_ids: Sequence[uuid.UUID], threshold: float, now: datetime
) -> list[tuple[uuid.UUID, uuid.UUID, float]]:
    """Marks the brand's strong, never announced, not dismissed matches among ``photo_ids`` as announced and
    answers them (match id, photo id, score): each match is claimed by exactly one caller, ever."""
    if not photo_ids:
        return []
    claimable = (
        BrandMatch.brand_id == brand_id,
        BrandMatch.photo_id.in_(list(photo_ids)),
        BrandMatch.announced_at.is_(None),
        BrandMatch.status != MatchStatus.DISMISSED,
        BrandMatch.score >= threshold,
    )
    rows = await session.execute(
        update(BrandMatch)
        .where(*claimable)
        .values(announced_at=now)
        .returning(BrandMatch.id, BrandMatch.photo_id, BrandMatch.score)
        .execution_options(synchronize_session=False)
    )
    return [(match_id, photo_id, float(score)) for match_id, photo_id, score in rows.all()]


async def matched_photos(session: AsyncSession, brand_id: uuid.UUID) -> dict[uuid.UUID, MatchStatus]:
    """The photos the brand is matched with, and each match's status."""
    rows = await session.execute(select(BrandMatch.photo_id, BrandMatch.status).where(BrandMatch.brand_id == brand_id))
    return {photo_id: status for photo_id, status in rows.all()}


def matches_of(brand_id: uuid.UUID, status: MatchStatus | None) -> Select[BrandMatch]:
    """``viewer.brandMatches``: one status, or every status but DISMISSED; only photos everyone may see."""
    condition = BrandMatch.status == status if status is not None else BrandMatch.status != MatchStatus.DISMISSED
    return (
        select(BrandMatch)
        .join(Photo, Photo.id == BrandMatch.photo_id)
        .where(BrandMatch.brand_id == brand_id, condition, shown_to_everyone())
    )


async def set_status(
    session: AsyncSession, match_id: uuid.UUID, brand_id: uuid.UUID, expected: MatchStatus, wanted: MatchStatus
) -> bool:
    """Moves the match from ``expected`` to ``wanted``; False when its status moved meanwhile."""
    result = await session.execute(
        update(BrandMatch)
        .where(BrandMatch.id == match_id, BrandMatch.brand_id == brand_id, BrandMatch.status == expected)
        .values(status=wanted, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def match_counts(session: AsyncSession, photo_ids: Sequence[uuid.UUID]) -> list[int]:
    """How many brands each photo was matched with (dismissed matches included: it matched all the same)."""
    rows = await session.execute(
        select(BrandMatch.photo_id, func.count())
        .where(BrandMatch.photo_id.in_(list(photo_ids)))
        .group_by(BrandMatch.photo_id)
    )
    counts = {photo_id: int(count) for photo_id, count in rows}
    return [counts.get(photo_id, 0) for photo_id in photo_ids]


async def matches_by_status(session: AsyncSession, brand_id: uuid.UUID, window: Window) -> dict[MatchStatus, int]:
    """The brand's matches found in the window, per status as it is now."""
    rows = await session.execute(
        select(BrandMatch.status, func.count())
        .where(
            BrandMatch.brand_id == brand_id,
            BrandMatch.created_at >= window.starts_at,
            BrandMatch.created_at < window.ends_before,
        )
        .group_by(BrandMatch.status)
    )
    return {status: int(count) for status, count in rows}
