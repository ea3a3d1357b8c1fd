"""Settings: production needs a real secret; development makes one once and keeps it."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from lensgraph.config import DEV_SECRET_FILE, Settings, SettingsInvalid, load_settings


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
    with pytest.raises(ValidationError, match="expected a rate like 600/minute or off"):
        Settings(request_rate_limit="plenty")


@pytest.mark.parametrize(
    "given",
    [
        "https://a.example,https://b.example",
        " https://a.example , https://b.example ",
        '["https://a.example", "https://b.example"]',
        "HTTPS://A.example:443,https://b.example/",
    ],
)
def test_origin_lists_are_json_or_comma_separated_and_kept_as_browsers_send_them(monkeypatch, given):
    monkeypatch.setenv("LENSGRAPH_ALLOWED_ORIGINS", given)
    assert Settings().allowed_origins == ["https://a.example", "https://b.example"]


def test_cors_origins_default_to_the_websocket_origins_and_blank_means_none(monkeypatch):
    monkeypatch.setenv("LENSGRAPH_ALLOWED_ORIGINS", "https://app.example.com")
    assert Settings().cors_origins == ["https://app.example.com"]
    assert Settings().cors_allow_credentials is False
    monkeypatch.setenv("LENSGRAPH_CORS_ORIGINS", "https://spa.example.com,http://localhost:5173")
    assert Settings().cors_origins == ["https://spa.example.com", "http://localhost:5173"]
    monkeypatch.setenv("LENSGRAPH_CORS_ORIGINS", "")
    assert Settings().cors_origins == []


def test_credentials_are_never_offered_to_every_origin():
    with pytest.raises(ValidationError, match="LENSGRAPH_CORS_ORIGINS must list origins, not \\*"):
        Settings(cors_origins=["*"], cors_allow_credentials=True)
    assert Settings(cors_origins=["*"]).cors_origins == ["*"]


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        (
            "LENSGRAPH_REQUEST_RATE_LIMIT",
            "plenty",
            "LENSGRAPH_REQUEST_RATE_LIMIT: expected a rate like 600/minute or off, got 'plenty'",
        ),
        (
            "LENSGRAPH_ALLOWED_ORIGINS",
            "https://a.example,https://b.example/app",
            "LENSGRAPH_ALLOWED_ORIGINS: expected origins like https://app.example.com (scheme, host and port; "
            "no path) or *, got 'https://b.example/app'",
        ),
        (
            "LENSGRAPH_CORS_ORIGINS",
            '["https://a.example"',
            "LENSGRAPH_CORS_ORIGINS: expected a JSON list or comma-separated values, got '[\"https://a.example\"'",
        ),
        ("LENSGRAPH_MAX_BODY_BYTES", "lots", "LENSGRAPH_MAX_BODY_BYTES: expected a whole number, got 'lots'"),
        (
            "LENSGRAPH_ENVIRONMENT",
            "prod",
            "LENSGRAPH_ENVIRONMENT: expected one of 'development' or 'production', got 'prod'",
        ),
        (
            "LENSGRAPH_CORS_ALLOW_CREDENTIALS",
            "maybe",
            "LENSGRAPH_CORS_ALLOW_CREDENTIALS: expected true or false (1/0, yes/no, on/off), got 'maybe'",
        ),
        (
            "LENSGRAPH_CORS_MAX_AGE_SECONDS",
            "-5",
            "LENSGRAPH_CORS_MAX_AGE_SECONDS: expected a number at least 0, got '-5'",
        ),
        (
            "LENSGRAPH_PLATFORM_FEE_PERCENT",
            "150",
            "LENSGRAPH_PLATFORM_FEE_PERCENT: expected a number less than 100, got '150'",
        ),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable_and_what_it_expects(monkeypatch, variable, value, line):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsInvalid) as refused:
        load_settings()
    assert refused.value.lines == [line]


def test_each_bad_variable_is_one_line(monkeypatch):
    monkeypatch.setenv("LENSGRAPH_CORS_ORIGINS", "ftp:/nowhere,https://a.example/x")
    monkeypatch.setenv("LENSGRAPH_MAX_BODY_BYTES", "1e9")
    with pytest.raises(SettingsInvalid) as refused:
        load_settings()
    assert [line.split(":")[0] for line in refused.value.lines] == [
        "LENSGRAPH_CORS_ORIGINS",
        "LENSGRAPH_MAX_BODY_BYTES",
    ]


def test_a_rule_across_settings_is_its_own_line(monkeypatch):
    monkeypatch.setenv("LENSGRAPH_CORS_ORIGINS", "*")
    monkeypatch.setenv("LENSGRAPH_CORS_ALLOW_CREDENTIALS", "on")
    with pytest.raises(SettingsInvalid) as refused:
        load_settings()
    assert refused.value.lines == [
        "LENSGRAPH_CORS_ALLOW_CREDENTIALS is on: LENSGRAPH_CORS_ORIGINS must list origins, not *"
    ]


def test_what_may_hold_a_password_is_not_repeated_back(monkeypatch):
    monkeypatch.setenv("LENSGRAPH_ALLOWED_ORIGINS", "https://user:hunter2@a.example")
    with pytest.raises(SettingsInvalid) as refused:
        load_settings()
    assert refused.value.lines == [
        "LENSGRAPH_ALLOWED_ORIGINS: expected origins like https://app.example.com (scheme, host and port; no path) or *"
    ]


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


def test_a_vapid_key_must_be_a_p256_private_key(monkeypatch):
    from lensgraph.adapters.push import generate_vapid_keys, vapid_public_key_of

    keys = generate_vapid_keys()
    monkeypatch.setenv("LENSGRAPH_VAPID_PRIVATE_KEY", keys.private_key)
    assert vapid_public_key_of(load_settings().vapid_private_key.get_secret_value()) == keys.public_key
    for bad in ("not-a-key", keys.private_key[:20], "A" * 43):
        monkeypatch.setenv("LENSGRAPH_VAPID_PRIVATE_KEY", bad)
        with pytest.raises(SettingsInvalid) as refused:
            load_settings()
        # The secret itself is never echoed back.
        assert refused.value.lines == [
            "LENSGRAPH_VAPID_PRIVATE_KEY: expected a VAPID private key as `lensgraph vapid-keys` prints it"
        ]
