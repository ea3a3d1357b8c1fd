"""The photo pipeline through the API, with ``photos.analyze`` sent through Redis to a ``lensgraph worker`` process.

The API under test has no in-process worker: its broker is Redis, so only the separate worker process, sharing
the database, the storage folder and the secret key, can bring the photo to READY.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from lensgraph.app.services import Services
from lensgraph.config import Settings
from tests.api.helpers import sign_up
from tests.api.images import photo_jpeg
from tests.api.test_photos import PHOTO, fetch_image, upload
from tests.integration.test_worker_redis import REDIS_URL, redis_answers

pytestmark = pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")

DEADLINE_SECONDS = 60


@pytest.fixture
def namespace() -> Iterator[str]:
    """A namespace of its own, so that no other worker on this Redis takes the message; its keys go afterwards."""
    name = f"lensgraph-test-{uuid.uuid4().hex[:8]}"
    yield name
    with redis.Redis.from_url(REDIS_URL) as connection:
        for key in connection.scan_iter(match=f"{name}*"):
            connection.delete(key)


@pytest.fixture
def settings(settings: Settings, namespace: str, tmp_path: Path) -> Settings:
    """The API's settings: jobs go to Redis; files go to a folder of this test that the worker is given too."""
    if not settings.is_sqlite:
        pytest.skip("the worker process is pointed at the SQLite file of this test")
    storage = f"file://{tmp_path / 'files'}"
    return settings.model_copy(update={"broker": REDIS_URL, "broker_namespace": namespace, "storage": storage})


def worker_environment(settings: Settings) -> dict[str, str]:
    """The same database, storage, secret and broker as the API; nothing inherited from a developer's shell."""
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("LENSGRAPH_")}
    assert settings.secret_key is not None
    return {
        **inherited,
        "LENSGRAPH_BROKER": settings.broker,
        "LENSGRAPH_BROKER_NAMESPACE": settings.broker_namespace,
        "LENSGRAPH_DATABASE_URL": settings.database_url,
        "LENSGRAPH_STORAGE": settings.storage,
        "LENSGRAPH_DATA_DIR": str(settings.data_dir),
        "LENSGRAPH_SECRET_KEY": settings.secret_key.get_secret_value(),
        "LENSGRAPH_PUBLIC_URL": settings.public_url,
    }


async def test_a_worker_process_fed_through_redis_analyses_an_uploaded_photo(
    client, services: Services, settings: Settings, tmp_path: Path
) -> None:
    assert not services.jobs.in_process
    owner = await sign_up(client, role="PHOTOGRAPHER")

    log_path = tmp_path / "worker.log"
    log = log_path.open("w")
    command = [sys.executable, "-m", "lensgraph", "worker", "--threads", "1"]
    # Started once, from the test's own folder so that no relative default lands in the working tree; in a
    # session of its own, so that dramatiq's worker children can be killed with it if they outlive a SIGTERM.
    worker = subprocess.Popen(  # noqa: ASYNC220
        command,
        env=worker_environment(settings),
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        confirmed = await upload(client, owner, photo_jpeg())
        assert confirmed["userErrors"] == []
        assert confirmed["photo"]["status"] == "PROCESSING"

        photo_id, node = confirmed["photo"]["id"], confirmed["photo"]
        deadline = time.monotonic() + DEADLINE_SECONDS
        while node["status"] == "PROCESSING" and time.monotonic() < deadline and worker.poll() is None:
            await asyncio.sleep(0.2)
            node = (await client.data(PHOTO, {"id": photo_id}, token=owner.access_token))["node"]

        assert node["status"] == "READY", (node, worker.poll(), log_path.read_text())
        assert (node["width"], node["height"], node["orientation"]) == (1600, 1000, "LANDSCAPE")
        assert node["exif"]["cameraMake"] == "Canon"
        # Written by the worker into the API's storage folder, served by the API's signed /files links.
        assert (await fetch_image(client, node["thumbnailUrl"])).size == (256, 160)
        assert (await fetch_image(client, node["previewUrl"])).size == (1280, 800)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        log.close()
