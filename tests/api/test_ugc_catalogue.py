"""A brand's albums and product catalogue: create, change, delete, list; bad input and other brands' objects."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import uuid4

from lensgraph.domain.ugc import ContentSource, ContentStatus, MediaStatus
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Content
from lensgraph.schema.core import from_global_id
from tests.api.factories import ready_photos, user_key
from tests.api.helpers import sign_up
from tests.api.ugc_helpers import CREATE_ALBUM, UPSERT_PRODUCTS, album, brand, products

UPDATE_ALBUM = """
mutation Update($input: UpdateAlbumInput!) {
  updateAlbum(input: $input) { album { id name hashtag } userErrors { field code message } }
}"""
DELETE_ALBUM = "mutation D($id: ID!) { deleteAlbum(input: {id: $id}) { ok userErrors { field code } } }"
UPSERT_ONE = """
mutation One($input: ProductInput!) {
  upsertProduct(input: $input) { product { sku name price { amount currency } } userErrors { field code message } }
}"""
DELETE_PRODUCT = "mutation D($sku: String!) { deleteProduct(input: {sku: $sku}) { ok userErrors { field code } } }"
ALBUMS = """
query Albums($first: Int, $after: String) {
  viewer { albums(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name kind content(first: 3) { totalCount edges { node {
      id status mediaStatus flags products { sku } photo { id } } } } } }
  } }
}"""
PRODUCTS = "query { viewer { products(first: 100) { totalCount edges { node { sku name } } } } }"


async def test_albums_of_each_kind_and_their_refusals(client):
    owner = await brand(client)
    await products(client, owner, "TEE-1")
    manual = await album(client, owner, name="  Summer   fans ")
    assert manual["name"] == "Summer fans" and manual["kind"] == "MANUAL" and "/ugc/albums/" in manual["uploadLink"]
    tagged = await album(client, owner, kind="HASHTAG", hashtag="#SunnyDays")
    assert tagged["hashtag"] == "sunnydays"
    product = await album(client, owner, kind="PRODUCT", productSku="TEE-1")
    assert product["productSku"] == "TEE-1"
    refusals = [
        ({"name": "", "kind": "MANUAL"}, "INVALID_INPUT", ["name"]),
        ({"name": "x", "kind": "HASHTAG"}, "INVALID_INPUT", ["hashtag"]),
        ({"name": "x", "kind": "MANUAL", "hashtag": "a"}, "INVALID_INPUT", ["hashtag"]),
        ({"name": "x", "kind": "PRODUCT"}, "INVALID_INPUT", ["productSku"]),
        ({"name": "x", "kind": "PRODUCT", "productSku": "NOPE"}, "NOT_FOUND", ["productSku"]),
    ]
    for values, code, field in refusals:
        payload = (await client.data(CREATE_ALBUM, {"input": values}, token=owner.token))["createAlbum"]
        assert [(error["code"], error["field"]) for error in payload["userErrors"]] == [(code, field)], values
    listed = (await client.data(ALBUMS, {"first": 2}, token=owner.token))["viewer"]["albums"]
    assert listed["totalCount"] == 3 and listed["pageInfo"]["hasNextPage"] is True
    rest = await client.data(ALBUMS, {"first": 2, "after": listed["pageInfo"]["endCursor"]}, token=owner.token)
    assert [edge["node"]["name"] for edge in rest["viewer"]["albums"]["edges"]] == ["Summer fans"]

    renamed = await client.data(
        UPDATE_ALBUM, {"input": {"id": tagged["id"], "name": "Sun", "hashtag": "beach"}}, token=owner.token
    )
    assert renamed["updateAlbum"]["album"] == {"id": tagged["id"], "name": "Sun", "hashtag": "beach"}
    deleted = await client.data(DELETE_ALBUM, {"id": manual["id"]}, token=owner.token)
    assert deleted["deleteAlbum"] == {"ok": True, "userErrors": []}
    again = await client.data(DELETE_ALBUM, {"id": manual["id"]}, token=owner.token)
    assert again["deleteAlbum"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]


async def test_another_brands_albums_and_non_brands(client):
    owner = await brand(client)
    other = await brand(client)
    summer = await album(client, owner)
    for document, variables in (
        (UPDATE_ALBUM, {"input": {"id": summer["id"], "name": "Mine now"}}),
        (DELETE_ALBUM, {"id": summer["id"]}),
    ):
        data = await client.data(document, variables, token=other.token)
        assert next(iter(data.values()))["userErrors"][0]["code"] == "NOT_FOUND"
    node = await client.data("query N($id: ID!) { node(id: $id) { id } }", {"id": summer["id"]}, token=other.token)
    assert node["node"] is None
    photographer = await sign_up(client)
    refused = await client.execute(
        CREATE_ALBUM, {"input": {"name": "x", "kind": "MANUAL"}}, token=photographer.access_token
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await client.execute(PRODUCTS)
    assert anonymous["data"]["viewer"] is None


async def test_products_upsert_by_sku_in_bulk_all_or_nothing(client):
    owner = await brand(client)
    first = await client.data(
        UPSERT_ONE,
        {
            "input": {
                "sku": "TEE-1",
                "name": "Tee",
                "url": "https://shop.example/tee",
                "price": {"amount": 1999, "currency": "USD"},
            }
        },
        token=owner.token,
    )
    assert first["upsertProduct"]["product"] == {
        "sku": "TEE-1",
        "name": "Tee",
        "price": {"amount": 1999, "currency": "USD"},
    }
    updated = await client.data(UPSERT_ONE, {"input": {"sku": "TEE-1", "name": "Tee v2"}}, token=owner.token)
    assert updated["upsertProduct"]["product"]["name"] == "Tee v2"

    items = [{"sku": f"SKU-{index}", "name": f"P{index}"} for index in range(500)]
    bulk = (await client.data(UPSERT_PRODUCTS, {"input": {"products": items}}, token=owner.token))["upsertProducts"]
    assert bulk["userErrors"] == [] and len(bulk["products"]) == 500
    assert (await client.data(PRODUCTS, token=owner.token))["viewer"]["products"]["totalCount"] == 501

    too_many = [*items, {"sku": "SKU-500", "name": "x"}]
    over = (await client.data(UPSERT_PRODUCTS, {"input": {"products": too_many}}, token=owner.token))["upsertProducts"]
    assert over["userErrors"][0]["code"] == "INVALID_INPUT" and over["userErrors"][0]["field"] == ["products"]
    # One bad item (the third) refuses them all: nothing of the batch is written.
    mixed = [{"sku": "NEW-1", "name": "n"}, {"sku": "NEW-2", "name": "n"}, {"sku": "bad sku!", "name": "n"}]
    refused = (await client.data(UPSERT_PRODUCTS, {"input": {"products": mixed}}, token=owner.token))["upsertProducts"]
    assert [(error["code"], error["field"]) for error in refused["userErrors"]] == [
        ("INVALID_INPUT", ["products", "2", "sku"])
    ]
    negative = await client.data(
        UPSERT_ONE, {"input": {"sku": "X", "name": "x", "price": {"amount": -1, "currency": "USD"}}}, token=owner.token
    )
    assert negative["upsertProduct"]["userErrors"][0]["field"] == ["price"]
    duplicated = [{"sku": "D", "name": "a"}, {"sku": "D", "name": "b"}]
    twice = (await client.data(UPSERT_PRODUCTS, {"input": {"products": duplicated}}, token=owner.token))[
        "upsertProducts"
    ]
    assert twice["userErrors"][0]["code"] == "INVALID_INPUT"
    assert (await client.data(PRODUCTS, token=owner.token))["viewer"]["products"]["totalCount"] == 501

    assert (await client.data(DELETE_PRODUCT, {"sku": "TEE-1"}, token=owner.token))["deleteProduct"]["ok"] is True
    gone = await client.data(DELETE_PRODUCT, {"sku": "TEE-1"}, token=owner.token)
    assert gone["deleteProduct"]["userErrors"] == [{"field": ["sku"], "code": "NOT_FOUND"}]
    # Another brand's catalogue is its own: the same SKU is a different product, and theirs cannot be deleted.
    other = await brand(client)
    assert (await client.data(DELETE_PRODUCT, {"sku": "SKU-1"}, token=other.token))["deleteProduct"]["userErrors"]
    await products(client, other, "SKU-1")
    assert (await client.data(PRODUCTS, token=other.token))["viewer"]["products"]["totalCount"] == 1


async def test_concurrent_upserts_of_one_sku_make_one_product(client):
    owner = await brand(client)
    answers = await asyncio.gather(
        *(
            client.data(UPSERT_ONE, {"input": {"sku": "RACE", "name": f"n{index}"}}, token=owner.token)
            for index in range(6)
        )
    )
    assert all(answer["upsertProduct"]["userErrors"] == [] for answer in answers)
    listed = (await client.data(PRODUCTS, token=owner.token))["viewer"]["products"]
    assert listed["totalCount"] == 1


async def test_albums_with_their_content_take_the_same_statements_however_many(client, services, sql):
    owner = await brand(client)
    await products(client, owner, "TEE-1")

    async def albums_with_content(count: int) -> None:
        for _ in range(count):
            made = await album(client, owner)
            album_id = from_global_id(made["id"])[1]
            photo_ids = await ready_photos(services, owner.account, 3, face_count=1)
            async with services.db.unit_of_work() as uow:
                for index, photo_id in enumerate(photo_ids):
                    uow.session.add(
                        Content(
                            id=uuid4(),
                            brand_id=user_key(owner.account),
                            album_id=album_id,
                            photo_id=photo_id,
                            source=ContentSource.API,
                            title="t",
                            author_username="a",
                            status=ContentStatus.PENDING,
                            media_status=MediaStatus.PROCESSING,
                            created_at=utcnow() - timedelta(seconds=index),
                        )
                    )

    await albums_with_content(2)
    sql.reset()
    small = await client.data(ALBUMS, {"first": 20}, token=owner.token)
    few = sql.count
    await albums_with_content(6)
    sql.reset()
    large = await client.data(ALBUMS, {"first": 20}, token=owner.token)
    assert sql.count == few and few <= 10, sql.statements
    edges = large["viewer"]["albums"]["edges"]
    assert len(edges) == 8 and len(small["viewer"]["albums"]["edges"]) == 2
    node = edges[0]["node"]["content"]
    assert node["totalCount"] == 3 and node["edges"][0]["node"]["flags"] == ["FACES"]
    assert node["edges"][0]["node"]["mediaStatus"] == "READY"
