"""Model and property releases: the Release node, the viewer's lists, and the mutations that keep them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import photos as rules
from lensgraph.domain.pagination import page_request
from lensgraph.domain.photos import UploadPurpose
from lensgraph.domain.policies import owns
from lensgraph.persistence.models import Photo as PhotoRow
from lensgraph.persistence.models import Release as ReleaseRow
from lensgraph.resolvers import releases, uploads
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import (
    AcknowledgedPayload,
    Connection,
    Node,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)
from lensgraph.schema.photos import Photo, ReleaseKind, RequestPhotoUploadPayload

DOCUMENT_URL_LIFETIME = timedelta(hours=1)


@node_type
@strawberry.type(description="A signed model or property release and the photos it covers. The photographer's only.")
class Release(Node):
    _row: strawberry.Private[ReleaseRow]
    kind: ReleaseKind  # type: ignore[valid-type]
    subject_name: str = strawberry.field(description="The model's full name, or the property's name.")
    details: str = strawberry.field(description="How to reach the model, or the property's address; may be empty.")
    signed_on: date
    created_at: datetime

    @classmethod
    def from_row(cls, row: ReleaseRow) -> Release:
        return cls(
            _row=row,
            id=to_global_id("Release", row.id),
            kind=row.kind,
            subject_name=row.subject_name,
            details=row.details,
            signed_on=row.signed_on,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Release | None:
        row = await info.context.loaders.release.load(key)
        if row is None or not owns(info.context.viewer, row.user_id):
            return None
        return cls.from_row(row)

    @strawberry.field(description="The photos it covers, in the order they were linked.")
    async def photos(self, info: Info[Context, None]) -> list[Photo]:
        if not owns(info.context.viewer, self._row.user_id):
            return []
        return [Photo.from_row(row) for row in await info.context.loaders.photos_by_release.load(self._row.id)]

    @strawberry.field(
        description="The signed document, a download URL valid for an hour. Checked against the hash recorded "
        "when it was submitted: a stored file that changed since is withheld (error FILE_INTEGRITY_FAILED)."
    )
    async def document_url(self, info: Info[Context, None]) -> str | None:
        if not owns(info.context.viewer, self._row.user_id):
            return None
        return await releases.document_url(info.context, self._row, expires_in=DOCUMENT_URL_LIFETIME)


async def releases_of_photo(info: Info[Context, None], photo: PhotoRow) -> list[Release]:
    """``Photo.releases``: the owner's to see; everyone else gets an empty list."""
    if not owns(info.context.viewer, photo.user_id):
        return []
    return [Release.from_row(row) for row in await info.context.loaders.releases_by_photo.load(photo.id)]


@strawberry.input
class RequestReleaseUploadInput:
    filename: str
    mime_type: str = strawberry.field(description="application/pdf, image/jpeg or image/png.")
    file_size_bytes: int = strawberry.field(description="At most 20 MB.")


@strawberry.input
class SubmitModelReleaseInput:
    upload_id: strawberry.ID = strawberry.field(description="From requestReleaseUpload, once the file was sent.")
    model_name: str
    signed_on: date
    photo_ids: list[strawberry.ID] = strawberry.field(description="1 to 100 of your photos showing the model.")
    details: str | None = strawberry.field(default=None, description="How to reach the model, if you wish.")


@strawberry.input
class SubmitPropertyReleaseInput:
    upload_id: strawberry.ID = strawberry.field(description="From requestReleaseUpload, once the file was sent.")
    property_name: str
    signed_on: date
    photo_ids: list[strawberry.ID] = strawberry.field(description="1 to 100 of your photos showing the property.")
    details: str | None = strawberry.field(default=None, description="The property's address, if you wish.")


@strawberry.input
class LinkReleaseToPhotosInput:
    release_id: strawberry.ID
    photo_ids: list[strawberry.ID] = strawberry.field(description="1 to 100 more of your photos it covers.")


