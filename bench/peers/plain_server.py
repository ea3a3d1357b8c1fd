"""The plain Python baseline: Starlette + asyncpg + orjson, one SQL statement per request, no GraphQL, no ORM.

Each route answers one workload with the rows and the JSON of Lensgraph's answer: the same global ids and
cursors (Lensgraph's own encoders) and thumbnail URLs signed by Lensgraph's file storage with the same key
(an HMAC, no I/O), so for the same data the bytes are Lensgraph's but for the signatures' expiry. It shows
what Python, asyncpg and one round trip cost for the same answer. Configured by the environment:
``BENCH_PLAIN_DATABASE_URL``, ``BENCH_PLAIN_SECRET_KEY``, ``BENCH_PLAIN_PUBLIC_URL`` (the files' address).

Routes (POST): /browse?first=N, /detail {"variables": {"id"}}, /nested?username=U, /deep,
/mutation {"variables": {"userId", "input": {title, slug, description, visibility}}}; GET /healthz.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lensgraph.adapters.storage.local import LocalStorage
from lensgraph.domain.global_ids import encode as global_id
from lensgraph.domain.pagination import encode_cursor
from lensgraph.domain.photos import RENDITION_TYPE
from lensgraph.schema.photos import URL_LIFETIME

READY_PUBLIC = "p.status = 'READY' AND p.visibility = 'PUBLIC'"
NEWEST = "ORDER BY p.created_at DESC, p.id DESC"
BROWSE = f"""SELECT p.id, p.title, p.width, p.height, p.orientation, p.colors, p.keywords, p.created_at,
  p.thumbnail_key, u.username FROM photos p JOIN users u ON u.id = p.user_id WHERE {READY_PUBLIC} {NEWEST} LIMIT $1"""
DETAIL = f"""SELECT p.id, p.title, p.description, p.keywords, p.auto_keywords, p.category, p.visibility, p.status,
  p.width, p.height, p.orientation, p.colors, p.captured_at, p.created_at, u.username, u.first_name, u.last_name
  FROM photos p JOIN users u ON u.id = p.user_id WHERE p.id = $1 AND {READY_PUBLIC}"""
# The owner's first 20 collections and the first 20 photos of each (by position), in one statement.
NESTED = """WITH firsts AS (SELECT c.id, c.title, c.created_at FROM collections c
    WHERE c.user_id = (SELECT id FROM users WHERE username = $1) ORDER BY c.created_at DESC, c.id DESC LIMIT 20),
  ranked AS (SELECT m.collection_id, p.id, p.title, u.username,
    row_number() OVER (PARTITION BY m.collection_id ORDER BY m.position, m.photo_id) AS rank
    FROM collection_photos m JOIN photos p ON p.id = m.photo_id JOIN users u ON u.id = p.user_id
    WHERE m.collection_id IN (SELECT id FROM firsts))
  SELECT f.id AS collection_id, f.title AS collection_title, r.id, r.title, r.username FROM firsts f
  LEFT JOIN ranked r ON r.collection_id = f.id AND r.rank <= 20
  ORDER BY f.created_at DESC, f.id DESC, r.rank"""
DEEP_PAGE = 100
DEEP = f"""SELECT p.id, p.title, p.description, p.width, p.height, p.orientation, p.category, p.status, p.created_at,
  p.captured_at FROM photos p WHERE {READY_PUBLIC} {NEWEST} LIMIT {DEEP_PAGE + 1}"""
CREATE = """INSERT INTO collections (id, user_id, title, slug, description, visibility, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id, title, slug, visibility"""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _answer(data: dict[str, Any]) -> Response:
    return Response(orjson.dumps({"data": data}), media_type="application/json")


async def _json_columns(connection: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):
        await connection.set_type_codec(
            kind, encoder=lambda value: orjson.dumps(value).decode(), decoder=orjson.loads, schema="pg_catalog"
        )


async def _nothing_to_reset(_connection: asyncpg.Connection) -> None:
    """No route changes its session (no SET, no LISTEN, no transaction left open), so asyncpg's reset query on
    every release (four statements, one round trip) would only cost time."""


class PlainBaseline:
    """The routes, over one asyncpg pool and Lensgraph's URL signer."""

    def __init__(self, database_url: str, secret_key: str, public_url: str, files_root: Path) -> None:
        self.database_url = database_url.replace("postgresql+asyncpg://", "postgresql://")
        self.storage = LocalStorage(files_root, secret_key.encode(), public_url)
        self._pool: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the pool opens with the app's lifespan")
        return self._pool

    @asynccontextmanager
    async def lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        async with asyncpg.create_pool(
            self.database_url, min_size=4, max_size=16, init=_json_columns, reset=_nothing_to_reset
        ) as pool:
            self._pool = pool
            yield

    async def _thumbnail(self, key: str | None) -> str | None:
        if not key:
            return None
        url: str = await self.storage.presign_download(key, expires_in=URL_LIFETIME, media_type=RENDITION_TYPE)
        return url

    async def browse(self, request: Request) -> Response:
        rows = await self.pool.fetch(BROWSE, int(request.query_params.get("first", "50")))
        edges = [
            {
                "node": {
                    "id": global_id("Photo", row["id"]),
                    "title": row["title"],
                    "width": row["width"],
                    "height": row["height"],
                    "orientation": row["orientation"],
                    "colors": row["colors"],
                    "keywords": row["keywords"],
                    "createdAt": _iso(row["created_at"]),
                    "photographer": {"username": row["username"]},
                    "thumbnailUrl": await self._thumbnail(row["thumbnail_key"]),
                }
            }
            for row in rows
        ]
        return _answer({"photos": {"edges": edges}})

    async def detail(self, request: Request) -> Response:
        photo_id = orjson.loads(await request.body())["variables"]["id"]
        row = await self.pool.fetchrow(DETAIL, uuid.UUID(photo_id))
        if row is None:
            return _answer({"node": None})
        # faceCount and exif are null, as Lensgraph answers anyone but the photo's owner.
        node = {
            "id": global_id("Photo", row["id"]),
            **{name: row[column] for name, column in DETAIL_SCALARS},
            "capturedAt": _iso(row["captured_at"]),
            "createdAt": _iso(row["created_at"]),
            "faceCount": None,
            "exif": None,
            "photographer": {
                "username": row["username"],
                "firstName": row["first_name"],
                "lastName": row["last_name"],
            },
        }
        return _answer({"node": node})

    async def nested(self, request: Request) -> Response:
        collections: dict[uuid.UUID, dict[str, Any]] = {}
        for row in await self.pool.fetch(NESTED, request.query_params.get("username", "")):
            collection = collections.setdefault(
                row["collection_id"], {"title": row["collection_title"], "photos": {"edges": []}}
            )
            if row["id"] is not None:
                node = {"id": global_id("Photo", row["id"]), "title": row["title"]}
                collection["photos"]["edges"].append({"node": {**node, "photographer": {"username": row["username"]}}})
        edges = [{"node": collection} for collection in collections.values()]
        return _answer({"viewer": {"collections": {"edges": edges}}})

    async def deep(self, _request: Request) -> Response:
        found = await self.pool.fetch(DEEP)
        page = found[:DEEP_PAGE]
        end_cursor = encode_cursor((page[-1]["created_at"].isoformat(), str(page[-1]["id"]))) if page else None
        edges = [
            {
                "node": {
                    "id": global_id("Photo", row["id"]),
                    **{name: row[column] for name, column in DEEP_SCALARS},
                    "createdAt": _iso(row["created_at"]),
                    "capturedAt": _iso(row["captured_at"]),
                }
            }
            for row in page
        ]
        page_info = {"endCursor": end_cursor, "hasNextPage": len(found) > DEEP_PAGE}
        return _answer({"photos": {"pageInfo": page_info, "edges": edges}})

    async def mutation(self, request: Request) -> Response:
        variables = orjson.loads(await request.body())["variables"]
        given = variables["input"]
        row = await self.pool.fetchrow(
            CREATE,
            uuid.uuid4(),
            uuid.UUID(variables["userId"]),
            given["title"],
            given["slug"],
            given.get("description") or "",
            given.get("visibility") or "PRIVATE",
            datetime.now(UTC),
        )
        collection = {
            "id": global_id("Collection", row["id"]),
            "title": row["title"],
            "slug": row["slug"],
            "visibility": row["visibility"],
        }
        return _answer({"createCollection": {"collection": collection, "userErrors": []}})

    async def healthz(self, _request: Request) -> Response:
        return _answer({"ok": True})

    def app(self) -> Starlette:
        routes = [
            Route(f"/{handler.__name__}", handler, methods=["POST"])
            for handler in (self.browse, self.detail, self.nested, self.deep, self.mutation)
        ]
        return Starlette(routes=[*routes, Route("/healthz", self.healthz)], lifespan=self.lifespan)


# (GraphQL field, column) of the scalars copied as they are, in the order of Lensgraph's answer.
DETAIL_SCALARS = (
    ("title", "title"),
    ("description", "description"),
    ("keywords", "keywords"),
    ("autoKeywords", "auto_keywords"),
    ("category", "category"),
    ("visibility", "visibility"),
    ("status", "status"),
    ("width", "width"),
    ("height", "height"),
    ("orientation", "orientation"),
    ("colors", "colors"),
)
DEEP_SCALARS = (
    ("title", "title"),
    ("description", "description"),
    ("width", "width"),
    ("height", "height"),
    ("orientation", "orientation"),
    ("category", "category"),
    ("status", "status"),
)


def create_app() -> Starlette:
    """The uvicorn factory: ``uvicorn --factory bench.peers.plain_server:create_app``."""
    files_root = Path(tempfile.gettempdir()) / "lensgraph-bench-plain-files"
    baseline = PlainBaseline(
        os.environ["BENCH_PLAIN_DATABASE_URL"],
        os.environ["BENCH_PLAIN_SECRET_KEY"],
        os.environ["BENCH_PLAIN_PUBLIC_URL"],
        files_root,
    )
    return baseline.app()
