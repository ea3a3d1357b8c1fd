"""Collections through the API: slugs, membership and order, who sees what, and flat SQL for nested lists."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID, uuid4

from lensgraph.domain.photos import PhotoStatus, Visibility
from lensgraph.persistence.models import Collection, CollectionPhoto
from lensgraph.schema.core import to_global_id
from tests.api.factories import ready_photos, user_key
from tests.api.helpers import sign_up

ERRORS = "userErrors { field code message }"
FIELDS = "id title slug description visibility photoCount owner { username } photos { edges { node { id } } }"
CREATE = f"""mutation($input: CreateCollectionInput!) {{ createCollection(input: $input) {{
  collection {{ {FIELDS} }} {ERRORS} }} }}"""
UPDATE = f"""mutation($input: UpdateCollectionInput!) {{ updateCollection(input: $input) {{
  collection {{ {FIELDS} }} {ERRORS} }} }}"""
DELETE = (
    f"mutation($input: DeleteCollectionInput!) {{ deleteCollection(input: $input) {{ deletedCollectionId {ERRORS} }} }}"
)
ADD = f"""mutation($input: AddPhotoToCollectionInput!) {{ addPhotoToCollection(input: $input) {{
  collection {{ {FIELDS} }} {ERRORS} }} }}"""
REMOVE = f"""mutation($input: RemovePhotoFromCollectionInput!) {{ removePhotoFromCollection(input: $input) {{
  collection {{ {FIELDS} }} {ERRORS} }} }}"""
REORDER = f"""mutation($input: ReorderCollectionInput!) {{ reorderCollection(input: $input) {{
  collection {{ {FIELDS} }} {ERRORS} }} }}"""
BY_SLUG = """query($slug: String!) { collection(slug: $slug) {
  id title visibility photoCount coverPhoto { id } photos { totalCount edges { node { id } } } } }"""
OWN_COUNT = "{ viewer { collections { totalCount } } }"


def photo_gid(key: UUID) -> str:
    return to_global_id("Photo", key)


async def create(client, account, **fields: Any) -> dict[str, Any]:
    values = {"title": "Summer in Lisbon", "visibility": "PUBLIC", **fields}
    data = await client.data(CREATE, {"input": values}, token=account.access_token)
    return data["createCollection"]


async def created(client, account, **fields: Any) -> dict[str, Any]:
    payload = await create(client, account, **fields)
    assert payload["userErrors"] == [], payload
    return payload["collection"]


async def mutate(client, account, document: str, **values: Any) -> dict[str, Any]:
    data = await client.data(document, {"input": values}, token=account.access_token)
    return next(iter(data.values()))


def photo_ids_of(collection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in collection["photos"]["edges"]]


async def own_collection_count(client, account) -> int:
    return (await client.data(OWN_COUNT, token=account.access_token))["viewer"]["collections"]["totalCount"]


# --- creating and changing ---------------------------------------------------------------------


async def test_create_with_a_derived_or_a_chosen_slug(client):
    owner = await sign_up(client)
    first = await created(client, owner, title="Summer in Lisbon", description=" Tiles and trams ")
    assert first["slug"] == "summer-in-lisbon" and first["description"] == "Tiles and trams"
    assert (first["visibility"], first["photoCount"], first["owner"]["username"]) == ("PUBLIC", 0, owner.username)
    # The same title again, by anyone: a derived slug is numbered rather than refused.
    other = await sign_up(client)
    second = await created(client, other, title="Summer  in Lisbon!", visibility="PRIVATE")
    assert second["slug"] == "summer-in-lisbon-2"
    chosen = await created(client, owner, title="Anything", slug=" Lisbon-2024 ")
    assert chosen["slug"] == "lisbon-2024"


async def test_a_collection_is_private_unless_said_otherwise(client):
    owner = await sign_up(client)
    data = await client.data(CREATE, {"input": {"title": "Drafts"}}, token=owner.access_token)
    assert data["createCollection"]["collection"]["visibility"] == "PRIVATE"


async def test_a_taken_or_malformed_slug_and_a_bad_title_are_refused_and_write_nothing(client):
    owner = await sign_up(client)
    await created(client, owner, slug="dunes")
    other = await sign_up(client)
    taken = await create(client, other, slug="DUNES")
    assert taken["collection"] is None
    assert [(error["field"], error["code"]) for error in taken["userErrors"]] == [(["slug"], "ALREADY_EXISTS")]
    for slug in ("ab", "-dunes", "two words", "x" * 81):
        refused = await create(client, other, slug=slug)
        assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [(["slug"], "INVALID_INPUT")]
    for title in ("", "   ", "t" * 201):
        refused = await create(client, other, title=title)
        assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [(["title"], "INVALID_INPUT")]
    long_description = await create(client, other, description="d" * 5001)
    assert long_description["userErrors"][0]["field"] == ["description"]
    bad_visibility = await client.execute(
        CREATE, {"input": {"title": "T", "visibility": "SECRET"}}, token=other.access_token
    )
    assert bad_visibility["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert await own_collection_count(client, other) == 0


async def test_racing_for_one_slug_gives_one_collection_and_one_clear_refusal(client):
    first, second = await sign_up(client), await sign_up(client)
    answers = await asyncio.gather(
        create(client, first, slug="golden-hour"), create(client, second, slug="golden-hour")
    )
    made = [answer for answer in answers if answer["collection"]]
    refused = [answer for answer in answers if answer["userErrors"]]
    assert len(made) == 1 and len(refused) == 1
    assert [(error["field"], error["code"]) for error in refused[0]["userErrors"]] == [(["slug"], "ALREADY_EXISTS")]


async def test_only_photographers_and_studios_keep_collections(client, services):
    brand, studio = await sign_up(client, role="BRAND"), await sign_up(client, role="STUDIO")
    collection = await created(client, studio, title="Weddings 2025")
    assert collection["slug"] == "weddings-2025"
    [photo] = [photo_gid(key) for key in await ready_photos(services, studio, 1)]
    attempts = [
        (CREATE, {"title": "Mood", "visibility": "PRIVATE"}),
        (UPDATE, {"id": collection["id"], "title": "Mood"}),
        (DELETE, {"id": collection["id"]}),
        (ADD, {"collectionId": collection["id"], "photoId": photo}),
        (REMOVE, {"collectionId": collection["id"], "photoId": photo}),
        (REORDER, {"collectionId": collection["id"], "photoIds": []}),
    ]
    for document, values in attempts:
        refused = await client.execute(document, {"input": values}, token=brand.access_token)
        assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        anonymous = await client.execute(document, {"input": values})
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    untouched = (await client.data(BY_SLUG, {"slug": "weddings-2025"}))["collection"]
    assert (untouched["title"], untouched["photoCount"]) == ("Weddings 2025", 0)


async def test_update_and_delete(client, services):
    owner, other = await sign_up(client), await sign_up(client)
    collection = await created(client, owner, title="Dunes", visibility="PRIVATE")
    await created(client, other, slug="taken-slug")
    [photo] = await ready_photos(services, owner, 1)
    await mutate(client, owner, ADD, collectionId=collection["id"], photoId=photo_gid(photo))

    changed = await mutate(
        client, owner, UPDATE, id=collection["id"], title="Dunes at dawn", visibility="PUBLIC", slug="dawn-dunes"
    )
    assert changed["userErrors"] == []
    assert {key: changed["collection"][key] for key in ("title", "visibility", "slug", "description")} == {
        "title": "Dunes at dawn",
        "visibility": "PUBLIC",
        "slug": "dawn-dunes",
        "description": "",
    }
    unchanged_slug = await mutate(client, owner, UPDATE, id=collection["id"], slug="dawn-dunes", description="Namib")
    assert unchanged_slug["userErrors"] == [] and unchanged_slug["collection"]["description"] == "Namib"
    taken = await mutate(client, owner, UPDATE, id=collection["id"], slug="taken-slug", title="Lost")
    assert [(error["field"], error["code"]) for error in taken["userErrors"]] == [(["slug"], "ALREADY_EXISTS")]
    bad = await mutate(client, owner, UPDATE, id=collection["id"], title=" ")
    assert [(error["field"], error["code"]) for error in bad["userErrors"]] == [(["title"], "INVALID_INPUT")]
    theirs = await mutate(client, other, UPDATE, id=collection["id"], title="Mine now")
    assert [(error["field"], error["code"]) for error in theirs["userErrors"]] == [(["id"], "NOT_FOUND")]
    wrong_kind = await mutate(client, owner, UPDATE, id=photo_gid(photo), title="Photo, not collection")
    assert wrong_kind["userErrors"][0]["code"] == "NOT_FOUND"
    current = (await client.data(BY_SLUG, {"slug": "dawn-dunes"}, token=owner.access_token))["collection"]
    assert current["title"] == "Dunes at dawn"  # refused changes wrote nothing, not even the title beside them

    refused = await mutate(client, other, DELETE, id=collection["id"])
    assert refused["deletedCollectionId"] is None and refused["userErrors"][0]["code"] == "NOT_FOUND"
    deleted = await mutate(client, owner, DELETE, id=collection["id"])
    assert deleted == {"deletedCollectionId": collection["id"], "userErrors": []}
    assert (await client.data(BY_SLUG, {"slug": "dawn-dunes"}, token=owner.access_token))["collection"] is None
    node = await client.data(
        "query($id: ID!) { node(id: $id) { id } }", {"id": photo_gid(photo)}, token=owner.access_token
    )
    assert node["node"] == {"id": photo_gid(photo)}  # the photo stays
    again = await mutate(client, owner, DELETE, id=collection["id"])
    assert again["userErrors"][0]["code"] == "NOT_FOUND"


# --- photos in a collection --------------------------------------------------------------------


async def test_add_remove_and_reorder_own_photos(client, services):
    owner, other = await sign_up(client), await sign_up(client)
    collection = await created(client, owner)
    photos = [photo_gid(key) for key in await ready_photos(services, owner, 3)]
    for photo in photos:
        added = await mutate(client, owner, ADD, collectionId=collection["id"], photoId=photo)
        assert added["userErrors"] == []
    again = await mutate(client, owner, ADD, collectionId=collection["id"], photoId=photos[0])
    assert again["userErrors"] == [] and photo_ids_of(again["collection"]) == photos
    assert again["collection"]["photoCount"] == 3

    reordered = await mutate(client, owner, REORDER, collectionId=collection["id"], photoIds=photos[::-1])
    assert reordered["userErrors"] == [] and photo_ids_of(reordered["collection"]) == photos[::-1]
    removed = await mutate(client, owner, REMOVE, collectionId=collection["id"], photoId=photos[1])
    assert photo_ids_of(removed["collection"]) == [photos[2], photos[0]]
    # Appended at the end, after a removal left a gap.
    re_added = await mutate(client, owner, ADD, collectionId=collection["id"], photoId=photos[1])
    assert photo_ids_of(re_added["collection"]) == [photos[2], photos[0], photos[1]]

    absent = await mutate(client, owner, REMOVE, collectionId=collection["id"], photoId=photo_gid(UUID(int=7)))
    assert [(error["field"], error["code"]) for error in absent["userErrors"]] == [(["photoId"], "NOT_FOUND")]
    not_theirs = await mutate(client, other, REMOVE, collectionId=collection["id"], photoId=photos[0])
    assert [(error["field"], error["code"]) for error in not_theirs["userErrors"]] == [(["collectionId"], "NOT_FOUND")]


async def test_adding_one_photo_twice_at_once_keeps_one(client, services):
    owner = await sign_up(client)
    collection = await created(client, owner)
    [photo] = [photo_gid(key) for key in await ready_photos(services, owner, 1)]
    answers = await asyncio.gather(
        *(mutate(client, owner, ADD, collectionId=collection["id"], photoId=photo) for _ in range(3))
    )
    assert [answer["userErrors"] for answer in answers] == [[], [], []]
    current = (await client.data(BY_SLUG, {"slug": collection["slug"]}))["collection"]
    assert current["photoCount"] == 1 and [edge["node"]["id"] for edge in current["photos"]["edges"]] == [photo]


async def test_reorder_must_name_exactly_the_collections_photos(client, services):
    owner, other = await sign_up(client), await sign_up(client)
    collection = await created(client, owner)
    photos = [photo_gid(key) for key in await ready_photos(services, owner, 3)]
    [stranger] = [photo_gid(key) for key in await ready_photos(services, owner, 1)]
    for photo in photos:
        await mutate(client, owner, ADD, collectionId=collection["id"], photoId=photo)
    for wrong in (photos[:2], [*photos, stranger], [photos[0], photos[0], photos[1]], []):
        refused = await mutate(client, owner, REORDER, collectionId=collection["id"], photoIds=wrong)
        assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [(["photoIds"], "INVALID_INPUT")]
    malformed = await mutate(client, owner, REORDER, collectionId=collection["id"], photoIds=[*photos[:2], "nonsense"])
    assert [(error["field"], error["code"]) for error in malformed["userErrors"]] == [(["photoIds"], "NOT_FOUND")]
    theirs = await mutate(client, other, REORDER, collectionId=collection["id"], photoIds=photos[::-1])
    assert [(error["field"], error["code"]) for error in theirs["userErrors"]] == [(["collectionId"], "NOT_FOUND")]
    current = (await client.data(BY_SLUG, {"slug": collection["slug"]}))["collection"]
    assert [edge["node"]["id"] for edge in current["photos"]["edges"]] == photos


async def test_only_your_own_photos_go_in_and_only_into_your_collections(client, services):
    """Another person's photo is NOT_FOUND whether or not you could see it: the answer reveals nothing."""
    owner, other = await sign_up(client), await sign_up(client)
    collection = await created(client, owner)
    [public_theirs] = await ready_photos(services, other, 1)
    [private_theirs] = await ready_photos(services, other, 1, visibility=Visibility.PRIVATE)
    [mine] = await ready_photos(services, owner, 1)
    for photo in (public_theirs, private_theirs, UUID(int=1)):
        refused = await mutate(client, owner, ADD, collectionId=collection["id"], photoId=photo_gid(photo))
        assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [(["photoId"], "NOT_FOUND")]
    for bad_id in ("nonsense", collection["id"]):
        refused = await mutate(client, owner, ADD, collectionId=collection["id"], photoId=bad_id)
        assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [(["photoId"], "NOT_FOUND")]
    into_theirs = await mutate(client, other, ADD, collectionId=collection["id"], photoId=photo_gid(public_theirs))
    assert [(error["field"], error["code"]) for error in into_theirs["userErrors"]] == [(["collectionId"], "NOT_FOUND")]
    mine_into_theirs = await mutate(client, other, ADD, collectionId=collection["id"], photoId=photo_gid(mine))
    assert mine_into_theirs["userErrors"][0]["code"] == "NOT_FOUND"
    current = (await client.data(BY_SLUG, {"slug": collection["slug"]}, token=owner.access_token))["collection"]
    assert current["photoCount"] == 0


