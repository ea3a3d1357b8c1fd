"""Public discovery through the API: the root photos list, its filters and orders, and searchPhotos."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from PIL import Image

from lensgraph.domain.photos import Orientation, PhotoCategory, PhotoStatus, ReleaseKind, Visibility
from lensgraph.persistence.models import Release, ReleasePhoto
from lensgraph.schema.core import to_global_id
from tests.api.factories import ready_photos, user_key
from tests.api.helpers import sign_up, subscribe
from tests.api.test_photos import CONFIRM, put, request_upload, upload

PAGE = "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id title } }"
PHOTOS = f"""query($filter: PhotoFilter, $orderBy: PhotoOrder, $first: Int, $after: String, $last: Int,
  $before: String) {{ photos(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last,
  before: $before) {{ {PAGE} }} }}"""
SEARCH = f"""query($query: String!, $filter: PhotoFilter, $first: Int, $after: String) {{
  searchPhotos(query: $query, filter: $filter, first: $first, after: $after) {{ {PAGE} }} }}"""
NODE = "query($id: ID!) { node(id: $id) { ... on Photo { title category visibility } } }"
UPDATE = """mutation($input: UpdatePhotoInput!) { updatePhoto(input: $input) {
  photo { title keywords category visibility } userErrors { field code } } }"""


def gid(photo_id: Any) -> str:
    return to_global_id("Photo", photo_id)


def titles(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["title"] for edge in connection["edges"]]


async def browse(client, token: str | None = None, **variables: Any) -> dict[str, Any]:
    return (await client.data(PHOTOS, variables, token=token))["photos"]


async def search(client, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
    return (await client.data(SEARCH, {"query": query, **variables}, token=token))["searchPhotos"]


async def refusal(client, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The one error of a refused query: a coded GraphQL error, no data, never INTERNAL."""
    body = await client.execute(document, variables)
    assert body["data"] is None and len(body["errors"]) == 1, body
    extensions: dict[str, Any] = body["errors"][0]["extensions"]
    return extensions


async def update(client, account, photo_id: Any, **fields: Any) -> dict[str, Any]:
    variables = {"input": {"id": gid(photo_id), **fields}}
    return (await client.data(UPDATE, variables, token=account.access_token))["updatePhoto"]


async def forward_pages(client, document: str, field: str, size: int, **variables: Any) -> list[list[str]]:
    """Every page from the first, following endCursor, as lists of titles."""
    pages, after = [], None
    while True:
        connection = (await client.data(document, {**variables, "first": size, "after": after}))[field]
        pages.append(titles(connection))
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not connection["pageInfo"]["hasNextPage"]:
            return pages
        after = connection["pageInfo"]["endCursor"]


async def backward_pages(client, size: int, **variables: Any) -> list[list[str]]:
    """Every page from the last, following startCursor backwards, in reading order."""
    pages, before = [], None
    while True:
        connection = await browse(client, **variables, last=size, before=before)
        pages.insert(0, titles(connection))
        assert connection["pageInfo"]["hasNextPage"] is (before is not None)
        if not connection["pageInfo"]["hasPreviousPage"]:
            return pages
        before = connection["pageInfo"]["startCursor"]


def solid_jpeg(rgb: tuple[int, int, int], width: int = 320, height: int = 200) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), rgb).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


async def add_release(services, owner, photo_ids, kind: ReleaseKind = ReleaseKind.MODEL) -> None:
    """A signed release covering ``photo_ids`` (the releases API is another area's; the rows are enough)."""
    async with services.db.unit_of_work() as uow:
        release = Release(
            user_id=user_key(owner),
            kind=kind,
            subject_name="Grace Hopper",
            signed_on=date(2026, 1, 5),
            document_key="releases/grace.pdf",
            document_mime_type="application/pdf",
        )
        uow.session.add(release)
        await uow.session.flush()
        uow.session.add_all(ReleasePhoto(release_id=release.id, photo_id=photo_id) for photo_id in photo_ids)


# --- who sees what ----------------------------------------------------------------------------


