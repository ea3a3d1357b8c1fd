"""The event catalogue: what is offered is what some code path emits, and every payload fits its schema."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, ClassVar
from uuid import UUID, uuid4

import pytest
from jsonschema import Draft202012Validator, FormatChecker

import lensgraph
from lensgraph.domain import global_ids
from lensgraph.domain.errors import DomainError
from lensgraph.domain.event_schemas import GLOBAL_ID_FORMAT, event_schemas, payload_schema
from lensgraph.domain.events import (
    CATALOGUE,
    EMITTED_TYPES,
    Event,
    Names,
    check_offered,
    payload_fields,
    public_payload,
)

SOURCE = Path(lensgraph.__file__).parent
EVENTS_MODULE = SOURCE / "domain" / "events.py"


def constructed_event_classes() -> Iterator[str]:
    """Names of event classes that code outside domain/events.py builds: called, or handed to a factory
    (``_event(LicenseDeclined, row)``). Mentions in imports or tuples are not emissions."""
    names = {kind.__name__ for kind in CATALOGUE.values()}
    for path in SOURCE.rglob("*.py"):
        if path == EVENTS_MODULE:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            for candidate in (node.func, *node.args):
                if isinstance(candidate, ast.Name) and candidate.id in names:
                    yield candidate.id


def test_every_offered_event_type_has_an_emitting_call_site_and_no_other_does():
    built = set(constructed_event_classes())
    emitted_classes = {CATALOGUE[name].__name__ for name in EMITTED_TYPES}
    assert emitted_classes - built == set(), "offered, but nothing builds these events: set emitted = False"
    assert built - emitted_classes == set(), "built somewhere, but not offered: remove emitted = False"


def sample(kind: type[Event]) -> Event:
    """An instance with a value of the right type in every field."""
    values: dict[str, Any] = {}
    for item, python_name in zip(payload_fields(kind), field_names(kind), strict=True):
        values[python_name] = {
            UUID: uuid4(),
            str: "text",
            int: 7,
            float: 0.5,
            bool: True,
            datetime: datetime(2026, 11, 22, tzinfo=UTC),
        }[item.kind]
    return kind(**values)


def field_names(kind: type[Event]) -> list[str]:
    return [item.name for item in fields(kind) if item.name != "audience"]


@pytest.mark.parametrize("event_type", sorted(CATALOGUE))
def test_each_payload_as_shown_validates_against_its_schema(event_type):
    kind = CATALOGUE[event_type]
    stored = sample(kind).payload()
    shown = public_payload(event_type, stored)
    Draft202012Validator(payload_schema(kind)).validate(shown)
    for item in payload_fields(kind):
        if item.entity is not None:
            assert global_ids.decode(shown[item.name]) == (item.entity, UUID(stored[item.name]))
    body = {"id": str(uuid4()), "type": event_type, "createdAt": "2026-11-22T20:31:07+00:00", "data": shown}
    Draft202012Validator(event_schemas()).validate(body)


def test_a_raw_key_in_a_shown_payload_fails_its_schema():
    stored = sample(CATALOGUE["license.accepted"]).payload()
    checker = FormatChecker()
    checker.checks(GLOBAL_ID_FORMAT, raises=ValueError)(global_ids.decode)
    validator = Draft202012Validator(payload_schema(CATALOGUE["license.accepted"]), format_checker=checker)
    assert not validator.is_valid(stored)
    assert validator.is_valid(public_payload("license.accepted", stored))


def test_rendering_is_idempotent_and_leaves_null_and_facts_alone():
    stored = {"licenseId": str(uuid4()), "photoId": None, "status": "ACCEPTED"}
    shown = public_payload("license.accepted", stored)
    assert shown["photoId"] is None and shown["status"] == "ACCEPTED"
    assert public_payload("license.accepted", shown) == shown
    assert public_payload("no.such.type", stored) == stored


def test_a_key_field_that_names_no_entity_is_refused():
    @dataclass(frozen=True, kw_only=True)
    class Careless(Event):
        type: ClassVar[str] = "careless.thing"
        summary: ClassVar[str] = ""
        thing_id: UUID

    @dataclass(frozen=True, kw_only=True)
    class Careful(Event):
        type: ClassVar[str] = "careful.thing"
        summary: ClassVar[str] = ""
        thing_id: Annotated[UUID, Names("Thing")]

    with pytest.raises(TypeError, match="thing_id"):
        payload_fields(Careless)
    assert payload_fields(Careful)[0].entity == "Thing"


def test_only_emitted_types_are_offered():
    check_offered(["license.accepted", "api_key.created"], ["events"])
    # Brand matching emits the last types that were still to come.
    check_offered(["match.new", "photo.available"], ["events"])
    with pytest.raises(DomainError, match="Unknown event types"):
        check_offered(["nope"], ["events"])
