"""Real servers: ``python -m lensgraph serve`` in subprocesses on 127.0.0.1, always stopped afterwards.

``server`` is one server per test module with the default settings. ``start_server(**env)`` starts more, with
extra ``LENSGRAPH_*`` variables, for one test; each is stopped when the test ends, passed or failed.

Every server serves the demo (``--demo``). Seeding it uploads and analyses photos, so it is done once per run into a
template that each server on its own SQLite file starts from (its ``--demo`` then finds the demo there);
``running_server(folder, fresh=True)`` seeds anew.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

STARTUP_SECONDS = 60
STOP_SECONDS = 10
SECRET_KEY = "e2e-secret-key"


@dataclass(frozen=True)
class Server:
    base_url: str
    ws_url: str
    folder: Path

    @property
    def database_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.folder / 'lensgraph.db'}"

    def log(self) -> str:
        return (self.folder / "server.log").read_text(errors="replace")


StartServer = Callable[..., Server]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(process: subprocess.Popen[bytes], server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{server.log()}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"server did not start in {STARTUP_SECONDS} s:\n{server.log()}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_SECONDS)


_demo_template: Path | None = None


def demo_template() -> Path:
    """A folder holding a database and files seeded with the demo, made on first use."""
    global _demo_template
    if _demo_template is None:
        folder = Path(tempfile.mkdtemp(prefix="lensgraph-demo-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        environment = {
            **os.environ,
            "LENSGRAPH_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'lensgraph.db'}",
            "LENSGRAPH_DATA_DIR": str(folder / "data"),
            "LENSGRAPH_SECRET_KEY": SECRET_KEY,
        }
        for command in ("migrate", "seed"):
            done = subprocess.run(
                [sys.executable, "-m", "lensgraph", command], env=environment, cwd=folder, capture_output=True
            )
            assert done.returncode == 0, done.stderr.decode(errors="replace")
        _demo_template = folder
    return _demo_template


@contextlib.contextmanager
def running_server(folder: Path, *, fresh: bool = False, **env: str) -> Iterator[Server]:
    """Serves the demo data from ``folder`` (its own SQLite file unless ``LENSGRAPH_DATABASE_URL`` is given), a
    copy of the seeded template unless ``fresh`` or the folder has a database already."""
    port = _free_port()
    server = Server(base_url=f"http://127.0.0.1:{port}", ws_url=f"ws://127.0.0.1:{port}/graphql", folder=folder)
    if not fresh and "LENSGRAPH_DATABASE_URL" not in env and not (folder / "lensgraph.db").exists():
        template = demo_template()
        shutil.copyfile(template / "lensgraph.db", folder / "lensgraph.db")
        shutil.copytree(template / "data", folder / "data", dirs_exist_ok=True)
    environment = {
        **os.environ,
        "LENSGRAPH_DATABASE_URL": server.database_url,
        "LENSGRAPH_DATA_DIR": str(folder / "data"),
        "LENSGRAPH_SECRET_KEY": SECRET_KEY,
        # Signed upload and download URLs point here.
        "LENSGRAPH_PUBLIC_URL": server.base_url,
        "LENSGRAPH_CONNECTION_INIT_TIMEOUT_SECONDS": "1",
        "LENSGRAPH_ALLOWED_ORIGINS": '["https://app.example.com"]',
        **env,
    }
    with (folder / "server.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "lensgraph", "serve", "--demo", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=folder,
        )
        try:
            _wait_until_healthy(process, server)
            yield server
        finally:
            _stop(process)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("server")) as started:
        yield started


@pytest.fixture
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartServer]:
    """``start_server(LENSGRAPH_X="...")`` starts a server for this test and waits until it is healthy."""
    with contextlib.ExitStack() as servers:

        def start(**env: str) -> Server:
            return servers.enter_context(running_server(tmp_path_factory.mktemp("server"), **env))

        yield start
