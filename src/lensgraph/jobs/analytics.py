"""Views (of photos and of shared verification reports), counted in memory and added to the daily totals every
few seconds, not written one by one.

Each API node counts the views it serves per (kind, record, UTC day) and flushes them with one upsert that adds to
the stored totals, so any number of nodes add up. A flush that fails keeps its counts for the next one; the
last flush runs at shutdown. A crash loses at most the views of the last few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from datetime import date
from uuid import UUID

from lensgraph.domain.analytics import Viewed
from lensgraph.persistence import analytics as queries
from lensgraph.persistence.db import Database

log = logging.getLogger(__name__)

FLUSH_SECONDS = 5.0


class ViewCounter:
    """One per process (in ``Services``): ``record`` is called per view, ``flush`` writes what was recorded."""

    def __init__(self, db: Database, interval: float = FLUSH_SECONDS) -> None:
        self.db = db
        self.interval = interval
        self._pending: Counter[tuple[Viewed, UUID, date]] = Counter()
        self._flushing = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def record(self, key: UUID, day: date, kind: Viewed = Viewed.PHOTO) -> None:
        """Counts one view of a photo (or of what ``kind`` says); no I/O, so a read pays nothing for it."""
        self._pending[(kind, key, day)] += 1

    @property
    def pending(self) -> int:
        """Views recorded and not yet written."""
        return sum(self._pending.values())

    async def flush(self) -> int:
        """Adds the recorded views to the stored daily totals; answers how many views it wrote."""
        async with self._flushing:
            taken, self._pending = self._pending, Counter()
            if not taken:
                return 0
            try:
                async with self.db.unit_of_work() as uow:
                    for kind in Viewed:
                        counts = {(key, day): views for (of, key, day), views in taken.items() if of is kind}
                        if counts:
                            await queries.add_views(uow.session, kind, counts)
            except BaseException:
                # Kept for the next flush, together with what was recorded meanwhile.
                self._pending.update(taken)
                raise
            return sum(taken.values())

    async def start(self) -> None:
        self._stopping = asyncio.Event()
        self._task = asyncio.create_task(self._loop(self._stopping))

    async def _loop(self, stopping: asyncio.Event) -> None:
        # Woken by stop() rather than cancelled: a flush is never cut off between its commit and its return.
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self.interval)
            try:
                await self.flush()
            except Exception:
                log.exception("writing views failed; they are kept for the next flush")

    async def stop(self) -> None:
        """Stops the periodic flush and writes what is left."""
        if self._task is not None:
            self._stopping.set()
            await self._task
            self._task = None
        if self.pending:
            try:
                await self.flush()
            except Exception:
                log.exception("writing views at shutdown failed; %d views are lost", self.pending)
