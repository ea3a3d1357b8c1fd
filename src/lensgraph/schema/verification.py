"""Verifications: the Verification node and its checks, the owner's list, create and delete, the monthly overage
budget, and verificationUpdated."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import strawberry
from strawberry import Info
from strawberry.scalars import JSON

from lensgraph.domain import forensics as forensic_rules
from lensgraph.domain import verification as rules
from lensgraph.domain.money import Currency, Money
from lensgraph.domain.pagination import page_request
from lensgraph.domain.policies import can_see_capture_location, can_view_verification_image
from lensgraph.persistence.loaders import referenced
from lensgraph.persistence.models import Verification as VerificationRow
from lensgraph.resolvers import verification
from lensgraph.resolvers.context import Context
from lensgraph.schema.accounts import User
from lensgraph.schema.core import (
    Connection,
    Node,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)
from lensgraph.schema.plans import VerificationUsage
from lensgraph.schema.subscriptions import until_credential_expires

VerificationStatus = strawberry.enum(
    rules.VerificationStatus,
    description="PENDING: both files stored. QUEUED: waiting for a worker. IN_PROGRESS: being analysed. COMPLETED: "
    "a verdict. FAILED: no verdict could be reached (see failureReason).",
)
VerificationOrder = strawberry.enum(
    rules.VerificationOrder,
    description="NEWEST/OLDEST by creation, NAME alphabetically, RECENTLY_COMPLETED (finished ones only).",
)
VerificationAnalyzer = strawberry.enum(forensic_rules.Analyzer, name="VerificationAnalyzer")
CheckOutcome = strawberry.enum(forensic_rules.Outcome, name="CheckOutcome")
IMAGE_URL_LIFETIME = timedelta(hours=1)


@strawberry.type(description="A local finding, in the JPEG's pixels (after its EXIF orientation).")
class CheckRegion:
    x: int
    y: int
    width: int
    height: int
    score: float


@strawberry.type(description="One forensic analyser's finding, with its evidence.")
class VerificationCheck:
    analyzer: VerificationAnalyzer  # type: ignore[valid-type]
    outcome: CheckOutcome  # type: ignore[valid-type]
    confidence: float = strawberry.field(description="0..1: how sure the analyser is of its outcome.")
    details: JSON = strawberry.field(description="The evidence, as the analyser reports it.")
    regions: list[CheckRegion]

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> VerificationCheck:
        return cls(
            analyzer=forensic_rules.Analyzer(stored["analyzer"]),
            outcome=forensic_rules.Outcome(stored["outcome"]),
            confidence=float(stored["confidence"]),
            details=JSON(stored.get("details") or {}),
            regions=[CheckRegion(**region) for region in stored.get("regions") or []],
        )


@strawberry.type(description="Where the photo was taken, from the JPEG's GPS EXIF.")
class CaptureLocation:
    latitude: float
    longitude: float


@node_type
@strawberry.type(
    description="A RAW + JPEG pair analysed for authenticity: is the JPEG an unmanipulated development of that RAW "
    "from a real camera. Its owner's, and whoever it is shared with."
)
class Verification(Node):
    _row: strawberry.Private[VerificationRow]
    name: str
    short_code: str = strawberry.field(description="Names the report in print and on its watermark strip.")
    status: VerificationStatus  # type: ignore[valid-type]
    failure_reason: str | None
    result: bool | None = strawberry.field(description="The verdict, once COMPLETED: true when authentic.")
    result_confidence: float | None = strawberry.field(description="0..1, in the verdict as given.")
    integrity_score: float | None = strawberry.field(description="0..1: the RAW is a genuine, whole camera file.")
    security_score: float | None = strawberry.field(
        description="0..1: the JPEG is an unmanipulated development of the RAW (pixels, noise, recapture)."
    )
    raw_metadata: JSON = strawberry.field(description="What the RAW says of itself: camera, lens, exposure, size.")
    image_metadata: JSON = strawberry.field(description="The JPEG's EXIF as read by the analysis.")
    raw_hash: str = strawberry.field(description="SHA-256 of the RAW file, hex.")
    image_hash: str = strawberry.field(description="SHA-256 of the JPEG file, hex.")
    raw_format: str = strawberry.field(description="CR2, CR3, ARW, NEF, DNG, RAF, ORF, RW2, PEF or SRW.")
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = strawberry.field(description="When it became COMPLETED or FAILED.")

    @classmethod
    def from_row(cls, row: VerificationRow) -> Verification:
        return cls(
            _row=row,
            id=to_global_id("Verification", row.id),
            name=row.name,
            short_code=row.short_code,
            status=row.status,
            failure_reason=row.failure_reason,
            result=row.authentic,
            result_confidence=row.result_confidence,
            integrity_score=row.integrity_score,
            security_score=row.security_score,
            raw_metadata=JSON(row.raw_metadata),
            image_metadata=JSON(row.image_metadata),
            raw_hash=row.raw_sha256,
            image_hash=row.image_sha256,
            raw_format=row.raw_format,
            created_at=row.created_at,
            updated_at=row.updated_at,
            completed_at=row.completed_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Verification | None:
        row = await verification.get_verification(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field(description="Every analyser's finding, once COMPLETED; empty before.")
    def checks(self) -> list[VerificationCheck]:
        return [VerificationCheck.from_stored(stored) for stored in self._row.checks]

    @strawberry.field(description="Who verified it.")
    async def owner(self, info: Info[Context, None]) -> User:
        return User.from_row(await referenced(info.context.loaders.user, self._row.user_id))

    @strawberry.field(
        description="The verified JPEG as uploaded, a download URL valid for an hour; the owner's only. Checked "
        "against imageHash first: a stored file that changed is withheld (error FILE_INTEGRITY_FAILED)."
    )
    async def image_url(self, info: Info[Context, None]) -> str | None:
        if not can_view_verification_image(info.context.viewer, self._row.user_id):
            return None
        return await verification.image_url(info.context, self._row, expires_in=IMAGE_URL_LIFETIME)

    @strawberry.field(description="Where it was taken (GPS EXIF of the JPEG): for the owner, or anyone if shown.")
    def capture_location(self, info: Info[Context, None]) -> CaptureLocation | None:
        if not can_see_capture_location(info.context.viewer, self._row.user_id, self._row.show_location):
            return None
        found = rules.capture_location(self._row.image_metadata)
        return CaptureLocation(latitude=found.latitude, longitude=found.longitude) if found else None


# Inputs and payloads -------------------------------------------------------------------------


@strawberry.input
class VerificationFilter:
    status: VerificationStatus | None = None  # type: ignore[valid-type]
    result: bool | None = strawberry.field(default=None, description="true: authentic ones; false: not authentic.")
    search: str | None = strawberry.field(default=None, description="Part of the name, or the short code.")

    def to_domain(self) -> rules.VerificationFilter:
        search = (self.search or "").strip() or None
        return rules.VerificationFilter(status=self.status, result=self.result, search=search)


@strawberry.input
class CreateVerificationInput:
    raw_upload_id: strawberry.ID = strawberry.field(description="From requestUpload with purpose RAW, once sent.")
    image_upload_id: strawberry.ID = strawberry.field(
        description="From requestUpload with purpose IMAGE_FOR_VERIFICATION, once sent."
    )
    name: str | None = strawberry.field(default=None, description="Defaults to the image's file name.")


@strawberry.type
class CreateVerificationPayload:
    verification: Verification | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeleteVerificationInput:
    id: strawberry.ID


@strawberry.type
class DeleteVerificationPayload:
    deleted_verification_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SetVerificationBudgetInput:
    amount: int = strawberry.field(
        description="What verifications beyond your plan's monthly allowance may cost per month, in euro cents "
        "(EUR 0.25 each); 0 for none."
    )


@strawberry.type
class SetVerificationBudgetPayload:
    usage: VerificationUsage | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


# Root fields ---------------------------------------------------------------------------------


@strawberry.type
class ViewerVerifications:
    """Fields of ``Viewer`` about verifications."""

    @strawberry.field(description="Your verifications.")
    async def verifications(
        self,
        info: Info[Context, None],
        filter: VerificationFilter | None = None,
        order_by: VerificationOrder = rules.VerificationOrder.NEWEST,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Verification]:
        given = filter.to_domain() if filter else rules.VerificationFilter()
        page = await verification.list_verifications(
            info.context, page_request(first, after, last, before), given, order_by
        )
        return Connection[Verification].from_page(page, Verification.from_row)


@strawberry.type
class VerificationMutations:
    @strawberry.mutation(
        description="Verify that a JPEG is an unmanipulated development of a RAW: both uploads (requestUpload with "
        "purposes RAW and IMAGE_FOR_VERIFICATION) are checked and consumed, the month's allowance charged (beyond "
        "it, on a paid plan, EUR 0.25 within your budget; else QUOTA_EXCEEDED), and the analysis queued."
    )
    @returns_user_errors(CreateVerificationPayload)
    async def create_verification(
        self, info: Info[Context, None], input: CreateVerificationInput
    ) -> CreateVerificationPayload:
        row = await verification.create_verification(
            info.context,
            expect_global_id(input.raw_upload_id, "Upload", "rawUploadId"),
            expect_global_id(input.image_upload_id, "Upload", "imageUploadId"),
            input.name,
        )
        return CreateVerificationPayload(verification=Verification.from_row(row))

    @strawberry.mutation(description="Delete a verification and its files (not while IN_PROGRESS).")
    @returns_user_errors(DeleteVerificationPayload)
    async def delete_verification(
        self, info: Info[Context, None], input: DeleteVerificationInput
    ) -> DeleteVerificationPayload:
        await verification.delete_verification(info.context, expect_global_id(input.id, "Verification"))
        return DeleteVerificationPayload(deleted_verification_id=input.id)

    @strawberry.mutation(description="Set what verifications beyond your plan's allowance may cost per month.")
    @returns_user_errors(SetVerificationBudgetPayload)
    async def set_verification_budget(
        self, info: Info[Context, None], input: SetVerificationBudgetInput
    ) -> SetVerificationBudgetPayload:
        used = await verification.set_budget(info.context, Money(input.amount, Currency.EUR))
        return SetVerificationBudgetPayload(usage=VerificationUsage.from_domain(used.usage, used.allowance))


@strawberry.type
class VerificationSubscriptions:
    @strawberry.subscription(
        description="A verification as it is now, then after each change of its status, ending with COMPLETED (with "
        "the verdict and checks) or FAILED. For whoever may see it."
    )
    async def verification_updated(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> AsyncGenerator[Verification, None]:
        rows = verification.updates(info.context, expect_global_id(id, "Verification"))
        async for row in until_credential_expires(info.context.request, rows):
            yield Verification.from_row(row)
