"""Dataloader batch functions: one SQL statement per batch, results in the order of the keys."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Generic, TypeVar
from uuid import UUID

from aiodataloader import DataLoader
from sqlalchemy import select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from lensgraph.persistence import (
    analytics,
    audit,
    collections,
    documents,
    duplicates,
    galleries,
    gallery_extras,
    invoices,
    licensing,
    marketplace,
    matching,
    payments,
    plans,
    prints,
    proofing,
    releases,
    studio,
    ugc,
    ugc_engagement,
    verification_sharing,
)
from lensgraph.persistence import gallery_downloads as download_queries
from lensgraph.persistence import verification as verification_queries
from lensgraph.persistence.base import Entity
from lensgraph.persistence.db import Database, SessionSource, SharedReads
from lensgraph.persistence.models import (
    Album,
    ApiKey,
    Booking,
    BrandMatch,
    Client,
    Collection,
    Content,
    Contract,
    DocumentTemplate,
    DuplicateClaim,
    Gallery,
    GalleryCollection,
    GalleryComment,
    GallerySelection,
    GallerySet,
    Invoice,
    License,
    Listing,
    Notification,
    Payment,
    Payout,
    Photo,
    PrintOrder,
    PrintProduct,
    Product,
    Purchase,
    Release,
    SessionType,
    StudioDocument,
    Subscription,
    User,
    Verification,
    WebhookDelivery,
    WebhookEndpoint,
)

M = TypeVar("M", bound=Entity)
K = TypeVar("K")
V = TypeVar("V")


class RequestSessions:
    """The source every loader of a request takes its sessions from; a query operation swaps in its shared reads."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.current: SessionSource = db

    def session(self) -> AbstractAsyncContextManager[AsyncSession]:
        return self.current.session()

    def connection(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return self.current.connection()

    async def fetch(self, sql: str, arguments: Sequence[Any]) -> Sequence[Sequence[Any]]:
        return await self.current.fetch(sql, arguments)

    @property
    def sql_dialect(self) -> Dialect:
        return self.current.sql_dialect


class _PerRequest(Generic[K, V]):
    """A ``Loaders`` attribute holding a loader made on first use from the request's sessions, then kept."""

    def __init__(self, make: Callable[[RequestSessions], DataLoader[K, V]]) -> None:
        self.make = make

    def __set_name__(self, _owner: type, name: str) -> None:
        self.name = name

    def __get__(self, loaders: Loaders, _owner: type) -> DataLoader[K, V]:
        loader = loaders.__dict__[self.name] = self.make(loaders.sessions)
        return loader


def by_id(model: type[M]) -> _PerRequest[UUID, M | None]:
    def make(db: RequestSessions) -> DataLoader[UUID, M | None]:
        async def batch(ids: Sequence[UUID]) -> list[M | None]:
            async with db.session() as session:
                rows = (await session.scalars(select(model).where(model.id.in_(ids)))).all()
            found = {row.id: row for row in rows}
            return [found.get(key) for key in ids]

        return DataLoader(batch)

    return _PerRequest(make)


def batched(fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[list[V]]]) -> _PerRequest[K, V]:
    """A loader over a batch query of an area's persistence module, run in a session of the request."""

    def make(db: RequestSessions) -> DataLoader[K, V]:
        async def batch(keys: Sequence[K]) -> list[V]:
            async with db.session() as session:
                return await fetch(session, keys)

        return DataLoader(batch)

    return _PerRequest(make)


async def referenced(loader: DataLoader[UUID, M | None], key: UUID) -> M:
    """The row a foreign key points at. It is there unless the database is broken, and then says so loudly."""
    row = await loader.load(key)
    if row is None:
        raise LookupError(f"a foreign key names {key}, which no row has")
    return row


