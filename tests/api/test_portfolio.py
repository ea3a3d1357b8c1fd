"""Portfolios through the API: settings, featured photos, the public page, and flat SQL for its lists."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from lensgraph.domain.photos import PhotoStatus, Visibility
from lensgraph.schema.core import to_global_id
from tests.api.factories import ready_photos
from tests.api.helpers import sign_up
from tests.api.test_collections import ADD, created, mutate

SETTINGS = "headline bio theme socialLinks { network url }"
UPDATE = f"""mutation($input: UpdatePortfolioSettingsInput!) {{ updatePortfolioSettings(input: $input) {{
  portfolio {{ user {{ username }} {SETTINGS} }} userErrors {{ field code message }} }} }}"""
FEATURE = """mutation($input: SetFeaturedPhotosInput!) { setFeaturedPhotos(input: $input) {
  portfolio { featuredPhotos { id } } userErrors { field code message } } }"""
PORTFOLIO = f"""query($username: String!) {{ portfolio(username: $username) {{
  user {{ username }} {SETTINGS} photoCount featuredPhotos {{ id }}
  collections {{ totalCount edges {{ node {{ title }} }} }} }} }}"""


def gid(key: UUID) -> str:
    return to_global_id("Photo", key)


async def update(client, account, **values: Any) -> dict[str, Any]:
    data = await client.data(UPDATE, {"input": values}, token=account.access_token)
    return data["updatePortfolioSettings"]


async def feature(client, account, photo_ids: list[str]) -> dict[str, Any]:
    data = await client.data(FEATURE, {"input": {"photoIds": photo_ids}}, token=account.access_token)
    return data["setFeaturedPhotos"]


async def portfolio(client, username: str, token: str | None = None) -> dict[str, Any] | None:
    page: dict[str, Any] | None = (await client.data(PORTFOLIO, {"username": username}, token=token))["portfolio"]
    return page


def errors(payload: dict[str, Any]) -> list[tuple[list[str], str]]:
    return [(error["field"], error["code"]) for error in payload["userErrors"]]


async def test_a_new_portfolio_has_the_defaults_and_settings_change_what_is_given(client):
    owner = await sign_up(client)
    fresh = await portfolio(client, owner.username)
    assert fresh == {
        "user": {"username": owner.username},
        "headline": "",
        "bio": "",
        "theme": "LIGHT",
        "socialLinks": [],
        "photoCount": 0,
        "featuredPhotos": [],
        "collections": {"totalCount": 0, "edges": []},
    }
    links = [
        {"network": "INSTAGRAM", "url": "https://www.instagram.com/ada"},
        {"network": "WEBSITE", "url": " https://ada.example/work "},
    ]
    saved = await update(
        client, owner, headline="  Light  and shade ", bio="Coasts.\n\nDunes.", theme="DARK", socialLinks=links
    )
    assert saved["userErrors"] == []
    assert saved["portfolio"] == {
        "user": {"username": owner.username},
        "headline": "Light and shade",
        "bio": "Coasts.\n\nDunes.",
        "theme": "DARK",
        "socialLinks": [links[0], {"network": "WEBSITE", "url": "https://ada.example/work"}],
    }
    partial = await update(client, owner, theme="MINIMAL")
    assert partial["portfolio"]["headline"] == "Light and shade" and partial["portfolio"]["theme"] == "MINIMAL"
    replaced = await update(client, owner, socialLinks=[{"network": "X", "url": "https://x.com/ada"}])
    assert replaced["portfolio"]["socialLinks"] == [{"network": "X", "url": "https://x.com/ada"}]
    public = await portfolio(client, owner.username.upper())
    assert public is not None
    assert (public["headline"], public["theme"], public["socialLinks"]) == (
        "Light and shade",
        "MINIMAL",
        [{"network": "X", "url": "https://x.com/ada"}],
    )


async def test_bad_settings_are_refused_with_their_field_and_write_nothing(client):
    owner = await sign_up(client)
    await update(client, owner, headline="Before", socialLinks=[{"network": "WEBSITE", "url": "https://a.example"}])
    cases = [
        ({"socialLinks": [{"network": "WEBSITE", "url": "http://a.example"}]}, ["socialLinks", "0", "url"]),
        ({"socialLinks": [{"network": "WEBSITE", "url": "javascript:alert(1)"}]}, ["socialLinks", "0", "url"]),
        (
            {
                "socialLinks": [
                    {"network": "WEBSITE", "url": "https://a.example"},
                    {"network": "INSTAGRAM", "url": "https://evil.example/ada"},
                ]
            },
            ["socialLinks", "1", "url"],
        ),
        (
            {"socialLinks": [{"network": "X", "url": "https://x.com/a"}, {"network": "X", "url": "https://x.com/b"}]},
            ["socialLinks", "1", "network"],
        ),
        ({"headline": "h" * 201, "bio": "fine"}, ["headline"]),
        ({"bio": "b" * 2001, "headline": "Changed"}, ["bio"]),
    ]
    for values, field in cases:
        refused = await update(client, owner, **values)
        assert refused["portfolio"] is None and errors(refused) == [(field, "INVALID_INPUT")], values
    bad_enum = await client.execute(UPDATE, {"input": {"theme": "NEON"}}, token=owner.access_token)
    assert bad_enum["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    bad_network = await client.execute(
        UPDATE,
        {"input": {"socialLinks": [{"network": "MYSPACE", "url": "https://myspace.com"}]}},
        token=owner.access_token,
    )
    assert bad_network["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    unchanged = await portfolio(client, owner.username)
    assert unchanged is not None
    assert (unchanged["headline"], unchanged["bio"]) == ("Before", "")
    assert unchanged["socialLinks"] == [{"network": "WEBSITE", "url": "https://a.example"}]


async def test_only_photographers_and_studios_have_a_portfolio(client, services):
    brand, studio = await sign_up(client, role="BRAND"), await sign_up(client, role="STUDIO")
    for document, variables in ((UPDATE, {"input": {"headline": "Hi"}}), (FEATURE, {"input": {"photoIds": []}})):
        body = await client.execute(document, variables, token=brand.access_token)
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        anonymous = await client.execute(document, variables)
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await portfolio(client, brand.username) is None
    assert await portfolio(client, "nobody-by-this-name") is None
    assert (await update(client, studio, headline="Weddings and portraits"))["userErrors"] == []
    assert (await portfolio(client, studio.username))["headline"] == "Weddings and portraits"


async def test_first_saves_racing_each_other_both_succeed(client):
    owner = await sign_up(client)
    answers = await asyncio.gather(update(client, owner, headline="One"), update(client, owner, bio="Two"))
    assert [answer["userErrors"] for answer in answers] == [[], []]
    saved = await portfolio(client, owner.username)
    assert saved is not None and (saved["headline"], saved["bio"]) == ("One", "Two")


async def test_featured_photos_are_your_own_ready_ones_in_order(client, services):
    owner, other = await sign_up(client), await sign_up(client)
    photos = [gid(key) for key in await ready_photos(services, owner, 4)]
    [processing] = [gid(key) for key in await ready_photos(services, owner, 1, status=PhotoStatus.PROCESSING)]
    [theirs] = [gid(key) for key in await ready_photos(services, other, 1)]

    chosen = await feature(client, owner, [photos[2], photos[0], photos[1]])
    assert chosen["userErrors"] == []
    assert [photo["id"] for photo in chosen["portfolio"]["featuredPhotos"]] == [photos[2], photos[0], photos[1]]
    replaced = await feature(client, owner, [photos[3], photos[2]])
    assert [photo["id"] for photo in replaced["portfolio"]["featuredPhotos"]] == [photos[3], photos[2]]

    refusals = [
        ([photos[0], theirs], (["photoIds", "1"], "NOT_FOUND")),
        ([gid(UUID(int=5))], (["photoIds", "0"], "NOT_FOUND")),
        ([photos[0], "nonsense"], (["photoIds"], "NOT_FOUND")),
        ([processing], (["photoIds", "0"], "INVALID_INPUT")),
        ([photos[0], photos[0]], (["photoIds"], "INVALID_INPUT")),
        ([photos[0]] * 25, (["photoIds"], "INVALID_INPUT")),
    ]
    for photo_ids, expected in refusals:
        refused = await feature(client, owner, photo_ids)
        assert refused["portfolio"] is None and errors(refused) == [expected], photo_ids
    current = await portfolio(client, owner.username, owner.access_token)
    assert current is not None and [photo["id"] for photo in current["featuredPhotos"]] == [photos[3], photos[2]]
    cleared = await feature(client, owner, [])
    assert cleared["portfolio"]["featuredPhotos"] == []


async def test_others_see_only_public_photos_and_public_collections(client, services):
    owner, visitor = await sign_up(client), await sign_up(client, role="BRAND")
    public = [gid(key) for key in await ready_photos(services, owner, 2)]
    await ready_photos(services, owner, 1, status=PhotoStatus.PROCESSING)
    await ready_photos(services, owner, 1, visibility=Visibility.PRIVATE)
    await feature(client, owner, public)
    hide = "mutation($input: UpdatePhotoInput!) { updatePhoto(input: $input) { userErrors { code } } }"
    await client.data(hide, {"input": {"id": public[0], "visibility": "PRIVATE"}}, token=owner.access_token)
    await created(client, owner, title="Open", visibility="PUBLIC")
    await created(client, owner, title="Drafts", visibility="PRIVATE")

    own = await portfolio(client, owner.username, owner.access_token)
    assert own is not None
    assert [photo["id"] for photo in own["featuredPhotos"]] == public and own["photoCount"] == 4
    for token in (visitor.access_token, None):
        seen = await portfolio(client, owner.username, token)
        assert seen is not None
        assert [photo["id"] for photo in seen["featuredPhotos"]] == public[1:] and seen["photoCount"] == 1
        assert seen["collections"] == {"totalCount": 1, "edges": [{"node": {"title": "Open"}}]}
    # The public page is public: its owner sees the same collections there (all of them are in viewer.collections).
    assert own["collections"]["totalCount"] == 1


async def test_a_portfolios_lists_cost_the_same_sql_as_they_grow(client, services, sql):
    owner = await sign_up(client)
    query = """query($username: String!) { portfolio(username: $username) {
      user { username } photoCount featuredPhotos { id title photographer { username } collections { title } }
      collections(first: 50) { totalCount edges { node { title photoCount coverPhoto { id } owner { username } } } }
    } }"""

    async def statements_for(featured: int, collections: int) -> int:
        photos = [gid(key) for key in await ready_photos(services, owner, featured)]
        await feature(client, owner, photos)
        for index in range(collections):
            collection = await created(client, owner, title=f"Set {featured}-{index}")
            await mutate(client, owner, ADD, collectionId=collection["id"], photoId=photos[index % featured])
        sql.reset()
        page = (await client.data(query, {"username": owner.username}))["portfolio"]
        assert len(page["featuredPhotos"]) == featured
        assert all(edge["node"]["photoCount"] == 1 for edge in page["collections"]["edges"])
        return sql.count

    few = await statements_for(3, 3)
    assert await statements_for(24, 30) == few
