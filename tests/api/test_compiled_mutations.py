"""Compiled mutations (issue 14): a mutation document that ran before is answered without the executor, with the
same answer the executor gives, and its resolver runs exactly once whatever happens.

Each case runs through an app with the compiled path off (the executor's answer) and twice through one with it on
(first sight: the executor, which keeps the plan; then the plan), each time with fresh input where the mutation
needs it. The answers compare as JSON with the values a new run makes anew masked (new ids, slugs, tokens, times,
request ids): everything else (data, userErrors, errors with their message, path, locations and code, the cost
extension, the HTTP status) must be the same.
"""

from __future__ import annotations

import ast
import asyncio
import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import parse

from lensgraph.app import create_app
from lensgraph.app.services import Services
from lensgraph.resolvers import collections as collection_resolvers
from lensgraph.schema import compiled_mutations
from lensgraph.schema.compiled import plan_of
from lensgraph.schema.compiled_mutations import MutationPlan
from lensgraph.schema.schema import LensgraphSchema, build_schema
from tests.api.differential import COMPILED, operations_by_path
from tests.api.helpers import LOGIN, PASSWORD, Account, sign_up
from tests.conftest import GraphQLClient

CREATE = """mutation Create($input: CreateCollectionInput!) { createCollection(input: $input) {
  collection { id title slug description visibility createdAt updatedAt } userErrors { field code message } } }"""
CREATE_SHAPED = """mutation Shaped($input: CreateCollectionInput!) {
  made: createCollection(input: $input) { __typename ...Made problems: userErrors { code field } } }
fragment Made on CreateCollectionPayload { collection { __typename key: id name: title visibility } }"""
UPDATE = """mutation Update($input: UpdateCollectionInput!) { updateCollection(input: $input) {
  collection { id title slug visibility updatedAt } userErrors { field code message } } }"""
PROFILE = """mutation Profile($input: UpdateProfileInput!) { updateProfile(input: $input) {
  user { id username firstName lastName role } userErrors { field code message } } }"""
# Values a run makes anew, and the caller's cost bucket (each request spends from it): compared by presence.
MADE_ANEW = frozenset(
    {"id", "key", "slug", "accessToken", "refreshToken", "expiresAt", "createdAt", "updatedAt", "currentlyAvailable"}
)
REQUEST_ID = re.compile(r"[0-9a-f]{32}|[0-9a-f-]{36}")
_serial = itertools.count()


def compiled_runs() -> float:
    return operations_by_path()[COMPILED]