async def test_only_ready_public_photos_are_listed_found_or_resolved_for_others(client, services):
    owner = await sign_up(client)
    brand = await sign_up(client, role="BRAND")
    [public] = await ready_photos(services, owner, 1, title="Public sunset")
    hidden = [
        *await ready_photos(services, owner, 1, title="Private sunset", visibility=Visibility.PRIVATE),
        *await ready_photos(services, owner, 1, title="Processing sunset", status=PhotoStatus.PROCESSING),
        *await ready_photos(services, owner, 1, title="Failed sunset", status=PhotoStatus.FAILED),
    ]
    # Public lists are public even to the owner: their own private photos are under viewer.photos.
    for token in (None, brand.access_token, owner.access_token):
        listed = await browse(client, token)
        found = await search(client, "sunset", token)
        assert titles(listed) == titles(found) == ["Public sunset"]
        assert listed["totalCount"] == found["totalCount"] == 1
    for token in (None, brand.access_token):
        assert (await client.data(NODE, {"id": gid(public)}, token=token))["node"]["title"] == "Public sunset"
        for photo_id in hidden:
            assert (await client.data(NODE, {"id": gid(photo_id)}, token=token))["node"] is None
    for photo_id in hidden:
        assert (await client.data(NODE, {"id": gid(photo_id)}, token=owner.access_token))["node"] is not None
    own = await client.data("{ viewer { photos { totalCount } } }", token=owner.access_token)
    assert own["viewer"]["photos"]["totalCount"] == 4


async def test_visibility_and_category_are_set_at_confirmation_and_by_updates(client, background):
    owner = await sign_up(client)
    other = await sign_up(client)
    target = await upload(client, owner, solid_jpeg((200, 30, 30)))
    photo_id = target["photo"]["id"]
    await background.settle()
    assert titles(await browse(client)) == ["Sunset"]

    node = (await client.data(NODE, {"id": photo_id}, token=owner.access_token))["node"]
    assert node == {"title": "Sunset", "category": None, "visibility": "PUBLIC"}
    variables = {"input": {"id": photo_id, "category": "TRAVEL", "visibility": "PRIVATE"}}
    changed = (await client.data(UPDATE, variables, token=owner.access_token))["updatePhoto"]
    assert (changed["photo"]["category"], changed["photo"]["visibility"]) == ("TRAVEL", "PRIVATE")
    assert titles(await browse(client)) == []
    assert (await client.data(NODE, {"id": photo_id}, token=other.access_token))["node"] is None

    variables = {"input": {"id": photo_id, "visibility": "PUBLIC"}}
    assert (await client.data(UPDATE, variables, token=owner.access_token))["updatePhoto"]["userErrors"] == []
    node = (await client.data(NODE, {"id": photo_id}, token=other.access_token))["node"]
    assert node == {"title": "Sunset", "category": "TRAVEL", "visibility": "PUBLIC"}


async def test_a_photo_confirmed_private_is_never_listed(client, background):
    owner = await sign_up(client)
    data = solid_jpeg((40, 160, 60))
    target = await request_upload(client, owner, data)
    await put(client, target, data)
    variables = {
        "input": {"uploadId": target["uploadId"], "title": "Fern", "category": "NATURE", "visibility": "PRIVATE"}
    }
    confirmed = (await client.data(CONFIRM, variables, token=owner.access_token))["confirmPhotoUpload"]
    assert confirmed["userErrors"] == []
    await background.settle()
    node = (await client.data(NODE, {"id": confirmed["photo"]["id"]}, token=owner.access_token))["node"]
    assert node == {"title": "Fern", "category": "NATURE", "visibility": "PRIVATE"}
    assert (await browse(client))["totalCount"] == 0
    assert (await search(client, "fern"))["totalCount"] == 0


