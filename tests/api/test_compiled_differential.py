"""Issue 14: the compiled read path answers exactly what the field resolvers answer.

Every request goes to an app with ``compiled_operations`` on and to one with it off, over the same database
(``tests/api/differential.py``): same HTTP status, same JSON byte for byte once keys are sorted (so the same data
and the same errors: message, path, code). Three corpora, each as anonymous and as the roles that see more:

- bench: the bench's workloads (``bench/workloads.py``) and the peers' (browse 10/50/100, detail, nested, deep),
  their next pages through ``endCursor``, and bad input (cursors, IDs, page sizes);
- readme: every query in README.md (```graphql blocks and curl bodies; not mutations or subscriptions);
- generated: operations hypothesis-graphql writes from ``schema.graphql`` over ``Query``, with the dataset's IDs,
  slugs, usernames and cursors among the values it draws.

``Pair.compiled_count(corpus)`` is how many of a corpus's operations the planner answered; each test prints the
counts (``pytest -rP`` shows them). Until the planner lands, none is counted either way.
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import json
import re
import shutil
import time
from collections.abc import AsyncIterator
from datetime import UTC
from importlib.metadata import version
from pathlib import Path
from typing import Any
from uuid import uuid4

import hypothesis
import hypothesis_graphql
import pytest
import pytest_asyncio
from graphql import FragmentDefinitionNode, OperationDefinitionNode, OperationType, parse, print_ast
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from sqlalchemy import text

from bench import workloads as bench
from lensgraph.config import Settings
from lensgraph.persistence.base import Base
from lensgraph.persistence.migrate import upgrade
from lensgraph.schema.core import to_global_id
from tests.api.differential import COMPILED, COMPILED_RUNS, Pair, Request, close, frozen_url_clock, side
from tests.api.differential_dataset import CALLERS, Dataset, build
from tests.conftest import POSTGRES_URL, GraphQLClient, _create_database_if_missing
from tests.readme_blocks import readme_blocks

# The apps and the dataset live as long as the module: so does the event loop their connections belong to.
module_loop = pytest.mark.asyncio(loop_scope="module")

SDL = (Path(__file__).parents[2] / "schema.graphql").read_text()
GENERATED_OPERATIONS = 150
GENERATION_SECONDS = 300

# The peers' workloads (../shared/bench-peers/workloads.py, outside this repository), as written there; the
# bench's own (BROWSE, NESTED, DEEP_LIST; the peers' nested is the bench's) come from bench/workloads.py itself.
PHOTO_FIELDS = "id title width height orientation colors keywords createdAt photographer { username } thumbnailUrl"
DEEP_FIELDS = "title description width height orientation category status createdAt capturedAt"
DETAIL_FIELDS = (
    "title description keywords autoKeywords category visibility status width height orientation colors "
    "capturedAt createdAt faceCount exif"
)


def browse(first: int) -> str:
    return f"query Browse {{ photos(first: {first}, orderBy: NEWEST) {{ edges {{ node {{ {PHOTO_FIELDS} }} }} }} }}"


DETAIL = (
    f"query Detail($id: ID!) {{ node(id: $id) {{ ... on Photo {{ id {DETAIL_FIELDS} "
    "photographer { username firstName lastName } } } }"
)
DEEP = (
    "query Deep($after: String) { photos(first: 100, orderBy: NEWEST, after: $after) { pageInfo { endCursor "
    f"hasNextPage }} edges {{ node {{ id {DEEP_FIELDS} }} }} }} }}"
)
PAGE = """query Page($first: Int, $after: String, $last: Int, $before: String) {
  photos(first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { startCursor endCursor hasNextPage hasPreviousPage } edges { cursor node { id title } } } }"""
NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id ... on Photo { title visibility status } } }"


# The module's own database and apps --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def module_database(migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database of this module's own: other modules' tests (on the same xdist worker) empty theirs whenever
    they start, and the dataset here is built once for every test of the module."""
    if POSTGRES_URL:
        url = f"{POSTGRES_URL}_differential"
        _create_database_if_missing(url)
        upgrade(url)
        return url
    copy = tmp_path_factory.mktemp("differential") / "lensgraph.db"
    shutil.copyfile(migrated_template, copy)
    return f"sqlite+aiosqlite:///{copy}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def pair(module_database: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Pair]:
    settings = Settings(
        database_url=module_database,
        data_dir=tmp_path_factory.mktemp("differential-data"),
        secret_key="test-secret-key-not-for-production",
        public_url="http://testserver",
        account_cache_seconds=60,
        # Hundreds of operations a minute from one caller: the request rate and the cost bucket would refuse
        # some on one side and not the other. The per-operation cost limit stays as in production.
        request_rate_limit="off",
        cost_bucket_size=0,
    )
    compiled, resolvers = side(settings, compiled_operations=True), side(settings, compiled_operations=False)
    if POSTGRES_URL:
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        async with resolvers.services.db.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} CASCADE"))
    try:
        yield Pair(compiled, resolvers, tokens={})
    finally:
        await close(compiled)
        await close(resolvers)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def dataset(pair: Pair) -> AsyncIterator[Dataset]:
    built = await build(GraphQLClient(pair.resolvers.http), pair.resolvers.services)
    pair.tokens.update(built.tokens)
    with frozen_url_clock(1_900_000_000.0):
        yield built


