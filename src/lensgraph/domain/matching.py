"""Brand profiles and the photos that match them: what a profile may say, how a photo is scored against it, and
how a brand moves a match along (VIEWED, INTERESTED, DISMISSED).

Scoring is pure: the caller gathers the facts of a photo (its words, category, dominant colours, the prices it
was licensed at, and, when an embedding model is installed, the cosine similarity of its text to the profile's)
and gets back a score in [0, 1] with the reasons a person can read, or None when the profile excludes the photo.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.domain.money import Currency, Money
from lensgraph.domain.photos import (
    COLOR_NAMES,
    CONTROL_CHARACTERS,
    DOMINANT_COLORS,
    PhotoCategory,
    clean_keywords,
    color_name,
)

MAX_COMPANY_NAME = 200
MAX_WEBSITE = 300
MAX_DESCRIPTION = 2000
MAX_STYLES = 20

# The weight of each signal in the score. A signal the profile says nothing about (no keywords, no categories,
# no budget), or that cannot be known (no embedding model, no price ever agreed for the photo) is left out and
# the others share its weight: a photo is never punished for what nobody knows.
WEIGHTS = {"similarity": 0.35, "keywords": 0.35, "category": 0.15, "palette": 0.10, "budget": 0.05}
# Matching this many of the profile's keywords and styles (or all, when it has fewer) gives the full keyword score.
KEYWORDS_FOR_FULL_SCORE = 3
COLORS_FOR_FULL_SCORE = 2
# Cosine similarity of two texts by the embedding model: below the floor the texts are unrelated, at the
# ceiling they say the same thing; in between the similarity signal rises linearly.
SIMILARITY_FLOOR = 0.15
SIMILARITY_CEILING = 0.60
# Shown among the reasons from this similarity signal on.
SIMILARITY_REASON = 0.3


class MatchStatus(Enum):
    NEW = "NEW"
    VIEWED = "VIEWED"
    INTERESTED = "INTERESTED"
    # Final: the photo never comes back for this brand, however it is scored again.
    DISMISSED = "DISMISSED"


# Where a match may go from each status. Setting the status it already has changes nothing (and is allowed).
TRANSITIONS: dict[MatchStatus, frozenset[MatchStatus]] = {
    MatchStatus.NEW: frozenset({MatchStatus.VIEWED, MatchStatus.INTERESTED, MatchStatus.DISMISSED}),
    MatchStatus.VIEWED: frozenset({MatchStatus.INTERESTED, MatchStatus.DISMISSED}),
    MatchStatus.INTERESTED: frozenset({MatchStatus.DISMISSED}),
    MatchStatus.DISMISSED: frozenset(),
}
# The statuses a brand may set (NEW is where the job puts a match).
SETTABLE = frozenset({MatchStatus.VIEWED, MatchStatus.INTERESTED, MatchStatus.DISMISSED})


def check_transition(current: MatchStatus, wanted: MatchStatus) -> bool:
    """True when the status changes, False when it already is ``wanted``; refuses moves backwards and out of
    DISMISSED with INVALID_TRANSITION."""
    if wanted not in SETTABLE:
        raise DomainError(ErrorCode.INVALID_INPUT, "Set VIEWED, INTERESTED or DISMISSED.", ["status"])
    if current is wanted:
        return False
    if wanted not in TRANSITIONS[current]:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION, f"A {current.value} match cannot become {wanted.value}.", ["status"]
        )
    return True


# Profiles -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    """What a brand means to pay for a license, in one currency; ``maximum`` None: no upper bound."""

    currency: Currency
    minimum: int
    maximum: int | None

    def formatted(self) -> str:
        low = Money(self.minimum, self.currency).formatted()
        return f"{low} - {Money(self.maximum, self.currency).formatted()}" if self.maximum is not None else f">= {low}"


@dataclass(frozen=True)
class Profile:
    company_name: str
    website: str | None
    description: str
    categories: tuple[PhotoCategory, ...]
    styles: tuple[str, ...]
    colors: tuple[str, ...]
    keywords: tuple[str, ...]
    excluded_keywords: tuple[str, ...]
    budget: Budget | None

    def text_sha256(self) -> str:
        """Identifies the text the stored embedding was made of: a new one is made when it changes."""
        return hashlib.sha256(self.text().encode()).hexdigest()

    def text(self) -> str:
        """What the profile's embedding is made of: the words a brand uses to say what it looks for."""
        parts = [self.company_name, self.description]
        if self.keywords or self.styles:
            parts.append("Looking for: " + ", ".join((*self.keywords, *self.styles)))
        if self.categories:
            parts.append("Categories: " + ", ".join(category.value.lower() for category in self.categories))
        if self.colors:
            parts.append("Colours: " + ", ".join(self.colors))
        return ". ".join(part for part in parts if part)


_WEBSITE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
COLOR_VOCABULARY = tuple(named.name for named in COLOR_NAMES)


