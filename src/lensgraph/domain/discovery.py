"""Public discovery: the filters and orders anyone may browse photos by, tags, and what a search looks for."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.licensing import Usage
from lensgraph.domain.money import Currency
from lensgraph.domain.photos import (
    COLOR_NAMES,
    CONTROL_CHARACTERS,
    DOMINANT_COLORS,
    MAX_KEYWORD_LENGTH,
    Orientation,
    PhotoCategory,
    ReleaseKind,
    TagKind,
    color_name,
)

MAX_SEARCH_LENGTH = 200
T = TypeVar("T", bound=Hashable)
# Runs of letters and digits: what both full-text tokenizers (FTS5 unicode61, PostgreSQL's parser) call words.
WORD = re.compile(r"[^\W_]+")
# Words too common to narrow a search: PostgreSQL's english stop list (snowball's), which its search drops by
# itself. Dropping them here too makes SQLite answer alike: "the sunset" finds "Sunset over the bay" on both.
STOP_WORDS = frozenset(
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her"  # noqa: SIM905
    " hers herself it its itself they them their theirs themselves what which who whom this that these those am is"
    " are was were be been being have has had having do does did doing a an the and but if or because as until"
    " while of at by for with about against between into through during before after above below to from up down"
    " in out on off over under again further then once here there when where why how all any both each few more"
    " most other some such no nor not only own same so than too very s t can will just don should now".split()
)


class PhotoOrder(Enum):
    NEWEST = "NEWEST"
    POPULAR = "POPULAR"


class PhotoSortField(Enum):
    """What ``viewer.photos(sort:)`` orders by: when it was uploaded, or its title (a photo has no price of its own:
    prices belong to licenses and listings)."""

    CREATED_AT = "CREATED_AT"
    TITLE = "TITLE"


@dataclass(frozen=True)
class PhotoFilter:
    """Conditions a listed photo meets, all of them; ``None`` leaves a condition out."""

    keyword: str | None = None
    category: PhotoCategory | None = None
    orientation: Orientation | None = None
    color: str | None = None
    photographer: str | None = None
    min_width: int | None = None
    has_release: bool | None = None
    captured_after: datetime | None = None
    captured_before: datetime | None = None
    # True: only photos showing a JPEG their owner verified authentic (``marketplace.same_image``).
    verified_only: bool | None = None
    # The owner's licensing offer: a usage offered, an asking price within [min_price, max_price] (minor units of
    # price_currency), an exclusive license still to be had.
    license_usage: Usage | None = None
    price_currency: Currency | None = None
    min_price: int | None = None
    max_price: int | None = None
    exclusive_available: bool | None = None
    # True: the analysis found at least one face; False: it found none.
    people_present: bool | None = None
    release_kind: ReleaseKind | None = None


class SearchOrder(Enum):
    """How search results are ranked; each pages by its own key (then the id)."""

    RELEVANCE = "RELEVANCE"
    NEWEST = "NEWEST"
    POPULARITY = "POPULARITY"


class Facet(Enum):
    """What a search's results are counted by. Single-valued per photo (each photo in exactly one bucket, so the
    counts add up to the total): all but COLOR (up to three dominant colours) and LICENSE_USAGE (any usages)."""

    CATEGORY = "CATEGORY"
    ORIENTATION = "ORIENTATION"
    COLOR = "COLOR"
    PHOTOGRAPHER = "PHOTOGRAPHER"
    LICENSE_USAGE = "LICENSE_USAGE"
    PRICE_BAND = "PRICE_BAND"
    HAS_RELEASE = "HAS_RELEASE"
    VERIFIED = "VERIFIED"


MULTI_VALUED_FACETS = frozenset({Facet.COLOR, Facet.LICENSE_USAGE})
# Asking prices are counted in bands of major units (euros, dollars; yen), per currency: "EUR 50-200".
PRICE_BAND_EDGES = (50, 200, 500, 1000)


def price_band(major_units_floor: int | None) -> int | None:
    """The band's index (0 for below the first edge) of a price in whole major units; None: on request."""
    if major_units_floor is None:
        return None
    return sum(1 for edge in PRICE_BAND_EDGES if major_units_floor >= edge)


