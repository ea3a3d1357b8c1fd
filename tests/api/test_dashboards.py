"""Dashboards through the API: photo views counted in memory and flushed, the photographer's and the brand's
figures after a real licensing flow, refused windows and roles, and a statement count that stays flat."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import select, update

from lensgraph.app import create_app
from lensgraph.app.services import Services
from lensgraph.domain.licensing import LicenseStatus
from lensgraph.domain.photos import PhotoStatus, Visibility
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import License, Photo
from lensgraph.schema.core import to_global_id
from tests.api.factories import ready_photos, user_key
from tests.api.helpers import Account, sign_up
from tests.api.payment_flows import paid_licenses, pay, signed_license
from tests.api.test_licensing import DECLINE, answer, offer, photo_of
from tests.conftest import GraphQLClient

# stripe-python's httpx transport sends its form body as data=<str>, which httpx deprecates (in their code, not ours).
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")

PHOTOGRAPHER_DASHBOARD = """query($from: Date!, $to: Date!, $first: Int! = 5) { viewer {
  photographerDashboard(from: $from, to: $to) {
    from to
    views { total daily { day count } }
    licensesByStatus { status count }
    earnings { currency gross { amount } fee { amount } net { amount formatted } }
    topPhotos(first: $first) { photo { id title } views offers licenses } } } }"""
BRAND_DASHBOARD = """query($from: Date!, $to: Date!) { viewer {
  brandDashboard(from: $from, to: $to) {
    from to
    offers { total byStatus { status count } daily { day count } }
    activeLicenses
    spending { amount currency formatted } } } }"""
VIEW = "query($id: ID!) { node(id: $id) { id } }"
VIEW_MANY = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
BROWSE = "{ photos { edges { node { id title } } } }"
DELETE = "mutation($id: ID!) { deletePhoto(input: {id: $id}) { ok userErrors { field code } } }"


def around_today() -> dict[str, str]:
    """Yesterday to tomorrow, UTC: today's views and deals, even if the test runs across midnight."""
    today = utcnow().date()
    return {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}


async def photographer_dashboard(
    client, account: Account, window: dict[str, Any] | None = None, **variables: Any
) -> dict[str, Any]:
    data = await client.data(
        PHOTOGRAPHER_DASHBOARD, {**(window or around_today()), **variables}, token=account.access_token
    )
    dashboard: dict[str, Any] = data["viewer"]["photographerDashboard"]
    return dashboard


async def brand_dashboard(client, account: Account, window: dict[str, Any] | None = None) -> dict[str, Any]:
    data = await client.data(BRAND_DASHBOARD, window or around_today(), token=account.access_token)
    dashboard: dict[str, Any] = data["viewer"]["brandDashboard"]
    return dashboard


async def view(client, photo_id: str, account: Account | None = None, times: int = 1) -> None:
    for _ in range(times):
        await client.data(VIEW, {"id": photo_id}, token=account.access_token if account else None)


def top(dashboard: dict[str, Any]) -> list[tuple[str, int]]:
    return [(item["photo"]["id"], item["views"]) for item in dashboard["topPhotos"]]


def counts(items: list[dict[str, Any]]) -> dict[str, int]:
    """A status count list as {status: count}, without the zeros."""
    return {item["status"]: item["count"] for item in items if item["count"]}


def error_of(body: dict[str, Any]) -> tuple[str, list[str] | None]:
    [error] = body["errors"]
    return error["extensions"]["code"], error["extensions"].get("field")


@pytest.fixture
async def people(client) -> tuple[Account, Account]:
    return await sign_up(client, role="PHOTOGRAPHER"), await sign_up(client, role="BRAND")


# Counting views -----------------------------------------------------------------------------------