# --- who sees what -----------------------------------------------------------------------------


async def collection_with_mixed_photos(client, services, owner, visibility: str) -> tuple[dict[str, Any], list[str]]:
    """A collection holding, in order: a PROCESSING photo, a PRIVATE one, a READY PUBLIC one, another PUBLIC one."""
    collection = await created(client, owner, visibility=visibility)
    processing = await ready_photos(services, owner, 1, status=PhotoStatus.PROCESSING)
    private = await ready_photos(services, owner, 1, visibility=Visibility.PRIVATE)
    public = await ready_photos(services, owner, 2)
    photos = [photo_gid(key) for key in [*processing, *private, *public]]
    for photo in photos:
        await mutate(client, owner, ADD, collectionId=collection["id"], photoId=photo)
    return collection, photos


async def test_others_see_public_collections_and_only_their_visible_photos(client, services):
    owner, other = await sign_up(client), await sign_up(client)
    collection, photos = await collection_with_mixed_photos(client, services, owner, "PUBLIC")
    own_view = (await client.data(BY_SLUG, {"slug": collection["slug"]}, token=owner.access_token))["collection"]
    assert own_view["photoCount"] == own_view["photos"]["totalCount"] == 4
    assert own_view["coverPhoto"] == {"id": photos[0]}
    for token in (other.access_token, None):
        seen = (await client.data(BY_SLUG, {"slug": collection["slug"].upper()}, token=token))["collection"]
        assert seen["photoCount"] == seen["photos"]["totalCount"] == 2
        assert [edge["node"]["id"] for edge in seen["photos"]["edges"]] == photos[2:]
        assert seen["coverPhoto"] == {"id": photos[2]}
    node = "query($id: ID!) { node(id: $id) { ... on Collection { title photoCount } } }"
    assert (await client.data(node, {"id": collection["id"]}))["node"] == {"title": "Summer in Lisbon", "photoCount": 2}


