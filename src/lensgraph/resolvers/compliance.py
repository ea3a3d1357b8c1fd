"""GDPR use cases: ask for an export or a deletion, cancel a deletion, record consents, read the history, and
stream an export's zip to the holder of its link."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import orjson

from lensgraph.adapters.tokens import InvalidToken
from lensgraph.adapters.zips import ZipMember, zip_stream
from lensgraph.domain import compliance as rules
from lensgraph.domain.audit import AuditAction
from lensgraph.domain.compliance import Consents, DataRequestKind, DataRequestStatus
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import AccountDeletionScheduled, DataExportRequested
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.policies import owns
from lensgraph.jobs.compliance import FILES_LIST, export_tokens, export_url, table_key
from lensgraph.persistence import compliance as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import ConstraintViolation
from lensgraph.persistence.models import ConsentRecord, DataRequest
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers import audit
from lensgraph.resolvers.context import Context

log = logging.getLogger(__name__)

LINK_REFUSED = "This export link is not valid or has expired: ask for a new export."
ZIP_NAME = "lensgraph-data-export.zip"


async def request_export(ctx: Context) -> DataRequest:
    """One pending export per person: a second one, even sent at the same instant, is ALREADY_EXISTS."""
    viewer = ctx.require_viewer()
    try:
        async with ctx.db.unit_of_work() as uow:
            request = await queries.add_request(uow.session, viewer.user_id, DataRequestKind.EXPORT, None)
            uow.emit(DataExportRequested(request_id=request.id))
            await audit.record(ctx, AuditAction.DATA_EXPORT_REQUESTED, uow=uow, subject_id=viewer.user_id)
    except ConstraintViolation:
        raise DomainError(ErrorCode.ALREADY_EXISTS, "An export is being prepared already.") from None
    return request


async def request_deletion(ctx: Context) -> DataRequest:
    """Starts the 30-day grace period; the sweep deletes the account after it unless it is cancelled."""
    viewer = ctx.require_viewer()
    due_at = rules.deletion_due(utcnow())
    try:
        async with ctx.db.unit_of_work() as uow:
            request = await queries.add_request(uow.session, viewer.user_id, DataRequestKind.DELETION, due_at)
            uow.emit(AccountDeletionScheduled(audience=(viewer.user_id,), request_id=request.id, deletes_at=due_at))
            await audit.record(ctx, AuditAction.ACCOUNT_DELETION_REQUESTED, uow=uow, subject_id=viewer.user_id)
    except ConstraintViolation:
        raise DomainError(ErrorCode.ALREADY_EXISTS, "Your account is scheduled for deletion already.") from None
    return request


async def cancel_deletion(ctx: Context) -> DataRequest:
    viewer = ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        cancelled = await queries.cancel_pending_deletion(uow.session, viewer.user_id, utcnow())
        rules.check_cancelled(cancelled is not None)
    assert cancelled is not None
    return cancelled


async def update_consent(ctx: Context, consents: Consents) -> ConsentRecord:
    """Appends to the history: the newest record is in force."""
    viewer = ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        record = ConsentRecord(
            user_id=viewer.user_id,
            marketing_emails=consents.marketing_emails,
            product_analytics=consents.product_analytics,
            third_party_sharing=consents.third_party_sharing,
        )
        uow.session.add(record)
    return record


async def current_consent(ctx: Context) -> ConsentRecord | None:
    """The newest choice; None when the person never chose (then nothing is consented to)."""
    viewer = ctx.require_viewer()
    async with ctx.reads.session() as session:
        return await queries.latest_consent(session, viewer.user_id)


async def list_requests(ctx: Context, page: PageRequest) -> Page[DataRequest]:
    viewer = ctx.require_viewer()
    return await paginate(ctx.reads, queries.requests_of(viewer.user_id), queries.NEWEST_FIRST, page, descending=True)


async def list_consents(ctx: Context, page: PageRequest) -> Page[ConsentRecord]:
    viewer = ctx.require_viewer()
    query = queries.consents_of(viewer.user_id)
    return await paginate(ctx.reads, query, queries.CONSENTS_NEWEST_FIRST, page, descending=True)


async def request_by_id(ctx: Context, request_id: UUID) -> DataRequest | None:
    async with ctx.reads.session() as session:
        request = await session.get(DataRequest, request_id)
    if request is None or not owns(ctx.viewer, request.user_id):
        return None
    return request


def download_url(ctx: Context, request: DataRequest) -> str | None:
    """A READY export's link for its owner, signed to end when the export does (7 days after it was built)."""
    if request.status is not DataRequestStatus.READY or request.completed_at is None:
        return None
    if request.due_at is not None and request.due_at <= utcnow():
        return None
    token, _ = export_tokens(ctx.settings).issue(request.id, request.user_id, request.completed_at)
    return export_url(ctx.settings, request.id, token)


@dataclass(frozen=True)
class PreparedExport:
    prefix: str
    tables: list[str]
    files: list[tuple[str, str]]
    built_at: datetime


async def open_export(ctx: Context, request_id: UUID, token: str) -> PreparedExport:
    """The export a link names, when the token is valid, names this request and its owner, and it is READY."""
    try:
        token_request, token_user = export_tokens(ctx.settings).verify(token, utcnow())
    except InvalidToken:
        raise DomainError(ErrorCode.FORBIDDEN, LINK_REFUSED) from None
    async with ctx.db.session() as session:
        request = await session.get(DataRequest, request_id)
    if (
        token_request != request_id
        or request is None
        or request.user_id != token_user
        or request.status is not DataRequestStatus.READY
        or request.storage_prefix is None
        or request.completed_at is None
    ):
        raise DomainError(ErrorCode.FORBIDDEN, LINK_REFUSED)
    if request.due_at is not None and request.due_at <= utcnow():
        raise DomainError(ErrorCode.DOWNLOAD_EXPIRED, LINK_REFUSED)
    listed = orjson.loads(
        await ctx.services.storage.read(f"{request.storage_prefix}/{FILES_LIST}", max_bytes=64 * 1024 * 1024)
    )
    return PreparedExport(
        prefix=request.storage_prefix,
        tables=queries.exported_tables(),
        files=[(str(name), str(key)) for name, key in listed],
        built_at=request.completed_at,
    )


def stream(ctx: Context, prepared: PreparedExport) -> AsyncIterator[bytes]:
    """The zip: ``data/<table>.json`` for each table, then each file, all read from storage in chunks."""
    storage = ctx.services.storage

    async def members() -> AsyncIterator[ZipMember]:
        for name in prepared.tables:
            yield ZipMember(
                f"data/{name}.json", prepared.built_at, storage.read_chunks(table_key(prepared.prefix, name))
            )
        for name, key in prepared.files:
            if await storage.stat(key) is None:
                log.error("Data export %s: stored object %s is missing; left out", prepared.prefix, key)
                continue
            yield ZipMember(name, prepared.built_at, storage.read_chunks(key))

    return zip_stream(members())