@strawberry.input
class DeleteReleaseInput:
    id: strawberry.ID


@strawberry.type
class ReleasePayload:
    release: Release | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _photo_keys(photo_ids: list[strawberry.ID]) -> list[UUID]:
    return [expect_global_id(photo_id, "Photo", "photoIds") for photo_id in photo_ids]


@strawberry.type
class ViewerReleases:
    """Fields of ``Viewer`` about releases."""

    @strawberry.field(description="Your model releases, newest first.")
    async def model_releases(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Release]:
        page = await releases.list_releases(
            info.context, rules.ReleaseKind.MODEL, page_request(first, after, last, before)
        )
        return Connection[Release].from_page(page, Release.from_row)

    @strawberry.field(description="Your property releases, newest first.")
    async def property_releases(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Release]:
        page = await releases.list_releases(
            info.context, rules.ReleaseKind.PROPERTY, page_request(first, after, last, before)
        )
        return Connection[Release].from_page(page, Release.from_row)


@strawberry.type
class ReleaseMutations:
    @strawberry.mutation(
        description="Start uploading a signed release (PDF, JPEG or PNG, at most 20 MB).",
        deprecation_reason="Use requestUpload with purpose RELEASE_DOCUMENT.",
    )
    @returns_user_errors(RequestPhotoUploadPayload)
    async def request_release_upload(
        self, info: Info[Context, None], input: RequestReleaseUploadInput
    ) -> RequestPhotoUploadPayload:
        requested = await uploads.request_upload(
            info.context,
            filename=input.filename,
            mime_type=input.mime_type,
            size=input.file_size_bytes,
            purpose=UploadPurpose.RELEASE_DOCUMENT,
        )
        return RequestPhotoUploadPayload.from_requested(requested)

    @strawberry.mutation(description="After the document is sent: checks it and records the model's release.")
    @returns_user_errors(ReleasePayload)
    async def submit_model_release(self, info: Info[Context, None], input: SubmitModelReleaseInput) -> ReleasePayload:
        row = await releases.submit_release(
            info.context,
            rules.ReleaseKind.MODEL,
            upload_id=expect_global_id(input.upload_id, "Upload", "uploadId"),
            subject_name=input.model_name,
            signed_on=input.signed_on,
            details=input.details,
            photo_ids=_photo_keys(input.photo_ids),
        )
        return ReleasePayload(release=Release.from_row(row))

    @strawberry.mutation(description="After the document is sent: checks it and records the property release.")
    @returns_user_errors(ReleasePayload)
    async def submit_property_release(
        self, info: Info[Context, None], input: SubmitPropertyReleaseInput
    ) -> ReleasePayload:
        row = await releases.submit_release(
            info.context,
            rules.ReleaseKind.PROPERTY,
            upload_id=expect_global_id(input.upload_id, "Upload", "uploadId"),
            subject_name=input.property_name,
            signed_on=input.signed_on,
            details=input.details,
            photo_ids=_photo_keys(input.photo_ids),
        )
        return ReleasePayload(release=Release.from_row(row))

    @strawberry.mutation(description="Say which more of your photos a release covers.")
    @returns_user_errors(ReleasePayload)
    async def link_release_to_photos(
        self, info: Info[Context, None], input: LinkReleaseToPhotosInput
    ) -> ReleasePayload:
        row = await releases.link_photos(
            info.context, expect_global_id(input.release_id, "Release", "releaseId"), _photo_keys(input.photo_ids)
        )
        return ReleasePayload(release=Release.from_row(row))

    @strawberry.mutation(description="Delete a release and its document; its photos are no longer covered by it.")
    @returns_user_errors(AcknowledgedPayload)
    async def delete_release(self, info: Info[Context, None], input: DeleteReleaseInput) -> AcknowledgedPayload:
        await releases.delete_release(info.context, expect_global_id(input.id, "Release"))
        return AcknowledgedPayload(ok=True)
