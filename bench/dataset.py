"""The benchmark dataset: photographers, READY public photos with their tags, collections, a brand.

Rows are built in Python from one seeded random generator and written with Core ``insert(...)``
executemany in chunks, inside one transaction: 20,000 photos and their ~200,000 tags take seconds,
where ORM objects added one by one would take minutes. The same seed always gives the same rows
(only the password hash differs, argon2 salts it), so figures from two runs compare like for like.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, make_url, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bench import vocabulary as words
from lensgraph.adapters.passwords import hash_password
from lensgraph.domain import photos as rules
from lensgraph.domain.accounts import Role
from lensgraph.domain.collections import numbered_slug, slug_from_title
from lensgraph.domain.discovery import photo_tags
from lensgraph.domain.photos import COLOR_NAMES, PhotoCategory, PhotoStatus, TagKind, Visibility
from lensgraph.persistence.base import Base
from lensgraph.persistence.db import create_engine
from lensgraph.persistence.migrate import upgrade_async
from lensgraph.persistence.models import Collection, CollectionPhoto, Photo, PhotoTag, User

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./bench.db"
# Every generated account shares this password, so any of them can also sign in through the API.
PASSWORD = "bench-password-123"
DEEP_USERNAME = "bench-deep"
CURATOR_USERNAME = "bench-curator"
# The curator owns this many collections (all of them, in a smaller dataset): one page of `nested`.
CURATED_COLLECTIONS = 20
# Timestamps count back from a fixed instant rather than from now, so a seed always gives the same rows.
REFERENCE_TIME = datetime(2025, 1, 1, tzinfo=UTC)
PHOTO_HISTORY = timedelta(days=3 * 365)
CHUNK_ROWS = 2_000
# Popularity has a long tail; the cap keeps the rare extreme draw a plausible number.
MAX_POPULARITY = 100_000


@dataclass(frozen=True)
class Sizes:
    """How much to generate. ``bench-curator`` is one of the photographers; ``bench-deep`` is not, and
    its photos come on top of ``photos``."""

    photographers: int = 200
    photos: int = 20_000
    collections: int = 1_000
    photos_per_collection: int = 20
    brands: int = 1
    deep_photos: int = 2_000


@dataclass
class Generated:
    """Row counts per table, and how long writing them took."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class DatasetExists(Exception):
    """The database already has accounts: the bench only writes into an empty one."""


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a SQLite URL, or None for any other database (or an in-memory one)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def remove_sqlite_file(database_url: str) -> None:
    """Deletes a SQLite database and its WAL files; refuses anything that is not a SQLite file URL."""
    path = sqlite_path(database_url)
    if path is None:
        raise ValueError("only a SQLite file can be overwritten; give PostgreSQL an empty database instead")
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


async def generate(database_url: str, sizes: Sizes, seed: int) -> Generated:
    """Migrates the database, then fills it; raises ``DatasetExists`` when it already has accounts."""
    started = time.perf_counter()
    await upgrade_async(database_url)
    password_hash = await hash_password(PASSWORD)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            if await connection.scalar(select(func.count()).select_from(User)):
                shown = make_url(database_url).render_as_string(hide_password=True)
                raise DatasetExists(f"{shown} already has accounts; generate into an empty database")
            generated = Generated()
            for model, rows in _Builder(random.Random(seed), sizes, password_hash).build():
                await _insert(connection, model, rows)
                generated.rows[model.__tablename__] = len(rows)
        if engine.dialect.name == "postgresql":
            # Autovacuum would analyse the new rows within minutes; a run started right away would otherwise
            # measure plans made without statistics, which no production database has.
            async with engine.begin() as connection:
                await connection.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    generated.seconds = time.perf_counter() - started
    return generated


