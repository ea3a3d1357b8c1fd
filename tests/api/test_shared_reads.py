"""A query's dataloader batches share one read session: one connection and one transaction (read-only on
PostgreSQL) for the whole operation, where each batch used to check out a connection and open a transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, text

from lensgraph.persistence.db import SharedReads
from lensgraph.schema.core import to_global_id
from tests.api.factories import ready_photos, user_key
from tests.api.helpers import sign_up


@pytest.fixture
def checkouts(services) -> Iterator[list[Any]]:
    """Each connection the app takes from its pool."""
    taken: list[Any] = []

    def record(_dbapi: Any, _record: Any, _proxy: Any) -> None:
        taken.append(_dbapi)

    pool = services.db.engine.sync_engine.pool
    event.listen(pool, "checkout", record)
    yield taken
    event.remove(pool, "checkout", record)


async def test_a_query_reads_through_one_connection_however_many_loaders_it_uses(client, services, checkouts):
    owner = await sign_up(client)
    photo_ids = await ready_photos(services, owner, 3)
    ids = [to_global_id("Photo", key) for key in photo_ids] + [to_global_id("User", user_key(owner))]
    query = """query($ids: [ID!]!) { nodes(ids: $ids) {
      ... on Photo { title photographer { username } } ... on User { username } } }"""

    checkouts.clear()
    answer = await client.data(query, {"ids": ids})

    assert [node["photographer"]["username"] for node in answer["nodes"][:3]] == [owner.username] * 3
    assert answer["nodes"][3] == {"username": owner.username}
    assert len(checkouts) == 1  # the photo batch, then the user batch: one connection


async def test_a_page_its_count_and_its_loaders_share_that_connection(client, services, checkouts):
    owner = await sign_up(client)
    await ready_photos(services, owner, 5)
    query = "{ photos(first: 3) { totalCount edges { node { title photographer { username } } } } }"

    checkouts.clear()
    answer = await client.data(query)

    assert answer["photos"]["totalCount"] == 5
    assert len(checkouts) == 1  # the page, its count and the photographers' batch


async def test_a_mutation_reads_what_it_wrote(client, services):
    """Mutations keep a session per batch: the payload is read after the write committed, never from a snapshot
    taken before it."""
    owner = await sign_up(client)
    created = await client.data(
        'mutation { createCollection(input: {title: "Blue hour"}) { collection { title } userErrors { code } } }',
        token=owner.access_token,
    )
    assert created["createCollection"] == {"collection": {"title": "Blue hour"}, "userErrors": []}


async def test_the_shared_transaction_is_read_only_on_postgresql(services):
    reads = SharedReads(services.db)
    async with reads.session() as session:
        if services.db.dialect != "postgresql":
            pytest.skip("SQLite has no read-only transactions; its reads take no write lock")
        assert await session.scalar(text("SHOW transaction_read_only")) == "on"
    await reads.close()


async def test_a_failed_batch_leaves_the_next_one_a_working_session(services):
    reads = SharedReads(services.db)
    with pytest.raises(Exception):  # noqa: B017 (whatever the driver raises for a bad statement)
        async with reads.session() as session:
            await session.execute(text("SELECT * FROM no_such_table"))
    async with reads.session() as session:
        assert await session.scalar(text("SELECT 1")) == 1
    await reads.close()


async def test_a_batch_still_waiting_when_the_operation_ends_gets_a_session_of_its_own(services):
    reads = SharedReads(services.db)
    async with reads.session() as session:
        assert await session.scalar(text("SELECT 1")) == 1
    await reads.close()
    async with reads.session() as late:
        assert await late.scalar(text("SELECT 2")) == 2
    # Closed with its block: nothing is left checked out.
    assert services.db.engine.sync_engine.pool.checkedout() == 0
