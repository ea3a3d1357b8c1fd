"""Queries for licenses, their revisions and contracts."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, Select, String, case, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from lensgraph.domain.license_references import BuyerReferences
from lensgraph.domain.licensing import (
    OPEN,
    LicenseStatus,
    Medium,
    Party,
    RunningLicense,
    Terms,
)
from lensgraph.domain.money import Money
from lensgraph.persistence.base import contains, grouped, take_write_lock
from lensgraph.persistence.models import Contract, License, LicenseRevision, Photo, User

# Agreed deals that are, or are about to be, in force: these are what exclusivity is checked against.
AGREED = (LicenseStatus.ACCEPTED, LicenseStatus.AWAITING_PAYMENT, LicenseStatus.ACTIVE)


def licenses_of(user_id: UUID, party: Party | None = None, statuses: Collection[LicenseStatus] = ()) -> Select[License]:
    if party is Party.BRAND:
        query = select(License).where(License.brand_id == user_id)
    elif party is Party.PHOTOGRAPHER:
        query = select(License).where(License.photographer_id == user_id)
    else:
        query = select(License).where(or_(License.brand_id == user_id, License.photographer_id == user_id))
    return query.where(License.status.in_(statuses)) if statuses else query


def with_reference(query: Select[License], reference: str) -> Select[License]:
    """Licenses whose purchase order, project or client reference contains ``reference`` (any case)."""
    return query.where(
        or_(
            contains(License.reference_purchase_order, reference),
            contains(License.reference_project, reference),
            contains(License.reference_client, reference),
        )
    )


def searching(query: Select[License], viewer_id: UUID, text: str) -> Select[License]:
    """Licenses whose photo's title or keywords, or the other party's name, username or company, contain ``text``."""
    other = aliased(User)
    other_id = case((License.brand_id == viewer_id, License.photographer_id), else_=License.brand_id)
    matched_photo = select(Photo.id).where(
        Photo.id == License.photo_id, or_(contains(Photo.title, text), contains(cast(Photo.keywords, String), text))
    )
    full_name = other.first_name + " " + other.last_name
    matched_party = select(other.id).where(
        other.id == other_id,
        or_(contains(full_name, text), contains(other.username, text), contains(other.company_name, text)),
    )
    return query.where(or_(matched_photo.exists(), matched_party.exists()))


def photo_title() -> ColumnElement[str]:
    """The license's photo title for sorting: '' once the photo is deleted (so nulls sort first ascending)."""
    title = select(Photo.title).where(Photo.id == License.photo_id).scalar_subquery()
    return func.coalesce(title, "").label("photo_title")


def contracts_of(user_id: UUID) -> Select[Contract]:
    return (
        select(Contract)
        .join(License, License.id == Contract.license_id)
        .where(or_(License.brand_id == user_id, License.photographer_id == user_id))
    )


def terms_of(row: License) -> Terms:
    return Terms(
        usage=row.usage,
        media=frozenset(Medium(medium) for medium in row.media),
        territories=frozenset(row.territories),
        duration_days=row.duration_days,
        exclusivity=row.exclusivity,
        price=Money(row.price_amount, row.price_currency),
        custom_terms=row.custom_terms or "",
    )


def references_of(row: License) -> BuyerReferences:
    return BuyerReferences(row.reference_purchase_order, row.reference_project, row.reference_client)


def set_references(row: License, references: BuyerReferences) -> None:
    row.reference_purchase_order, row.reference_project = references.purchase_order, references.project
    row.reference_client = references.client


def set_terms(row: License, terms: Terms) -> None:
    row.usage, row.exclusivity, row.duration_days = terms.usage, terms.exclusivity, terms.duration_days
    row.custom_terms = terms.custom_terms
    row.media = sorted(medium.value for medium in terms.media)
    row.territories = sorted(terms.territories)
    row.price_amount, row.price_currency = terms.price.amount, terms.price.currency


async def hold_photo(session: AsyncSession, photo_id: UUID) -> bool:
    """Serialises what agrees a deal on the photo (or removes it) until this transaction ends; False once deleted.

    Exclusivity spans rows: the licences on a photo. Checking it by reading them, then writing one, lets two
    acceptances each see the other's licence still open (write skew). Everything that moves a licence into AGREED,
    or deletes the photo, holds the photo row first, then reads.
    """
    return await take_write_lock(session, Photo, Photo.id == photo_id) > 0


async def hold_photo_of_license(session: AsyncSession, license_id: UUID) -> bool:
    """``hold_photo`` for the photo of a licence, in the same single statement (it must come first)."""
    photo_of_license = select(License.photo_id).where(License.id == license_id).scalar_subquery()
    return await take_write_lock(session, Photo, Photo.id == photo_of_license) > 0


async def running_licenses(
    session: AsyncSession, photo_id: UUID, *, exclude: UUID | None = None
) -> list[RunningLicense]:
    """The photo's agreed deals, other than ``exclude``, as the exclusivity rule sees them."""
    query = select(License).where(License.photo_id == photo_id, License.status.in_(AGREED))
    if exclude is not None:
        query = query.where(License.id != exclude)
    return [RunningLicense(terms_of(row), row.ends_at) for row in await session.scalars(query)]


async def has_active_license(session: AsyncSession, photo_id: UUID, now: datetime) -> bool:
    """Whether a deal on the photo is agreed or in force: the photo must then stay."""
    query = select(License.id).where(
        License.photo_id == photo_id,
        License.status.in_(AGREED),
        or_(License.ends_at.is_(None), License.ends_at > now),
    )
    return (await session.scalar(query.limit(1))) is not None


async def stale_offers(session: AsyncSession, now: datetime, limit: int) -> list[UUID]:
    rows = await session.scalars(
        select(License.id)
        .where(License.status.in_(OPEN), License.expires_at <= now)
        .order_by(License.expires_at)
        .limit(limit)
    )
    return list(rows)


async def revisions_of_licenses(session: AsyncSession, license_ids: Sequence[UUID]) -> list[list[LicenseRevision]]:
    """Each license's revisions, oldest first, in one statement."""
    rows = await session.scalars(
        select(LicenseRevision)
        .where(LicenseRevision.license_id.in_(license_ids))
        .order_by(LicenseRevision.created_at, LicenseRevision.id)
    )
    return grouped(((row.license_id, row) for row in rows), license_ids)


async def contracts_of_licenses(session: AsyncSession, license_ids: Sequence[UUID]) -> list[Contract | None]:
    rows = await session.scalars(select(Contract).where(Contract.license_id.in_(license_ids)))
    by_license = {row.license_id: row for row in rows}
    return [by_license.get(license_id) for license_id in license_ids]


async def open_offers_on(session: AsyncSession, photo_id: UUID) -> list[License]:
    query = select(License).where(License.photo_id == photo_id, License.status.in_(OPEN)).with_for_update()
    return list(await session.scalars(query))
