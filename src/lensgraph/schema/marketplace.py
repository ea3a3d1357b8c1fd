"""The verified-photo marketplace: listings, their tiers, purchases, downloads, and the seller's sales figures."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import strawberry
from strawberry import Info

from lensgraph.domain import marketplace as rules
from lensgraph.domain.money import Money as DomainMoney
from lensgraph.domain.pagination import page_request
from lensgraph.persistence.loaders import referenced
from lensgraph.persistence.models import Listing as ListingRow
from lensgraph.persistence.models import Purchase as PurchaseRow
from lensgraph.resolvers import marketplace, purchases, verification
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.marketplace import ListingChanges, ListingQuery
from lensgraph.schema.accounts import User
from lensgraph.schema.analytics import From, To
from lensgraph.schema.core import (
    Connection,
    Currency,
    Money,
    Node,
    UserError,
    expect_global_id,
    node_type,
    returns_user_errors,
    to_global_id,
)
from lensgraph.schema.verification import Verification

LicenseTier = strawberry.enum(
    rules.LicenseTier,
    description="PERSONAL: private use. COMMERCIAL: marketing and advertising. EDITORIAL: news and publications. "
    "EXTENDED: unlimited commercial use, merchandise included. Each listing words its own terms per tier.",
)
PurchaseStatus = strawberry.enum(
    rules.PurchaseStatus,
    description="PENDING until the checkout is paid; COMPLETED once paid (downloads open for the download window); "
    "FAILED when the checkout closed unpaid; REFUNDED once the payment is refunded in full (downloads end).",
)
ListingOrder = strawberry.enum(rules.ListingOrder, description="How marketplaceListings are ordered.")


@strawberry.type(description="One license tier a listing offers: its price and license terms.")
class ListingTierOffer:
    tier: LicenseTier  # type: ignore[valid-type]
    price: Money
    terms: str


@strawberry.type(description="A listing's sales on one UTC day.")
class DailySales:
    date: date
    count: int
    revenue: Money


@strawberry.type(description="A listing's completed sales in a window of whole UTC days.")
class SalesAnalytics:
    total_sales: int
    total_revenue: Money
    daily_sales: list[DailySales] = strawberry.field(description="Every day of the window, oldest first, zeros too.")

    @classmethod
    def from_domain(cls, figures: rules.SalesFigures) -> SalesAnalytics:
        currency = figures.total_revenue.currency
        return cls(
            total_sales=figures.total_sales,
            total_revenue=Money.from_domain(figures.total_revenue),
            daily_sales=[
                DailySales(date=day.day, count=day.count, revenue=Money.from_domain(DomainMoney(day.revenue, currency)))
                for day in figures.daily
            ],
        )


@node_type
@strawberry.type(
    description="A verified photo on sale under one or more license tiers. Public while on sale; a deactivated "
    "listing is seen by its seller only."
)
class Listing(Node):
    _row: strawberry.Private[ListingRow]
    title: str
    description: str
    currency: Currency  # type: ignore[valid-type]
    is_active: bool
    lowest_price: Money = strawberry.field(description="The cheapest tier's price.")
    total_sales: int
    total_revenue: Money
    version: int = strawberry.field(description="Changes with every update: send it back to update safely.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: ListingRow) -> Listing:
        return cls(
            _row=row,
            id=to_global_id("Listing", row.id),
            title=row.title,
            description=row.description,
            currency=row.currency,
            is_active=row.active,
            lowest_price=Money.from_domain(DomainMoney(row.lowest_price, row.currency)),
            total_sales=row.total_sales,
            total_revenue=Money.from_domain(DomainMoney(row.total_revenue, row.currency)),
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Listing | None:
        row = await info.context.loaders.listing.load(key)
        return cls.from_row(row) if row and marketplace.can_see_listing(info.context, row) else None

    @strawberry.field(description="The tiers offered, PERSONAL to EXTENDED.")
    async def tiers(self, info: Info[Context, None]) -> list[ListingTierOffer]:
        offers = await info.context.loaders.listing_tiers.load(self._row.id)
        currency = self._row.currency
        return [
            ListingTierOffer(
                tier=offer.tier, price=Money.from_domain(DomainMoney(offer.price or 0, currency)), terms=offer.terms
            )
            for offer in offers
        ]

    @strawberry.field
    async def seller(self, info: Info[Context, None]) -> User:
        return User.from_row(await referenced(info.context.loaders.user, self._row.seller_id))

    @strawberry.field(
        description="The short code of the verification that proved the photo authentic: it names the report, "
        "and is written into every licensed copy."
    )
    async def verification_code(self, info: Info[Context, None]) -> str:
        return (await referenced(info.context.loaders.verification, self._row.verification_id)).short_code

    @strawberry.field(
        description="The full verification report, for whoever may see it (the seller; others it is shared with)."
    )
    async def verification(self, info: Info[Context, None]) -> Verification | None:
        row = await verification.get_verification(info.context, self._row.verification_id)
        return Verification.from_row(row) if row else None

    @strawberry.field(description="Sales per day in a window; null for anyone but the seller.")
    async def sales_analytics(self, info: Info[Context, None], from_: From, to: To) -> SalesAnalytics | None:
        figures = await marketplace.sales_figures(info.context, self._row, from_, to)
        return SalesAnalytics.from_domain(figures) if figures else None


@node_type
@strawberry.type(description="A license bought on the marketplace. Seen by its buyer and its seller.")
class Purchase(Node):
    _row: strawberry.Private[PurchaseRow]
    tier: LicenseTier  # type: ignore[valid-type]
    price: Money
    terms: str = strawberry.field(description="The tier's license terms when it was bought.")
    status: PurchaseStatus  # type: ignore[valid-type]
    paid_at: datetime | None
    download_expires_at: datetime | None = strawberry.field(
        description="Until when purchaseDownload answers, once paid."
    )
    created_at: datetime

    @classmethod
    def from_row(cls, row: PurchaseRow) -> Purchase:
        return cls(
            _row=row,
            id=to_global_id("Purchase", row.id),
            tier=row.tier,
            price=Money.from_domain(DomainMoney(row.amount, row.currency)),
            terms=row.terms,
            status=row.status,
            paid_at=row.paid_at,
            download_expires_at=row.download_expires_at,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Purchase | None:
        row = await info.context.loaders.purchase.load(key)
        return cls.from_row(row) if row and purchases.can_see_purchase(info.context, row) else None

    @strawberry.field(description="What was bought, on sale or not any more.")
    async def listing(self, info: Info[Context, None]) -> Listing:
        return Listing.from_row(await referenced(info.context.loaders.listing, self._row.listing_id))

    @strawberry.field
    async def buyer(self, info: Info[Context, None]) -> User:
        return User.from_row(await referenced(info.context.loaders.user, self._row.buyer_id))


# Inputs and payloads -------------------------------------------------------------------------


@strawberry.input(description="One tier to offer: its price and license terms.")
class ListingTierInput:
    tier: LicenseTier  # type: ignore[valid-type]
    price: int | None = strawberry.field(
        default=None, description="In minor units of the listing's currency (cents; whole yen), above zero."
    )
    terms: str = strawberry.field(default="", description="The license terms of this tier, in words.")


def _offers(tiers: list[ListingTierInput]) -> list[rules.TierOffer]:
    return [rules.TierOffer(item.tier, item.price, item.terms) for item in tiers]


CURRENCY_HELP = "An ISO 4217 code, one of the 28 the marketplace settles in (see the Currency enum): USD, EUR, ..."


@strawberry.input
class CreateListingInput:
    verification_id: strawberry.ID = strawberry.field(description="Your COMPLETED, authentic verification.")
    title: str
    currency: str = strawberry.field(description=CURRENCY_HELP)
    tiers: list[ListingTierInput] = strawberry.field(description="At least one tier, each priced.")
    description: str = ""


@strawberry.input
class UpdateListingInput:
    listing_id: strawberry.ID
    title: str
    currency: str = strawberry.field(description=CURRENCY_HELP)
    tiers: list[ListingTierInput] = strawberry.field(description="Replaces every tier offered.")
    description: str = ""
    version: int | None = strawberry.field(
        default=None, description="The version you loaded: CONFLICT if the listing changed since."
    )


@strawberry.input
class DeactivateListingInput:
    listing_id: strawberry.ID
    version: int | None = None


@strawberry.type
class ListingPayload:
    listing: Listing | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateListingPayload(ListingPayload):
    pass


@strawberry.type
class UpdateListingPayload(ListingPayload):
    pass


@strawberry.type
class DeactivateListingPayload(ListingPayload):
    pass


@strawberry.input
class PurchaseListingInput:
    listing_id: strawberry.ID
    tier: LicenseTier  # type: ignore[valid-type]
    success_url: str | None = strawberry.field(default=None, description="Where Stripe sends the buyer once paid.")
    cancel_url: str | None = strawberry.field(default=None, description="Where Stripe sends a buyer who gives up.")


@strawberry.type
class PurchaseListingPayload:
    purchase: Purchase | None = None
    checkout_url: str | None = strawberry.field(default=None, description="Send the buyer here to pay.")
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class PurchaseDownloadInput:
    purchase_id: strawberry.ID


@strawberry.type
class PurchaseDownloadPayload:
    url: str | None = strawberry.field(
        default=None,
        description="The original JPEG with the license in its XMP and IPTC metadata; valid for a few minutes.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="price range in minor units of the filter's currency, both ends included.")
class PriceRange:
    min: int | None = None
    max: int | None = None


@strawberry.input(description="Conditions a listing must all meet; leave a field out to not filter on it.")
class ListingFilter:
    currency: str | None = strawberry.field(default=None, description=CURRENCY_HELP)
    price_range: PriceRange | None = strawberry.field(
        default=None, description="Needs `currency`. With `tier`, that tier's price; without, any tier's."
    )
    tier: LicenseTier | None = strawberry.field(default=None, description="Listings offering this tier.")  # type: ignore[valid-type]
    search: str | None = strawberry.field(default=None, description="Every word in the title or description.")

    def to_query(self) -> ListingQuery:
        price = self.price_range or PriceRange()
        return ListingQuery(self.currency, self.tier, price.min, price.max, self.search)


def _changes(given: CreateListingInput | UpdateListingInput) -> ListingChanges:
    return ListingChanges(given.title, given.description, given.currency, _offers(given.tiers))


# Root fields ---------------------------------------------------------------------------------


@strawberry.type
class MarketplaceQueries:
    @strawberry.field(description="Listings on sale, filtered and ordered. No sign-in needed.")
    async def marketplace_listings(
        self,
        info: Info[Context, None],
        filter: ListingFilter | None = None,
        order_by: ListingOrder = rules.ListingOrder.NEWEST,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Listing]:
        given = filter.to_query() if filter else ListingQuery()
        page = await marketplace.browse_listings(
            info.context, given, order_by, page_request(first, after, last, before)
        )
        return Connection[Listing].from_page(page, Listing.from_row)

    @strawberry.field(description="A listing by ID: on sale, or your own.")
    async def listing(self, info: Info[Context, None], id: strawberry.ID) -> Listing | None:
        return await Listing.resolve_node(info, expect_global_id(id, "Listing"))


@strawberry.type
class ViewerMarketplace:
    """Fields of ``Viewer`` about the marketplace."""

    @strawberry.field(description="Your listings, on sale or not, newest first.")
    async def listings(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Listing]:
        page = await marketplace.list_listings(info.context, page_request(first, after, last, before))
        return Connection[Listing].from_page(page, Listing.from_row)

    @strawberry.field(description="Completed purchases of your listings by others, newest first.")
    async def sales(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Purchase]:
        page = await purchases.list_sales(info.context, page_request(first, after, last, before))
        return Connection[Purchase].from_page(page, Purchase.from_row)

    @strawberry.field(description="Licenses you bought on the marketplace (paid or not), newest first.")
    async def purchases(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Purchase]:
        page = await purchases.list_purchases(info.context, page_request(first, after, last, before))
        return Connection[Purchase].from_page(page, Purchase.from_row)


@strawberry.type
class MarketplaceMutations:
    @strawberry.mutation(description="Put one of your COMPLETED, authentic verifications on sale.")
    @returns_user_errors(CreateListingPayload)
    async def create_listing(self, info: Info[Context, None], input: CreateListingInput) -> CreateListingPayload:
        verification_id = expect_global_id(input.verification_id, "Verification", "verificationId")
        row = await marketplace.create_listing(info.context, verification_id, _changes(input))
        return CreateListingPayload(listing=Listing.from_row(row))

    @strawberry.mutation(description="Change a listing of yours that is on sale; past purchases keep their terms.")
    @returns_user_errors(UpdateListingPayload)
    async def update_listing(self, info: Info[Context, None], input: UpdateListingInput) -> UpdateListingPayload:
        listing_id = expect_global_id(input.listing_id, "Listing", "listingId")
        row = await marketplace.update_listing(info.context, listing_id, input.version, _changes(input))
        return UpdateListingPayload(listing=Listing.from_row(row))

    @strawberry.mutation(description="Take a listing of yours off sale, for good; buyers keep their downloads.")
    @returns_user_errors(DeactivateListingPayload)
    async def deactivate_listing(
        self, info: Info[Context, None], input: DeactivateListingInput
    ) -> DeactivateListingPayload:
        listing_id = expect_global_id(input.listing_id, "Listing", "listingId")
        row = await marketplace.deactivate_listing(info.context, listing_id, input.version)
        return DeactivateListingPayload(listing=Listing.from_row(row))

    @strawberry.mutation(
        description="Buy one tier of a listing: opens its Stripe checkout (your own still open one is answered again)."
    )
    @returns_user_errors(PurchaseListingPayload)
    async def purchase_listing(self, info: Info[Context, None], input: PurchaseListingInput) -> PurchaseListingPayload:
        listing_id = expect_global_id(input.listing_id, "Listing", "listingId")
        bought = await purchases.purchase_listing(
            info.context, listing_id, input.tier, input.success_url, input.cancel_url
        )
        return PurchaseListingPayload(purchase=Purchase.from_row(bought.purchase), checkout_url=bought.checkout.url)

    @strawberry.mutation(
        description="As the buyer of a paid purchase, within its download window: a short-lived URL of the original "
        "with the license written into it. PAYMENT_PENDING before payment, DOWNLOAD_EXPIRED after the window."
    )
    @returns_user_errors(PurchaseDownloadPayload)
    async def purchase_download(
        self, info: Info[Context, None], input: PurchaseDownloadInput
    ) -> PurchaseDownloadPayload:
        purchase_id = expect_global_id(input.purchase_id, "Purchase", "purchaseId")
        return PurchaseDownloadPayload(url=await purchases.download_url(info.context, purchase_id))
