"""Storefront engagement: the pixel and the beacon count impressions, clicks and add-to-carts per media and
product, in memory and then per day (no row per hit); analytics report them with a conversion rate, and
POPULARITY orders media by them. Junk is a coded 400, never a 500."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy import func, select

from lensgraph.domain import ugc_engagement as rules
from lensgraph.domain.global_ids import encode
from lensgraph.jobs.ugc_engagement import EngagementCounter
from lensgraph.persistence.models import ContentEngagementDay, ProductEngagementDay
from tests.api.test_ugc_reads import MEDIA, seeded, titles

ANALYTICS = """
query A($id: ID!, $from: Date!, $to: Date!) {
  album(id: $id) {
    analytics(from: $from, to: $to) {
      from to
      totals { impressions clicks addToCart conversionRate }
      days { day totals { impressions clicks addToCart conversionRate } }
    }
    media(first: 10) { edges { node { id title products { id sku analytics(from: $from, to: $to) {
      totals { impressions clicks addToCart } } }
      content { analytics(from: $from, to: $to) { totals { impressions clicks addToCart conversionRate } } } } } }
  }
}"""


def today() -> str:
    return datetime.now(UTC).date().isoformat()


async def _media(client, owner, summer) -> dict[str, dict]:
    answer = await client.data(ANALYTICS, {"id": summer["id"], "from": today(), "to": today()}, token=owner.token)
    return {edge["node"]["title"]: edge["node"] for edge in answer["album"]["media"]["edges"]}


async def test_pixel_and_beacon_count_per_day_and_report_a_conversion_rate(client, services, background):
    owner, summer, _ = await seeded(client, background)
    media = await _media(client, owner, summer)
    shot2, shot1 = media["Shot 2"], media["Shot 1"]
    tee = next(product["id"] for product in shot2["products"] if product["sku"] == "TEE-1")
    for _ in range(3):
        pixel = await client.http.get("/track/pixel.gif", params={"event": "impression", "mediaId": shot2["id"]})
        assert pixel.status_code == 200 and pixel.headers["content-type"] == "image/gif"
        assert pixel.headers["cache-control"] == "no-store" and pixel.content.startswith(b"GIF89a")
    events = [
        {"event": "impression", "mediaId": shot1["id"]},
        {"event": "click", "mediaId": shot2["id"], "productId": tee},
        {"event": "click", "mediaId": shot2["id"]},
        {"event": "add_to_cart", "mediaId": shot2["id"], "productId": tee},
    ]
    beacon = await client.http.post("/track", json={"events": events})
    assert beacon.status_code == 204
    # sendBeacon's text/plain body of one event counts the same.
    single = await client.http.post(
        "/track",
        content=b'{"event":"click","mediaId":"' + shot1["id"].encode() + b'"}',
        headers={"content-type": "text/plain"},
    )
    assert single.status_code == 204
    assert await services.engagement.flush() == 10  # 8 on media, 2 on the product
    async with services.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(ContentEngagementDay)) == 2
        assert await session.scalar(select(func.count()).select_from(ProductEngagementDay)) == 1

    answer = await client.data(ANALYTICS, {"id": summer["id"], "from": today(), "to": today()}, token=owner.token)
    report = answer["album"]["analytics"]
    assert report["totals"] == {"impressions": 4, "clicks": 3, "addToCart": 1, "conversionRate": 1 / 3}
    assert report["days"] == [{"day": today(), "totals": report["totals"]}]
    nodes = {edge["node"]["title"]: edge["node"] for edge in answer["album"]["media"]["edges"]}
    assert nodes["Shot 2"]["content"]["analytics"]["totals"] == {
        "impressions": 3,
        "clicks": 2,
        "addToCart": 1,
        "conversionRate": 0.5,
    }
    assert nodes["Shot 0"]["content"]["analytics"]["totals"]["conversionRate"] is None
    tee_report = next(product for product in nodes["Shot 2"]["products"] if product["sku"] == "TEE-1")
    assert tee_report["analytics"]["totals"] == {"impressions": 0, "clicks": 1, "addToCart": 1}

    # Counts add up over flushes, in the same day rows.
    await client.http.get("/track/pixel.gif", params={"event": "click", "mediaId": shot1["id"]})
    await services.engagement.flush()
    again = await client.data(ANALYTICS, {"id": summer["id"], "from": today(), "to": today()}, token=owner.token)
    assert again["album"]["analytics"]["totals"]["clicks"] == 4


async def test_popularity_orders_media_by_clicks_and_add_to_carts(client, services, background):
    owner, summer, _ = await seeded(client, background)
    media = await _media(client, owner, summer)
    hits = [("click", "Shot 0")] * 3 + [("add_to_cart", "Shot 1")] * 2 + [("impression", "Shot 2")] * 9
    await asyncio.gather(
        *(
            client.http.get("/track/pixel.gif", params={"event": event, "mediaId": media[title]["id"]})
            for event, title in hits
        )
    )
    await services.engagement.flush()
    ordered = await client.data(MEDIA, {"id": summer["id"], "order": "POPULARITY", "first": 2})
    assert titles(ordered) == ["Shot 0", "Shot 1"]
    rest = await client.data(
        MEDIA,
        {"id": summer["id"], "order": "POPULARITY", "after": ordered["album"]["media"]["pageInfo"]["endCursor"]},
    )
    assert titles(rest) == ["Shot 2"]


async def test_analytics_are_the_brands_only(client, background):
    _, summer, _ = await seeded(client, background)
    refused = await client.execute(ANALYTICS, {"id": summer["id"], "from": today(), "to": today()})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_junk_is_a_coded_400_and_counts_nothing(client, services):
    media_id = encode("Content", uuid4())
    junk_pixels = [
        {},
        {"event": "view", "mediaId": media_id},
        {"event": "click", "mediaId": "junk"},
        {"event": "click", "mediaId": encode("Photo", uuid4())},
        {"event": "click", "mediaId": media_id, "productId": "x"},
    ]
    for params in junk_pixels:
        answer = await client.http.get("/track/pixel.gif", params=params)
        assert answer.status_code == 400, params
        assert answer.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    junk_beacons = [
        b"not json",
        b"[]",
        b"42",
        b'{"events": []}',
        b'{"events": [{"event": "click", "mediaId": "' + media_id.encode() + b'"}, {"event": "nope"}]}',
        b'{"events": [' + b",".join([b'{"event":"click","mediaId":"' + media_id.encode() + b'"}'] * 51) + b"]}",
    ]
    for body in junk_beacons:
        answer = await client.http.post("/track", content=body, headers={"content-type": "application/json"})
        assert answer.status_code == 400, body
        assert answer.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    huge = await client.http.post("/track", content=b"{" + b" " * 9000 + b"}")
    assert huge.status_code == 413
    assert services.engagement.pending == 0
    # A well-formed id of nothing is counted in memory and skipped when written.
    ok = await client.http.get("/track/pixel.gif", params={"event": "click", "mediaId": media_id})
    assert ok.status_code == 200
    await services.engagement.flush()
    async with services.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(ContentEngagementDay)) == 0


async def test_two_api_nodes_flushing_at_once_add_up(client, services, background):
    owner, summer, _ = await seeded(client, background)
    media = await _media(client, owner, summer)
    shot = media["Shot 1"]["id"]
    tee = next(product["id"] for product in media["Shot 1"]["products"])
    nodes = [EngagementCounter(services.db) for _ in range(2)]
    for node in nodes:
        for _ in range(5):
            node.record([rules.hit({"event": "click", "mediaId": shot, "productId": tee})], datetime.now(UTC).date())
    assert await asyncio.gather(*(node.flush() for node in nodes)) == [10, 10]
    answer = await client.data(ANALYTICS, {"id": summer["id"], "from": today(), "to": today()}, token=owner.token)
    assert answer["album"]["analytics"]["totals"]["clicks"] == 10
    ordered = await client.data(MEDIA, {"id": summer["id"], "order": "POPULARITY", "first": 1})
    assert titles(ordered) == ["Shot 1"]
