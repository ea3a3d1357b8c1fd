"""A labelled relevance set for search: a generated catalogue and queries with their relevant photos.

The catalogue: every subject of bench/vocabulary.py (89, in 13 categories) photographed PER_SUBJECT times, each
photo titled and keyworded as a photographer would ("Misty lighthouse in Lofoten", keywords "lighthouse, travel,
autumn, calm"). Generated from a fixed seed: the same catalogue on every run, no network.

The queries: KEYWORD_QUERIES name a subject as its photos do; PARAPHRASES describe one in words none of its
photos holds ("strong coffee shot" for espresso). A photo of the subject is relevant (gain 2), one of the same
category related (gain 1). Measures: nDCG@10 over those gains, recall@20 over the subject's photos.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bench.vocabulary import PLACES, SUBJECTS
from lensgraph.domain.discovery import STOP_WORDS

PER_SUBJECT = 6
SEED = 2026
ADJECTIVES = ("Quiet", "Misty", "Vivid", "Weathered", "Hidden", "Bright", "Lonely", "Timeless", "Rustic", "Crisp")
MOODS = ("calm", "joyful", "moody", "minimal", "cinematic", "candid", "dramatic", "serene")
SEASONS = ("spring", "summer", "autumn", "winter")
LIGHT = ("golden hour", "blue hour", "overcast", "backlit", "midday")

KEYWORD_QUERIES: dict[str, str] = {
    "lighthouse": "lighthouse",
    "ramen": "ramen",
    "wedding": "wedding",
    "glacier": "glacier",
    "skateboarder": "skateboarder",
    "espresso": "espresso",
    "cathedral": "cathedral",
    "puffin": "puffin",
    "server room": "server room",
    "street style": "street style",
}

# Each shares no word (stop words aside, plurals folded) with any photo of its subject: checked by the test.
PARAPHRASES: dict[str, str] = {
    "fox": "sly russet woodland predator",
    "owl": "nocturnal bird of prey",
    "horse": "equine stallion grazing",
    "heron": "tall wading bird beside a pond",
    "cathedral": "gothic church interior",
    "bridge": "span crossing over a river",
    "staircase": "spiral steps going up",
    "wedding": "bride and groom exchanging vows",
    "concert": "live music gig with a crowd",
    "espresso": "strong coffee shot",
    "sourdough": "freshly baked bread loaf",
    "ramen": "japanese noodle soup",
    "tacos": "mexican tortillas with salsa",
    "waterfall": "cascade tumbling down rocks",
    "glacier": "frozen ice field",
    "pine forest": "evergreen woods",
    "canyon": "deep gorge carved by erosion",
    "surfer": "riding waves on a board",
    "climber": "scaling a rock face with ropes",
    "skier": "downhill on snowy slopes",
    "drone": "quadcopter flying overhead",
    "server room": "racks of computers in a data centre",
    "lighthouse": "beacon tower on the coast",
    "harbour": "boats moored at a port",
    "temple": "buddhist shrine",
    "subway": "underground metro",
    "neon sign": "glowing fluorescent advertising",
    "portrait": "headshot of a person",
    "grandmother": "elderly woman smiling",
    "children": "kids playing together",
    "marathon": "long distance runners racing",
    "robot arm": "industrial automation machinery",
    "smartphone": "mobile phone in hand",
    "meeting": "colleagues discussing around a table",
    "cat": "feline pet napping",
}


@dataclass(frozen=True)
class CataloguePhoto:
    title: str
    description: str
    keywords: list[str]
    subject: str
    category: str


@dataclass(frozen=True)
class Query:
    text: str
    subject: str
    paraphrase: bool


def catalogue() -> list[CataloguePhoto]:
    """The catalogue, the same on every call."""
    rng = random.Random(SEED)
    photos = []
    for category, subjects in SUBJECTS.items():
        for subject in subjects:
            for _ in range(PER_SUBJECT):
                place, light = rng.choice(PLACES), rng.choice(LIGHT)
                title = f"{rng.choice(ADJECTIVES)} {subject} in {place}"
                if rng.random() < 0.5:
                    title += f", {light}"
                mood, season = rng.choice(MOODS), rng.choice(SEASONS)
                description = f"A {mood} {season} photograph, {light}."
                keywords = [subject, category.value.lower(), season, mood]
                photos.append(CataloguePhoto(title, description, keywords, subject, category.value))
    return photos


def queries() -> list[Query]:
    return [Query(text, subject, False) for subject, text in KEYWORD_QUERIES.items()] + [
        Query(text, subject, True) for subject, text in PARAPHRASES.items()
    ]


def words(text: str) -> set[str]:
    """Lower-cased words without stop words, plurals folded ("waves" is "wave")."""
    found = re.findall(r"[^\W_]+", text.lower())
    return {word.removesuffix("s") for word in found if word not in STOP_WORDS}


def photo_words(photo: CataloguePhoto) -> set[str]:
    return words(" ".join([photo.title, photo.description, *photo.keywords]))


def gain(photo: CataloguePhoto, query: Query) -> int:
    if photo.subject == query.subject:
        return 2
    category_of = {subject: category.value for category, subjects in SUBJECTS.items() for subject in subjects}
    return 1 if photo.category == category_of[query.subject] else 0


def ndcg_at(ranked: Sequence[CataloguePhoto], everything: Sequence[CataloguePhoto], query: Query, k: int) -> float:
    def dcg(gains: Sequence[int]) -> float:
        return sum((2**value - 1) / math.log2(rank + 2) for rank, value in enumerate(gains[:k]))

    ideal = dcg(sorted((gain(photo, query) for photo in everything), reverse=True))
    return dcg([gain(photo, query) for photo in ranked]) / ideal if ideal else 0.0


def recall_at(ranked: Sequence[CataloguePhoto], everything: Sequence[CataloguePhoto], query: Query, k: int) -> float:
    relevant = sum(1 for photo in everything if photo.subject == query.subject)
    return sum(1 for photo in ranked[:k] if photo.subject == query.subject) / relevant
