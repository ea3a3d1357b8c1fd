"""What the demo marketplace holds: who, which photos, and how they are described."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lensgraph.seed import scenes

DEMO_PASSWORD = "demo-password-123"


@dataclass(frozen=True)
class DemoUser:
    email: str
    role: str
    first_name: str
    last_name: str
    username: str


ANSEL = DemoUser("photographer@demo.lensgraph.dev", "PHOTOGRAPHER", "Ansel", "Adams", "ansel")
DOROTHEA = DemoUser("dorothea@demo.lensgraph.dev", "PHOTOGRAPHER", "Dorothea", "Lange", "dorothea")
BRAND = DemoUser("brand@demo.lensgraph.dev", "BRAND", "Bea", "Brand", "acme-brand")
STUDIO = DemoUser("studio@demo.lensgraph.dev", "STUDIO", "Sam", "Studio", "sam-studio")
DEMO_USERS = (ANSEL, DOROTHEA, BRAND, STUDIO)


@dataclass(frozen=True)
class DemoPhoto:
    key: str  # how the seed refers to it; not stored
    title: str
    draw: Callable[[], bytes]
    keywords: list[str]
    category: str | None
    description: str = ""
    visibility: str = "PUBLIC"
    extra: dict[str, str] = field(default_factory=dict)


SAND, DEEP_SAND = (222, 184, 120), (200, 150, 90)
BLUE_SKY, DUSK = (70, 130, 200), (120, 80, 150)

ANSEL_PHOTOS = (
    DemoPhoto(
        "dunes",
        "Sunset over the dunes",
        lambda: scenes.dunes(1, DUSK, SAND),
        ["dunes", "sunset", "desert"],
        "NATURE",
        "Evening light over the Erg Chebbi dunes.",
    ),
    DemoPhoto(
        "dunes-morning",
        "Dunes at first light",
        lambda: scenes.dunes(2, BLUE_SKY, DEEP_SAND),
        ["dunes", "morning", "desert"],
        "NATURE",
    ),
    DemoPhoto(
        "coast",
        "Atlantic coast",
        lambda: scenes.coast(3, BLUE_SKY, (30, 90, 160)),
        ["coast", "sea", "waves"],
        "NATURE",
        "Waves rolling in on the Portuguese coast.",
    ),
    DemoPhoto(
        "cove",
        "Quiet cove",
        lambda: scenes.coast(4, (110, 170, 220), (20, 120, 140)),
        ["coast", "beach", "summer"],
        "TRAVEL",
    ),
    DemoPhoto(
        "lisbon-bay",
        "Lisbon bay at noon",
        lambda: scenes.coast(5, (90, 150, 210), (25, 80, 150)),
        ["lisbon", "sea", "summer"],
        "TRAVEL",
    ),
    DemoPhoto(
        "peaks",
        "Granite peaks",
        lambda: scenes.mountains(6, BLUE_SKY, (90, 90, 100)),
        ["mountains", "snow", "alps"],
        "NATURE",
        "Snow on the granite peaks above the valley.",
    ),
    DemoPhoto(
        "ridge",
        "Blue ridge",
        lambda: scenes.mountains(7, (150, 170, 210), (60, 70, 110)),
        ["mountains", "ridge", "haze"],
        "NATURE",
    ),
    DemoPhoto(
        "milky-way",
        "Stars over the desert",
        lambda: scenes.night(8, (30, 40, 90)),
        ["night", "stars", "desert"],
        "NATURE",
    ),
    DemoPhoto("moonrise", "Moonrise", lambda: scenes.night(9, (20, 30, 70)), ["night", "moon"], "NATURE"),
    DemoPhoto("pines", "Pine forest", lambda: scenes.forest(10, (40, 110, 60)), ["forest", "pines", "trees"], "NATURE"),
    DemoPhoto("autumn", "Autumn woods", lambda: scenes.forest(11, (170, 90, 30)), ["forest", "autumn"], "NATURE"),
    DemoPhoto(
        "dunes-study",
        "Dune study (unpublished)",
        lambda: scenes.dunes(12, (200, 120, 90), SAND),
        ["dunes"],
        "ABSTRACT",
        visibility="PRIVATE",
    ),
)

DOROTHEA_PHOTOS = (
    DemoPhoto(
        "astronaut",
        "Astronaut portrait",
        lambda: scenes.astronaut(),
        ["portrait", "astronaut", "space"],
        None,
        "Eileen Collins, NASA (public domain).",
    ),
    DemoPhoto(
        "briefing",
        "Before the mission",
        lambda: scenes.astronaut(mirrored=True),
        ["portrait", "astronaut"],
        None,
        "A second portrait; no model release on file yet.",
    ),
    DemoPhoto(
        "skyline",
        "City skyline at dusk",
        lambda: scenes.city(21, (90, 110, 170), lit=False),
        ["city", "skyline", "dusk"],
        "URBAN",
    ),
    DemoPhoto(
        "night-city",
        "City lights",
        lambda: scenes.city(22, (15, 15, 40), lit=True),
        ["city", "night", "lights"],
        "URBAN",
        "Office towers after dark.",
    ),
    DemoPhoto(
        "towers",
        "Glass towers",
        lambda: scenes.city(23, (120, 160, 210), lit=False),
        ["city", "architecture"],
        "ARCHITECTURE",
    ),
    DemoPhoto(
        "downtown", "Downtown blocks", lambda: scenes.city(24, (60, 60, 110), lit=True), ["city", "downtown"], "URBAN"
    ),
    DemoPhoto(
        "harbour",
        "Harbour morning",
        lambda: scenes.coast(25, (170, 190, 210), (60, 90, 120)),
        ["harbour", "sea", "morning"],
        "TRAVEL",
    ),
    DemoPhoto(
        "valley",
        "Valley road",
        lambda: scenes.mountains(26, (160, 190, 220), (100, 110, 90)),
        ["valley", "road trip"],
        "TRAVEL",
    ),
    DemoPhoto("park", "City park", lambda: scenes.forest(27, (60, 140, 70)), ["park", "trees", "city"], "URBAN"),
    DemoPhoto(
        "desert-road",
        "Desert crossing",
        lambda: scenes.dunes(28, (100, 150, 210), DEEP_SAND),
        ["desert", "road trip"],
        "TRAVEL",
    ),
    DemoPhoto(
        "rooftops",
        "Rooftops",
        lambda: scenes.city(29, (200, 140, 100), lit=False),
        ["city", "rooftops"],
        "ARCHITECTURE",
    ),
    DemoPhoto(
        "observatory",
        "Observatory night",
        lambda: scenes.night(30, (25, 25, 60)),
        ["night", "stars", "science"],
        "TECHNOLOGY",
    ),
)

STUDIO_PHOTOS = (
    DemoPhoto(
        "studio-loft",
        "Loft studio",
        lambda: scenes.city(41, (220, 200, 180), lit=False),
        ["studio", "interior"],
        "ARCHITECTURE",
    ),
    DemoPhoto(
        "studio-garden", "Wedding garden", lambda: scenes.forest(42, (80, 150, 90)), ["wedding", "garden"], "EVENTS"
    ),
    DemoPhoto(
        "studio-beach",
        "Beach ceremony",
        lambda: scenes.coast(43, (150, 190, 230), (40, 110, 170)),
        ["wedding", "beach"],
        "EVENTS",
    ),
)