async def test_a_private_collection_is_the_owners_alone(client, services):
    owner, other = await sign_up(client), await sign_up(client)
    admin_like_stranger = await sign_up(client, role="STUDIO")
    collection, _ = await collection_with_mixed_photos(client, services, owner, "PRIVATE")
    for token in (other.access_token, admin_like_stranger.access_token, None):
        assert (await client.data(BY_SLUG, {"slug": collection["slug"]}, token=token)) == {"collection": None}
        node = await client.data("query($id: ID!) { node(id: $id) { id } }", {"id": collection["id"]}, token=token)
        assert node == {"node": None}
    mine = (await client.data(BY_SLUG, {"slug": collection["slug"]}, token=owner.access_token))["collection"]
    assert mine["visibility"] == "PRIVATE" and mine["photoCount"] == 4
    assert (await client.data(BY_SLUG, {"slug": "no-such-collection"})) == {"collection": None}


async def test_photo_collections_lists_public_ones_and_your_own(client, services):
    owner, other = await sign_up(client), await sign_up(client)
    [photo] = await ready_photos(services, owner, 1)
    public = await created(client, owner, title="Public one", visibility="PUBLIC")
    private = await created(client, owner, title="Private one", visibility="PRIVATE")
    await created(client, owner, title="Without it", visibility="PUBLIC")
    for collection in (public, private):
        await mutate(client, owner, ADD, collectionId=collection["id"], photoId=photo_gid(photo))
    query = "query($id: ID!) { node(id: $id) { ... on Photo { collections { title } } } }"
    own = (await client.data(query, {"id": photo_gid(photo)}, token=owner.access_token))["node"]
    assert own == {"collections": [{"title": "Public one"}, {"title": "Private one"}]}
    for token in (other.access_token, None):
        seen = (await client.data(query, {"id": photo_gid(photo)}, token=token))["node"]
        assert seen == {"collections": [{"title": "Public one"}]}