async def test_updates_to_another_users_photo_or_with_bad_values_change_nothing(client, services):
    owner = await sign_up(client)
    other = await sign_up(client)
    [photo_id] = await ready_photos(services, owner, 1, title="Pier", keywords=["pier"])
    await update(client, owner, photo_id, keywords=["pier"])

    theirs = await update(client, other, photo_id, visibility="PRIVATE", category="FOOD", keywords=["mine"])
    assert theirs == {"photo": None, "userErrors": [{"field": ["id"], "code": "NOT_FOUND"}]}
    # An invalid keyword refuses the whole update: the visibility given with it is not written either.
    half = await update(client, owner, photo_id, visibility="PRIVATE", keywords=["x" * 51])
    assert half["userErrors"] == [{"field": ["keywords"], "code": "INVALID_INPUT"}]
    # NUL is refused for every text input before anything runs (see test_http_rules).
    nul = await refusal(client, UPDATE, {"input": {"id": gid(photo_id), "keywords": ["pier\u0000"]}})
    assert nul["code"] == "INVALID_INPUT"
    bad_enum = await refusal(client, UPDATE, {"input": {"id": gid(photo_id), "category": "CATS"}})
    assert bad_enum["code"] == "INVALID_INPUT"

    node = (await client.data(NODE, {"id": gid(photo_id)}))["node"]
    assert node == {"title": "Pier", "category": None, "visibility": "PUBLIC"}
    assert titles(await browse(client, filter={"keyword": "pier"})) == ["Pier"]
    assert titles(await browse(client, filter={"keyword": "mine"})) == []


# --- orders and pages -------------------------------------------------------------------------


async def test_newest_first_pages_forwards_and_backwards(client, services):
    owner = await sign_up(client)
    await ready_photos(services, owner, 7)
    newest_first = [f"Photo {number}" for number in range(7, 0, -1)]
    assert titles(await browse(client, first=100)) == newest_first
    forward = await forward_pages(client, PHOTOS, "photos", 3)
    assert forward == [newest_first[0:3], newest_first[3:6], newest_first[6:]]
    assert await backward_pages(client, 3) == [newest_first[0:1], newest_first[1:4], newest_first[4:]]


async def test_popular_first_breaks_ties_by_id_across_pages(client, services):
    owner = await sign_up(client)
    popularity = {"Quiet": 0, "Liked": 3, "Loved A": 9, "Loved B": 9, "Loved C": 9, "Seen": 1, "Seen too": 1}
    keys = {}
    for title, saves in popularity.items():
        [keys[title]] = await ready_photos(services, owner, 1, title=title, popularity=saves)
    expected = sorted(popularity, key=lambda title: (popularity[title], keys[title]), reverse=True)
    assert titles(await browse(client, orderBy="POPULAR", first=100)) == expected
    forward = await forward_pages(client, PHOTOS, "photos", 2, orderBy="POPULAR")
    assert [title for page in forward for title in page] == expected and len(forward) == 4
    backward = await backward_pages(client, 2, orderBy="POPULAR")
    assert [title for page in backward for title in page] == expected


async def test_bad_pages_and_filters_are_coded_errors(client, services):
    owner = await sign_up(client)
    await ready_photos(services, owner, 2)
    newest_cursor = (await browse(client, first=1))["pageInfo"]["endCursor"]
    popular_cursor = (await browse(client, first=1, orderBy="POPULAR"))["pageInfo"]["endCursor"]
    cases = [
        ({"filter": {"color": "chartreuse"}}, ["filter", "color"]),
        ({"filter": {"color": "#0000ff"}}, ["filter", "color"]),
        ({"filter": {"keyword": "  "}}, ["filter", "keyword"]),
        ({"filter": {"keyword": "sea\u0000"}}, None),
        ({"filter": {"photographer": "\u0000"}}, None),
        ({"filter": {"keyword": "sea\u0007"}}, ["filter", "keyword"]),
        ({"filter": {"minWidth": -1}}, ["filter", "minWidth"]),
        ({"filter": {"capturedAfter": "2026-01-02T00:00:00Z", "capturedBefore": "2026-01-01T00:00:00Z"}}, None),
        ({"orderBy": "POPULAR", "after": newest_cursor}, ["after"]),
        ({"orderBy": "NEWEST", "after": popular_cursor}, ["after"]),
        ({"after": "not-a-cursor"}, ["after"]),
        ({"first": 1000}, ["first"]),
    ]
    for variables, field in cases:
        extensions = await refusal(client, PHOTOS, variables)
        assert extensions["code"] == "INVALID_INPUT", variables
        assert field is None or extensions["field"] == field, (variables, extensions)
    for invalid in ({"orderBy": "OLDEST"}, {"filter": {"category": "CATS"}}, {"filter": {"minWidth": "wide"}}):
        assert (await refusal(client, PHOTOS, invalid))["code"] == "INVALID_INPUT"


