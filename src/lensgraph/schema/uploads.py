"""``requestUpload``: the one entry to the presigned upload flow, for every kind of file the API keeps."""

from __future__ import annotations

import strawberry
from strawberry import Info

from lensgraph.domain import photos as photo_rules
from lensgraph.resolvers import uploads
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import returns_user_errors
from lensgraph.schema.photos import RequestPhotoUploadPayload

UploadPurpose = strawberry.enum(
    photo_rules.UploadPurpose,
    description="What the file is for, which sets the types and sizes taken: PHOTO (JPEG, PNG, TIFF, WebP, HEIC; "
    "confirmPhotoUpload), RELEASE_DOCUMENT (PDF, JPEG, PNG, at most 20 MB; submitModelRelease, "
    "submitPropertyRelease), RAW (a camera RAW: CR2, CR3, ARW, NEF, DNG, RAF, ORF, RW2, PEF, SRW) and "
    "IMAGE_FOR_VERIFICATION (the JPEG developed from it; both for createVerification), VIDEO (MP4 or MOV, "
    "at most LENSGRAPH_MAX_VIDEO_BYTES; confirmVideoUpload).",
)


@strawberry.input
class RequestUploadInput:
    purpose: UploadPurpose  # type: ignore[valid-type]
    filename: str = strawberry.field(description="The file's name; a RAW's extension names its format.")
    mime_type: str
    file_size_bytes: int
    sha256: str | None = strawberry.field(
        default=None,
        description="The file's SHA-256 (hex), if you have it: bytes that do not match it are refused at "
        "confirmation with HASH_MISMATCH.",
    )


@strawberry.type(
    description="Send the file to `uploadUrl` with `method` and `headers` (and `fields` for a form POST), once, "
    "before `expiresAt` (15 minutes): the URL takes one file and dies when the upload is confirmed."
)
class RequestUploadPayload(RequestPhotoUploadPayload):
    pass


@strawberry.type
class UploadMutations:
    @strawberry.mutation(description="Start an upload of any purpose: answers where to send the file.")
    @returns_user_errors(RequestUploadPayload)
    async def request_upload(self, info: Info[Context, None], input: RequestUploadInput) -> RequestUploadPayload:
        requested = await uploads.request_upload(
            info.context,
            filename=input.filename,
            mime_type=input.mime_type,
            size=input.file_size_bytes,
            purpose=input.purpose,
            sha256=input.sha256,
        )
        return RequestUploadPayload.from_requested(requested)
