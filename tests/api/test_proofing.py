"""Proofing through the API: a client's favourites in named lists, comments, selection limits, submission (once,
under concurrency), the studio's view of every client's selections and reopening, and gallery analytics."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select, update

from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Gallery, GalleryViewDay, OutboxEvent
from tests.api.factories import ready_photos
from tests.api.test_galleries import ADD, ARCHIVE, UPDATE, codes, created, mutate, photo_gid, studio
from tests.api.test_gallery_access import HEADER, OPEN, gallery_key, protected_gallery, unlock

SELECTION = "list status note submittedAt photoCount photos { id isFavorite }"
FAVORITE = f"""mutation($input: FavoritePhotoInput!) {{ favoritePhoto(input: $input) {{
  selection {{ {SELECTION} }} userErrors {{ field code message }} }} }}"""
UNFAVORITE = f"""mutation($input: UnfavoritePhotoInput!) {{ unfavoritePhoto(input: $input) {{
  selection {{ {SELECTION} }} userErrors {{ field code message }} }} }}"""
SUBMIT = f"""mutation($input: SubmitGallerySelectionInput!) {{ submitGallerySelection(input: $input) {{
  selection {{ {SELECTION} }} userErrors {{ field code message }} }} }}"""
COMMENT = """mutation($input: CommentOnGalleryPhotoInput!) { commentOnGalleryPhoto(input: $input) {
  comment { id clientEmail photoId body } userErrors { field code message } } }"""
REOPEN = """mutation($input: ReopenGallerySelectionInput!) { reopenGallerySelection(input: $input) {
  gallery { id } userErrors { field code message } } }"""
MINE = f"""query($slug: String!) {{ gallery(slug: $slug) {{ selectionMin selectionMax
  mySelections {{ {SELECTION} }} myComments {{ body photoId }}
  photos {{ edges {{ node {{ id isFavorite }} }} }} }} }}"""
SELECTIONS = """query($id: ID!) { node(id: $id) { ... on Gallery { selections {
  id clientEmail list status note submittedAt photoCount photos { id } comments { body photoId } } } } }"""
ANALYTICS = """query($id: ID!, $from: Date!, $to: Date!) { node(id: $id) { ... on Gallery {
  analytics(from: $from, to: $to) { views uniqueVisitors favorites selections
    days { day views favorites selections } } } } }"""


async def as_client(client, token: str, document: str, **values: Any) -> dict[str, Any]:
    data = await client.data(document, {"input": values}, headers={HEADER: token})
    return next(iter(data.values()))


async def validated_events(services) -> list[dict[str, Any]]:
    query = select(OutboxEvent.payload).where(OutboxEvent.type == "gallery.validated")
    async with services.db.session() as session:
        return list((await session.scalars(query)).all())


async def proofing_gallery(client, services, **limits: Any) -> tuple[Any, dict[str, Any], list[str], str]:
    """A protected gallery (two READY photos, one processing), its limits set, and Jane's access token."""
    owner, gallery, photos = await protected_gallery(client, services)
    if limits:
        assert (await mutate(client, owner, UPDATE, id=gallery["id"], **limits))["userErrors"] == []
    token = (await unlock(client, gallery["slug"], "confetti", "Jane@Example.com"))["accessToken"]
    return owner, gallery, photos, token


async def test_a_client_keeps_favourites_in_named_lists_and_sees_them(client, services):
    _, gallery, photos, token = await proofing_gallery(client, services)
    first = await as_client(client, token, FAVORITE, photoId=photos[0])
    assert first["userErrors"] == []
    assert first["selection"]["list"] == "Favorites" and first["selection"]["status"] == "OPEN"
    assert first["selection"]["photos"] == [{"id": photos[0], "isFavorite": True}]
    # Picking it again changes nothing; another list is kept apart.
    assert (await as_client(client, token, FAVORITE, photoId=photos[0]))["selection"]["photoCount"] == 1
    album = await as_client(client, token, FAVORITE, photoId=photos[1], list="  Album  ")
    assert album["selection"]["list"] == "Album" and album["selection"]["photoCount"] == 1

    mine = (await client.data(MINE, {"slug": gallery["slug"]}, headers={HEADER: token}))["gallery"]
    assert [(item["list"], item["photoCount"]) for item in mine["mySelections"]] == [("Album", 1), ("Favorites", 1)]
    assert [edge["node"]["isFavorite"] for edge in mine["photos"]["edges"]] == [True, True]

    removed = await as_client(client, token, UNFAVORITE, photoId=photos[0])
    assert removed["userErrors"] == [] and removed["selection"]["photos"] == []
    again = await as_client(client, token, UNFAVORITE, photoId=photos[0])
    assert codes(again) == [(["photoId"], "NOT_FOUND")]

    # John, another client of the same gallery, has lists of his own.
    john = (await unlock(client, gallery["slug"], "confetti", "john@example.com"))["accessToken"]
    his = (await client.data(MINE, {"slug": gallery["slug"]}, headers={HEADER: john}))["gallery"]
    assert his["mySelections"] == [] and [edge["node"]["isFavorite"] for edge in his["photos"]["edges"]] == [
        False,
        False,
    ]


