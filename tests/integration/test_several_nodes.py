"""Two API nodes and two workers on PostgreSQL and Redis, one worker killed mid-job and one node restarted.

Every process is real (``lensgraph serve`` and ``lensgraph worker`` subprocesses) and shares one fresh PostgreSQL
database, one Redis namespace, one storage folder and one secret. Under a load of uploads spread over both
nodes, a worker is killed (SIGKILL) while it holds a job and another started; then a node gets SIGTERM and is
started again. Afterwards: every photo analysed, each analysis event written, dispatched and notified once,
and both subscribers served (the restarted node's got 1001 and came back).

It creates its own database, so it runs in the first (SQLite) pass of scripts/test only.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
import pytest
import redis
import websockets

from tests.api.helpers import sign_up
from tests.api.images import photo_jpeg
from tests.api.test_photos import CONFIRM, REQUEST
from tests.conftest import GraphQLClient
from tests.e2e.conftest import Server, _free_port, _stop, _wait_until_healthy
from tests.integration.test_worker_redis import redis_answers

ROOT = Path(__file__).resolve().parents[2]
PG_HOST = os.environ.get("LENSGRAPH_TEST_PG_HOST", "127.0.0.1")
REDIS_URL = os.environ.get("LENSGRAPH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PHOTOS = 40
DEADLINE_SECONDS = 75
GOING_AWAY = 1001
NOTIFICATIONS = "subscription { notificationReceived { id eventType } }"


def pgdb(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pgdb.py"), *args], capture_output=True, text=True, timeout=30
    )


pytestmark = [
    pytest.mark.skipif(
        "LENSGRAPH_TEST_DATABASE_URL" in os.environ,
        reason="makes its own PostgreSQL database: runs once, in the first pass",
    ),
    pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379"),
]


@pytest.fixture
def database_url() -> Iterator[str]:
    if pgdb("ping", PG_HOST).returncode != 0:
        pytest.skip(f"no PostgreSQL on {PG_HOST}:5432")
    name = pgdb("create", PG_HOST).stdout.strip()
    try:
        yield f"postgresql+asyncpg://postgres@{PG_HOST}:5432/{name}"
    finally:
        pgdb("drop", PG_HOST, name)


@dataclass
class Cluster:
    """The processes of one test; ``stop_all`` ends every one of them."""

    folder: Path
    environment: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def _spawn(self, name: str, arguments: list[str], **env: str) -> subprocess.Popen[bytes]:
        with (self.folder / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "lensgraph", *arguments],
                env={**self.environment, **env},
                cwd=self.folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                # A group of its own: dramatiq's children are killed with their parent.
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def serve(self, name: str, port: int) -> tuple[Server, subprocess.Popen[bytes]]:
        base_url = f"http://127.0.0.1:{port}"
        server = Server(base_url=base_url, ws_url=f"ws://127.0.0.1:{port}/graphql", folder=self.folder / name)
        server.folder.mkdir(exist_ok=True)
        with (server.folder / "server.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "lensgraph", "serve", "--port", str(port)],
                env={**self.environment, "LENSGRAPH_PUBLIC_URL": base_url},
                cwd=server.folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        _wait_until_healthy(process, server)
        return server, process

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        return self._spawn(name, ["worker", "--threads", "1"])

    def stop_all(self) -> None:
        for process in self.processes:
            with contextlib.suppress(Exception):
                _stop(process)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)

    def logs(self) -> str:
        return "\n".join(
            f"== {path.name}\n{path.read_text(errors='replace')[-3000:]}" for path in self.folder.rglob("*.log")
        )


@dataclass
class Subscriber:
    """notificationReceived over graphql-transport-ws, reconnecting after a close like a client should."""

    url: str
    token: str
    notifications: list[str] = field(default_factory=list)
    close_codes: list[int] = field(default_factory=list)
    connections: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        while True:
            try:
                async with websockets.connect(self.url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
                    await socket.send(
                        orjson.dumps({"type": "connection_init", "payload": {"authorization": self.token}}).decode()
                    )
                    assert orjson.loads(await socket.recv())["type"] == "connection_ack"
                    subscribe = {"id": "1", "type": "subscribe", "payload": {"query": NOTIFICATIONS}}
                    await socket.send(orjson.dumps(subscribe).decode())
                    self.connections += 1
                    self.ready.set()
                    async for frame in socket:
                        message = orjson.loads(frame)
                        if message["type"] == "next":
                            self.notifications.append(message["payload"]["data"]["notificationReceived"]["id"])
                # The loop ends quietly on a clean close (1000, 1001): the code is the server's close frame's.
                self.close_codes.append(socket.close_code or 1006)
            except websockets.ConnectionClosed as closed:
                self.close_codes.append(closed.rcvd.code if closed.rcvd else 1006)
            except OSError:
                pass  # the node is down: try again, as a client behind a balancer would
            self.ready.clear()
            await asyncio.sleep(0.2)


async def upload_photo(clients: list[GraphQLClient], index: int, token: str, data: bytes) -> str:
    """Request, PUT and confirm through one node, on to the other when a node is down (as a balancer would)."""
    for attempt in range(40):
        client = clients[(index + attempt) % len(clients)]
        try:
            target = (
                await client.data(
                    REQUEST,
                    {"input": {"filename": "p.jpg", "mimeType": "image/jpeg", "fileSizeBytes": len(data)}},
                    token=token,
                )
            )["requestPhotoUpload"]
            put = await client.http.request(
                target["method"], target["uploadUrl"], content=data, headers=target["headers"]
            )
            assert put.status_code == 200, put.text
            confirmed = (
                await client.data(
                    CONFIRM, {"input": {"uploadId": target["uploadId"], "title": f"P{index}"}}, token=token
                )
            )["confirmPhotoUpload"]
            assert confirmed["userErrors"] == [], confirmed
            return str(confirmed["photo"]["id"])
        except httpx.TransportError:
            await asyncio.sleep(0.25)
    raise AssertionError(f"photo {index} could not be uploaded through either node")


async def wait_for(condition: Any, what: str, cluster: Cluster, seconds: float = DEADLINE_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{cluster.logs()}")
        await asyncio.sleep(0.2)


async def test_two_nodes_two_workers_lose_nothing_and_do_nothing_twice(database_url: str, tmp_path: Path) -> None:
    namespace = f"lensgraph-test-{uuid.uuid4().hex[:8]}"
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("LENSGRAPH_")}
    environment = {
        **inherited,
        "LENSGRAPH_DATABASE_URL": database_url,
        "LENSGRAPH_BROKER": REDIS_URL,
        "LENSGRAPH_BROKER_NAMESPACE": namespace,
        "LENSGRAPH_PUBSUB": REDIS_URL,
        "LENSGRAPH_PUBSUB_NAMESPACE": namespace,
        "LENSGRAPH_RATE_LIMIT_STORAGE": REDIS_URL,
        "LENSGRAPH_REQUEST_RATE_LIMIT": "off",
        "LENSGRAPH_DATA_DIR": str(tmp_path / "data"),
        "LENSGRAPH_SECRET_KEY": "several-nodes-secret",
        # A killed worker's jobs go to the others within seconds, not dramatiq's minute.
        "LENSGRAPH_BROKER_HEARTBEAT_TIMEOUT_SECONDS": "3",
        "LENSGRAPH_SHUTDOWN_GRACE_SECONDS": "5",
        # Delivery is under test, not search: no process loads the embedding model.
        "LENSGRAPH_EMBEDDINGS": "off",
    }
    cluster = Cluster(tmp_path, environment)
    store = redis.Redis.from_url(REDIS_URL)
    tasks: list[asyncio.Task[Any]] = []
    try:
        # One node first: it migrates the new database; the second then finds it up to date.
        port_a = _free_port()
        node_a, process_a = await asyncio.to_thread(cluster.serve, "node-a", port_a)
        node_b, _ = await asyncio.to_thread(cluster.serve, "node-b", _free_port())
        victim = cluster.worker("worker-1")
        heartbeats = f"{namespace}:__heartbeats__"
        await wait_for(lambda: asyncio.sleep(0, store.zcard(heartbeats) >= 1), "the first worker's heartbeat", cluster)
        victim_id = store.zrange(heartbeats, 0, 0)[0].decode()
        cluster.worker("worker-2")

        async with (
            httpx.AsyncClient(base_url=node_a.base_url, timeout=20) as http_a,
            httpx.AsyncClient(base_url=node_b.base_url, timeout=20) as http_b,
        ):
            clients = [GraphQLClient(http_a), GraphQLClient(http_b)]
            owner = await sign_up(clients[0], role="PHOTOGRAPHER")
            subscribers = [Subscriber(node.ws_url, owner.access_token) for node in (node_a, node_b)]
            tasks = [asyncio.create_task(subscriber.run()) for subscriber in subscribers]
            await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in subscribers)), 10)
            data = photo_jpeg()

            uploads = [asyncio.create_task(upload_photo(clients, i, owner.access_token, data)) for i in range(PHOTOS)]
            tasks += uploads

            # The victim holds a job (fetched, not acknowledged): frozen there (a short job may end between seeing it
            # and the signal: then it runs on to the next), and killed with no chance to hand it back.
            victim_acks = f"{namespace}:__acks__.{victim_id}.default"
            while True:
                await wait_for(
                    lambda: asyncio.sleep(0, store.scard(victim_acks) > 0), "a job on the first worker", cluster
                )
                os.killpg(victim.pid, signal.SIGSTOP)
                if store.scard(victim_acks) > 0:
                    break
                os.killpg(victim.pid, signal.SIGCONT)
            os.killpg(victim.pid, signal.SIGKILL)
            cluster.worker("worker-3")

            # Node A leaves while uploads still go on; its subscriber is told 1001 and comes back once it restarts.
            await asyncio.sleep(1)
            process_a.send_signal(signal.SIGTERM)
            await asyncio.to_thread(process_a.wait, 30)
            # uvicorn shuts down gracefully, then raises the signal it caught again: the exit is by SIGTERM.
            assert process_a.returncode == -signal.SIGTERM, cluster.logs()
            assert "Application shutdown complete" in node_a.log()
            await wait_for(lambda: asyncio.sleep(0, bool(subscribers[0].close_codes)), "the close on node A", cluster)
            assert subscribers[0].close_codes[:1] == [GOING_AWAY], (subscribers[0].close_codes, cluster.logs())
            await asyncio.to_thread(cluster.serve, "node-a", port_a)

            photo_ids = await asyncio.gather(*uploads)
            assert len(set(photo_ids)) == PHOTOS

            connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
            try:

                async def all_notified() -> bool:
                    count = await connection.fetchval(
                        "SELECT count(*) FROM notifications WHERE event_type = 'photo.analyzed'"
                    )
                    return bool(count >= PHOTOS)

                await wait_for(all_notified, "every photo analysed and notified", cluster)
                await asyncio.sleep(2)  # time for a duplicate, were there one, to show

                statuses = await connection.fetch("SELECT status, count(*) FROM photos GROUP BY status")
                assert {row["status"]: row["count"] for row in statuses} == {"READY": PHOTOS}, cluster.logs()
                # Analysed once each in effect: one event per photo, though the killed worker's job ran again.
                events = await connection.fetch(
                    "SELECT payload::text AS photo, count(*) AS n, bool_and(dispatched_at IS NOT NULL) AS d, "
                    "bool_and(published_at IS NOT NULL) AS p FROM outbox WHERE type = 'photo.analyzed' GROUP BY 1"
                )
                assert len(events) == PHOTOS
                assert all(row["n"] == 1 and row["d"] and row["p"] for row in events), events
                notified = await connection.fetch(
                    "SELECT event_id, count(*) AS n FROM notifications WHERE event_type = 'photo.analyzed' GROUP BY 1"
                )
                assert len(notified) == PHOTOS and all(row["n"] == 1 for row in notified)
                undispatched = await connection.fetchval(
                    "SELECT count(*) FROM outbox WHERE dispatched_at IS NULL OR published_at IS NULL"
                )
                assert undispatched == 0
                # What the killed worker held was handed to the others (else its photos would still be PROCESSING).
                assert store.scard(victim_acks) == 0
            finally:
                await connection.close()

            # Both subscribers still served: one more photo, through node B, reaches both.
            await asyncio.wait_for(subscribers[0].ready.wait(), 10)
            assert subscribers[0].connections == 2
            before = [len(subscriber.notifications) for subscriber in subscribers]
            await upload_photo(clients, 1, owner.access_token, data)

            async def both_told() -> bool:
                return all(len(s.notifications) > seen for s, seen in zip(subscribers, before, strict=True))

            await wait_for(both_told, "the last notification on both subscribers", cluster, seconds=30)
            # The node that stayed up told its subscriber of every photo, each once.
            assert subscribers[1].close_codes == []
            assert len(subscribers[1].notifications) == len(set(subscribers[1].notifications)) == PHOTOS + 1
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.to_thread(cluster.stop_all)
        for key in store.scan_iter(match=f"{namespace}*"):
            store.delete(key)
        store.close()