async def _insert(connection: AsyncConnection, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    for chunk in _chunks(rows, CHUNK_ROWS):
        await connection.execute(insert(model), chunk)


def _chunks(rows: Sequence[dict[str, Any]], size: int) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class _Builder:
    """Builds every row in memory, in dependency order, from one random generator."""

    def __init__(self, rng: random.Random, sizes: Sizes, password_hash: str) -> None:
        self.rng = rng
        self.sizes = sizes
        self.password_hash = password_hash
        self.users: list[dict[str, Any]] = []
        self.photos: list[dict[str, Any]] = []
        self.tags: list[dict[str, Any]] = []
        self.collections: list[dict[str, Any]] = []
        self.collection_photos: list[dict[str, Any]] = []

    def build(self) -> list[tuple[type[Base], list[dict[str, Any]]]]:
        # The curator is the crowd's most prolific photographer: collections hold their owner's own photos.
        crowd = [self._user(CURATOR_USERNAME, Role.PHOTOGRAPHER)] + [
            self._user(f"photographer-{number:04d}", Role.PHOTOGRAPHER)
            for number in range(2, self.sizes.photographers + 1)
        ]
        deep = self._user(DEEP_USERNAME, Role.PHOTOGRAPHER)
        for number in range(1, self.sizes.brands + 1):
            self._user(f"brand-{number:02d}", Role.BRAND)

        photos_by_owner: dict[uuid.UUID, list[uuid.UUID]] = {}
        for owner in self._photo_owners(crowd) + [deep] * self.sizes.deep_photos:
            photo_id = self._uuid()
            photos_by_owner.setdefault(owner["id"], []).append(photo_id)
            self._photo(photo_id, owner["id"])
        self._collections(crowd[0]["id"], [user["id"] for user in crowd], photos_by_owner)
        return [
            (User, self.users),
            (Photo, self.photos),
            (PhotoTag, self.tags),
            (Collection, self.collections),
            (CollectionPhoto, self.collection_photos),
        ]

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _moment(self, within: timedelta) -> datetime:
        return REFERENCE_TIME - timedelta(seconds=self.rng.randrange(int(within.total_seconds())))

    def _photo_owners(self, crowd: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Owners of the crowd's photos: a few photographers upload most of them, as on any real site.

        The curator (first) has at least enough for a full collection.
        """
        guaranteed = min(self.sizes.photos_per_collection, self.sizes.photos)
        weights = [1 / rank for rank in range(1, len(crowd) + 1)]
        return [crowd[0]] * guaranteed + self.rng.choices(crowd, weights=weights, k=self.sizes.photos - guaranteed)

    def _user(self, username: str, role: Role) -> dict[str, Any]:
        joined = self._moment(PHOTO_HISTORY + timedelta(days=365))
        user = {
            "id": self._uuid(),
            "email": f"{username}@bench.lensgraph.dev",
            "username": username,
            "password_hash": self.password_hash,
            "role": role,
            "first_name": self.rng.choice(words.FIRST_NAMES),
            "last_name": self.rng.choice(words.LAST_NAMES),
            "email_verified_at": joined,
            "version": 1,
            "created_at": joined,
            "updated_at": joined,
        }
        self.users.append(user)
        return user

    def _collections(
        self, curator_id: uuid.UUID, crowd_ids: list[uuid.UUID], photos_by_owner: dict[uuid.UUID, list[uuid.UUID]]
    ) -> None:
        """The curator's collections first, then others' among photographers with photos; own photos only."""
        curated = min(CURATED_COLLECTIONS, self.sizes.collections)
        with_photos = [user_id for user_id in crowd_ids if user_id in photos_by_owner]
        owners = [curator_id] * curated
        owners += [self.rng.choice(with_photos) for _ in range(self.sizes.collections - curated)]
        for number, owner_id in enumerate(owners, start=1):
            collection_id = self._uuid()
            subject = self.rng.choice(self.rng.choice(list(words.SUBJECTS.values())))
            title = f"{self.rng.choice(words.COLLECTION_THEMES)}: {subject}"
            created = self._moment(timedelta(days=365))
            self.collections.append(
                {
                    "id": collection_id,
                    "user_id": owner_id,
                    "title": title,
                    "slug": numbered_slug(slug_from_title(title), number),
                    "description": f"Picked for {self.rng.choice(words.PLACES)}, {self.rng.choice(words.SEASONS)}.",
                    "visibility": Visibility.PUBLIC if self.rng.random() < 0.8 else Visibility.PRIVATE,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            own = photos_by_owner[owner_id]
            chosen = self.rng.sample(own, min(self.sizes.photos_per_collection, len(own)))
            self.collection_photos += [
                {
                    "collection_id": collection_id,
                    "photo_id": photo_id,
                    "position": position,
                    "created_at": created + timedelta(minutes=position),
                }
                for position, photo_id in enumerate(chosen)
            ]

    def _photo(self, photo_id: uuid.UUID, owner_id: uuid.UUID) -> None:
        rng = self.rng
        category = rng.choice(list(PhotoCategory))
        subject, place = rng.choice(words.SUBJECTS[category]), rng.choice(words.PLACES)
        width, height = rng.choice(words.FRAME_SIZES)
        orientation = rules.orientation_of(width, height)
        palette = [self._colour() for _ in range(3)]
        described = [*subject.split(), category.value, place, rng.choice(words.MOODS), rng.choice(words.SEASONS)]
        if rng.random() < 0.5:
            described.append(rng.choice(words.LIGHT))
        keywords = rules.clean_keywords(described)
        auto_keywords = rules.auto_keywords(orientation, palette, {})
        colors = ["#{:02x}{:02x}{:02x}".format(*rgb) for rgb in palette]
        created = self._moment(PHOTO_HISTORY)
        make, model = rng.choice(words.CAMERAS)
        self.photos.append(
            {
                "id": photo_id,
                "user_id": owner_id,
                "title": f"{rng.choice(words.ADJECTIVES)} {subject} in {place}",
                "description": f"{subject.capitalize()} photographed in {place}, {rng.choice(words.SEASONS)}.",
                "keywords": keywords,
                "auto_keywords": auto_keywords,
                "category": category,
                "visibility": Visibility.PUBLIC,
                "status": PhotoStatus.READY,
                "failure_reason": None,
                "original_key": f"photos/{photo_id}/original.jpg",
                "mime_type": "image/jpeg",
                "size_bytes": rng.randrange(2_000_000, 25_000_000),
                "width": width,
                "height": height,
                "orientation": orientation,
                "exif": {"make": make, "model": model, "iso": str(rng.choice((100, 200, 400, 800, 1600)))},
                "gps": None,
                "show_location": False,
                "rights": {},
                "colors": colors,
                "face_count": rng.randrange(1, 5) if category is PhotoCategory.PEOPLE else 0,
                # Brands' saves: most photos have none or a few, a handful have thousands.
                "popularity": min(MAX_POPULARITY, int(rng.paretovariate(1.2)) - 1),
                "phash": f"{rng.getrandbits(64):016x}",
                "possible_duplicate_of_id": None,
                "thumbnail_key": f"photos/{photo_id}/thumbnail.jpg",
                "preview_key": f"photos/{photo_id}/preview.jpg",
                "watermarked_key": f"photos/{photo_id}/watermarked.jpg",
                "captured_at": created - timedelta(days=rng.randrange(0, 60), seconds=rng.randrange(86_400)),
                "analyzed_at": created + timedelta(seconds=rng.randrange(5, 120)),
                "version": 1,
                "created_at": created,
                "updated_at": created,
            }
        )
        tags = photo_tags(keywords, auto_keywords, colors)
        self.tags += [
            {"photo_id": photo_id, "kind": kind, "value": value} for kind, value in sorted(tags, key=_tag_order)
        ]

    def _colour(self) -> tuple[int, int, int]:
        """A named colour, shifted a little: what a real palette's nearest name would be."""
        base = self.rng.choice(COLOR_NAMES).rgb
        red, green, blue = (min(255, max(0, channel + self.rng.randrange(-18, 19))) for channel in base)
        return red, green, blue


def _tag_order(tag: tuple[TagKind, str]) -> tuple[str, str]:
    return tag[0].value, tag[1]
