"""Reads a CDN may cache: Apollo's automatic persisted queries (a document sent once, then named by its SHA-256
over GET), and the caching headers of GET answers.

Persisted documents are kept in this process's memory (least recently used go past ``MAX_DOCUMENTS``). With
several API nodes, a node that has not seen a document answers PERSISTED_QUERY_NOT_FOUND and the client sends it
again with its hash, as the protocol expects: nothing is lost but one round trip per node and document.

Only an anonymous GET of a query is public (``Cache-Control: public, max-age=120``, an ``ETag``, 304 on a matching
``If-None-Match``): an answer to a credential depends on its caller and is marked ``private, no-store``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import orjson
from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from lensgraph.domain.errors import ErrorCode

PUBLIC_MAX_AGE_SECONDS = 120
MAX_DOCUMENTS = 10_000
# The credentials a request may carry: an answer to any of them is the caller's own.
CREDENTIAL_HEADERS = ("authorization", "x-api-key", "x-gallery-token", "cookie")
# Exactly what Apollo's clients look for (message or code) before sending the document with its hash.
NOT_FOUND_BODY = orjson.dumps(
    {
        "errors": [
            {"message": "PersistedQueryNotFound", "extensions": {"code": ErrorCode.PERSISTED_QUERY_NOT_FOUND.value}}
        ]
    }
)


class PersistedQueries:
    """Documents by the hex SHA-256 of their text, as Apollo's clients name them."""

    def __init__(self, max_documents: int = MAX_DOCUMENTS) -> None:
        self._documents: OrderedDict[str, str] = OrderedDict()
        self._max = max_documents

    def get(self, sha256: str) -> str | None:
        document = self._documents.get(sha256)
        if document is not None:
            self._documents.move_to_end(sha256)
        return document

    def put(self, sha256: str, document: str) -> None:
        self._documents[sha256] = document
        self._documents.move_to_end(sha256)
        while len(self._documents) > self._max:
            self._documents.popitem(last=False)


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str
    code: ErrorCode | None = None

    def response(self) -> Response:
        if self.code is None:
            body = NOT_FOUND_BODY
        else:
            body = orjson.dumps({"errors": [{"message": self.message, "extensions": {"code": self.code.value}}]})
        # 200 for an unknown hash, as Apollo Server answers: the client then sends the document with its hash.
        return Response(
            body, status_code=self.status, media_type="application/json", headers={"Cache-Control": "no-store"}
        )


PERSISTED_QUERY_NOT_FOUND = Refusal(200, "PersistedQueryNotFound")


def persisted_hash(extensions: object) -> str | Refusal | None:
    """The SHA-256 named by ``extensions.persistedQuery`` (None when the request names none)."""
    if not isinstance(extensions, dict) or "persistedQuery" not in extensions:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        return Refusal(400, "extensions.persistedQuery must be {version: 1, sha256Hash}.", ErrorCode.INVALID_INPUT)
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        return Refusal(400, "sha256Hash must be 64 lowercase hex digits.", ErrorCode.INVALID_INPUT)
    return sha256


def resolve(store: PersistedQueries, query: object, extensions: object) -> str | Refusal | None:
    """The document to run: the one sent (stored under its hash when it names one), or the stored one."""
    sha256 = persisted_hash(extensions)
    if sha256 is None or isinstance(sha256, Refusal):
        return sha256 if isinstance(sha256, Refusal) else (query if isinstance(query, str) else None)
    if isinstance(query, str) and query:
        if not hmac.compare_digest(hashlib.sha256(query.encode()).hexdigest(), sha256):
            return Refusal(400, "provided sha does not match query", ErrorCode.HASH_MISMATCH)
        store.put(sha256, query)
        return query
    return store.get(sha256) or PERSISTED_QUERY_NOT_FOUND


