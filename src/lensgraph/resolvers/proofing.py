"""Proofing through a gallery access token: a client's favourites in named lists, comments, and the submission
of a selection; the studio's view of every client's selections, and reopening one.

The client is the email the token names (``unlockGallery`` takes one even for an open gallery); the gallery is the
one the token opens. Changes to one list run one at a time (the list's row is held for writing), so its size and
status are read fresh, and only the UPDATE that submits it emits gallery.validated.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from lensgraph.adapters.tokens import InvalidToken
from lensgraph.domain import galleries as gallery_rules
from lensgraph.domain import proofing as rules
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden, unauthenticated
from lensgraph.domain.events import GalleryFavorited, GalleryValidated
from lensgraph.domain.galleries import GalleryStatus
from lensgraph.domain.policies import owns
from lensgraph.persistence import proofing as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import UnitOfWork
from lensgraph.persistence.models import Gallery, GalleryComment, GallerySelection
from lensgraph.persistence.proofing import ClientKey
from lensgraph.resolvers import galleries
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.gallery_access import TOKEN_HEADER, token_visitor

NO_SUCH_PHOTO = "This gallery has no such photo."


@dataclass(frozen=True)
class ClientSelection:
    """A client's list with the gallery it belongs to (its photos are shown as that gallery shows them)."""

    row: GallerySelection
    gallery: Gallery


async def _client(ctx: Context, uow: UnitOfWork, field: str) -> tuple[Gallery, str]:
    """The gallery the request's access token opens and the client's email; no token is UNAUTHENTICATED, a bad or
    outdated one FORBIDDEN (as when reading the gallery), a closed or expired gallery a user error."""
    raw = ctx.request.headers.get(TOKEN_HEADER) if ctx.request is not None else None
    if not raw:
        raise unauthenticated(f"Unlock the gallery with your email and send its access token in {TOKEN_HEADER}.")
    try:
        claims = ctx.services.gallery_tokens.verify(raw, utcnow())
    except InvalidToken:
        raise forbidden("This gallery access token is invalid or has expired: unlock the gallery again.") from None
    gallery = await uow.session.get(Gallery, claims.gallery_id, populate_existing=True)
    if gallery is None or gallery.status is GalleryStatus.ARCHIVED:
        raise DomainError(ErrorCode.NOT_FOUND, "This gallery is closed.", [field])
    visitor = token_visitor(ctx, gallery)
    assert visitor is not None  # the header is there
    gallery_rules.check_open_to_clients(gallery.expires_at, utcnow(), field)
    return gallery, visitor


async def _visible_photo(uow: UnitOfWork, gallery: Gallery, photo_id: UUID) -> None:
    """Only a photo the client sees in this gallery; any other (another gallery's included) is not found."""
    if not await queries.ready_photo_in_gallery(uow.session, gallery.id, photo_id):
        raise DomainError(ErrorCode.NOT_FOUND, NO_SUCH_PHOTO, ["photoId"])


async def favorite(ctx: Context, photo_id: UUID, list_name: str | None) -> ClientSelection:
    """Adds the photo to the client's list (made on first use); a photo already there is no error."""
    name = rules.clean_list_name(list_name)
    async with ctx.db.unit_of_work() as uow:
        gallery, email = await _client(ctx, uow, "photoId")
        await _visible_photo(uow, gallery, photo_id)
        selection = await queries.locked_selection(uow.session, gallery.id, email, name)
        rules.check_open(selection.status)
        if await queries.add_favorite(uow.session, selection, photo_id, utcnow()):
            # Counted with the new one, under the list's lock: past the maximum, the transaction writes nothing.
            rules.check_room(await queries.favorite_count(uow.session, selection.id) - 1, gallery.selection_max)
            uow.emit(
                GalleryFavorited(
                    gallery_id=gallery.id,
                    photo_id=photo_id,
                    client_email=email,
                    list_name=name,
                    audience=(gallery.user_id,),
                )
            )
    return ClientSelection(selection, gallery)


async def unfavorite(ctx: Context, photo_id: UUID, list_name: str | None) -> ClientSelection:
    name = rules.clean_list_name(list_name)
    async with ctx.db.unit_of_work() as uow:
        gallery, email = await _client(ctx, uow, "photoId")
        selection = await queries.locked_selection(uow.session, gallery.id, email, name)
        rules.check_open(selection.status)
        if not await queries.remove_favorite(uow.session, selection.id, photo_id):
            raise DomainError(ErrorCode.NOT_FOUND, "This photo is not in your list.", ["photoId"])
    return ClientSelection(selection, gallery)


