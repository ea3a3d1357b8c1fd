"""Compiled reads: a query answered with one SQL statement per root field, without the field resolvers.

The first time a document runs, the planner walks its operation against the schema. Where every root field is
one it knows (``photos``, ``node`` of a photo, ``__typename``) and every field below is a column of the rows
that root field reads, or a value computed from them in Python (global ids, signed URLs, owner-only fields), it
makes a plan: the columns to select and a writer per field that turns a row into the field's JSON value. Later
runs of that document take the plan: the root field's rows come from the same persistence functions as its
resolver's (same filters, visibility predicates, keyset pagination and cursors), selecting only the planned
columns, with ``totalCount`` in the same statement, and the answer is written without the GraphQL executor.

Anything else falls back to the resolvers: a document the planner does not know, a runtime case it leaves to
them (an id of another type, an error to report), so the answer is always the resolvers' answer, sooner.
``tests/api/test_compiled_differential.py`` holds the two paths to the same JSON.
"""

from __future__ import annotations

import inspect
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.types.arguments import convert_arguments

from lensgraph.adapters.metrics import COMPILED_OPERATIONS, labelled
from lensgraph.domain import global_ids
from lensgraph.domain.errors import DomainError
from lensgraph.domain.pagination import page_request
from lensgraph.domain.policies import can_review_duplicates, owns
from lensgraph.persistence import collections as collection_queries
from lensgraph.persistence.pagination import Cursors, Page
from lensgraph.persistence.photos import AS_STORED, PhotoColumns
from lensgraph.persistence.prepared import PreparedStatements
from lensgraph.resolvers import analytics, photos
from lensgraph.resolvers.context import Context
from lensgraph.schema.compiled_mutations import MutationPlan, mutation_plan_of
from lensgraph.schema.photos import URL_LIFETIME
from lensgraph.schema.selections import Fields, NotCompiled, response_key

PLAN_CACHE_SIZE = 256
log = logging.getLogger(__name__)


# A row of the planned columns and the run -> the field's JSON value (or an awaitable of it).
Write = Callable[[Any, "Run"], Any]


@dataclass
class Run:
    """One execution of a plan: the request's context and the operation's variables, coerced."""

    ctx: Context
    variables: VariableValues
    # Values still to await (signed URLs), by the object and key they go in; awaited once the answer is written.
    pending: list[tuple[dict[str, Any], str]] = field(default_factory=list)

    async def settle(self) -> None:
        for target, key in self.pending:
            target[key] = await target[key]


def constant(value: Any) -> Write:
    return lambda _row, _run: value


# Photos --------------------------------------------------------------------------------------------------------


def _enum_name(value: Any) -> Any:
    return None if value is None else value.name


def _same(value: Any) -> Any:
    return value


# An instant is left in the answer as the row's aware UTC datetime: the response's encoder (orjson) writes it as
# the DateTime scalar's ``isoformat()`` does (RFC 3339, microseconds only when there are any), in C.
_instant = _same


def _seconds(milliseconds: Any) -> Any:
    return None if milliseconds is None else milliseconds / 1000


# Photo fields read straight from one column: GraphQL name -> (column, how its value is written). An enum is read
# as stored (its name, which is its GraphQL value), not turned into the enum to be written back as its name.
PHOTO_COLUMN_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "title": ("title", _same),
    "description": ("description", _same),
    "failureReason": ("failure_reason", _same),
    "width": ("width", _same),
    "height": ("height", _same),
    "keywords": ("keywords", _same),
    "autoKeywords": ("auto_keywords", _same),
    "colors": ("colors", _same),
    "rights": ("rights", _same),
    "kind": (f"kind{AS_STORED}", _same),
    "category": (f"category{AS_STORED}", _same),
    "visibility": (f"visibility{AS_STORED}", _same),
    "status": (f"status{AS_STORED}", _same),
    "orientation": (f"orientation{AS_STORED}", _same),
    "capturedAt": ("captured_at", _instant),
    "createdAt": ("created_at", _instant),
    "durationSeconds": ("duration_ms", _seconds),
}
USER_COLUMN_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "username": ("username", _same),
    "firstName": ("first_name", _same),
    "lastName": ("last_name", _same),
    "role": (f"role{AS_STORED}", _same),
    "createdAt": ("created_at", _instant),
}
PHOTO_TYPES = frozenset({"Photo", "Node"})
# Photo fields whose value may be awaited (storage signs the URL, when it cannot at once).
SIGNED_URL_FIELDS = frozenset({"thumbnailUrl", "previewUrl"})
USER_TYPES = frozenset({"User", "Node"})