def apply_to_get(store: PersistedQueries, request: Request, scope: Scope) -> Refusal | None:
    """A GET naming a persisted document gets its text in its query string, as if it had been sent."""
    params = request.query_params
    if "extensions" not in params:
        return None
    try:
        extensions = orjson.loads(params["extensions"])
    except orjson.JSONDecodeError:
        return Refusal(400, "extensions must be a JSON object.", ErrorCode.INVALID_INPUT)
    found = resolve(store, params.get("query"), extensions)
    if isinstance(found, Refusal):
        return found
    if found is not None and "query" not in params:
        pairs = [(key, value) for key, value in params.multi_items() if key != "extensions"]
        scope["query_string"] = urlencode([*pairs, ("query", found)]).encode()
    return None


@dataclass(frozen=True)
class Posted:
    """A POST's body, decoded once: its JSON object (None when the body is no JSON object, for strawberry to
    answer) beside the bytes strawberry reads again."""

    body: bytes
    data: dict[str, Any] | None

    @classmethod
    def of(cls, body: bytes) -> Posted:
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return cls(body, None)
        return cls(body, data if isinstance(data, dict) else None)


def apply_to_post(store: PersistedQueries, posted: Posted) -> Posted | Refusal:
    """The POST, with the persisted document's text added when it names one and sent none."""
    data = posted.data
    if data is None or "extensions" not in data:
        return posted
    found = resolve(store, data.get("query"), data.get("extensions"))
    if isinstance(found, Refusal):
        return found
    if found is not None and not data.get("query"):
        data = {**data, "query": found}
        return Posted(orjson.dumps(data), data)
    return posted


# Which operation a request runs: to count it as a read or a write before it runs --------------------------------


@lru_cache(maxsize=1024)
def _operation_types(document: str) -> tuple[tuple[str | None, OperationType], ...] | None:
    try:
        parsed = parse(document, no_location=True)
    except GraphQLError:
        return None
    return tuple(
        (node.name.value if node.name else None, node.operation)
        for node in parsed.definitions
        if isinstance(node, OperationDefinitionNode)
    )


def is_mutation(document: object, operation_name: object) -> bool:
    """Whether the operation a request names (or its only one) is a mutation; a document that does not parse
    is a read (it runs nothing). Parsed once per distinct document (an LRU of the last 1,024)."""
    if not isinstance(document, str):
        return False
    operations = _operation_types(document)
    if not operations:
        return False
    if len(operations) == 1:
        return operations[0][1] is OperationType.MUTATION
    return any(name == operation_name and kind is OperationType.MUTATION for name, kind in operations)


def request_document(request: Request, posted: Posted | None) -> tuple[object, object]:
    """The document and operation name of a GET (query string) or POST (JSON body)."""
    if posted is None:
        return request.query_params.get("query"), request.query_params.get("operationName")
    if posted.data is None:
        return None, None
    return posted.data.get("query"), posted.data.get("operationName")


# Caching headers -------------------------------------------------------------------------------------------------


def carries_credential(headers: Mapping[str, str]) -> bool:
    return any(headers.get(name) for name in CREDENTIAL_HEADERS)


def mark_cacheable(request: Request, response: Response) -> Response:
    """Public caching for an anonymous GET answered 200 without errors; private otherwise (GET only: a POST is
    never cached by anyone)."""
    if request.method not in {"GET", "HEAD"} or "json" not in response.headers.get("content-type", ""):
        return response  # a POST, or not a GraphQL answer (the GraphiQL page keeps its own caching)
    data = _answer(response) if response.status_code == 200 and not carries_credential(request.headers) else None
    if data is None:
        response.headers["Cache-Control"] = "private, no-store"
        return response
    # The cost report's throttleStatus is the caller's own bucket; the RateLimit-* counts and the request id
    # are this caller's too: a shared cache must not hand them to others.
    data.pop("extensions", None)
    body = orjson.dumps(data)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "Cache-Control": f"public, max-age={PUBLIC_MAX_AGE_SECONDS}",
        "ETag": etag,
        "Vary": "Accept",
    }
    if etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return Response(
        body,
        status_code=200,
        media_type=response.media_type,
        headers={**headers, "content-type": response.headers.get("content-type", "application/json")},
    )


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _answer(response: Response) -> dict[str, Any] | None:
    """The answer's JSON when it is data without errors (what may be shared), else None."""
    try:
        data: Any = orjson.loads(bytes(response.body))
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict) or data.get("errors") or "data" not in data:
        return None
    return data
