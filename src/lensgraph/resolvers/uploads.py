"""The upload flow every kind of file goes through, and the check of a confirmed file on every delivery.

1. ``request_upload``: a presigned target under a key of ours (``uploads/<user>/<upload>``), single-use,
   alive for 15 minutes at most.
2. ``read_upload``: the bytes the client sent, read once into memory; the caller checks what they are
   inside ``ended_if_refused``.
3. ``accepting``: the checked bytes themselves (not the upload object, which the client could still
   write to) are written by the server under a key named by their sniffed type, their SHA-256 recorded;
   the upload is claimed by one conditional UPDATE (so of concurrent confirmations exactly one wins), and
   once committed the upload object is deleted and its URL refused. Nothing a client can write to is read
   again.
4. ``verified_digest``: on every delivery, the stored object is compared with the hash recorded at
   confirmation; a mismatch withholds the file and alerts the operators.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from uuid import UUID, uuid4

from lensgraph.adapters.storage import UploadTarget
from lensgraph.domain import files
from lensgraph.domain import media as media_rules
from lensgraph.domain import photos as photo_rules
from lensgraph.domain import releases as release_rules
from lensgraph.domain import verification as verification_rules
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.photos import UploadPurpose
from lensgraph.domain.policies import can_publish, owns
from lensgraph.persistence import photos as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import UnitOfWork
from lensgraph.persistence.models import Upload
from lensgraph.resolvers import plans
from lensgraph.resolvers.context import Context

log = logging.getLogger(__name__)

ALREADY_USED = {
    UploadPurpose.PHOTO: "This upload is already a photo.",
    UploadPurpose.RELEASE_DOCUMENT: "This upload is already a release.",
    UploadPurpose.RAW: "This upload is already part of a verification.",
    UploadPurpose.IMAGE_FOR_VERIFICATION: "This upload is already part of a verification.",
    UploadPurpose.VIDEO: "This upload is already a video.",
}
WRONG_PURPOSE = {
    UploadPurpose.PHOTO: "This upload was requested for a release document, not a photo.",
    UploadPurpose.RELEASE_DOCUMENT: "This upload was requested for a photo: request a release upload instead.",
    UploadPurpose.RAW: "This upload was not requested for a RAW file: request one with purpose RAW.",
    UploadPurpose.IMAGE_FOR_VERIFICATION: (
        "This upload was not requested for a verification's image: request one with purpose IMAGE_FOR_VERIFICATION."
    ),
    UploadPurpose.VIDEO: "This upload was not requested for a video: request one with purpose VIDEO.",
}
# Verification is for anyone with an account; photos and releases are the publishers'.
VERIFICATION_PURPOSES = frozenset({UploadPurpose.RAW, UploadPurpose.IMAGE_FOR_VERIFICATION})
WITHHELD = "This file is not the one that was confirmed: it is withheld, and the operators were alerted."


@dataclass(frozen=True)
class RequestedUpload:
    upload: Upload
    target: UploadTarget


@dataclass(frozen=True)
class AcceptedFile:
    """Checked bytes stored for good by the server: where, as what, and their hash."""

    key: str
    media_type: str
    sha256: str
    size: int


def require_uploader(ctx: Context) -> UUID:
    """Photographers and studios upload photos and keep their releases."""
    viewer = ctx.require_viewer()
    if not can_publish(viewer):
        raise forbidden("Only photographers and studios upload photos and releases.")
    return viewer.user_id


async def request_upload(
    ctx: Context,
    *,
    filename: str,
    mime_type: str,
    size: int,
    purpose: UploadPurpose = UploadPurpose.PHOTO,
    sha256: str | None = None,
) -> RequestedUpload:
    """A presigned target for a file of ``purpose``, each with its own types and size limit. ``sha256``: the
    client's hash of the file; confirming refuses bytes that do not match it (HASH_MISMATCH)."""
    user_id = ctx.require_viewer().user_id if purpose in VERIFICATION_PURPOSES else require_uploader(ctx)
    declared_sha256 = verification_rules.clean_declared_sha256(sha256)
    if purpose is UploadPurpose.RELEASE_DOCUMENT:
        name = release_rules.check_document_request(filename, mime_type, size)
    elif purpose is UploadPurpose.VIDEO:
        name = media_rules.check_video_request(filename, mime_type, size, ctx.settings.max_video_bytes)
    else:
        limit = (await plans.require_plan(ctx)).limits.upload_bytes
        if purpose is UploadPurpose.RAW:
            verification_rules.check_raw_request(filename, mime_type, size, limit)
            name = photo_rules.safe_filename(filename)
        elif purpose is UploadPurpose.IMAGE_FOR_VERIFICATION:
            verification_rules.check_image_request(filename, mime_type, size, limit)
            name = photo_rules.safe_filename(filename)
        else:
            name = photo_rules.check_upload_request(filename, mime_type, size, limit)
    return await new_upload(
        ctx,
        user_id=user_id,
        purpose=purpose,
        name=name,
        mime_type=mime_type,
        size=size,
        declared_sha256=declared_sha256,
    )


