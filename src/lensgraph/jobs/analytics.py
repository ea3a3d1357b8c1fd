"""Views (of photos and of shared verification reports), and anything else counted per day the same way
(``DailyCounter``: storefront engagement, jobs/ugc_engagement.py), counted in memory and added to the daily totals every
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
from typing import Generic, TypeVar
from uuid import UUID

from lensgraph.domain.analytics import Viewed
from lensgraph.persistence import analytics as queries
from lensgraph.persistence.db import Database, UnitOfWork

log = logging.getLogger(__name__)

FLUSH_SECONDS = 5.0


Key = TypeVar("Key")


class DailyCounter(Generic[Key]):
    """Counts in memory per ``Key`` (a record and a UTC day, and what was counted), written by ``_write`` every
    ``interval`` seconds; one per process and kind of count (in ``Services``)."""

    def __init__(self, db: Database, interval: float = FLUSH_SECONDS) -> None:
        self.db = db
        self.interval = interval
        self._pending: Counter[Key] = Counter()
        self._flushing = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def count(self, key: Key) -> None:
        """No I/O, so a request pays nothing for it."""
        self._pending[key] += 1

    async def _write(self, uow: UnitOfWork, taken: Counter[Key]) -> None:
        raise NotImplementedError

    @property
    def pending(self) -> int:
        """Counts recorded and not yet written."""
        return sum(self._pending.values())

    async def flush(self) -> int:
        """Adds the recorded counts to the stored daily totals; answers how many it wrote."""
        async with self._flushing:
            taken, self._pending = self._pending, Counter()
            if not taken:
                return 0
            try:
                async with self.db.unit_of_work() as uow:
                    await self._write(uow, taken)
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
                log.exception("writing %s failed; they are kept for the next flush", type(self).__name__)

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
                log.exception("writing %s at shutdown failed; %d counts are lost", type(self).__name__, self.pending)


class ViewCounter(DailyCounter[tuple[Viewed, UUID, date]]):
    """Views of photos and of shared verification reports."""

    def record(self, key: UUID, day: date, kind: Viewed = Viewed.PHOTO) -> None:
        """Counts one view of a photo (or of what ``kind`` says)."""
        self.count((kind, key, day))

    async def _write(self, uow: UnitOfWork, taken: Counter[tuple[Viewed, UUID, date]]) -> None:
        for kind in Viewed:
            counts = {(key, day): views for (of, key, day), views in taken.items() if of is kind}
            if counts:
                await queries.add_views(uow.session, kind, counts)
