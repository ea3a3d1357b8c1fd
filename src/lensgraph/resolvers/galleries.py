"""Client galleries, the studio's side: create and change them, fill and order them, list them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from lensgraph.adapters.passwords import hash_password
from lensgraph.domain import collections as slugs
from lensgraph.domain import galleries as rules
from lensgraph.domain import proofing as proofing_rules
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.events import GalleryCreated, GalleryDeleted
from lensgraph.domain.galleries import DownloadPolicy, GalleryStatus, WatermarkKind
from lensgraph.domain.gallery_downloads import check_download_pin
from lensgraph.domain.pagination import PageRequest, encode_cursor
from lensgraph.domain.policies import Viewer, can_keep_galleries, owns
from lensgraph.persistence import galleries as queries
from lensgraph.persistence import gallery_extras
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import ConstraintViolation, UnitOfWork
from lensgraph.persistence.galleries import GalleryCountKey, GalleryPhotosKey
from lensgraph.persistence.models import Client, Gallery, GalleryPhoto, GallerySet, Photo
from lensgraph.persistence.pagination import Page, paginate
from lensgraph.resolvers.collections import page_of_photos
from lensgraph.resolvers.context import Context

SLUG_TAKEN = "This slug is taken; choose another."
NO_SUCH_GALLERY = "No such gallery of yours."
NO_SUCH_PHOTO = "No such photo of yours."


def require_gallery_keeper(ctx: Context) -> Viewer:
    viewer = ctx.require_viewer()
    if not can_keep_galleries(viewer):
        raise forbidden("Only studios and photographers keep client galleries.")
    return viewer


@dataclass(frozen=True)
class GalleryFields:
    """What a studio sets on a gallery; None leaves a field as it is (on create: its default)."""

    title: str | None = None
    slug: str | None = None
    cover_photo_id: UUID | None = None
    event_date: date | None = None
    client_email: str | None = None
    client_name: str | None = None
    # A studio's own client: their first address and name are then the gallery's, kept in step with the client.
    client_id: UUID | None = None
    unlink_client: bool = False
    password: str | None = None
    remove_password: bool = False
    expires_at: datetime | None = None
    remove_expiry: bool = False
    download_policy: DownloadPolicy | None = None
    download_pin: str | None = None
    remove_download_pin: bool = False
    watermark: bool | None = None
    watermark_text: str | None = None
    watermark_kind: WatermarkKind | None = None
    accent_color: str | None = None
    selection_min: int | None = None
    selection_max: int | None = None
    remove_selection_limits: bool = False
    print_store: bool | None = None


async def own_gallery(ctx: Context, uow: UnitOfWork, gallery_id: UUID, field: str) -> Gallery:
    """The caller's gallery, locked for the change; anyone else's reads as not found."""
    viewer = require_gallery_keeper(ctx)
    gallery = await queries.gallery_for_update(uow.session, gallery_id)
    if gallery is None or not owns(viewer, gallery.user_id):
        raise DomainError(ErrorCode.NOT_FOUND, NO_SUCH_GALLERY, [field])
    return gallery


def _check_version(gallery: Gallery, version: int | None) -> None:
    if version is not None and version != gallery.version:
        raise DomainError(
            ErrorCode.CONFLICT, "This gallery changed since you loaded it: load it again and retry.", ["version"]
        )


async def _apply(ctx: Context, uow: UnitOfWork, gallery: Gallery, fields: GalleryFields) -> None:
    """Cleans and sets the given fields; every check runs before the transaction commits anything."""
    if fields.title is not None:
        gallery.title = rules.clean_title(fields.title)
    if fields.cover_photo_id is not None:
        if not await queries.own_photo_ids(uow.session, gallery.user_id, [fields.cover_photo_id]):
            raise DomainError(ErrorCode.NOT_FOUND, NO_SUCH_PHOTO, ["coverPhotoId"])
        gallery.cover_photo_id = fields.cover_photo_id
    if fields.event_date is not None:
        gallery.event_date = fields.event_date
    await _link_client(uow, gallery, fields)
    if fields.client_email is not None:
        gallery.client_email = rules.clean_client_email(fields.client_email)
    if fields.client_name is not None:
        gallery.client_name = rules.clean_client_name(fields.client_name)
    if fields.remove_password or fields.password is not None:
        if fields.password is not None and not fields.remove_password:
            rules.check_password(fields.password)
            gallery.password_hash = await hash_password(fields.password)
        else:
            gallery.password_hash = None
        # Tokens issued under the old password stop opening the gallery.
        gallery.access_version = (gallery.access_version or 1) + 1
    if fields.remove_expiry:
        gallery.expires_at, gallery.expired_at = None, None
    elif fields.expires_at is not None:
        rules.check_expiry(fields.expires_at, utcnow())
        # A new expiry in the future opens the gallery again; the sweep announces the next expiry in its turn.
        gallery.expires_at, gallery.expired_at = fields.expires_at, None
    if fields.download_policy is not None:
        gallery.download_policy = fields.download_policy
    if fields.remove_download_pin:
        gallery.download_pin_hash = None
    elif fields.download_pin is not None:
        check_download_pin(fields.download_pin)
        gallery.download_pin_hash = await hash_password(fields.download_pin)
    if fields.watermark is not None:
        gallery.watermark = fields.watermark
    if fields.watermark_text is not None:
        gallery.watermark_text = rules.clean_watermark_text(fields.watermark_text)
    if fields.watermark_kind is not None:
        gallery.watermark_kind = fields.watermark_kind
    if fields.accent_color is not None:
        gallery.accent_color = rules.clean_accent_colour(fields.accent_color)
    if fields.remove_selection_limits:
        gallery.selection_min, gallery.selection_max = None, None
    if fields.selection_min is not None:
        gallery.selection_min = fields.selection_min
    if fields.selection_max is not None:
        gallery.selection_max = fields.selection_max
    proofing_rules.check_limits(gallery.selection_min, gallery.selection_max)

    if fields.print_store is not None:
        gallery.print_store = fields.print_store


async def _link_client(uow: UnitOfWork, gallery: Gallery, fields: GalleryFields) -> None:
    """Links (or unlinks) the gallery to one of the owner's clients; a linked gallery's client email and name are
    the client's, so they are not given beside it."""
    if fields.unlink_client:
        gallery.client_id = None
    elif fields.client_id is not None:
        client = await uow.session.get(Client, fields.client_id)
        if client is None or client.studio_id != gallery.user_id:
            raise DomainError(ErrorCode.NOT_FOUND, "No such client of yours.", ["clientId"])
        gallery.client_id = client.id
        gallery.client_email, gallery.client_name = (client.emails[0] if client.emails else None), client.name
    if gallery.client_id is not None and (fields.client_email is not None or fields.client_name is not None):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "This gallery is linked to a client: its email and name are the client's (update the client).",
            ["clientEmail" if fields.client_email is not None else "clientName"],
        )