class ColumnSet:
    """The columns a plan selects, in the order it registers them: a writer keeps its column's position."""

    def __init__(self, required: Sequence[str] = ()) -> None:
        self.names: list[str] = []
        for name in required:
            self.at(name)

    def at(self, name: str) -> int:
        if name not in self.names:
            self.names.append(name)
        return self.names.index(name)

    def frozen(self) -> PhotoColumns:
        return PhotoColumns(tuple(self.names))


@dataclass(frozen=True)
class Column:
    """A field written as its column's value, unchanged (an object writer reads it in place)."""

    position: int

    def __call__(self, row: Any, _run: Run) -> Any:
        return row[self.position]


def _column_writer(position: int, convert: Callable[[Any], Any]) -> Write:
    if convert is _same:
        return Column(position)
    return lambda row, _run: convert(row[position])


def _global_id(type_name: str, position: int) -> Write:
    return lambda row, _run: global_ids.encode(type_name, row[position])


def photo_writer(fields: Fields, columns: ColumnSet, fragments: dict[str, FragmentDefinitionNode]) -> Write:
    """How each asked field of a Photo is written from its row; NotCompiled for a field that needs a resolver."""
    entries = [Entry(response_key(node), _photo_field(node, columns, fragments)) for node in fields.selections]
    signed = {response_key(node) for node in fields.selections if node.name.value in SIGNED_URL_FIELDS}
    return object_writer(entries, frozenset(signed))


def _photo_field(node: FieldNode, columns: ColumnSet, fragments: dict[str, FragmentDefinitionNode]) -> Write:
    name = node.name.value
    if name in PHOTO_COLUMN_FIELDS:
        column, convert = PHOTO_COLUMN_FIELDS[name]
        return _column_writer(columns.at(column), convert)
    if name == "__typename":
        return constant("Photo")
    if name == "id":
        return _global_id("Photo", columns.at("id"))
    owner = columns.at("user_id")
    if name == "exif":
        exif = columns.at("exif")
        return lambda row, run: row[exif] if row[exif] is not None and owns(run.ctx.viewer, row[owner]) else None
    if name == "faceCount":
        faces = columns.at("face_count")
        return lambda row, run: row[faces] if owns(run.ctx.viewer, row[owner]) else None
    if name == "location":
        shown, gps = columns.at("show_location"), columns.at("gps")
        return lambda row, run: (
            row[gps] if (row[shown] or owns(run.ctx.viewer, row[owner])) and row[gps] is not None else None
        )
    if name == "possibleDuplicate":
        original = columns.at("possible_duplicate_of_id")
        return lambda row, run: row[original] is not None if can_review_duplicates(run.ctx.viewer, row[owner]) else None
    if name == "thumbnailUrl":
        thumbnail = columns.at("thumbnail_key")
        return lambda row, run: photos.rendition_url_now(run.ctx, row[thumbnail], expires_in=URL_LIFETIME)
    if name == "previewUrl":
        preview, watermarked = columns.at("preview_key"), columns.at("watermarked_key")
        return lambda row, run: photos.rendition_url_now(
            run.ctx, row[preview] if owns(run.ctx.viewer, row[owner]) else row[watermarked], expires_in=URL_LIFETIME
        )
    if name == "photographer":
        return _photographer(Fields.of(node.selection_set, USER_TYPES, fragments), columns)
    raise NotCompiled(f"Photo.{name} needs its resolver")


def _photographer(fields: Fields, columns: ColumnSet) -> Write:
    entries: list[Entry] = []
    for node in fields.selections:
        name = node.name.value
        if name in USER_COLUMN_FIELDS:
            column, convert = USER_COLUMN_FIELDS[name]
            write = _column_writer(columns.at(f"photographer.{column}"), convert)
        elif name == "id":
            write = _global_id("User", columns.at("user_id"))
        elif name == "__typename":
            write = constant("User")
        else:
            raise NotCompiled(f"User.{name} needs its resolver")
        entries.append(Entry(response_key(node), write))
    return object_writer(entries)


