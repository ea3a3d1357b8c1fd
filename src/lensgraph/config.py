"""Settings, read from ``LENSGRAPH_*`` environment variables only."""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import limits
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import (
    AfterValidator,
    AliasChoices,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

log = logging.getLogger(__name__)

DEV_SECRET_FILE = "dev-secret-key"
ENV_PREFIX = "LENSGRAPH_"
DEFAULT_PORTS = {"http": 80, "https": 443}
ORIGIN_EXPECTED = "expected origins like https://app.example.com (scheme, host and port; no path) or *"


def _listed(value: object) -> object:
    """A list setting from the environment: a JSON list, or comma-separated values (blank: none)."""
    if not isinstance(value, str):
        return value
    if value.lstrip().startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError("expected a JSON list or comma-separated values") from None
    return [item.strip() for item in value.split(",") if item.strip()]


def _origin(value: str) -> str:
    """An origin as browsers send it in ``Origin`` (lowercase, no default port), so lists match it exactly."""
    if value == "*":
        return value
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise ValueError(ORIGIN_EXPECTED) from None
    # Any scheme with a host: app shells (capacitor://localhost) have origins too; "null" is none.
    if not parts.scheme or not parts.hostname or parts.path not in {"", "/"}:
        raise ValueError(ORIGIN_EXPECTED)
    if parts.query or parts.fragment or parts.username is not None:
        raise ValueError(ORIGIN_EXPECTED)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    shown_port = f":{port}" if port is not None and port != DEFAULT_PORTS.get(parts.scheme) else ""
    return f"{parts.scheme}://{host}{shown_port}"


# NoDecode: pydantic-settings would insist on JSON; ``_listed`` takes JSON or commas.
Origins = Annotated[list[Annotated[str, AfterValidator(_origin)]], NoDecode, BeforeValidator(_listed)]


class Settings(BaseSettings):
    """Everything configurable. The embedded default needs no server at all."""

    # validate_by_name: fields with an alias (an old environment name) are still set by their own name.
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", validate_by_name=True)

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("./data")
    database_url: str = "sqlite+aiosqlite:///./lensgraph.db"
    # PostgreSQL connections each process keeps open (10 more are opened for bursts and closed after use).
    database_pool_size: int = Field(default=20, ge=1, le=500)
    secret_key: SecretStr | None = None
    # Sentence embeddings for semantic search and similar photos (the ``ai`` extra): ``local`` runs the model in
    # this process on the CPU; ``off`` leaves it out (SEMANTIC/HYBRID search and Photo.similar answer with an error).
    embeddings: Literal["local", "off"] = "local"
    # PostgreSQL: store vectors as pgvector's vector(384) with an HNSW index when the server offers the extension
    # (read by the migration); false forces the portable real[] column with an exact scan (slower).
    pgvector: bool = True
    public_url: str = "http://127.0.0.1:8000"
    broker: str = "memory"
    broker_namespace: str = "lensgraph"
    # Redis broker: a worker silent this long is taken for dead (killed, or its machine gone) and the jobs it had
    # taken are handed to the other workers. Longer than any pause of a healthy worker.
    broker_heartbeat_timeout_seconds: float = Field(default=60.0, gt=0)
    pubsub: str = "memory"
    pubsub_namespace: str = "lensgraph"
    # Unset: file://<data_dir>/files, so a server and a worker given the same data folder share files.
    storage: str = ""
    s3_endpoint: str | None = None
    s3_region: str = "us-east-1"
    # Lets every request the server makes to a URL it was given (webhooks, content by URL) reach private and
    # loopback addresses: development and tests only. LENSGRAPH_WEBHOOKS_ALLOW_PRIVATE is its former name.
    outbound_allow_private: bool = Field(
        default=False,
        validation_alias=AliasChoices("LENSGRAPH_OUTBOUND_ALLOW_PRIVATE", "LENSGRAPH_WEBHOOKS_ALLOW_PRIVATE"),
    )
    webhooks_timeout_seconds: float = 10.0
    # Web Push (README "Notifications"): the VAPID key pair's private half (`lensgraph vapid-keys` makes one), as
    # base64url of the raw 32-byte key; unset: browser subscriptions are kept but nothing is pushed to them.
    vapid_private_key: SecretStr | None = None
    # Who push services may contact about this sender (RFC 8292 `sub`): mailto: or https:. Unset: the mail sender.
    vapid_subject: str | None = None
    # Firebase Cloud Messaging (HTTP v1) for IOS and ANDROID tokens: the service account's JSON key file (its
    # token_uri is where the OAuth2 exchange goes). Unset: mobile tokens are kept but nothing is pushed to them.
    fcm_credentials_file: Path | None = None
    # For tests only: the address of a local FCM fake instead of fcm.googleapis.com.
    fcm_api_base: str = "https://fcm.googleapis.com"
    push_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    smtp_url: str | None = None
    mail_from: str = "Lensgraph <no-reply@lensgraph.local>"
    rate_limit_storage: str = "memory://"
    # Requests to /graphql per caller (a user, whichever credential it uses; else the client address), in the
    # limits notation ("600/minute", "20/second"); "off" turns the limit off.
    request_rate_limit: str | None = "600/minute"
    # Requests per minute per API key, counted apart for reads (queries, GET) and writes (mutations); a plan
    # may set its own (``Limits.api_key_requests_per_minute``). 0 turns the API keys' limit off (their user's
    # rate, LENSGRAPH_REQUEST_RATE_LIMIT, then applies as to any credential).
    api_key_read_rate_limit: int = Field(default=3600, ge=0)
    api_key_write_rate_limit: int = Field(default=3600, ge=0)
    # Unset: /metrics is open in development and absent in production.
    metrics_token: SecretStr | None = None
    # Pages on these origins may open a WebSocket to /graphql (a browser sends its cookies with the handshake).
    allowed_origins: Origins = Field(default_factory=lambda: ["http://127.0.0.1:8000", "http://localhost:8000"])
    # Pages on these origins may call /graphql and /files (CORS). Unset: the allowed WebSocket origins; blank: none.
    cors_origins: Origins | None = None
    # Bearer tokens and API keys need no credentialed requests: cookies and HTTP auth cross origins only when set.
    cors_allow_credentials: bool = False
    # How long a browser may reuse a preflight's answer (browsers cap it: Chromium at 2 hours).
    cors_max_age_seconds: int = Field(default=600, ge=0, le=86_400)
    # Unset secret key: the offline payment mode (development only; production refuses to start without Stripe).
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    # For tests only: the address of a local Stripe fake instead of api.stripe.com.
    stripe_api_base: str | None = None
    platform_fee_percent: Decimal = Field(default=Decimal(20), ge=0, lt=100)
    # How long a marketplace buyer may download what they paid for, from the moment it was paid.
    marketplace_download_days: int = Field(default=30, ge=1, le=3650)

    jwt_issuer: str = "lensgraph"
    jwt_audience: str = "lensgraph-api"
    access_token_minutes: float = 15
    refresh_token_days: int = 30
    email_token_hours: int = 48
    password_reset_minutes: int = 60
    login_failures_allowed: int = 10
    login_failure_window_minutes: int = 15
    # Gallery access tokens (sent as X-Gallery-Token) and wrong gallery passwords, per gallery and address.
    gallery_token_minutes: float = Field(default=60, gt=0, le=24 * 60)
    gallery_unlock_failures_allowed: int = Field(default=5, ge=1)
    gallery_unlock_failure_window_minutes: int = Field(default=15, ge=1)
    # Days before a gallery's expiry its client is mailed a reminder (once per expiry date); 0: no reminders.
    gallery_expiry_reminder_days: int = Field(default=3, ge=0, le=365)
    # Videos for galleries (requestUpload purpose VIDEO) are kept as uploaded, so they have a limit of their own.
    # Confirming one and analysing it hold the whole file in memory (as for photos), hence a modest default.
    max_video_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    # User-generated content: the largest photo a submission may send (uploaded, or fetched from its photoUri),
    # and how long fetching a photoUri may take (each redirect hop is checked and counted in it).
    ugc_max_photo_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    ugc_fetch_timeout_seconds: float = Field(default=20.0, gt=0, le=120)
    # Brand matching: the best matches kept per brand (besides those the brand acted on or was told about), the
    # score from which a new match is announced (match.new, once), and how many photos a profile change scores.
    brand_matches_kept: int = Field(default=50, ge=1, le=1000)
    brand_match_announce_score: float = Field(default=0.6, ge=0, le=1)
    brand_match_candidates: int = Field(default=1000, ge=10, le=100_000)
    # How long an API node trusts what it read of an account (role, token version, disabled) before reading
    # it again: a change made on another node reaches this one within this many seconds.
    account_cache_seconds: float = Field(default=5.0, ge=0, le=60)

    # Unset: GraphiQL in development only. Production serves it only when this is set to 1.
    graphiql: bool | None = None
    # Partners generate clients from introspection; turning it off does not hide the schema from anyone
    # holding the published schema.graphql.
    introspection: bool = True

    max_body_bytes: int = 1_000_000
    max_query_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2_000
    max_directives: int = 50
    max_subscriptions_per_connection: int = 100
    connection_init_timeout_seconds: float = 10.0
    # On SIGTERM: how long the server waits for requests in flight (and a worker for its running jobs) before it
    # stops them. Open WebSockets are closed at once with 1001 (Going Away), for their clients to reconnect.
    shutdown_grace_seconds: float = Field(default=20.0, ge=0)
    # The calculated cost (README "Query cost") an operation may request at most; refused before it runs.
    max_query_cost: int = Field(default=1_000, ge=1)
    # Each caller's bucket of cost points: this many at most, restored at this many per second. An operation
    # takes its requested cost up front (refused with 429 when the bucket holds less) and gets back what it did
    # not spend. A size of 0 turns the bucket off (the per-operation maximum still holds).
    cost_bucket_size: int = Field(default=1_000, ge=0)
    cost_restore_rate: float = Field(default=50.0, gt=0)
    # A query or mutation still running after this long is stopped and answered with TIMEOUT.
    execution_timeout_seconds: float = Field(default=10.0, gt=0)
    # Operations slower than this are logged (name, duration and cost; never variables).
    slow_operation_seconds: float = Field(default=1.0, ge=0)
    # Queries the read planner can compile are answered with one SQL statement per root field, and mutations whose
    # payload it can write without the executor (README "Compiled operations"); off: every operation runs through
    # the executor and the field resolvers. LENSGRAPH_COMPILED_READS is its former name.
    compiled_operations: bool = Field(
        default=True, validation_alias=AliasChoices("LENSGRAPH_COMPILED_OPERATIONS", "LENSGRAPH_COMPILED_READS")
    )

    # text: "time level logger: message"; json: one object per line, with the request id and operation name.
    log_format: Literal["text", "json"] = "text"
    # uvicorn's line per HTTP request; off where a proxy in front already logs every request (each line costs
    # the server about as much as answering a small read from memory).
    access_log: bool = True
    # OpenTelemetry traces, exported over OTLP/HTTP (protobuf) when an endpoint is set: the standard variables
    # first (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is the full URL; OTEL_EXPORTER_OTLP_ENDPOINT the base, to which
    # /v1/traces is added), else LENSGRAPH_OTLP_ENDPOINT, a base like the latter. Needs `pip install lensgraph[otel]`.
    otlp_traces_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "otlp_traces_endpoint")
    )
    otlp_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT", "LENSGRAPH_OTLP_ENDPOINT")
    )

    @field_validator("request_rate_limit")
    @classmethod
    def _rate_in_limits_notation(cls, rate: str | None) -> str | None:
        if rate is None or rate.strip().lower() in {"", "off"}:
            return None
        try:
            limits.parse(rate)
        except ValueError:
            raise ValueError("expected a rate like 600/minute or off") from None
        return rate

    @field_validator("vapid_private_key")
    @classmethod
    def _vapid_key_is_a_p256_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is None or not key.get_secret_value().strip():
            return None
        raw = key.get_secret_value().strip()
        try:
            decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
            if len(decoded) != 32:
                raise ValueError("not 32 bytes")
            ec.derive_private_key(int.from_bytes(decoded, "big"), ec.SECP256R1())
        except (ValueError, TypeError):
            raise ValueError("expected a VAPID private key as `lensgraph vapid-keys` prints it") from None
        return SecretStr(raw)

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key is None:
            raise ValueError("LENSGRAPH_SECRET_KEY is required when LENSGRAPH_ENVIRONMENT=production")
        return self

    @model_validator(mode="after")
    def _production_takes_real_payments(self) -> Settings:
        if self.environment == "production" and (self.stripe_secret_key is None or self.stripe_webhook_secret is None):
            raise ValueError(
                "LENSGRAPH_STRIPE_SECRET_KEY and LENSGRAPH_STRIPE_WEBHOOK_SECRET are required when "
                "LENSGRAPH_ENVIRONMENT=production: the offline payment mode is for development only"
            )
        return self

    @model_validator(mode="after")
    def _storage_defaults_to_the_data_folder(self) -> Settings:
        if not self.storage:
            self.storage = f"file://{self.data_dir / 'files'}"
        return self

    @model_validator(mode="after")
    def _cors_defaults_to_the_websocket_origins(self) -> Settings:
        if self.cors_origins is None:
            self.cors_origins = list(self.allowed_origins)
        if self.cors_allow_credentials and "*" in self.cors_origins:
            # Any page could act with its visitors' cookies: credentials go to listed origins only.
            raise ValueError("LENSGRAPH_CORS_ALLOW_CREDENTIALS is on: LENSGRAPH_CORS_ORIGINS must list origins, not *")
        return self

    @cached_property
    def signing_key(self) -> bytes:
        """The secret behind tokens and signed URLs; a development key is made once and kept."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / DEV_SECRET_FILE
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
            log.warning("LENSGRAPH_SECRET_KEY is not set: generated a development key in %s", path)
        return path.read_text().strip().encode()

    def gallery_url(self, slug: str) -> str:
        """The link a gallery's client opens."""
        return f"{self.public_url.rstrip('/')}/galleries/{slug}"

    def payment_return_url(self, result: str) -> str:
        """The page Stripe sends people back to (after a checkout or onboarding), saying how it went."""
        return f"{self.public_url.rstrip('/')}/payments/return?result={result}"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def serves_graphiql(self) -> bool:
        return self.graphiql if self.graphiql is not None else not self.is_production

    @property
    def runs_operations_over_get(self) -> bool:
        """GET carries the document in the URL (logged, cached, sent by a mere link): production runs operations
        only from POST bodies until persisted queries exist."""
        return not self.is_production

    @property
    def traces_endpoint(self) -> str | None:
        """Where spans are sent (OTLP/HTTP), or None: no tracing at all."""
        if self.otlp_traces_endpoint:
            return self.otlp_traces_endpoint
        return self.otlp_endpoint.rstrip("/") + "/v1/traces" if self.otlp_endpoint else None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class SettingsInvalid(Exception):
    """Start-up refused: ``lines`` say, one line per bad variable, its name and what it expects."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def load_settings() -> Settings:
    """Settings from the environment; SettingsInvalid, carrying lines fit for an operator, when one is bad."""
    try:
        return Settings()
    except ValidationError as invalid:
        # One line per variable (its first problem): a list with two bad entries is still one thing to fix.
        first_problems: dict[object, str] = {}
        for error in invalid.errors():
            first_problems.setdefault(error["loc"][0] if error["loc"] else error["msg"], _problem(error))
        raise SettingsInvalid(list(first_problems.values())) from None
    except SettingsError as unreadable:
        field = re.search(r'field "(\w+)"', str(unreadable))
        name = _variable(field.group(1)) if field else "A LENSGRAPH_ setting"
        raise SettingsInvalid([f"{name}: expected JSON"]) from None


def _problem(error: ErrorDetails) -> str:
    """``LENSGRAPH_X: expected ..., got '...'``; a rule across settings is its own message (it names them)."""
    message = _expected(error)
    if not error["loc"]:
        return message
    field = str(error["loc"][0])
    shown = error["input"]
    # Secrets and URLs (which may carry a password) are not echoed to a terminal or a log.
    if _is_secret(field) or (isinstance(shown, str) and "@" in shown):
        return f"{_variable(field)}: {message}"
    return f"{_variable(field)}: {message}, got {shown!r}"


def _expected(error: ErrorDetails) -> str:
    context: dict[str, Any] = dict(error.get("ctx") or {})
    kind = error["type"]
    if kind == "value_error":
        return str(context["error"])
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return "expected a whole number"
    if kind in {"float_parsing", "float_type", "decimal_parsing", "decimal_type"}:
        return "expected a number"
    if kind in {"bool_parsing", "bool_type"}:
        return "expected true or false (1/0, yes/no, on/off)"
    if kind == "literal_error":
        return f"expected one of {context['expected']}"
    bounds = {
        "greater_than_equal": "at least",
        "greater_than": "more than",
        "less_than_equal": "at most",
        "less_than": "less than",
    }
    if kind in bounds:
        limit = next(iter(context.values()))
        return f"expected a number {bounds[kind]} {limit:g}"
    message = error["msg"]
    return "expected " + message.removeprefix("Input should be ") if message.startswith("Input should be ") else message


def _variable(field: str) -> str:
    return field.upper() if field.upper().startswith(ENV_PREFIX) else ENV_PREFIX + field.upper()


def _is_secret(field: str) -> bool:
    found = Settings.model_fields.get(field) or Settings.model_fields.get(field.lower().removeprefix("lensgraph_"))
    return found is not None and found.annotation in (SecretStr, SecretStr | None)
