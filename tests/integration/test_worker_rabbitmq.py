"""``lensgraph worker`` fed through RabbitMQ (dramatiq's RabbitmqBroker, on pika) runs a job."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from lensgraph.app.services import Services
from lensgraph.config import Settings
from lensgraph.jobs.broker import Jobs
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import RefreshToken
from tests.api.helpers import sign_up

AMQP_URL = os.environ.get("LENSGRAPH_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


def rabbitmq_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not rabbitmq_answers(), reason="no RabbitMQ on 127.0.0.1:5672")


async def test_a_worker_process_runs_a_job_sent_through_rabbitmq(
    client, services: Services, settings: Settings, tmp_path: Path
) -> None:
    if not settings.is_sqlite:
        pytest.skip("the worker process is pointed at the SQLite file of this test")
    await sign_up(client)
    async with services.db.unit_of_work() as uow:
        await uow.session.execute(update(RefreshToken).values(expires_at=utcnow() - timedelta(days=30)))

    # A virtual host is shared: a queue name of its own (dramatiq names queues after actors) is not possible,
    # so the job is one any worker may run; its effect is checked in this test's own database.
    env = {name: value for name, value in os.environ.items() if not name.startswith("LENSGRAPH_")}
    env |= {
        "LENSGRAPH_BROKER": AMQP_URL,
        "LENSGRAPH_DATABASE_URL": settings.database_url,
        "LENSGRAPH_SECRET_KEY": "worker-test",
        "LENSGRAPH_DATA_DIR": str(tmp_path),
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(  # noqa: ASYNC220
            [sys.executable, "-m", "lensgraph", "worker", "--threads", "1"],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    sender = Jobs(settings.model_copy(update={"broker": AMQP_URL}))
    try:
        sender.send("accounts.purge_expired_tokens")
        deadline = time.monotonic() + 30
        remaining = 1
        while remaining and time.monotonic() < deadline and worker.poll() is None:
            async with services.db.session() as session:
                remaining = int(await session.scalar(select(func.count()).select_from(RefreshToken)))
            await asyncio.sleep(0.2)
        assert remaining == 0, (worker.poll(), log_path.read_text())
    finally:
        sender.broker.close()
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