async def test_paging_through_a_collections_photos(client, services):
    owner = await sign_up(client)
    collection = await created(client, owner)
    photos = [photo_gid(key) for key in await ready_photos(services, owner, 5)]
    for photo in photos:
        await mutate(client, owner, ADD, collectionId=collection["id"], photoId=photo)
    page = """query($slug: String!, $first: Int, $after: String, $last: Int, $before: String) {
      collection(slug: $slug) { photos(first: $first, after: $after, last: $last, before: $before) {
        totalCount edges { node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }"""

    async def read(**arguments: Any) -> dict[str, Any]:
        data = await client.data(page, {"slug": collection["slug"], **arguments})
        return data["collection"]["photos"]

    seen, after = [], None
    for expected_next in (True, True, False):
        chunk = await read(first=2, after=after)
        seen += [edge["node"]["id"] for edge in chunk["edges"]]
        assert chunk["pageInfo"]["hasNextPage"] is expected_next and chunk["totalCount"] == 5
        assert chunk["pageInfo"]["hasPreviousPage"] is (after is not None)
        after = chunk["pageInfo"]["endCursor"]
    assert seen == photos
    tail = await read(last=2)
    assert [edge["node"]["id"] for edge in tail["edges"]] == photos[3:]
    before = await read(last=2, before=tail["pageInfo"]["startCursor"])
    assert [edge["node"]["id"] for edge in before["edges"]] == photos[1:3]
    empty = await read(first=0)
    assert empty["edges"] == [] and empty["pageInfo"]["hasNextPage"] is True
    bad = await client.execute(page, {"slug": collection["slug"], "first": 2, "after": "garbage"})
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