# --- filters ----------------------------------------------------------------------------------


@pytest.fixture
async def catalogue(client, services) -> dict[str, Any]:
    """Four public photos by two photographers that differ in every filtered column, and one release."""
    iris = await sign_up(client, username="iris")
    noor = await sign_up(client, username="noor")
    [dune] = await ready_photos(
        services, iris, 1, title="Dune", category=PhotoCategory.NATURE, width=6000, height=4000,
        captured_at=datetime(2021, 3, 1, tzinfo=UTC),
    )  # fmt: skip
    [tower] = await ready_photos(
        services, noor, 1, title="Tower", category=PhotoCategory.URBAN, orientation=Orientation.PORTRAIT,
        width=2000, height=3000, captured_at=datetime(2023, 7, 14, 18, tzinfo=UTC),
    )  # fmt: skip
    [tile] = await ready_photos(
        services, iris, 1, title="Tile", orientation=Orientation.SQUARE, width=1000, height=1000
    )
    [market] = await ready_photos(
        services, noor, 1, title="Market", category=PhotoCategory.URBAN, width=3000, height=2000,
        captured_at=datetime(2023, 7, 15, tzinfo=UTC),
    )  # fmt: skip
    await add_release(services, noor, [tower])
    return {"iris": iris, "noor": noor, "dune": dune, "tower": tower, "tile": tile, "market": market}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({}, {"Dune", "Tower", "Tile", "Market"}),
        ({"category": "URBAN"}, {"Tower", "Market"}),
        ({"category": "FOOD"}, set()),
        ({"orientation": "PORTRAIT"}, {"Tower"}),
        ({"orientation": "LANDSCAPE"}, {"Dune", "Market"}),
        ({"photographer": "iris"}, {"Dune", "Tile"}),
        ({"photographer": " NOOR "}, {"Tower", "Market"}),
        ({"photographer": "nobody-here"}, set()),
        ({"minWidth": 3000}, {"Dune", "Market"}),
        ({"minWidth": 1}, {"Dune", "Tower", "Tile", "Market"}),
        ({"hasRelease": True}, {"Tower"}),
        ({"hasRelease": False}, {"Dune", "Tile", "Market"}),
        ({"capturedAfter": "2023-01-01T00:00:00Z"}, {"Tower", "Market"}),
        ({"capturedBefore": "2023-07-15T00:00:00Z"}, {"Dune", "Tower"}),
        ({"capturedAfter": "2023-07-14T18:00:00Z", "capturedBefore": "2023-07-15T00:00:00Z"}, {"Tower"}),
        ({"capturedAfter": "2023-07-14T20:00:00+02:00", "capturedBefore": "2023-07-15T00:00:00"}, {"Tower"}),
        ({"category": "URBAN", "hasRelease": False, "photographer": "noor"}, {"Market"}),
    ],
)
async def test_each_filter_and_their_combination(client, catalogue, condition, expected):
    listed = await browse(client, filter=condition, first=100)
    assert set(titles(listed)) == expected and listed["totalCount"] == len(expected)


async def test_keyword_filter_follows_keyword_updates(client, catalogue):
    iris, dune = catalogue["iris"], catalogue["dune"]
    assert (await update(client, iris, dune, keywords=["Golden  Hour", "sand"]))["userErrors"] == []
    assert titles(await browse(client, filter={"keyword": "golden hour"})) == ["Dune"]
    assert titles(await browse(client, filter={"keyword": "SAND"})) == ["Dune"]
    assert titles(await browse(client, filter={"keyword": "golden"})) == []  # exact keywords, not words

    assert (await update(client, iris, dune, keywords=["desert"]))["userErrors"] == []
    assert titles(await browse(client, filter={"keyword": "sand"})) == []
    assert titles(await browse(client, filter={"keyword": "desert"})) == ["Dune"]