def price_band_label(band: int) -> str:
    """``50-200``, ``1000+``: the band's range in major units (its lower edge included, its upper one not)."""
    edges = (0, *PRICE_BAND_EDGES)
    upper = f"-{PRICE_BAND_EDGES[band]}" if band < len(PRICE_BAND_EDGES) else "+"
    return f"{edges[band]}{upper}"


def price_band_name(currency: Currency | None, band: int | None) -> str | None:
    """``EUR 50-200``, ``EUR 1000+``; None for a photo without an asking price (on request)."""
    if currency is None or band is None:
        return None
    return f"{currency.value} {price_band_label(band)}"


@dataclass(frozen=True)
class FacetCount:
    """One bucket of a facet: its value (None: the photos without one, such as no category) and how many."""

    value: str | None
    count: int


def clean_filter(given: PhotoFilter) -> PhotoFilter:
    """Normalises the exact-match values as they are stored and refuses conditions that are mistakes.

    Error fields are paths from the query's arguments: ``["filter", "color"]``.
    """
    keyword = _clean_word(given.keyword, "keyword", "keyword")
    photographer = _clean_word(given.photographer, "photographer", "username")
    color = _clean_word(given.color, "color", "colour name")
    if color is not None and color not in {named.name for named in COLOR_NAMES}:
        names = ", ".join(named.name for named in COLOR_NAMES)
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use one of these colours: {names}.", ["filter", "color"])
    if given.min_width is not None and given.min_width < 1:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give a width of at least 1 pixel.", ["filter", "minWidth"])
    after, before = _as_utc(given.captured_after), _as_utc(given.captured_before)
    if after is not None and before is not None and after >= before:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "capturedBefore must be later than capturedAfter.", ["filter", "capturedBefore"]
        )
    _check_price_range(given)
    return replace(
        given,
        keyword=keyword,
        photographer=photographer,
        color=color,
        captured_after=after,
        captured_before=before,
    )


def _check_price_range(given: PhotoFilter) -> None:
    low, high = given.min_price, given.max_price
    for value, name in ((low, "min"), (high, "max")):
        if value is not None and value < 0:
            raise DomainError(ErrorCode.INVALID_INPUT, "A price is zero or more.", ["filter", "price", name])
    if (low is not None or high is not None) and given.price_currency is None:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the currency of the price range.", ["filter", "price"])
    if low is not None and high is not None and low > high:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "The price range's max must not be below its min.", ["filter", "price", "max"]
        )


def _clean_word(value: str | None, field: str, what: str) -> str | None:
    """Lower-cased with single spaces, as keywords, usernames and colour names are stored."""
    if value is None:
        return None
    cleaned = " ".join(value.lower().split())
    if not cleaned or len(cleaned) > MAX_KEYWORD_LENGTH or CONTROL_CHARACTERS.search(cleaned):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"Give a {what} of 1 to {MAX_KEYWORD_LENGTH} printable characters.",
            ["filter", field],
        )
    return cleaned


