"""Settings: production needs a real secret; development makes one once and keeps it."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from lensgraph.config import DEV_SECRET_FILE, Settings


def test_production_refuses_to_start_without_a_secret():
    with pytest.raises(ValidationError, match="LENSGRAPH_SECRET_KEY"):
        Settings(environment="production", secret_key=None)


def test_development_secret_is_generated_once_with_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        first = Settings(data_dir=tmp_path).signing_key
    assert "LENSGRAPH_SECRET_KEY is not set" in caplog.text
    assert (tmp_path / DEV_SECRET_FILE).stat().st_mode & 0o777 == 0o600
    assert Settings(data_dir=tmp_path).signing_key == first and len(first) >= 32


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("LENSGRAPH_DATABASE_URL", "postgresql+asyncpg://db/lensgraph")
    monkeypatch.setenv("LENSGRAPH_ALLOWED_ORIGINS", '["https://app.example.com"]')
    settings = Settings()
    assert settings.database_url == "postgresql+asyncpg://db/lensgraph" and not settings.is_sqlite
    assert settings.allowed_origins == ["https://app.example.com"]


def test_local_storage_lives_in_the_data_folder_unless_set(tmp_path):
    assert Settings(data_dir=tmp_path).storage == f"file://{tmp_path / 'files'}"
    assert Settings(data_dir=tmp_path, storage="s3://bucket").storage == "s3://bucket"


@pytest.mark.parametrize(("given", "kept"), [("20/second", "20/second"), ("off", None), ("", None)])
def test_the_request_rate_is_read_in_the_limits_notation(given, kept):
    assert Settings(request_rate_limit=given).request_rate_limit == kept


def test_an_unreadable_request_rate_stops_start_up():
    with pytest.raises(ValidationError, match="'plenty' is not a rate"):
        Settings(request_rate_limit="plenty")


def test_outbound_allow_private_keeps_its_former_environment_name(monkeypatch):
    assert Settings().outbound_allow_private is False
    monkeypatch.setenv("LENSGRAPH_WEBHOOKS_ALLOW_PRIVATE", "1")
    assert Settings().outbound_allow_private is True
    monkeypatch.delenv("LENSGRAPH_WEBHOOKS_ALLOW_PRIVATE")
    monkeypatch.setenv("LENSGRAPH_OUTBOUND_ALLOW_PRIVATE", "1")
    assert Settings().outbound_allow_private is True
    assert Settings(outbound_allow_private=True).outbound_allow_private is True


def production(**overrides: object) -> Settings:
    return Settings(
        environment="production",
        secret_key="s" * 32,
        stripe_secret_key="sk_test_x",
        stripe_webhook_secret="whsec_x",
        **overrides,  # type: ignore[arg-type]
    )


def test_graphiql_is_a_development_tool_unless_asked_for():
    assert Settings().serves_graphiql is True
    assert Settings(graphiql=False).serves_graphiql is False
    assert production().serves_graphiql is False
    assert production(graphiql=True).serves_graphiql is True


def test_production_runs_no_operations_from_get():
    assert Settings().runs_operations_over_get is True
    assert production().runs_operations_over_get is False


def test_introspection_and_graphiql_come_from_the_environment(monkeypatch):
    assert Settings().introspection is True
    monkeypatch.setenv("LENSGRAPH_INTROSPECTION", "0")
    monkeypatch.setenv("LENSGRAPH_GRAPHIQL", "1")
    monkeypatch.setenv("LENSGRAPH_ACCOUNT_CACHE_SECONDS", "2.5")
    settings = Settings()
    assert settings.introspection is False and settings.graphiql is True and settings.account_cache_seconds == 2.5
