"""Brand matching jobs: a newly analysed photo is scored against every brand profile (``matching.score_photo``);
a changed profile has the catalogue scored for it (``matching.score_brand``). Ids only, idempotent: scoring again
gives the same rows, a DISMISSED match stays dismissed, and a match is announced (``match.new``) once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from lensgraph.domain import matching as rules
from lensgraph.domain.events import MatchNew, PhotoAvailable
from lensgraph.domain.money import Money
from lensgraph.jobs.services import current_services
from lensgraph.persistence import matching as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import UnitOfWork
from lensgraph.persistence.matching import ScoredPhoto, stored_profile
from lensgraph.persistence.models import BrandProfile, Photo


def photo_facts(photo: Photo, prices: Sequence[Money]) -> rules.PhotoFacts:
    return rules.PhotoFacts(
        title=photo.title,
        description=photo.description,
        keywords=(*photo.keywords, *photo.auto_keywords),
        category=photo.category,
        colors=rules.dominant_color_names(photo.colors),
        prices=tuple(prices),
    )


async def score_photo(photo_id: str) -> None:
    """Scores one photo against every brand profile: kept where it makes the brand's best, announced once."""
    key = uuid.UUID(photo_id)
    services = current_services()
    settings = services.settings
    async with services.database.session() as session:
        found = await queries.public_photos(session, [key])
        if not found:
            return
        profiles = await queries.all_profiles(session)
        prices = await queries.agreed_prices(session, [key])
    photo = found[0]
    facts = photo_facts(photo, prices.get(key, []))
    for profile in profiles:
        if profile.user_id == photo.user_id:
            continue
        scored = rules.score(stored_profile(profile), facts)
        async with services.database.unit_of_work() as uow:
            if scored is None or not rules.worth_keeping(scored):
                await queries.trim_matches(uow.session, profile.user_id, settings.brand_matches_kept, dropped=[key])
                continue
            await queries.upsert_matches(
                uow.session, profile.user_id, [ScoredPhoto(key, scored.score, list(scored.reasons))]
            )
            await queries.trim_matches(uow.session, profile.user_id, settings.brand_matches_kept)
            await _announce(uow, profile, [key], {key: photo.user_id}, new_photo=True)


async def score_brand(brand_id: str) -> None:
    """Scores the brand's candidates (photos sharing its words, colours or categories, and those it is matched
    with already) and keeps the best."""
    key = uuid.UUID(brand_id)
    services = current_services()
    settings = services.settings
    async with services.database.session() as session:
        profile = await queries.profile_of(session, key)
        if profile is None:
            return
        wanted = stored_profile(profile)
        candidates = await queries.tagged_candidates(
            session,
            words=[*wanted.keywords, *wanted.styles],
            colors=wanted.colors,
            categories=wanted.categories,
            owner_excluded=key,
            limit=settings.brand_match_candidates,
        )
        already = await queries.matched_photo_ids(session, key)
        ids = list(dict.fromkeys([*candidates, *already]))
        photos = await queries.public_photos(session, ids)
        prices = await queries.agreed_prices(session, [photo.id for photo in photos])
    ranked: list[ScoredPhoto] = []
    dropped = [photo_id for photo_id in already if photo_id not in {photo.id for photo in photos}]
    for photo in photos:
        if photo.user_id == key:
            continue
        scored = rules.score(wanted, photo_facts(photo, prices.get(photo.id, [])))
        if scored is None or not rules.worth_keeping(scored):
            dropped.append(photo.id)
        else:
            ranked.append(ScoredPhoto(photo.id, scored.score, list(scored.reasons)))
    ranked.sort(key=lambda item: (-item.score, item.photo_id))
    best = ranked[: settings.brand_matches_kept]
    owners = {photo.id: photo.user_id for photo in photos}
    async with services.database.unit_of_work() as uow:
        await queries.upsert_matches(uow.session, key, best)
        await queries.trim_matches(uow.session, key, settings.brand_matches_kept, dropped=dropped)
        await _announce(uow, profile, [item.photo_id for item in best], owners, new_photo=False)


async def _announce(
    uow: UnitOfWork,
    profile: BrandProfile,
    photo_ids: Sequence[uuid.UUID],
    owners: dict[uuid.UUID, uuid.UUID],
    *,
    new_photo: bool,
) -> None:
    """``match.new`` for each strong match never announced (claimed in this transaction, so once ever); and
    ``photo.available`` too when the match is a newly analysed photo."""
    threshold = current_services().settings.brand_match_announce_score
    brand = profile.user_id
    for match_id, photo_id, score in await queries.claim_announcements(
        uow.session, brand, photo_ids, threshold, utcnow()
    ):
        uow.emit(MatchNew(match_id=match_id, photo_id=photo_id, brand_id=brand, score=score, audience=(brand,)))
        if new_photo:
            uow.emit(PhotoAvailable(photo_id=photo_id, photographer_id=owners[photo_id], audience=(brand,)))
