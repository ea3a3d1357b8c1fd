"""Photo embeddings: ``photos.embed`` after analysis and after a change of a photo's text, and the reindex.

Idempotent: a photo whose text, model and version are those of its stored vector is not embedded again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lensgraph.adapters.embeddings import Embedder, EmbeddingsUnavailable, get_embedder
from lensgraph.domain.discovery import photo_text
from lensgraph.domain.photos import PhotoStatus
from lensgraph.jobs.services import current_services
from lensgraph.persistence import embeddings as queries
from lensgraph.persistence.db import Database
from lensgraph.persistence.models import Photo, PhotoEmbedding

log = logging.getLogger(__name__)

REINDEX_BATCH = 64


def text_of(photo: Photo) -> str:
    return photo_text(photo.title, photo.description, photo.keywords, photo.auto_keywords, photo.exif or {})


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def is_current(record: PhotoEmbedding | None, embedder: Embedder, text_digest: str | None = None) -> bool:
    """The stored vector was made by this model and version (and from this text, when given)."""
    return (
        record is not None
        and record.model == embedder.model_name
        and record.model_version == embedder.model_version
        and (text_digest is None or record.text_sha256 == text_digest)
    )


async def embed_photo(photo_id: str) -> None:
    """Embeds an analysed photo's text, unless its vector is already that of this text, model and version, then
    has the photo scored against the brand profiles (``matching.score_photo``, whose similarity reads the vector
    written here).

    Without the ai extra (or with LENSGRAPH_EMBEDDINGS=off) it embeds nothing: search by keywords and matching by
    the other signals still work, and ``lensgraph reindex`` embeds what was left once the model is there."""
    services = current_services()
    try:
        # Loading the model takes seconds, once per process: off the event loop (the embedded server's own).
        embedder = await asyncio.to_thread(get_embedder, services.settings.embeddings)
    except EmbeddingsUnavailable as exc:
        log.info("photo %s not embedded: %s", photo_id, exc)
    else:
        await embed_photos(services.database, embedder, [uuid.UUID(photo_id)])
    services.queue.send("matching.score_photo", photo_id)


async def embed_photos(db: Database, embedder: Embedder, photo_ids: Sequence[uuid.UUID]) -> int:
    """Embeds these photos (one batch through the model), skipping those not READY or already current; returns
    how many vectors were written."""
    async with db.session() as session:
        pending: list[tuple[uuid.UUID, str, str]] = []
        for photo_id in photo_ids:
            photo = await session.get(Photo, photo_id)
            if photo is None or photo.status is not PhotoStatus.READY:
                continue
            text = text_of(photo)
            text_digest = digest(text)
            if not is_current(await queries.embedding_of(session, photo_id), embedder, text_digest):
                pending.append((photo_id, text, text_digest))
    if not pending:
        return 0
    vectors = await asyncio.to_thread(embedder.embed, [text for _, text, _ in pending])
    written = 0
    async with db.unit_of_work() as uow:
        for (photo_id, _, text_digest), vector in zip(pending, vectors, strict=True):
            if await uow.session.get(Photo, photo_id) is None:  # deleted meanwhile
                continue
            await queries.store_photo_embedding(
                uow.session,
                photo_id,
                vector,
                model=embedder.model_name,
                version=embedder.model_version,
                text_sha256=text_digest,
            )
            written += 1
    return written


@dataclass
class ReindexProgress:
    checked: int = 0
    embedded: int = 0


async def reindex(
    db: Database,
    embedder: Embedder,
    *,
    batch: int = REINDEX_BATCH,
    report: Callable[[ReindexProgress], None] | None = None,
) -> ReindexProgress:
    """Embeds every analysed photo never embedded, or embedded by another model or version, in keyset batches
    by id. Resumable: what a stopped run wrote is current, so the next run skips it."""
    progress = ReindexProgress()
    after: uuid.UUID | None = None
    while True:
        async with db.session() as session:
            ids = await queries.stale_photo_ids(
                session, model=embedder.model_name, version=embedder.model_version, after=after, limit=batch
            )
        if not ids:
            return progress
        progress.checked += len(ids)
        progress.embedded += await embed_photos(db, embedder, ids)
        after = ids[-1]
        if report is not None:
            report(progress)
