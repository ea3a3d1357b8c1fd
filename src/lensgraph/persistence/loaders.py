"""Dataloader batch functions: one SQL statement per batch, results in the order of the keys."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TypeVar
from uuid import UUID

from aiodataloader import DataLoader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lensgraph.persistence import (
    analytics,
    collections,
    documents,
    galleries,
    gallery_downloads,
    gallery_extras,
    invoices,
    licensing,
    marketplace,
    payments,
    plans,
    prints,
    proofing,
    releases,
    studio,
    verification,
    verification_sharing,
)
from lensgraph.persistence.base import Entity
from lensgraph.persistence.db import Database, SessionSource, SharedReads
from lensgraph.persistence.models import (
    ApiKey,
    Booking,
    Client,
    Collection,
    Contract,
    DocumentTemplate,
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


def _by_id(db: RequestSessions, model: type[M]) -> DataLoader[UUID, M | None]:
    async def batch(ids: Sequence[UUID]) -> list[M | None]:
        async with db.session() as session:
            rows = (await session.scalars(select(model).where(model.id.in_(ids)))).all()
        by_id = {row.id: row for row in rows}
        return [by_id.get(key) for key in ids]

    return DataLoader(batch)


def _in_session(
    db: RequestSessions, fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[list[V]]]
) -> DataLoader[K, V]:
    """A loader over a batch query of an area's persistence module, run in a session from ``db``."""

    async def batch(keys: Sequence[K]) -> list[V]:
        async with db.session() as session:
            return await fetch(session, keys)

    return DataLoader(batch)


async def referenced(loader: DataLoader[UUID, M | None], key: UUID) -> M:
    """The row a foreign key points at. It is there unless the database is broken, and then says so loudly."""
    row = await loader.load(key)
    if row is None:
        raise LookupError(f"a foreign key names {key}, which no row has")
    return row


class Loaders:
    """Created per request: no cache is shared between requests or users."""

    def __init__(self, database: Database) -> None:
        self.sessions = db = RequestSessions(database)
        self.user = _by_id(db, User)
        self.api_key = _by_id(db, ApiKey)
        self.notification = _by_id(db, Notification)
        self.photo = _by_id(db, Photo)
        self.webhook_endpoint = _by_id(db, WebhookEndpoint)
        self.webhook_delivery = _by_id(db, WebhookDelivery)
        self.collection = _by_id(db, Collection)
        self.collection_photos = _in_session(db, collections.first_photos_of_collections)
        self.collection_photo_count = _in_session(db, collections.collection_photo_counts)
        self.collections_holding_photo = _in_session(db, collections.collections_holding)
        self.featured_photos = _in_session(db, collections.featured_photos)
        self.user_photo_count = _in_session(db, collections.user_photo_counts)
        self.gallery = _by_id(db, Gallery)
        self.gallery_photos = _in_session(db, galleries.first_photos_of_galleries)
        self.gallery_photo_count = _in_session(db, galleries.gallery_photo_counts)
        self.gallery_set = _by_id(db, GallerySet)
        self.gallery_sets = _in_session(db, galleries.sets_of_galleries)
        self.gallery_set_photo_count = _in_session(db, galleries.set_photo_counts)
        # Proofing: every client's lists of a gallery; one client's lists and comments (keyed by ClientKey).
        self.gallery_selection = _by_id(db, GallerySelection)
        self.gallery_comment = _by_id(db, GalleryComment)
        self.gallery_selections = _in_session(db, proofing.selections_of_galleries)
        self.client_selections = _in_session(db, proofing.selections_of_clients)
        self.selection_favorites = _in_session(db, proofing.favorites_of_selections)
        self.client_comments = _in_session(db, proofing.comments_of_clients)
        # Keyed by (gallery, window): its daily visitors, favourites and selections.
        self.gallery_day_counts = _in_session(db, proofing.gallery_day_counts)
        self.gallery_collection = _by_id(db, GalleryCollection)
        self.gallery_collections_of_gallery = _in_session(db, gallery_extras.collections_of_galleries)
        self.gallery_collection_count = _in_session(db, gallery_extras.gallery_counts_of_collections)
        self.studio_logo = _in_session(db, gallery_extras.logos_of_studios)
        self.gallery_watermark = _in_session(db, gallery_extras.gallery_watermark_keys)
        self.gallery_downloads = _in_session(db, gallery_downloads.first_downloads_of_galleries)
        self.gallery_download_count = _in_session(db, gallery_downloads.download_counts)
        self.license = _by_id(db, License)
        self.contract = _by_id(db, Contract)
        self.contract_by_license = _in_session(db, licensing.contracts_of_licenses)
        self.revisions_by_license = _in_session(db, licensing.revisions_of_licenses)
        self.payment = _by_id(db, Payment)
        self.payout = _by_id(db, Payout)
        self.payout_account_by_user = _in_session(db, payments.payout_accounts)
        self.subscription = _by_id(db, Subscription)
        self.subscription_by_user = _in_session(db, plans.subscriptions_of_users)
        # Keyed by (brand, photo): whether the brand holds a paid license in force on the photo.
        self.licensed_photo = _in_session(db, payments.licensed_photos)
        self.release = _by_id(db, Release)
        self.releases_by_photo = _in_session(db, releases.releases_of_photos)
        self.photos_by_release = _in_session(db, releases.photos_of_releases)
        self.model_release_count_by_photo = _in_session(db, releases.model_release_counts)
        self.verification = _by_id(db, Verification)
        self.listing = _by_id(db, Listing)
        self.listing_tiers = _in_session(db, marketplace.listing_tiers)
        self.purchase = _by_id(db, Purchase)
        # Keyed by a photo's owner and hashes: the owner's proven verification of the same image, if any.
        self.photo_verification = _in_session(db, marketplace.photo_verifications)
        # Keyed by (user, verification): whether the user holds a live invitation to it.
        self.verification_invited = _in_session(db, verification.invited_to)
        # Per verification: its live invitations (the owner's sharing settings).
        self.verification_invites = _in_session(db, verification_sharing.live_invites_of)
        # Keyed by (verification, window): its views per day.
        self.verification_daily_views = _in_session(db, analytics.daily_verification_views)
        self.client = _by_id(db, Client)
        self.session_type = _by_id(db, SessionType)
        self.booking = _by_id(db, Booking)
        self.bookings_by_client = _in_session(db, studio.bookings_of_clients)
        self.document_template = _by_id(db, DocumentTemplate)
        self.studio_document = _by_id(db, StudioDocument)
        self.documents_by_client = _in_session(db, documents.documents_of_clients)
        self.invoice = _by_id(db, Invoice)
        self.invoices_by_client = _in_session(db, invoices.invoices_of_clients)
        self.galleries_by_client = _in_session(db, galleries.galleries_of_clients)
        self.payments_by_invoice = _in_session(db, invoices.payments_of_invoices)
        self.print_product = _by_id(db, PrintProduct)
        self.print_order = _by_id(db, PrintOrder)
        self.print_order_items = _in_session(db, prints.items_of_orders)

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
