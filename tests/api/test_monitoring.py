"""Monitoring: traces over OTLP, JSON log lines, liveness and readiness."""

from __future__ import annotations

import io
import json
import logging
import socket
from collections.abc import Iterator

import pytest

from lensgraph.adapters import tracing
from lensgraph.adapters.logs import JsonLines, RedactSecrets, logging_config
from lensgraph.config import Settings
from tests.api.helpers import PASSWORD, sign_up
from tests.api.images import photo_jpeg
from tests.api.otlp_receiver import OtlpReceiver
from tests.api.test_photos import put, request_upload

BROWSE = "query PhotosBrowse($first: Int!) { photos(first: $first) { totalCount edges { node { id } } } }"
CONFIRM = """mutation ConfirmUpload($input: ConfirmPhotoUploadInput!) {
  confirmPhotoUpload(input: $input) { photo { id } userErrors { code } } }"""
TITLE = "Harbour at dusk 7391"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def otlp() -> Iterator[OtlpReceiver]:
    with OtlpReceiver() as receiver:
        try:
            yield receiver
        finally:
            tracing.stop()


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    updates: dict[str, object] = {}
    if "otlp" in request.fixturenames:
        updates["otlp_endpoint"] = request.getfixturevalue("otlp").url
    if "slow_operations_logged" in request.fixturenames:
        # Every operation is logged as slow (name, duration, cost): a line written while serving it.
        updates["slow_operation_seconds"] = 0.0
    return settings.model_copy(update=updates)


async def test_operations_sql_and_jobs_are_traced(otlp, client, background):
    owner = await sign_up(client, role="PHOTOGRAPHER")
    browse = await client.post(BROWSE, {"first": 7})
    assert browse.status_code == 200 and "errors" not in browse.json()
    target = await request_upload(client, owner, photo_jpeg())
    assert (await put(client, target, photo_jpeg())).status_code == 200
    confirmed = await client.data(
        CONFIRM, {"input": {"uploadId": target["uploadId"], "title": TITLE}}, token=owner.access_token
    )
    assert confirmed["confirmPhotoUpload"]["userErrors"] == []
    await background.settle()
    tracing.flush()

    assert otlp.paths == {"/v1/traces"}
    [query] = otlp.named("graphql.query PhotosBrowse")
    assert query.attributes["graphql.operation.name"] == "PhotosBrowse"
    assert query.attributes["graphql.operation.type"] == "query"
    assert len(query.attributes["graphql.document.sha256"]) == 64
    under_query = [span for span in otlp.spans if span.parent_span_id == query.span_id]
    assert under_query and all(
        "db.statement" in span.attributes or "db.query.text" in span.attributes for span in under_query
    )
    assert all(span.trace_id == query.trace_id for span in under_query)

    [mutation] = otlp.named("graphql.mutation ConfirmUpload")
    [job] = otlp.named("job photos.analyze")
    assert job.trace_id == mutation.trace_id and job.parent_span_id == mutation.span_id
    assert job.attributes["messaging.system"] == "dramatiq"
    # The job's own statements are traced under it.
    assert any(span.parent_span_id == job.span_id for span in otlp.spans)

    # No variable value reaches any span: not the title, not the page size, not the password of sign-up.
    for span in otlp.spans:
        for value in span.attributes.values():
            assert TITLE not in str(value) and PASSWORD not in str(value)
            assert value != 7


async def test_no_tracing_without_an_endpoint(client):
    assert (await client.post(BROWSE, {"first": 1})).status_code == 200
    assert tracing.active() is None


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the lensgraph loggers write, through a handler set up as ``LENSGRAPH_LOG_FORMAT=json`` sets them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("lensgraph")
    logger.addHandler(handler)
    level, logger.level = logger.level, logging.INFO
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
def slow_operations_logged() -> None:
    """Asks the settings fixture to log every operation as slow."""


async def test_json_log_lines_carry_the_request_id_and_operation(slow_operations_logged, client, json_lines):
    response = await client.post(BROWSE, {"first": 3})
    assert response.status_code == 200
    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    written = [line for line in lines if line.get("request_id") == response.headers["x-request-id"]]
    assert written, lines
    assert {line["operation"] for line in written} == {"PhotosBrowse"}
    assert {"time", "level", "logger", "message"} <= written[0].keys()
    assert "trace_id" not in written[0]


def test_json_log_lines_are_redacted(json_lines):
    logging.getLogger("lensgraph.test").warning("fetched %s", "https://files.example/a.jpg?exp=1&sig=s3cr3t")
    [line] = [json.loads(text) for text in json_lines.getvalue().splitlines()]
    assert line["message"] == "fetched https://files.example/a.jpg?exp=1&sig=REDACTED"
    assert "request_id" not in line


def test_json_format_applies_to_every_handler():
    config = logging_config({"version": 1, "handlers": {"access": {"class": "logging.StreamHandler"}}}, "json")
    assert {handler["formatter"] for handler in config["handlers"].values()} == {"json"}
    assert all("redact_secrets" in handler["filters"] for handler in config["handlers"].values())


async def test_ready_when_every_component_answers(client):
    response = await client.http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "pubsub": "ok"}
    assert (await client.http.get("/healthz")).json() == {"status": "ok"}


@pytest.fixture
def unreachable(settings: Settings, request: pytest.FixtureRequest, tmp_path) -> Settings:
    broken = {
        "database": {"database_url": f"sqlite+aiosqlite:///{tmp_path}/missing-folder/lensgraph.db"}
        if settings.is_sqlite
        else {"database_url": f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/lensgraph"},
        "pubsub": {"pubsub": f"redis://127.0.0.1:{closed_port()}/0"},
    }[request.param]
    return settings.model_copy(update=broken)


@pytest.mark.parametrize("unreachable", ["database", "pubsub"], indirect=True)
async def test_not_ready_names_what_is_unreachable(unreachable, request):
    import httpx

    from lensgraph.app import create_app
    from lensgraph.app.services import Services

    services = Services(unreachable)
    try:
        app = create_app(unreachable, services=services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
            ready = await http.get("/readyz")
            alive = await http.get("/healthz")
    finally:
        await services.close()
    name = request.node.callspec.params["unreachable"]
    assert ready.status_code == 503
    assert ready.json()["unreachable"] == [name] and ready.json()[name] == "unreachable"
    assert alive.status_code == 200
