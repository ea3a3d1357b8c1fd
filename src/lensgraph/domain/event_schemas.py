"""JSON Schema (draft 2020-12) of every event payload, generated from the event dataclasses.

``lensgraph export-event-schemas`` writes it to ``docs/events.schema.json``; a test fails when the file
drifts from the code. The document validates a webhook body ``{id, type, createdAt, data}``; its ``$defs``
hold one schema per event type for ``data``, which is also a notification's ``data``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from lensgraph.domain.events import CATALOGUE, Event, PayloadField, payload_fields

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# Not a format JSON Schema defines (so validators treat it as an annotation): our own name for the
# opaque Relay ID that node(id:) resolves.
GLOBAL_ID_FORMAT = "global-id"
# Which entity a global ID names: the GraphQL type that node(id:) returns for it.
NODE_TYPE_KEYWORD = "x-node-type"
EMITTED_KEYWORD = "x-emitted"

_SCALARS: dict[type, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    datetime: {"type": "string", "format": "date-time"},
}


def event_schemas() -> dict[str, Any]:
    """The whole document, event types in alphabetical order (a stable file)."""
    kinds = [CATALOGUE[name] for name in sorted(CATALOGUE)]
    return {
        "$schema": DRAFT,
        "title": "Lensgraph events",
        "description": (
            "A webhook body. `data` is the event's payload, the same as a notification's `data`; every ID in "
            "it is a global ID that `node(id:)` resolves. Event types whose schema says "
            f'"{EMITTED_KEYWORD}": false are not emitted yet and cannot be subscribed to.'
        ),
        "type": "object",
        "required": ["id", "type", "createdAt", "data"],
        "additionalProperties": False,
        "properties": {
            "id": {
                "type": "string",
                "format": "uuid",
                "description": "The event's id, also sent as the `webhook-id` header: deduplicate on it.",
            },
            "type": {"enum": [kind.type for kind in kinds]},
            "createdAt": {"type": "string", "format": "date-time"},
            "data": {"type": "object"},
        },
        "oneOf": [
            {
                "properties": {"type": {"const": kind.type}, "data": {"$ref": f"#/$defs/{kind.type}"}},
            }
            for kind in kinds
        ],
        "$defs": {kind.type: payload_schema(kind) for kind in kinds},
    }


def payload_schema(kind: type[Event]) -> dict[str, Any]:
    """The schema of one event type's ``data``: every field present, ``null`` only where it may be."""
    found = payload_fields(kind)
    description = kind.summary if kind.emitted else f"Not emitted yet. {kind.summary}"
    return {
        "title": kind.type,
        "description": description,
        EMITTED_KEYWORD: kind.emitted,
        "type": "object",
        "required": [item.name for item in found],
        "additionalProperties": False,
        "properties": {item.name: _field_schema(item, kind.emitted) for item in found},
    }


def _field_schema(item: PayloadField, emitted: bool) -> dict[str, Any]:
    if item.entity is not None:
        resolves = "`node(id:)` returns it" if emitted else "a type the API gains when this event is emitted"
        schema: dict[str, Any] = {
            "type": "string",
            "format": GLOBAL_ID_FORMAT,
            NODE_TYPE_KEYWORD: item.entity,
            "description": f"Global ID of a `{item.entity}`: {resolves}.",
        }
    elif item.kind in _SCALARS:
        schema = dict(_SCALARS[item.kind])
    else:
        raise TypeError(f"no JSON Schema for payload field {item.name!r} of type {item.kind!r}")
    if item.optional:
        schema["type"] = [schema["type"], "null"]
    return schema


def event_schemas_json() -> str:
    """The file's text: the document, indented, with a final newline."""
    return json.dumps(event_schemas(), indent=2) + "\n"
