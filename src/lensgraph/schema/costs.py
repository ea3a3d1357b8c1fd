"""An operation's cost, priced from its document and the schema, charged to its caller's bucket; its time limits.

The walk over the document (which fields return objects, lists or connections) lives here because it reads
graphql-core types; the arithmetic and the bucket are the pure rules of ``domain/costs.py``.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    ExecutionResult as GraphQLExecutionResult,
)
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    OperationType,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    VariableNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    value_from_ast_untyped,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from lensgraph.adapters.metrics import RATE_LIMITED
from lensgraph.domain.costs import (
    MUTATION_COST,
    OBJECT_COST,
    Argument,
    Bucket,
    CostField,
    ItemCount,
    OperationCost,
    Spending,
)
from lensgraph.domain.errors import ErrorCode
from lensgraph.domain.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from lensgraph.resolvers.auth import settle_cost, take_cost
from lensgraph.resolvers.context import Context

log = logging.getLogger("lensgraph.operations")

Fields = tuple[CostField, ...]


def price_operation(schema: GraphQLSchema, document: Any, operation_name: str | None) -> OperationCost | None:
    """The priced selection of the operation ``operation_name`` names (or the only one); None for a
    subscription (long-lived, not priced) or a document naming no operation it has."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is OperationType.SUBSCRIPTION:
        return None
    root = schema.mutation_type if operation.operation is OperationType.MUTATION else schema.query_type
    if root is None:
        return None
    walk = _Walk(schema, document, operation)
    root_weight = MUTATION_COST if operation.operation is OperationType.MUTATION else OBJECT_COST
    return OperationCost(walk.selection([operation.selection_set], root, root_weight=root_weight))