async def test_views_by_others_are_counted_not_the_owners_nor_of_photos_others_cannot_see(client, services, people):
    photographer, brand = people
    first, second = [to_global_id("Photo", key) for key in await ready_photos(services, photographer, 2)]
    [private] = await ready_photos(services, photographer, 1, visibility=Visibility.PRIVATE)
    [processing] = await ready_photos(services, photographer, 1, status=PhotoStatus.PROCESSING)
    hidden = [to_global_id("Photo", private), to_global_id("Photo", processing)]

    await view(client, first, brand, times=2)
    await view(client, first)  # anonymous readers count
    await view(client, second, await sign_up(client, role="PHOTOGRAPHER"))
    # Not views: the owner's own reads, photos nobody else may see, appearances in lists.
    await view(client, first, photographer, times=3)
    for photo_id in hidden:
        assert (await client.data(VIEW, {"id": photo_id}, token=brand.access_token))["node"] is None
        await view(client, photo_id, photographer)
    assert len((await client.data(BROWSE))["photos"]["edges"]) == 2
    await client.data(VIEW_MANY, {"ids": [first, second]}, token=brand.access_token)

    # Counted in memory until flushed: nothing is written per view.
    assert (await photographer_dashboard(client, photographer))["views"]["total"] == 0
    assert await services.views.flush() == 4

    dashboard = await photographer_dashboard(client, photographer)
    assert dashboard["views"]["total"] == 4
    today = str(utcnow().date())
    assert {item["day"]: item["count"] for item in dashboard["views"]["daily"]}[today] == 4
    assert top(dashboard) == [(first, 3), (second, 1)]
    assert [item["photo"]["title"] for item in dashboard["topPhotos"]] == ["Photo 1", "Photo 2"]


async def test_flushes_and_api_nodes_add_up(client, services, settings, people):
    photographer, brand = people
    first, second = [to_global_id("Photo", key) for key in await ready_photos(services, photographer, 2)]
    await view(client, first, brand, times=2)
    assert await services.views.flush() == 2
    assert await services.views.flush() == 0  # nothing recorded since: nothing written
    await view(client, first, brand)
    await view(client, second, brand)

    # A second API node on the same database counts its own views of the same photos on the same day; both
    # flush at the same moment.
    other_node = Services(settings)
    transport = httpx.ASGITransport(app=create_app(settings, services=other_node))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            await view(GraphQLClient(http), first, times=5)
            await view(GraphQLClient(http), second, times=2)
        written = await asyncio.gather(services.views.flush(), other_node.views.flush())
    finally:
        await other_node.close()
    assert written == [2, 7]

    dashboard = await photographer_dashboard(client, photographer)
    assert dashboard["views"]["total"] == 2 + 2 + 7
    assert top(dashboard) == [(first, 8), (second, 3)]


async def test_a_photo_deleted_before_the_flush_is_skipped(client, services, people):
    photographer, brand = people
    kept, deleted = [to_global_id("Photo", key) for key in await ready_photos(services, photographer, 2)]
    await view(client, kept, brand)
    await view(client, deleted, brand, times=2)
    deleted_now = await client.data(DELETE, {"id": deleted}, token=photographer.access_token)
    assert deleted_now["deletePhoto"]["ok"] is True

    await services.views.flush()
    assert services.views.pending == 0  # nothing kept back for a retry that would fail again
    dashboard = await photographer_dashboard(client, photographer)
    assert (dashboard["views"]["total"], top(dashboard)) == (1, [(kept, 1)])


async def test_views_left_at_shutdown_are_written(client, services, settings, people):
    photographer, brand = people
    photo_id = await photo_of(services, photographer)
    other_node = Services(settings)
    transport = httpx.ASGITransport(app=create_app(settings, services=other_node))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        await view(GraphQLClient(http), photo_id, brand, times=3)
    await other_node.close()
    assert (await photographer_dashboard(client, photographer))["views"]["total"] == 3


async def test_the_background_flush_writes_views_every_few_seconds(client, services, people):
    photographer, brand = people
    photo_id = await photo_of(services, photographer)
    services.views.interval = 0.01
    await services.views.start()
    await view(client, photo_id, brand)
    for _ in range(500):
        if (await photographer_dashboard(client, photographer))["views"]["total"]:
            break
        await asyncio.sleep(0.01)
    await services.views.stop()
    assert (await photographer_dashboard(client, photographer))["views"]["total"] == 1


# The figures after a licensing flow --------------------------------------------------------------


