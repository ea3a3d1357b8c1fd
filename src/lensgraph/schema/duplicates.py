"""Duplicate claims: claimDuplicate (the original's owner), resolveDuplicate (administrators), their history."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import duplicates as rules
from lensgraph.domain.pagination import page_request
from lensgraph.domain.policies import can_view_photo
from lensgraph.persistence.models import DuplicateClaim as DuplicateClaimRow
from lensgraph.persistence.models import DuplicateClaimChange as DuplicateClaimChangeRow
from lensgraph.resolvers import duplicates
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import (
    Connection,
    Node,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)
from lensgraph.schema.photos import Photo

DuplicateClaimStatus = strawberry.enum(
    rules.ClaimStatus,
    name="DuplicateClaimStatus",
    description="OPEN until an administrator resolves it, once: DISMISSED (the photo stays) or TAKEN_DOWN.",
)
DuplicateDecision = strawberry.enum(
    rules.ClaimDecision, name="DuplicateDecision", description="What an administrator decides of a claim."
)


@strawberry.type(description="One change of a claim's state: to what, by whom, when, and their note.")
class DuplicateClaimChange:
    status: DuplicateClaimStatus  # type: ignore[valid-type]
    note: str
    at: datetime
    actor_id: strawberry.ID | None = strawberry.field(description="The User who made it; null once deleted.")

    @classmethod
    def from_row(cls, row: DuplicateClaimChangeRow) -> DuplicateClaimChange:
        return cls(
            status=row.status,
            note=row.note,
            at=row.created_at,
            actor_id=strawberry.ID(to_global_id("User", row.actor_id)) if row.actor_id else None,
        )


@node_type
@strawberry.type(
    description="A claim that a photo copies one of the claimant's. Seen by the claimant, the photo's uploader and "
    "administrators."
)
class DuplicateClaim(Node):
    _row: strawberry.Private[DuplicateClaimRow]
    status: DuplicateClaimStatus  # type: ignore[valid-type]
    note: str = strawberry.field(description="The claimant's note.")
    created_at: datetime
    resolved_at: datetime | None

    @classmethod
    def from_row(cls, row: DuplicateClaimRow) -> DuplicateClaim:
        return cls(
            _row=row,
            id=to_global_id("DuplicateClaim", row.id),
            status=row.status,
            note=row.note,
            created_at=row.created_at,
            resolved_at=row.resolved_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> DuplicateClaim | None:
        row = await duplicates.visible_claim(info.context, key)
        return cls.from_row(row) if row else None

    @strawberry.field(description="The photo claimed to be a copy; null where you may not see it (taken down).")
    async def photo(self, info: Info[Context, None]) -> Photo | None:
        return await _photo(info, self._row.photo_id)

    @strawberry.field(description="The claimant's photo it looks like; null where you may not see it.")
    async def original_photo(self, info: Info[Context, None]) -> Photo | None:
        return await _photo(info, self._row.original_photo_id)

    @strawberry.field(description="Every change of its state, oldest first, from its filing on.")
    async def history(self, info: Info[Context, None]) -> list[DuplicateClaimChange]:
        rows = await info.context.loaders.duplicate_claim_changes.load(self._row.id)
        return [DuplicateClaimChange.from_row(row) for row in rows]


async def _photo(info: Info[Context, None], key: UUID | None) -> Photo | None:
    row = await info.context.loaders.photo.load(key) if key else None
    if row is None or not can_view_photo(info.context.viewer, row.user_id, row.status, row.visibility):
        return None
    return Photo.from_row(row)


@strawberry.input
class ClaimDuplicateInput:
    photo_id: strawberry.ID = strawberry.field(description="The photo you hold to be a copy of one of yours.")
    note: str | None = strawberry.field(default=None, description="For the administrators (at most 2000 characters).")


@strawberry.type
class ClaimDuplicatePayload:
    claim: DuplicateClaim | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ResolveDuplicateInput:
    id: strawberry.ID
    decision: DuplicateDecision  # type: ignore[valid-type]
    note: str | None = None


@strawberry.type
class ResolveDuplicatePayload:
    claim: DuplicateClaim | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ViewerDuplicateClaims:
    @strawberry.field(description="Duplicate claims you filed and claims on your photos, newest first.")
    async def duplicate_claims(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[DuplicateClaim]:
        page = await duplicates.list_viewer_claims(info.context, page_request(first, after, last, before))
        return Connection[DuplicateClaim].from_page(page, DuplicateClaim.from_row)


@strawberry.type
class DuplicateClaimQueries:
    @strawberry.field(description="Duplicate claims, of one status or all, newest first. Admins only.")
    async def duplicate_claims(
        self,
        info: Info[Context, None],
        status: DuplicateClaimStatus | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[DuplicateClaim]:
        page = await duplicates.list_claims(info.context, status, page_request(first, after, last, before))
        return Connection[DuplicateClaim].from_page(page, DuplicateClaim.from_row)


@strawberry.type
class DuplicateMutations:
    @strawberry.mutation(
        description="As the owner of a photo another account's photo was flagged as a possible duplicate of "
        "(photo.duplicateFound): claim that it is a copy. One open claim per photo; an administrator resolves it."
    )
    @returns_user_errors(ClaimDuplicatePayload)
    async def claim_duplicate(self, info: Info[Context, None], input: ClaimDuplicateInput) -> ClaimDuplicatePayload:
        row = await duplicates.claim_duplicate(
            info.context, expect_global_id(input.photo_id, "Photo", "photoId"), input.note
        )
        return ClaimDuplicatePayload(claim=DuplicateClaim.from_row(row))

    @strawberry.mutation(
        description="Administrators: resolve an open duplicate claim, once. TAKEN_DOWN removes the photo from the "
        "catalogue, withdraws its listings, refuses new licenses of it and flags its running licenses."
    )
    @returns_user_errors(ResolveDuplicatePayload)
    async def resolve_duplicate(
        self, info: Info[Context, None], input: ResolveDuplicateInput
    ) -> ResolveDuplicatePayload:
        row = await duplicates.resolve_duplicate(
            info.context, expect_global_id(input.id, "DuplicateClaim", "id"), input.decision, input.note
        )
        return ResolveDuplicatePayload(claim=DuplicateClaim.from_row(row))
