"""Brand matching jobs: a newly analysed photo is scored against every brand profile (``matching.score_photo``);
a changed profile has the catalogue scored for it (``matching.score_brand``). Ids only, idempotent: scoring again
gives the same rows, a DISMISSED match stays dismissed, and a match is announced (``match.new``) once."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import replace

from lensgraph.adapters.embeddings import Embedder, EmbeddingsUnavailable, get_embedder
from lensgraph.domain import matching as rules
from lensgraph.domain.events import MatchNew, PhotoAvailable
from lensgraph.domain.matching import MatchStatus
from lensgraph.domain.money import Money
from lensgraph.jobs.services import current_services
from lensgraph.persistence import embeddings as vectors
from lensgraph.persistence import matching as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import UnitOfWork
from lensgraph.persistence.matching import ScoredPhoto, stored_profile
from lensgraph.persistence.models import BrandProfile, Photo

log = logging.getLogger(__name__)


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
        photo_vector = (await vectors.photo_vectors(session, [key])).get(key)
        embedded = await vectors.embedding_of(session, key) if photo_vector is not None else None
    photo = found[0]
    facts = photo_facts(photo, prices.get(key, []))
    for profile in profiles:
        if profile.user_id == photo.user_id:
            continue
        similarity = None
        if photo_vector is not None and embedded is not None and profile.embedding_model == embedded.model:
            similarity = rules.cosine(profile.embedding or [], photo_vector)
        scored = rules.score(stored_profile(profile), replace(facts, similarity=similarity))
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
        already = await queries.matched_photos(session, key)
    embedded = await _profile_vector(profile, wanted)
    profile_vector = embedded[0] if embedded is not None else None
    async with services.database.session() as session:
        nearest = []
        if embedded is not None:
            nearest = await vectors.nearest_photos(
                session,
                embedded[0],
                model=embedded[1],
                limit=settings.brand_match_candidates,
                exclude_ids=candidates,
            )
        ids = list(dict.fromkeys([*candidates, *(photo_id for photo_id, _ in nearest), *already]))
        photos = await queries.public_photos(session, ids)
        prices = await queries.agreed_prices(session, [photo.id for photo in photos])
        photo_vectors = await vectors.photo_vectors(session, ids) if profile_vector is not None else {}
    ranked: list[ScoredPhoto] = []
    dropped = [photo_id for photo_id in already if photo_id not in {photo.id for photo in photos}]
    for photo in photos:
        # A dismissed photo keeps its row as it is and takes none of the places kept for the best.
        if photo.user_id == key or already.get(photo.id) is MatchStatus.DISMISSED:
            continue
        similarity = None
        if profile_vector is not None and photo.id in photo_vectors:
            similarity = rules.cosine(profile_vector, photo_vectors[photo.id])
        scored = rules.score(wanted, replace(photo_facts(photo, prices.get(photo.id, [])), similarity=similarity))
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


async def _embedder() -> Embedder | None:
    """The embedding model, or None where it cannot run (then similarity is left out of every score)."""
    try:
        return await asyncio.to_thread(get_embedder, current_services().settings.embeddings)
    except EmbeddingsUnavailable as unavailable:
        log.info("brand matching without similarity: %s", unavailable)
        return None


async def _profile_vector(profile: BrandProfile, wanted: rules.Profile) -> tuple[list[float], str] | None:
    """The profile text's embedding: the stored one while text, model and version are the same, else made again
    (and stored, with its model and version beside it)."""
    embedder = await _embedder()
    if embedder is None:
        return None
    digest = wanted.text_sha256()
    current = (
        profile.embedding is not None
        and profile.embedding_model == embedder.model_name
        and profile.embedding_version == embedder.model_version
        and profile.embedded_text_sha256 == digest
    )
    if current and profile.embedding is not None:
        return profile.embedding, embedder.model_name
    [vector] = await asyncio.to_thread(embedder.embed, [wanted.text()])
    async with current_services().database.unit_of_work() as uow:
        await queries.store_profile_embedding(
            uow.session,
            profile.id,
            vector,
            model=embedder.model_name,
            version=embedder.model_version,
            text_sha256=digest,
        )
    return vector, embedder.model_name


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
