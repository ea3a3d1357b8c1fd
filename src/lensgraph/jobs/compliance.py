"""GDPR jobs: building a data export (Article 20) and the sweep that deletes accounts past their grace period
(Article 17).

An export is written to storage as one JSON document per table plus a list of the files it names; the download
route streams the zip from those (adapters.zips), so neither the job nor the route holds the archive. The job
moves the request to READY and mails the link in one transaction: a mail server outage rolls it back for
dramatiq's retry, and a second run of a READY request does nothing.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import orjson

from lensgraph.adapters.mail import Mail
from lensgraph.adapters.tokens import DataExportTokens
from lensgraph.config import Settings
from lensgraph.domain.compliance import EXPORT_LINK_LIFETIME, DataRequestKind, DataRequestStatus
from lensgraph.domain.events import DataExportReady
from lensgraph.jobs.services import current_services
from lensgraph.persistence import compliance as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import DataRequest, User

log = logging.getLogger(__name__)

SWEEP_BATCH = 20
EXPORT_PATH = "/data-exports/{request_id}"
FILES_LIST = "files.json"


def export_tokens(settings: Settings) -> DataExportTokens:
    return DataExportTokens(settings.signing_key, settings.jwt_issuer, EXPORT_LINK_LIFETIME)


def export_url(settings: Settings, request_id: uuid.UUID, token: str) -> str:
    path = EXPORT_PATH.format(request_id=request_id)
    return f"{settings.public_url.rstrip('/')}{path}?token={token}"


def export_prefix(request_id: uuid.UUID) -> str:
    return f"exports/{request_id}"


def table_key(prefix: str, table_name: str) -> str:
    return f"{prefix}/data/{table_name}.json"


async def build_export(request_id: str) -> None:
    """Writes the user's rows of every exported table and the list of their files, then announces the link."""
    services = current_services()
    key = uuid.UUID(request_id)
    async with services.database.session() as session:
        request = await session.get(DataRequest, key)
        if (
            request is None
            or request.kind is not DataRequestKind.EXPORT
            or request.status is not DataRequestStatus.PENDING
        ):
            return
        user_id = request.user_id
        prefix = export_prefix(key)
        for name in queries.exported_tables():
            rows = [row async for row in queries.export_rows(session, name, user_id)]
            await services.storage.write(
                table_key(prefix, name), orjson.dumps(rows, option=orjson.OPT_INDENT_2), content_type="application/json"
            )
        files = await queries.exported_files(session, user_id)
        await services.storage.write(f"{prefix}/{FILES_LIST}", orjson.dumps(files), content_type="application/json")
    async with services.database.unit_of_work() as uow:
        now = utcnow()
        expires_at = now + EXPORT_LINK_LIFETIME
        user = await uow.session.get(User, user_id)
        ready = await queries.claim(
            uow.session, key, DataRequestStatus.READY, completed_at=now, due_at=expires_at, storage_prefix=prefix
        )
        if not ready or user is None:
            status = await queries.request_status(uow.session, key)
            # Cancelled while it was written (the account was deleted): what was written goes too. A second run
            # of a READY export wrote the same files again and leaves them.
            if status is DataRequestStatus.CANCELLED:
                await services.storage.delete_folder(prefix)
            return
        uow.emit(DataExportReady(audience=(user_id,), request_id=key, expires_at=expires_at))
        token, _ = export_tokens(services.settings).issue(key, user_id, now)
        # Sent inside the transaction: a failed send rolls READY back and dramatiq retries.
        await services.mailer.send(
            Mail(
                to=user.email,
                subject="Lensgraph: your data export is ready",
                body=(
                    f"Hello {user.first_name},\n\nThe export of your Lensgraph data is ready. Download it (a zip of "
                    f"JSON files and your originals) within 7 days:\n\n"
                    f"    {export_url(services.settings, key, token)}\n"
                ),
            )
        )


async def delete_due_accounts() -> None:
    """Carries out every deletion whose grace period has ended. Idempotent: each is claimed once."""
    db = current_services().database
    while True:
        async with db.session() as session:
            due = [request.id for request in await queries.due_deletions(session, utcnow(), SWEEP_BATCH)]
        for request_id in due:
            await delete_account(request_id)
        if len(due) < SWEEP_BATCH:
            return


@dataclass(frozen=True)
class _Doomed:
    user: User
    keys: list[str]
    folders: list[str]


async def delete_account(request_id: uuid.UUID) -> None:
    """Removes the user's files from storage, then in one transaction deletes and pseudonymises their rows,
    tombstones the account and completes the request. Past its due time a deletion can no longer be cancelled,
    so removing the files first never races a cancellation; a failure after it is finished by the next sweep."""
    services = current_services()
    doomed = await _doomed(request_id)
    if doomed is None:
        return
    await _remove(doomed.keys, doomed.folders)
    async with services.database.unit_of_work() as uow:
        now = utcnow()
        if not await queries.claim(uow.session, request_id, DataRequestStatus.COMPLETED, completed_at=now):
            return
        await queries.cancel_open_exports(uow.session, doomed.user.id, now)
        await queries.erase(uow.session, doomed.user.id, queries.needles_of(doomed.user))
    removed = (len(doomed.keys), len(doomed.folders))
    log.info("Account %s deleted (request %s): %d files and %d folders removed", doomed.user.id, request_id, *removed)


async def _remove(keys: list[str], folders: list[str]) -> None:
    """Removes stored files and folders; removing one already gone is no error (a retried run)."""
    storage = current_services().storage
    for key in keys:
        await storage.delete(key)
    for folder in folders:
        await storage.delete_folder(folder)


async def _doomed(request_id: uuid.UUID) -> _Doomed | None:
    services = current_services()
    async with services.database.session() as session:
        request = await session.get(DataRequest, request_id)
        if (
            request is None
            or request.kind is not DataRequestKind.DELETION
            or request.status is not DataRequestStatus.PENDING
            or request.due_at is None
            or request.due_at > utcnow()
        ):
            return None
        user = await session.get(User, request.user_id)
        if user is None:
            return None
        keys = await queries.stored_keys(session, user.id)
        folders = await queries.stored_folders(session, user.id)
        # Every export's files, also one a job may be writing now (its prefix is known before it is READY).
        folders.extend(export_prefix(export_id) for export_id in await queries.export_ids(session, user.id))
    return _Doomed(user, keys, folders)