class _Walk:
    def __init__(self, schema: GraphQLSchema, document: Any, operation: OperationDefinitionNode) -> None:
        self.schema = schema
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.defaults = {
            definition.variable.name.value: value_from_ast_untyped(definition.default_value)
            if definition.default_value is not None
            else None
            for definition in operation.variable_definitions or ()
        }

    def selection(
        self,
        selection_sets: Sequence[SelectionSetNode],
        parent: GraphQLNamedType,
        *,
        root_weight: int = OBJECT_COST,
        page: ItemCount | None = None,
    ) -> Fields:
        if not isinstance(parent, GraphQLObjectType):  # an interface: priced per concrete type (``variants``)
            raise TypeError(f"{parent} is abstract: price each of its types")
        by_key: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            self._collect(selection_set, parent, by_key, set())
        fields = (self._field(key, nodes, parent, root_weight, page) for key, nodes in by_key.items())
        return tuple(field for field in fields if field is not None)

    def _collect(
        self,
        selection_set: SelectionSetNode,
        runtime_type: GraphQLObjectType,
        by_key: dict[str, list[FieldNode]],
        spread: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                by_key.setdefault((selection.alias or selection.name).value, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection.type_condition, runtime_type):
                    self._collect(selection.selection_set, runtime_type, by_key, spread)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in spread:
                spread.add(selection.name.value)
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and self._applies(fragment.type_condition, runtime_type):
                    self._collect(fragment.selection_set, runtime_type, by_key, spread)

    def _applies(self, condition: NamedTypeNode | None, runtime_type: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        condition_type = self.schema.get_type(condition.name.value)
        if condition_type is runtime_type:
            return True
        return is_abstract_type(condition_type) and self.schema.is_sub_type(condition_type, runtime_type)

    def _field(
        self,
        key: str,
        nodes: list[FieldNode],
        parent: GraphQLObjectType,
        root_weight: int,
        page: ItemCount | None,
    ) -> CostField | None:
        definition = _definition(nodes[0].name.value, parent, self.schema)
        if definition is None:
            return None
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return None
        weight, items = root_weight, _list_items(nodes[0], definition.type, self)
        if page is not None:
            # A connection's own parts: it costs 1 for itself, and its nodes are counted by its page size.
            weight, items = (0, page) if nodes[0].name.value == "edges" else (0, None)
        inner_page = self._page(nodes[0]) if _is_connection(named) else None
        selection_sets = [node.selection_set for node in nodes if node.selection_set is not None]
        if is_abstract_type(named):
            variants = tuple(
                (possible.name, self.selection(selection_sets, possible, page=inner_page))
                for possible in sorted(self.schema.get_possible_types(named), key=lambda t: t.name)
            )
            if len({fields for _, fields in variants}) <= 1:
                return CostField(key, weight, items, variants[0][1] if variants else ())
            return CostField(key, weight, items, variants=variants)
        return CostField(key, weight, items, self.selection(selection_sets, named, page=inner_page))

    def _page(self, node: FieldNode) -> ItemCount:
        first, last = self.argument(node, "first"), self.argument(node, "last")
        return ItemCount((first, last), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)

    def argument(self, node: FieldNode, name: str) -> Argument:
        for argument in node.arguments or ():
            if argument.name.value == name:
                if isinstance(argument.value, VariableNode):
                    variable = argument.value.name.value
                    return Argument(self.defaults.get(variable), variable)
                return Argument(value_from_ast_untyped(argument.value))
        return Argument()


def _definition(name: str, parent: GraphQLObjectType, schema: GraphQLSchema) -> GraphQLField | None:
    if parent is schema.query_type and name in {"__schema", "__type"}:
        return SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef
    field: GraphQLField | None = parent.fields.get(name)
    return field


def _list_items(node: FieldNode, field_type: GraphQLOutputType, walk: _Walk) -> ItemCount | None:
    """A list's size when its arguments say it (``nodes(ids:)``); else it is priced as one item up front."""
    unwrapped = field_type.of_type if is_non_null_type(field_type) else field_type
    if not is_list_type(unwrapped):
        return None
    return ItemCount((walk.argument(node, "ids"),), 1, MAX_PAGE_SIZE)


def _is_connection(named: GraphQLNamedType) -> bool:
    return (
        isinstance(named, GraphQLObjectType)
        and named.name.endswith("Connection")
        and {"edges", "pageInfo"} <= set(named.fields)
    )


class CostPlans:
    """Priced operations by document text and operation name: documents repeat, the walk is done once."""

    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize
        self._plans: OrderedDict[tuple[str, str | None], OperationCost | None] = OrderedDict()
        self.hits = 0

    def get(self, schema: GraphQLSchema, query: str, operation_name: str | None, document: Any) -> OperationCost | None:
        key = (query, operation_name)
        if key in self._plans:
            self.hits += 1
            self._plans.move_to_end(key)
            return self._plans[key]
        plan = price_operation(schema, document, operation_name)
        self._plans[key] = plan
        if len(self._plans) > self.maxsize:
            self._plans.popitem(last=False)
        return plan


@dataclass
class CostReport:
    requested: int
    actual: int
    spending: Spending | None
    bucket: Bucket | None

    def as_extension(self) -> dict[str, Any]:
        report: dict[str, Any] = {"requestedQueryCost": self.requested, "actualQueryCost": self.actual}
        if self.spending is not None and self.bucket is not None:
            report["throttleStatus"] = {
                "maximumAvailable": self.bucket.capacity,
                "currentlyAvailable": int(self.spending.level.available),
                "restoreRate": self.bucket.restore_rate,
            }
        return report


class MeterCost(SchemaExtension):
    """Prices each query and mutation before it runs: above ``max_cost`` it is refused (QUERY_TOO_COSTLY);
    otherwise its cost is taken from the caller's bucket (RATE_LIMITED when the bucket holds less), and what it
    did not spend is given back once it has run. Every answer says so in ``extensions.cost``. Operations slower
    than ``slow_seconds`` are logged with their name, duration and cost, never their variables."""

    def __init__(self, plans: CostPlans, max_cost: int, slow_seconds: float) -> None:
        self.plans = plans
        self.max_cost = max_cost
        self.slow_seconds = slow_seconds
        self.report: CostReport | None = None

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        elapsed = time.perf_counter() - started
        if elapsed >= self.slow_seconds:
            log_slow_operation(self.execution_context.operation_name, elapsed, self.report)

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        plan = None
        if execution.graphql_document is not None and execution.query is not None:
            plan = self.plans.get(
                execution.schema._schema, execution.query, execution.operation_name, execution.graphql_document
            )
        context = execution.context
        if plan is None or not isinstance(context, Context):
            yield
            return
        self.report, refusal = await take_operation_cost(context, plan, execution.variables, self.max_cost)
        if refusal is not None:
            execution.result = refusal
            yield
            return
        yield
        await settle_operation_cost(context, plan, self.report, getattr(execution.result, "data", None))

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.report.as_extension()} if self.report else {}


def log_slow_operation(operation_name: str | None, elapsed: float, report: CostReport | None) -> None:
    """One warning line per operation slower than ``LENSGRAPH_SLOW_OPERATION_SECONDS``, whichever path ran it."""
    log.warning(
        "slow operation %s: %.3f s, cost %s requested / %s actual",
        operation_name or "(anonymous)",
        elapsed,
        report.requested if report else "-",
        report.actual if report else "-",
    )


async def take_operation_cost(
    context: Context, plan: OperationCost, variables: dict[str, Any] | None, max_cost: int
) -> tuple[CostReport, GraphQLExecutionResult | None]:
    """Prices the operation and takes its cost from the caller's bucket: the report, and the refusal to answer
    instead when it costs too much (nothing taken) or the bucket holds too little."""
    requested = plan.requested(variables)
    buckets = context.services.cost_buckets
    bucket = buckets.bucket if buckets else None
    limit = min(max_cost, int(buckets.bucket.capacity)) if buckets else max_cost
    if requested > limit:
        # Refused whatever the bucket holds: nothing is taken (the bucket is read for the report).
        spending = await take_cost(context.services, context.viewer, context.client_ip, 0)
        refusal = _refusal(
            f"This operation costs {requested} points; an operation may cost at most {limit}."
            " Ask for fewer items (first/last) or split it.",
            ErrorCode.QUERY_TOO_COSTLY,
            {"requestedQueryCost": requested, "maximumQueryCost": limit},
        )
        return CostReport(requested, 0, spending, bucket), refusal
    spending = await take_cost(context.services, context.viewer, context.client_ip, requested)
    if spending is not None and not spending.allowed:
        RATE_LIMITED.inc()
        refusal = _refusal(
            f"This operation costs {requested} points and {int(spending.level.available)} are available:"
            f" try again in {spending.retry_after} s.",
            ErrorCode.RATE_LIMITED,
            {"retryAfter": spending.retry_after},
        )
        return CostReport(requested, 0, spending, bucket), refusal
    # Until it is settled (an operation stopped at the time limit never is), the requested cost is spent.
    return CostReport(requested, requested, spending, bucket), None


async def settle_operation_cost(context: Context, plan: OperationCost, report: CostReport, data: Any) -> None:
    """Gives back what the operation did not spend, priced from what it answered (``data``)."""
    report.actual = plan.actual(data, report.requested)
    if report.spending is not None:
        report.spending = await settle_cost(
            context.services, context.viewer, context.client_ip, report.requested - report.actual
        )


async def refund_operation_cost(context: Context, report: CostReport) -> None:
    """Gives back all an operation took: it is answered again another way, which takes its cost anew."""
    if report.spending is not None:
        await settle_cost(context.services, context.viewer, context.client_ip, report.requested)


def _refusal(message: str, code: ErrorCode, extensions: dict[str, Any]) -> GraphQLExecutionResult:
    error = GraphQLError(message, extensions={"code": code.value, **extensions})
    return GraphQLExecutionResult(data=None, errors=[error])


def timed_out(seconds: float, operation_name: str | None) -> GraphQLExecutionResult:
    """The answer to an operation stopped at the execution time limit; logged with its name."""
    log.warning("operation %s stopped after the %s s execution time limit", operation_name or "(anonymous)", seconds)
    return _refusal(
        f"The operation ran longer than {seconds:g} s and was stopped. Ask for fewer items or try again later.",
        ErrorCode.TIMEOUT,
        {},
    )