async def create_gallery(ctx: Context, fields: GalleryFields) -> Gallery:
    """A slug asked for must be free; one made from the title gets the first free number."""
    viewer = require_gallery_keeper(ctx)
    title = rules.clean_title(fields.title or "")
    chosen = slugs.clean_slug(fields.slug) if fields.slug is not None else None
    try:
        async with ctx.db.unit_of_work() as uow:
            if chosen is None:
                base = slugs.slug_from_title(title)
                base = rules.FALLBACK_SLUG if base == slugs.FALLBACK_SLUG else base
                chosen = slugs.first_free_slug(base, await queries.slugs_numbered_from(uow.session, base))
            elif await queries.slug_taken(uow.session, chosen):
                raise DomainError(ErrorCode.ALREADY_EXISTS, SLUG_TAKEN, ["slug"])
            gallery = Gallery(id=ctx.new_id("gallery"), user_id=viewer.user_id, title=title, slug=chosen)
            await _apply(ctx, uow, gallery, fields)
            uow.session.add(gallery)
            await uow.session.flush()
            uow.emit(GalleryCreated(gallery_id=gallery.id, audience=(viewer.user_id,)))
    except ConstraintViolation:
        # Another gallery took the slug between the check and the insert; the unique index decided.
        raise DomainError(ErrorCode.ALREADY_EXISTS, SLUG_TAKEN, ["slug"]) from None
    return gallery


def stamp_watermarks(ctx: Context, gallery: Gallery) -> None:
    """After a commit that may leave previews without the gallery's own watermark: the job stamps them."""
    if gallery.watermark:
        ctx.services.jobs.send("galleries.watermark", str(gallery.id))


async def update_gallery(ctx: Context, gallery_id: UUID, version: int | None, fields: GalleryFields) -> Gallery:
    try:
        async with ctx.db.unit_of_work() as uow:
            gallery = await own_gallery(ctx, uow, gallery_id, "id")
            _check_version(gallery, version)
            if fields.slug is not None and (chosen := slugs.clean_slug(fields.slug)) != gallery.slug:
                if await queries.slug_taken(uow.session, chosen):
                    raise DomainError(ErrorCode.ALREADY_EXISTS, SLUG_TAKEN, ["slug"])
                gallery.slug = chosen
            await _apply(ctx, uow, gallery, fields)
    except ConstraintViolation:
        raise DomainError(ErrorCode.ALREADY_EXISTS, SLUG_TAKEN, ["slug"]) from None
    stamp_watermarks(ctx, gallery)
    return gallery


