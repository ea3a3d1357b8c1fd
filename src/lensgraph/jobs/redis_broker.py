"""dramatiq's Redis broker, handing the jobs of dead workers back on a clock instead of by chance.

dramatiq runs its queue maintenance (requeueing what a worker that stopped sending heartbeats had fetched) on a
random share of Redis commands: when queues are quiet that can take minutes, and under load it is anyone's guess.
Here each process runs it on its first command once ``every_seconds`` have passed since it last did, so a killed
worker's jobs are back within about half a heartbeat timeout, whatever the traffic. This overrides dramatiq's
``_should_do_maintenance`` (2.x); tests/integration/test_several_nodes.py kills a worker to keep it honest.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from dramatiq.brokers.redis import MAINTENANCE_COMMAND_BLACKLIST, RedisBroker


class TimelyRedisBroker(RedisBroker):
    def __init__(self, *, every_seconds: float, **options: Any) -> None:
        super().__init__(**options)  # type: ignore[no-untyped-call]  # dramatiq leaves it unannotated
        self._every_seconds = every_seconds
        self._next_maintenance = 0.0
        self._maintenance_lock = threading.Lock()

    def _should_do_maintenance(self, command: str) -> int:
        if command in MAINTENANCE_COMMAND_BLACKLIST:
            return 0
        now = time.monotonic()
        with self._maintenance_lock:
            if now < self._next_maintenance:
                return 0
            self._next_maintenance = now + self._every_seconds
        return 1
