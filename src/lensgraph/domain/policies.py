"""Authorization: one place decides, every resolver and ``node()`` asks it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from lensgraph.domain.accounts import Role
from lensgraph.domain.licensing import Party
from lensgraph.domain.payments import payee_refund_window_open
from lensgraph.domain.photos import PhotoStatus, Visibility
from lensgraph.domain.verification import AccessType

# What a photo must be for anyone but its owner to see it; public lists select exactly these.
PUBLIC_PHOTO_STATUS = PhotoStatus.READY
PUBLIC_PHOTO_VISIBILITY = Visibility.PUBLIC


@dataclass(frozen=True)
class Viewer:
    """Who is calling: a signed-in user (by token or API key) or nobody."""

    user_id: UUID
    role: Role
    via_api_key: bool = False
    # The API key's id, and its plan's requests per minute (None: the server's setting): its own rate buckets.
    api_key_id: UUID | None = None
    api_key_rate: int | None = None
    # When the credential stops being valid (access tokens); live subscriptions end then.
    expires_at: datetime | None = None
    # The account's token version an access token was issued under: raising it ends the token.
    token_version: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def can_manage_credentials(viewer: Viewer | None) -> bool:
    """Minting or revoking API keys and signing out every session take a password sign-in, never an API key:
    a leaked key must not be able to entrench itself, nor to lock its owner out."""
    return viewer is not None and not viewer.via_api_key


def can_administer_accounts(viewer: Viewer | None) -> bool:
    """Disabling accounts and changing roles: administrators, signed in with their password."""
    return viewer is not None and viewer.is_admin and can_manage_credentials(viewer)


def owns(viewer: Viewer | None, owner_id: UUID) -> bool:
    """API keys, notifications, webhook endpoints and deliveries are their owner's alone, not even an admin's."""
    return viewer is not None and viewer.user_id == owner_id


def license_party(viewer: Viewer | None, brand_id: UUID, photographer_id: UUID) -> Party | None:
    """The viewer's side of a license (its brand or its photographer), or None: a license is its two parties' alone,
    and to anyone else (anonymous, another user, even an admin) it does not exist."""
    if viewer is None:
        return None
    if viewer.user_id == brand_id:
        return Party.BRAND
    if viewer.user_id == photographer_id:
        return Party.PHOTOGRAPHER
    return None


def can_view_photo(viewer: Viewer | None, owner_id: UUID, status: PhotoStatus, visibility: Visibility) -> bool:
    """The owner sees every photo of theirs; everyone else, anonymous included, only finished public ones."""
    return owns(viewer, owner_id) or (status is PUBLIC_PHOTO_STATUS and visibility is PUBLIC_PHOTO_VISIBILITY)


# Those who publish photos: upload them and releases, gather them in collections and portfolios.
PUBLISHER_ROLES = frozenset({Role.PHOTOGRAPHER, Role.STUDIO, Role.ADMIN})


def can_publish(viewer: Viewer) -> bool:
    return viewer.role in PUBLISHER_ROLES


def runs_studio(viewer: Viewer) -> bool:
    """Clients, session types and bookings are kept by STUDIO accounts."""
    return viewer.role is Role.STUDIO


def can_view_studio_record(viewer: Viewer | None, studio_id: UUID) -> bool:
    """A studio's clients and bookings are its own alone: no other studio, and no admin, reads them."""
    return owns(viewer, studio_id)


# Those who deliver photos to their clients in galleries.
GALLERY_KEEPER_ROLES = frozenset({Role.STUDIO, Role.PHOTOGRAPHER})


def can_keep_galleries(viewer: Viewer) -> bool:
    return viewer.role in GALLERY_KEEPER_ROLES


def can_view_collection(viewer: Viewer | None, owner_id: UUID, visibility: Visibility) -> bool:
    """A PRIVATE collection is its owner's alone; a PUBLIC one is anyone's (its photos still pass can_view_photo)."""
    return owns(viewer, owner_id) or visibility is Visibility.PUBLIC


