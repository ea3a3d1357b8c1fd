"""The forensic analysis of a verification, idempotent and never left IN_PROGRESS, and the overage reporting.

Every move is one conditional UPDATE from the statuses the domain's machine allows (``sources_of``).
``verification.analyse`` claims the verification (QUEUED -> IN_PROGRESS, one conditional UPDATE: of two copies of
the job, one runs), reads both files (checked against the hashes confirmed), runs ``analyse_pair`` in a thread on
copies in a temporary folder, and stores the report (COMPLETED) or the reason (FAILED). An attempt that raises
puts the verification back to QUEUED and dramatiq retries it; after MAX_ATTEMPTS it is FAILED. An attempt whose
worker dies leaves it IN_PROGRESS: ``verification.sweep`` (at worker start, and periodically) finds those that
have not moved for longer than an attempt may take and treats them the same way.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import tempfile
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from lensgraph.adapters import forensics, imaging
from lensgraph.adapters.payments import PaymentRefused
from lensgraph.adapters.storage import ObjectTooLarge
from lensgraph.domain import verification as rules
from lensgraph.domain.events import VerificationCompleted, VerificationFailed, VerificationStatusChanged
from lensgraph.domain.forensics import ForensicReport, UnreadableInput
from lensgraph.domain.verification import VerificationStatus
from lensgraph.jobs import runtime
from lensgraph.persistence import plans as plan_queries
from lensgraph.persistence import verification as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Verification, VerificationUsage

log = logging.getLogger(__name__)

# Longest one attempt may run (the actor's time limit); an IN_PROGRESS verification that has not moved for
# STALE_AFTER had its worker die.
ATTEMPT_TIME_LIMIT = timedelta(minutes=10)
STALE_AFTER = ATTEMPT_TIME_LIMIT + timedelta(minutes=5)
# A QUEUED verification is sent again by the periodic sweep only after waiting this long (a long queue is not lost).
REQUEUE_AFTER = timedelta(minutes=30)


async def analyse_verification(verification_id: str) -> None:
    key = uuid.UUID(verification_id)
    db = runtime.database()
    async with db.unit_of_work() as uow:
        row = await uow.session.get(Verification, key)
        if row is None or row.status is not VerificationStatus.QUEUED:
            return
        if not await queries.move_status(
            uow.session, key, VerificationStatus.IN_PROGRESS, attempts=Verification.attempts + 1
        ):
            return
        uow.emit(_status_changed(row, VerificationStatus.IN_PROGRESS))
    attempts = row.attempts + 1
    try:
        found = await _analyse(row)
    except UnreadableInput as unreadable:
        await _fail(key, unreadable.reason)
        return
    except _TamperedFile as tampered:
        await _fail(key, str(tampered))
        return
    except Exception:
        log.exception("analysis of verification %s failed (attempt %d)", key, attempts)
        if await _interrupted(key, attempts) is VerificationStatus.QUEUED:
            raise  # dramatiq retries it, with backoff
        return
    await _complete(key, found)


class _TamperedFile(Exception):
    """A stored file is not the one confirmed: nothing is concluded from it."""


@dataclass(frozen=True)
class _Found:
    report: ForensicReport
    phash: str | None
    gps: dict[str, float] | None


async def _analyse(row: Verification) -> _Found:
    raw = await _stored(row.raw_key, row.raw_size, row.raw_sha256, "RAW")
    image = await _stored(row.image_key, row.image_size, row.image_sha256, "image")
    report = await asyncio.to_thread(_analyse_copies, raw, image, row.raw_format)
    del raw
    try:
        phash: str | None = await asyncio.to_thread(imaging.perceptual_hash, image)
    except imaging.ImageUnreadable:
        phash = None
    return _Found(report, phash, imaging.read_gps(image))


def _analyse_copies(raw: bytes, image: bytes, raw_format: str) -> ForensicReport:
    """``analyse_pair`` on copies of both files in a temporary folder (removed after); CPU bound: in a thread."""
    with tempfile.TemporaryDirectory(prefix="lensgraph-verification-") as folder:
        raw_path = Path(folder) / f"raw.{raw_format.lower()}"
        image_path = Path(folder) / "image.jpg"
        raw_path.write_bytes(raw)
        image_path.write_bytes(image)
        return forensics.analyse_pair(raw_path, image_path)


async def _stored(key: str, size: int, recorded: str, label: str) -> bytes:
    """A file of the verification as confirmed; missing or changed, nothing is concluded from it (not retried)."""
    try:
        data = await runtime.storage().read(key, max_bytes=size)
    except FileNotFoundError:
        log.error("File integrity alert: stored object %s (the %s of a verification) is missing", key, label)
        raise _TamperedFile(f"The stored {label} is missing.") from None
    except ObjectTooLarge:
        data = b""
    if await asyncio.to_thread(_sha256, data) != recorded:
        log.error("File integrity alert: stored object %s is not the %s confirmed; not analysed", key, label)
        raise _TamperedFile(f"The stored {label} is not the file that was confirmed.")
    return data


async def _complete(key: uuid.UUID, found: _Found) -> None:
    report = found.report
    image_metadata = _json(report.image_metadata)
    if found.gps is not None:
        image_metadata["gps"] = found.gps
    async with runtime.database().unit_of_work() as uow:
        moved = await queries.move_status(
            uow.session,
            key,
            VerificationStatus.COMPLETED,
            authentic=report.authentic,
            result_confidence=report.confidence,
            integrity_score=report.integrity_score,
            security_score=report.security_score,
            checks=[_check_json(check) for check in report.checks],
            raw_metadata=_json(report.raw_metadata),
            image_metadata=image_metadata,
            image_phash=found.phash,
            failure_reason=None,
            completed_at=utcnow(),
        )
        row = await uow.session.get(Verification, key) if moved else None
        if row is None:
            return
        verdict = "AUTHENTIC" if report.authentic else "NOT_AUTHENTIC"
        uow.emit(
            _status_changed(row, VerificationStatus.COMPLETED),
            VerificationCompleted(
                verification_id=key, verdict=verdict, confidence=report.confidence, audience=(row.user_id,)
            ),
        )


async def _fail(key: uuid.UUID, reason: str) -> None:
    async with runtime.database().unit_of_work() as uow:
        moved = await queries.move_status(
            uow.session,
            key,
            VerificationStatus.FAILED,
            failure_reason=reason[:300],
            completed_at=utcnow(),
        )
        row = await uow.session.get(Verification, key) if moved else None
        if row is None:
            return
        uow.emit(
            _status_changed(row, VerificationStatus.FAILED),
            VerificationFailed(verification_id=key, reason=row.failure_reason or reason, audience=(row.user_id,)),
        )


async def _interrupted(key: uuid.UUID, attempts: int) -> VerificationStatus:
    """An attempt that did not finish: queued again while attempts are left, else FAILED. Answers which."""
    target = rules.after_interrupted_attempt(attempts)
    if target is VerificationStatus.FAILED:
        await _fail(key, rules.GAVE_UP)
    else:
        await _queue_again(key)
    return target


async def _queue_again(key: uuid.UUID) -> None:
    async with runtime.database().unit_of_work() as uow:
        if await queries.move_status(uow.session, key, VerificationStatus.QUEUED):
            row = await uow.session.get(Verification, key)
            if row is not None:
                uow.emit(_status_changed(row, VerificationStatus.QUEUED))


async def sweep(everything_waiting: bool = False) -> None:
    """Sends the analysis again for verifications whose job may be lost, and settles analyses whose worker died
    (IN_PROGRESS for longer than STALE_AFTER: queued again, or FAILED after MAX_ATTEMPTS). At worker start
    (``everything_waiting``) every waiting verification is sent again: the in-process queue died with the last
    server. Periodically, only those waiting longer than REQUEUE_AFTER. Sending twice is harmless: one claims."""
    now = utcnow()
    waiting_before = now if everything_waiting else now - REQUEUE_AFTER
    async with runtime.database().session() as session:
        found = await queries.resumable(session, waiting_before, now - STALE_AFTER)
    for key, status, attempts in found:
        if status is VerificationStatus.IN_PROGRESS and await _interrupted(key, attempts) is VerificationStatus.FAILED:
            continue
        if status is VerificationStatus.PENDING:
            # Created, but its server stopped before queueing it.
            await _queue_again(key)
        runtime.jobs().send("verification.analyse", str(key))


async def resume_analyses() -> None:
    await sweep(everything_waiting=True)


async def report_overage(usage_id: str) -> None:
    """Reports one verification's overage to Stripe's meter (the offline mode records it). The usage id is the
    meter event's identifier and idempotency key, so a retry after a lost answer counts once."""
    key = uuid.UUID(usage_id)
    db = runtime.database()
    async with db.session() as session:
        usage = await session.get(VerificationUsage, key)
        if usage is None or not usage.overage or usage.reported_to_stripe_at is not None:
            return
        subscription = await plan_queries.subscription_of_user(session, usage.user_id)
    gateway = runtime.payments_for(runtime.settings())
    try:
        identifier = await gateway.report_metered_usage(
            usage_id=key,
            customer_id=subscription.stripe_customer_id if subscription else None,
            quantity=1,
            at=usage.created_at,
        )
    except PaymentRefused as refused:
        log.error("verification overage %s was not reported to Stripe: %s", key, refused)
        return
    finally:
        await gateway.aclose()
    async with db.unit_of_work() as uow:
        await queries.mark_reported(uow.session, key, utcnow(), identifier)


async def report_due_overage() -> None:
    """Sends the reporting of overage not reported yet (a lost job, a Stripe outage)."""
    async with runtime.database().session() as session:
        due = await queries.unreported_overage(session, limit=500)
    for usage_id in due:
        runtime.jobs().send("verification.report_overage", str(usage_id))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _status_changed(row: Verification, status: VerificationStatus) -> VerificationStatusChanged:
    return VerificationStatusChanged(verification_id=row.id, status=status.value, audience=(row.user_id,))


def _check_json(check: Any) -> dict[str, Any]:
    return {
        "analyzer": check.analyzer.value,
        "outcome": check.outcome.value,
        "confidence": float(check.confidence),
        "details": _json(check.details),
        "regions": [asdict(region) for region in check.regions],
    }


def _json(value: Any) -> Any:
    """Evidence as plain JSON: mappings, sequences, numbers (numpy's too), text."""
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(name): _json(item) for name, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json(item) for item in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None  # JSON has no NaN or infinity
    if isinstance(value, bool | int | str) or value is None:
        return value
    if hasattr(value, "item"):  # numpy scalars
        return _json(value.item())
    if hasattr(value, "tolist"):  # numpy arrays
        return _json(value.tolist())
    return str(value)
