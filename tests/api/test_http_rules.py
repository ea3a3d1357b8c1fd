"""GraphQL over HTTP: limits refused before execution, status codes, media types, masking."""

from __future__ import annotations

import json
import logging

import httpx

from lensgraph.app import create_app
from lensgraph.config import Settings
from tests.api.helpers import registration

VIEWER = "{ viewer { email } }"


def deep_query(levels: int) -> str:
    inner = "id"
    for _ in range(levels):
        inner = f"apiKeys {{ edges {{ node {{ {inner} }} }} }}"
    return f"{{ viewer {{ {inner} }} }}"


async def test_depth_over_10_is_refused_before_execution(client, sql):
    sql.reset()
    for _ in range(2):  # the second answer comes from the validation cache: refused all the same
        body = await client.execute(deep_query(20))
        assert "exceeds maximum operation depth" in body["errors"][0]["message"]
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert sql.count == 0


async def test_too_many_aliases_are_refused(client, sql):
    sql.reset()
    aliases = " ".join(f"a{index}: viewer {{ email }}" for index in range(500))
    body = await client.execute(f"{{ {aliases} }}")
    assert body["errors"] and body.get("data") is None
    assert sql.count == 0
    within = " ".join(f"a{index}: __typename" for index in range(15))
    assert "errors" not in await client.execute(f"{{ {within} }}")


async def test_too_many_tokens_are_refused(client):
    fields = " ".join("__typename" for _ in range(2100))
    body = await client.execute(f"{{ {fields} }}")
    assert "token" in body["errors"][0]["message"].lower()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_a_document_that_does_not_parse_is_a_coded_error_every_time(client):
    # The second time, the parse cache is asked first.
    for _ in range(2):
        body = await client.execute("{ viewer ")
        assert body["data"] is None
        assert body["errors"][0]["message"].startswith("Syntax Error")
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_repeated_directives_are_refused(client):
    directives = " ".join("@skip(if: false)" for _ in range(60))
    body = await client.execute(f"{{ __typename {directives} }}")
    assert body["errors"] and body.get("data") is None


async def test_body_over_one_megabyte_is_413(client):
    padding = "x" * 1_100_000
    response = await client.http.post(
        "/graphql",
        content=json.dumps({"query": "{ __typename }", "pad": padding}),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["message"]


async def test_batches_are_refused(client):
    response = await client.http.post("/graphql", json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}])
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Batching is not enabled"


async def test_only_json_posts(client):
    response = await client.http.post(
        "/graphql", content="{ __typename }", headers={"content-type": "application/graphql"}
    )
    assert response.status_code == 415
    form = await client.http.post("/graphql", data={"query": "{ __typename }"})
    assert form.status_code == 415


async def test_get_serves_queries_but_not_mutations(client):
    query = await client.http.get("/graphql", params={"query": "{ __typename }"})
    assert query.status_code == 200 and query.json()["data"] == {"__typename": "Query"}
    mutation = await client.http.get("/graphql", params={"query": "mutation { logout(input: {}) { ok } }"})
    assert mutation.status_code == 405
    assert "POST" in mutation.headers["allow"]
    assert mutation.json()["errors"][0]["message"]


async def test_malformed_json_and_missing_query_are_400_with_graphql_errors(client):
    broken = await client.http.post("/graphql", content="{not json", headers={"content-type": "application/json"})
    assert broken.status_code == 400 and broken.json()["errors"][0]["message"]
    missing = await client.http.post("/graphql", json={"variables": {}})
    assert missing.status_code == 400 and missing.json()["errors"][0]["message"]
    wrong_type = await client.http.post("/graphql", json={"query": 42})
    assert wrong_type.status_code == 400


async def test_graphql_response_json_media_type(client):
    accept = {"accept": "application/graphql-response+json, application/json;q=0.9"}
    ok = await client.http.post("/graphql", json={"query": "{ __typename }"}, headers=accept)
    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith("application/graphql-response+json")
    invalid = await client.http.post("/graphql", json={"query": "{ noSuchField }"}, headers=accept)
    assert invalid.status_code == 400
    assert "noSuchField" in invalid.json()["errors"][0]["message"]
    unparsable = await client.http.post("/graphql", json={"query": "{ viewer "}, headers=accept)
    assert unparsable.status_code == 400
    legacy = await client.http.post("/graphql", json={"query": "{ noSuchField }"})
    assert legacy.status_code == 200 and legacy.headers["content-type"].startswith("application/json")


async def test_validation_errors_keep_their_messages(client):
    body = await client.execute("{ viewer { nope } }")
    assert "Cannot query field 'nope'" in body["errors"][0]["message"]


async def test_unexpected_errors_are_masked_with_a_request_id(tmp_path, caplog):
    # A database that was never migrated: every query fails inside SQLAlchemy.
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", data_dir=tmp_path, secret_key="test-secret"
    )
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        with caplog.at_level(logging.ERROR, logger="lensgraph.errors"):
            response = await http.post(
                "/graphql",
                json={
                    "query": 'mutation { login(input: {email: "a@example.com", password: "whatever"}) { accessToken } }'
                },
            )
    await app.state.services.close()
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL"
    request_id = error["extensions"]["requestId"]
    assert request_id in error["message"] and response.headers["x-request-id"] == request_id
    assert "users" not in error["message"].lower() and "sql" not in error["message"].lower()
    assert request_id in caplog.text and "no such table" in caplog.text


async def test_client_errors_stay_out_of_the_error_log(client, caplog):
    with caplog.at_level(logging.WARNING):
        not_found = await client.execute('{ node(id: "no-such-id") { id } }')
        unauthenticated = await client.execute("mutation { markAllNotificationsRead { markedCount } }")
        invalid = await client.execute("{ viewer { nope } }")
    codes = [body["errors"][0]["extensions"]["code"] for body in (not_found, unauthenticated, invalid)]
    assert codes == ["NOT_FOUND", "UNAUTHENTICATED", "INVALID_INPUT"]
    assert caplog.records == []


async def test_introspection_stays_on(client):
    body = await client.data("{ __schema { queryType { name } } }")
    assert body["__schema"]["queryType"]["name"] == "Query"


async def test_readyz(client):
    response = await client.http.get("/readyz")
    assert response.status_code == 200 and response.json()["database"] == "ok"


async def test_graphiql_for_browsers(client):
    response = await client.http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


async def test_nul_characters_are_refused_in_variables_and_literals(client):
    register = "mutation($input: RegisterInput!) { register(input: $input) { user { id } } }"
    body = await client.execute(register, {"input": registration(firstName="Ada\x00")})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    literal = '{ photos(filter: {keyword: "sea\\u0000"}) { totalCount } }'
    body = await client.execute(literal)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert "NUL" in body["errors"][0]["message"]
