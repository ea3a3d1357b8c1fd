"""Error shaping and the limits that refuse abusive documents before execution."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from graphql import (
    ASTValidationRule,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    ValidationContext,
    Visitor,
    visit,
)
from starlette.websockets import WebSocket
from strawberry.extensions import ParserCache, SchemaExtension
from strawberry.types.graphql import OperationType as ExecutedOperation

from lensgraph.adapters import logs, tracing
from lensgraph.adapters.metrics import GRAPHQL_OPERATIONS, labelled
from lensgraph.domain.errors import AccessDenied, DomainError, ErrorCode
from lensgraph.persistence.loaders import Loaders
from lensgraph.resolvers.context import Context

if TYPE_CHECKING:
    from lensgraph.adapters.otel import OperationSpan

log = logging.getLogger("lensgraph.errors")


def max_directives_rule(limit: int) -> type[ASTValidationRule]:
    """Refuses documents carrying more than ``limit`` directives (repeated-directive abuse)."""

    class MaxDirectives(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_directive(self, node: DirectiveNode, *_args: Any) -> None:
            self.count += 1
            if self.count == limit + 1:
                self.report_error(GraphQLError(f"The document has more than {limit} directives.", node))

    return MaxDirectives


def one_sensitive_mutation_rule(field_names: frozenset[str]) -> type[ASTValidationRule]:
    """Refuses an operation that would run more than one of ``field_names`` (sign-in, token, password and API-key
    mutations): each call is an attempt at a secret, and aliases would multiply attempts per request past
    every per-request limit. Fragments and inline fragments are followed; a field spread twice under one
    response key runs once and counts once."""
    listed = ", ".join(sorted(field_names))

    class OneSensitiveMutation(ASTValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> object:
            if node.operation is OperationType.MUTATION:
                response_keys: set[str] = set()
                self._collect(node.selection_set, response_keys, set())
                if len(response_keys) > 1:
                    self.report_error(
                        GraphQLError(
                            f"Send at most one of these mutations per request: {listed}"
                            f" (this operation has {len(response_keys)}).",
                            node,
                            extensions={"code": ErrorCode.INVALID_INPUT.value},
                        )
                    )
            return self.SKIP

        def _collect(self, selection_set: SelectionSetNode, found: set[str], spread: set[str]) -> None:
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    if selection.name.value in field_names:
                        found.add((selection.alias or selection.name).value)
                elif isinstance(selection, InlineFragmentNode):
                    self._collect(selection.selection_set, found, spread)
                elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in spread:
                    spread.add(selection.name.value)  # also stops fragment cycles (another rule reports them)
                    fragment = self.context.get_fragment(selection.name.value)
                    if fragment is not None:
                        self._collect(fragment.selection_set, found, spread)

    return OneSensitiveMutation


SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)


class HideSuggestions(SchemaExtension):
    """Production: no "Did you mean ...?" in any error (unknown fields, arguments, types, enum values, input
    fields): the hints would spell out the schema to someone probing it with introspection turned off."""

    def on_operation(self) -> Iterator[None]:
        yield
        self._strip(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        self._strip(result)
        yield

    def _strip(self, result: Any) -> None:
        for error in getattr(result, "errors", None) or []:
            error.message = SUGGESTION.sub("", error.message)


def holds_nul(value: Any) -> bool:
    """Whether a NUL character is in any text of ``value`` (variables, as JSON decoded)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(item) for item in value.values())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False


class RefuseNulText(SchemaExtension):
    """No text anyone types holds a NUL character, and PostgreSQL cannot store one: refuse it up front."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # A string literal holds NUL only through an escape (\u0000, \u{0}): most documents have none to visit.
        escapes = context.query is None or "\\u" in context.query
        if holds_nul(context.variables) or (document is not None and escapes and _literalholds_nul(document)):
            # A GraphQLError with its code: raised here, it skips ShapeErrors (the operation never ran).
            raise GraphQLError(
                "Text may not contain NUL (\\u0000) characters.", extensions={"code": ErrorCode.INVALID_INPUT.value}
            )
        yield


def _literalholds_nul(document: DocumentNode) -> bool:
    found = False

    class Find(Visitor):
        def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
            nonlocal found
            found = found or "\x00" in node.value

    visit(document, Find())
    return found


class FreshLoaders(SchemaExtension):
    """Loaders per operation. A WebSocket context lives as long as the socket: its loaders never cache across
    operations. A query's batches share one read session (one connection and transaction, read-only on PostgreSQL)
    for as long as it executes; a mutation's reads take sessions of their own, as its writes commit in between,
    and a subscription never holds one for the life of its socket."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context) and isinstance(context.request, WebSocket):
            context.loaders = Loaders(context.db)
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if not isinstance(context, Context) or self.execution_context.operation_type is not ExecutedOperation.QUERY:
            yield
            return
        async with context.loaders.sharing_one_session():
            yield


