"""The workloads: a GraphQL document sent to the app, beside a raw baseline that returns the same JSON.

A baseline fetches the same rows with ONE SQL statement (Core, with the joins it needs) and serializes
them with orjson into the same shape: the floor that the API's figures are read against. Before any
timing, the harness checks that both return the same data, so a ratio never compares different work.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from bench.dataset import CURATOR_USERNAME, DEEP_USERNAME
from bench.harness import BenchApp, Exchange, Iteration, WorkloadFailed
from lensgraph.domain.pagination import decode_cursor, encode_cursor
from lensgraph.domain.photos import RENDITION_TYPE, PhotoStatus, Visibility
from lensgraph.persistence.models import Collection, CollectionPhoto, Photo, User
from lensgraph.schema.core import to_global_id
from lensgraph.schema.photos import URL_LIFETIME

PHOTOS = Photo.__table__
USERS = User.__table__
COLLECTIONS = Collection.__table__
COLLECTION_PHOTOS = CollectionPhoto.__table__

BROWSE_PAGE = 50
NESTED_COLLECTIONS = 20
NESTED_PHOTOS = 20
DEEP_PAGE = 100

BROWSE = """
query Browse {
  photos(first: 50, orderBy: NEWEST) {
    edges {
      node { id title width height orientation colors keywords createdAt photographer { username } thumbnailUrl }
    }
  }
}"""

NESTED = """
query Nested {
  viewer {
    collections(first: 20) {
      edges { node { title photos(first: 20) { edges { node { id title photographer { username } } } } } }
    }
  }
}"""

DEEP_LIST = """
query DeepList($cursor: String) {
  viewer {
    photos(first: 100, after: $cursor) {
      pageInfo { endCursor hasNextPage }
      edges { node { id title status } }
    }
  }
}"""


@dataclass(frozen=True)
class Workload:
    """One way of using the API, timed per request, and its baseline, timed the same way."""

    name: str
    through_api: Iteration
    baseline: Iteration


def _edges(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"node": node} for node in nodes]


# browse: the public catalogue, newest first ----------------------------------------------------


async def browse(app: BenchApp) -> Workload:
    """Anyone's first look: a page of 50 public photos with 10 fields each, one of them signed."""
    storage = app.services.storage

    async def through_api() -> list[Exchange]:
        return [await app.graphql(BROWSE)]

    async def rows(connection: AsyncConnection) -> bytes:
        photo, user = PHOTOS.c, USERS.c
        query = (
            select(
                photo.id,
                photo.title,
                photo.width,
                photo.height,
                photo.orientation,
                photo.colors,
                photo.keywords,
                photo.created_at,
                photo.thumbnail_key,
                user.username,
            )
            .join_from(PHOTOS, USERS, user.id == photo.user_id)
            .where(photo.status == PhotoStatus.READY, photo.visibility == Visibility.PUBLIC)
            .order_by(photo.created_at.desc(), photo.id.desc())
            .limit(BROWSE_PAGE)
        )
        nodes = [
            {
                "id": to_global_id("Photo", row.id),
                "title": row.title,
                "width": row.width,
                "height": row.height,
                "orientation": row.orientation.value if row.orientation else None,
                "colors": row.colors,
                "keywords": row.keywords,
                "createdAt": row.created_at.isoformat(),
                "photographer": {"username": row.username},
                "thumbnailUrl": (
                    await storage.presign_download(
                        row.thumbnail_key, expires_in=URL_LIFETIME, media_type=RENDITION_TYPE
                    )
                    if row.thumbnail_key
                    else None
                ),
            }
            for row in (await connection.execute(query)).all()
        ]
        return orjson.dumps({"data": {"photos": {"edges": _edges(nodes)}}})

    async def baseline() -> list[Exchange]:
        return [await app.raw(rows)]

    return Workload("browse", through_api, baseline)


# nested: a curator's collections and the photos in each -----------------------------------------


async def nested(app: BenchApp) -> Workload:
    """The curator's 20 collections x 20 photos x their photographer: one statement per collection and per
    photo would make 421; the owner sees every photo of theirs, whatever its status, so nothing is filtered."""
    curator = await app.sign_in(CURATOR_USERNAME)

    async def through_api() -> list[Exchange]:
        return [await app.graphql(NESTED, token=curator.access_token)]

    async def rows(connection: AsyncConnection) -> bytes:
        collection, member, photo, user = COLLECTIONS.c, COLLECTION_PHOTOS.c, PHOTOS.c, USERS.c
        first_collections = (
            select(collection.id, collection.title, collection.created_at)
            .where(collection.user_id == curator.user_id)
            .order_by(collection.created_at.desc(), collection.id.desc())
            .limit(NESTED_COLLECTIONS)
            .cte("first_collections")
        )
        ranked = (
            select(
                member.collection_id,
                photo.id,
                photo.title,
                user.username,
                func.row_number()
                .over(partition_by=member.collection_id, order_by=(member.position, member.photo_id))
                .label("rank"),
            )
            .join_from(COLLECTION_PHOTOS, PHOTOS, photo.id == member.photo_id)
            .join(USERS, user.id == photo.user_id)
            # IN rather than a join: SQLite would otherwise number every collection's photos, then filter.
            .where(member.collection_id.in_(select(first_collections.c.id)))
            .subquery("ranked")
        )
        query = (
            select(
                first_collections.c.id.label("collection_id"),
                first_collections.c.title.label("collection_title"),
                ranked.c.id,
                ranked.c.title,
                ranked.c.username,
            )
            .join_from(
                first_collections,
                ranked,
                (ranked.c.collection_id == first_collections.c.id) & (ranked.c.rank <= NESTED_PHOTOS),
                isouter=True,
            )
            .order_by(first_collections.c.created_at.desc(), first_collections.c.id.desc(), ranked.c.rank)
        )
        collections: dict[Any, dict[str, Any]] = {}
        for row in (await connection.execute(query)).all():
            photos = collections.setdefault(
                row.collection_id, {"title": row.collection_title, "photos": {"edges": []}}
            )["photos"]["edges"]
            if row.id is not None:
                node = {"id": to_global_id("Photo", row.id), "title": row.title}
                photos.append({"node": {**node, "photographer": {"username": row.username}}})
        viewer = {"collections": {"edges": _edges(list(collections.values()))}}
        return orjson.dumps({"data": {"viewer": viewer}})

    async def baseline() -> list[Exchange]:
        return [await app.raw(rows)]

    return Workload("nested", through_api, baseline)