async def test_only_photos_the_token_opens_can_be_picked(client, services):
    _, gallery, photos, token = await proofing_gallery(client, services)
    _, _, other_photos = await protected_gallery(client, services)
    # A photo still processing is not shown to clients; another gallery's photo is not in this one.
    for photo in [photos[2], other_photos[0]]:
        refused = await as_client(client, token, FAVORITE, photoId=photo)
        assert codes(refused) == [(["photoId"], "NOT_FOUND")] and refused["selection"] is None
    assert codes(await as_client(client, token, FAVORITE, photoId="not-an-id")) == [(["photoId"], "NOT_FOUND")]

    anonymous = await client.execute(FAVORITE, {"input": {"photoId": photos[0]}})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    forged = await client.execute(FAVORITE, {"input": {"photoId": photos[0]}}, headers={HEADER: token[:-4] + "AAAA"})
    assert forged["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    long_name = await as_client(client, token, FAVORITE, photoId=photos[0], list="x" * 51)
    assert codes(long_name) == [(["list"], "INVALID_INPUT")]
    assert (await client.data(MINE, {"slug": gallery["slug"]}, headers={HEADER: token}))["gallery"][
        "mySelections"
    ] == []


async def test_an_open_gallery_needs_an_unlock_with_an_email_to_proof(client, services):
    owner = await studio(client)
    [photo] = [photo_gid(key) for key in await ready_photos(services, owner, 1)]
    gallery = await created(client, owner, title="Open day")
    await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=[photo])
    refused = await client.execute(FAVORITE, {"input": {"photoId": photo}})
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    token = (await unlock(client, gallery["slug"], None, "ann@example.com"))["accessToken"]
    assert (await as_client(client, token, FAVORITE, photoId=photo))["selection"]["photoCount"] == 1


async def test_limits_freeze_and_reopen_a_selection(client, services):
    owner, gallery, photos, token = await proofing_gallery(client, services, selectionMin=2, selectionMax=2)
    bad = await mutate(client, owner, UPDATE, id=gallery["id"], selectionMin=3)
    assert codes(bad) == [(["selectionMin"], "INVALID_INPUT")]
    owner_photos = [photo_gid(key) for key in await ready_photos(services, owner, 1)]
    assert (await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=owner_photos))["userErrors"] == []

    assert (await as_client(client, token, FAVORITE, photoId=photos[0]))["userErrors"] == []
    too_few = await as_client(client, token, SUBMIT, note="Done")
    assert codes(too_few) == [(["list"], "SELECTION_LIMIT")]
    assert (await as_client(client, token, FAVORITE, photoId=photos[1]))["userErrors"] == []
    too_many = await as_client(client, token, FAVORITE, photoId=owner_photos[0])
    assert codes(too_many) == [(["photoId"], "SELECTION_LIMIT")]

    submitted = await as_client(client, token, SUBMIT, note="  These two, please. ")
    assert submitted["userErrors"] == []
    assert submitted["selection"]["status"] == "SUBMITTED" and submitted["selection"]["note"] == "These two, please."
    assert submitted["selection"]["submittedAt"] is not None
    for document, values in [(FAVORITE, {"photoId": owner_photos[0]}), (UNFAVORITE, {"photoId": photos[0]})]:
        assert codes(await as_client(client, token, document, **values)) == [(["list"], "INVALID_TRANSITION")]
    assert codes(await as_client(client, token, SUBMIT)) == [(["list"], "INVALID_TRANSITION")]
    [event] = await validated_events(services)
    assert event == {
        "galleryId": gallery_key(gallery),
        "clientEmail": "jane@example.com",
        "listName": "Favorites",
        "photoCount": 2,
    }

    seen = (await client.data(SELECTIONS, {"id": gallery["id"]}, token=owner.access_token))["node"]["selections"]
    assert [(item["clientEmail"], item["list"], item["status"], item["note"]) for item in seen] == [
        ("jane@example.com", "Favorites", "SUBMITTED", "These two, please.")
    ]
    assert [photo["id"] for photo in seen[0]["photos"]] == photos[:2]

    # Only the owning studio reopens, and only what was submitted.
    stranger = await studio(client)
    foreign = await mutate(client, stranger, REOPEN, galleryId=gallery["id"], clientEmail="jane@example.com")
    assert codes(foreign) == [(["galleryId"], "NOT_FOUND")]
    nobody = await mutate(client, owner, REOPEN, galleryId=gallery["id"], clientEmail="john@example.com")
    assert codes(nobody) == [(["clientEmail"], "INVALID_TRANSITION")]
    reopened = await mutate(client, owner, REOPEN, galleryId=gallery["id"], clientEmail="JANE@example.com")
    assert reopened["userErrors"] == []
    changed = await as_client(client, token, UNFAVORITE, photoId=photos[0])
    assert changed["selection"]["status"] == "OPEN" and changed["selection"]["submittedAt"] is None
    assert (await client.data(SELECTIONS, {"id": gallery["id"]}, token=stranger.access_token))["node"] is None


