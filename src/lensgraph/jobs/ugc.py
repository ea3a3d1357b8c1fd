"""User-generated content jobs: fetching a submission's photoUri, and mailing an author the rights link.

``ugc.fetch_content`` follows ``content.submitted`` (FOLLOW_UP_JOBS). It fetches the URL through the guarded
outbound client (public addresses only unless ``outbound_allow_private``; every redirect hop checked again; at
most ``ugc_max_photo_bytes``), checks what the bytes are (sniffed, decoded), stores them as a private photo of the
brand and hands it to ``photos.analyze``. The content leaves FETCHING by one conditional UPDATE, so a second run
(or a concurrent one) stores nothing more. A refused URL or file fails the content with a reason; a network
failure is raised for dramatiq to retry, and the ``MAX_FETCH_ATTEMPTS``-th (counted on the content) fails it.

``ugc.mail_rights_request`` follows ``content.rights_requested``: it makes the link's secret, stores its digest
(a conditional UPDATE: a request takes one once) and mails it, in one transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid

import httpx

from lensgraph.adapters import imaging
from lensgraph.adapters.mail import Mail
from lensgraph.adapters.outbound_http import AddressNotAllowed, OutboundHttp, ResponseTooLarge
from lensgraph.adapters.tokens import digest, new_secret
from lensgraph.domain import files
from lensgraph.domain import photos as photo_rules
from lensgraph.domain.photos import Visibility
from lensgraph.domain.ugc import MediaStatus
from lensgraph.jobs.services import current_services
from lensgraph.persistence import discovery as discovery_queries
from lensgraph.persistence import ugc as queries
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.models import Content, Photo, RightsRequest, User

ACCEPT = ", ".join(photo_rules.ACCEPTED_TYPES)
RIGHTS_PATH = "/ugc/rights"
# Attempts at one photoUri (the first and dramatiq's retries, see jobs/actors.py) before its content FAILS.
MAX_FETCH_ATTEMPTS = 4


class _AlreadyFetched(Exception):
    """Rolls back a photo made for content that another run of the job already took out of FETCHING."""


class Unavailable(Exception):
    """The photoUri's server is busy or failing (5xx, 429): worth another attempt."""


class Refused(Exception):
    """The URL or what it answered cannot become content: final, not retried."""


async def fetch_content(content_id: str) -> None:
    services = current_services()
    key = uuid.UUID(content_id)
    async with services.database.session() as session:
        content = await session.get(Content, key)
    if content is None or content.media_status is not MediaStatus.FETCHING or content.source_url is None:
        return
    settings = services.settings
    try:
        data, media_type, header = await _fetched_image(content.source_url, settings.ugc_max_photo_bytes)
    except Refused as refused:
        await _fail(key, str(refused))
        return
    except (httpx.TransportError, Unavailable) as failure:
        # Counted in the content, not in the message: the last attempt fails it, so none stays FETCHING for good.
        if await _count_attempt(key) >= MAX_FETCH_ATTEMPTS:
            await _fail(key, f"The photoUri could not be fetched after {MAX_FETCH_ATTEMPTS} attempts: {failure}")
            return
        raise
    photo_id = uuid.uuid4()
    original_key = files.stored_key("photos", photo_id, "original", media_type)
    await services.storage.write(original_key, data, content_type=media_type)
    try:
        async with services.database.unit_of_work() as uow:
            photo = Photo(
                id=photo_id,
                user_id=content.brand_id,
                title=photo_rules.clean_title(content.title),
                description="",
                keywords=[],
                visibility=Visibility.PRIVATE,
                original_key=original_key,
                original_sha256=hashlib.sha256(data).hexdigest(),
                mime_type=media_type,
                size_bytes=len(data),
                width=header.width,
                height=header.height,
            )
            uow.session.add(photo)
            await discovery_queries.replace_tags(uow.session, photo)
            if not await queries.take_fetched_media(uow.session, key, photo_id):
                raise _AlreadyFetched
    except _AlreadyFetched:
        # Another run got there first (or the content failed meanwhile): this copy is not needed.
        await services.storage.delete(original_key)
        return
    services.queue.send("photos.analyze", str(photo_id))


async def _fetched_image(url: str, max_bytes: int) -> tuple[bytes, str, imaging.Header]:
    settings = current_services().settings
    outbound = OutboundHttp(
        allow_private=settings.outbound_allow_private, timeout_seconds=settings.ugc_fetch_timeout_seconds
    )
    try:
        fetched = await outbound.fetch(url, max_bytes, headers={"accept": ACCEPT})
    except AddressNotAllowed as refused:
        raise Refused(f"The photoUri is not allowed: {refused}") from None
    except ResponseTooLarge:
        raise Refused(f"The photo is larger than {max_bytes} bytes.") from None
    except httpx.InvalidURL:
        raise Refused("The photoUri is not a valid URL.") from None
    if fetched.status != 200:
        if fetched.status >= 500 or fetched.status == 429:
            raise Unavailable(f"the photoUri answered HTTP {fetched.status}")
        raise Refused(f"The photoUri answered HTTP {fetched.status}.")
    header = imaging.read_header(fetched.body)
    if header.format not in photo_rules.ACCEPTED_TYPES.values():
        raise Refused("The photoUri is not an image we accept (" + ACCEPT + ").")
    if header.width * header.height > photo_rules.MAX_PIXELS:
        raise Refused("The photo has too many pixels.")
    try:
        await asyncio.to_thread(imaging.check_decodes, fetched.body)
    except imaging.ImageUnreadable:
        raise Refused("The photo is truncated or corrupt.") from None
    assert header.format is not None
    return fetched.body, files.media_type_of(header.format, photo_rules.ACCEPTED_TYPES), header


async def _count_attempt(content_id: uuid.UUID) -> int:
    async with current_services().database.unit_of_work() as uow:
        return await queries.count_fetch_attempt(uow.session, content_id)


async def _fail(content_id: uuid.UUID, reason: str) -> None:
    async with current_services().database.unit_of_work() as uow:
        await queries.fail_fetch(uow.session, content_id, reason)


def rights_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{RIGHTS_PATH}#token={token}"


async def mail_rights_request(request_id: str) -> None:
    """Mails the author the link, once; the token is in the mail only (its digest is stored)."""
    services = current_services()
    key = uuid.UUID(request_id)
    secret = new_secret()
    async with services.database.unit_of_work() as uow:
        if not await queries.claim_rights_link(uow.session, key, digest(secret), utcnow()):
            return
        request = await uow.session.get(RightsRequest, key)
        brand = await uow.session.get(User, request.brand_id) if request else None
        if request is None or brand is None:
            return
        brand_name = f"{brand.first_name} {brand.last_name}".strip() or brand.username
        # Sent inside the transaction: a failed send rolls the digest back, and the retry mails a working link.
        await services.mailer.send(
            Mail(
                to=request.author_email,
                subject=f"{brand_name} asks to use your photo",
                body=(
                    f"Hello {request.author_username},\n\n{brand_name} would like to use the photo you shared, "
                    f"on these terms:\n\n{request.terms}\n\n"
                    f"Grant or decline at {rights_url(services.settings.public_url, secret)}\n"
                    "or send this token with grantContentRights or declineContentRights:\n\n"
                    f"    {secret}\n\n"
                    f"The link works once and expires on {request.expires_at:%Y-%m-%d}.\n"
                ),
            )
        )
