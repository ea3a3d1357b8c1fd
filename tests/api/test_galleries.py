"""Client galleries, the studio's side, through the API: create, change, fill, order, list, isolate, events."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, select

from lensgraph.persistence.models import Gallery, GalleryPhoto, OutboxEvent
from lensgraph.schema.core import to_global_id
from tests.api.factories import ready_photos, user_key
from tests.api.helpers import sign_up

ERRORS = "userErrors { field code message }"
FIELDS = """id title slug status eventDate clientEmail clientName protected expiresAt expired downloadPolicy
  watermark watermarkText accentColor version coverPhoto { id } photoCount photos { edges { node { id } } }"""
CREATE = f"""mutation($input: CreateGalleryInput!) {{ createGallery(input: $input) {{
  gallery {{ {FIELDS} }} {ERRORS} }} }}"""
UPDATE = f"""mutation($input: UpdateGalleryInput!) {{ updateGallery(input: $input) {{
  gallery {{ {FIELDS} }} {ERRORS} }} }}"""
ARCHIVE = f"""mutation($input: ArchiveGalleryInput!) {{ archiveGallery(input: $input) {{
  gallery {{ {FIELDS} }} {ERRORS} }} }}"""
DELETE = f"mutation($input: DeleteGalleryInput!) {{ deleteGallery(input: $input) {{ deletedGalleryId {ERRORS} }} }}"
ADD = f"""mutation($input: AddPhotosToGalleryInput!) {{ addPhotosToGallery(input: $input) {{
  gallery {{ {FIELDS} }} {ERRORS} }} }}"""
REMOVE = f"""mutation($input: RemovePhotoFromGalleryInput!) {{ removePhotoFromGallery(input: $input) {{
  gallery {{ {FIELDS} }} {ERRORS} }} }}"""
REORDER = f"""mutation($input: ReorderGalleryInput!) {{ reorderGallery(input: $input) {{
  gallery {{ {FIELDS} }} {ERRORS} }} }}"""
LIST = """query($filter: GalleryFilter, $orderBy: GalleryOrder, $first: Int, $after: String) {
  viewer { galleries(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { title status } } } } }"""
NODE = "query($id: ID!) { node(id: $id) { ... on Gallery { id title clientEmail } } }"
ANY_NODE = "query($id: ID!) { node(id: $id) { id } }"


def photo_gid(key: UUID) -> str:
    return to_global_id("Photo", key)


async def studio(client) -> Any:
    return await sign_up(client, role="STUDIO")


async def mutate(client, account, document: str, **values: Any) -> dict[str, Any]:
    data = await client.data(document, {"input": values}, token=account.access_token)
    return next(iter(data.values()))


async def created(client, account, **fields: Any) -> dict[str, Any]:
    payload = await mutate(client, account, CREATE, **{"title": "Smith wedding", **fields})
    assert payload["userErrors"] == [], payload
    return payload["gallery"]


def codes(payload: dict[str, Any]) -> list[tuple[list[str] | None, str]]:
    return [(error["field"], error["code"]) for error in payload["userErrors"]]


async def event_types(services) -> list[str]:
    """The gallery events written to the outbox, in order."""
    query = select(OutboxEvent.type).where(OutboxEvent.type.like("gallery.%")).order_by(OutboxEvent.created_at)
    async with services.db.session() as session:
        return list((await session.scalars(query)).all())


async def count_rows(services, model) -> int:
    async with services.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)))


async def test_create_with_every_setting_then_update_archive_and_delete(client, services):
    owner = await studio(client)
    [cover] = await ready_photos(services, owner, 1)
    gallery = await created(
        client,
        owner,
        title="  Smith   wedding ",
        coverPhotoId=photo_gid(cover),
        eventDate="2026-06-20",
        clientEmail="Jane.Smith@Example.com",
        clientName="Jane Smith",
        password="confetti",
        expiresAt="2030-01-01T00:00:00Z",
        downloadPolicy="WEB_SIZE",
        watermark=True,
        watermarkText="Studio North",
        accentColor="#a1b2c3",
    )
    assert gallery["title"] == "Smith wedding" and gallery["slug"] == "smith-wedding"
    assert gallery["status"] == "ACTIVE" and gallery["eventDate"] == "2026-06-20"
    assert gallery["clientEmail"] == "jane.smith@example.com" and gallery["clientName"] == "Jane Smith"
    assert gallery["protected"] is True and gallery["expired"] is False
    assert gallery["downloadPolicy"] == "WEB_SIZE" and gallery["watermark"] is True
    assert gallery["watermarkText"] == "Studio North" and gallery["accentColor"] == "#A1B2C3"
    assert gallery["coverPhoto"] == {"id": photo_gid(cover)} and gallery["version"] == 1
    async with services.db.session() as session:
        stored = await session.scalar(select(Gallery.password_hash))
    assert stored is not None and stored.startswith("$argon2id$")

    # Another gallery from the same title gets the next number.
    assert (await created(client, owner))["slug"] == "smith-wedding-2"

    updated = await mutate(
        client, owner, UPDATE, id=gallery["id"], version=1, title="Smith & Jones", removePassword=True
    )
    assert updated["userErrors"] == []
    assert updated["gallery"]["title"] == "Smith & Jones" and updated["gallery"]["protected"] is False
    assert updated["gallery"]["version"] == 2 and updated["gallery"]["slug"] == "smith-wedding"

    stale = await mutate(client, owner, UPDATE, id=gallery["id"], version=1, title="Lost")
    assert codes(stale) == [(["version"], "CONFLICT")] and stale["gallery"] is None

    archived = await mutate(client, owner, ARCHIVE, id=gallery["id"], version=2)
    assert archived["gallery"]["status"] == "ARCHIVED"
    again = await mutate(client, owner, ARCHIVE, id=gallery["id"])
    assert codes(again) == [(["id"], "INVALID_TRANSITION")]

    deleted = await mutate(client, owner, DELETE, id=gallery["id"])
    assert deleted == {"deletedGalleryId": gallery["id"], "userErrors": []}
    assert (await client.data(NODE, {"id": gallery["id"]}, token=owner.access_token))["node"] is None
    assert await event_types(services) == ["gallery.created", "gallery.created", "gallery.deleted"]


async def test_bad_input_is_refused_with_a_clear_code_and_nothing_written(client, services):
    owner = await studio(client)
    [theirs] = await ready_photos(services, await studio(client), 1)
    cases = [
        ({"title": "   "}, (["title"], "INVALID_INPUT")),
        ({"title": "T", "slug": "Not A Slug"}, (["slug"], "INVALID_INPUT")),
        ({"title": "T", "accentColor": "red"}, (["accentColor"], "INVALID_INPUT")),
        ({"title": "T", "clientEmail": "nobody"}, (["clientEmail"], "INVALID_INPUT")),
        ({"title": "T", "password": "abc"}, (["password"], "INVALID_INPUT")),
        ({"title": "T", "expiresAt": "2001-01-01T00:00:00Z"}, (["expiresAt"], "INVALID_INPUT")),
        ({"title": "T", "coverPhotoId": photo_gid(theirs)}, (["coverPhotoId"], "NOT_FOUND")),
    ]
    for values, expected in cases:
        payload = await mutate(client, owner, CREATE, **values)
        assert codes(payload) == [expected], values
        assert payload["gallery"] is None
    await created(client, owner, slug="taken-slug")
    duplicate = await mutate(client, owner, CREATE, title="Other", slug="taken-slug")
    assert codes(duplicate) == [(["slug"], "ALREADY_EXISTS")]
    assert await count_rows(services, Gallery) == 1
    assert await event_types(services) == ["gallery.created"]


async def test_only_studios_and_photographers_keep_galleries(client):
    brand = await sign_up(client, role="BRAND")
    answer = await client.execute(CREATE, {"input": {"title": "T"}}, token=brand.access_token)
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    photographer = await sign_up(client)
    assert (await created(client, photographer))["status"] == "ACTIVE"
    anonymous = await client.execute(CREATE, {"input": {"title": "T"}})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_racing_for_one_slug_gives_one_gallery_and_one_clear_refusal(client, services):
    first, second = await studio(client), await studio(client)
    answers = await asyncio.gather(
        mutate(client, first, CREATE, title="A", slug="golden-hour"),
        mutate(client, second, CREATE, title="B", slug="golden-hour"),
    )
    made = [answer for answer in answers if answer["gallery"]]
    refused = [answer for answer in answers if answer["userErrors"]]
    assert len(made) == 1 and len(refused) == 1
    assert codes(refused[0]) == [(["slug"], "ALREADY_EXISTS")]
    assert await count_rows(services, Gallery) == 1
    assert await event_types(services) == ["gallery.created"]


async def test_add_remove_and_reorder_the_studios_own_photos(client, services):
    owner = await studio(client)
    photos = [photo_gid(key) for key in await ready_photos(services, owner, 3)]
    gallery = await created(client, owner)
    added = await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=[photos[1], photos[0]])
    assert [edge["node"]["id"] for edge in added["gallery"]["photos"]["edges"]] == [photos[1], photos[0]]
    # One already there keeps its place; the new one goes last.
    again = await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=[photos[0], photos[2]])
    assert [edge["node"]["id"] for edge in again["gallery"]["photos"]["edges"]] == [photos[1], photos[0], photos[2]]
    reordered = await mutate(
        client, owner, REORDER, galleryId=gallery["id"], photoIds=[photos[2], photos[1], photos[0]]
    )
    assert [edge["node"]["id"] for edge in reordered["gallery"]["photos"]["edges"]] == [photos[2], photos[1], photos[0]]
    partial = await mutate(client, owner, REORDER, galleryId=gallery["id"], photoIds=[photos[2]])
    assert codes(partial) == [(["photoIds"], "INVALID_INPUT")]
    removed = await mutate(client, owner, REMOVE, galleryId=gallery["id"], photoId=photos[1])
    assert removed["gallery"]["photoCount"] == 2
    gone = await mutate(client, owner, REMOVE, galleryId=gallery["id"], photoId=photos[1])
    assert codes(gone) == [(["photoId"], "NOT_FOUND")]


async def test_another_studios_photos_and_galleries_are_out_of_reach(client, services):
    owner, other = await studio(client), await studio(client)
    [mine] = [photo_gid(key) for key in await ready_photos(services, owner, 1)]
    [theirs] = [photo_gid(key) for key in await ready_photos(services, other, 1)]
    gallery = await created(client, owner, clientEmail="client@example.com")

    # Someone else's photo refuses the whole request: not even my own photo is added with it.
    mixed = await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=[mine, theirs])
    assert codes(mixed) == [(["photoIds"], "NOT_FOUND")]
    assert await count_rows(services, GalleryPhoto) == 0

    for document, values in [
        (UPDATE, {"id": gallery["id"], "title": "Mine now"}),
        (ARCHIVE, {"id": gallery["id"]}),
        (DELETE, {"id": gallery["id"]}),
        (ADD, {"galleryId": gallery["id"], "photoIds": [theirs]}),
        (REMOVE, {"galleryId": gallery["id"], "photoId": mine}),
        (REORDER, {"galleryId": gallery["id"], "photoIds": []}),
    ]:
        payload = await mutate(client, other, document, **values)
        assert [error["code"] for error in payload["userErrors"]] == ["NOT_FOUND"], document
    assert (await client.data(NODE, {"id": gallery["id"]}, token=other.access_token))["node"] is None
    assert (await client.data(NODE, {"id": gallery["id"]}))["node"] is None
    listed = await client.data(LIST, token=other.access_token)
    assert listed["viewer"]["galleries"]["totalCount"] == 0
    own = await client.data(NODE, {"id": gallery["id"]}, token=owner.access_token)
    assert own["node"]["clientEmail"] == "client@example.com"


async def test_list_filters_by_status_and_search_and_orders(client):
    owner = await studio(client)
    for title in ["Beach day", "Autumn portraits", "Corporate beach party"]:
        await created(client, owner, title=title)
    listed = await client.data(LIST, token=owner.access_token)
    assert [edge["node"]["title"] for edge in listed["viewer"]["galleries"]["edges"]] == [
        "Corporate beach party",
        "Autumn portraits",
        "Beach day",
    ]
    beach = await client.data(LIST, {"filter": {"search": "BEACH"}, "orderBy": "TITLE"}, token=owner.access_token)
    assert [edge["node"]["title"] for edge in beach["viewer"]["galleries"]["edges"]] == [
        "Beach day",
        "Corporate beach party",
    ]
    wildcard = await client.data(LIST, {"filter": {"search": "%"}}, token=owner.access_token)
    assert wildcard["viewer"]["galleries"]["totalCount"] == 0

    first_page = await client.data(LIST, {"orderBy": "OLDEST_FIRST", "first": 2}, token=owner.access_token)
    page = first_page["viewer"]["galleries"]
    assert [edge["node"]["title"] for edge in page["edges"]] == ["Beach day", "Autumn portraits"]
    assert page["pageInfo"]["hasNextPage"] is True and page["totalCount"] == 3
    rest = await client.data(
        LIST, {"orderBy": "OLDEST_FIRST", "first": 2, "after": page["pageInfo"]["endCursor"]}, token=owner.access_token
    )
    assert [edge["node"]["title"] for edge in rest["viewer"]["galleries"]["edges"]] == ["Corporate beach party"]

    target = (
        await client.data("{ viewer { galleries(first: 1) { edges { node { id } } } } }", token=owner.access_token)
    )["viewer"]["galleries"]["edges"][0]["node"]["id"]
    await mutate(client, owner, ARCHIVE, id=target)
    archived = await client.data(LIST, {"filter": {"status": "ARCHIVED"}}, token=owner.access_token)
    assert [edge["node"] for edge in archived["viewer"]["galleries"]["edges"]] == [
        {"title": "Corporate beach party", "status": "ARCHIVED"}
    ]


async def add_filled_galleries(services, owner, count: int, photos_each: int) -> None:
    """``count`` galleries of ``photos_each`` READY photos each, written straight to the database."""
    photo_ids = await ready_photos(services, owner, count * photos_each)
    async with services.db.unit_of_work() as uow:
        for index in range(count):
            gallery_id = uuid4()
            uow.session.add(
                Gallery(id=gallery_id, user_id=user_key(owner), title=f"Bulk {index}", slug=f"bulk-{gallery_id}")
            )
            await uow.session.flush()
            uow.session.add_all(
                GalleryPhoto(gallery_id=gallery_id, photo_id=photo_id, position=position)
                for position, photo_id in enumerate(photo_ids[index * photos_each : (index + 1) * photos_each])
            )


NESTED = """query($first: Int!) { viewer { galleries(first: $first) { edges { node {
  title photoCount photos(first: 10) { totalCount edges { node { id photographer { username } } } } } } } } }"""


async def test_galleries_with_their_photos_cost_the_same_sql_at_5_and_at_40(client, services, sql, unmetered):
    owner = await studio(client)

    async def statements_for(first: int) -> int:
        sql.reset()
        edges = (await client.data(NESTED, {"first": first}, token=owner.access_token))["viewer"]["galleries"]["edges"]
        assert len(edges) == first
        for edge in edges:
            node = edge["node"]
            assert node["photoCount"] == node["photos"]["totalCount"] == 10 == len(node["photos"]["edges"])
        return sql.count

    await add_filled_galleries(services, owner, 5, 10)
    few = await statements_for(5)
    await add_filled_galleries(services, owner, 35, 10)
    assert await statements_for(40) == few


async def test_gallery_connection_is_priced_by_its_page_sizes(client):
    owner = await studio(client)
    await created(client, owner)
    body = await client.execute(
        "{ viewer { galleries(first: 10) { edges { node { photos(first: 20) { edges { node { id } } } } } } } }",
        token=owner.access_token,
    )
    assert "errors" not in body, body
    # viewer 1, galleries 1, and per gallery asked: itself 1, its photos 1 and 20 photos.
    assert body["extensions"]["cost"]["requestedQueryCost"] == 2 + 10 * (1 + 1 + 20)


CREATE_SET = f"""mutation($input: CreateGallerySetInput!) {{ createGallerySet(input: $input) {{
  gallerySet {{ id name position photoCount }} {ERRORS} }} }}"""
REORDER_SETS = f"""mutation($input: ReorderGallerySetsInput!) {{ reorderGallerySets(input: $input) {{
  gallery {{ sets {{ name position }} }} {ERRORS} }} }}"""
SET_PHOTOS = """query($id: ID!, $setId: ID) { node(id: $id) { ... on Gallery {
  sets { id name photoCount } photos(setId: $setId) { totalCount edges { node { id } } } } } }"""


async def test_sets_are_ordered_named_once_and_hold_the_photos_put_in_them(client, services):
    owner, other = await studio(client), await studio(client)
    photos = [photo_gid(key) for key in await ready_photos(services, owner, 3)]
    gallery = await created(client, owner)
    ceremony = (await mutate(client, owner, CREATE_SET, galleryId=gallery["id"], name=" Ceremony "))["gallerySet"]
    reception = (await mutate(client, owner, CREATE_SET, galleryId=gallery["id"], name="Reception"))["gallerySet"]
    assert (ceremony["name"], ceremony["position"], reception["position"]) == ("Ceremony", 0, 1)
    twice = await mutate(client, owner, CREATE_SET, galleryId=gallery["id"], name="Ceremony")
    assert codes(twice) == [(["name"], "ALREADY_EXISTS")]
    blank = await mutate(client, owner, CREATE_SET, galleryId=gallery["id"], name="  ")
    assert codes(blank) == [(["name"], "INVALID_INPUT")]
    theirs = await mutate(client, other, CREATE_SET, galleryId=gallery["id"], name="Mine")
    assert codes(theirs) == [(["galleryId"], "NOT_FOUND")]

    await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=photos[:2], setId=ceremony["id"])
    await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=photos[2:])
    # Moving one photo already in the gallery into another set keeps its place in the gallery.
    moved = await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=[photos[1]], setId=reception["id"])
    assert [edge["node"]["id"] for edge in moved["gallery"]["photos"]["edges"]] == photos

    seen = await client.data(SET_PHOTOS, {"id": gallery["id"], "setId": ceremony["id"]}, token=owner.access_token)
    assert [edge["node"]["id"] for edge in seen["node"]["photos"]["edges"]] == [photos[0]]
    assert seen["node"]["photos"]["totalCount"] == 1
    assert [(item["name"], item["photoCount"]) for item in seen["node"]["sets"]] == [("Ceremony", 1), ("Reception", 1)]

    reordered = await mutate(
        client, owner, REORDER_SETS, galleryId=gallery["id"], setIds=[reception["id"], ceremony["id"]]
    )
    assert reordered["gallery"]["sets"] == [{"name": "Reception", "position": 0}, {"name": "Ceremony", "position": 1}]
    partial = await mutate(client, owner, REORDER_SETS, galleryId=gallery["id"], setIds=[reception["id"]])
    assert codes(partial) == [(["setIds"], "INVALID_INPUT")]

    # A set of another gallery is no set of this one; another studio sees neither.
    elsewhere = await created(client, owner, title="Other")
    wrong_set = await mutate(client, owner, ADD, galleryId=elsewhere["id"], photoIds=[photos[0]], setId=ceremony["id"])
    assert codes(wrong_set) == [(["setId"], "NOT_FOUND")]
    for account, expected in [(other, None), (owner, {"id": ceremony["id"]})]:
        found = await client.data(ANY_NODE, {"id": ceremony["id"]}, token=account.access_token)
        assert found["node"] == expected