def check_profile(
    *,
    company_name: str,
    website: str | None,
    description: str | None,
    categories: Sequence[PhotoCategory],
    styles: Sequence[str],
    colors: Sequence[str],
    keywords: Sequence[str],
    excluded_keywords: Sequence[str],
    budget: Budget | None,
) -> Profile:
    """A profile as stored: names trimmed, words cleaned like a photo's keywords; refuses what cannot be used."""
    name = " ".join(company_name.split())
    if not name or len(name) > MAX_COMPANY_NAME or CONTROL_CHARACTERS.search(name):
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"Give a company name of 1 to {MAX_COMPANY_NAME} characters.", ["companyName"]
        )
    site = (website or "").strip() or None
    if site is not None and (len(site) > MAX_WEBSITE or not _WEBSITE.match(site)):
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the website as an http(s) address.", ["website"])
    text = (description or "").strip()
    if len(text) > MAX_DESCRIPTION or "\x00" in text:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {MAX_DESCRIPTION} characters.", ["description"])
    wanted = _words(keywords, "keywords")
    excluded = _words(excluded_keywords, "excludedKeywords")
    clash = sorted(set(wanted) & set(excluded))
    if clash:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"Wanted and excluded at once: {', '.join(clash)}.", ["excludedKeywords"]
        )
    style_words = _words(styles, "styles")
    if len(style_words) > MAX_STYLES:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Use at most {MAX_STYLES} styles.", ["styles"])
    palette: list[str] = []
    for index, color in enumerate(colors):
        cleaned = color.strip().lower()
        if cleaned not in COLOR_VOCABULARY:
            raise DomainError(
                ErrorCode.INVALID_INPUT, f"Colours are among: {', '.join(COLOR_VOCABULARY)}.", ["colors", str(index)]
            )
        if cleaned not in palette:
            palette.append(cleaned)
    if budget is not None:
        check_budget(budget)
    return Profile(
        company_name=name,
        website=site,
        description=text,
        categories=tuple(dict.fromkeys(categories)),
        styles=tuple(style_words),
        colors=tuple(palette),
        keywords=tuple(wanted),
        excluded_keywords=tuple(excluded),
        budget=budget,
    )


def check_budget(budget: Budget) -> None:
    if budget.minimum < 0 or (budget.maximum is not None and budget.maximum < 0):
        raise DomainError(ErrorCode.INVALID_INPUT, "A budget cannot be negative.", ["budget"])
    if budget.maximum is not None and budget.minimum > budget.maximum:
        raise DomainError(ErrorCode.INVALID_INPUT, "The budget's minimum is above its maximum.", ["budget", "min"])


def _words(words: Sequence[str], field: str) -> list[str]:
    try:
        return clean_keywords(list(words))
    except DomainError as error:
        raise DomainError(error.code, error.message, [field]) from None


# Scoring ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoFacts:
    """What scoring reads of a photo. ``similarity`` is the cosine similarity of the photo's text and the profile's
    (None: no embedding model, or no vector for one of them); ``prices`` the prices it was licensed at."""

    title: str
    description: str
    keywords: tuple[str, ...]
    category: PhotoCategory | None
    colors: tuple[str, ...]
    similarity: float | None = None
    prices: tuple[Money, ...] = ()


@dataclass(frozen=True)
class Scored:
    score: float
    reasons: tuple[str, ...]


def dominant_color_names(hex_colors: Sequence[str]) -> tuple[str, ...]:
    """The colour names of a photo's dominant colours (``#rrggbb``, most present first), each once."""
    names: dict[str, None] = {}
    for value in hex_colors[:DOMINANT_COLORS]:
        try:
            rgb = (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))
        except (ValueError, IndexError):
            continue
        names.setdefault(color_name(rgb), None)
    return tuple(names)


_TOKEN = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    """Roughly the word's stem, the same on both sides: "surfers", "surfing" and "surf" meet, as do "beaches" and
    "beach"."""
    for suffix, replacement in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            word = word[: -len(suffix)] + replacement
            break
    for suffix in ("ing", "er"):
        if word.endswith(suffix) and len(word) >= len(suffix) + 4:
            return word[: -len(suffix)]
    return word


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_stem(token) for token in _TOKEN.findall(text.lower()))


