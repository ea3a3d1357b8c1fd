"""Richer photo text (IPTC/XMP, inferred keywords) and enterprise search: filters, facets, orders, plans."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pyexiv2
import pytest
from PIL import Image

from lensgraph.domain.licensing import Exclusivity, LicenseStatus, Usage
from lensgraph.domain.money import Currency
from lensgraph.domain.photos import Orientation, PhotoCategory, ReleaseKind
from lensgraph.persistence.models import License
from lensgraph.schema.core import to_global_id
from tests.api.factories import ready_photos, user_key
from tests.api.helpers import sign_up, subscribe
from tests.api.test_discovery import add_release
from tests.api.test_photos import CONFIRM, put, request_upload

PAGE = "totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title } }"
FACETS = """facets { category { value count } orientation { value count } color { value count }
  photographer { value count } licenseUsage { value count } priceBand { value count } hasRelease { value count }
  verified { value count } }"""
SEARCH = f"""query($query: String!, $filter: PhotoFilter, $orderBy: PhotoSearchOrder, $first: Int, $after: String) {{
  searchPhotos(query: $query, filter: $filter, orderBy: $orderBy, first: $first, after: $after) {{ {PAGE} }} }}"""
SEARCH_FACETS = f"""query($query: String!, $filter: PhotoFilter) {{
  searchPhotos(query: $query, filter: $filter, first: 1) {{ totalCount {FACETS} }} }}"""
PHOTO = """query($id: ID!) { node(id: $id) { ... on Photo { title description keywords autoKeywords
  licenseOffer { usages price { amount currency } exclusiveAvailable } } } }"""
UPDATE = """mutation($input: UpdatePhotoInput!) { updatePhoto(input: $input) {
  photo { licenseOffer { usages price { amount currency formatted } exclusiveAvailable } }
  userErrors { field code } } }"""
SINGLE_VALUED = ("category", "orientation", "photographer", "priceBand", "hasRelease", "verified")


def titles(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["title"] for edge in connection["edges"]]


def jpeg(rgb: tuple[int, int, int] = (90, 120, 160), iptc: dict[str, Any] | None = None, xmp: Any = None) -> bytes:
    """A real JPEG carrying IPTC IIM and/or XMP text, written by exiv2."""
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), rgb).save(buffer, "JPEG", quality=95)
    with pyexiv2.ImageData(buffer.getvalue()) as image:
        if iptc:
            image.modify_iptc(iptc)
        if xmp:
            image.modify_xmp(xmp)
        written: bytes = image.get_bytes()
    return written


async def upload(client, account, data: bytes, **fields: Any) -> dict[str, Any]:
    target = await request_upload(client, account, data)
    assert (await put(client, target, data)).status_code == 200
    variables = {"input": {"uploadId": target["uploadId"], **fields}}
    confirmed = (await client.data(CONFIRM, variables, token=account.access_token))["confirmPhotoUpload"]
    assert confirmed["userErrors"] == [], confirmed
    photo: dict[str, Any] = confirmed["photo"]
    return photo


async def search(client, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
    body = await client.execute(SEARCH, {"query": query, **variables}, token=token)
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["searchPhotos"]
    return found


async def paid_brand(client) -> str:
    brand = await sign_up(client, role="BRAND")
    await subscribe(client, brand, "brand-basic")
    token: str = brand.access_token
    return token


# --- the photographer's own text ---------------------------------------------------------------


async def test_iptc_and_xmp_text_is_read_found_by_search_and_never_overrides_the_owner(client, background):
    owner = await sign_up(client)
    iptc = {
        "Iptc.Application2.ObjectName": "Astronaut at dawn",
        "Iptc.Application2.Caption": "A spacesuit glinting on the launch pad",
        "Iptc.Application2.Keywords": ["Spacesuit", "launch pad", "spacesuit"],
    }
    xmp = {
        "Xmp.dc.title": {'lang="x-default"': "Ocean liner"},
        "Xmp.dc.description": {'lang="x-default"': "A steamship leaving Genoa, Café Zürich in view"},
        "Xmp.dc.subject": ["steamship", "harbour"],
    }
    from_iptc = await upload(client, owner, jpeg(iptc=iptc))
    from_xmp = await upload(client, owner, jpeg((160, 90, 40), xmp=xmp))
    typed = await upload(client, owner, jpeg((40, 160, 90), iptc=iptc), title="My own title", keywords=["rocket"])
    assert from_iptc["title"] == "" and from_iptc["keywords"] == []
    await background.settle()

    async def photo(confirmed: dict[str, Any]) -> dict[str, Any]:
        node: dict[str, Any] = (await client.data(PHOTO, {"id": confirmed["id"]}))["node"]
        return node

    iptc_photo = await photo(from_iptc)
    assert iptc_photo["title"] == "Astronaut at dawn"
    assert iptc_photo["description"] == "A spacesuit glinting on the launch pad"
    assert iptc_photo["keywords"] == ["spacesuit", "launch pad"]
    xmp_photo = await photo(from_xmp)
    assert xmp_photo["title"] == "Ocean liner"
    assert xmp_photo["description"] == "A steamship leaving Genoa, Café Zürich in view"
    assert xmp_photo["keywords"] == ["steamship", "harbour"]
    # What the owner typed stands; only what they left empty (the description) comes from the file.
    typed_photo = await photo(typed)
    assert typed_photo["title"] == "My own title" and typed_photo["keywords"] == ["rocket"]
    assert typed_photo["description"] == "A spacesuit glinting on the launch pad"

    assert set(titles(await search(client, "spacesuit"))) == {"Astronaut at dawn", "My own title"}
    assert titles(await search(client, "steamship")) == ["Ocean liner"]
    assert titles(await search(client, "zürich")) == ["Ocean liner"]
    assert titles(await search(client, "launch pad")) == ["Astronaut at dawn", "My own title"]


async def test_an_edit_made_while_the_analysis_runs_is_kept(client, background):
    owner = await sign_up(client)
    iptc = {"Iptc.Application2.Caption": "From the file", "Iptc.Application2.Keywords": ["filed"]}
    confirmed = await upload(client, owner, jpeg(iptc=iptc), title="Edited")
    edit = {"input": {"id": confirmed["id"], "description": "Typed by the owner", "keywords": ["typed"]}}
    edited = "mutation($input: UpdatePhotoInput!) { updatePhoto(input: $input) { userErrors { code } } }"
    assert (await client.data(edited, edit, token=owner.access_token))["updatePhoto"]["userErrors"] == []
    await background.settle()
    node = (await client.data(PHOTO, {"id": confirmed["id"]}))["node"]
    assert node["description"] == "Typed by the owner" and node["keywords"] == ["typed"]


async def test_inferred_keywords_are_found_and_rank_below_the_photographers_words(client, services):
    owner = await sign_up(client)
    await ready_photos(services, owner, 1, title="Crowd", auto_keywords=["landscape", "people"], face_count=3)
    await ready_photos(services, owner, 1, title="Square", keywords=["people"])
    await ready_photos(services, owner, 1, title="Plaza", description="people")
    await ready_photos(services, owner, 1, title="People", auto_keywords=["portrait"])
    await ready_photos(services, owner, 1, title="Empty", auto_keywords=["landscape"])
    found = await search(client, "people")
    assert titles(found) == ["People", "Square", "Plaza", "Crowd"] and found["totalCount"] == 4
    assert titles(await search(client, "portrait")) == ["People"]


# --- enterprise search ------------------------------------------------------------------------


async def running_license(services, owner, buyer, photo_id, ends_at: datetime | None = None) -> None:
    """An ACTIVE worldwide license on the photo until ``ends_at`` (the licensing API is another area's; the row is
    enough)."""
    async with services.db.unit_of_work() as uow:
        uow.session.add(
            License(
                photo_id=photo_id,
                brand_id=user_key(buyer),
                photographer_id=user_key(owner),
                status=LicenseStatus.ACTIVE,
                expires_at=datetime.now(UTC) + timedelta(days=7),
                usage=Usage.COMMERCIAL,
                media=["WEB"],
                territories=[],
                duration_days=None,
                exclusivity=Exclusivity.NONE,
                price_amount=5000,
                price_currency=Currency.EUR,
                starts_at=datetime.now(UTC) - timedelta(days=30),
                ends_at=ends_at,
            )
        )


async def offer(client, account, photo_id, **fields: Any) -> dict[str, Any]:
    variables = {"input": {"id": to_global_id("Photo", photo_id), "licenseOffer": fields}}
    updated: dict[str, Any] = (await client.data(UPDATE, variables, token=account.access_token))["updatePhoto"]
    return updated


@pytest.fixture
async def catalogue(client, services) -> dict[str, Any]:
    """Four public photos found by "view", differing in every enterprise filter."""
    iris = await sign_up(client, username="iris")
    noor = await sign_up(client, username="noor")
    buyer = await sign_up(client, role="BRAND")
    common = {"description": "a wide view"}
    [dune] = await ready_photos(
        services, iris, 1, title="Dune", category=PhotoCategory.NATURE, face_count=0, colors=["#285ac8"],
        captured_at=datetime(2021, 3, 1, tzinfo=UTC), popularity=5, **common,
    )  # fmt: skip
    [tower] = await ready_photos(
        services, noor, 1, title="Tower", category=PhotoCategory.URBAN, orientation=Orientation.PORTRAIT,
        face_count=2, colors=["#c81e1e"], captured_at=datetime(2023, 7, 14, tzinfo=UTC), popularity=9, **common,
    )  # fmt: skip
    [tile] = await ready_photos(services, iris, 1, title="Tile", orientation=Orientation.SQUARE, popularity=1, **common)
    [market] = await ready_photos(
        services, noor, 1, title="Market", category=PhotoCategory.URBAN, face_count=1, colors=["#c81e1e"],
        captured_at=datetime(2023, 7, 15, tzinfo=UTC), popularity=7, **common,
    )  # fmt: skip
    euros = "EUR"
    assert (await offer(client, iris, dune, usages=["COMMERCIAL", "EDITORIAL"], exclusiveAvailable=True,
                        price={"amount": 12000, "currency": euros}))["userErrors"] == []  # fmt: skip
    assert (await offer(client, noor, tower, usages=["EDITORIAL"], price={"amount": 60000, "currency": euros}))[
        "userErrors"
    ] == []
    assert (await offer(client, noor, market, usages=["COMMERCIAL"], exclusiveAvailable=True,
                        price={"amount": 2000, "currency": euros}))["userErrors"] == []  # fmt: skip
    await add_release(services, noor, [tower], ReleaseKind.MODEL)
    await add_release(services, noor, [market], ReleaseKind.PROPERTY)
    # A license already in force on Market: an exclusive one can no longer be had.
    await running_license(services, noor, buyer, market)
    # One on Dune that has ended: it blocks nothing.
    await running_license(services, iris, buyer, dune, ends_at=datetime.now(UTC) - timedelta(seconds=5))
    return {"iris": iris, "noor": noor, "dune": dune, "tower": tower, "tile": tile, "market": market}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"licenseUsage": "COMMERCIAL"}, {"Dune", "Market"}),
        ({"licenseUsage": "EDITORIAL"}, {"Dune", "Tower"}),
        ({"licenseUsage": "EXTENDED"}, set()),
        ({"price": {"currency": "EUR", "min": 5000, "max": 60000}}, {"Dune", "Tower"}),
        ({"price": {"currency": "EUR", "max": 5000}}, {"Market"}),
        ({"price": {"currency": "EUR", "min": 12000, "max": 12000}}, {"Dune"}),
        ({"price": {"currency": "EUR"}}, {"Dune", "Tower", "Market"}),
        ({"price": {"currency": "USD"}}, set()),
        ({"exclusiveAvailable": True}, {"Dune"}),
        ({"exclusiveAvailable": False}, {"Tower", "Tile", "Market"}),
        ({"peoplePresent": True}, {"Tower", "Market"}),
        ({"peoplePresent": False}, {"Dune", "Tile"}),
        ({"releaseKind": "MODEL"}, {"Tower"}),
        ({"releaseKind": "PROPERTY"}, {"Market"}),
        ({"hasRelease": False}, {"Dune", "Tile"}),
        ({"orientation": "PORTRAIT"}, {"Tower"}),
        ({"color": "red"}, {"Tower", "Market"}),
        ({"photographer": "iris"}, {"Dune", "Tile"}),
        ({"category": "URBAN"}, {"Tower", "Market"}),
        ({"capturedAfter": "2023-01-01T00:00:00Z", "capturedBefore": "2023-07-15T00:00:00Z"}, {"Tower"}),
        ({"licenseUsage": "COMMERCIAL", "peoplePresent": True, "photographer": "noor"}, {"Market"}),
    ],
)
async def test_each_enterprise_filter(client, catalogue, condition, expected):
    token = await paid_brand(client)
    found = await search(client, "view", token, filter=condition, first=100)
    assert set(titles(found)) == expected and found["totalCount"] == len(expected)


async def test_the_license_offer_is_shown_and_checked(client, catalogue):
    node = (await client.data(PHOTO, {"id": to_global_id("Photo", catalogue["dune"])}))["node"]
    assert node["licenseOffer"] == {
        "usages": ["EDITORIAL", "COMMERCIAL"],  # in LicenseUsage's order
        "price": {"amount": 12000, "currency": "EUR"},
        "exclusiveAvailable": True,
    }
    iris, dune = catalogue["iris"], catalogue["dune"]
    for fields, field in [
        ({"usages": ["COMMERCIAL"], "price": {"amount": 0, "currency": "EUR"}}, ["licenseOffer", "price"]),
        ({"usages": [], "exclusiveAvailable": True}, ["licenseOffer", "usages"]),
        ({"usages": ["COMMERCIAL"], "price": {"amount": 100, "currency": "XXX"}}, ["licenseOffer.price.currency"]),
    ]:
        refused = await offer(client, iris, dune, **fields)
        assert refused["userErrors"] == [{"field": field, "code": "INVALID_INPUT"}], refused
    # Another photographer's photo is not theirs to price.
    assert (await offer(client, catalogue["noor"], dune, usages=["PERSONAL"]))["userErrors"][0]["code"] == "NOT_FOUND"
    node = (await client.data(PHOTO, {"id": to_global_id("Photo", dune)}))["node"]
    assert node["licenseOffer"]["usages"] == ["EDITORIAL", "COMMERCIAL"]
    # An empty offer: licenses on request only, and the usage filter no longer finds it.
    assert (await offer(client, iris, dune, usages=[]))["userErrors"] == []
    node = (await client.data(PHOTO, {"id": to_global_id("Photo", dune)}))["node"]
    assert node["licenseOffer"] is None
    token = await paid_brand(client)
    assert titles(await search(client, "view", token, filter={"licenseUsage": "EDITORIAL"})) == ["Tower"]


def buckets(facet: list[dict[str, Any]]) -> dict[str | None, int]:
    return {bucket["value"]: bucket["count"] for bucket in facet}


async def test_facets_count_the_whole_filtered_result_and_add_up_to_the_total(client, catalogue, sql):
    token = await paid_brand(client)
    sql.reset()
    body = await client.data(SEARCH_FACETS, {"query": "view"}, token=token)
    # The page, the total and every facet: one statement for the facets, grouped in the database.
    facet_statements = [statement for statement in sql.statements if "GROUP BY" in statement.upper()]
    assert len(facet_statements) == 1, sql.statements
    result = body["searchPhotos"]
    facets = result["facets"]
    assert result["totalCount"] == 4
    assert buckets(facets["category"]) == {"URBAN": 2, "NATURE": 1, None: 1}
    assert buckets(facets["orientation"]) == {"LANDSCAPE": 2, "PORTRAIT": 1, "SQUARE": 1}
    assert buckets(facets["photographer"]) == {"iris": 2, "noor": 2}
    assert buckets(facets["priceBand"]) == {"EUR 0-50": 1, "EUR 50-200": 1, "EUR 500-1000": 1, None: 1}
    assert buckets(facets["hasRelease"]) == {"true": 2, "false": 2}
    assert buckets(facets["verified"]) == {"false": 4}
    assert buckets(facets["licenseUsage"]) == {"COMMERCIAL": 2, "EDITORIAL": 2}
    assert buckets(facets["color"]) == {"red": 2, "blue": 1}
    assert facets["category"][0] == {"value": "URBAN", "count": 2}  # most photos first
    for condition in [{"photographer": "noor"}, {"peoplePresent": False}, {"licenseUsage": "COMMERCIAL"}]:
        filtered = await client.data(SEARCH_FACETS, {"query": "view", "filter": condition}, token=token)
        result = filtered["searchPhotos"]
        for name in SINGLE_VALUED:
            assert sum(buckets(result["facets"][name]).values()) == result["totalCount"], (condition, name)
    nothing = await client.data(SEARCH_FACETS, {"query": "the"}, token=token)
    assert nothing["searchPhotos"]["totalCount"] == 0 and nothing["searchPhotos"]["facets"]["category"] == []


async def test_each_order_pages_by_its_own_key(client, catalogue):
    token = await paid_brand(client)

    async def pages(order: str) -> list[str]:
        seen, after = [], None
        while True:
            page = await search(client, "view", token, orderBy=order, first=1, after=after)
            assert page["totalCount"] == 4
            seen += titles(page)
            if not page["pageInfo"]["hasNextPage"]:
                return seen
            after = page["pageInfo"]["endCursor"]

    assert await pages("NEWEST") == ["Market", "Tile", "Tower", "Dune"]
    assert await pages("POPULARITY") == ["Tower", "Market", "Dune", "Tile"]
    relevance = await pages("RELEVANCE")
    assert sorted(relevance) == ["Dune", "Market", "Tile", "Tower"]
    assert titles(await search(client, "view", token, first=100)) == relevance  # RELEVANCE is the default
    # A cursor made in one order is refused in another, never read as its keys.
    newest = await search(client, "view", token, orderBy="NEWEST", first=1)
    body = await client.execute(
        SEARCH, {"query": "view", "orderBy": "POPULARITY", "after": newest["pageInfo"]["endCursor"]}, token=token
    )
    assert body["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": ["after"]}


async def test_enterprise_search_needs_a_paid_plan(client, catalogue):
    free = await sign_up(client, role="BRAND")
    for token in (None, free.access_token):
        assert (await search(client, "view", token))["totalCount"] == 4  # the plain search stays free
        for variables, field in [
            ({"orderBy": "NEWEST"}, "orderBy"),
            ({"filter": {"peoplePresent": True}}, "filter"),
            ({"filter": {"price": {"currency": "EUR", "max": 100}}}, "filter"),
        ]:
            body = await client.execute(SEARCH, {"query": "view", **variables}, token=token)
            assert body["data"] is None, body
            assert body["errors"][0]["extensions"] == {"code": "PAYMENT_REQUIRED", "field": [field]}
        # Facets asked for: the results still come, the facets are refused beside them.
        body = await client.execute(SEARCH_FACETS, {"query": "view"}, token=token)
        assert body["data"]["searchPhotos"]["totalCount"] == 4 and body["data"]["searchPhotos"]["facets"] is None
        assert body["errors"][0]["extensions"] == {"code": "PAYMENT_REQUIRED", "field": ["facets"]}
        assert body["errors"][0]["path"] == ["searchPhotos", "facets"]


@pytest.mark.parametrize(
    ("condition", "field"),
    [
        ({"price": {"currency": "EUR", "min": 500, "max": 100}}, ["filter", "price", "max"]),
        ({"price": {"currency": "EUR", "min": -1}}, ["filter", "price", "min"]),
        ({"capturedAfter": "2024-01-01T00:00:00Z", "capturedBefore": "2023-01-01T00:00:00Z"}, None),
        ({"color": "chartreuse-ish"}, ["filter", "color"]),
    ],
)
async def test_upside_down_or_bad_filters_are_invalid_input(client, catalogue, condition, field):
    token = await paid_brand(client)
    body = await client.execute(SEARCH, {"query": "view", "filter": condition}, token=token)
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", body
    if field is not None:
        assert body["errors"][0]["extensions"]["field"] == field
