"""Privacy (GDPR): data exports, account deletion, consents."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import compliance as rules
from lensgraph.domain.pagination import page_request
from lensgraph.persistence.models import ConsentRecord as ConsentRow
from lensgraph.persistence.models import DataRequest as RequestRow
from lensgraph.resolvers import compliance
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import Connection, Node, UserError, node_type, returns_user_errors, to_global_id

DataRequestKind = strawberry.enum(rules.DataRequestKind, description="An export (Article 20) or a deletion (17).")
DataRequestStatus = strawberry.enum(
    rules.DataRequestStatus,
    description="PENDING: an export being built, or a deletion in its grace period. READY: an export to download. "
    "COMPLETED: a deletion carried out. CANCELLED.",
)


@node_type
@strawberry.type(description="An export or deletion of your data you asked for.")
class DataRequest(Node):
    _row: strawberry.Private[RequestRow]
    kind: DataRequestKind  # type: ignore[valid-type]
    status: DataRequestStatus  # type: ignore[valid-type]
    due_at: datetime | None = strawberry.field(
        description="A deletion: when the account is deleted unless cancelled first. An export: when its link ends."
    )
    completed_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: RequestRow) -> DataRequest:
        return cls(
            _row=row,
            id=to_global_id("DataRequest", row.id),
            kind=row.kind,
            status=row.status,
            due_at=row.due_at,
            completed_at=row.completed_at,
            cancelled_at=row.cancelled_at,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> DataRequest | None:
        row = await compliance.request_by_id(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field(
        description="A READY export's zip: a signed link, valid until `dueAt` (7 days after the export was built). "
        "Also emailed when the export is ready."
    )
    def download_url(self, info: Info[Context, None]) -> str | None:
        return compliance.download_url(info.context, self._row)


@strawberry.type(description="What you let Lensgraph do with your data.")
class Consent:
    marketing_emails: bool
    product_analytics: bool
    third_party_sharing: bool
    given_at: datetime | None = strawberry.field(description="When this choice was made; null: never asked.")

    @classmethod
    def from_row(cls, row: ConsentRow) -> Consent:
        return cls(
            marketing_emails=row.marketing_emails,
            product_analytics=row.product_analytics,
            third_party_sharing=row.third_party_sharing,
            given_at=row.created_at,
        )


@strawberry.type
class ViewerCompliance:
    """Fields of ``Viewer`` about privacy."""

    @strawberry.field(description="Your data exports and deletion requests, newest first.")
    async def data_requests(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[DataRequest]:
        page = await compliance.list_requests(info.context, page_request(first, after, last, before))
        return Connection[DataRequest].from_page(page, DataRequest.from_row)

    @strawberry.field(description="Your consents in force (all false until you choose).")
    async def consent(self, info: Info[Context, None]) -> Consent:
        current = await compliance.current_consent(info.context)
        if current is not None:
            return Consent.from_row(current)
        return Consent(
            marketing_emails=rules.NO_CONSENT.marketing_emails,
            product_analytics=rules.NO_CONSENT.product_analytics,
            third_party_sharing=rules.NO_CONSENT.third_party_sharing,
            given_at=None,
        )

    @strawberry.field(description="Every consent choice you made, newest first.")
    async def consent_history(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Consent]:
        page = await compliance.list_consents(info.context, page_request(first, after, last, before))
        return Connection[Consent].from_page(page, Consent.from_row)


@strawberry.input
class UpdateConsentInput:
    marketing_emails: bool
    product_analytics: bool
    third_party_sharing: bool


@strawberry.type
class RequestDataExportPayload:
    data_request: DataRequest | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RequestAccountDeletionPayload:
    data_request: DataRequest | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CancelAccountDeletionPayload:
    data_request: DataRequest | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UpdateConsentPayload:
    consent: Consent | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ComplianceMutations:
    @strawberry.mutation(
        description="Export everything Lensgraph holds about you (GDPR Article 20): a zip of JSON files and your "
        "originals, built in the background; a signed link valid 7 days is emailed and shown in "
        "`viewer.dataRequests`. One export at a time (ALREADY_EXISTS)."
    )
    @returns_user_errors(RequestDataExportPayload)
    async def request_data_export(self, info: Info[Context, None]) -> RequestDataExportPayload:
        return RequestDataExportPayload(
            data_request=DataRequest.from_row(await compliance.request_export(info.context))
        )

    @strawberry.mutation(
        description="Delete your account (GDPR Article 17) after a 30-day grace period: your content and files "
        "are deleted, tokens, API keys and webhooks revoked, and records the law keeps (paid invoices, payments, "
        "signed contracts) pseudonymised. Cancel with cancelAccountDeletion until then."
    )
    @returns_user_errors(RequestAccountDeletionPayload)
    async def request_account_deletion(self, info: Info[Context, None]) -> RequestAccountDeletionPayload:
        row = await compliance.request_deletion(info.context)
        return RequestAccountDeletionPayload(data_request=DataRequest.from_row(row))

    @strawberry.mutation(description="Keep your account: cancels a deletion still in its grace period (NOT_FOUND).")
    @returns_user_errors(CancelAccountDeletionPayload)
    async def cancel_account_deletion(self, info: Info[Context, None]) -> CancelAccountDeletionPayload:
        row = await compliance.cancel_deletion(info.context)
        return CancelAccountDeletionPayload(data_request=DataRequest.from_row(row))

    @strawberry.mutation(description="Record your consents; the previous choices stay in `viewer.consentHistory`.")
    @returns_user_errors(UpdateConsentPayload)
    async def update_consent(self, info: Info[Context, None], input: UpdateConsentInput) -> UpdateConsentPayload:
        row = await compliance.update_consent(
            info.context,
            rules.Consents(input.marketing_emails, input.product_analytics, input.third_party_sharing),
        )
        return UpdateConsentPayload(consent=Consent.from_row(row))