async def test_comments_reach_the_studio_with_the_clients_selection(client, services):
    owner, gallery, photos, token = await proofing_gallery(client, services)
    said = await as_client(client, token, COMMENT, photoId=photos[1], body="  Crop a little tighter? ")
    assert said["userErrors"] == [] and said["comment"]["body"] == "Crop a little tighter?"
    assert said["comment"]["clientEmail"] == "jane@example.com"
    assert codes(await as_client(client, token, COMMENT, photoId=photos[1], body="   ")) == [
        (["body"], "INVALID_INPUT")
    ]
    assert codes(await as_client(client, token, COMMENT, photoId=photos[2], body="Hm")) == [(["photoId"], "NOT_FOUND")]
    await as_client(client, token, FAVORITE, photoId=photos[0])
    mine = (await client.data(MINE, {"slug": gallery["slug"]}, headers={HEADER: token}))["gallery"]
    assert mine["myComments"] == [{"body": "Crop a little tighter?", "photoId": photos[1]}]
    [seen] = (await client.data(SELECTIONS, {"id": gallery["id"]}, token=owner.access_token))["node"]["selections"]
    assert seen["comments"] == [{"body": "Crop a little tighter?", "photoId": photos[1]}]
    # A comment is a node its studio can read again; another studio cannot.
    node = "query($id: ID!) { node(id: $id) { ... on GalleryComment { body } } }"
    comment_id = said["comment"]["id"]
    assert (await client.data(node, {"id": comment_id}, token=owner.access_token))["node"] == {
        "body": "Crop a little tighter?"
    }
    stranger = await studio(client)
    assert (await client.data(node, {"id": comment_id}, token=stranger.access_token))["node"] is None


async def test_a_selection_submitted_at_once_many_times_is_validated_once(client, services):
    _, _, photos, token = await proofing_gallery(client, services, selectionMin=1)
    await as_client(client, token, FAVORITE, photoId=photos[0])
    answers = await asyncio.gather(*(as_client(client, token, SUBMIT, note=f"try {n}") for n in range(6)))
    outcomes = sorted("OK" if not answer["userErrors"] else answer["userErrors"][0]["code"] for answer in answers)
    assert outcomes == ["INVALID_TRANSITION"] * 5 + ["OK"]
    assert len(await validated_events(services)) == 1


async def test_favourites_picked_at_once_stay_within_the_maximum(client, services):
    owner, gallery, photos, token = await proofing_gallery(client, services, selectionMax=2)
    more = [photo_gid(key) for key in await ready_photos(services, owner, 4)]
    assert (await mutate(client, owner, ADD, galleryId=gallery["id"], photoIds=more))["userErrors"] == []
    candidates = [*photos[:2], *more]
    answers = await asyncio.gather(*(as_client(client, token, FAVORITE, photoId=photo) for photo in candidates))
    outcomes = sorted("OK" if not answer["userErrors"] else answer["userErrors"][0]["code"] for answer in answers)
    assert outcomes == ["OK", "OK"] + ["SELECTION_LIMIT"] * 4
    mine = (await client.data(MINE, {"slug": gallery["slug"]}, headers={HEADER: token}))["gallery"]
    assert [item["photoCount"] for item in mine["mySelections"]] == [2]


async def test_selections_over_many_clients_cost_the_same_sql(client, services, sql, unmetered):
    owner, gallery, photos, _ = await proofing_gallery(client, services)

    async def clients_pick(emails: list[str]) -> None:
        for email in emails:
            token = (await unlock(client, gallery["slug"], "confetti", email))["accessToken"]
            await as_client(client, token, FAVORITE, photoId=photos[0])
            await as_client(client, token, FAVORITE, photoId=photos[1], list="Album")
            await as_client(client, token, COMMENT, photoId=photos[1], body="Nice")

    async def statements() -> int:
        sql.reset()
        data = await client.data(SELECTIONS, {"id": gallery["id"]}, token=owner.access_token)
        assert all(item["photoCount"] == 1 and item["comments"] for item in data["node"]["selections"])
        return sql.count

    await clients_pick(["a@example.com", "b@example.com"])
    few = await statements()
    await clients_pick([f"client{n}@example.com" for n in range(10)])
    assert await statements() == few