async def archive_gallery(ctx: Context, gallery_id: UUID, version: int | None) -> Gallery:
    async with ctx.db.unit_of_work() as uow:
        gallery = await own_gallery(ctx, uow, gallery_id, "id")
        _check_version(gallery, version)
        rules.check_archivable(gallery.status)
        gallery.status = GalleryStatus.ARCHIVED
    return gallery


async def restore_gallery(ctx: Context, gallery_id: UUID, version: int | None) -> Gallery:
    """ARCHIVED -> ACTIVE: the gallery opens to its clients again (unless it has expired)."""
    async with ctx.db.unit_of_work() as uow:
        gallery = await own_gallery(ctx, uow, gallery_id, "id")
        _check_version(gallery, version)
        rules.check_restorable(gallery.status)
        gallery.status = GalleryStatus.ACTIVE
    return gallery


async def delete_gallery(ctx: Context, gallery_id: UUID) -> None:
    """The gallery goes; its photos stay in the studio's library."""
    async with ctx.db.unit_of_work() as uow:
        gallery = await own_gallery(ctx, uow, gallery_id, "id")
        stamped = await gallery_extras.stamped_keys(uow.session, gallery.id)
        uow.emit(GalleryDeleted(gallery_id=gallery.id, audience=(gallery.user_id,)))
        await uow.session.delete(gallery)
    await _delete_files(ctx, stamped)


async def add_photos(ctx: Context, gallery_id: UUID, photo_ids: Sequence[UUID], set_id: UUID | None = None) -> Gallery:
    """Appends the studio's own photos in the order given; any other photo refuses the whole request. With a set,
    they go in it (ones already in the gallery move into it, keeping their place)."""
    wanted = list(dict.fromkeys(photo_ids))
    if not wanted:
        raise DomainError(ErrorCode.INVALID_INPUT, "Name at least one photo.", ["photoIds"])
    try:
        async with ctx.db.unit_of_work() as uow:
            gallery = await own_gallery(ctx, uow, gallery_id, "galleryId")
            if set_id is not None and not await queries.set_in_gallery(uow.session, gallery.id, set_id):
                raise DomainError(ErrorCode.NOT_FOUND, "This gallery has no such set.", ["setId"])
            if await queries.own_photo_ids(uow.session, gallery.user_id, wanted) != set(wanted):
                raise DomainError(ErrorCode.NOT_FOUND, NO_SUCH_PHOTO, ["photoIds"])
            present = set(await queries.photo_ids_in(uow.session, gallery.id))
            new = [photo_id for photo_id in wanted if photo_id not in present]
            rules.check_room(len(present), len(new))
            start = await queries.next_position(uow.session, gallery.id)
            await queries.append_photos(uow.session, gallery.id, new, start, set_id)
            if set_id is not None:
                await queries.move_into_set(uow.session, gallery.id, wanted, set_id)
            gallery.updated_at = utcnow()
    except ConstraintViolation:
        # A photo was deleted while it was being added.
        raise DomainError(ErrorCode.NOT_FOUND, NO_SUCH_PHOTO, ["photoIds"]) from None
    stamp_watermarks(ctx, gallery)
    return gallery


async def remove_photo(ctx: Context, gallery_id: UUID, photo_id: UUID) -> Gallery:
    async with ctx.db.unit_of_work() as uow:
        gallery = await own_gallery(ctx, uow, gallery_id, "galleryId")
        stamped = await gallery_extras.stamped_keys(uow.session, gallery.id, photo_id)
        if not await queries.remove_photo(uow.session, gallery.id, photo_id):
            raise DomainError(ErrorCode.NOT_FOUND, "This photo is not in the gallery.", ["photoId"])
        if gallery.cover_photo_id == photo_id:
            gallery.cover_photo_id = None
        gallery.updated_at = utcnow()
    await _delete_files(ctx, stamped)
    return gallery


async def _delete_files(ctx: Context, keys: Sequence[str]) -> None:
    """After the commit: a crash leaves orphan files, never a gallery pointing at a missing one."""
    for key in keys:
        await ctx.services.storage.delete(key)


async def reorder(ctx: Context, gallery_id: UUID, photo_ids: Sequence[UUID]) -> Gallery:
    async with ctx.db.unit_of_work() as uow:
        gallery = await own_gallery(ctx, uow, gallery_id, "galleryId")
        ordered = rules.check_reorder(await queries.photo_ids_in(uow.session, gallery.id), photo_ids)
        await queries.set_positions(uow.session, gallery.id, ordered)
        gallery.updated_at = utcnow()
    return gallery


