"""What each system is sent for each workload, and the rows its answer holds, to check they are the same.

Lensgraph gets its GraphQL documents; PostGraphile 5 (amber preset) the documents its schema offers for the
same rows; the plain baseline one route per workload. ``browse10`` and ``browse100`` are browse at other
page sizes, for the cost per row. ``rows`` reduces an answer of any system to comparable tuples.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from bench.peers.loadgen import RequestSource, http_request
from lensgraph.domain import global_ids

WORKLOADS = ("browse", "detail", "nested", "deep", "mutation")
COST_PAGES = {"browse10": 10, "browse": 50, "browse100": 100}
ALL_WORKLOADS = (*WORKLOADS, "browse10", "browse100")
CURATOR, WRITER = "bench-curator", "photographer-0003"
LOAD_TEST = "Load test"  # every collection the mutation workload makes has this description
# Each system's slugs have their own prefix, so a cleanup removes exactly what the load made.
SLUG_PREFIX = {"lensgraph": "bench-l-", "postgraphile": "bench-p-", "plain": "bench-r-"}

LG_PHOTO = "id title width height orientation colors keywords createdAt photographer { username } thumbnailUrl"
PGL_PHOTO = "id: rowId title width height orientation colors keywords createdAt userByUserId { username } thumbnailKey"
PGL_NEWEST = 'condition: {status: "READY"}, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]'
DEEP_FIELDS = "title description width height orientation category status createdAt capturedAt"
DETAIL_FIELDS = (
    "title description keywords autoKeywords category visibility status width height orientation colors "
    "capturedAt createdAt faceCount exif"
)
LG_NESTED = (
    "query Nested { viewer { collections(first: 20) { edges { node { title photos(first: 20) "
    "{ edges { node { id title photographer { username } } } } } } } } }"
)
PGL_NESTED = (
    f'query Nested {{ userByUsername(username: "{CURATOR}") {{ collectionsByUserId(first: 20, '
    "orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) { edges { node { title collectionPhotosByCollectionId(first: 20, "
    "orderBy: [POSITION_ASC, PHOTO_ID_ASC]) { edges { node { photoByPhotoId { id: rowId title "
    "userByUserId { username } } } } } } } } } }"
)
LG_CREATE = (
    "mutation Create($input: CreateCollectionInput!) { createCollection(input: $input) "
    "{ collection { id title slug visibility } userErrors { field code message } } }"
)
PGL_CREATE = (
    "mutation Create($input: CreateCollectionInput!) { createCollection(input: $input) "
    "{ collection { id: rowId title slug visibility } } }"
)


@dataclass(frozen=True)
class Spec:
    """One workload for one system: where it is posted, the n-th body, and how many distinct bodies there are
    (1: always the same; None: a new one every time, as the mutation needs)."""

    path: str
    body: Callable[[int], dict[str, Any]]
    distinct: int | None = 1
    token: str | None = None

    def requests(self, host: str, port: int) -> RequestSource:
        """The request source the load driver pulls from: prepared bytes when they repeat."""

        def request(number: int) -> bytes:
            return http_request(host, port, self.path, orjson.dumps(self.body(number)), self.token)

        if self.distinct is None:
            counter = itertools.count()
            return lambda: request(next(counter))
        prepared = itertools.cycle([request(number) for number in range(self.distinct)])
        return lambda: next(prepared)


@dataclass(frozen=True)
class Inputs:
    """What the workloads need from the database and from Lensgraph's sign-in."""

    photo_ids: list[uuid.UUID]  # the newest 100 READY public photos: detail walks them
    writer_id: uuid.UUID
    curator_token: str
    writer_token: str


def _graphql(document: str, variables: dict[str, Any] | None = None) -> Callable[[int], dict[str, Any]]:
    return lambda _number: {"query": document, "variables": variables or {}}


def _collection(system: str) -> dict[str, Any]:
    slug = f"{SLUG_PREFIX[system]}{uuid.uuid4().hex}"
    return {"title": f"Bench collection {slug[-6:]}", "slug": slug, "description": LOAD_TEST, "visibility": "PUBLIC"}


def lensgraph(inputs: Inputs) -> dict[str, Spec]:
    def browse(first: int) -> Spec:
        document = f"query Browse {{ photos(first: {first}, orderBy: NEWEST) {{ edges {{ node {{ {LG_PHOTO} }} }} }} }}"
        return Spec("/graphql", _graphql(document))

    detail = (
        f"query Detail($id: ID!) {{ node(id: $id) {{ ... on Photo {{ id {DETAIL_FIELDS} "
        "photographer { username firstName lastName } } } }"
    )
    ids = [global_ids.encode("Photo", photo_id) for photo_id in inputs.photo_ids]
    deep = (
        "query Deep { photos(first: 100, orderBy: NEWEST) { pageInfo { endCursor hasNextPage } "
        f"edges {{ node {{ id {DEEP_FIELDS} }} }} }} }}"
    )
    return {
        **{name: browse(first) for name, first in COST_PAGES.items()},
        "detail": Spec(
            "/graphql", lambda n: {"query": detail, "variables": {"id": ids[n % len(ids)]}}, distinct=len(ids)
        ),
        "nested": Spec("/graphql", _graphql(LG_NESTED), token=inputs.curator_token),
        "deep": Spec("/graphql", _graphql(deep)),
        "mutation": Spec(
            "/graphql",
            lambda _n: {"query": LG_CREATE, "variables": {"input": _collection("lensgraph")}},
            distinct=None,
            token=inputs.writer_token,
        ),
    }


