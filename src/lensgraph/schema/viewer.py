"""``viewer``: the entry point to everything the caller owns, one field group per area."""

from __future__ import annotations

import strawberry
from strawberry import Info

from lensgraph.persistence.models import User as UserRow
from lensgraph.resolvers.context import Context
from lensgraph.schema.accounts import User, ViewerAccount
from lensgraph.schema.analytics import ViewerAnalytics
from lensgraph.schema.audit import ViewerAudit
from lensgraph.schema.booking import ViewerBooking
from lensgraph.schema.collections import ViewerCollections
from lensgraph.schema.compliance import ViewerCompliance
from lensgraph.schema.documents import ViewerDocuments
from lensgraph.schema.duplicates import ViewerDuplicateClaims
from lensgraph.schema.galleries import ViewerGalleries
from lensgraph.schema.gallery_branding import ViewerGalleryBranding
from lensgraph.schema.gallery_collections import ViewerGalleryCollections
from lensgraph.schema.invoices import ViewerInvoices
from lensgraph.schema.licensing import ViewerLicensing
from lensgraph.schema.marketplace import ViewerMarketplace
from lensgraph.schema.matching import ViewerMatching
from lensgraph.schema.notifications import ViewerNotifications
from lensgraph.schema.payments import ViewerPayments
from lensgraph.schema.photos import ViewerPhotos
from lensgraph.schema.plans import ViewerPlans
from lensgraph.schema.prints import ViewerPrints
from lensgraph.schema.releases import ViewerReleases
from lensgraph.schema.studio import ViewerStudio
from lensgraph.schema.ugc import ViewerUgc
from lensgraph.schema.verification import ViewerVerifications
from lensgraph.schema.webhooks import ViewerWebhooks


@strawberry.type(description="The signed-in caller: their account and everything they own.")
class Viewer(
    ViewerAccount,
    ViewerPhotos,
    ViewerNotifications,
    ViewerWebhooks,
    ViewerLicensing,
    ViewerPayments,
    ViewerPlans,
    ViewerCollections,
    ViewerGalleries,
    ViewerPrints,
    ViewerGalleryCollections,
    ViewerGalleryBranding,
    ViewerReleases,
    ViewerAnalytics,
    ViewerMarketplace,
    ViewerMatching,
    ViewerVerifications,
    ViewerStudio,
    ViewerBooking,
    ViewerDocuments,
    ViewerInvoices,
    ViewerUgc,
    ViewerCompliance,
    ViewerAudit,
    ViewerDuplicateClaims,
):
    @classmethod
    def from_row(cls, row: UserRow) -> Viewer:
        return cls(user=User.from_row(row), email=row.email, email_verified=row.email_verified_at is not None)


async def resolve_viewer(info: Info[Context, None]) -> Viewer | None:
    viewer = info.context.viewer
    if viewer is None:
        return None
    row = await info.context.loaders.user.load(viewer.user_id)
    return Viewer.from_row(row) if row else None