def _holds(haystack: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """Whether the words of ``phrase`` appear in ``haystack`` in a row."""
    size = len(phrase)
    return size > 0 and any(haystack[index : index + size] == phrase for index in range(len(haystack) - size + 1))


def _photo_words(photo: PhotoFacts) -> list[tuple[str, ...]]:
    """The photo's text as runs of words: its title, each keyword, its description."""
    return [_tokens(photo.title), *(_tokens(keyword) for keyword in photo.keywords), _tokens(photo.description)]


def mentions(photo: PhotoFacts, phrase: str) -> bool:
    wanted = _tokens(phrase)
    return any(_holds(run, wanted) for run in _photo_words(photo))


def cosine(first: Sequence[float], second: Sequence[float]) -> float | None:
    """The cosine similarity of two L2-normalised vectors (their dot product); None when their sizes differ
    (made by different models)."""
    if not first or len(first) != len(second):
        return None
    return float(sum(a * b for a, b in zip(first, second, strict=True)))


def similarity_signal(similarity: float) -> float:
    span = SIMILARITY_CEILING - SIMILARITY_FLOOR
    return max(0.0, min(1.0, (similarity - SIMILARITY_FLOOR) / span))


def score(profile: Profile, photo: PhotoFacts) -> Scored | None:
    """The photo's fit to the profile in [0, 1] with its reasons, best signal first; None when an excluded
    keyword appears in the photo's title, keywords or description (the photo is no match at all)."""
    blocked = [word for word in profile.excluded_keywords if mentions(photo, word)]
    if blocked:
        return None
    signals: dict[str, float] = {}
    reasons: list[tuple[float, str]] = []
    if photo.similarity is not None:
        signals["similarity"] = similarity_signal(photo.similarity)
        if signals["similarity"] >= SIMILARITY_REASON:
            reasons.append(
                (WEIGHTS["similarity"] * signals["similarity"], f"similar to your profile ({photo.similarity:.2f})")
            )
    wanted = (*profile.keywords, *profile.styles)
    if wanted:
        found = [word for word in wanted if mentions(photo, word)]
        signals["keywords"] = min(1.0, len(found) / min(KEYWORDS_FOR_FULL_SCORE, len(wanted)))
        if found:
            reasons.append((WEIGHTS["keywords"] * signals["keywords"], "keywords: " + ", ".join(found)))
    if profile.categories:
        hit = photo.category in profile.categories
        signals["category"] = 1.0 if hit else 0.0
        if hit and photo.category is not None:
            reasons.append((WEIGHTS["category"], f"category: {photo.category.value.lower()}"))
    if profile.colors:
        shared = [color for color in profile.colors if color in photo.colors]
        signals["palette"] = min(1.0, len(shared) / min(COLORS_FOR_FULL_SCORE, len(profile.colors)))
        if shared:
            reasons.append((WEIGHTS["palette"] * signals["palette"], "palette: " + ", ".join(shared)))
    if profile.budget is not None:
        fit = budget_fit(profile.budget, photo.prices)
        if fit is not None:
            signals["budget"], reason = fit
            reasons.append((WEIGHTS["budget"] * signals["budget"], reason))
    weight = sum(WEIGHTS[name] for name in signals)
    if weight == 0:
        return Scored(0.0, ())
    total = sum(WEIGHTS[name] * value for name, value in signals.items()) / weight
    ordered = tuple(text for _, text in sorted(reasons, key=lambda item: -item[0]))
    return Scored(round(total, 4), ordered)


def budget_fit(budget: Budget, prices: Sequence[Money]) -> tuple[float, str] | None:
    """How the prices the photo was licensed at (in the budget's currency) sit in the budget: 1 within it, less
    the further above it; None when no price in that currency is known."""
    known = sorted(price.amount for price in prices if price.currency is budget.currency)
    if not known:
        return None
    cheapest = Money(known[0], budget.currency)
    if budget.maximum is None or cheapest.amount <= budget.maximum:
        return 1.0, f"budget: licensed at {cheapest.formatted()}"
    over = cheapest.amount / max(budget.maximum, 1)
    return max(0.0, 2.0 - over), f"over budget: licensed at {cheapest.formatted()}"


def is_strong(scored: Scored, threshold: float) -> bool:
    """A match the brand is told about (``match.new``), once."""
    return scored.score >= threshold


def worth_keeping(scored: Scored) -> bool:
    """A score of nothing matched is no match."""
    return scored.score > 0 and bool(scored.reasons)


def precision_at(ranked: Sequence[object], relevant: set[object], k: int) -> float:
    """The share of the first ``k`` ranked items that are relevant (a short list counts its gaps as misses)."""
    if k <= 0:
        raise ValueError("k must be positive")
    return sum(1 for item in ranked[:k] if item in relevant) / k


def expected_precision_at(scored: Sequence[tuple[float, bool]], k: int) -> float:
    """Precision@k of (score, relevant) items listed best first, where items of equal score may come in any order
    (matches of equal score are ordered by id, which says nothing): the group of equal score that straddles the
    k-th place counts its share of relevant items for the places it takes. ``scored`` must hold that whole group."""
    if k <= 0:
        raise ValueError("k must be positive")
    hits, taken, index = 0.0, 0, 0
    while taken < k and index < len(scored):
        score = scored[index][0]
        group = [relevant for value, relevant in scored[index:] if value == score]
        places = min(len(group), k - taken)
        hits += places * sum(group) / len(group)
        taken += places
        index += len(group)
    return hits / k