async def new_upload(
    ctx: Context,
    *,
    user_id: UUID,
    purpose: UploadPurpose,
    name: str,
    mime_type: str,
    size: int,
    declared_sha256: str | None = None,
) -> RequestedUpload:
    """A presigned target for a file already checked by its caller, kept under ``user_id``'s uploads."""
    upload_id = uuid4()
    upload = Upload(
        id=upload_id,
        user_id=user_id,
        purpose=purpose,
        storage_key=files.upload_key(user_id, upload_id),
        filename=name,
        mime_type=mime_type,
        declared_size=size,
        declared_sha256=declared_sha256,
        expires_at=utcnow() + files.UPLOAD_URL_LIFETIME,
    )
    target = await ctx.services.storage.presign_upload(
        upload.storage_key, content_type=mime_type, max_bytes=size, expires_in=files.UPLOAD_URL_LIFETIME
    )
    async with ctx.db.unit_of_work() as uow:
        uow.session.add(upload)
    return RequestedUpload(upload, target)


async def read_upload(
    ctx: Context, upload_id: UUID, purpose: UploadPurpose, field: str = "uploadId", *, owner_id: UUID | None = None
) -> tuple[Upload, bytes]:
    """The viewer's unconfirmed upload for ``purpose`` and its bytes; a file not of the declared size, or not
    of the declared SHA-256, is refused (and the upload ended). ``owner_id``: the account the upload was
    requested for when the caller is someone else it let in (a fan sending a brand's album a photo by its link).

    What the bytes are is the caller's to check, inside ``ended_if_refused``.
    """
    upload = await _unconfirmed_upload(ctx, upload_id, purpose, field, owner_id)
    storage = ctx.services.storage
    stored = await storage.stat(upload.storage_key)
    data = None
    if stored is not None:
        async with ended_if_refused(ctx, upload):
            if stored.size != upload.declared_size:
                raise DomainError(
                    ErrorCode.UPLOAD_INVALID,
                    f"The file has {stored.size} bytes, not the {upload.declared_size} declared.",
                    [field],
                )
            with contextlib.suppress(FileNotFoundError):
                data = await storage.read(upload.storage_key, max_bytes=upload.declared_size)
            if data is not None and upload.declared_sha256 is not None:
                verification_rules.check_declared_sha256(
                    upload.declared_sha256, await asyncio.to_thread(sha256_hex, data), field
                )
    if data is None:
        # Gone, perhaps because a concurrent confirmation of this very upload just won and ended it.
        await _unconfirmed_upload(ctx, upload_id, purpose, field, owner_id)
        raise DomainError(
            ErrorCode.UPLOAD_INVALID,
            "Nothing was uploaded yet: send the file first (after a refusal, request a new upload).",
            [field],
        )
    return upload, data


