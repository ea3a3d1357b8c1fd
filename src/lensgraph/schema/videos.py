"""``confirmVideoUpload``: a VIDEO upload becomes a library item of kind VIDEO, added to galleries like a photo."""

from __future__ import annotations

import strawberry
from strawberry import Info

from lensgraph.resolvers import videos
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import expect_global_id, returns_user_errors
from lensgraph.schema.photos import Photo, PhotoPayload


@strawberry.input
class ConfirmVideoUploadInput:
    upload_id: strawberry.ID
    title: str
    description: str | None = None


@strawberry.type
class VideoMutations:
    @strawberry.mutation(
        description="After the file is sent to a `requestUpload(purpose: VIDEO)` target: checks it is an MP4/MOV "
        "video that decodes (else UPLOAD_INVALID) and creates a PRIVATE item of kind VIDEO (status PROCESSING "
        "until its poster frame is made). Add it to galleries with addPhotosToGallery."
    )
    @returns_user_errors(PhotoPayload)
    async def confirm_video_upload(self, info: Info[Context, None], input: ConfirmVideoUploadInput) -> PhotoPayload:
        row = await videos.confirm_video_upload(
            info.context,
            expect_global_id(input.upload_id, "Upload", "uploadId"),
            title=input.title,
            description=input.description,
        )
        return PhotoPayload(photo=Photo.from_row(row))
