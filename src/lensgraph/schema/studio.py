"""The studio's CRM: clients, their lead status and their bookings."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import studio as rules
from lensgraph.domain.pagination import page_request
from lensgraph.persistence.models import Client as ClientRow
from lensgraph.resolvers import documents, galleries, invoices, studio
from lensgraph.resolvers.context import Context
from lensgraph.schema.booking import Booking
from lensgraph.schema.core import (
    Connection,
    Node,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)
from lensgraph.schema.documents import StudioDocument
from lensgraph.schema.galleries import Gallery

if TYPE_CHECKING:
    from lensgraph.schema.invoices import Invoice

LeadStatus = strawberry.enum(rules.LeadStatus, description="Where a client stands with the studio.")


@node_type
@strawberry.type(description="A studio's client: a lead, or someone who booked. Seen by that studio alone.")
class Client(Node):
    _row: strawberry.Private[ClientRow]
    name: str
    emails: list[str] = strawberry.field(description="Lowercased; the first is where the studio writes.")
    phone: str
    tags: list[str]
    notes: str
    status: LeadStatus  # type: ignore[valid-type]
    version: int = strawberry.field(description="Send it back with updateClient: a stale one is CONFLICT.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: ClientRow) -> Client:
        return cls(
            _row=row,
            id=to_global_id("Client", row.id),
            name=row.name,
            emails=list(row.emails),
            phone=row.phone,
            tags=list(row.tags),
            notes=row.notes,
            status=row.status,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Client | None:
        row = await studio.client_by_id(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field(description="The client's bookings, latest start first, cancelled ones included.")
    async def bookings(self, info: Info[Context, None]) -> list[Booking]:
        return [Booking.from_row(row) for row in await studio.bookings_of_client(info.context, self._row)]

    @strawberry.field(description="The contracts and questionnaires sent to the client, newest first.")
    async def documents(self, info: Info[Context, None]) -> list[StudioDocument]:
        return [StudioDocument.from_row(row) for row in await documents.documents_of_client(info.context, self._row)]

    @strawberry.field(description="The galleries linked to the client, newest first.")
    async def galleries(self, info: Info[Context, None]) -> list[Gallery]:
        return [Gallery.from_row(row) for row in await galleries.galleries_of_client(info.context, self._row)]

    @strawberry.field(description="The client's invoices, newest first, drafts and voided ones included.")
    async def invoices(
        self, info: Info[Context, None]
    ) -> list[Annotated[Invoice, strawberry.lazy("lensgraph.schema.invoices")]]:
        from lensgraph.schema.invoices import Invoice

        return [Invoice.from_row(row) for row in await invoices.invoices_of_client(info.context, self._row)]


@strawberry.input
class ClientFilter:
    status: LeadStatus | None = None  # type: ignore[valid-type]
    tag: str | None = None


@strawberry.type
class ViewerStudio:
    """Fields of ``Viewer`` about the studio's clients."""

    @strawberry.field(description="Studios: your clients, newest first; `search` looks in names and addresses.")
    async def clients(
        self,
        info: Info[Context, None],
        filter: ClientFilter | None = None,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Client]:
        chosen = filter or ClientFilter()
        page = await studio.list_clients(
            info.context, page_request(first, after, last, before), status=chosen.status, tag=chosen.tag, search=search
        )
        return Connection[Client].from_page(page, Client.from_row)


# Inputs and payloads ---------------------------------------------------------------------------


@strawberry.input
class CreateClientInput:
    name: str
    emails: list[str] = strawberry.field(default_factory=list)
    phone: str | None = None
    tags: list[str] = strawberry.field(default_factory=list)
    notes: str | None = None
    status: LeadStatus = rules.LeadStatus.LEAD  # type: ignore[valid-type]


@strawberry.type
class CreateClientPayload:
    client: Client | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateClientInput:
    id: strawberry.ID
    version: int | None = strawberry.field(default=None, description="The version you read; stale is CONFLICT.")
    name: str | None = None
    emails: list[str] | None = None
    phone: str | None = None
    tags: list[str] | None = None
    notes: str | None = None
    status: LeadStatus | None = None  # type: ignore[valid-type]


@strawberry.type
class UpdateClientPayload:
    client: Client | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeleteClientInput:
    id: strawberry.ID


@strawberry.type
class DeleteClientPayload:
    deleted_client_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class StudioMutations:
    @strawberry.mutation(description="Studios: add a client or a lead.")
    @returns_user_errors(CreateClientPayload)
    async def create_client(self, info: Info[Context, None], input: CreateClientInput) -> CreateClientPayload:
        row = await studio.create_client(
            info.context,
            name=input.name,
            emails=input.emails,
            phone=input.phone,
            tags=input.tags,
            notes=input.notes,
            status=input.status,
        )
        return CreateClientPayload(client=Client.from_row(row))

    @strawberry.mutation(description="Change what is given; the rest stays.")
    @returns_user_errors(UpdateClientPayload)
    async def update_client(self, info: Info[Context, None], input: UpdateClientInput) -> UpdateClientPayload:
        row = await studio.update_client(
            info.context,
            expect_global_id(input.id, "Client"),
            version=input.version,
            name=input.name,
            emails=input.emails,
            phone=input.phone,
            tags=input.tags,
            notes=input.notes,
            status=input.status,
        )
        return UpdateClientPayload(client=Client.from_row(row))

    @strawberry.mutation(description="Delete a client and their bookings.")
    @returns_user_errors(DeleteClientPayload)
    async def delete_client(self, info: Info[Context, None], input: DeleteClientInput) -> DeleteClientPayload:
        await studio.delete_client(info.context, expect_global_id(input.id, "Client"))
        return DeleteClientPayload(deleted_client_id=input.id)