def postgraphile(inputs: Inputs) -> dict[str, Spec]:
    def browse(first: int) -> Spec:
        document = (
            f"query Browse {{ allPhotos(first: {first}, {PGL_NEWEST}) {{ edges {{ node {{ {PGL_PHOTO} }} }} }} }}"
        )
        return Spec("/graphql", _graphql(document))

    detail = (
        f"query Detail($id: UUID!) {{ photoByRowId(rowId: $id) {{ id: rowId {DETAIL_FIELDS} "
        "userByUserId { username firstName lastName } } }"
    )
    ids = [str(photo_id) for photo_id in inputs.photo_ids]
    deep = (
        f"query Deep {{ allPhotos(first: 100, {PGL_NEWEST}) {{ pageInfo {{ endCursor hasNextPage }} "
        f"edges {{ node {{ id: rowId {DEEP_FIELDS} }} }} }} }}"
    )

    def create(_number: int) -> dict[str, Any]:
        # The project's models set the id and the timestamps in Python: the table has no defaults to rely on.
        now = datetime.now(UTC).isoformat()
        row = {"rowId": str(uuid.uuid4()), "userId": str(inputs.writer_id), "createdAt": now, "updatedAt": now}
        return {"query": PGL_CREATE, "variables": {"input": {"collection": {**_collection("postgraphile"), **row}}}}

    return {
        **{name: browse(first) for name, first in COST_PAGES.items()},
        "detail": Spec(
            "/graphql", lambda n: {"query": detail, "variables": {"id": ids[n % len(ids)]}}, distinct=len(ids)
        ),
        "nested": Spec("/graphql", _graphql(PGL_NESTED)),
        "deep": Spec("/graphql", _graphql(deep)),
        "mutation": Spec("/graphql", create, distinct=None),
    }


def plain(inputs: Inputs) -> dict[str, Spec]:
    ids = [str(photo_id) for photo_id in inputs.photo_ids]
    return {
        **{name: Spec(f"/browse?first={first}", lambda _n: {}) for name, first in COST_PAGES.items()},
        "detail": Spec("/detail", lambda n: {"variables": {"id": ids[n % len(ids)]}}, distinct=len(ids)),
        "nested": Spec(f"/nested?username={CURATOR}", lambda _n: {}),
        "deep": Spec("/deep", lambda _n: {}),
        "mutation": Spec(
            "/mutation",
            lambda _n: {"variables": {"userId": str(inputs.writer_id), "input": _collection("plain")}},
            distinct=None,
        ),
    }


SPECS: dict[str, Callable[[Inputs], dict[str, Spec]]] = {
    "lensgraph": lensgraph,
    "postgraphile": postgraphile,
    "plain": plain,
}


# Comparing answers ------------------------------------------------------------------------------------------


def raw_id(value: str) -> str:
    """A global id to its key; PostGraphile's rowId as it is."""
    try:
        return str(global_ids.decode(value)[1])
    except ValueError:
        return value


def _instant(value: str | None) -> str | None:
    return None if value is None else datetime.fromisoformat(value).astimezone(UTC).isoformat()


def _who(node: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = node.get("photographer") or node.get("userByUserId") or {}
    return found


def _photos(data: dict[str, Any]) -> list[dict[str, Any]]:
    connection = data.get("photos") or data["allPhotos"]
    return [edge["node"] for edge in connection["edges"]]


def _nested_rows(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    if "viewer" in data:
        collections = [edge["node"] for edge in data["viewer"]["collections"]["edges"]]
        photos = [[edge["node"] for edge in c["photos"]["edges"]] for c in collections]
    else:
        collections = [edge["node"] for edge in data["userByUsername"]["collectionsByUserId"]["edges"]]
        photos = [
            [edge["node"]["photoByPhotoId"] for edge in c["collectionPhotosByCollectionId"]["edges"]]
            for c in collections
        ]
    found: list[tuple[Any, ...]] = [("collections", len(collections))]
    for collection, members in zip(collections, photos, strict=True):
        found += [(collection["title"], raw_id(p["id"]), p["title"], _who(p)["username"]) for p in members]
    return found


def rows(workload: str, data: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of an answer, the same tuples whichever system gave it (ids as raw UUIDs, instants in UTC)."""
    if workload in COST_PAGES or workload == "deep":
        return [(raw_id(n["id"]), n["title"], _instant(n["createdAt"])) for n in _photos(data)]
    if workload == "detail":
        n = data.get("node") or data["photoByRowId"]
        # faceCount and exif are left out: Lensgraph shows them to the owner only, PostGraphile to anyone.
        return [
            (
                raw_id(n["id"]),
                *(n[name] for name in ("title", "description", "keywords", "autoKeywords", "width", "height")),
                n["colors"],
                _instant(n["createdAt"]),
                _instant(n["capturedAt"]),
                str(n["category"]).upper(),
                str(n["status"]).upper(),
                tuple(sorted(_who(n).items())),
            )
        ]
    if workload == "nested":
        return _nested_rows(data)
    if workload == "mutation":
        made = (data["createCollection"] or {}).get("collection") or {}
        return [(made.get("title", "")[:17], made.get("visibility"), made.get("slug", "")[:6])]
    raise ValueError(f"no rows for workload {workload}")
