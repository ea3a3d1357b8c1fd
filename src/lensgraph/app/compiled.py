"""The short way through ``/graphql`` for an operation the planner compiled: a query (``schema/compiled.py``) or
a mutation (``schema/compiled_mutations.py``).

Strawberry's request path (its extensions' hooks, the execution context, result processing) costs more than
a compiled plan's whole answer. A POST whose document ran before and has a plan is answered here with what that
path would do for it: the same context (authentication, the caller's rate and its headers), the same cost taken
and settled (``extensions.cost``), one shared read session for a query, the time limit, the operation counted
and logged. Anything else, and any query run the plan leaves to the resolvers, goes the full way with the
context made here, so the rate is counted once and the answer is the resolvers' own. A mutation goes the full
way only when refused before its resolver runs: once it has run, its answer is the plan's, so it never runs twice.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from lensgraph.adapters import logs, tracing
from lensgraph.adapters.metrics import COMPILED_OPERATIONS, GRAPHQL_OPERATIONS, labelled
from lensgraph.app.public_reads import Posted
from lensgraph.domain.costs import OperationCost
from lensgraph.resolvers.context import Context
from lensgraph.schema.compiled import Plan, answer_compiled
from lensgraph.schema.compiled_mutations import MutationPlan
from lensgraph.schema.costs import (
    log_slow_operation,
    refund_operation_cost,
    settle_operation_cost,
    take_operation_cost,
    timed_out,
)
from lensgraph.schema.extensions import ShapeErrors, holds_nul, operation_outcome
from lensgraph.schema.schema import LensgraphSchema
from lensgraph.schema.selections import NotCompiled

if TYPE_CHECKING:
    from lensgraph.app.view import GraphQLView

REQUEST_KEYS = frozenset({"query", "variables", "operationName"})


async def answer(view: GraphQLView, request: Request, posted: Posted | None) -> Response:
    """The response to a GraphQL request: a POST from its compiled plan where it has one, else through
    strawberry."""
    schema = view.schema
    plans = schema.compiled_plans if isinstance(schema, LensgraphSchema) else None
    request_data = _request_data(posted.data) if plans is not None and posted is not None else None
    if request_data is None or tracing.enabled() or getattr(request.state, "idempotency", None) is not None:
        return await view.run(request)
    assert isinstance(schema, LensgraphSchema) and plans is not None
    query, variables, operation_name = request_data
    plan = plans.known(query, operation_name)
    cost = schema.cost_plans.get(schema._schema, query, operation_name, plan.document) if plan else None
    if plan is None or cost is None or holds_nul(variables):
        return await view.run(request)
    if isinstance(plan, MutationPlan):
        return await _answer_mutation(view, schema, plan, cost, request, variables)
    if plan.resolved:
        return await view.run(request)
    sub_response = await view.get_sub_response(request)
    context = await view.get_context(request, sub_response)
    logs.annotate(operation=operation_name or plan.name)
    started = time.perf_counter()
    data, report = await _run(view, schema, plan, cost, context, variables)
    if data is None:
        return await _the_full_way(view, request, context, sub_response)
    elapsed = time.perf_counter() - started
    labelled(GRAPHQL_OPERATIONS, "query", "ok").inc()
    if elapsed >= view.services.settings.slow_operation_seconds:
        log_slow_operation(operation_name or plan.name, elapsed, report)
    return view.create_response({"data": data, "extensions": {"cost": report.as_extension()}}, sub_response)


async def _run(
    view: GraphQLView,
    schema: LensgraphSchema,
    plan: Plan,
    cost: OperationCost,
    context: Context,
    variables: dict[str, Any] | None,
) -> tuple[Any, Any]:
    """The plan's data and cost report, or (None, None) for the full path to answer (refused, timed out,
    left to the resolvers, or failed: the full path reports it in its own words)."""
    settings = view.services.settings
    report, refusal = await take_operation_cost(context, cost, variables, settings.max_query_cost)
    if refusal is not None:
        return None, None
    try:
        async with asyncio.timeout(schema.execution_timeout):
            if len(plan.roots) == 1:  # one statement: read outside any transaction
                data = await answer_compiled(plan, schema._schema, context, variables, last_try=False)
            else:  # several: one read-only transaction, for one snapshot
                async with context.loaders.sharing_one_session():
                    data = await answer_compiled(plan, schema._schema, context, variables, last_try=False)
    except Exception:
        data = None
    if data is None:
        await refund_operation_cost(context, report)
        return None, None
    await settle_operation_cost(context, cost, report, data)
    return data, report


async def _answer_mutation(
    view: GraphQLView,
    schema: LensgraphSchema,
    plan: MutationPlan,
    cost: OperationCost,
    request: Request,
    variables: dict[str, Any] | None,
) -> Response:
    """A mutation the planner compiled: its resolver called once, its payload written from what it returned.
    Refused before the resolver runs (variables, arguments, cost), it goes the full way, which refuses it in its
    own words; once the resolver has run, the answer is this one, errors shaped as ``ShapeErrors`` shapes them."""
    settings = view.services.settings
    sub_response = await view.get_sub_response(request)
    context = await view.get_context(request, sub_response)
    logs.annotate(operation=plan.name)
    try:
        prepared = plan.prepare(schema._schema, context, variables)
    except NotCompiled:
        return await _the_full_way(view, request, context, sub_response)
    started = time.perf_counter()
    report, refusal = await take_operation_cost(context, cost, variables, settings.max_query_cost)
    if refusal is not None:
        return await _the_full_way(view, request, context, sub_response)
    try:
        async with asyncio.timeout(schema.execution_timeout):
            result = await plan.run(prepared)
        await settle_operation_cost(context, cost, report, result.data)
    except TimeoutError:
        # As on the full way: an operation stopped at the limit keeps all it took (it spent the time).
        assert schema.execution_timeout is not None
        result = timed_out(schema.execution_timeout, plan.name)
    errors = [ShapeErrors.shape(error, context.request_id) for error in result.errors or ()]
    elapsed = time.perf_counter() - started
    labelled(GRAPHQL_OPERATIONS, "mutation", operation_outcome(errors)).inc()
    labelled(COMPILED_OPERATIONS, "compiled").inc()
    if elapsed >= settings.slow_operation_seconds:
        log_slow_operation(plan.name, elapsed, report)
    answer: dict[str, Any] = {"data": result.data}
    if errors:
        answer["errors"] = [error.formatted for error in errors]
    answer["extensions"] = {"cost": report.as_extension()}
    return view.create_response(answer, sub_response)


async def _the_full_way(view: GraphQLView, request: Request, context: Context, sub_response: Response) -> Response:
    response = await view.run(request, context=context)
    response.headers.update(sub_response.headers)
    return response


def _request_data(payload: dict[str, Any] | None) -> tuple[str, dict[str, Any] | None, str | None] | None:
    """(query, variables, operationName) of a plain JSON request; None for anything else."""
    if payload is None or not REQUEST_KEYS.issuperset(payload):
        return None
    query, variables, operation_name = payload.get("query"), payload.get("variables"), payload.get("operationName")
    if (
        not isinstance(query, str)
        or not isinstance(variables, dict | None)
        or not isinstance(operation_name, str | None)
    ):
        return None
    return query, variables, operation_name
