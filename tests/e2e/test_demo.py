"""``serve --demo`` seeds a small living marketplace once per database, through the API, and prints who to sign
in as at every start. Set ``LENSGRAPH_TEST_DATABASE_URL`` to seed a PostgreSQL database instead of SQLite."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import httpx

from lensgraph.seed.catalogue import ANSEL, BRAND, DEMO_PASSWORD, DOROTHEA, STUDIO, DemoUser

from .conftest import Server, running_server

OWNER_VIEW = """{ viewer {
  photos(first: 100) {
    totalCount edges { node { title status keywords autoKeywords category faceCount needsModelRelease } } }
  collections(first: 20) { totalCount edges { node { title visibility photoCount } } }
  modelReleases(first: 10) { totalCount } propertyReleases(first: 10) { totalCount }
  webhookEndpoints(first: 10) { edges { node { url enabled } } }
  payoutAccount { status }
  notifications(first: 100) { totalCount }
  verifications(first: 10, orderBy: NAME) { edges { node {
    name status result checks { analyzer } sharing { accessType hasLink invites { email } } } } }
  plan { verificationUsage { used } } } }"""
BRAND_VIEW = """{ viewer {
  lightbox(first: 50) { totalCount }
  licenses(first: 50) { totalCount edges { node { status } } }
  payments(first: 10) { edges { node { status } } }
  purchases(first: 10) { edges { node { id tier status listing { title seller { username } } } } }
  notifications(first: 100) { totalCount } } }"""
MARKET = """{ marketplaceListings(first: 10) { totalCount edges { node {
  title verificationCode tiers { tier price { amount currency } } totalSales } } } }"""
DOWNLOAD = """mutation($input: PurchaseDownloadInput!) {
  purchaseDownload(input: $input) { url userErrors { code } } }"""
PORTFOLIO = """query($username: String!) { portfolio(username: $username) { headline featuredPhotos { id } } }"""


def graphql(server: Server, query: str, user: DemoUser | None = None, **variables: Any) -> dict[str, Any]:
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        headers = {}
        if user:
            login = http.post(
                "/graphql",
                json={
                    "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                    "variables": {"i": {"email": user.email, "password": DEMO_PASSWORD}},
                },
            )
            headers["Authorization"] = f"Bearer {login.json()['data']['login']['accessToken']}"
        body = http.post("/graphql", json={"query": query, "variables": variables}, headers=headers).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def census(server: Server) -> dict[str, Any]:
    """Everything the demo made, as its users see it through the API."""
    seen: dict[str, Any] = {user.username: graphql(server, OWNER_VIEW, user) for user in (ANSEL, DOROTHEA, STUDIO)}
    seen["brand"] = graphql(server, BRAND_VIEW, BRAND)
    seen["portfolios"] = [graphql(server, PORTFOLIO, username=user.username) for user in (ANSEL, DOROTHEA, STUDIO)]
    seen["public"] = graphql(server, '{ photos { totalCount } searchPhotos(query: "dunes") { edges { node { id } } } }')
    seen["market"] = graphql(server, MARKET)
    return seen


def photo(seen: dict[str, Any], owner: DemoUser, title: str) -> dict[str, Any]:
    edges = seen[owner.username]["viewer"]["photos"]["edges"]
    found: dict[str, Any] = next(edge["node"] for edge in edges if edge["node"]["title"] == title)
    return found


def test_the_demo_is_a_living_marketplace(server: Server):
    seen = census(server)
    ansel, dorothea, studio, brand = (seen[name]["viewer"] for name in ("ansel", "dorothea", "sam-studio", "brand"))
    assert ansel["photos"]["totalCount"] == dorothea["photos"]["totalCount"] == 12
    assert all(edge["node"]["status"] == "READY" for edge in ansel["photos"]["edges"] + dorothea["photos"]["edges"])
    dunes = photo(seen, ANSEL, "Sunset over the dunes")
    assert {"dunes", "sunset"} <= set(dunes["keywords"]) and dunes["category"] == "NATURE"
    # Face detection found the faces; the release on file covers one portrait and not the other.
    covered, uncovered = photo(seen, DOROTHEA, "Astronaut portrait"), photo(seen, DOROTHEA, "Before the mission")
    assert covered["faceCount"] >= 1 and uncovered["faceCount"] >= 1
    assert covered["category"] == "PEOPLE" and "people" in covered["autoKeywords"]
    assert (covered["needsModelRelease"], uncovered["needsModelRelease"]) == (False, True)
    assert dorothea["modelReleases"]["totalCount"] == 1 and studio["propertyReleases"]["totalCount"] == 1
    assert ansel["collections"]["totalCount"] == 3 and dorothea["collections"]["totalCount"] == 2
    assert all(
        portfolio["portfolio"]["headline"] and portfolio["portfolio"]["featuredPhotos"]
        for portfolio in seen["portfolios"]
    )
    assert brand["lightbox"]["totalCount"] == 5
    statuses = sorted(edge["node"]["status"] for edge in brand["licenses"]["edges"])
    assert statuses == ["ACCEPTED", "ACTIVE", "AWAITING_PAYMENT", "COUNTERED", "DECLINED", "OFFERED"]
    assert [edge["node"]["status"] for edge in brand["payments"]["edges"]] == ["SUCCEEDED"]
    assert ansel["payoutAccount"]["status"] == "ACTIVE"
    assert ansel["notifications"]["totalCount"] > 0 and brand["notifications"]["totalCount"] > 0
    endpoints = [edge["node"] for edge in ansel["webhookEndpoints"]["edges"]]
    assert endpoints == [{"url": "https://example.com/lensgraph-demo-webhook", "enabled": False}]
    assert studio["photos"]["totalCount"] == 3 and studio["collections"]["totalCount"] == 1
    assert seen["public"]["photos"]["totalCount"] == 12 + 11 + 3  # one of ansel's is private
    assert seen["public"]["searchPhotos"]["edges"]
    for user in (ANSEL, DOROTHEA, BRAND, STUDIO):
        assert user.email in server.log()
    assert DEMO_PASSWORD in server.log()


def test_the_demo_has_verifications_and_a_verified_marketplace(server: Server):
    seen = census(server)
    ansel, dorothea, brand = (seen[name]["viewer"] for name in ("ansel", "dorothea", "brand"))
    # Analysed by the real job: one authentic and one retouched pair each, both verdicts shown.
    reports = {
        edge["node"]["name"]: edge["node"]
        for edge in ansel["verifications"]["edges"] + dorothea["verifications"]["edges"]
    }
    assert {name: (report["status"], report["result"]) for name, report in reports.items()} == {
        "Rocket on the launch pad": ("COMPLETED", True),
        "Morning coffee, retouched": ("COMPLETED", False),
        "Chelsea the cat": ("COMPLETED", True),
        "Astronaut in the studio, retouched": ("COMPLETED", False),
    }
    assert all(report["checks"] for report in reports.values())
    assert ansel["plan"]["verificationUsage"]["used"] == dorothea["plan"]["verificationUsage"]["used"] == 2
    shared = reports["Rocket on the launch pad"]["sharing"]
    assert (shared["accessType"], shared["hasLink"]) == ("ANYONE_WITH_LINK", True)
    assert reports["Chelsea the cat"]["sharing"]["invites"] == [{"email": BRAND.email}]
    # The rocket is on sale with two tiers; the brand bought the personal one, paid offline, and may download it.
    [listing] = [edge["node"] for edge in seen["market"]["marketplaceListings"]["edges"]]
    assert seen["market"]["marketplaceListings"]["totalCount"] == 1
    assert listing["title"] == "Rocket on the launch pad" and listing["totalSales"] == 1
    assert [(tier["tier"], tier["price"]["currency"]) for tier in listing["tiers"]] == [
        ("PERSONAL", "EUR"),
        ("COMMERCIAL", "EUR"),
    ]
    [purchase] = [edge["node"] for edge in brand["purchases"]["edges"]]
    assert (purchase["tier"], purchase["status"]) == ("PERSONAL", "COMPLETED")
    assert purchase["listing"]["seller"]["username"] == ANSEL.username
    download = graphql(server, DOWNLOAD, BRAND, input={"purchaseId": purchase["id"]})["purchaseDownload"]
    assert download["userErrors"] == []
    with httpx.Client(timeout=30) as http:
        licensed = http.get(download["url"])
    assert licensed.status_code == 200 and licensed.content[:2] == b"\xff\xd8"


def test_a_second_start_changes_nothing_and_is_quick(tmp_path: Path):
    database = os.environ.get("LENSGRAPH_TEST_DATABASE_URL")
    env = {"LENSGRAPH_DATABASE_URL": database} if database else {}
    with running_server(tmp_path, fresh=True, **env) as first:
        before = census(first)
        assert "Demo data: seeded in" in first.log()
    started = time.monotonic()
    with running_server(tmp_path, **env) as second:
        restart_seconds = time.monotonic() - started
        assert "Demo data: already in this database, left as it is." in second.log()
        assert DEMO_PASSWORD in second.log()
        assert census(second) == before
    assert restart_seconds < 20, restart_seconds
