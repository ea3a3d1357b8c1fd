"""All models, imported so that ``Base.metadata`` knows every table."""

from lensgraph.persistence.models.accounts import ApiKey, OneTimeToken, RefreshToken, User
from lensgraph.persistence.models.analytics import PhotoViewDay
from lensgraph.persistence.models.audit import AuditEntry
from lensgraph.persistence.models.collections import (
    Collection,
    CollectionPhoto,
    FeaturedPhoto,
    LightboxItem,
    Portfolio,
)
from lensgraph.persistence.models.compliance import ConsentRecord, DataRequest
from lensgraph.persistence.models.documents import DocumentTemplate, StudioDocument
from lensgraph.persistence.models.duplicates import DuplicateClaim, DuplicateClaimChange
from lensgraph.persistence.models.embeddings import PhotoEmbedding
from lensgraph.persistence.models.galleries import (
    Gallery,
    GalleryCollection,
    GalleryCollectionMember,
    GalleryDownload,
    GalleryPhoto,
    GallerySet,
    GalleryViewDay,
)
from lensgraph.persistence.models.idempotency import IdempotencyKey
from lensgraph.persistence.models.invoices import Invoice
from lensgraph.persistence.models.licensing import Contract, License, LicenseRevision
from lensgraph.persistence.models.marketplace import Listing, ListingTier, Purchase
from lensgraph.persistence.models.matching import BrandMatch, BrandProfile
from lensgraph.persistence.models.notifications import (
    Notification,
    NotificationPreference,
    PushDelivery,
    PushToken,
)
from lensgraph.persistence.models.outbox import OutboxEvent
from lensgraph.persistence.models.payments import Earning, Payment, Payout, PayoutAccount, StripeEvent
from lensgraph.persistence.models.photos import Photo, PhotoTag, Release, ReleasePhoto, Upload
from lensgraph.persistence.models.plans import Subscription
from lensgraph.persistence.models.prints import PrintOrder, PrintOrderItem, PrintProduct
from lensgraph.persistence.models.proofing import GalleryComment, GalleryFavorite, GallerySelection
from lensgraph.persistence.models.studio import (
    AvailabilityWindow,
    BlockedDate,
    Booking,
    Client,
    ClientEmail,
    ClientTag,
    SessionType,
    StudioProfile,
)
from lensgraph.persistence.models.ugc import (
    Album,
    Content,
    ContentEngagementDay,
    ContentProduct,
    ContentSecret,
    Product,
    ProductEngagementDay,
    RightsRequest,
)
from lensgraph.persistence.models.verification import (
    Verification,
    VerificationInvite,
    VerificationUsage,
    VerificationViewDay,
)
from lensgraph.persistence.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Album",
    "ApiKey",
    "AuditEntry",
    "AvailabilityWindow",
    "BlockedDate",
    "Booking",
    "BrandMatch",
    "BrandProfile",
    "Client",
    "ClientEmail",
    "ClientTag",
    "Collection",
    "CollectionPhoto",
    "ConsentRecord",
    "Content",
    "ContentEngagementDay",
    "ContentProduct",
    "ContentSecret",
    "Contract",
    "DataRequest",
    "DocumentTemplate",
    "DuplicateClaim",
    "DuplicateClaimChange",
    "Earning",
    "FeaturedPhoto",
    "Gallery",
    "GalleryCollection",
    "GalleryCollectionMember",
    "GalleryComment",
    "GalleryDownload",
    "GalleryFavorite",
    "GalleryPhoto",
    "GallerySelection",
    "GallerySet",
    "GalleryViewDay",
    "IdempotencyKey",
    "Invoice",
    "License",
    "LicenseRevision",
    "LightboxItem",
    "Listing",
    "ListingTier",
    "Notification",
    "NotificationPreference",
    "OneTimeToken",
    "OutboxEvent",
    "Payment",
    "Payout",
    "PayoutAccount",
    "Photo",
    "PhotoEmbedding",
    "PhotoTag",
    "PhotoViewDay",
    "Portfolio",
    "PrintOrder",
    "PrintOrderItem",
    "PrintProduct",
    "Product",
    "ProductEngagementDay",
    "Purchase",
    "PushDelivery",
    "PushToken",
    "RefreshToken",
    "Release",
    "ReleasePhoto",
    "RightsRequest",
    "SessionType",
    "StripeEvent",
    "StudioDocument",
    "StudioProfile",
    "Subscription",
    "Upload",
    "User",
    "Verification",
    "VerificationInvite",
    "VerificationUsage",
    "VerificationViewDay",
    "WebhookDelivery",
    "WebhookEndpoint",
]