def masked(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {name: masked(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    if key in MADE_ANEW and value is not None:
        return "<made anew>"
    if key in {"message", "requestId"} and isinstance(value, str):
        return REQUEST_ID.sub("<request id>", value)
    return value


async def answer(client: GraphQLClient, query: str, variables: dict[str, Any], token: str | None) -> Any:
    response = await client.post(query, variables, token=token)
    return response.status_code, masked(response.json())


async def same_both_ways(
    client: GraphQLClient,
    resolvers: GraphQLClient,
    query: str,
    variables: Callable[[], dict[str, Any]],
    token: str | None,
    *,
    compiled: bool = True,
) -> Any:
    """The executor's answer, held equal to the compiled app's on first sight and on its plan's run; whether the
    plan ran (``compiled``) is checked too. Answers the executor's, masked."""
    expected = await answer(resolvers, query, variables(), token)
    assert await answer(client, query, variables(), token) == expected
    before = compiled_runs()
    assert await answer(client, query, variables(), token) == expected
    assert compiled_runs() - before == (1 if compiled else 0)
    return expected


def collection_input(**changes: Any) -> Callable[[], dict[str, Any]]:
    def made() -> dict[str, Any]:
        values = {"title": "Dunes", "slug": f"dunes-{next(_serial)}", "description": "Namib", "visibility": "PUBLIC"}
        return {"input": {**values, **changes}}

    return made


@pytest.fixture
async def photographer(client: GraphQLClient) -> Account:
    return await sign_up(client, role="PHOTOGRAPHER")


async def test_a_mutation_that_ran_before_runs_its_resolver_once_without_the_executor(
    client: GraphQLClient, photographer: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    create = collection_resolvers.create_collection

    async def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["title"])
        return await create(*args, **kwargs)

    monkeypatch.setattr(collection_resolvers, "create_collection", counted)
    executed: list[bool] = []
    execute = LensgraphSchema.execute

    async def spied(self: LensgraphSchema, *args: Any, **kwargs: Any) -> Any:
        executed.append(True)
        return await execute(self, *args, **kwargs)

    monkeypatch.setattr(LensgraphSchema, "execute", spied)
    first = await client.data(CREATE, collection_input(title="First")(), token=photographer.access_token)
    second = await client.data(CREATE, collection_input(title="Second")(), token=photographer.access_token)

    assert calls == ["First", "Second"] and executed == [True]
    assert second["createCollection"]["collection"]["title"] == "Second"
    assert second["createCollection"]["userErrors"] == first["createCollection"]["userErrors"] == []
    mine = await client.data(
        "{ viewer { collections(first: 5) { edges { node { title } } } } }", token=photographer.access_token
    )
    assert sorted(edge["node"]["title"] for edge in mine["viewer"]["collections"]["edges"]) == ["First", "Second"]


async def test_payloads_and_user_errors_are_the_executors(
    client: GraphQLClient, resolvers: GraphQLClient, photographer: Account
) -> None:
    token = photographer.access_token
    made = await same_both_ways(client, resolvers, CREATE, collection_input(), token)
    assert made[1]["data"]["createCollection"]["collection"]["visibility"] == "PUBLIC"
    # Refused by the domain: userErrors, collection null.
    await client.data(CREATE, collection_input(slug="taken-dunes")(), token=token)
    taken = await same_both_ways(client, resolvers, CREATE, collection_input(slug="taken-dunes"), token)
    assert taken[1]["data"]["createCollection"]["userErrors"][0]["code"] == "ALREADY_EXISTS"
    blank = await same_both_ways(client, resolvers, CREATE, collection_input(title=" "), token)
    assert blank[1]["data"]["createCollection"]["userErrors"][0]["field"] == ["title"]
    # Aliases, fragments and __typename, as the executor writes them.
    shaped = await same_both_ways(client, resolvers, CREATE_SHAPED, collection_input(), token)
    assert shaped[1]["data"]["made"]["collection"]["__typename"] == "Collection"
    # Anonymous: the domain's refusal, the same both ways.
    await same_both_ways(client, resolvers, CREATE, collection_input(), None)


async def test_updates_sign_in_and_profiles_answer_the_same(
    client: GraphQLClient, resolvers: GraphQLClient, photographer: Account
) -> None:
    token = photographer.access_token
    created = await client.data(CREATE, collection_input()(), token=token)
    collection_id = created["createCollection"]["collection"]["id"]
    await same_both_ways(client, resolvers, UPDATE, lambda: {"input": {"id": collection_id, "title": "Mood"}}, token)
    other = await sign_up(client, role="PHOTOGRAPHER")
    theirs = await same_both_ways(
        client, resolvers, UPDATE, lambda: {"input": {"id": collection_id, "title": "Mine"}}, other.access_token
    )
    assert theirs[1]["data"]["updateCollection"]["userErrors"][0]["code"] == "NOT_FOUND"
    await same_both_ways(client, resolvers, PROFILE, lambda: {"input": {"firstName": "Ann"}}, token)
    signed_in = await same_both_ways(
        client, resolvers, LOGIN, lambda: {"input": {"email": photographer.email, "password": PASSWORD}}, None
    )
    assert signed_in[1]["data"]["login"]["accessToken"] == "<made anew>"
    wrong = await same_both_ways(
        client, resolvers, LOGIN, lambda: {"input": {"email": photographer.email, "password": "not it"}}, None
    )
    assert wrong[1]["data"]["login"]["accessToken"] is None and wrong[1]["data"]["login"]["userErrors"]


async def test_racing_compiled_creates_for_one_slug_make_one_collection(client: GraphQLClient) -> None:
    """Each compiled create is one INSERT, a transaction by itself: the unique index lets one through and the
    other is told the slug is taken, on SQLite and on PostgreSQL."""
    first, second = await sign_up(client, role="PHOTOGRAPHER"), await sign_up(client, role="PHOTOGRAPHER")
    await client.data(CREATE, collection_input()(), token=first.access_token)  # the plan is kept
    before = compiled_runs()
    racing = collection_input(slug="golden-hour")
    answers = await asyncio.gather(
        *(client.data(CREATE, racing(), token=account.access_token) for account in (first, second, first))
    )
    assert compiled_runs() - before == 3
    payloads = [answer["createCollection"] for answer in answers]
    assert len([payload for payload in payloads if payload["collection"]]) == 1
    refusals = [payload["userErrors"] for payload in payloads if not payload["collection"]]
    assert refusals == [[{"field": ["slug"], "code": "ALREADY_EXISTS", "message": refusals[0][0]["message"]}]] * 2


async def test_what_the_executor_refuses_before_running_is_refused_by_it(
    client: GraphQLClient, resolvers: GraphQLClient, photographer: Account
) -> None:
    """Bad variables and argument values never reach the resolver: the executor answers them, in its words."""
    token = photographer.access_token
    bad_enum = await same_both_ways(
        client, resolvers, CREATE, collection_input(visibility="SOMETIMES"), token, compiled=False
    )
    assert bad_enum[1]["data"] is None and "SOMETIMES" in bad_enum[1]["errors"][0]["message"]
    missing = await same_both_ways(client, resolvers, CREATE, lambda: {}, token, compiled=False)
    assert missing[1]["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_an_error_the_resolver_raises_is_answered_once_as_the_executor_answers_it(
    client: GraphQLClient, resolvers: GraphQLClient, photographer: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0

    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(collection_resolvers, "create_collection", broken)
    internal = await same_both_ways(client, resolvers, CREATE, collection_input(), photographer.access_token)
    assert calls == 3  # once per request: the compiled run does not fall back and run it again
    [error] = internal[1]["errors"]
    assert internal[1]["data"] is None and error["extensions"]["code"] == "INTERNAL"
    assert error["path"] == ["createCollection"] and error["locations"]


async def test_a_mutation_past_the_time_limit_is_stopped_and_answered_once(
    services: Services, photographer: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0

    async def slow(*_args: Any, **_kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        await asyncio.sleep(5)

    monkeypatch.setattr(collection_resolvers, "create_collection", slow)
    settings = services.settings.model_copy(update={"execution_timeout_seconds": 0.05})
    answers = []
    for compiled in (False, True):
        app = create_app(settings.model_copy(update={"compiled_operations": compiled}), services=services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
            client = GraphQLClient(http)
            for _ in range(2 if compiled else 1):
                answers.append(await answer(client, CREATE, collection_input()(), photographer.access_token))
    assert calls == 3
    assert answers[0] == answers[1]
    assert answers[1] == answers[2]
    assert answers[0][1]["errors"][0]["extensions"]["code"] == "TIMEOUT"


# The planner ------------------------------------------------------------------------------------------------


def test_only_plain_payloads_of_one_root_field_are_planned(settings: Any) -> None:
    schema = build_schema(settings)._schema

    def planned(document: str) -> bool:
        return isinstance(plan_of(schema, parse(document), None), MutationPlan)

    assert planned(CREATE) and planned(CREATE_SHAPED) and planned(LOGIN)
    # A field with a resolver of its own (the owner is loaded), two root fields, a directive: the executor's.
    assert not planned('mutation { createCollection(input: {title: "A"}) { collection { owner { id } } } }')
    assert not planned("mutation { a: logout { ok } b: logout { ok } }")
    assert not planned("mutation($x: Boolean!) { logout { ok @include(if: $x) } }")


def test_every_mutation_of_the_schema_is_planned_or_left_without_failing(settings: Any) -> None:
    """A plain selection of each mutation's payload, planned: the planner never raises on the schema's types."""
    schema = build_schema(settings)._schema
    assert schema.mutation_type is not None
    planned = 0
    for name, field_def in schema.mutation_type.fields.items():
        arguments = ", ".join(f"{argument}: null" for argument in field_def.args)
        document = parse(f"mutation {{ {name}{f'({arguments})' if arguments else ''} {{ __typename }} }}")
        planned += isinstance(plan_of(schema, document, None), MutationPlan)
    assert planned == len(schema.mutation_type.fields)


def test_the_schemas_resolvers_read_nothing_of_info_but_the_context() -> None:
    """A compiled run gives resolvers an ``Info`` that carries the context only (``compiled_mutations``): this
    holds every resolver in the schema package to that."""
    package = Path(compiled_mutations.__file__).parent
    other_uses = []
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "info"
                and node.attr != "context"
            ):
                other_uses.append(f"{path.name}:{node.lineno} info.{node.attr}")
    assert other_uses == []
