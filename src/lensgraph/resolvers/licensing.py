"""License negotiation and contracts: offer, counter, accept, decline, cancel, sign, expire."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from lensgraph.domain import license_references as references_rules
from lensgraph.domain import licensing as rules
from lensgraph.domain import photos as photo_rules
from lensgraph.domain.accounts import Role
from lensgraph.domain.errors import DomainError, ErrorCode, forbidden
from lensgraph.domain.events import (
    ContractSigned,
    LicenseAccepted,
    LicenseCancelled,
    LicenseCountered,
    LicenseCreated,
    LicenseDeclined,
    LicenseExpired,
    PaymentCompleted,
    PaymentRefunded,
)
from lensgraph.domain.license_references import BuyerReferences
from lensgraph.domain.licensing import (
    ContractStatus,
    LicenseRef,
    LicenseSortField,
    LicenseStatus,
    Negotiation,
    Party,
    Signatory,
    Terms,
)
from lensgraph.domain.pagination import PageRequest, SortDirection, check_search
from lensgraph.domain.photos import Visibility
from lensgraph.domain.policies import license_party
from lensgraph.jobs.relay import event_channel
from lensgraph.persistence import licensing as queries
from lensgraph.persistence import releases
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import UnitOfWork
from lensgraph.persistence.models import Contract, License, LicenseRevision, Photo, User
from lensgraph.persistence.pagination import Page, SortKey, paginate
from lensgraph.resolvers import live
from lensgraph.resolvers.context import Context

CONTRACT_MEDIA_TYPE = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Answer:
    """A license after a move, with the contract acceptance created (if it did)."""

    license: License
    contract: Contract | None = None


def _negotiation(row: License) -> Negotiation:
    return Negotiation(row.status, row.expires_at)


def _ref(row: License) -> LicenseRef:
    return LicenseRef(row.id, row.photo_id, row.brand_id, row.photographer_id)


def _signatory(user: User) -> Signatory:
    return Signatory(user.id, user.first_name, user.last_name, user.username, user.company_name)


async def _party_license(ctx: Context, uow: UnitOfWork, license_id: UUID) -> tuple[License, Party]:
    """The license, locked for this transaction, and the caller's side of it; NOT_FOUND for outsiders."""
    viewer = ctx.require_viewer()
    row = await uow.session.get(License, license_id, with_for_update=True)
    party = license_party(viewer, row.brand_id, row.photographer_id) if row else None
    if row is None or party is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such license.", ["licenseId"])
    return row, party


async def _check_photo_licensable(uow: UnitOfWork, photo: Photo, terms: Terms, *, exclude: UUID | None) -> None:
    photo_rules.check_licensable_status(photo.status)
    [model_releases] = await releases.model_release_counts(uow.session, [photo.id])
    rules.check_release(terms.usage, photo_rules.needs_model_release(photo.face_count, model_releases))
    running = await queries.running_licenses(uow.session, photo.id, exclude=exclude)
    conflict = rules.exclusivity_conflict(terms, running, utcnow())
    if conflict:
        raise DomainError(ErrorCode.CONFLICT, conflict, ["terms", "exclusivity"])


def _revision(row: License, author_id: UUID, party: Party, terms: Terms, message: str) -> LicenseRevision:
    return LicenseRevision(
        license_id=row.id, author_id=author_id, party=party, terms=rules.terms_snapshot(terms), message=message
    )


async def create_offer(
    ctx: Context,
    photo_id: UUID,
    terms: Terms,
    message: str | None,
    validity: timedelta | None,
    references: BuyerReferences | None = None,
) -> License:
    viewer = ctx.require_viewer()
    if viewer.role is not Role.BRAND:
        raise forbidden("Only brands make license offers.")
    terms, message = rules.check_terms(terms), rules.check_message(message)
    references = references_rules.check_references(references or BuyerReferences())
    negotiation = rules.open_negotiation(utcnow(), validity)
    async with ctx.db.unit_of_work() as uow:
        photo = await uow.session.get(Photo, photo_id)
        if photo is None or (photo.visibility is Visibility.PRIVATE and photo.user_id != viewer.user_id):
            raise DomainError(ErrorCode.NOT_FOUND, "No such photo.", ["photoId"])
        if photo.user_id == viewer.user_id:
            raise DomainError(ErrorCode.INVALID_INPUT, "You cannot license your own photo.", ["photoId"])
        await _check_photo_licensable(uow, photo, terms, exclude=None)
        row = License(
            photo_id=photo.id,
            brand_id=viewer.user_id,
            photographer_id=photo.user_id,
            status=negotiation.status,
            expires_at=negotiation.expires_at,
        )
        queries.set_terms(row, terms)
        queries.set_references(row, references)
        uow.session.add(row)
        await uow.session.flush()
        uow.session.add(_revision(row, viewer.user_id, Party.BRAND, terms, message))
        uow.emit(*rules.offer_made(_ref(row), negotiation))
    return row


