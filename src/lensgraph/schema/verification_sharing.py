"""Sharing verification reports: the fields a Verification has for it (sharing, viewAnalytics, thumbnailUrl,
watermarkedUrl), the share link and invitation mutations, and the public sharedVerification(token)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info

from lensgraph.domain.verification import AccessType
from lensgraph.persistence.models import Verification as VerificationRow
from lensgraph.persistence.models import VerificationInvite as InviteRow
from lensgraph.resolvers import verification_sharing as sharing
from lensgraph.resolvers.context import Context
from lensgraph.schema.analytics import From, To
from lensgraph.schema.core import UserError, expect_global_id, returns_user_errors

if TYPE_CHECKING:
    from lensgraph.schema.verification import Verification

LazyVerification = Annotated["Verification", strawberry.lazy("lensgraph.schema.verification")]

VerificationAccessType = strawberry.enum(
    AccessType,
    name="VerificationAccessType",
    description="RESTRICTED: the owner and invited signed-in users (the link admits only them). ANYONE_WITH_LINK: "
    "also anyone holding the share link, signed in or not.",
)


def _verification(row: VerificationRow) -> Verification:
    from lensgraph.schema.verification import Verification

    return Verification.from_row(row)


@strawberry.type(description="A person invited to read a report.")
class VerificationInvite:
    email: str
    account_linked: bool = strawberry.field(
        description="The invitation belongs to an account (an account with this address, verified, exists)."
    )
    invited_at: datetime

    @classmethod
    def from_row(cls, row: InviteRow) -> VerificationInvite:
        return cls(email=row.email, account_linked=row.invited_user_id is not None, invited_at=row.created_at)


@strawberry.type(description="Who may read a report besides its owner.")
class VerificationSharing:
    _row: strawberry.Private[VerificationRow]
    access_type: VerificationAccessType  # type: ignore[valid-type]
    show_location: bool = strawberry.field(description="Readers other than you see captureLocation.")
    has_link: bool = strawberry.field(
        description="A share link exists. Only its hash is kept: the URL is shown once, by setVerificationSharing; "
        "ask for a new one (newLink) if it is lost."
    )

    @strawberry.field(description="Live invitations, oldest first.")
    async def invites(self, info: Info[Context, None]) -> list[VerificationInvite]:
        return [VerificationInvite.from_row(row) for row in await sharing.live_invites(info.context, self._row)]


@strawberry.type(description="A count for one UTC day.")
class DateCount:
    date: date
    count: int


@strawberry.type(description="Reads of a shared report by people other than its owner, written within seconds.")
class VerificationViewAnalytics:
    total_views: int
    daily_views: list[DateCount] = strawberry.field(description="Every day of the window, oldest first, zeros too.")


@strawberry.type
class VerificationSharingFields:
    """Fields of ``Verification`` about sharing and renditions (the type inherits them)."""

    _row: strawberry.Private[VerificationRow]

    @strawberry.field(description="Who may read it besides you: yours only (null for everyone else).")
    def sharing(self, info: Info[Context, None]) -> VerificationSharing | None:
        viewer = info.context.viewer
        if viewer is None or viewer.user_id != self._row.user_id:
            return None
        return VerificationSharing(
            _row=self._row,
            access_type=self._row.access_type,
            show_location=self._row.show_location,
            has_link=self._row.share_token_hash is not None,
        )

    @strawberry.field(description="How often others read it, per day: yours only (null for everyone else).")
    async def view_analytics(self, info: Info[Context, None], from_: From, to: To) -> VerificationViewAnalytics | None:
        totals = await sharing.view_analytics(info.context, self._row, from_, to)
        if totals is None:
            return None
        return VerificationViewAnalytics(
            total_views=totals.total, daily_views=[DateCount(date=item.day, count=item.count) for item in totals.daily]
        )

    @strawberry.field(description="A small JPEG of the verified image (320 px), a URL valid for 15 minutes.")
    async def thumbnail_url(self, info: Info[Context, None]) -> str | None:
        return await sharing.thumbnail_url(info.context, self._row)

    @strawberry.field(
        description="The verified JPEG (at most 2048 px) with a verification strip: verdict, short code and date. "
        "Once the analysis ended (null before); a URL valid for 15 minutes."
    )
    async def watermarked_url(self, info: Info[Context, None]) -> str | None:
        return await sharing.watermarked_url(info.context, self._row)


# Inputs and payloads -------------------------------------------------------------------------------


@strawberry.input
class SetVerificationSharingInput:
    id: strawberry.ID
    access_type: VerificationAccessType  # type: ignore[valid-type]
    show_location: bool | None = strawberry.field(default=None, description="Unchanged when not given.")
    new_link: bool = strawberry.field(
        default=False, description="Replace the share link: the old one stops working. A first link is always made."
    )


@strawberry.type
class SetVerificationSharingPayload:
    verification: LazyVerification | None = None
    share_url: str | None = strawberry.field(
        default=None, description="The share link, when one was made by this call: shown once, keep it."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RevokeVerificationShareLinkInput:
    id: strawberry.ID


@strawberry.type
class RevokeVerificationShareLinkPayload:
    verification: LazyVerification | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class VerificationInviteInput:
    id: strawberry.ID = strawberry.field(description="The verification.")
    email: str


@strawberry.type
class InviteToVerificationPayload:
    invite: VerificationInvite | None = None
    has_account: bool | None = strawberry.field(
        default=None, description="Someone has a Lensgraph account with this address."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RevokeVerificationInvitePayload:
    verification: LazyVerification | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


# Root fields --------------------------------------------------------------------------------------


@strawberry.type
class VerificationSharingQueries:
    @strawberry.field(
        description="The report a share link opens: for anyone when shared ANYONE_WITH_LINK, else for its owner "
        "and invited signed-in users. Takes the token or the whole URL. A link that does not open a report you may "
        "see (unknown, replaced, revoked, or not yours to use) is the error NOT_FOUND. Counts as a view."
    )
    async def shared_verification(self, info: Info[Context, None], token: str) -> LazyVerification:
        return _verification(await sharing.shared(info.context, token))


@strawberry.type
class VerificationSharingMutations:
    @strawberry.mutation(
        description="Share your report: who the link admits, whether the location shows. Makes a share link when "
        "there is none (or newLink), returned once as shareUrl."
    )
    @returns_user_errors(SetVerificationSharingPayload)
    async def set_verification_sharing(
        self, info: Info[Context, None], input: SetVerificationSharingInput
    ) -> SetVerificationSharingPayload:
        done = await sharing.set_sharing(
            info.context,
            expect_global_id(input.id, "Verification"),
            input.access_type,
            input.show_location,
            input.new_link,
        )
        return SetVerificationSharingPayload(verification=_verification(done.verification), share_url=done.share_url)

    @strawberry.mutation(description="Stop the share link working. Invited readers keep their access.")
    @returns_user_errors(RevokeVerificationShareLinkPayload)
    async def revoke_verification_share_link(
        self, info: Info[Context, None], input: RevokeVerificationShareLinkInput
    ) -> RevokeVerificationShareLinkPayload:
        row = await sharing.revoke_share_link(info.context, expect_global_id(input.id, "Verification"))
        return RevokeVerificationShareLinkPayload(verification=_verification(row))

    @strawberry.mutation(
        description="Invite someone by email to read your report (signed in with that address); mails them."
    )
    @returns_user_errors(InviteToVerificationPayload)
    async def invite_to_verification(
        self, info: Info[Context, None], input: VerificationInviteInput
    ) -> InviteToVerificationPayload:
        done = await sharing.invite(info.context, expect_global_id(input.id, "Verification"), input.email)
        return InviteToVerificationPayload(
            invite=VerificationInvite.from_row(done.invite), has_account=done.has_account
        )

    @strawberry.mutation(description="End someone's invitation to your report.")
    @returns_user_errors(RevokeVerificationInvitePayload)
    async def revoke_verification_invite(
        self, info: Info[Context, None], input: VerificationInviteInput
    ) -> RevokeVerificationInvitePayload:
        row = await sharing.revoke_invite(info.context, expect_global_id(input.id, "Verification"), input.email)
        return RevokeVerificationInvitePayload(verification=_verification(row))
