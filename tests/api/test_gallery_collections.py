"""Gallery collections (a studio's folders of galleries) and restoring an archived gallery, through the API."""

from __future__ import annotations

import asyncio
from typing import Any

from lensgraph.persistence.models import GalleryCollectionMember
from tests.api.test_galleries import ARCHIVE, count_rows, created, mutate, studio

ERRORS = "userErrors { field code message }"
COLLECTION = "galleryCollection { id name galleryCount }"
CREATE = f"""mutation($input: CreateGalleryCollectionInput!) {{ createGalleryCollection(input: $input) {{
  {COLLECTION} {ERRORS} }} }}"""
RENAME = f"""mutation($input: RenameGalleryCollectionInput!) {{ renameGalleryCollection(input: $input) {{
  {COLLECTION} {ERRORS} }} }}"""
DELETE = f"""mutation($input: DeleteGalleryCollectionInput!) {{ deleteGalleryCollection(input: $input) {{
  deletedGalleryCollectionId {ERRORS} }} }}"""
ADD = f"""mutation($input: GalleryCollectionGalleriesInput!) {{ addGalleriesToCollection(input: $input) {{
  {COLLECTION} {ERRORS} }} }}"""
REMOVE = f"""mutation($input: GalleryCollectionGalleriesInput!) {{ removeGalleriesFromCollection(input: $input) {{
  {COLLECTION} {ERRORS} }} }}"""
MINE = """{ viewer { galleryCollections { totalCount edges { node { name galleryCount } } } } }"""
IN_COLLECTION = """query($id: ID!) { viewer { galleries(filter: {collectionId: $id}, orderBy: TITLE) {
  totalCount edges { node { title collections { name } } } } } }"""
RESTORE = f"""mutation($input: RestoreGalleryInput!) {{ restoreGallery(input: $input) {{
  gallery {{ status version }} {ERRORS} }} }}"""
NESTED = """query($first: Int!) { viewer { galleries(first: $first) { edges { node {
  title collections { id name galleryCount } } } } } }"""


def codes(payload: dict[str, Any]) -> list[tuple[list[str] | None, str]]:
    return [(error["field"], error["code"]) for error in payload["userErrors"]]


async def collection(client, owner, name: str) -> dict[str, Any]:
    payload = await mutate(client, owner, CREATE, name=name)
    assert payload["userErrors"] == [], payload
    return payload["galleryCollection"]


async def test_collections_are_named_filled_filtered_renamed_and_deleted(client, services):
    owner = await studio(client)
    smith, jones, lee = [await created(client, owner, title=title) for title in ("Smith", "Jones", "Lee")]
    weddings = await collection(client, owner, "  Weddings   2026 ")
    assert weddings["name"] == "Weddings 2026" and weddings["galleryCount"] == 0
    portraits = await collection(client, owner, "Portraits")

    added = await mutate(client, owner, ADD, collectionId=weddings["id"], galleryIds=[smith["id"], jones["id"]])
    assert added["userErrors"] == [] and added["galleryCollection"]["galleryCount"] == 2
    # Adding again changes nothing; a gallery may be in several collections.
    again = await mutate(client, owner, ADD, collectionId=weddings["id"], galleryIds=[smith["id"]])
    assert again["galleryCollection"]["galleryCount"] == 2
    await mutate(client, owner, ADD, collectionId=portraits["id"], galleryIds=[smith["id"], lee["id"]])

    listed = (await client.data(IN_COLLECTION, {"id": weddings["id"]}, token=owner.access_token))["viewer"]
    assert listed["galleries"]["totalCount"] == 2
    assert [edge["node"] for edge in listed["galleries"]["edges"]] == [
        {"title": "Jones", "collections": [{"name": "Weddings 2026"}]},
        {"title": "Smith", "collections": [{"name": "Portraits"}, {"name": "Weddings 2026"}]},
    ]
    mine = (await client.data(MINE, token=owner.access_token))["viewer"]["galleryCollections"]
    assert [edge["node"] for edge in mine["edges"]] == [
        {"name": "Portraits", "galleryCount": 2},
        {"name": "Weddings 2026", "galleryCount": 2},
    ]

    removed = await mutate(client, owner, REMOVE, collectionId=weddings["id"], galleryIds=[jones["id"], lee["id"]])
    assert removed["userErrors"] == [] and removed["galleryCollection"]["galleryCount"] == 1
    renamed = await mutate(client, owner, RENAME, id=weddings["id"], name="Weddings")
    assert renamed["galleryCollection"]["name"] == "Weddings"
    assert codes(await mutate(client, owner, RENAME, id=weddings["id"], name="Portraits")) == [
        (["name"], "ALREADY_EXISTS")
    ]
    assert codes(await mutate(client, owner, CREATE, name="Portraits")) == [(["name"], "ALREADY_EXISTS")]
    assert codes(await mutate(client, owner, CREATE, name="   ")) == [(["name"], "INVALID_INPUT")]
    assert codes(await mutate(client, owner, ADD, collectionId=weddings["id"], galleryIds=[])) == [
        (["galleryIds"], "INVALID_INPUT")
    ]

    deleted = await mutate(client, owner, DELETE, id=weddings["id"])
    assert deleted == {"deletedGalleryCollectionId": weddings["id"], "userErrors": []}
    # The galleries stay; only the memberships of the deleted collection go.
    assert await count_rows(services, GalleryCollectionMember) == 2
    remaining = (await client.data(MINE, token=owner.access_token))["viewer"]["galleryCollections"]
    assert remaining["totalCount"] == 1


