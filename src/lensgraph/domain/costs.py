"""What an operation costs, and the bucket of points each caller spends it from.

The rules follow Shopify's calculated query cost: a field returning an object costs 1, a scalar or an enum 0, a
mutation 10; a connection costs 1 for itself plus, per node it asks for (``first``, else ``last``, else the
default page size), the cost of one node. The requested cost is known before the operation runs, from its
document and variables; the actual cost counts what was returned (a connection's nodes as returned) and is
what the caller is charged in the end, never more than requested.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

OBJECT_COST = 1
MUTATION_COST = 10


@dataclass(frozen=True)
class Argument:
    """An argument's value in the document: a literal, or a variable (with its declared default as the literal)."""

    literal: Any = None
    variable: str | None = None

    def value(self, variables: Mapping[str, Any]) -> Any:
        if self.variable is not None and self.variable in variables:
            return variables[self.variable]
        return self.literal


@dataclass(frozen=True)
class ItemCount:
    """How many items a list field asks for: the first of ``arguments`` that is given (an integer such as
    ``first``, or a list whose length counts, such as ``ids``), else ``default``; at most ``maximum``, past which
    the field refuses to run (with its own INVALID_INPUT error naming the argument)."""

    arguments: tuple[Argument, ...] = ()
    default: int = 1
    maximum: int | None = None

    def requested(self, variables: Mapping[str, Any]) -> int:
        count = self.default
        for argument in self.arguments:
            value = argument.value(variables)
            if isinstance(value, list | tuple):
                count = len(value)
                break
            if isinstance(value, int) and not isinstance(value, bool):
                count = max(0, value)
                break
        return count if self.maximum is None else min(count, self.maximum)


@dataclass(frozen=True)
class CostField:
    """One response key of a selection and what it costs: ``weight`` per object (per item for a list, whether or
    not the object turns out null), plus its own selection. A field of an interface type selects differently
    per concrete type: ``variants`` then holds each type's selection, and the costliest counts."""

    key: str
    weight: int
    items: ItemCount | None = None
    children: tuple[CostField, ...] = ()
    variants: tuple[tuple[str, tuple[CostField, ...]], ...] = ()

    def requested(self, variables: Mapping[str, Any]) -> int:
        count = 1 if self.items is None else self.items.requested(variables)
        if count == 0:
            return 0
        return count * (self.weight + self._requested_selection(variables))

    def actual(self, value: Any) -> int:
        if self.items is None:
            return self._one(value)
        if not isinstance(value, list):
            return 0
        if not (self.children or self.variants):  # a list of objects whose fields are all scalars
            return self.weight * len(value)
        total = 0
        for item in value:
            total += self._one(item)
        return total

    def _one(self, value: Any) -> int:
        if not (self.children or self.variants) or not isinstance(value, dict):
            return self.weight
        return self.weight + self._actual_selection(value)

    def _requested_selection(self, variables: Mapping[str, Any]) -> int:
        if self.variants:
            return max(selection_requested(fields, variables) for _, fields in self.variants)
        return selection_requested(self.children, variables)

    @cached_property
    def names_variables(self) -> bool:
        """Whether what it requests depends on the operation's variables (a page size given by one)."""
        return (
            any(argument.variable is not None for argument in (self.items.arguments if self.items else ()))
            or any(field.names_variables for field in self.children)
            or any(field.names_variables for _, fields in self.variants for field in fields)
        )

    @cached_property
    def _fixed_children(self) -> tuple[int, tuple[CostField, ...]]:
        return _split(self.children)

    @cached_property
    def _fixed_variants(self) -> dict[str, tuple[int, tuple[CostField, ...]]]:
        return {type_name: _split(fields) for type_name, fields in self.variants}

    def _actual_selection(self, value: Mapping[str, Any]) -> int:
        if not self.variants:
            fixed, walked = self._fixed_children
            return fixed + selection_actual(walked, value)
        variants = self._fixed_variants
        chosen = variants.get(value.get("__typename", ""))
        if chosen is not None:
            return chosen[0] + selection_actual(chosen[1], value)
        return max(fixed + selection_actual(walked, value) for fixed, walked in variants.values())


def _split(fields: tuple[CostField, ...]) -> tuple[int, tuple[CostField, ...]]:
    """What the fields that are single scalars cost whatever they hold, and the fields whose cost depends on what
    they hold (objects that may be null, lists): only those are walked per object returned."""
    fixed, walked = 0, []
    for field in fields:
        if field.items is None and not (field.children or field.variants):
            fixed += field.weight
        else:
            walked.append(field)
    return fixed, tuple(walked)


def selection_requested(fields: tuple[CostField, ...], variables: Mapping[str, Any]) -> int:
    return sum(field.requested(variables) for field in fields)


def selection_actual(fields: tuple[CostField, ...], value: Mapping[str, Any]) -> int:
    total = 0
    for field in fields:  # a loop, not sum() over a generator: this runs per object returned
        total += field.actual(value.get(field.key))
    return total


@dataclass(frozen=True)
class OperationCost:
    """The priced selection of one operation of a document; evaluated per request with its variables."""

    fields: tuple[CostField, ...]

    def requested(self, variables: Mapping[str, Any] | None) -> int:
        if self._names_variables:
            return selection_requested(self.fields, variables or {})
        return self._requested_whatever_the_variables

    @cached_property
    def _names_variables(self) -> bool:
        return any(field.names_variables for field in self.fields)

    @cached_property
    def _requested_whatever_the_variables(self) -> int:
        return selection_requested(self.fields, {})

    def actual(self, data: Mapping[str, Any] | None, requested: int) -> int:
        """What was spent, from the answer's ``data``: never more than was requested (the requested cost is the
        bound the caller agreed to, and lists that take no size argument are priced as one item up front)."""
        if data is None:
            return 0
        return min(requested, selection_actual(self.fields, data))


@dataclass(frozen=True)
class Bucket:
    """A caller's points: ``capacity`` at most, restored at ``restore_rate`` points per second."""

    capacity: float
    restore_rate: float


@dataclass(frozen=True)
class BucketLevel:
    available: float
    at: float


@dataclass(frozen=True)
class Spending:
    """The outcome of one take or settle: allowed or not, the points left, and when to come back if refused."""

    allowed: bool
    level: BucketLevel
    retry_after: int


def restored(bucket: Bucket, level: BucketLevel | None, now: float) -> float:
    """The points available at ``now``: a caller never seen (or long gone) has a full bucket."""
    if level is None:
        return bucket.capacity
    return min(bucket.capacity, level.available + max(0.0, now - level.at) * bucket.restore_rate)


def take(bucket: Bucket, level: BucketLevel | None, now: float, amount: float) -> Spending:
    """Takes ``amount`` points if that many are available, else none: the request is refused and told how many
    seconds until they are (the Lua script in ``adapters/ratelimit.py`` does the same arithmetic in Redis)."""
    available = restored(bucket, level, now)
    if amount > available:
        wait = math.ceil((amount - available) / bucket.restore_rate) if bucket.restore_rate > 0 else 0
        return Spending(False, BucketLevel(available, now), max(1, wait))
    return Spending(True, BucketLevel(available - amount, now), 0)


def settle(bucket: Bucket, level: BucketLevel | None, now: float, refund: float) -> Spending:
    """Gives back ``refund`` points (what was taken but not spent); the bucket holds between 0 and capacity."""
    available = restored(bucket, level, now)
    return Spending(True, BucketLevel(min(bucket.capacity, max(0.0, available + refund)), now), 0)
