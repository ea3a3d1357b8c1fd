"""``lensgraph worker`` as its own process, fed through Redis, works on the shared database."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from lensgraph.app.services import Services
from lensgraph.config import Settings
from lensgraph.jobs.broker import Jobs
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import RefreshToken
from tests.api.helpers import sign_up

REDIS_URL = os.environ.get("LENSGRAPH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")


async def test_worker_process_runs_jobs_sent_through_redis(client, services: Services, settings: Settings, tmp_path):
    if not settings.is_sqlite:
        pytest.skip("the worker process is pointed at the SQLite file of this test")
    await sign_up(client)
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(update(RefreshToken).values(expires_at=utcnow() - timedelta(days=30)))

    # A namespace of its own, so that no other worker on this Redis takes the message.
    namespace = f"lensgraph-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "LENSGRAPH_BROKER": REDIS_URL,
        "LENSGRAPH_BROKER_NAMESPACE": namespace,
        "LENSGRAPH_DATABASE_URL": settings.database_url,
        "LENSGRAPH_SECRET_KEY": "worker-test",
        "LENSGRAPH_DATA_DIR": str(tmp_path),
    }
    log = (tmp_path / "worker.log").open("w")
    command = [sys.executable, "-m", "lensgraph", "worker", "--threads", "1"]
    # Started once; the test then polls the database without blocking the loop.
    worker = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: ASYNC220
    sender = Jobs(settings.model_copy(update={"broker": REDIS_URL, "broker_namespace": namespace}))
    try:
        sender.send("accounts.purge_expired_tokens")
        deadline = time.monotonic() + 30
        remaining = 1
        while remaining and time.monotonic() < deadline:
            async with services.db.session() as session:
                remaining = int(await session.scalar(select(func.count()).select_from(RefreshToken)))
            await asyncio.sleep(0.2)
        assert remaining == 0, (tmp_path / "worker.log").read_text()
    finally:
        sender.broker.close()
        worker.terminate()
        worker.wait(timeout=20)
        log.close()
