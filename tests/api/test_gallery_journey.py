"""A client's whole way through a protected gallery, as the issue tells it: unlock, look, favour, comment, submit
the selection, download it as a zip (each file checked), and the studio's webhooks told of each step, signed."""

from __future__ import annotations

import json
import time

from tests.api.test_galleries import studio
from tests.api.test_gallery_access import HEADER
from tests.api.test_gallery_downloads import (
    Stored,
    fetch_zip,
    gallery_with,
    key_of,
    receiver,  # noqa: F401 (a fixture)
    request,
    token_for,
)
from tests.api.test_proofing import COMMENT, FAVORITE, SUBMIT, as_client
from tests.api.test_webhooks import create_endpoint
from tests.api.webhook_receiver import standard_webhooks_valid

STEPS = ("gallery.viewed", "gallery.validated", "gallery.downloaded")


async def test_unlock_favour_submit_download_and_every_step_reaches_the_webhooks(
    client,
    services,
    background,
    receiver,  # noqa: F811
):
    owner, stored = await studio(client), Stored()
    endpoint = await create_endpoint(client, owner, receiver.url(), events=STEPS)
    gallery, photos = await gallery_with(
        client, services, owner, stored, ["Vows", "Rings", "Cake"], downloadPolicy="FULL_SIZE"
    )

    locked = await client.data(
        "query($slug: String!) { gallery(slug: $slug) { protected photos { totalCount } } }", {"slug": gallery["slug"]}
    )
    assert locked["gallery"] == {"protected": True, "photos": None}
    token = await token_for(client, gallery, "jane@example.com")
    seen = await client.data(
        "query($slug: String!) { gallery(slug: $slug) { photos { edges { node { id } } } } }",
        {"slug": gallery["slug"]},
        headers={HEADER: token},
    )
    assert [edge["node"]["id"] for edge in seen["gallery"]["photos"]["edges"]] == photos

    for photo in photos[:2]:
        assert (await as_client(client, token, FAVORITE, photoId=photo))["userErrors"] == []
    commented = await as_client(client, token, COMMENT, photoId=photos[0], body="Crop a little tighter?")
    assert commented["userErrors"] == []
    submitted = await as_client(client, token, SUBMIT, note="These two, please")
    assert submitted["userErrors"] == [] and submitted["selection"]["status"] == "SUBMITTED"
    picked = [item["id"] for item in submitted["selection"]["photos"]]
    assert picked == photos[:2]

    asked = await request(client, token, slug=gallery["slug"], photoIds=picked)
    assert asked["userErrors"] == []
    _, archive = await fetch_zip(client, asked["url"])
    assert archive.namelist() == ["Vows.jpg", "Rings.jpg"]
    for name, photo in zip(archive.namelist(), picked, strict=True):
        assert archive.read(name) == stored.original[key_of(photo)], name

    await background.settle()
    bodies = {}
    for delivery in receiver.received:
        assert standard_webhooks_valid(endpoint["signingSecret"], delivery, time.time())
        body = json.loads(delivery.body)
        bodies[body["type"]] = body["data"]
    assert set(bodies) == set(STEPS)
    assert all(data["galleryId"] == gallery["id"] for data in bodies.values())
    assert bodies["gallery.validated"]["clientEmail"] == "jane@example.com"
    assert bodies["gallery.validated"]["photoCount"] == 2
    assert bodies["gallery.downloaded"]["photoCount"] == 2