async def counter_offer(
    ctx: Context,
    license_id: UUID,
    terms: Terms,
    message: str | None,
    validity: timedelta | None,
    references: BuyerReferences | None = None,
) -> License:
    """``references`` (the brand's only; None keeps them) replace the license's with the counter-offer."""
    terms, message = rules.check_terms(terms), rules.check_message(message)
    references = references_rules.check_references(references) if references is not None else None
    async with ctx.db.unit_of_work() as uow:
        row, party = await _party_license(ctx, uow, license_id)
        if references is not None and party is not Party.BRAND:
            raise DomainError(
                ErrorCode.INVALID_INPUT, "Only the brand gives its references for a license.", ["references"]
            )
        outcome = rules.counter_offer(
            _ref(row), _negotiation(row), party, terms.price, row.price_currency, utcnow(), validity
        )
        photo = await uow.session.get(Photo, row.photo_id) if row.photo_id else None
        if photo is None:
            raise DomainError(ErrorCode.INVALID_TRANSITION, "The photo of this offer was deleted.", ["licenseId"])
        await _check_photo_licensable(uow, photo, terms, exclude=row.id)
        row.status, row.expires_at = outcome.negotiation.status, outcome.negotiation.expires_at
        queries.set_terms(row, terms)
        if references is not None:
            queries.set_references(row, references)
        uow.session.add(_revision(row, ctx.require_viewer().user_id, party, terms, message))
        uow.emit(*outcome.events)
    return row


async def accept_offer(ctx: Context, license_id: UUID) -> Answer:
    """Agrees to the current terms: the license is ACCEPTED and its contract awaits both signatures."""
    async with ctx.db.unit_of_work() as uow:
        # The photo first: two acceptances on one photo at once are taken in turn, the second seeing the first's
        # licence when it checks exclusivity below (locking only this licence would let both through).
        await queries.hold_photo_of_license(uow.session, license_id)
        row, party = await _party_license(ctx, uow, license_id)
        now = utcnow()
        outcome = rules.accept_offer(_ref(row), _negotiation(row), party, now)
        photo = await uow.session.get(Photo, row.photo_id) if row.photo_id else None
        if photo is None:
            raise DomainError(ErrorCode.INVALID_TRANSITION, "The photo of this offer was deleted.", ["licenseId"])
        terms = queries.terms_of(row)
        # Something may have changed since the offer: a release withdrawn, another exclusive agreed.
        await _check_photo_licensable(uow, photo, terms, exclude=row.id)
        row.status = outcome.negotiation.status
        brand = await uow.session.get(User, row.brand_id)
        photographer = await uow.session.get(User, row.photographer_id)
        assert brand is not None and photographer is not None  # both cascade with the license
        draft = rules.draft_contract(
            row.id,
            now,
            photo.id,
            photo.title,
            _signatory(brand),
            _signatory(photographer),
            terms,
            queries.references_of(row),
        )
        contract = Contract(
            license_id=row.id,
            snapshot=draft.snapshot,
            content_hash=draft.content_hash,
            status=ContractStatus.AWAITING_SIGNATURES,
            document_key=f"contracts/{row.id}/contract.txt",
        )
        assert contract.document_key is not None
        # Written before the commit: a failed write leaves no contract pointing at nothing.
        await ctx.services.storage.write(contract.document_key, draft.text.encode(), content_type=CONTRACT_MEDIA_TYPE)
        uow.session.add(contract)
        uow.emit(*outcome.events)
    return Answer(row, contract)


async def decline_offer(ctx: Context, license_id: UUID, message: str | None) -> License:
    message = rules.check_message(message)
    async with ctx.db.unit_of_work() as uow:
        row, party = await _party_license(ctx, uow, license_id)
        outcome = rules.decline_offer(_ref(row), _negotiation(row), party, utcnow())
        row.status = outcome.negotiation.status
        if message:
            uow.session.add(_revision(row, ctx.require_viewer().user_id, party, queries.terms_of(row), message))
        uow.emit(*outcome.events)
    return row


async def cancel_offer(ctx: Context, license_id: UUID) -> License:
    async with ctx.db.unit_of_work() as uow:
        row, party = await _party_license(ctx, uow, license_id)
        outcome = rules.cancel_offer(_ref(row), _negotiation(row), party)
        row.status = outcome.negotiation.status
        uow.emit(*outcome.events)
    return row