async def create_set(ctx: Context, gallery_id: UUID, name: str) -> GallerySet:
    """A new set goes last; two sets of one gallery never share a name (the unique key decides races)."""
    cleaned = rules.clean_set_name(name)
    try:
        async with ctx.db.unit_of_work() as uow:
            gallery = await own_gallery(ctx, uow, gallery_id, "galleryId")
            position = await queries.next_set_position(uow.session, gallery.id)
            gallery_set = GallerySet(gallery_id=gallery.id, name=cleaned, position=position)
            uow.session.add(gallery_set)
            await uow.session.flush()
    except ConstraintViolation:
        raise DomainError(ErrorCode.ALREADY_EXISTS, "This gallery has a set of this name.", ["name"]) from None
    return gallery_set


async def reorder_sets(ctx: Context, gallery_id: UUID, set_ids: Sequence[UUID]) -> Gallery:
    async with ctx.db.unit_of_work() as uow:
        gallery = await own_gallery(ctx, uow, gallery_id, "galleryId")
        current = await queries.set_ids_in(uow.session, gallery.id)
        await queries.set_set_positions(uow.session, rules.check_reorder(current, set_ids, "sets", "setIds"))
        gallery.updated_at = utcnow()
    return gallery


# Reading ----------------------------------------------------------------------------------------


async def list_own(
    ctx: Context,
    page: PageRequest,
    status: GalleryStatus | None,
    search: str | None,
    by_title: bool,
    newest_first: bool,
    collection_id: UUID | None = None,
) -> Page[Gallery]:
    viewer = require_gallery_keeper(ctx)
    keys = [Gallery.title, Gallery.id] if by_title else [Gallery.created_at, Gallery.id]
    query = queries.galleries_of(viewer.user_id, status, (search or "").strip() or None)
    if collection_id is not None:
        # Another studio's collection holds none of the caller's galleries: the page is simply empty.
        query = gallery_extras.in_collection(query, collection_id)
    return await paginate(ctx.reads, query, keys, page, descending=newest_first and not by_title)


async def by_id(ctx: Context, gallery_id: UUID) -> Gallery | None:
    """The owner's gallery; anyone else's is null, as if it did not exist (clients open it by slug)."""
    gallery = await ctx.loaders.gallery.load(gallery_id)
    return gallery if gallery is not None and owns(ctx.viewer, gallery.user_id) else None


async def photo_count(ctx: Context, gallery: Gallery, *, ready_only: bool) -> int:
    return await ctx.loaders.gallery_photo_count.load(GalleryCountKey(gallery.id, ready_only))


async def photos_in(
    ctx: Context, gallery: Gallery, page: PageRequest, *, ready_only: bool, set_id: UUID | None = None
) -> Page[Photo]:
    """A page of the gallery's photos (or one set's) in order; first pages of whole galleries, for all galleries
    on a page, come in one batch. A set's photos are read per set (one is asked at a time)."""

    async def count() -> int:
        if set_id is not None:
            return int(await ctx.loaders.gallery_set_photo_count.load(set_id))
        return await photo_count(ctx, gallery, ready_only=ready_only)

    if set_id is None and page.cursor is None and not page.backward:
        entries = await ctx.loaders.gallery_photos.load(GalleryPhotosKey(gallery.id, ready_only, page.limit))
        shown = entries[: page.limit]
        return Page(
            rows=[entry.photo for entry in shown],
            cursors=[encode_cursor((entry.position, str(entry.photo.id))) for entry in shown],
            has_next_page=len(entries) > page.limit,
            has_previous_page=False,
            count=count,
        )
    places = await paginate(
        ctx.reads,
        queries.entries_of(gallery.id, ready_only=ready_only, set_id=set_id),
        [GalleryPhoto.position, GalleryPhoto.photo_id],
        page,
        descending=False,
    )
    return await page_of_photos(ctx, places, [place.photo_id for place in places.rows], count)


async def sets_of(ctx: Context, gallery: Gallery) -> list[GallerySet]:
    return list(await ctx.loaders.gallery_sets.load(gallery.id))


async def set_photo_count(ctx: Context, gallery_set: GallerySet) -> int:
    return int(await ctx.loaders.gallery_set_photo_count.load(gallery_set.id))


async def set_by_id(ctx: Context, set_id: UUID) -> GallerySet | None:
    """A set of the caller's own gallery; anyone else's is null."""
    gallery_set = await ctx.loaders.gallery_set.load(set_id)
    if gallery_set is None or await by_id(ctx, gallery_set.gallery_id) is None:
        return None
    return gallery_set


async def linked_client(ctx: Context, gallery: Gallery) -> Client | None:
    """The studio's client the gallery is linked to, as the studio sees it."""
    if gallery.client_id is None:
        return None
    client = await ctx.loaders.client.load(gallery.client_id)
    return client if client and owns(ctx.viewer, client.studio_id) else None


async def galleries_of_client(ctx: Context, client: Client) -> list[Gallery]:
    """The galleries linked to one of the caller's clients (the client was authorised when it was loaded)."""
    return await ctx.loaders.galleries_by_client.load(client.id)