def can_keep_lightbox(viewer: Viewer) -> bool:
    """The lightbox is a buyer's shortlist of other people's photos: brands only."""
    return viewer.role is Role.BRAND


def can_keep_brand_profile(viewer: Viewer) -> bool:
    """A brand profile and the photos matched to it: brands only, each its own."""
    return viewer.role is Role.BRAND


def can_view_brand_dashboard(viewer: Viewer) -> bool:
    """What a buyer offered, holds and spent: brands only (publishers have the photographer dashboard)."""
    return viewer.role is Role.BRAND


def can_download_original(viewer: Viewer | None, owner_id: UUID, licensed: bool) -> bool:
    """The original file is its owner's, and a brand's while it holds a paid license on the photo in force."""
    return owns(viewer, owner_id) or (viewer is not None and licensed)


# Those paid for their photos: they onboard a payout account and receive transfers of their earnings.
PAYEE_ROLES = frozenset({Role.PHOTOGRAPHER, Role.STUDIO})


def can_receive_payouts(viewer: Viewer) -> bool:
    return viewer.role in PAYEE_ROLES


def can_review_duplicates(viewer: Viewer | None, owner_id: UUID) -> bool:
    """A possible duplicate is the owner's to know and the moderators' to judge."""
    return owns(viewer, owner_id) or (viewer is not None and viewer.is_admin)


def can_view_verification(
    viewer: Viewer | None, owner_id: UUID, access_type: AccessType, invited: bool, *, holds_link: bool = False
) -> bool:
    """A verification report: its owner's; a signed-in user's with a live invitation to it (``invited``); and,
    while it is shared ANYONE_WITH_LINK, anyone's who presents its share link (``holds_link``: the token matched).
    Knowing a report's ID is never enough: not even an admin sees someone else's report."""
    if owns(viewer, owner_id):
        return True
    if viewer is not None and invited:
        return True
    return holds_link and access_type is AccessType.ANYONE_WITH_LINK


def can_see_capture_location(viewer: Viewer | None, owner_id: UUID, show_location: bool) -> bool:
    """Where a verified photo was taken: the owner's to know, anyone else's (who may see the report) when shown."""
    return owns(viewer, owner_id) or show_location


def can_view_verification_image(viewer: Viewer | None, owner_id: UUID, invited: bool = False) -> bool:
    """The verified JPEG itself (full size, unwatermarked): the owner's and invited signed-in readers'; a link
    holder sees the thumbnail and the watermarked JPEG only."""
    return owns(viewer, owner_id) or (viewer is not None and invited)


def can_read_audit_log(viewer: Viewer | None) -> bool:
    """The whole audit log, every account's entries: administrators."""
    return viewer is not None and viewer.is_admin


def can_read_audit_entry(viewer: Viewer | None, subject_id: UUID | None) -> bool:
    """An entry about an account is its owner's to read, and the administrators'."""
    return can_read_audit_log(viewer) or (subject_id is not None and owns(viewer, subject_id))


def can_see_audit_origin(viewer: Viewer | None, actor_id: UUID | None) -> bool:
    """Where an entry's request came from (address, user agent): the owner sees their own requests' and those of
    anonymous attempts on their account (failed sign-ins), not an administrator's who acted on it."""
    if can_read_audit_log(viewer):
        return True
    return viewer is not None and (actor_id is None or actor_id == viewer.user_id)


def can_refund_payment(viewer: Viewer | None, payee_id: UUID, paid_at: datetime | None, now: datetime) -> bool:
    """Administrators refund any payment; the photographer paid agrees to refund their own sale within
    ``PAYEE_REFUND_WINDOW`` of its payment."""
    if viewer is None:
        return False
    return viewer.is_admin or (viewer.user_id == payee_id and payee_refund_window_open(paid_at, now))


def can_view_duplicate_claim(viewer: Viewer | None, claimant_id: UUID, uploader_id: UUID) -> bool:
    """A duplicate claim and its history: the claimant's, the uploader's of the photo claimed, and the admins'."""
    return viewer is not None and (viewer.is_admin or viewer.user_id in (claimant_id, uploader_id))