class Loaders:
    """Created per request: no cache is shared between requests or users. Each loader is made on first use:
    a request uses a handful of the dozens declared here."""

    user = by_id(User)
    api_key = by_id(ApiKey)
    audit_entry = batched(audit.entries_by_ids)
    notification = by_id(Notification)
    photo = by_id(Photo)
    webhook_endpoint = by_id(WebhookEndpoint)
    webhook_delivery = by_id(WebhookDelivery)
    collection = by_id(Collection)
    collection_photos = batched(collections.first_photos_of_collections)
    collection_photo_count = batched(collections.collection_photo_counts)
    collections_holding_photo = batched(collections.collections_holding)
    featured_photos = batched(collections.featured_photos)
    user_photo_count = batched(collections.user_photo_counts)
    gallery = by_id(Gallery)
    gallery_photos = batched(galleries.first_photos_of_galleries)
    gallery_photo_count = batched(galleries.gallery_photo_counts)
    gallery_set = by_id(GallerySet)
    gallery_sets = batched(galleries.sets_of_galleries)
    gallery_set_photo_count = batched(galleries.set_photo_counts)
    # Proofing: every client's lists of a gallery; one client's lists and comments (keyed by ClientKey).
    gallery_selection = by_id(GallerySelection)
    gallery_comment = by_id(GalleryComment)
    gallery_selections = batched(proofing.selections_of_galleries)
    client_selections = batched(proofing.selections_of_clients)
    selection_favorites = batched(proofing.favorites_of_selections)
    client_comments = batched(proofing.comments_of_clients)
    # Keyed by (gallery, window): its daily visitors, favourites and selections.
    gallery_day_counts = batched(proofing.gallery_day_counts)
    gallery_collection = by_id(GalleryCollection)
    gallery_collections_of_gallery = batched(gallery_extras.collections_of_galleries)
    gallery_collection_count = batched(gallery_extras.gallery_counts_of_collections)
    studio_logo = batched(gallery_extras.logos_of_studios)
    gallery_watermark = batched(gallery_extras.gallery_watermark_keys)
    gallery_downloads = batched(download_queries.first_downloads_of_galleries)
    gallery_download_count = batched(download_queries.download_counts)
    license = by_id(License)
    duplicate_claim = by_id(DuplicateClaim)
    duplicate_claim_changes = batched(duplicates.changes_of_claims)
    contract = by_id(Contract)
    contract_by_license = batched(licensing.contracts_of_licenses)
    revisions_by_license = batched(licensing.revisions_of_licenses)
    payment = by_id(Payment)
    payout = by_id(Payout)
    payout_account_by_user = batched(payments.payout_accounts)
    sale_by_payment = batched(payments.sales_of_payments)
    earnings_by_payout = batched(payments.earnings_of_payouts)
    subscription = by_id(Subscription)
    subscription_by_user = batched(plans.subscriptions_of_users)
    # Keyed by (brand, photo): whether the brand holds a paid license in force on the photo.
    licensed_photo = batched(payments.licensed_photos)
    release = by_id(Release)
    releases_by_photo = batched(releases.releases_of_photos)
    photos_by_release = batched(releases.photos_of_releases)
    model_release_count_by_photo = batched(releases.model_release_counts)
    verification = by_id(Verification)
    listing = by_id(Listing)
    listing_tiers = batched(marketplace.listing_tiers)
    purchase = by_id(Purchase)
    # Keyed by a photo's owner and hashes: the owner's proven verification of the same image, if any.
    photo_verification = batched(marketplace.photo_verifications)
    # Keyed by (user, verification): whether the user holds a live invitation to it.
    verification_invited = batched(verification_queries.invited_to)
    # Per verification: its live invitations (the owner's sharing settings).
    verification_invites = batched(verification_sharing.live_invites_of)
    # Keyed by (verification, window): its views per day.
    verification_daily_views = batched(analytics.daily_verification_views)
    # Keyed by (content or product, first day, last day): its storefront engagement per day.
    ugc_content_engagement = batched(ugc_engagement.content_engagement)
    ugc_product_engagement = batched(ugc_engagement.product_engagement)
    client = by_id(Client)
    session_type = by_id(SessionType)
    booking = by_id(Booking)
    bookings_by_client = batched(studio.bookings_of_clients)
    document_template = by_id(DocumentTemplate)
    studio_document = by_id(StudioDocument)
    documents_by_client = batched(documents.documents_of_clients)
    invoice = by_id(Invoice)
    invoices_by_client = batched(invoices.invoices_of_clients)
    galleries_by_client = batched(galleries.galleries_of_clients)
    payments_by_invoice = batched(invoices.payments_of_invoices)
    print_product = by_id(PrintProduct)
    print_order = by_id(PrintOrder)
    print_order_items = batched(prints.items_of_orders)
    ugc_album = by_id(Album)
    ugc_content = by_id(Content)
    ugc_product = by_id(Product)
    ugc_album_content = batched(ugc.first_content_of_albums)
    ugc_album_content_count = batched(ugc.album_content_counts)
    ugc_content_products = batched(ugc.products_of_contents)
    # Per content: its latest rights request (the one its rights status comes from).
    ugc_rights_request = batched(ugc.latest_rights_requests)
    brand_match = by_id(BrandMatch)
    # Per photo: how many brands it was matched with (Photo.matchCount, the owner's).
    photo_match_count = batched(matching.match_counts)

    def __init__(self, database: Database) -> None:
        self.sessions = RequestSessions(database)

    @asynccontextmanager
    async def sharing_one_session(self) -> AsyncIterator[None]:
        """Within the block every batch runs on one shared read session (a query operation's); closed after it."""
        reads = SharedReads(self.sessions.db)
        self.sessions.current = reads
        try:
            yield
        finally:
            self.sessions.current = self.sessions.db
            await reads.close()
