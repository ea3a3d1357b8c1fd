"""Compiled mutations: a mutation document that ran before is answered without the GraphQL executor.

The plan is made once per document, from the validated operation: its one root field's strawberry resolver, and
a writer for the payload it asked, field by field from the object the resolver returns. It is made only where
the payload's every field is a plain attribute (strawberry's "basic" fields: no resolver, no extension) of an
object type, a list or a leaf, which the writer serializes with the schema's own types, as the executor does.
Anything else (a field with its own resolver, an interface or union, several root fields, directives) is left
to the executor for the whole document.

A run calls the same resolver, with the same converted arguments, as the executor would: the domain rules, the
transaction and the outbox are the resolver's own. Everything that can refuse the request (variables, argument
values, their conversion) is checked before the resolver runs and falls back to the executor, which answers it
in its own words; once the resolver has run, the plan answers whatever it returned or raised, since a mutation
must not run twice. ``tests/api/test_compiled_mutations.py`` holds both paths to the same answers.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationDefinitionNode,
    SelectionSetNode,
    is_leaf_type,
    located_error,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry import Info
from strawberry.schema.schema_converter import get_arguments
from strawberry.types.field import StrawberryField

from lensgraph.resolvers.context import Context
from lensgraph.schema.selections import Fields, NotCompiled, response_key

# The resolver's value (or one of its fields') -> its JSON value.
WriteValue = Callable[[Any], Any]


class NullWritten(Exception):
    """A resolver returned null where the schema promises a value: a defect, answered as an internal error."""


class _ContextOnly:
    """What a compiled run's ``Info`` carries: the context, which is all this schema's resolvers read of it
    (``tests/unit/test_compiled_mutations.py`` holds them to that)."""

    __slots__ = ("context",)

    def __init__(self, context: Context) -> None:
        self.context = context


@dataclass
class Prepared:
    """A run's resolver call, ready: everything that could refuse the request has been checked."""

    info: Info[Context, None]
    args: list[Any]
    kwargs: dict[str, Any]


@dataclass
class MutationPlan:
    """A mutation document's plan: its one root field, that field's resolver, and the writer of its payload."""

    document: DocumentNode
    operation: OperationDefinitionNode
    node: FieldNode
    field_def: GraphQLField
    resolver: StrawberryField
    payload: WriteValue
    nullable: bool

    @property
    def name(self) -> str | None:
        return self.operation.name.value if self.operation.name else None

    @property
    def key(self) -> str:
        return response_key(self.node)

    def prepare(self, schema: GraphQLSchema, ctx: Context, raw_variables: dict[str, Any] | None) -> Prepared:
        """The resolver's arguments, coerced and converted as the executor does; NotCompiled for any value the
        executor would refuse (it answers that in its own words)."""
        coerced = get_variable_values(schema, self.operation.variable_definitions or (), raw_variables or {})
        if not isinstance(coerced, VariableValues):
            raise NotCompiled("variables the executor will refuse")
        try:
            values = get_argument_values(self.field_def, self.node, coerced)
        except GraphQLError as refused:
            raise NotCompiled("argument values the executor will refuse") from refused
        strawberry_schema = schema.extensions["strawberry-definition"]
        info: Info[Context, None] = Info(_raw_info=_ContextOnly(ctx), _field=self.resolver)  # type: ignore[arg-type]
        try:
            args, kwargs = get_arguments(
                field=self.resolver,
                source=None,
                info=info,
                kwargs=values,
                config=strawberry_schema.config,
                scalar_registry=strawberry_schema.schema_converter.scalar_registry,
            )
        except Exception as refused:
            raise NotCompiled("arguments strawberry cannot convert") from refused
        return Prepared(info, args, kwargs)

    async def run(self, prepared: Prepared) -> ExecutionResult:
        """Calls the resolver once and writes its payload; what it raises is answered as the executor answers it
        (``located_error``: the message, the field's location and path), for the caller to shape."""
        key = self.key
        try:
            value = self.resolver.get_result(None, prepared.info, prepared.args, prepared.kwargs)
            if inspect.isawaitable(value):
                value = await value
            return ExecutionResult(data={key: self.payload(value)})
        except Exception as raised:
            error = located_error(raised, [self.node], [key])
            return ExecutionResult(data={key: None} if self.nullable else None, errors=[error])


def mutation_plan_of(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
) -> MutationPlan | None:
    """The plan of a mutation with one root field whose payload is plain attributes; None otherwise."""
    mutation_type = schema.mutation_type
    if mutation_type is None or operation.directives:
        return None
    try:
        [node] = Fields.of(operation.selection_set, frozenset({mutation_type.name}), fragments).selections
        field_def = mutation_type.fields[node.name.value]
        resolver = field_def.extensions.get("strawberry-definition")
        if not isinstance(resolver, StrawberryField) or resolver.base_resolver is None or resolver.extensions:
            return None
        payload = value_writer(field_def.type, node.selection_set, fragments)
    except (NotCompiled, ValueError, KeyError):
        return None
    nullable = not isinstance(field_def.type, GraphQLNonNull)
    return MutationPlan(document, operation, node, field_def, resolver, payload, nullable)


def value_writer(
    output: GraphQLOutputType, selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]
) -> WriteValue:
    """How a value of the output type is written as JSON, as the executor completes it: null kept, lists item by
    item, leaves by the type's own ``serialize``, objects by their selected fields."""
    if isinstance(output, GraphQLNonNull):
        inner = value_writer(output.of_type, selection_set, fragments)

        def non_null(value: Any) -> Any:
            if value is None:
                raise NullWritten(f"null for a non-null {output}")
            return inner(value)

        return non_null
    if isinstance(output, GraphQLList):
        item = value_writer(output.of_type, selection_set, fragments)
        return lambda value: None if value is None else [item(member) for member in value]
    if is_leaf_type(output):
        serialize = output.serialize
        return lambda value: None if value is None else serialize(value)
    if isinstance(output, GraphQLObjectType):
        return _object_writer(output, selection_set, fragments)
    raise NotCompiled(f"{output}: an interface or union, whose type the executor resolves")


def _object_writer(
    object_type: GraphQLObjectType, selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]
) -> WriteValue:
    type_names = frozenset({object_type.name, *(interface.name for interface in object_type.interfaces)})
    parts: list[tuple[str, Callable[[Any], Any]]] = []
    for node in Fields.of(selection_set, type_names, fragments).selections:
        name = node.name.value
        if name == "__typename":
            parts.append((response_key(node), _constant(object_type.name)))
            continue
        field_def = object_type.fields[name]
        definition = field_def.extensions.get("strawberry-definition")
        if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
            raise NotCompiled(f"{object_type.name}.{name} has a resolver of its own")
        parts.append(
            (response_key(node), _attribute(definition, value_writer(field_def.type, node.selection_set, fragments)))
        )

    def write(value: Any) -> Any:
        if value is None:
            return None
        return {key: read(value) for key, read in parts}

    return write


def _attribute(definition: StrawberryField, write: WriteValue) -> Callable[[Any], Any]:
    read, name = definition.default_resolver, definition.python_name
    return lambda value: write(read(value, name))


def _constant(value: Any) -> Callable[[Any], Any]:
    return lambda _value: value
