"""Model and property releases: submitting a signed document for one's photos, linking more, deleting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from uuid import UUID, uuid4

from lensgraph.adapters import imaging
from lensgraph.domain import files
from lensgraph.domain import photos as photo_rules
from lensgraph.domain import releases as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.photos import ReleaseKind, UploadPurpose
from lensgraph.domain.policies import owns
from lensgraph.persistence import releases as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import ConstraintViolation, UnitOfWork
from lensgraph.persistence.models import Release
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers import uploads
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.photos import check_decodes
from lensgraph.resolvers.uploads import require_uploader

# A photo deleted, or the same photo linked, by a concurrent request: nothing was written, trying again works.
CHANGED_MEANWHILE = "Your photos or this release changed at the same moment; try again."
DOCUMENT = "document"


async def submit_release(
    ctx: Context,
    kind: ReleaseKind,
    *,
    upload_id: UUID,
    subject_name: str,
    signed_on: date,
    details: str | None,
    photo_ids: Sequence[UUID],
) -> Release:
    """Turns an uploaded, checked document into a release covering some of the viewer's photos.

    A document that is not what it was declared to be is deleted; any other refusal leaves the upload as it
    was, to be submitted again with the mistake fixed.
    """
    user_id = require_uploader(ctx)
    subject_name = rules.clean_subject_name(subject_name, kind)
    details = rules.clean_details(details)
    rules.check_signed_on(signed_on, utcnow().date())
    photo_ids = rules.clean_photo_ids(photo_ids)
    upload, data = await uploads.read_upload(ctx, upload_id, UploadPurpose.RELEASE_DOCUMENT)
    async with uploads.ended_if_refused(ctx, upload):
        media_type = await _check_document(upload.mime_type, data)
    release_id = uuid4()
    document_key = files.stored_key("releases", release_id, DOCUMENT, media_type)
    try:
        async with uploads.accepting(ctx, upload, data, key=document_key, media_type=media_type) as (uow, document):
            await _check_own_photos(uow, user_id, photo_ids)
            release = Release(
                id=release_id,
                user_id=user_id,
                kind=kind,
                subject_name=subject_name,
                details=details,
                signed_on=signed_on,
                document_key=document.key,
                document_mime_type=document.media_type,
                document_sha256=document.sha256,
            )
            uow.session.add(release)
            await queries.link_photos(uow.session, release.id, photo_ids)
    except ConstraintViolation:
        raise DomainError(ErrorCode.CONFLICT, CHANGED_MEANWHILE, ["photoIds"]) from None
    return release


async def link_photos(ctx: Context, release_id: UUID, photo_ids: Sequence[UUID]) -> Release:
    """Adds photos to what a release covers; photos it covers already stay as they are."""
    user_id = require_uploader(ctx)
    photo_ids = rules.clean_photo_ids(photo_ids)
    try:
        async with ctx.db.unit_of_work() as uow:
            release = await queries.release_for_update(uow.session, release_id)
            if release is None or not owns(ctx.viewer, release.user_id):
                raise DomainError(ErrorCode.NOT_FOUND, "No such release.", ["releaseId"])
            await _check_own_photos(uow, user_id, photo_ids)
            await queries.link_photos(uow.session, release.id, photo_ids)
    except ConstraintViolation:
        raise DomainError(ErrorCode.CONFLICT, CHANGED_MEANWHILE, ["photoIds"]) from None
    return release


async def delete_release(ctx: Context, release_id: UUID) -> None:
    """Removes the release (its photos lose its cover), then its document: a crash leaves an orphan file only."""
    require_uploader(ctx)
    async with ctx.db.unit_of_work() as uow:
        release = await uow.session.get(Release, release_id)
        if release is None or not owns(ctx.viewer, release.user_id):
            raise DomainError(ErrorCode.NOT_FOUND, "No such release.", ["id"])
        document_key = release.document_key
        await uow.session.delete(release)
    await ctx.services.storage.delete(document_key)


async def document_url(ctx: Context, release: Release, *, expires_in: timedelta) -> str:
    """A download URL for the signed document, once its bytes are checked against the hash confirmed.

    A document submitted before hashes were kept is trusted on its first delivery and checked from then
    on (its upload URL expired long ago), as photos' originals are.
    """
    digest = await uploads.verified_digest(ctx, release.document_key, release.document_sha256)
    if release.document_sha256 is None and digest is not None:
        async with ctx.db.unit_of_work() as uow:
            await queries.record_document_sha256(uow.session, release.id, digest)
    label = f"{release.kind.value.title()} release {release.subject_name}"
    return await ctx.services.storage.presign_download(
        release.document_key,
        expires_in=expires_in,
        media_type=release.document_mime_type,
        filename=files.download_name(label, release.document_mime_type, fallback="release"),
    )


async def list_releases(ctx: Context, kind: ReleaseKind, page: PageRequest) -> Page[Release]:
    viewer = ctx.require_viewer()
    return await paginate(
        ctx.reads,
        queries.releases_of(viewer.user_id, kind),
        [Release.created_at, Release.id],
        page,
        descending=True,
    )


async def _check_document(declared_mime: str, data: bytes) -> str:
    """A PDF by its header and trailer; a scan or photo of the paper as an image, decoded in full.

    Answers the media type the bytes were found to be.
    """
    if rules.looks_like_pdf(data):
        return rules.check_document_format(declared_mime, "PDF")
    header = imaging.read_header(data)
    media_type = rules.check_document_format(declared_mime, header.format)
    photo_rules.check_pixels(header.width, header.height)
    await check_decodes(data)
    return media_type


async def _check_own_photos(uow: UnitOfWork, user_id: UUID, photo_ids: Sequence[UUID]) -> None:
    """Another user's photo is as unknown as a photo that does not exist."""
    if len(await queries.own_photo_ids(uow.session, user_id, photo_ids)) != len(photo_ids):
        raise DomainError(ErrorCode.NOT_FOUND, "Name only photos of yours.", ["photoIds"])