async def sign_contract(ctx: Context, contract_id: UUID, signature_name: str) -> Contract:
    viewer = ctx.require_viewer()
    async with ctx.db.unit_of_work() as uow:
        contract = await uow.session.get(Contract, contract_id, with_for_update=True)
        row = await uow.session.get(License, contract.license_id, with_for_update=True) if contract else None
        party = license_party(viewer, row.brand_id, row.photographer_id) if row else None
        if contract is None or row is None or party is None:
            raise DomainError(ErrorCode.NOT_FOUND, "No such contract.", ["contractId"])
        signatures = {Party.BRAND: contract.brand_signed_at, Party.PHOTOGRAPHER: contract.photographer_signed_at}
        signed = frozenset(side for side, signed_at in signatures.items() if signed_at is not None)
        signing = rules.sign_contract(_ref(row), contract.id, signed, party, signature_name)
        contract.status, name = signing.status, signing.name
        now = utcnow()
        if party is Party.BRAND:
            contract.brand_signature_name, contract.brand_signed_at, contract.brand_signed_ip = name, now, ctx.client_ip
        else:
            contract.photographer_signature_name = name
            contract.photographer_signed_at, contract.photographer_signed_ip = now, ctx.client_ip
        if signing.license_status is not None:
            row.status = signing.license_status
        uow.emit(*signing.events)
    return contract


async def list_licenses(
    ctx: Context,
    page: PageRequest,
    party: Party | None,
    statuses: list[LicenseStatus],
    *,
    search: str | None = None,
    reference: str | None = None,
    sort: tuple[LicenseSortField, SortDirection] = (LicenseSortField.CREATED_AT, SortDirection.DESC),
) -> Page[License]:
    """The viewer's licenses: by side and status, a ``search`` of the photo's title and keywords and the other
    party's name, a ``reference`` of the brand's, in ``sort`` order (keyset on the sort key and the id)."""
    viewer = ctx.require_viewer()
    text = check_search(search)
    wanted = references_rules.check_reference_filter(reference)
    query = queries.licenses_of(viewer.user_id, party, statuses)
    if text is not None:
        query = queries.searching(query, viewer.user_id, text)
    if wanted is not None:
        query = queries.with_reference(query, wanted)
    field, direction = sort
    keys: list[SortKey]
    if field is LicenseSortField.TITLE:
        keys = [queries.photo_title(), License.id]
    elif field is LicenseSortField.PRICE:
        keys = [License.price_amount, License.id]
    else:
        keys = [License.created_at, License.id]
    return await paginate(ctx.reads, query, keys, page, descending=direction is SortDirection.DESC)


async def list_contracts(ctx: Context, page: PageRequest) -> Page[Contract]:
    viewer = ctx.require_viewer()
    return await paginate(
        ctx.reads,
        queries.contracts_of(viewer.user_id),
        [Contract.created_at, Contract.id],
        page,
        descending=True,
    )


LICENSE_EVENTS = (
    LicenseCreated,
    LicenseCountered,
    LicenseAccepted,
    LicenseDeclined,
    LicenseCancelled,
    LicenseExpired,
    ContractSigned,
    # Payment puts the license in force (ACTIVE); a full refund ends it (REFUNDED).
    PaymentCompleted,
    PaymentRefunded,
)


async def updates(ctx: Context, license_id: UUID) -> AsyncIterator[License]:
    """The license as it is after each event about it; for its two parties only, checked on every event."""
    viewer = ctx.require_viewer()

    async def visible_license() -> License:
        async with ctx.db.session() as session:
            row = await session.get(License, license_id)
        if row is None or license_party(viewer, row.brand_id, row.photographer_id) is None:
            raise DomainError(ErrorCode.NOT_FOUND, "No such license.", ["id"])
        return row

    await visible_license()
    async for message in live.messages(ctx, viewer, *(event_channel(kind.type) for kind in LICENSE_EVENTS)):
        if message.get("data", {}).get("licenseId") == str(license_id):
            yield await visible_license()


async def withdraw_photo(uow: UnitOfWork, photo_id: UUID) -> None:
    """Before a photo is deleted: refused while a deal on it stands; its open offers are declined."""
    # Held as an acceptance holds it: a deal agreed at this very moment is seen here, or finds the photo gone.
    await queries.hold_photo(uow.session, photo_id)
    if await queries.has_active_license(uow.session, photo_id, utcnow()):
        raise DomainError(
            ErrorCode.CONFLICT, "This photo is licensed: it can be deleted once its licenses have ended.", ["id"]
        )
    for row in await queries.open_offers_on(uow.session, photo_id):
        outcome = rules.withdraw_offer(_ref(row), _negotiation(row))
        row.status = outcome.negotiation.status
        uow.emit(*outcome.events)