async def test_analytics_count_visitors_favourites_and_selections_by_day(client, services):
    owner, gallery, photos, token = await proofing_gallery(client, services, selectionMin=1)
    john = (await unlock(client, gallery["slug"], "confetti", "john@example.com"))["accessToken"]
    for reader in [token, token, john]:
        await client.data(OPEN, {"slug": gallery["slug"]}, headers={HEADER: reader})
    today = utcnow().date()
    yesterday = today - timedelta(days=1)
    # Jane also came yesterday.
    async with services.db.unit_of_work() as uow:
        uow.session.add(
            GalleryViewDay(gallery_id=UUID(gallery_key(gallery)), visitor="jane@example.com", day=yesterday)
        )
    await as_client(client, token, FAVORITE, photoId=photos[0])
    await as_client(client, john, FAVORITE, photoId=photos[0])
    await as_client(client, token, SUBMIT)

    variables = {"id": gallery["id"], "from": yesterday.isoformat(), "to": today.isoformat()}
    figures = (await client.data(ANALYTICS, variables, token=owner.access_token))["node"]["analytics"]
    assert figures["days"] == [
        {"day": yesterday.isoformat(), "views": 1, "favorites": 0, "selections": 0},
        {"day": today.isoformat(), "views": 2, "favorites": 2, "selections": 1},
    ]
    assert (figures["views"], figures["uniqueVisitors"], figures["favorites"], figures["selections"]) == (3, 2, 2, 1)

    backwards = await client.execute(
        ANALYTICS, {**variables, "from": today.isoformat(), "to": yesterday.isoformat()}, token=owner.access_token
    )
    assert backwards["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    stranger = await studio(client)
    assert (await client.data(ANALYTICS, variables, token=stranger.access_token))["node"] is None


async def test_a_closed_or_expired_gallery_or_a_changed_password_stops_proofing(client, services):
    owner, gallery, photos, token = await proofing_gallery(client, services)
    changed = await mutate(client, owner, UPDATE, id=gallery["id"], password="streamers")
    assert changed["userErrors"] == []
    stale = await client.execute(FAVORITE, {"input": {"photoId": photos[0]}}, headers={HEADER: token})
    assert stale["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    fresh = (await unlock(client, gallery["slug"], "streamers"))["accessToken"]
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(update(Gallery).values(expires_at=utcnow() - timedelta(minutes=1)))
    assert codes(await as_client(client, fresh, FAVORITE, photoId=photos[0])) == [(["photoId"], "GALLERY_EXPIRED")]
    assert codes(await as_client(client, fresh, SUBMIT)) == [(["list"], "GALLERY_EXPIRED")]

    assert (await mutate(client, owner, UPDATE, id=gallery["id"], removeExpiry=True))["userErrors"] == []
    assert (await mutate(client, owner, ARCHIVE, id=gallery["id"]))["userErrors"] == []
    assert codes(await as_client(client, fresh, FAVORITE, photoId=photos[0])) == [(["photoId"], "NOT_FOUND")]


LIST_ANALYTICS = """query($first: Int!, $from: Date!, $to: Date!) { viewer { galleries(first: $first) { edges { node {
  analytics(from: $from, to: $to) { views favorites days { day } } } } } } }"""


async def test_analytics_over_a_page_of_galleries_cost_the_same_sql(client, services, sql, unmetered):
    owner = await studio(client)
    today = utcnow().date()
    variables = {"from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat()}

    async def add_galleries(count: int) -> None:
        for _ in range(count):
            gallery = await created(client, owner, title="Visited")
            async with services.db.unit_of_work() as uow:
                uow.session.add(GalleryViewDay(gallery_id=UUID(gallery_key(gallery)), visitor="a@b.co", day=today))

    async def statements(first: int) -> int:
        sql.reset()
        data = await client.data(LIST_ANALYTICS, {**variables, "first": first}, token=owner.access_token)
        edges = data["viewer"]["galleries"]["edges"]
        assert len(edges) == first and all(edge["node"]["analytics"]["views"] == 1 for edge in edges)
        assert all(len(edge["node"]["analytics"]["days"]) == 7 for edge in edges)
        return sql.count

    await add_galleries(2)
    few = await statements(2)
    await add_galleries(8)
    assert await statements(10) == few
