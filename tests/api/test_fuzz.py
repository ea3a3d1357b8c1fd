"""Schema-driven fuzzing: whatever valid operation a client sends, the answer is data or a coded error, never a 500.

hypothesis-graphql writes operations from ``schema.graphql`` (every root field, random arguments and
selections); IDs are drawn from the records of a small marketplace, so resolvers get past "not found"
into their rules. Derandomized, so a run is repeatable and a failure names its operation.
"""

from __future__ import annotations

import random
from datetime import UTC
from pathlib import Path
from typing import Any

import hypothesis_graphql
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from lensgraph.schema.core import to_global_id
from tests.api.factories import ready_photos
from tests.api.helpers import sign_up
from tests.api.payment_flows import signed_license

SDL = (Path(__file__).parents[2] / "schema.graphql").read_text()
OPERATIONS_PER_ROOT = 150


def operations(kind: str, ids: list[str]) -> list[str]:
    """``OPERATIONS_PER_ROOT`` generated operations of ``kind`` (query or mutation), the same on every run."""
    texts = st.text(max_size=12).map(nodes.String)
    scalars = {
        "ID": st.sampled_from(ids).map(nodes.String) | texts,
        "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda moment: nodes.String(moment.isoformat())) | texts,
        "Date": st.dates().map(lambda day: nodes.String(day.isoformat())) | texts,
        "JSON": st.just(nodes.Null),
    }
    strategy = {"query": hypothesis_graphql.queries, "mutation": hypothesis_graphql.mutations}[kind]
    generated: list[str] = []

    @given(strategy(SDL, custom_scalars=scalars))
    @settings(
        max_examples=OPERATIONS_PER_ROOT,
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


@pytest.mark.parametrize("kind", ["query", "mutation"])
async def test_no_operation_gets_an_internal_error(client, services, kind):
    photographer = await sign_up(client, role="PHOTOGRAPHER")
    brand = await sign_up(client, role="BRAND")
    studio = await sign_up(client, role="STUDIO")
    photo_ids = [to_global_id("Photo", key) for key in await ready_photos(services, photographer, 2)]
    license_id = await signed_license(client, brand, photographer, photo_ids[0])
    ids = [photographer.id, brand.id, studio.id, *photo_ids, license_id]
    callers = [None, photographer.access_token, brand.access_token, studio.access_token]
    pick = random.Random(kind)

    failures: list[dict[str, Any]] = []
    for operation in operations(kind, ids):
        response = await client.post(operation, token=pick.choice(callers))
        body = response.json() if response.status_code < 500 else {}
        codes = {(error.get("extensions") or {}).get("code") for error in body.get("errors") or []}
        if response.status_code >= 500 or "INTERNAL" in codes or None in codes:
            failures.append({"status": response.status_code, "operation": operation, "body": body})
    assert failures == [], failures[0]
