"""Apollo's automatic persisted queries over GET and POST, and which GET answers are public (cacheable): only an
anonymous query's, with an ETag and 304 on If-None-Match; never a credential's, never a mutation."""

from __future__ import annotations

import hashlib
import json

from tests.api.helpers import sign_up

QUERY = "query Hello { __typename }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()


def persisted(sha256: str = HASH) -> str:
    return json.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha256}})


async def test_an_unknown_hash_answers_as_apollo_clients_expect_then_the_hash_is_enough(client):
    unknown = await client.http.get("/graphql", params={"extensions": persisted()})
    assert unknown.status_code == 200
    assert unknown.json() == {
        "errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
    }
    assert "public" not in unknown.headers.get("cache-control", "")
    # The client sends the document with its hash once (here by POST, as Apollo's link does on a miss) ...
    stored = await client.http.post("/graphql", json={"query": QUERY, "extensions": json.loads(persisted())})
    assert stored.json()["data"] == {"__typename": "Query"}
    # ... then the hash alone runs it, over GET and POST.
    by_get = await client.http.get("/graphql", params={"extensions": persisted()})
    assert by_get.status_code == 200 and by_get.json()["data"] == {"__typename": "Query"}
    by_post = await client.http.post("/graphql", json={"extensions": json.loads(persisted())})
    assert by_post.json()["data"] == {"__typename": "Query"}


async def test_a_document_sent_over_get_with_its_hash_is_stored(client):
    sent = await client.http.get("/graphql", params={"query": QUERY, "extensions": persisted()})
    assert sent.json()["data"] == {"__typename": "Query"}
    again = await client.http.get("/graphql", params={"extensions": persisted(), "operationName": "Hello"})
    assert again.json()["data"] == {"__typename": "Query"}


async def test_bad_hashes_and_mismatches_are_coded_errors(client):
    wrong = hashlib.sha256(b"something else").hexdigest()
    mismatch = await client.http.get("/graphql", params={"query": QUERY, "extensions": persisted(wrong)})
    assert mismatch.status_code == 400
    assert mismatch.json()["errors"][0]["extensions"]["code"] == "HASH_MISMATCH"
    for extensions in (persisted("not-hex"), json.dumps({"persistedQuery": {"version": 2, "sha256Hash": HASH}}), "{"):
        refused = await client.http.get("/graphql", params={"extensions": extensions})
        assert refused.status_code == 400, extensions
        assert refused.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    posted = await client.http.post("/graphql", json={"query": QUERY, "extensions": json.loads(persisted(wrong))})
    assert posted.status_code == 400 and posted.json()["errors"][0]["extensions"]["code"] == "HASH_MISMATCH"


async def test_an_anonymous_get_is_public_with_an_etag_and_304(client):
    first = await client.http.get("/graphql", params={"query": QUERY})
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=120"
    etag = first.headers["etag"]
    # Nothing of the caller's own in a shared answer.
    assert "ratelimit-remaining" not in first.headers and "x-request-id" not in first.headers
    assert first.json() == {"data": {"__typename": "Query"}}  # no cost report: its bucket is the caller's
    again = await client.http.get("/graphql", params={"query": QUERY}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = await client.http.get("/graphql", params={"query": QUERY}, headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200 and other.headers["etag"] == etag


async def test_a_credentialed_get_is_never_public(client):
    account = await sign_up(client)
    for headers in (
        {"Authorization": f"Bearer {account.access_token}"},
        {"X-Gallery-Token": "anything"},
    ):
        answer = await client.http.get("/graphql", params={"query": QUERY}, headers=headers)
        assert answer.headers["cache-control"] == "private, no-store", headers
        assert "etag" not in answer.headers
    viewer = await client.http.get(
        "/graphql",
        params={"query": "{ viewer { user { username } } }"},
        headers={"Authorization": f"Bearer {account.access_token}", "If-None-Match": "*"},
    )
    assert viewer.status_code == 200 and viewer.headers["cache-control"] == "private, no-store"


async def test_errors_and_posts_are_not_public(client):
    failed = await client.http.get("/graphql", params={"query": "{ nope }"})
    assert failed.status_code in {200, 400} and failed.headers["cache-control"] == "private, no-store"
    posted = await client.http.post("/graphql", json={"query": QUERY})
    assert "public" not in posted.headers.get("cache-control", "")


async def test_mutations_are_never_run_over_get(client):
    mutation = 'mutation { login(input: {email: "a@example.com", password: "x"}) { userErrors { code } } }'
    refused = await client.http.get("/graphql", params={"query": mutation})
    assert refused.status_code == 405
    assert refused.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert refused.headers["cache-control"] == "private, no-store"
    # Not by its hash either.
    digest = hashlib.sha256(mutation.encode()).hexdigest()
    await client.http.post("/graphql", json={"query": mutation, "extensions": json.loads(persisted(digest))})
    by_hash = await client.http.get("/graphql", params={"extensions": persisted(digest)})
    assert by_hash.status_code == 405