async def test_dashboards_after_offers_a_paid_license_and_views(client, services, people, stripe_fake):
    photographer, brand = people
    licensed, declined = [to_global_id("Photo", key) for key in await ready_photos(services, photographer, 2)]
    license_id = await signed_license(client, brand, photographer, licensed)
    await pay(client, stripe_fake, brand, license_id)
    open_offer = await offer(client, brand, licensed, price={"amount": 9_900, "currency": "USD"})
    assert open_offer["userErrors"] == []
    turned_down = (await offer(client, brand, declined))["license"]["id"]
    assert (await answer(client, DECLINE, photographer, licenseId=turned_down))["userErrors"] == []
    await view(client, licensed, brand, times=3)
    await view(client, declined, brand)
    await services.views.flush()

    dashboard = await photographer_dashboard(client, photographer)
    assert dashboard["views"]["total"] == 4
    # Every status, in the order of the enum, zero included.
    assert [item["status"] for item in dashboard["licensesByStatus"]] == [status.value for status in LicenseStatus]
    assert counts(dashboard["licensesByStatus"]) == {"OFFERED": 1, "DECLINED": 1, "ACTIVE": 1}
    # 250.00 EUR paid; the platform keeps 20%.
    assert dashboard["earnings"] == [
        {
            "currency": "EUR",
            "gross": {"amount": 25_000},
            "fee": {"amount": 5_000},
            "net": {"amount": 20_000, "formatted": "200.00 EUR"},
        }
    ]
    assert dashboard["topPhotos"] == [
        {"photo": {"id": licensed, "title": "Photo 1"}, "views": 3, "offers": 2, "licenses": 1},
        {"photo": {"id": declined, "title": "Photo 2"}, "views": 1, "offers": 1, "licenses": 0},
    ]
    assert top(await photographer_dashboard(client, photographer, first=1)) == [(licensed, 3)]

    spent = await brand_dashboard(client, brand)
    assert spent["offers"]["total"] == 3
    assert counts(spent["offers"]["byStatus"]) == {"OFFERED": 1, "DECLINED": 1, "ACTIVE": 1}
    assert sum(item["count"] for item in spent["offers"]["daily"]) == 3
    assert spent["activeLicenses"] == 1
    # The open USD offer is not spending: only payments that went through are.
    assert spent["spending"] == [{"amount": 25_000, "currency": "EUR", "formatted": "250.00 EUR"}]

    # A window before any of it: zeros on every day, nothing per currency; licenses in force still count.
    last_week = {"from": str(utcnow().date() - timedelta(days=9)), "to": str(utcnow().date() - timedelta(days=3))}
    before = await photographer_dashboard(client, photographer, last_week)
    assert before["views"] == {
        "total": 0,
        "daily": [
            {"day": str(date.fromisoformat(last_week["from"]) + timedelta(days=n)), "count": 0} for n in range(7)
        ],
    }
    assert (counts(before["licensesByStatus"]), before["earnings"], before["topPhotos"]) == ({}, [], [])
    earlier = await brand_dashboard(client, brand, last_week)
    assert (earlier["offers"]["total"], earlier["spending"], earlier["activeLicenses"]) == (0, [], 1)
    assert [item["count"] for item in earlier["offers"]["daily"]] == [0] * 7

    # Another photographer and another brand see none of it.
    rival_photographer, rival_brand = await sign_up(client, role="PHOTOGRAPHER"), await sign_up(client, role="BRAND")
    theirs = await photographer_dashboard(client, rival_photographer)
    assert (theirs["views"]["total"], counts(theirs["licensesByStatus"]), theirs["earnings"], theirs["topPhotos"]) == (
        0,
        {},
        [],
        [],
    )
    other_brand = await brand_dashboard(client, rival_brand)
    assert (other_brand["offers"]["total"], other_brand["activeLicenses"], other_brand["spending"]) == (0, 0, [])


async def test_licenses_that_ended_are_not_active(client, services, people):
    photographer, brand = people
    await paid_licenses(services, brand, photographer, 2)
    assert (await brand_dashboard(client, brand))["activeLicenses"] == 2
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(update(License).values(ends_at=utcnow() - timedelta(minutes=1)))
    assert (await brand_dashboard(client, brand))["activeLicenses"] == 0