# Objects and connections ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    key: str
    write: Write


def object_writer(entries: list[Entry], awaited: frozenset[str] = frozenset()) -> Write:
    """Writes an object's fields from one row, in response order, as one generated function: a dict display of
    the fields (a column read in place, any other field by its writer), which costs a fraction of a loop over
    the fields. A field whose URL storage cannot sign at once (``awaited``) leaves an awaitable in its place,
    which the run awaits once the whole answer is written. Response keys are GraphQL names (letters, digits and
    underscores: validated before planning), so they are written into the source as they are."""
    namespace: dict[str, Any] = {"_written": (str, type(None))}
    values: list[str] = []
    for index, entry in enumerate(entries):
        if not entry.key.isidentifier():
            raise NotCompiled(f"a response key that is not a GraphQL name: {entry.key!r}")
        if isinstance(entry.write, Column):
            values.append(f"{entry.key!r}: row[{entry.write.position}]")
        else:
            namespace[f"write_{index}"] = entry.write
            values.append(f"{entry.key!r}: write_{index}(row, run)")
    lines = ["def write(row, run):", f"    values = {{{', '.join(values)}}}"]
    for entry in entries:
        if entry.key in awaited:
            lines.append(f"    if not isinstance(values[{entry.key!r}], _written):")
            lines.append(f"        run.pending.append((values, {entry.key!r}))")
    lines.append("    return values")
    exec(compile("\n".join(lines), "<compiled object writer>", "exec"), namespace)
    write: Write = namespace["write"]
    return write


@dataclass
class ConnectionWriter:
    """A connection answered from a ``Page`` of rows: edges, pageInfo and totalCount as asked. The total is left
    for the run to await (a nested page knows it already; a root page may count with a second statement)."""

    entries: list[tuple[str, str, Any]]  # (response key, what, writer or constant)
    wants_total: bool = False

    def __call__(self, page: Page[Any], run: Run) -> dict[str, Any]:
        answer: dict[str, Any] = {}
        for key, what, writer in self.entries:
            if what == "edges":
                cursors = page.cursors  # encoded only when an edge asks for its cursor
                answer[key] = [writer(row, cursors, index, run) for index, row in enumerate(page.rows)]
            elif what == "pageInfo":
                answer[key] = writer(page)
            elif what == "totalCount":
                answer[key] = page.count()
                run.pending.append((answer, key))
            else:
                answer[key] = writer
        return answer


def connection_writer(
    fields: Fields,
    connection_type: str,
    fragments: dict[str, FragmentDefinitionNode],
    node_writer: Callable[[Fields], Write],
    node_types: frozenset[str],
) -> ConnectionWriter:
    writer = ConnectionWriter([])
    for node in fields.selections:
        name, key = node.name.value, response_key(node)
        if name == "__typename":
            writer.entries.append((key, "constant", connection_type))
        elif name == "totalCount":
            writer.entries.append((key, "totalCount", None))
            writer.wants_total = True
        elif name == "pageInfo":
            writer.entries.append(
                (key, "pageInfo", _page_info(Fields.of(node.selection_set, frozenset({"PageInfo"}), fragments)))
            )
        elif name == "edges":
            edge_type = connection_type.removesuffix("Connection") + "Edge"
            edge_fields = Fields.of(node.selection_set, frozenset({edge_type}), fragments)
            writer.entries.append((key, "edges", _edge(edge_fields, edge_type, fragments, node_writer, node_types)))
        else:
            raise NotCompiled(f"{connection_type}.{name}")
    return writer


def _page_info(fields: Fields) -> Callable[[Page[Any]], dict[str, Any]]:
    readers: dict[str, Callable[[Page[Any]], Any]] = {
        "hasNextPage": lambda page: page.has_next_page,
        "hasPreviousPage": lambda page: page.has_previous_page,
        "startCursor": lambda page: page.cursors[0] if page.cursors else None,
        "endCursor": lambda page: page.cursors[-1] if page.cursors else None,
        "__typename": lambda _page: "PageInfo",
    }
    try:
        chosen = [(response_key(node), readers[node.name.value]) for node in fields.selections]
    except KeyError as unknown:
        raise NotCompiled(f"PageInfo.{unknown}") from None
    return lambda page: {key: read(page) for key, read in chosen}


