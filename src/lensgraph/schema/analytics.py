"""Dashboards: the photographer's (views, licenses, earnings, top photos) and the brand's (offers, licenses in
force, spending), over a window of whole UTC days; and counting a photo's views."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry import Info

from lensgraph.domain import analytics as rules
from lensgraph.domain.payments import Split
from lensgraph.resolvers import analytics, matching
from lensgraph.resolvers.context import Context
from lensgraph.schema.core import Currency, Money, Node
from lensgraph.schema.licensing import LicenseStatus
from lensgraph.schema.matching import MatchStatus
from lensgraph.schema.photos import Photo

From = Annotated[date, strawberry.argument(name="from", description="The first day, in UTC.")]
To = Annotated[date, strawberry.argument(description="The last day, in UTC, included; at most 366 days in all.")]


def counted_view(info: Info[Context, None], node: Node | None) -> Node | None:
    """``node(id:)`` answering a photo is a read of that one photo: a view, unless it is the owner's."""
    if isinstance(node, Photo):
        analytics.record_view(info.context, node._row)
    return node


@strawberry.type(description="A count for one UTC day.")
class DayCount:
    day: date
    count: int

    @classmethod
    def from_domain(cls, item: rules.DayCount) -> DayCount:
        return cls(day=item.day, count=item.count)


@strawberry.type(description="How many licenses are in one status.")
class LicenseStatusCount:
    status: LicenseStatus  # type: ignore[valid-type]
    count: int

    @classmethod
    def from_domain(cls, item: rules.StatusCount) -> LicenseStatusCount:
        return cls(status=item.status, count=item.count)


@strawberry.type(description="How many of your matches are in one status.")
class MatchStatusCount:
    status: MatchStatus  # type: ignore[valid-type]
    count: int


@strawberry.type(description="Views of your photos by other people (you do not count), written within seconds.")
class DashboardViews:
    total: int
    daily: list[DayCount] = strawberry.field(description="Every day of the window, oldest first, zero included.")


@strawberry.type(description="Earnings recorded in the window, in one currency.")
class DashboardEarnings:
    currency: Currency  # type: ignore[valid-type]
    gross: Money = strawberry.field(description="What brands paid.")
    fee: Money = strawberry.field(description="What the platform kept.")
    net: Money = strawberry.field(description="What you earned.")

    @classmethod
    def from_domain(cls, item: Split) -> DashboardEarnings:
        return cls(
            currency=item.net.currency,
            gross=Money.from_domain(item.gross),
            fee=Money.from_domain(item.fee),
            net=Money.from_domain(item.net),
        )


@strawberry.type(description="One of your most viewed photos in the window.")
class TopPhoto:
    photo: Photo
    views: int = strawberry.field(description="Views in the window.")
    offers: int = strawberry.field(description="License offers on it made in the window, whatever became of them.")
    licenses: int = strawberry.field(description="Of those offers, the ones paid for.")


def _status_counts(items: list[rules.StatusCount]) -> list[LicenseStatusCount]:
    return [LicenseStatusCount.from_domain(item) for item in items]


@strawberry.type(
    description="Your photos' views, licenses and earnings over a window of days. Each figure is "
    "computed when asked for."
)
class PhotographerDashboard:
    _scope: strawberry.Private[analytics.Scope]
    from_: date = strawberry.field(name="from")
    to: date

    @strawberry.field
    async def views(self, info: Info[Context, None]) -> DashboardViews:
        totals = await analytics.views(info.context, self._scope)
        return DashboardViews(total=totals.total, daily=[DayCount.from_domain(item) for item in totals.daily])

    @strawberry.field(
        description="Licenses on your photos whose offer was made in the window, per status as it is now; every "
        "status is listed, zero included."
    )
    async def licenses_by_status(self, info: Info[Context, None]) -> list[LicenseStatusCount]:
        return _status_counts(await analytics.licenses_by_status(info.context, self._scope))

    @strawberry.field(description="Per currency earned in, alphabetical; none when nothing was earned.")
    async def earnings(self, info: Info[Context, None]) -> list[DashboardEarnings]:
        return [DashboardEarnings.from_domain(item) for item in await analytics.earnings(info.context, self._scope)]

    @strawberry.field(
        description="Your most viewed photos of the window, most viewed first; photos nobody viewed are not ranked."
    )
    async def top_photos(
        self,
        info: Info[Context, None],
        first: Annotated[int, strawberry.argument(description="1 to 20.")] = rules.DEFAULT_TOP_PHOTOS,
    ) -> list[TopPhoto]:
        ranked = await analytics.top_photos(info.context, self._scope, first)
        return [
            TopPhoto(photo=Photo.from_row(item.photo), views=item.views, offers=item.offers, licenses=item.licenses)
            for item in ranked
        ]


@strawberry.type(description="License offers made in the window.")
class DashboardOffers:
    total: int
    by_status: list[LicenseStatusCount] = strawberry.field(
        description="Per status as it is now; every status is listed, zero included."
    )
    daily: list[DayCount] = strawberry.field(description="Offers made per day, oldest first, zero included.")


@strawberry.type(
    description="Your offers, licenses and spending over a window of days. Each figure is computed when asked for."
)
class BrandDashboard:
    _scope: strawberry.Private[analytics.Scope]
    from_: date = strawberry.field(name="from")
    to: date

    @strawberry.field
    async def offers(self, info: Info[Context, None]) -> DashboardOffers:
        tally = await analytics.offers(info.context, self._scope)
        return DashboardOffers(
            total=tally.total,
            by_status=_status_counts(tally.by_status),
            daily=[DayCount.from_domain(item) for item in tally.daily],
        )

    @strawberry.field(description="Your licenses in force now (paid for and not ended), whatever the window.")
    async def active_licenses(self, info: Info[Context, None]) -> int:
        return await analytics.active_licenses(info.context, self._scope)

    @strawberry.field(
        description="Photos matched to your profile in the window, per status as it is now; every status is "
        "listed, zero included."
    )
    async def matches_by_status(self, info: Info[Context, None]) -> list[MatchStatusCount]:
        counts = await matching.matches_by_status(info.context, self._scope)
        return [MatchStatusCount(status=status, count=count) for status, count in counts]

    @strawberry.field(description="Payments that went through in the window, per currency, alphabetical.")
    async def spending(self, info: Info[Context, None]) -> list[Money]:
        return [Money.from_domain(amount) for amount in await analytics.spending(info.context, self._scope)]


@strawberry.type
class ViewerAnalytics:
    """Fields of ``Viewer`` about how the account is doing."""

    @strawberry.field(description="As a photographer or studio: your views, licenses, earnings and top photos.")
    def photographer_dashboard(self, info: Info[Context, None], from_: From, to: To) -> PhotographerDashboard | None:
        scope = analytics.photographer_scope(info.context, from_, to)
        return PhotographerDashboard(_scope=scope, from_=scope.window.first, to=scope.window.last)

    @strawberry.field(description="As a brand: your offers, licenses in force and spending.")
    def brand_dashboard(self, info: Info[Context, None], from_: From, to: To) -> BrandDashboard | None:
        scope = analytics.brand_scope(info.context, from_, to)
        return BrandDashboard(_scope=scope, from_=scope.window.first, to=scope.window.last)
