"""A brand's lightbox through the API, and the popularity it gives photos."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from sqlalchemy import select

from lensgraph.domain.photos import PhotoStatus, Visibility
from lensgraph.persistence.models import Photo
from lensgraph.schema.core import to_global_id
from tests.api.factories import ready_photos
from tests.api.helpers import sign_up

ADD = """mutation($input: AddToLightboxInput!) { addToLightbox(input: $input) {
  photo { id title } userErrors { field code message } } }"""
REMOVE = """mutation($input: RemoveFromLightboxInput!) { removeFromLightbox(input: $input) {
  removedPhotoId userErrors { field code message } } }"""
CLEAR = "mutation { clearLightbox { removedCount userErrors { field code message } } }"
LIGHTBOX = """query($first: Int, $after: String) { viewer { lightbox(first: $first, after: $after) {
  totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } } }"""


def gid(key: UUID) -> str:
    return to_global_id("Photo", key)


async def add(client, account, photo: str) -> dict[str, Any]:
    return (await client.data(ADD, {"input": {"photoId": photo}}, token=account.access_token))["addToLightbox"]


async def remove(client, account, photo: str) -> dict[str, Any]:
    data = await client.data(REMOVE, {"input": {"photoId": photo}}, token=account.access_token)
    return data["removeFromLightbox"]


async def lightbox(client, account, **arguments: Any) -> dict[str, Any]:
    return (await client.data(LIGHTBOX, arguments, token=account.access_token))["viewer"]["lightbox"]


def ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


async def stored(services, photo: UUID) -> tuple[int, int]:
    """(popularity, version) as stored: popularity is not a field of the API, it orders POPULAR browsing."""
    async with services.db.session() as session:
        row = (await session.execute(select(Photo.popularity, Photo.version).where(Photo.id == photo))).one()
    return row.popularity, row.version


async def test_a_brand_saves_photos_newest_first_and_saving_again_changes_nothing(client, services):
    photographer, brand = await sign_up(client), await sign_up(client, role="BRAND")
    photos = [gid(key) for key in await ready_photos(services, photographer, 3)]
    for photo in photos:
        saved = await add(client, brand, photo)
        assert saved["userErrors"] == [] and saved["photo"]["id"] == photo
    again = await add(client, brand, photos[0])
    assert again["userErrors"] == [] and again["photo"]["id"] == photos[0]
    everything = await lightbox(client, brand)
    assert ids(everything) == photos[::-1] and everything["totalCount"] == 3

    first_page = await lightbox(client, brand, first=2)
    assert ids(first_page) == photos[:0:-1] and first_page["pageInfo"]["hasNextPage"] is True
    rest = await lightbox(client, brand, first=2, after=first_page["pageInfo"]["endCursor"])
    assert ids(rest) == photos[:1] and rest["pageInfo"]["hasNextPage"] is False


async def test_each_brands_save_counts_once_towards_popularity(client, services):
    photographer = await sign_up(client)
    first, second = await sign_up(client, role="BRAND"), await sign_up(client, role="BRAND")
    [favourite, other] = await ready_photos(services, photographer, 2)
    for brand in (first, first, second):
        await add(client, brand, gid(favourite))
    await add(client, second, gid(other))
    assert await stored(services, favourite) == (2, 1)  # the version is untouched: no CONFLICT for the owner
    assert await stored(services, other) == (1, 1)
    popular = """query($username: String!) { photos(orderBy: POPULAR, filter: {photographer: $username}) {
      edges { node { id } } } }"""
    ranked = (await client.data(popular, {"username": photographer.username}))["photos"]
    assert ids(ranked) == [gid(favourite), gid(other)]

    removed = await remove(client, first, gid(favourite))
    assert removed == {"removedPhotoId": gid(favourite), "userErrors": []}
    assert await stored(services, favourite) == (1, 1)
    absent = await remove(client, first, gid(favourite))
    assert [(error["field"], error["code"]) for error in absent["userErrors"]] == [(["photoId"], "NOT_FOUND")]
    assert await stored(services, favourite) == (1, 1)

    edit = (
        """mutation($input: UpdatePhotoInput!) { updatePhoto(input: $input) { photo { title } userErrors { code } } }"""
    )
    edited = await client.data(
        edit, {"input": {"id": gid(favourite), "title": "Still mine"}}, token=photographer.access_token
    )
    assert edited["updatePhoto"] == {"photo": {"title": "Still mine"}, "userErrors": []}


async def test_popularity_never_goes_below_zero(client, services):
    photographer, brand = await sign_up(client), await sign_up(client, role="BRAND")
    [photo] = await ready_photos(services, photographer, 1)
    await add(client, brand, gid(photo))
    async with services.db.unit_of_work() as uow:
        (await uow.session.get(Photo, photo)).popularity = 0  # say, recomputed from other signals meanwhile
    await remove(client, brand, gid(photo))
    assert (await stored(services, photo))[0] == 0


async def test_brands_saving_one_photo_at_once_all_count(client, services):
    photographer = await sign_up(client)
    brands = [await sign_up(client, role="BRAND") for _ in range(5)]
    [photo] = await ready_photos(services, photographer, 1)
    answers = await asyncio.gather(*(add(client, brand, gid(photo)) for brand in brands))
    assert all(answer["userErrors"] == [] for answer in answers)
    assert (await stored(services, photo))[0] == 5


async def test_clear_empties_the_lightbox_and_gives_back_the_popularity(client, services):
    photographer = await sign_up(client)
    brand, other_brand = await sign_up(client, role="BRAND"), await sign_up(client, role="BRAND")
    photos = await ready_photos(services, photographer, 3)
    for photo in photos:
        await add(client, brand, gid(photo))
    await add(client, other_brand, gid(photos[0]))
    cleared = await client.data(CLEAR, token=brand.access_token)
    assert cleared["clearLightbox"] == {"removedCount": 3, "userErrors": []}
    assert (await lightbox(client, brand))["edges"] == []
    assert [(await stored(services, photo))[0] for photo in photos] == [1, 0, 0]
    assert ids(await lightbox(client, other_brand)) == [gid(photos[0])]
    again = await client.data(CLEAR, token=brand.access_token)
    assert again["clearLightbox"]["removedCount"] == 0


async def test_only_photos_the_brand_may_see_go_in(client, services):
    photographer, brand = await sign_up(client), await sign_up(client, role="BRAND")
    [private] = await ready_photos(services, photographer, 1, visibility=Visibility.PRIVATE)
    [processing] = await ready_photos(services, photographer, 1, status=PhotoStatus.PROCESSING)
    [failed] = await ready_photos(services, photographer, 1, status=PhotoStatus.FAILED)
    for photo in (gid(private), gid(processing), gid(failed), gid(UUID(int=3)), "nonsense", photographer.id):
        refused = await add(client, brand, photo)
        assert refused["photo"] is None
        assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [(["photoId"], "NOT_FOUND")]
    assert (await lightbox(client, brand))["totalCount"] == 0
    assert [(await stored(services, photo))[0] for photo in (private, processing, failed)] == [0, 0, 0]


async def test_a_photo_made_private_drops_out_and_can_still_be_removed(client, services):
    photographer, brand = await sign_up(client), await sign_up(client, role="BRAND")
    [photo, kept] = await ready_photos(services, photographer, 2)
    await add(client, brand, gid(photo))
    await add(client, brand, gid(kept))
    hide = "mutation($input: UpdatePhotoInput!) { updatePhoto(input: $input) { userErrors { code } } }"
    hidden = await client.data(
        hide, {"input": {"id": gid(photo), "visibility": "PRIVATE"}}, token=photographer.access_token
    )
    assert hidden["updatePhoto"]["userErrors"] == []
    visible = await lightbox(client, brand)
    assert ids(visible) == [gid(kept)] and visible["totalCount"] == 1
    assert (await remove(client, brand, gid(photo)))["userErrors"] == []
    assert (await stored(services, photo))[0] == 0


async def test_only_brands_keep_a_lightbox(client, services):
    photographer, studio = await sign_up(client), await sign_up(client, role="STUDIO")
    [photo] = await ready_photos(services, studio, 1)
    for account in (photographer, studio):
        for document, variables in (
            (ADD, {"input": {"photoId": gid(photo)}}),
            (REMOVE, {"input": {"photoId": gid(photo)}}),
        ):
            body = await client.execute(document, variables, token=account.access_token)
            assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        for document in (CLEAR, LIGHTBOX):
            body = await client.execute(document, token=account.access_token)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await client.execute(ADD, {"input": {"photoId": gid(photo)}})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await stored(services, photo))[0] == 0


async def test_the_lightbox_costs_the_same_sql_at_5_and_at_50_photos(client, services, sql):
    brand = await sign_up(client, role="BRAND")
    photographers = [await sign_up(client) for _ in range(5)]
    query = """{ viewer { lightbox(first: 50) { totalCount edges { node {
      id title photographer { username } collections { title } } } } } }"""

    async def statements_for(count: int) -> int:
        have = (await lightbox(client, brand))["totalCount"]
        for index in range(have, count):
            [photo] = await ready_photos(services, photographers[index % 5], 1)
            await add(client, brand, gid(photo))
        sql.reset()
        data = await client.data(query, token=brand.access_token)
        edges = data["viewer"]["lightbox"]["edges"]
        assert len(edges) == data["viewer"]["lightbox"]["totalCount"] == count
        assert {edge["node"]["photographer"]["username"] for edge in edges} == {p.username for p in photographers}
        return sql.count

    assert await statements_for(5) == await statements_for(50)