def _edge(
    fields: Fields,
    edge_type: str,
    fragments: dict[str, FragmentDefinitionNode],
    node_writer: Callable[[Fields], Write],
    node_types: frozenset[str],
) -> Callable[[Any, Sequence[str], int, Run], dict[str, Any]]:
    parts: list[tuple[str, str, Any]] = []
    for node in fields.selections:
        name, key = node.name.value, response_key(node)
        if name == "cursor":
            parts.append((key, "cursor", None))
        elif name == "__typename":
            parts.append((key, "constant", edge_type))
        elif name == "node":
            parts.append((key, "node", node_writer(Fields.of(node.selection_set, node_types, fragments))))
        else:
            raise NotCompiled(f"{edge_type}.{name}")

    if len(parts) == 1 and parts[0][1] == "node":  # edges { node { ... } }: the usual shape, without the loop
        key, _what, write_node = parts[0]
        return lambda row, _cursors, _index, run: {key: write_node(row, run)}

    def write(row: Any, cursors: Sequence[str], index: int, run: Run) -> dict[str, Any]:
        edge: dict[str, Any] = {}
        for key, what, value in parts:
            edge[key] = cursors[index] if what == "cursor" else value(row, run) if what == "node" else value
        return edge

    return write


# Root fields ----------------------------------------------------------------------------------------------------


@dataclass
class RootField:
    """One root field: how to fetch its rows for a run, and how to write them."""

    key: str
    answer: Callable[[Run], Awaitable[Any]]


def _arguments(schema: GraphQLSchema, field_def: GraphQLField, node: FieldNode) -> Callable[[Run], dict[str, Any]]:
    """The field's arguments for a run, as its resolver receives them (strawberry's conversion of the coerced
    values): converted once when the document writes them all out, per run when they name variables."""
    if any(_names_a_variable(argument.value) for argument in node.arguments or ()):
        return lambda run: _converted(schema, field_def, node, run.variables)
    written = _converted(schema, field_def, node, None)
    return lambda _run: written


def _names_a_variable(value: ValueNode) -> bool:
    if isinstance(value, VariableNode):
        return True
    if isinstance(value, ListValueNode):
        return any(_names_a_variable(item) for item in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_names_a_variable(item.value) for item in value.fields)
    return False


def _converted(
    schema: GraphQLSchema, field_def: GraphQLField, node: FieldNode, variables: VariableValues | None
) -> dict[str, Any]:
    coerced = get_argument_values(field_def, node, variables)
    definition = field_def.extensions["strawberry-definition"]
    strawberry_schema = schema.extensions["strawberry-definition"]
    return convert_arguments(
        coerced,
        definition.arguments,
        scalar_registry=strawberry_schema.schema_converter.scalar_registry,
        config=strawberry_schema.config,
    )


def _photo_node_writer(columns: ColumnSet, fragments: dict[str, FragmentDefinitionNode]) -> Callable[[Fields], Write]:
    return lambda fields: photo_writer(fields, columns, fragments)


def _browse_root(schema: GraphQLSchema, node: FieldNode, fragments: dict[str, FragmentDefinitionNode]) -> RootField:
    from lensgraph.schema.discovery import browse_page  # that module's resolver and this plan share it

    field_def = schema.query_type.fields["photos"]  # type: ignore[union-attr]
    columns = ColumnSet()
    writer = connection_writer(
        Fields.of(node.selection_set, frozenset({"PhotoConnection"}), fragments),
        "PhotoConnection",
        fragments,
        _photo_node_writer(columns, fragments),
        PHOTO_TYPES,
    )
    planned = columns.frozen()
    statements = PreparedStatements()
    arguments_of = _arguments(schema, field_def, node)

    async def answer(run: Run) -> Any:
        page = await browse_page(
            run.ctx, **arguments_of(run), columns=planned, count_inline=writer.wants_total, prepared=statements
        )
        return writer(page, run)

    return RootField(response_key(node), answer)


