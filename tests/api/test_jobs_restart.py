"""The embedded mode's in-process queue dies with the server: a restarted server sends the analyses again."""

from __future__ import annotations

import asyncio

from lensgraph.app.services import Services
from lensgraph.config import Settings
from tests.api.helpers import sign_up
from tests.api.images import photo_jpeg
from tests.api.test_photos import PHOTO, upload


async def test_a_photo_confirmed_before_a_restart_is_analysed_after_it(client, services: Services, settings: Settings):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    # Confirmed while no worker runs: its job waits in this process's memory, lost when the process ends.
    confirmed = await upload(client, owner, photo_jpeg())
    assert confirmed["photo"]["status"] == "PROCESSING"

    restarted = Services(settings)
    await restarted.start()
    try:
        await asyncio.to_thread(restarted.jobs.broker.join, "default", timeout=30_000)
    finally:
        await restarted.close()

    node = (await client.data(PHOTO, {"id": confirmed["photo"]["id"]}, token=owner.access_token))["node"]
    assert node["status"] == "READY"