async def comment(ctx: Context, photo_id: UUID, body: str) -> GalleryComment:
    text = rules.clean_comment(body)
    async with ctx.db.unit_of_work() as uow:
        gallery, email = await _client(ctx, uow, "photoId")
        await _visible_photo(uow, gallery, photo_id)
        row = GalleryComment(gallery_id=gallery.id, photo_id=photo_id, client_email=email, body=text)
        uow.session.add(row)
        await uow.session.flush()
    return row


async def submit(ctx: Context, note: str | None, list_name: str | None) -> ClientSelection:
    """Freezes the list once, within the studio's limits; a second submission is INVALID_TRANSITION."""
    name = rules.clean_list_name(list_name)
    cleaned_note = rules.clean_note(note)
    async with ctx.db.unit_of_work() as uow:
        gallery, email = await _client(ctx, uow, "list")
        selection = await queries.locked_selection(uow.session, gallery.id, email, name)
        rules.check_open(selection.status)
        picked = await queries.favorite_count(uow.session, selection.id)
        rules.check_submittable(picked, gallery.selection_min, gallery.selection_max)
        if not await queries.submit(uow.session, selection.id, cleaned_note, utcnow()):
            # The list's lock makes this unreachable; the conditional UPDATE is the last word all the same.
            rules.check_open(rules.SelectionStatus.SUBMITTED)
        await uow.session.refresh(selection)
        uow.emit(
            GalleryValidated(
                gallery_id=gallery.id,
                client_email=email,
                list_name=name,
                photo_count=picked,
                audience=(gallery.user_id,),
            )
        )
    return ClientSelection(selection, gallery)


async def reopen(ctx: Context, gallery_id: UUID, client_email: str) -> Gallery:
    """The studio opens a client's submitted lists again, for them to change and submit anew."""
    email = gallery_rules.clean_client_email(client_email)
    if email is None:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the client's email.", ["clientEmail"])
    async with ctx.db.unit_of_work() as uow:
        gallery = await galleries.own_gallery(ctx, uow, gallery_id, "galleryId")
        if not await queries.reopen(uow.session, gallery.id, email):
            raise DomainError(
                ErrorCode.INVALID_TRANSITION, "This client has no submitted selection in the gallery.", ["clientEmail"]
            )
    return gallery


# Reading ----------------------------------------------------------------------------------------


def client_of(ctx: Context, gallery: Gallery) -> str | None:
    """The client reading the gallery through its access token, if any."""
    return token_visitor(ctx, gallery)


async def my_selections(ctx: Context, gallery: Gallery) -> list[ClientSelection]:
    """The lists of the client whose token is sent; none without a token."""
    email = client_of(ctx, gallery)
    if email is None:
        return []
    rows = await ctx.loaders.client_selections.load(ClientKey(gallery.id, email))
    return [ClientSelection(row, gallery) for row in rows]


async def my_comments(ctx: Context, gallery: Gallery) -> list[GalleryComment]:
    email = client_of(ctx, gallery)
    if email is None:
        return []
    return list(await ctx.loaders.client_comments.load(ClientKey(gallery.id, email)))


async def is_favorite(ctx: Context, gallery: Gallery, photo_id: UUID) -> bool:
    """Whether the photo is in any of the reading client's lists (two batched reads for a whole page)."""
    email = client_of(ctx, gallery)
    if email is None:
        return False
    rows = await ctx.loaders.client_selections.load(ClientKey(gallery.id, email))
    picked = await ctx.loaders.selection_favorites.load_many([row.id for row in rows])
    return any(photo_id in photo_ids for photo_ids in picked)


async def selections_of(ctx: Context, gallery: Gallery) -> list[GallerySelection]:
    """Every client's lists, for the studio that owns the gallery only."""
    if not owns(ctx.viewer, gallery.user_id):
        return []
    return list(await ctx.loaders.gallery_selections.load(gallery.id))


async def picked_photo_ids(ctx: Context, selection: GallerySelection) -> list[UUID]:
    return list(await ctx.loaders.selection_favorites.load(selection.id))


async def comments_of(ctx: Context, selection: GallerySelection) -> list[GalleryComment]:
    return list(await ctx.loaders.client_comments.load(ClientKey(selection.gallery_id, selection.client_email)))


async def selection_by_id(ctx: Context, selection_id: UUID) -> GallerySelection | None:
    """A selection in the caller's own gallery; anyone else's is null."""
    row = await ctx.loaders.gallery_selection.load(selection_id)
    if row is None or await galleries.by_id(ctx, row.gallery_id) is None:
        return None
    return row


async def comment_by_id(ctx: Context, comment_id: UUID) -> GalleryComment | None:
    row = await ctx.loaders.gallery_comment.load(comment_id)
    if row is None or await galleries.by_id(ctx, row.gallery_id) is None:
        return None
    return row
