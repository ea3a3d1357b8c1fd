"""Words the dataset generator draws from, so titles, keywords and names read like a real catalogue.

Each category has its own subjects and places: a search for "harbour" or a filter on TRAVEL finds
a plausible share of the photos, as it would in production, rather than every photo or none.
"""

from __future__ import annotations

from lensgraph.domain.photos import PhotoCategory

SUBJECTS: dict[PhotoCategory, tuple[str, ...]] = {
    PhotoCategory.ABSTRACT: ("light trails", "bokeh", "shadows", "reflections", "texture", "geometry", "smoke"),
    PhotoCategory.ANIMALS: ("fox", "heron", "horse", "owl", "cat", "deer", "sea lion", "puffin", "wolf"),
    PhotoCategory.ARCHITECTURE: ("staircase", "facade", "bridge", "cathedral", "tower", "atrium", "arches"),
    PhotoCategory.BUSINESS: ("meeting", "handshake", "startup team", "laptop", "whiteboard", "coworking space"),
    PhotoCategory.EVENTS: ("wedding", "concert", "festival", "parade", "conference", "birthday party"),
    PhotoCategory.FASHION: ("model", "street style", "runway", "denim jacket", "silk dress", "sneakers"),
    PhotoCategory.FOOD: ("espresso", "sourdough", "ramen", "tacos", "berries", "pasta", "market stall"),
    PhotoCategory.NATURE: ("waterfall", "pine forest", "glacier", "meadow", "canyon", "sunrise", "fern"),
    PhotoCategory.PEOPLE: ("portrait", "fisherman", "dancer", "grandmother", "children", "cyclist", "couple"),
    PhotoCategory.SPORTS: ("surfer", "climber", "marathon", "skateboarder", "goalkeeper", "kayak", "skier"),
    PhotoCategory.TECHNOLOGY: ("circuit board", "server room", "drone", "robot arm", "smartphone", "code"),
    PhotoCategory.TRAVEL: ("harbour", "old town", "night train", "lighthouse", "temple", "desert road"),
    PhotoCategory.URBAN: ("crosswalk", "neon sign", "subway", "rooftops", "alley", "tram", "skyline"),
}

PLACES = (
    "Lisbon",
    "Reykjavik",
    "Kyoto",
    "Marrakesh",
    "Patagonia",
    "the Dolomites",
    "Brooklyn",
    "Hanoi",
    "Cape Town",
    "the Scottish Highlands",
    "Oaxaca",
    "Tallinn",
    "Lofoten",
    "Mumbai",
    "Valparaíso",
    "Berlin",
)

ADJECTIVES = (
    "Quiet",
    "Golden",
    "Misty",
    "Vivid",
    "Lonely",
    "Early",
    "Late",
    "Bright",
    "Blue-hour",
    "Rainy",
    "Wild",
    "Soft",
    "Bold",
    "Hidden",
)

MOODS = ("calm", "joyful", "moody", "minimal", "cinematic", "candid", "dramatic", "serene", "energetic")
SEASONS = ("spring", "summer", "autumn", "winter")
LIGHT = ("golden hour", "blue hour", "overcast", "backlit", "night", "midday")

FIRST_NAMES = (
    "Ada",
    "Bruno",
    "Chiara",
    "Dmitri",
    "Elif",
    "Farah",
    "Gustav",
    "Hana",
    "Idris",
    "Jonas",
    "Kaia",
    "Luis",
    "Mei",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sami",
    "Tove",
)
LAST_NAMES = (
    "Almeida",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
)

CAMERAS = (
    ("Canon", "EOS R5"),
    ("Nikon", "Z 8"),
    ("Sony", "ILCE-7RM5"),
    ("Fujifilm", "X-T5"),
    ("Leica", "Q3"),
    ("Apple", "iPhone 15 Pro"),
)

# (width, height) of common sensors and crops, landscape and portrait alike.
FRAME_SIZES = (
    (6000, 4000),
    (4000, 6000),
    (8192, 5464),
    (5464, 8192),
    (4000, 4000),
    (6240, 4160),
    (4160, 6240),
    (4032, 3024),
    (3024, 4032),
    (7952, 5304),
)

COLLECTION_THEMES = (
    "Moodboard",
    "Shortlist",
    "Campaign picks",
    "Editorial",
    "Lookbook",
    "Website hero images",
    "Social posts",
    "Print selects",
)
