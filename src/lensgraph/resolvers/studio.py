"""The studio's CRM: clients with a lead status, tags and notes, kept by STUDIO accounts for themselves alone."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from lensgraph.domain import studio as rules
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.policies import Viewer, can_view_studio_record, runs_studio
from lensgraph.domain.studio import LeadStatus
from lensgraph.persistence import invoices as invoice_queries
from lensgraph.persistence import studio as queries
from lensgraph.persistence.db import ConstraintViolation, UnitOfWork
from lensgraph.persistence.models import Booking, Client
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers.context import Context

EMAIL_TAKEN = "Another of your clients has this address."
CLIENT_WITH_PAYMENTS = "Payments were made on this client's invoices: keep the client (mark them PAST)."


def require_studio(ctx: Context) -> Viewer:
    viewer = ctx.require_viewer()
    if not runs_studio(viewer):
        raise forbidden("Only studios keep clients, session types and bookings.")
    return viewer


async def own_client(ctx: Context, uow: UnitOfWork, client_id: UUID, field: str = "id") -> Client:
    """The caller's client; another studio's reads as not found."""
    viewer = require_studio(ctx)
    client = await uow.session.get(Client, client_id)
    if client is None or not can_view_studio_record(viewer, client.studio_id):
        raise DomainError(ErrorCode.NOT_FOUND, "No such client of yours.", [field])
    return client


def _check_version(client: Client, version: int | None) -> None:
    if version is not None and version != client.version:
        raise DomainError(ErrorCode.CONFLICT, "This client changed since you read it: load it again.", ["version"])


async def create_client(
    ctx: Context,
    *,
    name: str,
    emails: Sequence[str],
    phone: str | None,
    tags: Sequence[str],
    notes: str | None,
    status: LeadStatus,
) -> Client:
    viewer = require_studio(ctx)
    client = Client(
        studio_id=viewer.user_id,
        name=rules.clean_name(name),
        emails=rules.clean_emails(emails),
        phone=rules.clean_phone(phone),
        tags=rules.clean_tags(tags),
        notes=rules.clean_notes(notes),
        status=status,
    )
    try:
        async with ctx.db.unit_of_work() as uow:
            if client.emails and await queries.emails_taken(uow.session, viewer.user_id, client.emails, None):
                raise DomainError(ErrorCode.ALREADY_EXISTS, EMAIL_TAKEN, ["emails"])
            uow.session.add(client)
            await queries.index_client(uow.session, client)
    except ConstraintViolation:
        raise DomainError(ErrorCode.ALREADY_EXISTS, EMAIL_TAKEN, ["emails"]) from None
    return client


async def update_client(
    ctx: Context,
    client_id: UUID,
    *,
    version: int | None,
    name: str | None,
    emails: Sequence[str] | None,
    phone: str | None,
    tags: Sequence[str] | None,
    notes: str | None,
    status: LeadStatus | None,
) -> Client:
    """Changes what is given; a stale ``version`` is CONFLICT, so two people editing one client lose nothing."""
    try:
        async with ctx.db.unit_of_work() as uow:
            client = await own_client(ctx, uow, client_id)
            _check_version(client, version)
            if name is not None:
                client.name = rules.clean_name(name)
            if phone is not None:
                client.phone = rules.clean_phone(phone)
            if notes is not None:
                client.notes = rules.clean_notes(notes)
            if status is not None:
                client.status = status
            if tags is not None:
                client.tags = rules.clean_tags(tags)
            if emails is not None:
                cleaned = rules.clean_emails(emails)
                if cleaned and await queries.emails_taken(uow.session, client.studio_id, cleaned, client.id):
                    raise DomainError(ErrorCode.ALREADY_EXISTS, EMAIL_TAKEN, ["emails"])
                client.emails = cleaned
            if tags is not None or emails is not None:
                await queries.index_client(uow.session, client)
            if name is not None or emails is not None:
                await invoice_queries.sync_client_galleries(
                    uow.session, client.id, client.emails[0] if client.emails else None, client.name
                )
    except ConstraintViolation:
        raise DomainError(ErrorCode.ALREADY_EXISTS, EMAIL_TAKEN, ["emails"]) from None
    return client


async def delete_client(ctx: Context, client_id: UUID) -> None:
    """The client goes, with their bookings and unpaid invoices; one with invoice payments stays (the payments'
    foreign key refuses it too, should one be opened meanwhile)."""
    try:
        async with ctx.db.unit_of_work() as uow:
            client = await own_client(ctx, uow, client_id)
            if await invoice_queries.client_has_payments(uow.session, client.id):
                raise DomainError(ErrorCode.INVALID_TRANSITION, CLIENT_WITH_PAYMENTS, ["id"])
            await uow.session.delete(client)
    except ConstraintViolation:
        raise DomainError(ErrorCode.INVALID_TRANSITION, CLIENT_WITH_PAYMENTS, ["id"]) from None


async def list_clients(
    ctx: Context, page: PageRequest, *, status: LeadStatus | None, tag: str | None, search: str | None
) -> Page[Client]:
    """Your clients, newest first."""
    viewer = require_studio(ctx)
    query = queries.clients_of(
        viewer.user_id,
        status=status,
        tag=rules.clean_tags([tag])[0] if tag else None,
        search=search.strip() if search else None,
    )
    return await paginate(ctx.reads, query, [Client.created_at, Client.id], page, descending=True)


async def client_by_id(ctx: Context, client_id: UUID) -> Client | None:
    client = await ctx.loaders.client.load(client_id)
    return client if client and can_view_studio_record(ctx.viewer, client.studio_id) else None


async def bookings_of_client(ctx: Context, client: Client) -> list[Booking]:
    return await ctx.loaders.bookings_by_client.load(client.id)
