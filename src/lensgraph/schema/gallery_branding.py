"""Branding on galleries: ``GalleryBranding`` (accent colour, logo, watermark kind) and ``setStudioLogo``."""

from __future__ import annotations

from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import galleries as rules
from lensgraph.resolvers import gallery_branding
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import UserError, expect_global_id, returns_user_errors
from lensgraph.schema.photos import URL_LIFETIME, Photo

WatermarkKind = strawberry.enum(
    rules.WatermarkKind,
    description="What a watermarked gallery stamps on its previews: TEXT (its watermarkText, else the studio's "
    "name) or LOGO (the studio's logo, set with setStudioLogo).",
)


@strawberry.type(description="How a gallery looks to its client: its accent colour and its studio's logo.")
class GalleryBranding:
    _studio_id: strawberry.Private[UUID]
    accent_color: str | None
    watermark_kind: WatermarkKind  # type: ignore[valid-type]

    @strawberry.field(description="The studio's logo as uploaded, a signed URL valid for an hour; null for none.")
    async def logo_url(self, info: Info[Context, None]) -> str | None:
        return await gallery_branding.logo_url(info.context, self._studio_id, expires_in=URL_LIFETIME)


@strawberry.input
class SetStudioLogoInput:
    photo_id: strawberry.ID | None = strawberry.field(
        description="One of your READY photos (a PNG keeps its transparency); null removes the logo."
    )


@strawberry.type
class SetStudioLogoPayload:
    logo: Photo | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GalleryBrandingMutations:
    @strawberry.mutation(description="Studios and photographers: the logo your galleries show and may stamp.")
    @returns_user_errors(SetStudioLogoPayload)
    async def set_studio_logo(self, info: Info[Context, None], input: SetStudioLogoInput) -> SetStudioLogoPayload:
        chosen = expect_global_id(input.photo_id, "Photo", "photoId") if input.photo_id is not None else None
        row = await gallery_branding.set_studio_logo(info.context, chosen)
        return SetStudioLogoPayload(logo=Photo.from_row(row) if row else None)


@strawberry.type
class ViewerGalleryBranding:
    """Fields of ``Viewer`` about gallery branding."""

    @strawberry.field(description="Your studio's logo, shown on your galleries; null for none.")
    async def studio_logo(self, info: Info[Context, None]) -> Photo | None:
        viewer = info.context.viewer
        if viewer is None:
            return None
        row = await gallery_branding.studio_logo(info.context, viewer.user_id)
        return Photo.from_row(row) if row else None