# Refusals -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "field"),
    [
        ({"from": "2026-05-02", "to": "2026-05-01"}, ["to"]),
        ({"from": "2026-01-01", "to": "2027-01-02"}, ["to"]),
    ],
)
async def test_a_window_ending_before_it_starts_or_longer_than_366_days_is_refused(client, people, window, field):
    photographer, brand = people
    for query, account in ((PHOTOGRAPHER_DASHBOARD, photographer), (BRAND_DASHBOARD, brand)):
        body = await client.execute(query, window, token=account.access_token)
        assert error_of(body) == ("INVALID_INPUT", field)
        assert list(body["data"]["viewer"].values()) == [None]


async def test_a_whole_leap_year_is_a_window(client, people):
    photographer, _ = people
    dashboard = await photographer_dashboard(client, photographer, {"from": "2028-01-01", "to": "2028-12-31"})
    assert len(dashboard["views"]["daily"]) == 366


@pytest.mark.parametrize("first", [0, 21])
async def test_top_photos_are_1_to_20(client, people, first):
    photographer, _ = people
    body = await client.execute(
        PHOTOGRAPHER_DASHBOARD, {**around_today(), "first": first}, token=photographer.access_token
    )
    assert error_of(body) == ("INVALID_INPUT", ["first"])


async def test_each_dashboard_is_its_roles_own(client, people):
    photographer, brand = people
    body = await client.execute(PHOTOGRAPHER_DASHBOARD, around_today(), token=brand.access_token)
    assert error_of(body) == ("FORBIDDEN", None)
    body = await client.execute(BRAND_DASHBOARD, around_today(), token=photographer.access_token)
    assert error_of(body) == ("FORBIDDEN", None)
    studio = await sign_up(client, role="STUDIO")
    assert (await photographer_dashboard(client, studio))["views"]["total"] == 0
    body = await client.execute(BRAND_DASHBOARD, around_today(), token=studio.access_token)
    assert error_of(body) == ("FORBIDDEN", None)


async def test_anonymous_callers_have_no_viewer_and_so_no_dashboard(client):
    for query in (PHOTOGRAPHER_DASHBOARD, BRAND_DASHBOARD):
        body = await client.execute(query, around_today())
        assert body["data"] == {"viewer": None} and "errors" not in body


# Statements ---------------------------------------------------------------------------------------


async def photo_keys(services, account: Account) -> list[UUID]:
    async with services.db.session() as session:
        return list(await session.scalars(select(Photo.id).where(Photo.user_id == user_key(account))))


async def statements_for_dashboards(client, services, sql, photographer: Account, brand: Account) -> int:
    """Views every photo of the photographer once more, then answers what both whole dashboards cost together."""
    photos = await photo_keys(services, photographer)
    for photo_id in photos:
        services.views.record(photo_id, utcnow().date())
    await services.views.flush()
    sql.reset()
    dashboard = await photographer_dashboard(client, photographer, first=20)
    spent = await brand_dashboard(client, brand)
    statements = sql.count
    assert len(dashboard["topPhotos"]) == min(len(photos), 20)
    assert counts(dashboard["licensesByStatus"]) == {"ACTIVE": len(photos)}
    assert (spent["offers"]["total"], spent["activeLicenses"]) == (len(photos), len(photos))
    assert spent["spending"] == [
        {"amount": 10_000 * len(photos), "currency": "EUR", "formatted": spent["spending"][0]["formatted"]}
    ]
    return statements


async def test_dashboards_cost_the_same_statements_for_3_photos_and_30(client, services, sql, people):
    photographer, brand = people
    await paid_licenses(services, brand, photographer, 3)
    with_three = await statements_for_dashboards(client, services, sql, photographer, brand)
    await paid_licenses(services, brand, photographer, 27)
    with_thirty = await statements_for_dashboards(client, services, sql, photographer, brand)
    assert (await photographer_dashboard(client, photographer))["views"]["total"] == 3 + 30
    # Each: the viewer's user, then views, licenses by status, earnings, top photos and their photos; the brand's
    # user, offers, licenses in force and spending.
    assert with_three == with_thirty == 10