async def test_uploaded_photos_are_tagged_with_keywords_inferred_keywords_and_colours(client, background):
    owner = await sign_up(client)
    blue = (await upload(client, owner, solid_jpeg((40, 90, 200)), title="Blue hour"))["photo"]
    await upload(client, owner, solid_jpeg((200, 30, 30), width=200, height=320), title="Red door")
    # Confirmation already files the photographer's keywords; analysis adds what it infers. (That a PROCESSING
    # photo is not public yet is tested with a photo held in that status: here the worker may already be done.)
    await background.settle()

    def listed(**condition: Any):
        return browse(client, filter=condition)

    assert titles(await listed(color="blue")) == ["Blue hour"]
    assert titles(await listed(color="red")) == ["Red door"]
    assert titles(await listed(color="green")) == []
    assert titles(await listed(keyword="landscape")) == ["Blue hour"]
    assert titles(await listed(keyword="portrait")) == ["Red door"]
    assert set(titles(await listed(keyword="dusk"))) == {"Blue hour", "Red door"}
    # New keywords replace the old ones; the colours and inferred keywords stay.
    variables = {"input": {"id": blue["id"], "keywords": ["cobalt"]}}
    assert (await client.data(UPDATE, variables, token=owner.access_token))["updatePhoto"]["userErrors"] == []
    assert titles(await listed(keyword="sea")) == ["Red door"]
    assert titles(await listed(color="blue", keyword="cobalt")) == ["Blue hour"]
    assert titles(await listed(color="blue", keyword="landscape")) == ["Blue hour"]


# --- search -----------------------------------------------------------------------------------


async def test_a_title_match_outranks_a_keyword_match_which_outranks_a_description_match(client, services):
    owner = await sign_up(client)
    await ready_photos(services, owner, 1, title="Harbour", description="Boats and a sunset behind the harbour wall.")
    await ready_photos(services, owner, 1, title="Sunset over the dunes")
    await ready_photos(services, owner, 1, title="Boats", keywords=["sunset", "boats"])
    await ready_photos(services, owner, 1, title="Noon", description="Midday light, no sun going down.")
    found = await search(client, "sunset")
    assert titles(found) == ["Sunset over the dunes", "Boats", "Harbour"]
    assert found["totalCount"] == 3


async def test_search_stems_words_and_needs_every_word(client, services):
    owner = await sign_up(client)
    await ready_photos(services, owner, 1, title="Sunset at the pier")
    await ready_photos(services, owner, 1, title="Sunsets everywhere", description="Walking on dunes")
    assert set(titles(await search(client, "sunsets"))) == {"Sunset at the pier", "Sunsets everywhere"}
    assert set(titles(await search(client, "SUNSET"))) == {"Sunset at the pier", "Sunsets everywhere"}
    assert titles(await search(client, "walk dune")) == ["Sunsets everywhere"]
    assert titles(await search(client, "the sunset pier")) == ["Sunset at the pier"]
    assert titles(await search(client, "sunset beach")) == []


async def test_search_applies_the_filter_and_pages_in_rank_order(client, services):
    owner = await sign_up(client)
    other = await sign_up(client, username="ravi")
    for number in range(1, 6):
        await ready_photos(services, owner, 1, title=f"Beach {number}", keywords=["beach"] * (number % 2))
    await ready_photos(services, owner, 2, description="a beach far away")
    await ready_photos(services, other, 1, title="Beach by Ravi", category=PhotoCategory.TRAVEL)
    everything = titles(await search(client, "beach", first=100))
    assert len(everything) == 8
    pages = await forward_pages(client, SEARCH, "searchPhotos", 3, query="beach")
    assert [len(page) for page in pages] == [3, 3, 2]
    assert [title for page in pages for title in page] == everything
    brand = await sign_up(client, role="BRAND")
    await subscribe(client, brand, "brand-basic")
    token = brand.access_token
    assert titles(await search(client, "beach", token, filter={"photographer": "ravi"})) == ["Beach by Ravi"]
    assert titles(await search(client, "beach", token, filter={"category": "TRAVEL", "photographer": "ravi"})) == [
        "Beach by Ravi"
    ]
    assert titles(await search(client, "beach", token, filter={"category": "FOOD"})) == []


async def test_search_filters_need_a_paid_plan_and_plain_search_does_not(client, services):
    owner = await sign_up(client)
    await ready_photos(services, owner, 1, title="Beach at dawn", category=PhotoCategory.TRAVEL)
    free_brand = await sign_up(client, role="BRAND")
    for token in (None, free_brand.access_token):
        assert titles(await search(client, "beach", token)) == ["Beach at dawn"]
        body = await client.execute(SEARCH, {"query": "beach", "filter": {"category": "TRAVEL"}}, token=token)
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "PAYMENT_REQUIRED", body
        assert body["errors"][0]["extensions"]["field"] == ["filter"]
    # Browsing with the same filter stays free.
    assert titles(await browse(client, free_brand.access_token, filter={"category": "TRAVEL"})) == ["Beach at dawn"]


