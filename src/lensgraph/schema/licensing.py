"""Licenses and contracts: the negotiation between a brand and a photographer, and what they sign."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime, timedelta
from operator import attrgetter
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import license_references as references_rules
from lensgraph.domain import licensing as rules
from lensgraph.domain.money import Money as DomainMoney
from lensgraph.domain.money import parse_currency
from lensgraph.domain.pagination import SortDirection as SortDirectionValue
from lensgraph.domain.pagination import page_request
from lensgraph.domain.policies import license_party
from lensgraph.persistence.licensing import references_of, terms_of
from lensgraph.persistence.loaders import referenced
from lensgraph.persistence.models import Contract as ContractRow
from lensgraph.persistence.models import License as LicenseRow
from lensgraph.persistence.models import LicenseRevision as RevisionRow
from lensgraph.resolvers import licensing, payments, photos
from lensgraph.resolvers.context import Context
from lensgraph.schema.accounts import User
from lensgraph.schema.core import (
    Connection,
    Money,
    MoneyInput,
    Node,
    SortDirection,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)
from lensgraph.schema.photos import LicenseUsage, Photo
from lensgraph.schema.subscriptions import until_credential_expires

LicenseMedium = strawberry.enum(rules.Medium, name="LicenseMedium")
LicenseExclusivity = strawberry.enum(rules.Exclusivity, name="LicenseExclusivity")
LicenseStatus = strawberry.enum(
    rules.LicenseStatus,
    name="LicenseStatus",
    description="Where a license stands. ACTIVE: paid for, in force until endsAt. REFUNDED: its payment was refunded "
    "in full, so it is no longer in force.",
)
LicenseParty = strawberry.enum(rules.Party, name="LicenseParty")
ContractStatus = strawberry.enum(rules.ContractStatus, name="ContractStatus")
CONTRACT_URL_LIFETIME = timedelta(hours=1)
ORIGINAL_URL_LIFETIME = timedelta(hours=1)


@strawberry.type(description="What a license allows, for how long, where, and for what fee.")
class LicenseTerms:
    usage: LicenseUsage  # type: ignore[valid-type]
    media: list[LicenseMedium]  # type: ignore[valid-type]
    territories: list[str] = strawberry.field(description="ISO 3166 country codes; empty when worldwide.")
    worldwide: bool
    duration_days: int | None = strawberry.field(description="From payment; null for a perpetual license.")
    exclusivity: LicenseExclusivity  # type: ignore[valid-type]
    price: Money
    custom_terms: str = strawberry.field(
        description="The parties' own wording beside the structured terms; empty when none was given."
    )

    @classmethod
    def from_domain(cls, terms: rules.Terms) -> LicenseTerms:
        return cls(
            usage=terms.usage,
            media=sorted(terms.media, key=attrgetter("value")),
            territories=sorted(terms.territories),
            worldwide=terms.worldwide,
            duration_days=terms.duration_days,
            exclusivity=terms.exclusivity,
            price=Money.from_domain(terms.price),
            custom_terms=terms.custom_terms,
        )


@strawberry.type(description="The brand's own references for a license, as its contract, receipts and file carry them.")
class LicenseReferences:
    purchase_order: str | None
    project: str | None
    client: str | None

    @classmethod
    def from_domain(cls, references: references_rules.BuyerReferences) -> LicenseReferences:
        return cls(purchase_order=references.purchase_order, project=references.project, client=references.client)


@strawberry.type(description="One offer or counter-offer, as it was made.")
class LicenseRevision:
    _row: strawberry.Private[RevisionRow]
    id: strawberry.ID
    party: LicenseParty  # type: ignore[valid-type]
    terms: LicenseTerms
    message: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: RevisionRow) -> LicenseRevision:
        return cls(
            _row=row,
            id=to_global_id("LicenseRevision", row.id),
            party=row.party,
            terms=LicenseTerms.from_domain(rules.terms_from_snapshot(row.terms)),
            message=row.message,
            created_at=row.created_at,
        )

    @strawberry.field
    async def author(self, info: Info[Context, None]) -> User:
        return User.from_row(await referenced(info.context.loaders.user, self._row.author_id))


def _viewer_party(info: Info[Context, None], row: LicenseRow) -> rules.Party | None:
    return license_party(info.context.viewer, row.brand_id, row.photographer_id)


@node_type
@strawberry.type(description="A brand's license on a photo: under negotiation, agreed, paid, or ended.")
class License(Node):
    _row: strawberry.Private[LicenseRow]
    status: LicenseStatus  # type: ignore[valid-type]
    awaiting: LicenseParty | None = strawberry.field(  # type: ignore[valid-type]
        description="Whose answer the open offer waits for; null once the negotiation is over."
    )
    expires_at: datetime = strawberry.field(description="Until when the open offer stands.")
    terms: LicenseTerms = strawberry.field(description="The terms on the table, or agreed.")
    references: LicenseReferences = strawberry.field(
        description="The brand's purchase order, project and client references."
    )
    starts_at: datetime | None
    ends_at: datetime | None
    photo_taken_down_at: datetime | None = strawberry.field(
        description="When the photo was taken down after a duplicate claim while this license ran; null otherwise."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: LicenseRow) -> License:
        return cls(
            _row=row,
            id=to_global_id("License", row.id),
            status=row.status,
            awaiting=rules.Negotiation(row.status, row.expires_at).awaiting,
            expires_at=row.expires_at,
            terms=LicenseTerms.from_domain(terms_of(row)),
            references=LicenseReferences.from_domain(references_of(row)),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            photo_taken_down_at=row.photo_taken_down_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> License | None:
        row = await info.context.loaders.license.load(key)
        return cls.from_row(row) if row and _viewer_party(info, row) else None

    @strawberry.field(description="Your side of this negotiation.")
    def viewer_party(self, info: Info[Context, None]) -> LicenseParty | None:  # type: ignore[valid-type]
        return _viewer_party(info, self._row)

    @strawberry.field(description="Null once the photographer deleted the photo.")
    async def photo(self, info: Info[Context, None]) -> Photo | None:
        row = await info.context.loaders.photo.load(self._row.photo_id) if self._row.photo_id else None
        return Photo.from_row(row) if row else None

    @strawberry.field
    async def brand(self, info: Info[Context, None]) -> User:
        return User.from_row(await referenced(info.context.loaders.user, self._row.brand_id))

    @strawberry.field
    async def photographer(self, info: Info[Context, None]) -> User:
        return User.from_row(await referenced(info.context.loaders.user, self._row.photographer_id))

    @strawberry.field(description="Every offer and counter-offer, oldest first.")
    async def revisions(self, info: Info[Context, None]) -> list[LicenseRevision]:
        rows = await info.context.loaders.revisions_by_license.load(self._row.id)
        return [LicenseRevision.from_row(row) for row in rows]

    @strawberry.field(description="The contract, once the offer was accepted.")
    async def contract(self, info: Info[Context, None]) -> Contract | None:
        row = await info.context.loaders.contract_by_license.load(self._row.id)
        return Contract.from_row(row) if row else None

    @strawberry.field(
        description="The photo's original, a signed URL valid for an hour: the brand's, once paid. Checked against "
        "the hash recorded at upload: a stored file that changed since is withheld (error FILE_INTEGRITY_FAILED)."
    )
    async def original_download_url(self, info: Info[Context, None]) -> str | None:
        key = await payments.licensed_original_key(info.context, self._row)
        photo = await info.context.loaders.photo.load(self._row.photo_id) if key and self._row.photo_id else None
        if photo is None:
            return None
        return await photos.original_url(info.context, photo, expires_in=ORIGINAL_URL_LIFETIME)

    @strawberry.field(
        description="The delivered file: for a JPEG original, the brand's copy with this license written into its "
        "XMP and IPTC metadata (licensee, licensor, terms, and the purchase order, project and client references), "
        "pixels untouched; a signed URL valid for an hour, once paid. Null for other formats (use "
        "originalDownloadUrl)."
    )
    async def licensed_file_url(self, info: Info[Context, None]) -> str | None:
        return await payments.licensed_file_url(info.context, self._row, expires_in=ORIGINAL_URL_LIFETIME)


@strawberry.type
class Signature:
    name: str
    signed_at: datetime


@node_type
@strawberry.type(description="The agreed terms, frozen at acceptance, and both parties' signatures.")
class Contract(Node):
    _row: strawberry.Private[ContractRow]
    status: ContractStatus  # type: ignore[valid-type]
    content_hash: str = strawberry.field(description="SHA-256 of the frozen terms; the document states it too.")
    terms: LicenseTerms
    brand_signature: Signature | None
    photographer_signature: Signature | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: ContractRow) -> Contract:
        return cls(
            _row=row,
            id=to_global_id("Contract", row.id),
            status=row.status,
            content_hash=row.content_hash,
            terms=LicenseTerms.from_domain(rules.terms_from_snapshot(row.snapshot["terms"])),
            brand_signature=_signature(row.brand_signature_name, row.brand_signed_at),
            photographer_signature=_signature(row.photographer_signature_name, row.photographer_signed_at),
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Contract | None:
        row = await info.context.loaders.contract.load(key)
        license_row = await info.context.loaders.license.load(row.license_id) if row else None
        return cls.from_row(row) if row and license_row and _viewer_party(info, license_row) else None

    @strawberry.field
    async def license(self, info: Info[Context, None]) -> License:
        return License.from_row(await referenced(info.context.loaders.license, self._row.license_id))

    @strawberry.field(description="The contract as text, a signed URL valid for an hour.")
    async def document_url(self, info: Info[Context, None]) -> str | None:
        if self._row.document_key is None:
            return None
        return await info.context.services.storage.presign_download(
            self._row.document_key,
            expires_in=CONTRACT_URL_LIFETIME,
            media_type=licensing.CONTRACT_MEDIA_TYPE,
            filename="contract.txt",
        )


def _signature(name: str | None, signed_at: datetime | None) -> Signature | None:
    return Signature(name=name, signed_at=signed_at) if name and signed_at else None


# Inputs and payloads -------------------------------------------------------------------------


@strawberry.input
class LicenseTermsInput:
    usage: LicenseUsage  # type: ignore[valid-type]
    media: list[LicenseMedium]  # type: ignore[valid-type]
    territories: list[str] = strawberry.field(default_factory=list, description="Empty for worldwide.")
    duration_days: int | None = strawberry.field(default=None, description="Null for perpetual.")
    exclusivity: LicenseExclusivity = rules.Exclusivity.NONE  # type: ignore[valid-type]
    price: MoneyInput
    custom_terms: str = strawberry.field(
        default="",
        description=f"Your own wording beside the structured terms, at most {rules.MAX_CUSTOM_TERMS} characters.",
    )

    def to_domain(self) -> rules.Terms:
        return rules.Terms(
            usage=self.usage,
            media=frozenset(self.media),
            territories=frozenset(self.territories),
            duration_days=self.duration_days,
            exclusivity=self.exclusivity,
            price=DomainMoney(self.price.amount, parse_currency(self.price.currency, "terms.price.currency")),
            custom_terms=self.custom_terms,
        )


@strawberry.input(description=f"The brand's references, each at most {references_rules.MAX_REFERENCE} characters.")
class LicenseReferencesInput:
    purchase_order: str | None = None
    project: str | None = None
    client: str | None = strawberry.field(default=None, description="The client the license is for.")

    def to_domain(self) -> references_rules.BuyerReferences:
        return references_rules.BuyerReferences(self.purchase_order, self.project, self.client)


def _references(given: LicenseReferencesInput | None) -> references_rules.BuyerReferences | None:
    return given.to_domain() if given is not None else None


LicenseSortField = strawberry.enum(
    rules.LicenseSortField,
    description="CREATED_AT: when the negotiation began. TITLE: the photo's title (a deleted photo's sorts as empty). "
    "PRICE: the price's amount in minor units, whatever its currency.",
)


@strawberry.input(description="How to order your licenses: a field and a direction.")
class LicenseSort:
    field: LicenseSortField  # type: ignore[valid-type]
    direction: SortDirection = SortDirectionValue.DESC  # type: ignore[valid-type]


@strawberry.input(description="Conditions a license must all meet.")
class LicenseFilter:
    reference: str | None = strawberry.field(
        default=None, description="Contained in its purchase order, project or client reference (any case)."
    )


def _validity(hours: int | None) -> timedelta | None:
    return None if hours is None else timedelta(hours=hours)


@strawberry.input
class CreateLicenseOfferInput:
    photo_id: strawberry.ID
    terms: LicenseTermsInput
    message: str | None = None
    valid_for_hours: int | None = strawberry.field(default=None, description="1 to 720; 168 (7 days) if omitted.")
    references: LicenseReferencesInput | None = None


@strawberry.input
class CounterLicenseOfferInput:
    license_id: strawberry.ID
    terms: LicenseTermsInput
    message: str | None = None
    valid_for_hours: int | None = None
    references: LicenseReferencesInput | None = strawberry.field(
        default=None, description="The brand's only: replaces the references; omitted, they stay."
    )


@strawberry.input
class LicenseAnswerInput:
    license_id: strawberry.ID
    message: str | None = None


@strawberry.input
class LicenseIdInput:
    license_id: strawberry.ID


@strawberry.input
class SignContractInput:
    contract_id: strawberry.ID
    signature_name: str = strawberry.field(description="Your full name, as your signature.")


@strawberry.type
class LicensePayload:
    license: License | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AcceptLicenseOfferPayload:
    license: License | None = None
    contract: Contract | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SignContractPayload:
    contract: Contract | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


# Root fields ---------------------------------------------------------------------------------


@strawberry.type
class ViewerLicensing:
    """Fields of ``Viewer`` about licenses and contracts."""

    @strawberry.field(
        description="Licenses you are a party to, newest first unless `sort` says otherwise; narrow by your side, "
        "status and the brand's references; `search` (at most 200 characters) finds words in the photo's title or "
        "keywords and the other party's name, username or company."
    )
    async def licenses(
        self,
        info: Info[Context, None],
        party: LicenseParty | None = None,  # type: ignore[valid-type]
        status: list[LicenseStatus] | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: LicenseFilter | None = None,
        search: str | None = None,
        sort: LicenseSort | None = None,
    ) -> Connection[License]:
        page = await licensing.list_licenses(
            info.context,
            page_request(first, after, last, before),
            party,
            list(status or []),
            search=search,
            reference=filter.reference if filter else None,
            sort=(sort.field, sort.direction) if sort else (rules.LicenseSortField.CREATED_AT, SortDirectionValue.DESC),
        )
        return Connection[License].from_page(page, License.from_row)

    @strawberry.field(description="Contracts you are a party to, newest first.")
    async def contracts(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Contract]:
        page = await licensing.list_contracts(info.context, page_request(first, after, last, before))
        return Connection[Contract].from_page(page, Contract.from_row)


@strawberry.type
class LicensingMutations:
    @strawberry.mutation(description="As a brand: offer to license a photo. The photographer answers.")
    @returns_user_errors(LicensePayload)
    async def create_license_offer(self, info: Info[Context, None], input: CreateLicenseOfferInput) -> LicensePayload:
        row = await licensing.create_offer(
            info.context,
            expect_global_id(input.photo_id, "Photo", "photoId"),
            input.terms.to_domain(),
            input.message,
            _validity(input.valid_for_hours),
            _references(input.references),
        )
        return LicensePayload(license=License.from_row(row))

    @strawberry.mutation(description="Answer an offer with other terms; the other side answers next.")
    @returns_user_errors(LicensePayload)
    async def counter_license_offer(self, info: Info[Context, None], input: CounterLicenseOfferInput) -> LicensePayload:
        row = await licensing.counter_offer(
            info.context,
            expect_global_id(input.license_id, "License", "licenseId"),
            input.terms.to_domain(),
            input.message,
            _validity(input.valid_for_hours),
            _references(input.references),
        )
        return LicensePayload(license=License.from_row(row))

    @strawberry.mutation(description="Agree to the terms on the table; a contract is drawn up for both to sign.")
    @returns_user_errors(AcceptLicenseOfferPayload)
    async def accept_license_offer(self, info: Info[Context, None], input: LicenseIdInput) -> AcceptLicenseOfferPayload:
        answer = await licensing.accept_offer(info.context, expect_global_id(input.license_id, "License", "licenseId"))
        return AcceptLicenseOfferPayload(
            license=License.from_row(answer.license),
            contract=Contract.from_row(answer.contract) if answer.contract else None,
        )

    @strawberry.mutation(description="Turn the offer down; the negotiation ends.")
    @returns_user_errors(LicensePayload)
    async def decline_license_offer(self, info: Info[Context, None], input: LicenseAnswerInput) -> LicensePayload:
        row = await licensing.decline_offer(
            info.context, expect_global_id(input.license_id, "License", "licenseId"), input.message
        )
        return LicensePayload(license=License.from_row(row))

    @strawberry.mutation(description="As the brand: withdraw an offer before it is accepted.")
    @returns_user_errors(LicensePayload)
    async def cancel_license_offer(self, info: Info[Context, None], input: LicenseIdInput) -> LicensePayload:
        row = await licensing.cancel_offer(info.context, expect_global_id(input.license_id, "License", "licenseId"))
        return LicensePayload(license=License.from_row(row))

    @strawberry.mutation(description="Sign a contract you are a party to; signed by both, the license awaits payment.")
    @returns_user_errors(SignContractPayload)
    async def sign_contract(self, info: Info[Context, None], input: SignContractInput) -> SignContractPayload:
        row = await licensing.sign_contract(
            info.context, expect_global_id(input.contract_id, "Contract", "contractId"), input.signature_name
        )
        return SignContractPayload(contract=Contract.from_row(row))


@strawberry.type
class LicensingSubscriptions:
    @strawberry.subscription(
        description="A license you are a party to changed: each offer and answer, its contract signed by both, "
        "payment, refund and expiry."
    )
    async def license_updated(self, info: Info[Context, None], id: strawberry.ID) -> AsyncGenerator[License, None]:
        rows = licensing.updates(info.context, expect_global_id(id, "License"))
        async for row in until_credential_expires(info.context.request, rows):
            yield License.from_row(row)