def _node_root(schema: GraphQLSchema, node: FieldNode, fragments: dict[str, FragmentDefinitionNode]) -> RootField:
    """``node(id:)`` compiled for a photo; an id of any other type is left to the resolvers."""
    from lensgraph.schema.core import from_global_id

    field_def = schema.query_type.fields["node"]  # type: ignore[union-attr]
    columns = ColumnSet(required=("id", "user_id", "status", "visibility"))
    writer = photo_writer(Fields.of(node.selection_set, PHOTO_TYPES, fragments), columns, fragments)
    planned = columns.frozen()
    statements = PreparedStatements()

    async def answer(run: Run) -> Any:
        type_name, key = from_global_id(get_argument_values(field_def, node, run.variables)["id"])
        if type_name != "Photo":
            raise NotCompiled("node() of another type")
        row = await photos.visible_photo_row(run.ctx, key, planned, statements)
        if row is None:
            return None
        analytics.record_view(run.ctx, row)
        return writer(row, run)

    return RootField(response_key(node), answer)


# Collection fields read straight from one column.
COLLECTION_COLUMN_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "title": ("title", _same),
    "slug": ("slug", _same),
    "description": ("description", _same),
    "visibility": ("visibility", _enum_name),
    "createdAt": ("created_at", _instant),
    "updatedAt": ("updated_at", _instant),
}


def _first_page(arguments: dict[str, Any]) -> int:
    """The page size of a first page; NotCompiled for any other page (after, before, last)."""
    if any(arguments.get(name) is not None for name in ("after", "before", "last")):
        raise NotCompiled("only first pages of nested connections are compiled")
    return page_request(arguments.get("first"), None, None, None).limit


def _viewer_root(schema: GraphQLSchema, node: FieldNode, fragments: dict[str, FragmentDefinitionNode]) -> RootField:
    """``viewer { collections(first:) { ... photos(first:) { ... } } }``: the owner's first collections with their
    first photos, one statement."""
    entries: list[tuple[str, Any]] = []
    for field_node in Fields.of(node.selection_set, frozenset({"Viewer"}), fragments).selections:
        name = field_node.name.value
        if name == "__typename":
            entries.append((response_key(field_node), "Viewer"))
        elif name == "collections":
            entries.append((response_key(field_node), _own_collections(schema, field_node, fragments)))
        else:
            raise NotCompiled(f"Viewer.{name} needs its resolver")

    async def answer(run: Run) -> Any:
        if run.ctx.viewer is None:
            return None
        written: dict[str, Any] = {}
        for key, part in entries:
            if isinstance(part, str):
                written[key] = part
                continue
            value = await part(run)
            if value is None:  # the account is gone: the resolver answers no viewer
                return None
            written[key] = value
        return written

    return RootField(response_key(node), answer)


def _own_collections(
    schema: GraphQLSchema, node: FieldNode, fragments: dict[str, FragmentDefinitionNode]
) -> Callable[[Run], Awaitable[Any]]:
    field_def = _field(schema, "Viewer", "collections")
    photos_def = _field(schema, "Collection", "photos")
    columns: list[str] = []
    photo_columns = ColumnSet()
    photo_pages: list[tuple[FieldNode, Any]] = []

    def collection_writer(fields: Fields) -> Write:
        entries: list[Entry] = []
        for field_node in fields.selections:
            name = field_node.name.value
            if name in COLLECTION_COLUMN_FIELDS:
                column, convert = COLLECTION_COLUMN_FIELDS[name]
                if column not in columns:
                    columns.append(column)
                entries.append(Entry(response_key(field_node), _collection_column(columns.index(column), convert)))
            elif name == "id":
                entries.append(Entry(response_key(field_node), _collection_id))
            elif name == "__typename":
                entries.append(Entry(response_key(field_node), constant("Collection")))
            elif name == "photos":
                photo_fields = Fields.of(field_node.selection_set, frozenset({"PhotoConnection"}), fragments)
                writer = connection_writer(
                    photo_fields,
                    "PhotoConnection",
                    fragments,
                    _photo_node_writer(photo_columns, fragments),
                    PHOTO_TYPES,
                )
                photo_pages.append((field_node, writer))
                entries.append(Entry(response_key(field_node), _photo_page(writer)))
            else:
                raise NotCompiled(f"Collection.{name} needs its resolver")
        return object_writer(entries)

    writer = connection_writer(
        Fields.of(node.selection_set, frozenset({"CollectionConnection"}), fragments),
        "CollectionConnection",
        fragments,
        collection_writer,
        frozenset({"Collection", "Node"}),
    )
    if writer.wants_total or len(photo_pages) > 1:
        raise NotCompiled("the count of collections, or their photos asked twice")
    planned_photos = photo_columns.frozen()
    photos_field = photo_pages[0][0] if photo_pages else None
    statements = PreparedStatements()

    async def answer(run: Run) -> Any:
        limit = _first_page(get_argument_values(field_def, node, run.variables))
        photo_limit = 0
        if photos_field is not None:
            photo_limit = _first_page(get_argument_values(photos_def, photos_field, run.variables))
        viewer = run.ctx.require_viewer()
        found = await collection_queries.first_collections_with_photos(
            run.ctx.reads, viewer.user_id, columns, limit, planned_photos, photo_limit, statements
        )
        if found is None:
            return None
        page = Page(
            rows=[_NestedCollection(item, photo_limit) for item in found[:limit]],
            cursors=Cursors([item.key for item in found[:limit]]),
            has_next_page=len(found) > limit,
            has_previous_page=False,
            count=_never_counted,
        )
        return writer(page, run)

    return answer


