"""User-generated content, moderated: approve, reject, tag products (one or up to 100 at once, all or none),
the auto-flags from the photo pipeline, and the author's rights: requested by mail, granted or declined once
by the link's token, kept as evidence, and required before content is marked for commercial use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from lensgraph.adapters.tokens import digest
from lensgraph.domain import ugc as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.events import ContentApproved, ContentRightsRequested
from lensgraph.domain.photos import PhotoStatus
from lensgraph.domain.policies import owns
from lensgraph.domain.ugc import ContentFlag, ContentStatus, MediaStatus, RightsRequestStatus, RightsStatus
from lensgraph.persistence import ugc as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import UnitOfWork
from lensgraph.persistence.models import Content, RightsRequest
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.ugc import require_brand, tag_products

MEDIA_OF_PHOTO = {
    PhotoStatus.PROCESSING: MediaStatus.PROCESSING,
    PhotoStatus.READY: MediaStatus.READY,
    PhotoStatus.FAILED: MediaStatus.FAILED,
    # Taken down after a duplicate claim: no longer usable, as a failed file is not.
    PhotoStatus.TAKEN_DOWN: MediaStatus.FAILED,
}


@dataclass(frozen=True)
class ProductTagging:
    content_id: UUID
    skus: Sequence[str]


async def content_by_id(ctx: Context, content_id: UUID) -> Content | None:
    content = await ctx.loaders.ugc_content.load(content_id)
    return content if content is not None and owns(ctx.viewer, content.brand_id) else None


async def media_status(ctx: Context, content: Content) -> MediaStatus:
    """FETCHING until its photoUri is fetched, then its photo's status in the pipeline."""
    if content.photo_id is None:
        return content.media_status
    photo = await ctx.loaders.photo.load(content.photo_id)
    return MEDIA_OF_PHOTO.get(photo.status, MediaStatus.FAILED) if photo is not None else MediaStatus.FAILED


async def flags(ctx: Context, content: Content) -> list[ContentFlag]:
    if content.photo_id is None:
        return []
    photo = await ctx.loaders.photo.load(content.photo_id)
    return rules.flags_of(photo.face_count, photo.possible_duplicate_of_id) if photo is not None else []


async def latest_rights_request(ctx: Context, content: Content) -> RightsRequest | None:
    return await ctx.loaders.ugc_rights_request.load(content.id)


# Moderation --------------------------------------------------------------------------------------


async def _owned_contents(ctx: Context, uow: UnitOfWork, ids: Sequence[UUID], field: str) -> list[Content]:
    """Every id the caller's content, in the order given; one that is not refuses them all (named by index)."""
    found = {row.id: row for row in await queries.contents_by_ids(uow.session, ids)}
    for index, content_id in enumerate(ids):
        row = found.get(content_id)
        if row is None or not owns(ctx.viewer, row.brand_id):
            raise DomainError(ErrorCode.NOT_FOUND, "No such content.", [field, str(index)] if len(ids) > 1 else [field])
    return [found[content_id] for content_id in ids]


def _distinct(ids: Sequence[UUID], field: str) -> list[UUID]:
    rules.check_bulk(len(ids), rules.MAX_IDS_PER_BULK, field)
    return list(dict.fromkeys(ids))


async def moderate(
    ctx: Context, ids: Sequence[UUID], target: ContentStatus, *, reason: str | None = None, field: str = "ids"
) -> list[Content]:
    """Approves or rejects every id, or none: each must be the caller's and allowed to move; a concurrent change
    to any of them (the UPDATE finds it moved on) rolls the whole batch back as CONFLICT."""
    require_brand(ctx)
    ids = _distinct(ids, field)
    cleaned_reason = rules.clean_text(reason, "reason", rules.MAX_REASON) or None
    now = utcnow()
    async with ctx.db.unit_of_work() as uow:
        contents = await _owned_contents(ctx, uow, ids, field)
        for index, content in enumerate(contents):
            where = [field, str(index)] if len(ids) > 1 else [field]
            rules.moderated(content.status, target, where)
            if target is ContentStatus.APPROVED:
                rules.check_approvable(await media_status(ctx, content), where)
        for content in contents:
            values: dict[str, Any] = {"status": target, "moderated_at": now}
            values["rejection_reason"] = cleaned_reason if target is ContentStatus.REJECTED else None
            if not await queries.moderate(uow.session, content.id, content.status, values):
                raise DomainError(
                    ErrorCode.CONFLICT, "Someone else moderated this content meanwhile: try again.", [field]
                )
            if target is ContentStatus.APPROVED:
                uow.emit(
                    ContentApproved(content_id=content.id, album_id=content.album_id, audience=(content.brand_id,))
                )
        await uow.session.flush()
        for content in contents:
            await uow.session.refresh(content)
        return contents