# --- statement counts --------------------------------------------------------------------------


async def add_filled_collections(services, owner, count: int, photos_each: int) -> None:
    """``count`` PUBLIC collections of ``photos_each`` READY photos each, written straight to the database."""
    photo_ids = await ready_photos(services, owner, count * photos_each)
    async with services.db.unit_of_work() as uow:
        for index in range(count):
            collection_id = uuid4()
            uow.session.add(
                Collection(
                    id=collection_id,
                    user_id=user_key(owner),
                    title=f"Bulk {index}",
                    slug=f"bulk-{collection_id}",
                    visibility=Visibility.PUBLIC,
                )
            )
            await uow.session.flush()
            uow.session.add_all(
                CollectionPhoto(collection_id=collection_id, photo_id=photo_id, position=position)
                for position, photo_id in enumerate(photo_ids[index * photos_each : (index + 1) * photos_each])
            )


NESTED = """query($first: Int!) { viewer { collections(first: $first) { edges { node {
  title photoCount coverPhoto { id }
  photos(first: 20) { totalCount edges { node { id title photographer { username } } } } } } } } }"""


async def test_collections_with_their_photos_cost_the_same_sql_at_5_and_at_50(client, services, sql, unmetered):
    owner = await sign_up(client)

    async def statements_for(first: int) -> int:
        sql.reset()
        data = await client.data(NESTED, {"first": first}, token=owner.access_token)
        edges = data["viewer"]["collections"]["edges"]
        assert len(edges) == first
        for edge in edges:
            node = edge["node"]
            photos = node["photos"]["edges"]
            assert node["photoCount"] == node["photos"]["totalCount"] == len(photos) == 20
            assert node["coverPhoto"]["id"] == photos[0]["node"]["id"]
            assert {photo["node"]["photographer"]["username"] for photo in photos} == {owner.username}
        return sql.count

    await add_filled_collections(services, owner, 5, 20)
    few = await statements_for(5)
    await add_filled_collections(services, owner, 45, 20)
    assert await statements_for(50) == few


async def test_photo_collections_cost_the_same_sql_at_5_and_at_50_photos(client, services, sql, unmetered):
    owner = await sign_up(client)
    collection = await created(client, owner)
    query = "{ viewer { photos(first: 50) { edges { node { id collections { title owner { username } } } } } } }"

    async def statements_for(count: int) -> int:
        for photo in await ready_photos(services, owner, count - await photo_total(client, owner)):
            await mutate(client, owner, ADD, collectionId=collection["id"], photoId=photo_gid(photo))
        sql.reset()
        edges = (await client.data(query, token=owner.access_token))["viewer"]["photos"]["edges"]
        assert len(edges) == count and all(
            edge["node"]["collections"] == [{"title": "Summer in Lisbon", "owner": {"username": owner.username}}]
            for edge in edges
        )
        return sql.count

    assert await statements_for(5) == await statements_for(50)


async def photo_total(client, account) -> int:
    data = await client.data("{ viewer { photos { totalCount } } }", token=account.access_token)
    return data["viewer"]["photos"]["totalCount"]
