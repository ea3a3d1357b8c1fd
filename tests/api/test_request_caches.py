"""A repeated document is parsed and validated once: the caches strawberry offers actually hit."""

from __future__ import annotations

from uuid import uuid4

from strawberry.extensions import ValidationCache

from lensgraph.schema.extensions import PARSE_CACHE_SIZE, ParseCache
from lensgraph.schema.schema import VALIDATION_CACHE_SIZE


async def test_ten_identical_requests_parse_and_validate_once(client):
    # Strawberry keeps both caches at module level, keyed by size: a new instance sees the schema's entries.
    parsed = ParseCache(maxsize=PARSE_CACHE_SIZE).cached_parse_document
    validated = ValidationCache(maxsize=VALIDATION_CACHE_SIZE).cached_validate_document
    # Never seen before; its `plans` root field keeps it on strawberry's path (compiled documents skip it).
    document = f"query Browse {{ photos(first: 2) {{ totalCount }} plans(role: BRAND) {{ id }} }} # {uuid4()}"
    parses, validations = parsed.cache_info(), validated.cache_info()

    for _ in range(10):
        await client.data(document)

    assert parsed.cache_info().misses - parses.misses == 1
    assert parsed.cache_info().hits - parses.hits == 9
    assert validated.cache_info().misses - validations.misses == 1
    assert validated.cache_info().hits - validations.hits == 9


async def test_a_compiled_document_is_parsed_and_validated_once_then_never_again(client):
    parsed = ParseCache(maxsize=PARSE_CACHE_SIZE).cached_parse_document
    validated = ValidationCache(maxsize=VALIDATION_CACHE_SIZE).cached_validate_document
    document = f"query Browse {{ photos(first: 2) {{ totalCount }} }} # {uuid4()}"
    parses, validations = parsed.cache_info(), validated.cache_info()

    for _ in range(10):
        await client.data(document)

    # The first run plans it; the others take the compiled short way, which needs neither.
    assert parsed.cache_info().misses - parses.misses == 1
    assert parsed.cache_info().hits - parses.hits == 0
    assert validated.cache_info().misses - validations.misses == 1
    assert validated.cache_info().hits - validations.hits == 0
