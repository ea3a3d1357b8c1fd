"""Client downloads from a gallery: ``requestGalleryDownload`` checks the policy and the PIN and answers a link; the
link's route streams the zip from storage, and the download is recorded (and announced) once its stream has ended.

Recorded at the end, not at the request: a download asked for and never fetched, or broken off, was not delivered
and tells the studio nothing; fetching the link again after a broken stream records it once (a conditional UPDATE).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from lensgraph.adapters.passwords import verify_password
from lensgraph.adapters.tokens import InvalidToken
from lensgraph.adapters.zips import ZipMember, zip_stream
from lensgraph.domain import galleries as gallery_rules
from lensgraph.domain import gallery_downloads as rules
from lensgraph.domain.errors import DomainError, ErrorCode, unauthenticated
from lensgraph.domain.events import GalleryDownloaded
from lensgraph.domain.galleries import GalleryStatus
from lensgraph.domain.gallery_downloads import DownloadKind, DownloadSize, MemberSource
from lensgraph.domain.pagination import PageRequest, encode_cursor
from lensgraph.persistence import gallery_downloads as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.galleries import set_in_gallery
from lensgraph.persistence.gallery_downloads import DownloadMember, DownloadsKey
from lensgraph.persistence.models import Gallery, GalleryDownload
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers import galleries, gallery_access
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.uploads import verified_digest

log = logging.getLogger(__name__)

DOWNLOAD_PATH = "/gallery-downloads/{download_id}"
LINK_REFUSED = "This download link is not valid or has expired: ask for the download again."


@dataclass(frozen=True)
class RequestedDownload:
    url: str
    expires_at: datetime
    photo_count: int


@dataclass(frozen=True)
class PreparedZip:
    """A download ready to stream: its file name and, in order, each photo's name in the zip and stored key."""

    download: GalleryDownload
    gallery: Gallery
    filename: str
    members: list[tuple[str, str, str | None]]


async def request_download(
    ctx: Context, slug: str, photo_ids: Sequence[UUID], set_id: UUID | None, pin: str | None
) -> RequestedDownload:
    """Needs the gallery's access token; the policy, then the PIN (counted and throttled like wrong passwords)."""
    gallery = await gallery_access.by_slug(ctx, slug)
    if gallery is None or gallery.status is GalleryStatus.ARCHIVED:
        raise DomainError(ErrorCode.NOT_FOUND, "No gallery has this address.", ["slug"])
    now = utcnow()
    gallery_rules.check_open_to_clients(gallery.expires_at, now)
    visitor = gallery_access.token_visitor(ctx, gallery)
    if visitor is None:
        raise unauthenticated("Unlock the gallery first and send its token in the X-Gallery-Token header.")
    rules.download_size(gallery.download_policy)
    kind = rules.download_kind(len(set(photo_ids)), set_id is not None)
    await _check_pin(ctx, gallery, pin)
    async with ctx.db.unit_of_work() as uow:
        if set_id is not None and not await set_in_gallery(uow.session, gallery.id, set_id):
            raise DomainError(ErrorCode.NOT_FOUND, "This gallery has no such set.", ["setId"])
        members = await queries.members_of(uow.session, gallery.id, photo_ids=photo_ids, set_id=set_id)
        if photo_ids and {member.photo_id for member in members} != set(photo_ids):
            raise DomainError(ErrorCode.NOT_FOUND, "A photo named is not in this gallery.", ["photoIds"])
        if not members:
            raise DomainError(ErrorCode.INVALID_INPUT, "There is no photo to download here yet.", ["setId"])
        download = GalleryDownload(
            id=ctx.new_id("gallery-download"),
            gallery_id=gallery.id,
            client_email=visitor,
            kind=kind,
            set_id=set_id,
            size=gallery.download_policy,
            photo_ids=[str(member.photo_id) for member in members],
            photo_count=len(members),
        )
        uow.session.add(download)
    token, expires_at = ctx.services.gallery_download_tokens.issue(
        download.id, gallery.id, now, access_version=gallery.access_version
    )
    path = DOWNLOAD_PATH.format(download_id=download.id)
    return RequestedDownload(
        url=f"{ctx.settings.public_url.rstrip('/')}{path}?token={token}",
        expires_at=expires_at,
        photo_count=len(members),
    )


async def _check_pin(ctx: Context, gallery: Gallery, pin: str | None) -> None:
    """Every try counts per gallery and address before the PIN is checked (the unlock limiter, keys of their
    own); a right PIN forgets them."""
    if gallery.download_pin_hash is None:
        return
    attempts = f"download-pin:{gallery.id}:{ctx.client_ip or 'unknown'}"
    if not await ctx.services.gallery_unlock_failures.attempt(attempts):
        raise DomainError(ErrorCode.RATE_LIMITED, "Too many wrong PINs. Try again in a few minutes.", ["pin"])
    if not pin:
        raise DomainError(ErrorCode.WRONG_PIN, rules.PIN_NEEDED, ["pin"])
    if not await verify_password(gallery.download_pin_hash, pin):
        raise DomainError(ErrorCode.WRONG_PIN, rules.WRONG_PIN, ["pin"])
    await ctx.services.gallery_unlock_failures.reset(attempts)