async def reference(pair: Pair, query: str, variables: dict[str, Any], caller: str = "ANONYMOUS") -> Any:
    """The resolvers' answer's data, to follow a cursor it gives."""
    token = pair.tokens[caller]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await pair.resolvers.http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    return response.json()["data"]


def assert_same(mismatches: list[Any], pair: Pair, corpus: str) -> None:
    print(pair.summary())
    assert not mismatches, f"{len(mismatches)} answers differ between the paths; the first:\n{mismatches[0]}"
    assert pair.sent[corpus] > 0
    assert pair.resolvers_app_paths[COMPILED] == 0, "the app with compiled_operations off compiled an operation"


@module_loop
@pytest.mark.parametrize(
    ("change", "shown"),
    [
        # An error where the other has data.
        ({"max_query_cost": 1}, "QUERY_TOO_COSTLY"),
        # One value deep in the data: the files' address in signed URLs.
        ({"public_url": "http://elsewhere"}, "thumbnailUrl: 'http://elsewhere/files/"),
    ],
)
async def test_the_check_sees_a_difference(pair: Pair, dataset: Dataset, change: dict[str, Any], shown: str):
    """The comparison is no rubber stamp: against an app that answers differently, every run is a mismatch."""
    changed = side(pair.resolvers.services.settings.model_copy(update=change), compiled_operations=True)
    try:
        mismatches = await Pair(changed, pair.resolvers, pair.tokens).check(
            Request("self-check", "browse", browse(100))
        )
    finally:
        await close(changed)
    assert len(mismatches) == COMPILED_RUNS
    assert shown in str(mismatches[0]), mismatches[0]


# Corpus 1: the bench ----------------------------------------------------------------------------------------


