"""Storefront engagement with user-generated content: impressions, clicks and add-to-carts per content (media)
and product, counted per UTC day (never a row per hit), and the figures reported from them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID

from lensgraph.domain import global_ids
from lensgraph.domain.errors import DomainError, ErrorCode

# A beacon carries a storefront page's events at once; more is not a page's worth.
MAX_EVENTS_PER_BEACON = 50
MAX_BEACON_BYTES = 8 * 1024


class Engagement(Enum):
    IMPRESSION = "impression"
    CLICK = "click"
    ADD_TO_CART = "add_to_cart"


@dataclass(frozen=True)
class Hit:
    """One event from a storefront: on a content, and on the product shown with it when there is one."""

    engagement: Engagement
    content_id: UUID
    product_id: UUID | None


def _key(value: object, type_name: str, field: str) -> UUID:
    if not isinstance(value, str):
        raise DomainError(ErrorCode.INVALID_INPUT, f"{field} must be a {type_name} ID.", [field])
    try:
        found, key = global_ids.decode(value)
    except ValueError:
        found, key = "", None
    if found != type_name or key is None:
        raise DomainError(ErrorCode.INVALID_INPUT, f"{field} must be a {type_name} ID.", [field])
    return key


def hit(event: Mapping[str, Any]) -> Hit:
    """One event as sent (``event``, ``mediaId``, optional ``productId``); refused with the field at fault."""
    kinds = ", ".join(kind.value for kind in Engagement)
    try:
        engagement = Engagement(event.get("event"))
    except ValueError:
        raise DomainError(ErrorCode.INVALID_INPUT, f"event must be one of {kinds}.", ["event"]) from None
    product = event.get("productId")
    return Hit(
        engagement,
        _key(event.get("mediaId"), "Content", "mediaId"),
        _key(product, "Product", "productId") if product not in (None, "") else None,
    )


def beacon(body: object) -> list[Hit]:
    """A beacon's JSON: one event, or ``{"events": [...]}``; one bad event refuses them all (nothing counted)."""
    events = body.get("events") if isinstance(body, dict) and "events" in body else [body]
    if not isinstance(events, list) or not events or not all(isinstance(event, dict) for event in events):
        raise DomainError(ErrorCode.INVALID_INPUT, "Send an event object, or {events: [...]}.", ["events"])
    if len(events) > MAX_EVENTS_PER_BEACON:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"A beacon carries at most {MAX_EVENTS_PER_BEACON} events.", ["events"]
        )
    hits = []
    for index, event in enumerate(events):
        try:
            hits.append(hit(event))
        except DomainError as refused:
            refused.field = ["events", str(index), *(refused.field or [])]
            raise
    return hits


# Figures ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    impressions: int = 0
    clicks: int = 0
    add_to_cart: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.impressions + other.impressions, self.clicks + other.clicks, self.add_to_cart + other.add_to_cart
        )

    @property
    def conversion_rate(self) -> float | None:
        """Add-to-carts per click (the storefront's visitors who went from the content to the cart); None
        without clicks."""
        return self.add_to_cart / self.clicks if self.clicks else None

    @property
    def popularity(self) -> int:
        """What a hit adds to its content's POPULARITY: clicks and add-to-carts, not impressions (which follow
        from where a storefront shows the content, not from its shoppers)."""
        return self.clicks + self.add_to_cart


def of(engagement: Engagement, count: int = 1) -> Totals:
    if engagement is Engagement.IMPRESSION:
        return Totals(impressions=count)
    if engagement is Engagement.CLICK:
        return Totals(clicks=count)
    return Totals(add_to_cart=count)


@dataclass(frozen=True)
class DayTotals:
    day: date
    totals: Totals


def daily(days: Sequence[date], found: Mapping[date, Totals]) -> list[DayTotals]:
    """Every day of the window, oldest first, zero where nothing was counted."""
    return [DayTotals(day, found.get(day, Totals())) for day in days]


def total(series: Sequence[DayTotals]) -> Totals:
    summed = Totals()
    for entry in series:
        summed = summed + entry.totals
    return summed