HOSTILE = [
    '"',
    '""',
    "AND (",
    "sunset AND (",
    "OR",
    "NOT sunset",
    "sunset*",
    "*",
    "^sunset",
    "NEAR(sunset pier)",
    "title:sunset",
    "{title description}: sunset",
    "'; DROP TABLE photos; --",
    "sunset' OR '1'='1",
    "\\",
    "%_%",
    "sunset & !pier | (",
    "<-> :* !",
    "😀 sunset",
]


async def test_hostile_search_text_is_only_ever_words(client, services):
    owner = await sign_up(client)
    await ready_photos(services, owner, 1, title="Sunset at the pier")
    for query in HOSTILE:
        body = await client.execute(SEARCH, {"query": query})
        assert "errors" not in body, (query, body)
        found = titles(body["data"]["searchPhotos"])
        assert found in ([], ["Sunset at the pier"]), (query, found)
    assert titles(await search(client, 'sunset"')) == ["Sunset at the pier"]
    assert titles(await search(client, "AND (")) == []
    assert (await refusal(client, SEARCH, {"query": "\u0000sunset"}))["code"] == "INVALID_INPUT"
    assert (await browse(client))["totalCount"] == 1


@pytest.mark.parametrize("query", ["", "   ", "x" * 201])
async def test_an_empty_or_overlong_query_is_refused(client, query):
    extensions = await refusal(client, SEARCH, {"query": query})
    assert extensions == {"code": "INVALID_INPUT", "field": ["query"]}


async def test_search_follows_edits_and_deletions(client, services):
    owner = await sign_up(client)
    [photo_id] = await ready_photos(services, owner, 1, title="Lighthouse", description="Stormy nights")
    assert titles(await search(client, "night")) == ["Lighthouse"]
    await update(client, owner, photo_id, title="Beacon", description="Calm morning", keywords=["coast"])
    assert titles(await search(client, "lighthouse")) == titles(await search(client, "night")) == []
    assert titles(await search(client, "calm beacon coast")) == ["Beacon"]
    delete = "mutation($id: ID!) { deletePhoto(input: {id: $id}) { ok } }"
    assert (await client.data(delete, {"id": gid(photo_id)}, token=owner.access_token))["deletePhoto"]["ok"]
    assert (await search(client, "beacon"))["totalCount"] == 0
    [again] = await ready_photos(services, owner, 1, title="Beacon again")
    assert titles(await search(client, "beacon")) == ["Beacon again"] and again != photo_id


# --- statement counts -------------------------------------------------------------------------

BROWSE_WITH_PHOTOGRAPHERS = """query($first: Int) { photos(first: $first) { totalCount edges { node {
  title category visibility photographer { username } } } } }"""
SEARCH_WITH_PHOTOGRAPHERS = """query($first: Int) { searchPhotos(query: "view", first: $first) { totalCount
  edges { node { title photographer { username } } } } }"""


async def test_a_page_costs_the_same_statements_for_5_photos_as_for_50(client, services, sql):
    photographers = [await sign_up(client) for _ in range(3)]

    async def statements_for(total: int) -> tuple[int, int]:
        listed = (await browse(client, first=100))["totalCount"]
        for index in range(total - listed):
            await ready_photos(services, photographers[index % 3], 1, title=f"View {listed + index}")
        counts = []
        for document, field in ((BROWSE_WITH_PHOTOGRAPHERS, "photos"), (SEARCH_WITH_PHOTOGRAPHERS, "searchPhotos")):
            sql.reset()
            page = (await client.data(document, {"first": total}))[field]
            assert len(page["edges"]) == page["totalCount"] == total
            assert {edge["node"]["photographer"]["username"] for edge in page["edges"]} == {
                account.username for account in photographers
            }
            counts.append(sql.count)
        return counts[0], counts[1]

    assert await statements_for(5) == await statements_for(50)