async def _unconfirmed_upload(
    ctx: Context, upload_id: UUID, purpose: UploadPurpose, field: str, owner_id: UUID | None = None
) -> Upload:
    async with ctx.db.session() as session:
        upload = await session.get(Upload, upload_id)
    allowed = upload is not None and (
        owns(ctx.viewer, upload.user_id) if owner_id is None else upload.user_id == owner_id
    )
    if upload is None or not allowed:
        raise DomainError(ErrorCode.NOT_FOUND, "No such upload.", [field])
    if upload.purpose is not purpose:
        raise DomainError(ErrorCode.UPLOAD_INVALID, WRONG_PURPOSE[purpose], [field])
    if upload.confirmed_at is not None:
        raise DomainError(ErrorCode.ALREADY_EXISTS, ALREADY_USED[purpose], [field])
    return upload


@asynccontextmanager
async def ended_if_refused(ctx: Context, upload: Upload) -> AsyncIterator[None]:
    """Ends the upload when a check in the block refuses its file: junk never stays, its URL takes no more."""
    try:
        yield
    except DomainError:
        await ctx.services.storage.end_upload(upload.storage_key)
        raise


@dataclass(frozen=True)
class CheckedFile:
    """An upload whose bytes were checked, and where and as what the server will keep them."""

    upload: Upload
    data: bytes
    key: str
    media_type: str
    # The input field naming the upload, for a refusal.
    field: str = "uploadId"


@asynccontextmanager
async def accepting(
    ctx: Context, upload: Upload, data: bytes, *, key: str, media_type: str
) -> AsyncIterator[tuple[UnitOfWork, AcceptedFile]]:
    """Stores the checked ``data`` under the server's ``key`` and claims the upload in a unit of work.

    The block adds the record that points at the file, in that same transaction. A lost race for the
    upload is ``ALREADY_EXISTS``; on any failure the stored copy is deleted and the upload stays as it was.
    After the commit, the upload object is deleted and its URL refused.
    """
    async with accepting_all(ctx, [CheckedFile(upload, data, key, media_type)]) as (uow, [accepted]):
        yield uow, accepted


@asynccontextmanager
async def accepting_all(
    ctx: Context, checked: list[CheckedFile]
) -> AsyncIterator[tuple[UnitOfWork, list[AcceptedFile]]]:
    """``accepting`` for a record made of several uploads: all are claimed in one transaction, or none is."""
    accepted = [
        AcceptedFile(item.key, item.media_type, await asyncio.to_thread(sha256_hex, item.data), len(item.data))
        for item in checked
    ]
    storage = ctx.services.storage
    written: list[str] = []
    try:
        # Written before the claim: a large write never holds the database's write lock, and concurrent
        # confirmations write to keys of their own.
        for item in checked:
            await storage.write(item.key, item.data, content_type=item.media_type)
            written.append(item.key)
        async with ctx.db.unit_of_work() as uow:
            for item in checked:
                if not await queries.claim_upload(uow.session, item.upload.id, utcnow()):
                    raise DomainError(ErrorCode.ALREADY_EXISTS, ALREADY_USED[item.upload.purpose], [item.field])
            yield uow, accepted
    except BaseException:
        for key in written:
            await storage.delete(key)
        raise
    for item in checked:
        await storage.end_upload(item.upload.storage_key)


async def verified_digest(ctx: Context, key: str, recorded: str | None) -> str | None:
    """The stored object's SHA-256, when it is the one recorded at confirmation (or none was recorded).

    A mismatch or a missing object with a recorded hash refuses the delivery: the caller hands out no URL.
    """
    actual = await ctx.services.storage.digest(key)
    if recorded is not None and actual != recorded:
        log.error(
            "File integrity alert: stored object %s has SHA-256 %s, not the %s recorded at confirmation; "
            "delivery refused",
            key,
            actual or "(missing)",
            recorded,
        )
        raise DomainError(ErrorCode.FILE_INTEGRITY_FAILED, WITHHELD)
    return actual


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