async def test_another_studios_collections_and_galleries_are_out_of_reach(client):
    owner, other = await studio(client), await studio(client)
    mine = await collection(client, owner, "Mine")
    gallery = await created(client, owner, title="Mine")
    theirs = await created(client, other, title="Theirs")
    not_found = [
        (RENAME, {"id": mine["id"], "name": "Taken over"}),
        (DELETE, {"id": mine["id"]}),
        (ADD, {"collectionId": mine["id"], "galleryIds": [theirs["id"]]}),
        (REMOVE, {"collectionId": mine["id"], "galleryIds": [gallery["id"]]}),
    ]
    for document, values in not_found:
        assert codes(await mutate(client, other, document, **values))[0][1] == "NOT_FOUND"
    # The owner cannot file another studio's gallery either, and the whole request is refused.
    refused = await mutate(client, owner, ADD, collectionId=mine["id"], galleryIds=[gallery["id"], theirs["id"]])
    assert codes(refused) == [(["galleryIds"], "NOT_FOUND")]
    assert (
        await client.data("query($id: ID!) { node(id: $id) { id } }", {"id": mine["id"]}, token=other.access_token)
    )["node"] is None
    # Filtering by another studio's collection shows nothing of theirs.
    listed = (await client.data(IN_COLLECTION, {"id": mine["id"]}, token=other.access_token))["viewer"]
    assert listed["galleries"]["totalCount"] == 0
    photographer_only = await client.execute(CREATE, {"input": {"name": "X"}})
    assert photographer_only["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_concurrent_creations_of_one_name_make_one_collection(client):
    owner = await studio(client)
    answers = await asyncio.gather(*(mutate(client, owner, CREATE, name="Weddings") for _ in range(5)))
    assert sorted(bool(answer["galleryCollection"]) for answer in answers) == [False] * 4 + [True]
    assert {code for answer in answers for _, code in codes(answer)} == {"ALREADY_EXISTS"}


async def test_galleries_with_their_collections_cost_the_same_sql_at_5_and_at_20(client, sql, unmetered):
    owner = await studio(client)
    shelf = [await collection(client, owner, f"Shelf {index}") for index in range(3)]

    async def fill(count: int) -> None:
        for index in range(count):
            gallery = await created(client, owner, title=f"Gallery {index}")
            for item in shelf:
                await mutate(client, owner, ADD, collectionId=item["id"], galleryIds=[gallery["id"]])

    async def statements_for(first: int) -> int:
        sql.reset()
        edges = (await client.data(NESTED, {"first": first}, token=owner.access_token))["viewer"]["galleries"]["edges"]
        assert len(edges) == first and all(len(edge["node"]["collections"]) == 3 for edge in edges)
        return sql.count

    await fill(5)
    few = await statements_for(5)
    await fill(15)
    assert await statements_for(20) == few


async def test_an_archived_gallery_is_restored_and_only_an_archived_one(client):
    owner, other = await studio(client), await studio(client)
    gallery = await created(client, owner)
    assert codes(await mutate(client, owner, RESTORE, id=gallery["id"])) == [(["id"], "INVALID_TRANSITION")]
    archived = await mutate(client, owner, ARCHIVE, id=gallery["id"])
    version = archived["gallery"]["version"]
    assert codes(await mutate(client, other, RESTORE, id=gallery["id"])) == [(["id"], "NOT_FOUND")]
    assert codes(await mutate(client, owner, RESTORE, id=gallery["id"], version=version - 1)) == [
        (["version"], "CONFLICT")
    ]
    restored = await mutate(client, owner, RESTORE, id=gallery["id"], version=version)
    assert restored["userErrors"] == [] and restored["gallery"]["status"] == "ACTIVE"
    # Open to clients again.
    assert (await client.data("query($s: String!) { gallery(slug: $s) { title } }", {"s": gallery["slug"]}))[
        "gallery"
    ] == {"title": "Smith wedding"}
    assert codes(await mutate(client, owner, RESTORE, id=gallery["id"])) == [(["id"], "INVALID_TRANSITION")]


async def test_concurrent_adds_of_one_gallery_file_it_once(client, services):
    owner = await studio(client)
    shelf = await collection(client, owner, "Shelf")
    gallery = await created(client, owner)
    answers = await asyncio.gather(
        *(mutate(client, owner, ADD, collectionId=shelf["id"], galleryIds=[gallery["id"]]) for _ in range(6))
    )
    assert all(answer["userErrors"] == [] for answer in answers)
    assert await count_rows(services, GalleryCollectionMember) == 1
