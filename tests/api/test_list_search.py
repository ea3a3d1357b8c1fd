"""Lists people search, through the API: ``viewer.photos`` and ``viewer.licenses`` with ``search`` and ``sort``
(field and direction), paged by keyset forwards and backwards across pages, nulls (a deleted photo's title)
included; bad arguments refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from lensgraph.persistence.models import License
from lensgraph.schema.core import from_global_id
from tests.api.factories import ready_photos
from tests.api.helpers import Account, sign_up
from tests.api.payment_flows import paid_licenses
from tests.api.test_license_terms import PROFILE
from tests.api.test_licensing import offer, photo_of

PHOTOS = """query($search: String, $sort: PhotoSort, $first: Int, $after: String, $last: Int, $before: String) {
  viewer { photos(search: $search, sort: $sort, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { title } } } } }"""
LICENSES = """query($search: String, $sort: LicenseSort, $first: Int, $after: String, $last: Int, $before: String) {
  viewer { licenses(search: $search, sort: $sort, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { id terms { price { amount } } photo { title } } } } } }"""


async def every_page(client, query: str, account: Account, size: int = 2, **variables: Any) -> list[dict[str, Any]]:
    """Pages forwards through the whole list, ``size`` at a time; checks paging backwards gives the same."""
    root = "photos" if "photos(" in query else "licenses"
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = await client.data(query, {**variables, "first": size, "after": after}, token=account.access_token)
        found = page["viewer"][root]
        nodes += [edge["node"] for edge in found["edges"]]
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
    backwards: list[dict[str, Any]] = []
    before = None
    while True:
        page = await client.data(query, {**variables, "last": size, "before": before}, token=account.access_token)
        found = page["viewer"][root]
        backwards = [edge["node"] for edge in found["edges"]] + backwards
        if not found["pageInfo"]["hasPreviousPage"]:
            break
        before = found["pageInfo"]["startCursor"]
    assert backwards == nodes
    assert found["totalCount"] == len(nodes)
    return nodes


@pytest.fixture
async def photographer(client) -> Account:
    return await sign_up(client, role="PHOTOGRAPHER")


async def test_photos_sorted_by_title_and_date_both_ways(client, services, photographer):
    titles = ["Delta", "Alpha", "Charlie", "Bravo", "Alpha", "Echo"]
    for title in titles:
        await ready_photos(services, photographer, 1, title=title)
    by_title = await every_page(client, PHOTOS, photographer, sort={"field": "TITLE", "direction": "ASC"})
    assert [node["title"] for node in by_title] == sorted(titles)
    by_title = await every_page(client, PHOTOS, photographer, sort={"field": "TITLE", "direction": "DESC"})
    assert [node["title"] for node in by_title] == sorted(titles, reverse=True)
    oldest = await every_page(client, PHOTOS, photographer, size=4, sort={"field": "CREATED_AT", "direction": "ASC"})
    assert [node["title"] for node in oldest] == titles
    newest = await every_page(client, PHOTOS, photographer, size=4, sort={"field": "CREATED_AT"})
    assert [node["title"] for node in newest] == titles[::-1]


async def test_photos_searched_by_title_and_keywords(client, services, photographer):
    await ready_photos(services, photographer, 1, title="Lake at dawn", keywords=["water"])
    await ready_photos(services, photographer, 1, title="Summit", keywords=["mountain", "snow"])
    await ready_photos(services, photographer, 1, title="100% cotton", keywords=[])
    for text, expected in (("LAKE", ["Lake at dawn"]), ("mountain", ["Summit"]), ("%", ["100% cotton"])):
        found = (await client.data(PHOTOS, {"search": text}, token=photographer.access_token))["viewer"]["photos"]
        assert [edge["node"]["title"] for edge in found["edges"]] == expected, text
    others = await sign_up(client, role="PHOTOGRAPHER")
    nothing = (await client.data(PHOTOS, {"search": "lake"}, token=others.access_token))["viewer"]["photos"]
    assert nothing["totalCount"] == 0


async def test_bad_list_arguments_are_refused(client, photographer):
    too_long = await client.execute(PHOTOS, {"search": "s" * 201}, token=photographer.access_token)
    assert too_long["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert too_long["errors"][0]["extensions"].get("field", ["search"]) == ["search"]
    too_long = await client.execute(LICENSES, {"search": "s" * 201}, token=photographer.access_token)
    assert too_long["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    unknown = await client.execute(PHOTOS, {"sort": {"field": "PRICE"}}, token=photographer.access_token)
    assert unknown.get("data") is None and "PRICE" in unknown["errors"][0]["message"]
    unknown = await client.execute(LICENSES, {"sort": {"field": "POPULARITY"}}, token=photographer.access_token)
    assert unknown.get("data") is None and "POPULARITY" in unknown["errors"][0]["message"]


async def test_licenses_sorted_by_price_and_title_and_searched(client, services, photographer):
    brand = await sign_up(client, role="BRAND", firstName="Jane", lastName="Buyer")
    await client.data(PROFILE, {"input": {"companyName": "Northwind Ltd"}}, token=brand.access_token)
    other = await sign_up(client, role="BRAND", firstName="Bob", lastName="Other")
    made = []
    for title, price, who in (
        ("Harbour", 30_000, brand),
        ("Forest", 10_000, brand),
        ("Glacier", 20_000, other),
        ("Canyon", 20_000, brand),
        ("Gone", 5_000, other),
    ):
        photo_id = await photo_of(services, photographer, title=title)
        made.append((await offer(client, who, photo_id, price={"amount": price, "currency": "EUR"}))["license"]["id"])
    # The last one's photo was deleted since: its title is null, and sorts as the empty title.
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(
            update(License).where(License.id == from_global_id(made[-1])[1]).values(photo_id=None)
        )

    cheapest = await every_page(client, LICENSES, photographer, sort={"field": "PRICE", "direction": "ASC"})
    prices = [node["terms"]["price"]["amount"] for node in cheapest]
    assert prices == [5_000, 10_000, 20_000, 20_000, 30_000]
    dearest = await every_page(client, LICENSES, photographer, sort={"field": "PRICE", "direction": "DESC"})
    assert [node["id"] for node in dearest] == [node["id"] for node in cheapest][::-1]

    by_title = await every_page(client, LICENSES, photographer, sort={"field": "TITLE", "direction": "ASC"})
    assert [node["photo"]["title"] if node["photo"] else None for node in by_title] == [
        None,
        "Canyon",
        "Forest",
        "Glacier",
        "Harbour",
    ]
    by_title = await every_page(client, LICENSES, photographer, sort={"field": "TITLE", "direction": "DESC"})
    assert by_title[-1]["photo"] is None

    # Search: the other party's name, username or company; the photo's title.
    for text, count in (("northwind", 3), ("jane buyer", 3), ("bob", 2), ("glacier", 1), ("nothing", 0)):
        found = await every_page(client, LICENSES, photographer, search=text, sort={"field": "PRICE"})
        assert len(found) == count, text
    # The brand searching its own name finds nothing: the search is of the other party.
    mine = (await client.data(LICENSES, {"search": "northwind"}, token=brand.access_token))["viewer"]["licenses"]
    assert mine["totalCount"] == 0
    theirs = (await client.data(LICENSES, {"search": photographer.username}, token=brand.access_token))["viewer"]
    assert theirs["licenses"]["totalCount"] == 3


async def test_sorted_and_searched_licenses_cost_the_same_at_any_size(client, services, photographer, sql):
    brand = await sign_up(client, role="BRAND")
    query = """{ viewer { licenses(search: "photo", sort: {field: TITLE, direction: ASC}, first: 50) {
      totalCount edges { node { terms { price { amount } } photo { title } brand { username } references { client } } }
    } } }"""
    counts = []
    for more in (3, 21):
        await paid_licenses(services, brand, photographer, more)
        sql.reset()
        found = (await client.data(query, token=photographer.access_token))["viewer"]["licenses"]
        counts.append(sql.count)
    assert found["totalCount"] == 24 and len(found["edges"]) == 24
    assert counts[0] == counts[1], counts