class _NestedCollection:
    """A collection row of the nested plan, with its first page of photos."""

    def __init__(self, found: collection_queries.CollectionWithPhotos, photo_limit: int) -> None:
        self.values, self.key = found.values, found.key
        photos = found.photos[:photo_limit]
        total = found.photo_count

        async def count() -> int:
            return total

        self.photo_page = Page(
            rows=photos,
            cursors=Cursors([photo[-2:] for photo in photos]),
            has_next_page=len(found.photos) > photo_limit,
            has_previous_page=False,
            count=count,
        )

    def __getitem__(self, index: int) -> Any:
        return self.values[index]


def _field(schema: GraphQLSchema, type_name: str, field_name: str) -> GraphQLField:
    found = schema.get_type(type_name)
    assert isinstance(found, GraphQLObjectType)
    field_def: GraphQLField = found.fields[field_name]
    return field_def


def _collection_id(row: Any, _run: Run) -> str:
    return global_ids.encode("Collection", row.key[1])


def _photo_page(writer: ConnectionWriter) -> Write:
    return lambda row, run: writer(row.photo_page, run)


def _collection_column(position: int, convert: Callable[[Any], Any]) -> Write:
    return lambda row, _run: convert(row.values[position])


async def _never_counted() -> int:
    raise NotCompiled("a count the plan did not ask for")


ROOT_FIELDS: dict[str, Callable[[GraphQLSchema, FieldNode, dict[str, FragmentDefinitionNode]], RootField]] = {
    "photos": _browse_root,
    "node": _node_root,
    "viewer": _viewer_root,
}


@dataclass
class Plan:
    document: DocumentNode
    operation: OperationDefinitionNode
    roots: list[RootField] = field(default_factory=list)
    # Root fields left to the resolvers (the others are compiled), and every root field's key in answer order.
    resolved: list[FieldNode] = field(default_factory=list)
    order: list[str] = field(default_factory=list)

    @property
    def name(self) -> str | None:
        return self.operation.name.value if self.operation.name else None

    @cached_property
    def resolved_document(self) -> DocumentNode:
        """The operation with only the root fields the resolvers answer (fragments kept: the executor reads only
        those it meets); executed, not validated again, so its unused variables do not matter."""
        given = self.operation
        operation = OperationDefinitionNode(
            operation=given.operation,
            name=given.name,
            variable_definitions=given.variable_definitions,
            directives=given.directives,
            selection_set=SelectionSetNode(selections=tuple(self.resolved)),
        )
        fragments = [d for d in self.document.definitions if isinstance(d, FragmentDefinitionNode)]
        return DocumentNode(definitions=(operation, *fragments))

    async def run(self, schema: GraphQLSchema, ctx: Context, raw_variables: dict[str, Any] | None) -> dict[str, Any]:
        coerced = get_variable_values(schema, self.operation.variable_definitions or (), raw_variables or {})
        if not isinstance(coerced, VariableValues):
            raise NotCompiled("variables the executor will refuse")
        run = Run(ctx, coerced)
        data = {root.key: await root.answer(run) for root in self.roots}
        await run.settle()
        return data