def _as_utc(moment: datetime | None) -> datetime | None:
    """The API's DateTime is UTC: a time given without an offset means UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def search_terms(query: str) -> list[str]:
    """The distinct words a search must find, lower-cased, without punctuation or stop words.

    Operators and quotes mean nothing here: they are dropped, so no user text reaches a query parser.
    An empty list (the query was only punctuation or stop words) matches nothing.
    """
    if not query.strip():
        raise DomainError(ErrorCode.INVALID_INPUT, "Type something to search for.", ["query"])
    if len(query) > MAX_SEARCH_LENGTH:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {MAX_SEARCH_LENGTH} characters.", ["query"])
    words = (word for word in WORD.findall(query.lower()) if word not in STOP_WORDS)
    return list(dict.fromkeys(words))


def photo_tags(
    keywords: list[str], auto_keywords: list[str], colors: list[str], usages: Sequence[str] = ()
) -> set[tuple[TagKind, str]]:
    """What a photo is filed under for exact filters: every keyword (its own and inferred), the names of
    its dominant colours (``colors`` are ``#rrggbb``, most present first) and the license usages it is offered for."""
    tags = {(TagKind.KEYWORD, word) for word in [*keywords, *auto_keywords] if len(word) <= MAX_KEYWORD_LENGTH}
    tags |= {(TagKind.USAGE, usage) for usage in usages}
    for hex_color in colors[:DOMINANT_COLORS]:
        red, green, blue = bytes.fromhex(hex_color.removeprefix("#"))
        tags.add((TagKind.COLOR, color_name((red, green, blue))))
    return tags


# Semantic search ------------------------------------------------------------------------------

# Longest query a semantic or hybrid search embeds; the model reads about 256 word pieces in any case.
MAX_SEMANTIC_QUERY_LENGTH = 10_000
# RRF's constant k: ranks past the first few count less and less, and no list's raw scores are compared.
RRF_K = 60
# What a semantic or hybrid search ranks (and pages through): the nearest this many, no further.
SEARCH_CANDIDATES = 200
# Nearest vectors less similar than this are not answers to a semantic query.
MIN_SIMILARITY = 0.2


class SearchMode(Enum):
    KEYWORD = "KEYWORD"
    SEMANTIC = "SEMANTIC"
    HYBRID = "HYBRID"


def check_semantic_query(query: str) -> str:
    """The query as it is embedded: refused when empty or longer than MAX_SEMANTIC_QUERY_LENGTH."""
    cleaned = " ".join(query.split())
    if not cleaned:
        raise DomainError(ErrorCode.INVALID_INPUT, "Type something to search for.", ["query"])
    if len(query) > MAX_SEMANTIC_QUERY_LENGTH:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {MAX_SEMANTIC_QUERY_LENGTH} characters.", ["query"])
    return cleaned


def photo_text(
    title: str, description: str, keywords: list[str], auto_keywords: list[str], exif: Mapping[str, Any]
) -> str:
    """What a photo's embedding is made from: its title, description, keywords (its own and inferred) and the
    scene and camera facts of its EXIF, as one text. Equal photos give equal texts (and so equal hashes)."""
    parts = [title.strip(), description.strip()]
    words = list(dict.fromkeys(word for word in [*keywords, *auto_keywords] if word))
    if words:
        parts.append("Keywords: " + ", ".join(words) + ".")
    facts = [f"{name} {exif[name]}" for name in ("scene", "flash", "make", "model", "lens") if exif.get(name)]
    if facts:
        parts.append("Camera: " + ", ".join(str(fact) for fact in facts) + ".")
    return "\n".join(part for part in parts if part)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[T]], *, k: int = RRF_K) -> list[tuple[T, float]]:
    """Fuses ranked lists (best first) into one: each item scores the sum of 1 / (k + rank) over the lists that
    hold it (rank from 1). Best first; ties by the order the item first appears (the first list wins)."""
    scores: dict[T, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    order = {item: position for position, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda pair: (-pair[1], order[pair[0]]))


def ranked_page(
    ranked: Sequence[tuple[T, float]], after: tuple[float, str] | None, limit: int, key: Callable[[T], str]
) -> tuple[list[tuple[T, float]], bool]:
    """The ``limit`` items of a ranked list (best first, ties in list order) that come after the cursor
    ``(score, key)``, and whether more follow. The cursor names the last item seen: its position is found by its
    key, and where that item is gone, by its score (the first item scoring less)."""
    start = 0
    if after is not None:
        score, seen = after
        found = next((index for index, (item, _) in enumerate(ranked) if key(item) == seen), None)
        if found is not None:
            start = found + 1
        else:
            start = next((index for index, (_, value) in enumerate(ranked) if value < score), len(ranked))
    chosen = list(ranked[start : start + limit])
    return chosen, start + limit < len(ranked)
