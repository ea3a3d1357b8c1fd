"""Idempotent mutations over HTTP: a POST to /graphql that carries ``Idempotency-Key`` and runs a mutation is run
once per caller and key; a repeat within 24 hours gets the first answer again (``Idempotent-Replayed: true``).

The wrapper sees the final answer; the view knows the caller. So the wrapper leaves a ``KeyGuard`` on the
request's state, and ``GraphQLView.get_context`` asks it to claim the key once the caller is authenticated
(no second authentication). A refusal or a replay is raised from there as ``KeyAnswer`` and sent by the
wrapper, without the operation running.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
)
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lensgraph.app.services import Services
from lensgraph.domain import idempotency as rules
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.resolvers.auth import caller_of
from lensgraph.resolvers.context import Context
from lensgraph.resolvers.idempotency import Claim, StoredAnswer, claim_key, release_key, settle_key
from lensgraph.schema.extensions import PARSE_CACHE_SIZE, ParseCache

log = logging.getLogger(__name__)

REPLAYED_HEADER = "Idempotent-Replayed"
# Of the stored answer's headers, those a replay repeats; the rest (request id, rate) are the replay's own.
KEPT_HEADERS = ("content-type",)
FRESH_HEADERS = ("x-request-id", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")
STATUS_OF_REFUSAL = {ErrorCode.IDEMPOTENCY_KEY_REUSED: 422, ErrorCode.CONFLICT: 409}


class KeyAnswer(Exception):
    """The request is answered from its key (a replay) or refused because of it, without running."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class KeyGuard:
    """One keyed POST's idempotency: claims the key when the operation is a mutation, then settles it."""

    def __init__(self, services: Services, raw_key: str, parse: Callable[[str], DocumentNode]) -> None:
        self.services = services
        self.raw_key = raw_key
        self.parse = parse
        self.held: Claim | None = None

    async def claim(self, request: Request, context: Context, response: Response) -> None:
        """Called by the view once the caller is known; raises ``KeyAnswer`` to answer without running."""
        operation = await self._keyed_operation(request)
        if operation is None:
            return
        try:
            key = rules.checked_key(self.raw_key)
            held = await claim_key(self.services, caller_of(context.viewer, context.client_ip), key, operation)
        except DomainError as refused:
            raise KeyAnswer(_refusal(refused, response)) from None
        if isinstance(held, StoredAnswer):
            raise KeyAnswer(_replay(held, response))
        self.held = held
        context.idempotency_key = held.request_key

    async def settle(self, sent: list[Message]) -> None:
        assert self.held is not None
        start = next(message for message in sent if message["type"] == "http.response.start")
        body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
        headers = Headers(raw=start.get("headers", []))
        kept = {name: headers[name] for name in KEPT_HEADERS if name in headers}
        try:
            decoded = orjson.loads(body)
        except orjson.JSONDecodeError:
            decoded = None
        await settle_key(
            self.services, self.held, start["status"], kept, body, decoded if isinstance(decoded, dict) else None
        )

    async def release(self) -> None:
        if self.held is not None:
            await release_key(self.services, self.held)

    async def _keyed_operation(self, request: Request) -> str | None:
        """The request's fingerprint when it runs a mutation the header applies to; None for anything else (queries,
        mutations that hand out secrets, documents that do not parse: the view answers those as usual)."""
        try:
            data: Any = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return None
        if not isinstance(data, dict) or not isinstance(query := data.get("query"), str):
            return None
        name, variables = data.get("operationName"), data.get("variables")
        try:
            document = self.parse(query)
        except GraphQLError:
            return None
        operation = get_operation_ast(document, name if isinstance(name, str) else None)
        if operation is None or operation.operation is not OperationType.MUTATION:
            return None
        if _root_fields(document, operation.selection_set, set()) & rules.SECRET_BEARING_MUTATIONS:
            return None
        return rules.fingerprint(
            query, name if isinstance(name, str) else None, variables if isinstance(variables, dict) else None
        )


class IdempotentMutations:
    """ASGI wrapper of the GraphQL view for keyed POSTs; everything else goes straight through."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services
        # Strawberry's shared cache, with the options the schema parses with: the view's parse is then a hit.
        cached = ParseCache(maxsize=PARSE_CACHE_SIZE).cached_parse_document
        self.parse: Callable[[str], DocumentNode] = partial(cached, max_tokens=services.settings.max_tokens)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_key = Headers(scope=scope).get("idempotency-key") if scope["type"] == "http" else None
        if raw_key is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        guard = KeyGuard(self.services, raw_key, self.parse)
        scope.setdefault("state", {})["idempotency"] = guard
        sent: list[Message] = []

        async def keep(message: Message) -> None:
            sent.append(message)

        try:
            await self.app(scope, receive, keep)
        except KeyAnswer as answer:
            await answer.response(scope, receive, send)
            return
        except BaseException:
            await guard.release()
            raise
        if guard.held is not None:
            await guard.settle(sent)
        for message in sent:
            await send(message)


def _root_fields(document: DocumentNode, selection_set: SelectionSetNode, spread: set[str]) -> set[str]:
    """The names of the fields an operation runs at its root, through fragments too."""
    names: set[str] = set()
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            names |= _root_fields(document, selection.selection_set, spread)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in spread:
            spread.add(selection.name.value)
            for definition in document.definitions:
                if isinstance(definition, FragmentDefinitionNode) and definition.name.value == selection.name.value:
                    names |= _root_fields(document, definition.selection_set, spread)
    return names


def _fresh(response: Response) -> dict[str, str]:
    return {name: response.headers[name] for name in FRESH_HEADERS if name in response.headers}


def _replay(stored: StoredAnswer, response: Response) -> Response:
    headers = {**stored.headers, **_fresh(response), REPLAYED_HEADER: "true"}
    return Response(stored.body, status_code=stored.status, headers=headers)


def _refusal(refused: DomainError, response: Response) -> Response:
    extensions: dict[str, Any] = {"code": refused.code.value}
    if refused.field:
        extensions["field"] = refused.field
    body = orjson.dumps({"errors": [{"message": refused.message, "extensions": extensions}]})
    status = STATUS_OF_REFUSAL.get(refused.code, 400)
    return Response(body, status_code=status, media_type=response.media_type, headers=_fresh(response))