def global_id_of(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


async def bench_requests(pair: Pair, data: Dataset) -> list[Request]:
    requests: list[Request] = []

    def add(label: str, query: str, variables: dict[str, Any] | None = None, callers: tuple[str, ...] = ("ANONYMOUS",)):
        requests.extend(Request("bench", label, query, variables, caller) for caller in callers)

    add("browse", bench.BROWSE, callers=("ANONYMOUS", "PHOTOGRAPHER"))
    for first in (10, 50, 100):
        add(f"browse {first}", browse(first), callers=("ANONYMOUS", "PHOTOGRAPHER"))
    add("browse over the page limit", browse(101))

    owners_and_strangers = ("ANONYMOUS", "PHOTOGRAPHER", "BRAND", "ADMIN")
    for label, photo in [
        ("public", data.public_photos[-1]),
        ("public, rich", data.public_photos[-3]),
        ("public, bare", data.public_photos[0]),
        ("private", data.private_photos[0]),
        ("processing", data.unready_photos[0]),
        ("failed", data.unready_photos[-1]),
        ("another photographer's", data.other_photos[0]),
        ("another photographer's private", data.other_photos[21]),
    ]:
        add(f"detail {label}", DETAIL, {"id": photo}, owners_and_strangers)
    for label, bad in [
        ("a user", data.accounts["PHOTOGRAPHER"].id),
        ("a collection", data.collection_ids[0]),
        ("an unknown photo", to_global_id("Photo", uuid4())),
        ("not base64", "not-an-id!"),
        ("empty", ""),
        ("a type that does not exist", global_id_of(f"Spaceship:{uuid4()}")),
        ("a photo key that is no UUID", global_id_of("Photo:42")),
        ("no type", global_id_of(str(uuid4()))),
    ]:
        add(f"detail of {label}", DETAIL, {"id": bad}, ("ANONYMOUS", "PHOTOGRAPHER"))
    add("detail without its variable", DETAIL, {})
    add("detail with a number for the id", DETAIL, {"id": 42})

    add("nested", bench.NESTED, callers=("ANONYMOUS", "PHOTOGRAPHER", "BRAND", "STUDIO"))

    first_page = await reference(pair, DEEP, {"after": None})
    end_cursor = first_page["photos"]["pageInfo"]["endCursor"]
    assert first_page["photos"]["pageInfo"]["hasNextPage"]
    add("deep", DEEP, {"after": None}, ("ANONYMOUS", "BRAND"))
    add("deep, next page", DEEP, {"after": end_cursor}, ("ANONYMOUS", "BRAND"))

    own_first = await reference(pair, bench.DEEP_LIST, {"cursor": None}, "PHOTOGRAPHER")
    own_cursor = own_first["viewer"]["photos"]["pageInfo"]["endCursor"]
    assert own_first["viewer"]["photos"]["pageInfo"]["hasNextPage"]
    add("deep-list", bench.DEEP_LIST, {"cursor": None}, ("PHOTOGRAPHER", "ANONYMOUS"))
    add("deep-list, next page", bench.DEEP_LIST, {"cursor": own_cursor}, ("PHOTOGRAPHER",))
    add("deep-list, the catalogue's cursor", bench.DEEP_LIST, {"cursor": end_cursor}, ("PHOTOGRAPHER",))

    not_json = base64.urlsafe_b64encode(b"not json").decode()
    for label, variables in [
        ("first 10", {"first": 10}),
        ("first 10 after the deep page", {"first": 10, "after": end_cursor}),
        ("last 10 before the deep page", {"last": 10, "before": end_cursor}),
        ("last 5", {"last": 5}),
        ("no size", {}),
        ("first 0", {"first": 0}),
        ("first -1", {"first": -1}),
        ("first 101", {"first": 101}),
        ("first and last", {"first": 5, "last": 5}),
        ("after a word", {"first": 10, "after": "garbage"}),
        ("after base64 of no JSON", {"first": 10, "after": not_json}),
        ("after an empty cursor", {"first": 10, "after": ""}),
        ("after a cursor of another shape", {"first": 10, "after": global_id_of('["x"]')}),
        ("before a word", {"last": 10, "before": "garbage"}),
    ]:
        add(f"page: {label}", PAGE, variables)
    ids = [data.public_photos[1], data.private_photos[1], "bad", to_global_id("Photo", uuid4()), data.unready_photos[0]]
    add("nodes, good and bad", NODES, {"ids": ids}, ("ANONYMOUS", "PHOTOGRAPHER"))
    add("nodes, too many", NODES, {"ids": data.public_photos[:101]})
    add("nodes, none", NODES, {"ids": []})
    return requests


@module_loop
async def test_the_bench_answers_the_same_through_both_paths(pair: Pair, dataset: Dataset):
    requests = await bench_requests(pair, dataset)
    assert_same(await pair.check_all(requests), pair, "bench")
    # The bench's reads are what the planner exists for: most of them must have taken the compiled path.
    assert pair.compiled_count("bench") >= len(requests) // 2


# Corpus 2: the README ---------------------------------------------------------------------------------------

# Who sends a README example, by its note's ``as``: the demo accounts stand for roles here.
README_CALLERS = {"ansel": "PHOTOGRAPHER", "dorothea": "PHOTOGRAPHER", "iris": "PHOTOGRAPHER"}
QUERY_IN_BODY = re.compile(r'"query":\s*(?=")')
VARIABLES_IN_BODY = re.compile(r'"variables":\s*(?=\{)')


def readme_documents() -> list[tuple[str, str, dict[str, Any] | None, dict[str, str]]]:
    """(where, document, variables, notes) of every GraphQL document in README.md: the ```graphql blocks, and the
    bodies curl sends in ```bash blocks (their variables when they are plain JSON; shell-made ones are left out)."""
    found = []
    decoder = json.JSONDecoder()
    for block in readme_blocks():
        if block.lang == "graphql":
            found.append((str(block), block.body, None, block.notes))
        elif block.lang == "bash":
            for match in QUERY_IN_BODY.finditer(block.body):
                document, end = decoder.raw_decode(block.body, match.end())
                variables = None
                if found_variables := VARIABLES_IN_BODY.match(block.body, end + 2):
                    try:
                        variables = decoder.raw_decode(block.body, found_variables.end())[0]
                    except json.JSONDecodeError:
                        variables = None
                found.append((str(block), document.replace("\\n", "\n"), variables, block.notes))
    return found


def placeholder(argument: str, note: str, data: Dataset) -> str:
    """A README placeholder (a string ending in ``...``) filled with a record of the same kind from the dataset."""
    if "allery" in note or "allery" in argument:
        return data.gallery_id
    if "ollection" in note or "ollection" in argument:
        return data.collection_ids[0]
    if note.startswith("photo:") or "photo" in argument.lower():
        return data.public_photos[-1]
    if "license" in note:
        return data.license_id
    return "..."


PLACEHOLDER = re.compile(r'(\w+): "([^"]*\.\.\.)"')


def filled(match: re.Match[str], notes: dict[str, str], data: Dataset) -> str:
    return f'{match[1]}: "{placeholder(match[1], notes.get(match[1], ""), data)}"'


def readme_requests(data: Dataset) -> list[Request]:
    requests: list[Request] = []
    for where, document, variables, notes in readme_documents():
        parsed = parse(document)
        fragments = [print_ast(node) for node in parsed.definitions if isinstance(node, FragmentDefinitionNode)]
        for operation in parsed.definitions:
            if not isinstance(operation, OperationDefinitionNode) or operation.operation is not OperationType.QUERY:
                continue
            query = "\n".join([print_ast(operation), *fragments])
            query = re.sub(PLACEHOLDER, lambda match, notes=notes: filled(match, notes, data), query)
            author = notes.get("as")
            callers = {"ANONYMOUS", README_CALLERS.get(author, author.upper()) if author else "ANONYMOUS"}
            requests += [Request("readme", where, query, variables, caller) for caller in sorted(callers)]
    return requests


def test_the_readme_has_queries_for_both_paths():
    documents = readme_documents()
    assert sum(document.lstrip().startswith(("{", "query")) for _, document, _, _ in documents) >= 15


@module_loop
async def test_the_readme_queries_answer_the_same_through_both_paths(pair: Pair, dataset: Dataset):
    assert_same(await pair.check_all(readme_requests(dataset)), pair, "readme")


# Corpus 3: generated operations -----------------------------------------------------------------------------


# Generated operations name records by slot ("@id3", "@string0"), filled from the dataset afterwards: the documents
# do not depend on the dataset's random keys, so they are the same on every run and can be kept between runs.
ID_SLOTS, STRING_SLOTS = 24, 12
SLOT = re.compile(r'"@(id|string)(\d+)"')


def slots(kind: str, count: int) -> st.SearchStrategy[Any]:
    return st.sampled_from([f"@{kind}{index}" for index in range(count)]).map(nodes.String)


def generated_operations() -> list[str]:
    """``GENERATED_OPERATIONS`` queries over every root field, the same on every run (derandomized)."""
    texts = st.text(max_size=12).map(nodes.String)
    sizes = st.sampled_from([0, 1, 2, 5, 10, 20, 100, 101, -1]) | st.integers(-(2**31), 2**31 - 1)
    scalars = {
        # Mostly real records, so that resolvers get past "not found" into what they read; sometimes junk.
        "ID": st.one_of(*[slots("id", ID_SLOTS)] * 3, texts),
        "String": st.one_of(*[slots("string", STRING_SLOTS)] * 3, texts),
        "Int": sizes.map(nodes.Int),
        "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda moment: nodes.String(moment.isoformat())) | texts,
        "Date": st.dates().map(lambda day: nodes.String(day.isoformat())) | texts,
        "JSON": st.just(nodes.Null),
    }
    generated: list[str] = []

    @given(hypothesis_graphql.queries(SDL, custom_scalars=scalars))
    @hypothesis_settings(
        max_examples=GENERATED_OPERATIONS,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def collect(operation: str) -> None:
        generated.append(operation)

    collect()
    return generated


def with_records(operation: str, data: Dataset) -> str:
    values = {"id": data.ids, "string": data.strings}
    return SLOT.sub(lambda slot: json.dumps(values[slot[1]][int(slot[2])]), operation)


def kept_or_generated(cache: pytest.Cache, key: str) -> list[str]:
    """The operations kept under ``key``, else generated and kept. One xdist worker generates while the others wait
    for its result (two at once would only halve each one's CPU); a lock older than ``GENERATION_SECONDS`` is left
    by a run that ended early, and ignored."""
    lock = cache.mkdir("lensgraph-differential") / f"{key.rsplit('/', 1)[-1]}.lock"
    while (kept := cache.get(key, None)) is None:
        try:
            lock.touch(exist_ok=False)
        except FileExistsError:
            if time.time() - lock.stat().st_mtime < GENERATION_SECONDS:
                time.sleep(0.5)
                continue
        try:
            kept = generated_operations()
            cache.set(key, kept)
        finally:
            lock.unlink(missing_ok=True)
    return list(kept)


@pytest.fixture(scope="module")
def generated(dataset: Dataset, request: pytest.FixtureRequest) -> list[str]:
    """The generated operations with the dataset's records in their slots. Generating takes about 15 s; the
    documents depend only on the schema, this code and the libraries' versions, so pytest's cache keeps them."""
    assert (len(dataset.ids), len(dataset.strings)) == (ID_SLOTS, STRING_SLOTS)
    made_from = [SDL, inspect.getsource(generated_operations), hypothesis.__version__, version("hypothesis-graphql")]
    key = "lensgraph/differential/" + hashlib.sha256(json.dumps(made_from).encode()).hexdigest()[:16]
    operations = kept_or_generated(request.config.cache, key)
    assert len(operations) == GENERATED_OPERATIONS
    return [with_records(operation, dataset) for operation in operations]


@module_loop
@pytest.mark.parametrize("caller", CALLERS)
async def test_generated_queries_answer_the_same_through_both_paths(pair: Pair, generated: list[str], caller: str):
    operations = generated
    requests = [
        Request("generated", f"operation {index}", operation, None, caller)
        for index, operation in enumerate(operations)
    ]
    # Once per caller: the five callers' tests share the module's apps, so the compiled app meets each document
    # cold in the first of them and cached in the others that run on the same xdist worker (three at least).
    assert_same(await pair.check_all(requests, compiled_runs=1), pair, "generated")
