"""Client galleries, the client's side: open one by its slug, unlock it with its password, view its photos.

A protected gallery shows its title, cover and a prompt until it is unlocked; ``unlockGallery`` answers an access
token for that one gallery, which the client sends back in the ``X-Gallery-Token`` header.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from lensgraph.adapters.passwords import verify_password
from lensgraph.adapters.tokens import InvalidToken
from lensgraph.domain import galleries as rules
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.events import GalleryViewed
from lensgraph.domain.galleries import GalleryStatus, WatermarkKind
from lensgraph.domain.pagination import PageRequest
from lensgraph.domain.policies import owns
from lensgraph.persistence import galleries as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Gallery, Photo
from lensgraph.persistence.pagination import Page
from lensgraph.resolvers import galleries
from lensgraph.resolvers.context import Context

TOKEN_HEADER = "X-Gallery-Token"
LOCKED_PROMPT = "This gallery is protected: enter the password your photographer gave you, and your email."
WRONG_PASSWORD = "This password does not open the gallery."


@dataclass(frozen=True)
class Unlocked:
    token: str
    expires_at: datetime
    gallery: Gallery


async def by_slug(ctx: Context, slug: str) -> Gallery | None:
    """An ACTIVE gallery by its slug (what a client's link names); an archived one is closed to clients."""
    async with ctx.db.session() as session:
        gallery = await queries.gallery_by_slug(session, slug.strip().lower())
    if gallery is None or (gallery.status is GalleryStatus.ARCHIVED and not owns(ctx.viewer, gallery.user_id)):
        return None
    return gallery


async def unlock(ctx: Context, slug: str, password: str | None, email: str) -> Unlocked:
    """Every try counts per gallery and address before the password is checked; a success forgets them."""
    visitor = rules.clean_client_email(email)
    if visitor is None:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give your email address.", ["email"])
    gallery = await by_slug(ctx, slug)
    if gallery is None or gallery.status is GalleryStatus.ARCHIVED:
        raise DomainError(ErrorCode.NOT_FOUND, "No gallery has this address.", ["slug"])
    now = utcnow()
    rules.check_open_to_clients(gallery.expires_at, now)
    if gallery.password_hash is not None:
        attempts = f"{gallery.id}:{ctx.client_ip or 'unknown'}"
        if not await ctx.services.gallery_unlock_failures.attempt(attempts):
            raise DomainError(
                ErrorCode.RATE_LIMITED, "Too many wrong passwords. Try again in a few minutes.", ["password"]
            )
        if not await verify_password(gallery.password_hash, password or ""):
            raise DomainError(ErrorCode.UNAUTHENTICATED, WRONG_PASSWORD, ["password"])
        await ctx.services.gallery_unlock_failures.reset(attempts)
    token, expires_at = ctx.services.gallery_tokens.issue(
        gallery.id, visitor, now, access_version=gallery.access_version
    )
    return Unlocked(token=token, expires_at=expires_at, gallery=gallery)


def is_protected(gallery: Gallery) -> bool:
    return gallery.password_hash is not None


def is_expired(gallery: Gallery) -> bool:
    return rules.is_expired(gallery.expires_at, utcnow())


def prompt(gallery: Gallery) -> str | None:
    return LOCKED_PROMPT if is_protected(gallery) else None


def token_visitor(ctx: Context, gallery: Gallery) -> str | None:
    """The email the request's gallery access token names, None without a token. A token that is invalid, names
    another gallery or predates a change of its password is refused outright."""
    raw = ctx.request.headers.get(TOKEN_HEADER) if ctx.request is not None else None
    if not raw:
        return None
    try:
        claims = ctx.services.gallery_tokens.verify(raw, utcnow())
    except InvalidToken:
        raise forbidden("This gallery access token is invalid or has expired: unlock the gallery again.") from None
    if claims.gallery_id != gallery.id:
        raise forbidden("This gallery access token is for another gallery.")
    if claims.access_version != gallery.access_version:
        raise forbidden("The gallery's password has changed since: unlock it again.")
    return claims.visitor


def _visitor(ctx: Context, gallery: Gallery) -> str | None:
    """Who reads the gallery's photos: the email its access token names, an address for an open gallery without
    one, None while it is locked."""
    visitor = token_visitor(ctx, gallery)
    if visitor is not None:
        return visitor
    return None if is_protected(gallery) else rules.visitor_by_address(ctx.client_ip)


async def client_photos(ctx: Context, gallery: Gallery, page: PageRequest) -> Page[Photo] | None:
    """The photos a client sees (READY ones, in order), or None while the gallery is locked. The owner sees
    every photo. A client's first read of the day emits gallery.viewed, once per visitor (the key decides)."""
    if owns(ctx.viewer, gallery.user_id):
        return await galleries.photos_in(ctx, gallery, page, ready_only=False)
    now = utcnow()
    rules.check_open_to_clients(gallery.expires_at, now)
    visitor = _visitor(ctx, gallery)
    if visitor is None:
        return None
    async with ctx.db.unit_of_work() as uow:
        if await queries.record_view_day(uow.session, gallery.id, visitor, now.date()):
            uow.emit(GalleryViewed(gallery_id=gallery.id, audience=(gallery.user_id,)))
    return await galleries.photos_in(ctx, gallery, page, ready_only=True)


class Previewed(Protocol):
    """What choosing a client's preview reads of a photo (a Photo row, or a gallery download's member)."""

    @property
    def id(self) -> UUID: ...
    @property
    def preview_key(self) -> str | None: ...
    @property
    def watermarked_key(self) -> str | None: ...


async def client_preview_key(ctx: Context, gallery: Gallery, photo: Previewed) -> str | None:
    """The preview a client sees: plain, or for a watermarked gallery its own stamped one (one batch per page),
    else the generic watermarked preview until the galleries.watermark job has made it."""
    if not gallery.watermark:
        return photo.preview_key
    logo = await ctx.loaders.studio_logo.load(gallery.user_id) if gallery.watermark_kind is WatermarkKind.LOGO else None
    owner = await ctx.loaders.user.load(gallery.user_id)
    text = rules.watermark_text(gallery.watermark_text, owner.username if owner is not None else "")
    expected = rules.watermark_key(gallery.id, photo.id, text, logo.id if logo is not None else None)
    stamped = await ctx.loaders.gallery_watermark.load((gallery.id, photo.id))
    # A preview stamped with other settings (changed since) is never shown: the generic one is, until the job runs.
    return stamped if stamped == expected else photo.watermarked_key
