"""Shared GraphQL building blocks: errors, money, global IDs, nodes and connections."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, ClassVar, Generic, ParamSpec, Protocol, TypeVar
from uuid import UUID

import strawberry
from strawberry import Info
from strawberry.schema.types.base_scalars import DateTimeDefinition, wrap_parser
from strawberry.types.scalar import ScalarDefinition

from lensgraph.domain import errors as domain_errors
from lensgraph.domain import global_ids
from lensgraph.domain import money as domain_money
from lensgraph.domain import pagination as domain_pagination
from lensgraph.domain.errors import DomainError
from lensgraph.domain.moments import utc_moment
from lensgraph.persistence.pagination import Page
from lensgraph.resolvers.context import Context

ErrorCode = strawberry.enum(domain_errors.ErrorCode, description="Why an operation was refused.")
Currency = strawberry.enum(domain_money.Currency, description="ISO 4217 currencies accepted for payments.")
SortDirection = strawberry.enum(
    domain_pagination.SortDirection, description="ASC: smallest (oldest, A to Z, cheapest) first. DESC: the reverse."
)


def _parse_moment(value: str) -> datetime:
    return utc_moment(datetime.fromisoformat(value))


# Strawberry's DateTime, except that what it reads is an instant in UTC that a datetime can hold: a value the
# client sends is refused as INVALID_INPUT where it is read, never left to overflow in a query or a sum.
DateTime = dataclasses.replace(DateTimeDefinition, parse_value=wrap_parser(_parse_moment, "DateTime"))
SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {datetime: DateTime}


@strawberry.type(description="Something the user can fix: which input, what kind of problem, in words.")
class UserError:
    field: list[str] | None
    code: ErrorCode  # type: ignore[valid-type]
    message: str

    @classmethod
    def from_domain(cls, error: DomainError) -> UserError:
        return cls(field=error.field, code=error.code, message=error.message)


@strawberry.type(description="An amount in minor units (cents), with its currency.")
class Money:
    amount: int
    currency: Currency  # type: ignore[valid-type]
    formatted: str

    @classmethod
    def from_domain(cls, value: domain_money.Money) -> Money:
        return cls(amount=value.amount, currency=value.currency, formatted=value.formatted())


@strawberry.input
class MoneyInput:
    amount: int = strawberry.field(description="In minor units: cents, or whole yen for JPY.")
    currency: str = strawberry.field(description="ISO 4217 code, one of the `Currency` values.")

    def to_domain(self, field: str) -> domain_money.Money:
        return domain_money.Money(self.amount, domain_money.parse_currency(self.currency, field))


@strawberry.type(description="The answer of a mutation that changes no object you need back.")
class AcknowledgedPayload:
    ok: bool = False
    user_errors: list[UserError] = strawberry.field(default_factory=list)


class HasUserErrors(Protocol):
    def __init__(self, *, user_errors: list[UserError]) -> None: ...


P = ParamSpec("P")
R = TypeVar("R", bound=HasUserErrors)


def returns_user_errors(payload: type[R]) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """A mutation refused by a domain rule answers with its payload's ``userErrors``, not a GraphQL error."""

    def decorate(resolver: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(resolver)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return await resolver(*args, **kwargs)
            except DomainError as error:
                return payload(user_errors=[UserError.from_domain(error)])

        return wrapper

    return decorate


# Global IDs ----------------------------------------------------------------------------------


def to_global_id(type_name: str, key: UUID) -> strawberry.ID:
    return strawberry.ID(global_ids.encode(type_name, key))


def from_global_id(global_id: str, field: str = "id") -> tuple[str, UUID]:
    """Malformed IDs are ``NOT_FOUND``: to a client, an ID that decodes to nothing names nothing."""
    try:
        return global_ids.decode(global_id)
    except ValueError:
        raise DomainError(domain_errors.ErrorCode.NOT_FOUND, "No object has this ID.", [field]) from None


def expect_global_id(global_id: str, type_name: str, field: str = "id") -> UUID:
    found_type, key = from_global_id(global_id, field)
    if found_type != type_name:
        raise DomainError(domain_errors.ErrorCode.NOT_FOUND, f"No {type_name} has this ID.", [field])
    return key


@strawberry.interface(description="An object with a global ID, fetchable with node(id:).")
class Node:
    id: strawberry.ID

    # Each implementation loads one of its kind by key, or None where the viewer may not see it.
    node_type_name: ClassVar[str]

    @classmethod
    async def resolve_node(cls, info: Info[Context, None], key: UUID) -> Any:
        raise NotImplementedError


NODE_TYPES: dict[str, type[Node]] = {}


def node_type(cls: type[Node]) -> type[Node]:
    """Registers a Node implementation so that node(id:) can find it."""
    NODE_TYPES[cls.__name__] = cls
    return cls


async def resolve_global_id(info: Info[Context, None], global_id: str) -> Node | None:
    type_name, key = from_global_id(global_id)
    implementation = NODE_TYPES.get(type_name)
    if implementation is None:
        raise DomainError(domain_errors.ErrorCode.NOT_FOUND, "No object has this ID.", ["id"])
    node: Node | None = await implementation.resolve_node(info, key)
    return node


# Connections ---------------------------------------------------------------------------------

N = TypeVar("N")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type(description="A page of results, with cursors to fetch the next or previous page.")
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many results there are in all, on every page.")
    async def total_count(self) -> int:
        return await self._count()

    @classmethod
    def from_page(cls, page: Page[Any], to_node: Callable[[Any], N]) -> Connection[N]:
        edges = [Edge(cursor=cursor, node=to_node(row)) for cursor, row in zip(page.cursors, page.rows, strict=True)]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
            _count=page.count,
        )
