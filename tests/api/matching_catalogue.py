"""A generated stock catalogue and brand profiles labelled with the themes they want: the data of the brand
matching quality measure (tests/api/test_matching_quality.py). Deterministic: the same photos on every run.

Themes come in confusable pairs (surf and beach travel, coffee and other food, office and gadgets, running and
other sports), photos have noisy words (a surf photo need not say "surf"), some have no category, and colours
stray from their theme's palette.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from lensgraph.domain.photos import COLOR_NAMES, PhotoCategory

PHOTOS_PER_THEME = 26
SEED = 16


@dataclass(frozen=True)
class Theme:
    name: str
    subjects: tuple[str, ...]
    settings: tuple[str, ...]
    keywords: tuple[str, ...]
    category: PhotoCategory
    palette: tuple[str, ...]
    # Words of a neighbouring theme that its photos often carry too (a beach photo tagged "wave").
    confusing: tuple[str, ...] = ()


THEMES = (
    Theme(
        "surf",
        ("Surfer", "Longboarder", "Surfboard", "Barrel wave", "Surf lesson", "Paddle out"),
        ("at golden hour", "on a glassy swell", "off the point", "in cold water", "at dawn patrol"),
        ("surf", "wave", "surfboard", "ocean", "swell", "wetsuit", "golden hour"),
        PhotoCategory.SPORTS,
        ("blue", "white"),
        ("beach", "sand", "holiday"),
    ),
    Theme(
        "beach",
        ("Beach umbrellas", "Sandy cove", "Palm trees", "Beach bar", "Sunbathers", "Seaside village"),
        ("in summer", "at noon", "on the island", "by turquoise water", "on holiday"),
        ("beach", "holiday", "sand", "ocean", "palm", "vacation", "tropical"),
        PhotoCategory.TRAVEL,
        ("blue", "yellow"),
        ("wave", "surfboard", "swell"),
    ),
    Theme(
        "coffee",
        ("Espresso shot", "Latte art", "Barista", "Coffee beans", "Pour over", "Cafe counter"),
        ("in morning light", "on a wooden table", "in a roastery", "close up", "at the corner cafe"),
        ("coffee", "espresso", "cafe", "barista", "latte", "roast", "cup"),
        PhotoCategory.FOOD,
        ("brown", "black"),
        ("food", "breakfast", "restaurant"),
    ),
    Theme(
        "dishes",
        ("Pasta bowl", "Green salad", "Pizza slice", "Tacos", "Sushi platter", "Brunch table"),
        ("on a wooden table", "from above", "in a restaurant", "with fresh herbs", "for two"),
        ("food", "dinner", "restaurant", "meal", "plate", "fresh", "lunch"),
        PhotoCategory.FOOD,
        ("red", "green"),
        ("coffee", "cafe", "cup"),
    ),
    Theme(
        "mountains",
        ("Hiker", "Mountain ridge", "Alpine lake", "Tent", "Trail runner", "Summit cairn"),
        ("above the clouds", "in the Alps", "at first light", "on a long trail", "in autumn"),
        ("hiking", "mountain", "trail", "camping", "outdoors", "backpack", "wilderness"),
        PhotoCategory.NATURE,
        ("green", "white"),
        ("running", "trail", "fitness"),
    ),
    Theme(
        "office",
        ("Team meeting", "Whiteboard session", "Handshake", "Open plan office", "Video call", "Coworkers"),
        ("in a glass room", "at a startup", "on a Monday", "around a table", "in the city"),
        ("office", "meeting", "teamwork", "business", "colleagues", "laptop", "corporate"),
        PhotoCategory.BUSINESS,
        ("gray", "white"),
        ("laptop", "technology", "digital"),
    ),
    Theme(
        "gadgets",
        ("Smartphone", "Circuit board", "Laptop keyboard", "Drone", "Smartwatch", "Server rack"),
        ("on a desk", "in neon light", "close up", "in a lab", "on black"),
        ("technology", "device", "gadget", "digital", "electronics", "laptop", "innovation"),
        PhotoCategory.TECHNOLOGY,
        ("black", "blue"),
        ("office", "meeting", "business"),
    ),
    Theme(
        "running",
        ("Runner", "Marathon start", "Track sprint", "Running shoes", "Jogger", "Finish line"),
        ("at sunrise", "in the park", "on the track", "in the rain", "through the city"),
        ("running", "runner", "marathon", "fitness", "jogging", "race", "sneakers"),
        PhotoCategory.SPORTS,
        ("orange", "black"),
        ("trail", "mountain", "team"),
    ),
    Theme(
        "ballgames",
        ("Football match", "Basketball dunk", "Tennis serve", "Goalkeeper", "Volleyball", "Stadium crowd"),
        ("under floodlights", "in the final", "on clay", "at the stadium", "in slow motion"),
        ("football", "basketball", "tennis", "stadium", "team", "match", "ball"),
        PhotoCategory.SPORTS,
        ("green", "white"),
        ("runner", "race", "fitness"),
    ),
    Theme(
        "pets",
        ("Puppy", "Golden retriever", "Tabby cat", "Kitten", "Dog walker", "Sleeping dog"),
        ("on the sofa", "in the garden", "at the park", "by the window", "in the snow"),
        ("dog", "puppy", "cat", "pet", "kitten", "animal", "cute"),
        PhotoCategory.ANIMALS,
        ("brown", "white"),
        ("park", "garden", "walk"),
    ),
    Theme(
        "city",
        ("Skyline", "Street crossing", "Subway station", "Neon signs", "Rooftop", "Taxi"),
        ("at night", "in the rain", "at rush hour", "from above", "at blue hour"),
        ("city", "urban", "street", "night", "skyline", "lights", "downtown"),
        PhotoCategory.URBAN,
        ("black", "purple"),
        ("street style", "night", "model"),
    ),
    Theme(
        "fashion",
        ("Model", "Street style look", "Runway walk", "Denim jacket", "Summer dress", "Editorial portrait"),
        ("in studio light", "on the street", "at fashion week", "against a pink wall", "in soft light"),
        ("fashion", "style", "model", "outfit", "clothing", "editorial", "portrait"),
        PhotoCategory.FASHION,
        ("pink", "red"),
        ("city", "street", "urban"),
    ),
)


@dataclass(frozen=True)
class LabelledBrand:
    """A brand profile (the upsertBrandProfile input) and the themes whose photos it wants."""

    name: str
    profile: dict[str, Any]
    relevant: frozenset[str] = field(default_factory=frozenset)


BRANDS = (
    LabelledBrand(
        "surf wear",
        {
            "companyName": "Tidewater Surf Co.",
            "description": "Wetsuits and boards for people who surf cold water all year.",
            "preferredCategories": ["SPORTS"],
            "styles": ["golden hour"],
            "colors": ["blue"],
            "keywords": ["surf", "surfboard", "wave", "wetsuit"],
            "excludedKeywords": ["crowd"],
        },
        frozenset({"surf"}),
    ),
    LabelledBrand(
        "coffee roaster",
        {
            "companyName": "Ember Roasters",
            "description": "Small batch coffee roasted for espresso bars and home baristas.",
            "preferredCategories": ["FOOD"],
            "colors": ["brown"],
            "keywords": ["coffee", "espresso", "barista", "latte"],
        },
        frozenset({"coffee"}),
    ),
    LabelledBrand(
        "outdoor gear",
        {
            "companyName": "Ridgeline Outfitters",
            "description": "Tents, packs and boots for long days in the mountains.",
            "preferredCategories": ["NATURE"],
            "colors": ["green"],
            "keywords": ["hiking", "mountain", "trail", "camping"],
        },
        frozenset({"mountains"}),
    ),
    LabelledBrand(
        "fintech",
        {
            "companyName": "Ledgerly",
            "description": "Accounting software for small teams; we show people working together.",
            "preferredCategories": ["BUSINESS"],
            "keywords": ["office", "meeting", "teamwork", "colleagues"],
            "excludedKeywords": ["handshake"],
        },
        frozenset({"office"}),
    ),
    LabelledBrand(
        "running shoes",
        {
            "companyName": "Stride Athletics",
            "description": "Shoes for road runners, from the first 5k to the marathon.",
            "preferredCategories": ["SPORTS"],
            "colors": ["orange"],
            "keywords": ["running", "runner", "marathon", "jogging"],
        },
        frozenset({"running"}),
    ),
    LabelledBrand(
        "pet food",
        {
            "companyName": "Good Boy Kitchen",
            "description": "Fresh food for dogs and cats.",
            "preferredCategories": ["ANIMALS"],
            "keywords": ["dog", "puppy", "cat", "pet"],
        },
        frozenset({"pets"}),
    ),
)

# What thinly described stock photos say: nothing about their subject.
GENERIC_WORDS = ("lifestyle", "summer", "people", "color", "background", "copy space", "day")

_HEX = {named.name: "#{:02x}{:02x}{:02x}".format(*named.rgb) for named in COLOR_NAMES}
_OTHER_COLORS = tuple(_HEX)


@dataclass(frozen=True)
class CataloguePhoto:
    theme: str
    fields: dict[str, Any]


def catalogue() -> list[CataloguePhoto]:
    """``PHOTOS_PER_THEME`` photos per theme (312 in all), each with the ``ready_photos`` fields that make it."""
    chance = random.Random(SEED)
    photos = []
    for theme in THEMES:
        for index in range(PHOTOS_PER_THEME):
            subject = theme.subjects[index % len(theme.subjects)]
            place = chance.choice(theme.settings)
            # One to three of the theme's words, often none of its strongest (the first three), and in half the
            # photos one or two words of the neighbouring theme.
            words = chance.sample(theme.keywords, chance.randint(1, 3))
            if chance.random() < 0.4:
                words = [word for word in words if word not in theme.keywords[:3]] or [theme.keywords[-1]]
            if theme.confusing and chance.random() < 0.5:
                words += chance.sample(theme.confusing, chance.randint(1, 2))
            title = f"{subject} {place}"
            # A third of the catalogue is thinly described, as stock often is: a camera file name, generic words.
            if chance.random() < 0.33:
                title = f"IMG_{chance.randint(1000, 9999)}"
                words = chance.sample(GENERIC_WORDS, 2) + chance.sample(theme.confusing or theme.keywords, 1)
            palette = list(theme.palette) if chance.random() < 0.7 else [chance.choice(_OTHER_COLORS)]
            photos.append(
                CataloguePhoto(
                    theme.name,
                    {
                        # Fixed ids too: equal scores are ordered by id, so the measure is the same on every run.
                        "id": uuid.UUID(int=chance.getrandbits(128), version=4),
                        "title": title,
                        "keywords": words,
                        "category": theme.category if chance.random() < 0.75 else None,
                        "colors": [_HEX[name] for name in palette],
                        "description": "",
                    },
                )
            )
    return photos