# Parsed documents kept across requests; anything parsing ahead of execution (idempotency) shares the cache.
PARSE_CACHE_SIZE = 256


class ParseCache(ParserCache):
    """Strawberry's parse cache, except that a document that does not parse is left for strawberry to parse
    again and report: raised from the cache, the syntax error would escape the operation, its error shaping
    (no ``extensions.code``) and its count."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
        yield


class OperationContext(SchemaExtension):
    """Names the operation in the request's log lines and, when tracing, in its span (``graphql.query
    PhotosBrowse``), which every SQL statement, outgoing request and queued job of it is traced under."""

    _span: OperationSpan | None = None

    def on_operation(self) -> Iterator[None]:
        request = getattr(self.execution_context.context, "request", None)
        with tracing.operation_span(getattr(request, "headers", None)) as span:
            self._span = span
            yield
            if span is not None:
                context = self.execution_context
                errors = getattr(context.result, "errors", None) or context.pre_execution_errors or []
                if errors:
                    span.failed({str((error.extensions or {}).get("code")) for error in errors})

    def on_execute(self) -> Iterator[None]:
        # Known once the document is parsed: the name sent, or the name of its only operation.
        context = self.execution_context
        logs.annotate(operation=context.operation_name)
        if self._span is not None:
            self._span.describe(context.operation_type.value, context.operation_name, context.query)
        yield


class CountOperations(SchemaExtension):
    """Counts operations by type and outcome. Listed before ``ShapeErrors``, it sees the errors shaped."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        try:
            operation_type = context.operation_type.value
        except Exception:  # a document that did not parse, or names no operation it has
            operation_type = "unknown"
        errors = getattr(context.result, "errors", None) or context.pre_execution_errors or []
        labelled(GRAPHQL_OPERATIONS, operation_type, operation_outcome(errors)).inc()


def operation_outcome(errors: Sequence[GraphQLError]) -> str:
    """How an operation ended, as counted: ``internal`` (a defect of ours), ``error`` or ``ok``."""
    codes = {(error.extensions or {}).get("code") for error in errors}
    return "internal" if ErrorCode.INTERNAL.value in codes else "error" if errors else "ok"


class ShapeErrors(SchemaExtension):
    """Gives every error an ``extensions.code``; masks unexpected exceptions as ``INTERNAL``.

    HTTP results are shaped when the operation ends; WebSocket results (every subscription event, and
    queries sent over the socket) are sent before that, so each is shaped as it streams out.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        self._shape_errors(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        self._shape_errors(result)
        yield

    def _shape_errors(self, result: Any) -> None:
        if result is None or not getattr(result, "errors", None):
            return
        request_id = getattr(self.execution_context.context, "request_id", None)
        result.errors = [self.shape(error, request_id) for error in result.errors]

    @staticmethod
    def shape(error: GraphQLError, request_id: str | None) -> GraphQLError:
        original = error.original_error
        if original is None:
            if (error.extensions or {}).get("code"):
                return error  # shaped already
            return _with_code(error, error.message, ErrorCode.INVALID_INPUT.value, error.extensions)
        if isinstance(original, AccessDenied | DomainError):
            extensions: dict[str, Any] = {"code": original.code.value}
            if isinstance(original, DomainError) and original.field:
                extensions["field"] = original.field
            return _with_code(error, original.message, original.code.value, extensions)
        if isinstance(original, GraphQLError):
            return _with_code(error, error.message, ErrorCode.INVALID_INPUT.value, error.extensions)
        log.error("unexpected error (request %s)", request_id, exc_info=original)
        return _with_code(
            error,
            f"Internal error. Quote request id {request_id} when reporting it.",
            ErrorCode.INTERNAL.value,
            {"requestId": request_id},
        )


def _with_code(error: GraphQLError, message: str, code: str, extensions: dict[str, Any] | None) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={**(extensions or {}), "code": code},
    )
