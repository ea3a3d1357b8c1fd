"""An entity's public identity: ``base64url("<TypeName>:<uuid>")`` without padding.

One form everywhere the API hands out an ID: GraphQL ``id`` fields, ``node(id:)``, notification ``data``
and webhook bodies. Like pagination cursors, it is pure encoding: the type name is the entity's name in
the API (``License``, ``Photo``), which ``node(id:)`` dispatches on.
"""

from __future__ import annotations

import base64
import binascii
from uuid import UUID


def encode(type_name: str, key: UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")


def decode(global_id: str) -> tuple[str, UUID]:
    """The type name and key; ``ValueError`` for anything that is not a global ID."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        return type_name, UUID(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError(f"{global_id!r} is not a global ID") from None
