"""Videos for client galleries: confirmed from a VIDEO upload into a library item of kind VIDEO.

A video is a ``Photo`` row of kind VIDEO: it is added to, ordered in and removed from galleries exactly like a
photo, and the analysis job gives it a poster frame (its thumbnail and previews are made from that frame).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID, uuid4

from lensgraph.adapters import video
from lensgraph.domain import files
from lensgraph.domain import media as rules
from lensgraph.domain import photos as photo_rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.photos import MediaKind, UploadPurpose, Visibility
from lensgraph.persistence.models import Photo
from lensgraph.resolvers import uploads
from lensgraph.resolvers.context import Context

ORIGINAL = "original"


async def confirm_video_upload(ctx: Context, upload_id: UUID, *, title: str, description: str | None) -> Photo:
    """Checks the stored bytes (an MP4/MOV container by its ``ftyp`` box, and a decodable first frame) before the
    video exists; anything else is refused with UPLOAD_INVALID and deleted. Videos are PRIVATE: they are
    delivered through galleries, never browsed."""
    user_id = uploads.require_uploader(ctx)
    title, description = photo_rules.clean_title(title), photo_rules.clean_description(description)
    upload, data = await uploads.read_upload(ctx, upload_id, UploadPurpose.VIDEO)
    async with uploads.ended_if_refused(ctx, upload):
        media_type = rules.check_sniffed_video(data[:64])
        try:
            probed = await asyncio.to_thread(video.probe, data)
        except video.VideoUnreadable:
            raise DomainError(
                ErrorCode.UPLOAD_INVALID, "The file is not a video we can decode.", ["uploadId"]
            ) from None
        rules.check_video_stream(probed.duration_ms, probed.width, probed.height)
    video_id = uuid4()
    original_key = files.stored_key("photos", video_id, ORIGINAL, media_type)
    async with uploads.accepting(ctx, upload, data, key=original_key, media_type=media_type) as (uow, original):
        row = Photo(
            id=video_id,
            user_id=user_id,
            kind=MediaKind.VIDEO,
            title=title,
            description=description,
            keywords=[],
            visibility=Visibility.PRIVATE,
            original_key=original.key,
            original_sha256=original.sha256,
            mime_type=original.media_type,
            size_bytes=original.size,
            width=probed.width,
            height=probed.height,
            duration_ms=probed.duration_ms,
        )
        uow.session.add(row)
    ctx.services.jobs.send("photos.analyze", str(row.id))
    return row


async def video_url(ctx: Context, row: Photo, *, expires_in: timedelta) -> str | None:
    """A signed URL to play the video as it was uploaded (inline, its sniffed type); None for a photo.

    Not re-hashed on each delivery as photo originals are: a film of hundreds of MB would be read in full for
    every gallery page. Its upload URL died at confirmation, so no client can have written to it since.
    """
    if row.kind is not MediaKind.VIDEO:
        return None
    return await ctx.services.storage.presign_download(
        row.original_key, expires_in=expires_in, media_type=row.mime_type
    )