async def tag_content_products(ctx: Context, taggings: Sequence[ProductTagging], *, field: str) -> list[Content]:
    """Replaces each content's product tags; an unknown SKU or someone else's content refuses every change."""
    require_brand(ctx)
    rules.check_bulk(len(taggings), rules.MAX_IDS_PER_BULK, field)
    cleaned = [(tagging.content_id, rules.clean_skus(tagging.skus, "skus")) for tagging in taggings]
    async with ctx.db.unit_of_work() as uow:
        contents = await _owned_contents(ctx, uow, [content_id for content_id, _ in cleaned], field)
        for content, (_, skus) in zip(contents, cleaned, strict=True):
            await tag_products(uow, content, skus, "skus")
        return contents


# Rights ------------------------------------------------------------------------------------------


async def request_rights(ctx: Context, content_id: UUID, terms: str) -> RightsRequest:
    """Records the request and its terms; the author's link is made and mailed by ``ugc.mail_rights_request``."""
    require_brand(ctx)
    cleaned_terms = rules.clean_terms(terms)
    async with ctx.db.unit_of_work() as uow:
        [content] = await _owned_contents(ctx, uow, [content_id], "contentId")
        rules.check_rights_requestable(content.rights_status, content.author_email)
        assert content.author_email is not None
        request = RightsRequest(
            id=uuid4(),
            content_id=content.id,
            brand_id=content.brand_id,
            author_email=content.author_email,
            author_username=content.author_username,
            terms=cleaned_terms,
            terms_sha256=rules.terms_digest(cleaned_terms),
            expires_at=utcnow() + rules.RIGHTS_LINK_LIFETIME,
            status=RightsRequestStatus.PENDING,
        )
        uow.session.add(request)
        await queries.set_rights_status(uow.session, content.id, RightsStatus.REQUESTED)
        uow.emit(ContentRightsRequested(request_id=request.id, content_id=content.id, audience=(content.brand_id,)))
        return request


async def rights_request_by_token(ctx: Context, token: str) -> RightsRequest | None:
    """What the author's link shows (the terms, exactly as stored); null for an unknown token."""
    async with ctx.db.session() as session:
        return await queries.rights_request_by_token(session, digest(token.strip()))


async def answer_rights(ctx: Context, token: str, answer: RightsRequestStatus) -> RightsRequest:
    """Grants or declines once: one conditional UPDATE on a PENDING, unexpired request, so of concurrent answers
    exactly one wins; the evidence (when, from which address and browser) is written by that same UPDATE."""
    token_hash = digest(token.strip())
    now = utcnow()
    user_agent = ctx.request.headers.get("user-agent", "")[:300] if ctx.request is not None else None
    async with ctx.db.unit_of_work() as uow:
        if not await queries.answer_rights_request(uow.session, token_hash, now, answer, ctx.client_ip, user_agent):
            request = await queries.rights_request_by_token(uow.session, token_hash)
            if request is None:
                raise DomainError(ErrorCode.NOT_FOUND, "This rights link is not valid.", ["token"])
            raise DomainError(
                ErrorCode.TOKEN_EXPIRED, "This rights link was already answered or has expired.", ["token"]
            )
        request = await queries.rights_request_by_token(uow.session, token_hash)
        assert request is not None
        await uow.session.refresh(request)
        status = RightsStatus.GRANTED if answer is RightsRequestStatus.GRANTED else RightsStatus.DECLINED
        await queries.set_rights_status(uow.session, request.content_id, status)
        return request


async def set_commercial_use(ctx: Context, content_id: UUID, commercial_use: bool) -> Content:
    require_brand(ctx)
    async with ctx.db.unit_of_work() as uow:
        [content] = await _owned_contents(ctx, uow, [content_id], "contentId")
        if not await queries.set_commercial_use(uow.session, content.id, commercial_use):
            rules.check_commercial_use(content.rights_status)
            # Read as granted, but a concurrent change took the grant away before the UPDATE.
            rules.check_commercial_use(RightsStatus.NONE)
        await uow.session.refresh(content)
        return content


def evidence(request: RightsRequest, content_id: str) -> rules.Evidence:
    return rules.Evidence(
        content_id=content_id,
        author_email=request.author_email,
        author_username=request.author_username,
        terms=request.terms,
        terms_sha256=request.terms_sha256,
        requested_at=request.created_at,
        answered_at=request.answered_at,
        answer=request.status,
        ip_address=request.ip_address,
        user_agent=request.user_agent,
    )
