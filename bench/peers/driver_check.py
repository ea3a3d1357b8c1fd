"""How fast the load driver can go: against bench.peers.trivial_server, a process on the servers' core."""

from __future__ import annotations

import sys

from bench.peers.loadgen import http_request, run_load
from bench.peers.systems import Server, can_pin, free_port, pin_this_process_to_the_load_core, spawn, workdir


def ceiling(*, seconds: float, connections: int) -> str:
    pin_this_process_to_the_load_core()
    port = free_port()
    command = [sys.executable, "-m", "bench.peers.trivial_server", str(port)]
    with workdir() as folder:
        server = Server(
            "trivial-server", port, spawn("trivial-server", command, {}, folder), folder / "trivial-server.log"
        )
        return _measure(server, seconds=seconds, connections=connections)


def _measure(server: Server, *, seconds: float, connections: int) -> str:
    try:
        server.wait_ready(30)
        request = http_request(server.host, server.port, "/", b"{}")
        result = run_load(server.host, server.port, lambda: request, connections=connections, seconds=seconds, warmup=1)
    finally:
        server.stop()
    where = "driver on CPU 0, server on CPU 1" if can_pin() else "not pinned"
    return (
        f"load driver against a trivial server ({where}): {result.rps:,.0f} req/s, p50 {result.percentile(0.5):.2f} "
        f"ms, p99 {result.percentile(0.99):.2f} ms, {result.faults} errors, {connections} connections, {seconds:g} s"
    )