async def open_download(ctx: Context, download_id: UUID, token: str) -> PreparedZip:
    """What the link streams: the photos recorded, still READY in the gallery, in the size and watermark the gallery
    gives now (a policy turned to NONE since, an expiry or a new password stop the link)."""
    try:
        claims = ctx.services.gallery_download_tokens.verify(token, utcnow())
    except InvalidToken:
        raise DomainError(ErrorCode.FORBIDDEN, LINK_REFUSED) from None
    if claims.download_id != download_id:
        raise DomainError(ErrorCode.FORBIDDEN, LINK_REFUSED)
    async with ctx.db.session() as session:
        download = await session.get(GalleryDownload, download_id)
        gallery = await session.get(Gallery, claims.gallery_id)
        if (
            download is None
            or gallery is None
            or download.gallery_id != gallery.id
            or gallery.status is GalleryStatus.ARCHIVED
            or gallery.access_version != claims.access_version
        ):
            raise DomainError(ErrorCode.FORBIDDEN, LINK_REFUSED)
        gallery_rules.check_open_to_clients(gallery.expires_at, utcnow())
        size = rules.download_size(gallery.download_policy)
        members = await queries.members_still_in(session, gallery.id, [UUID(key) for key in download.photo_ids])
    # Gathered: the loaders behind the gallery's stamped previews answer the whole zip in one batch.
    keys = await asyncio.gather(*(_key_of(ctx, gallery, member, size) for member in members))
    keyed = [(member, key) for member, key in zip(members, keys, strict=True) if key is not None]
    folders = download.kind is DownloadKind.GALLERY
    names = rules.member_names(
        [
            MemberSource(
                member.title,
                member.set_name if folders else None,
                member.media_type if size is DownloadSize.ORIGINAL else "image/jpeg",
            )
            for member, _ in keyed
        ]
    )
    return PreparedZip(
        download=download,
        gallery=gallery,
        filename=rules.zip_name(gallery.title),
        members=[
            (name, key, member.original_sha256 if size is DownloadSize.ORIGINAL else None)
            for name, (member, key) in zip(names, keyed, strict=True)
        ],
    )


async def _key_of(ctx: Context, gallery: Gallery, member: DownloadMember, size: DownloadSize) -> str | None:
    """The original, or the 1280 px rendition the client sees in the gallery (with its watermark when it has one)."""
    if size is DownloadSize.ORIGINAL:
        return member.original_key
    return await gallery_access.client_preview_key(ctx, gallery, member)


async def stream(ctx: Context, prepared: PreparedZip) -> AsyncIterator[bytes]:
    """The zip's bytes, each member read from storage in chunks; when the last byte is out, the download is recorded
    and gallery.downloaded emitted, once per download however often its link is fetched."""
    sent = included = 0

    async def counted(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        nonlocal sent
        sent += len(first)
        yield first
        async for chunk in rest:
            sent += len(chunk)
            yield chunk

    async def members() -> AsyncIterator[ZipMember]:
        nonlocal included
        for name, key, recorded_sha256 in prepared.members:
            if recorded_sha256 is not None:
                try:
                    await verified_digest(ctx, key, recorded_sha256)
                except DomainError:
                    continue  # logged as an integrity alert; the rest of the zip goes on
            chunks = ctx.services.storage.read_chunks(key)
            try:
                first = await anext(chunks, b"")
            except FileNotFoundError:
                log.error("Gallery download %s: stored object %s is missing; left out", prepared.download.id, key)
                continue
            included += 1
            yield ZipMember(name, prepared.download.created_at, counted(first, chunks))

    async for chunk in zip_stream(members()):
        yield chunk
    await _complete(ctx, prepared, included, sent)


async def _complete(ctx: Context, prepared: PreparedZip, photo_count: int, size_bytes: int) -> None:
    download, gallery = prepared.download, prepared.gallery
    async with ctx.db.unit_of_work() as uow:
        if await queries.complete(uow.session, download.id, photo_count, size_bytes, utcnow()):
            uow.emit(
                GalleryDownloaded(
                    gallery_id=gallery.id,
                    audience=(gallery.user_id,),
                    download_id=download.id,
                    client_email=download.client_email,
                    kind=download.kind.value,
                    size=gallery.download_policy.value,
                    set_id=download.set_id,
                    photo_count=photo_count,
                    size_bytes=size_bytes,
                )
            )


# The studio's view ------------------------------------------------------------------------------


async def downloads_of(ctx: Context, gallery: Gallery, page: PageRequest) -> Page[GalleryDownload]:
    """The gallery's completed downloads, newest first; first pages of all galleries on a page in one batch."""
    galleries.require_gallery_keeper(ctx)
    if await galleries.by_id(ctx, gallery.id) is None:
        raise DomainError(ErrorCode.NOT_FOUND, galleries.NO_SUCH_GALLERY, ["id"])

    async def count() -> int:
        return int(await ctx.loaders.gallery_download_count.load(gallery.id))

    if page.cursor is None and not page.backward:
        rows = await ctx.loaders.gallery_downloads.load(DownloadsKey(gallery.id, page.limit))
        shown = rows[: page.limit]
        return Page(
            rows=shown,
            cursors=[encode_cursor((_cursor_time(row), str(row.id))) for row in shown],
            has_next_page=len(rows) > page.limit,
            has_previous_page=False,
            count=count,
        )
    keys = [GalleryDownload.completed_at, GalleryDownload.id]
    found = await paginate(ctx.reads, queries.completed_of(gallery.id), keys, page, descending=True)
    found.count = count
    return found


def _cursor_time(row: GalleryDownload) -> str:
    """The cursor's time as ``paginate`` writes it, so either path's cursors continue on the other."""
    assert row.completed_at is not None
    return row.completed_at.isoformat()


async def download_by_id(ctx: Context, download_id: UUID) -> GalleryDownload | None:
    """A completed download of the caller's own gallery; anyone else's is null."""
    async with ctx.db.session() as session:
        download = await session.get(GalleryDownload, download_id)
    if download is None or download.completed_at is None or await galleries.by_id(ctx, download.gallery_id) is None:
        return None
    return download