# deep-list: every photo of a photographer with thousands, page by page ---------------------------


async def deep_list(app: BenchApp) -> Workload:
    """Walks all of one photographer's photos, 100 at a time, following ``endCursor``; timed per page."""
    owner = await app.sign_in(DEEP_USERNAME)

    async def through_api() -> list[Exchange]:
        exchanges: list[Exchange] = []
        cursor: str | None = None
        while True:
            body, sample = await app.graphql(DEEP_LIST, {"cursor": cursor}, owner.access_token)
            exchanges.append((body, sample))
            page_info = body["data"]["viewer"]["photos"]["pageInfo"]
            if not page_info["hasNextPage"]:
                return exchanges
            cursor = page_info["endCursor"]

    def page_after(after: tuple[datetime, UUID] | None) -> Callable[[AsyncConnection], Awaitable[bytes]]:
        async def rows(connection: AsyncConnection) -> bytes:
            photo = PHOTOS.c
            query = select(photo.id, photo.title, photo.status, photo.created_at).where(photo.user_id == owner.user_id)
            if after is not None:
                query = query.where(tuple_(photo.created_at, photo.id) < tuple_(*after))
            query = query.order_by(photo.created_at.desc(), photo.id.desc()).limit(DEEP_PAGE + 1)
            found = (await connection.execute(query)).all()
            page = found[:DEEP_PAGE]
            nodes = [
                {"id": to_global_id("Photo", row.id), "title": row.title, "status": row.status.value} for row in page
            ]
            end_cursor = encode_cursor((page[-1].created_at.isoformat(), str(page[-1].id))) if page else None
            photos = {
                "pageInfo": {"endCursor": end_cursor, "hasNextPage": len(found) > DEEP_PAGE},
                "edges": _edges(nodes),
            }
            return orjson.dumps({"data": {"viewer": {"photos": photos}}})

        return rows

    async def baseline() -> list[Exchange]:
        exchanges: list[Exchange] = []
        after: tuple[datetime, UUID] | None = None
        while True:
            body, sample = await app.raw(page_after(after))
            exchanges.append((body, sample))
            page_info = body["data"]["viewer"]["photos"]["pageInfo"]
            if not page_info["hasNextPage"]:
                return exchanges
            # The same cursor the API hands out, read back the way the API reads it.
            created_at, photo_id = decode_cursor(page_info["endCursor"], "after")
            after = datetime.fromisoformat(created_at), UUID(photo_id)

    return Workload("deep-list", through_api, baseline)


WORKLOADS: dict[str, Callable[[BenchApp], Awaitable[Workload]]] = {
    "browse": browse,
    "nested": nested,
    "deep-list": deep_list,
}


def check_same_answers(name: str, api: list[Exchange], baseline: list[Exchange], files_url: str) -> None:
    """Fails unless the API and the baseline returned the same JSON; signed URLs compare without signatures."""
    api_bodies = [unsigned(body, files_url) for body, _ in api]
    baseline_bodies = [unsigned(body, files_url) for body, _ in baseline]
    difference = first_difference(api_bodies, baseline_bodies, "responses")
    if difference:
        raise WorkloadFailed(f"{name}: the baseline does not return what the API returns: {difference}")
    if any(sample.statements != 1 for _, sample in baseline):
        raise WorkloadFailed(f"{name}: a baseline must send exactly one SQL statement per request")


def first_difference(api: Any, baseline: Any, path: str) -> str | None:
    if isinstance(api, dict) and isinstance(baseline, dict):
        if api.keys() != baseline.keys():
            return f"at {path}: the API has keys {sorted(api)}, the baseline {sorted(baseline)}"
        found = (first_difference(api[key], baseline[key], f"{path}.{key}") for key in api)
        return next((difference for difference in found if difference), None)
    if isinstance(api, list) and isinstance(baseline, list):
        if len(api) != len(baseline):
            return f"at {path}: the API has {len(api)} items, the baseline {len(baseline)}"
        pairs = enumerate(zip(api, baseline, strict=True))
        found = (first_difference(a, b, f"{path}[{index}]") for index, (a, b) in pairs)
        return next((difference for difference in found if difference), None)
    return None if api == baseline else f"at {path}: the API has {api!r}, the baseline {baseline!r}"


def unsigned(value: Any, files_url: str) -> Any:
    if isinstance(value, dict):
        return {key: unsigned(item, files_url) for key, item in value.items()}
    if isinstance(value, list):
        return [unsigned(item, files_url) for item in value]
    if isinstance(value, str) and value.startswith(files_url):
        return value.partition("?")[0]
    return value