def plan_of(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> Plan | MutationPlan | None:
    """The plan for the operation: a query's root fields compiled where they can be, the others left to the
    resolvers; a mutation's one root field called without the executor (``compiled_mutations``); None where
    none can be (or the document's shape is one the planner leaves alone)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    if len(chosen) != 1:
        return None
    operation = chosen[0]
    if operation.operation is OperationType.MUTATION:
        return mutation_plan_of(schema, document, operation, fragments)
    if operation.operation is not OperationType.QUERY:
        return None
    try:
        plan = Plan(document, operation)
        for node in Fields.of(operation.selection_set, frozenset({"Query"}), fragments).selections:
            name = node.name.value
            if name in {"__schema", "__type"}:
                return None  # introspection is the executor's
            plan.order.append(response_key(node))
            try:
                if name == "__typename":
                    plan.roots.append(RootField(response_key(node), _typename_query))
                elif name in ROOT_FIELDS:
                    plan.roots.append(ROOT_FIELDS[name](schema, node, fragments))
                else:
                    raise NotCompiled(f"Query.{name}")
            except NotCompiled:
                plan.resolved.append(node)
    except NotCompiled:
        return None
    query_type = schema.query_type
    if query_type is None or any(
        isinstance(getattr(query_type.fields.get(node.name.value), "type", None), GraphQLNonNull)
        for node in plan.resolved
    ):
        # A non-null root field that fails nulls the whole answer, and which of its siblings' errors are reported
        # then depends on the order they finish in: such a document is answered by the resolvers alone.
        return None
    return plan if plan.roots else None


async def _typename_query(_run: Run) -> str:
    return "Query"


class Plans:
    """Plans by document text and operation name, least recently used dropped first; None: not compilable."""

    def __init__(self, maxsize: int = PLAN_CACHE_SIZE) -> None:
        self.maxsize = maxsize
        self._plans: OrderedDict[tuple[str, str | None], Plan | MutationPlan | None] = OrderedDict()

    def known(self, query: str, operation_name: str | None) -> Plan | MutationPlan | None:
        """The plan of a document that ran before (so it parsed and validated), or None."""
        return self._plans.get((query, operation_name))

    def get(
        self, schema: GraphQLSchema, query: str, operation_name: str | None, document: DocumentNode
    ) -> Plan | MutationPlan | None:
        key = (query, operation_name)
        if key in self._plans:
            self._plans.move_to_end(key)
            return self._plans[key]
        try:
            plan = plan_of(schema, document, operation_name)
        except Exception:
            # The resolvers answer every document: a planner that trips on one must cost speed, not the answer.
            log.exception("the read planner failed on operation %s; the resolvers answer it", operation_name)
            plan = None
        self._plans[key] = plan
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) == 1:
            # The executor names the only operation of a document whether or not the request did: the short way
            # looks a request up by the name it sent.
            self._plans[(query, None)] = plan
        while len(self._plans) > self.maxsize:
            self._plans.popitem(last=False)
        return plan


async def answer_compiled(
    plan: Plan, schema: GraphQLSchema, ctx: Context, variables: dict[str, Any] | None, *, last_try: bool = True
) -> Any:
    """The plan's answer, or None when this run is left to the resolvers (counted, unless another try of the
    plan follows: ``last_try``)."""
    try:
        data = await plan.run(schema, ctx, variables)
    except (NotCompiled, DomainError):
        # The resolvers answer: an id of another type, or an error they report in their own words.
        if last_try:
            labelled(COMPILED_OPERATIONS, "resolvers").inc()
        return None
    labelled(COMPILED_OPERATIONS, "compiled").inc()
    return data


def compiled_first(plan: Plan, execute: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """An execute function for strawberry that answers with ``plan`` and falls back to ``execute``."""

    async def executed(schema: GraphQLSchema, document: DocumentNode, **kwargs: Any) -> Any:
        result = execute(schema, document, **kwargs)
        return await result if inspect.isawaitable(result) else result

    async def run(schema: GraphQLSchema, document: DocumentNode, **kwargs: Any) -> Any:
        data = await answer_compiled(plan, schema, kwargs["context_value"], kwargs["variable_values"])
        if data is None:
            return await executed(schema, document, **kwargs)
        if not plan.resolved:
            return ExecutionResult(data=data)
        # The root fields the planner left answer through the resolvers, in the same operation.
        rest = await executed(schema, plan.resolved_document, **kwargs)
        if rest.data is None:  # a non-null root field failed: the whole answer is null, with its errors
            return rest
        merged = {key: data[key] if key in data else rest.data[key] for key in plan.order}
        return ExecutionResult(data=merged, errors=rest.errors)

    return run
