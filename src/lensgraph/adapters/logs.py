"""Logs that never hold a secret: the values of secret-bearing query parameters are redacted from every line.

Links the API hands out carry secrets in their query strings where a link must (email tokens, signed file and
upload URLs, offline checkout tokens, S3 presigned URLs); the access log and HTTP clients log such URLs whole.
``RedactSecrets`` sits on every handler the server and the worker log through, so whatever logger writes a URL
(uvicorn's access log, httpx, ours), the secret is gone before the line is written.

``LENSGRAPH_LOG_FORMAT=json`` writes each line as one JSON object (``JsonLines``), with the request id and
operation name of the request it was written in (``request_scope``), and its trace and span ids when tracing.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import re
import sys
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

REDACTED = "REDACTED"
# Names of query parameters whose values are secrets, matched case-insensitively.
SECRET_PARAMETERS = (
    "token",
    "sig",
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "access_token",
    "refresh_token",
    "api_key",
    "apikey",
    "key",
    "secret",
    "password",
    "code",
)
_SECRET_VALUE = re.compile(
    r"([?&;](?:" + "|".join(re.escape(name) for name in SECRET_PARAMETERS) + r")=)[^&;#\s\"'<>]*", re.IGNORECASE
)


def redact_secrets(text: str) -> str:
    """``text`` with the value of every secret query parameter of every URL in it replaced by REDACTED."""
    return _SECRET_VALUE.sub(rf"\g<1>{REDACTED}", text)


def _redacted(value: Any) -> Any:
    # Numbers stay numbers (a "%d" must still format them); anything else is redacted as it would be printed.
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    redacted = redact_secrets(text)
    return value if redacted == text else redacted


class RedactSecrets(logging.Filter):
    """Redacts a record's message, arguments and traceback in place; formatters (uvicorn's access formatter
    reads the arguments one by one) then format what is left."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_secrets(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {name: _redacted(value) for name, value in record.args.items()}
        elif record.args:
            record.args = tuple(_redacted(value) for value in record.args)
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_secrets(logging.Formatter().formatException(record.exc_info))
        return True


class CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to ``sys.stderr`` as it is when a record is emitted, not as it was when logging was set up:
    test runners swap it, and a stream bound once would be written to after it was closed."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def redact_handlers(logger: logging.Logger | None = None, log_format: LogFormat = "text") -> None:
    """Puts RedactSecrets on every handler of ``logger`` (the root logger by default) that lacks it, and the
    JSON formatter when asked: for processes whose logging someone else set up (dramatiq's workers)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(existing, RedactSecrets) for existing in handler.filters):
            handler.addFilter(RedactSecrets())
        if log_format == "json":
            handler.setFormatter(JsonLines())


# What the lines written while serving one request say about it: set per HTTP request by the GraphQL view.
_request_fields: ContextVar[dict[str, str] | None] = ContextVar("lensgraph_request_fields", default=None)


@contextlib.contextmanager
def request_scope() -> Iterator[None]:
    """Lines logged inside the block (and in tasks it starts) carry what ``annotate`` records in it."""
    token = _request_fields.set({})
    try:
        yield
    finally:
        _request_fields.reset(token)


def annotate(**fields: str | None) -> None:
    """Records ``request_id`` or ``operation`` for the lines of the current request; outside one, nothing."""
    current = _request_fields.get()
    if current is not None:
        current.update({name: value for name, value in fields.items() if value})


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's id and operation, the trace's ids.

    Runs after ``RedactSecrets`` (a handler filters before it formats): the message and traceback are redacted.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(_request_fields.get() or {})
        # Imported only once tracing is on: plain JSON logging loads no OpenTelemetry code.
        if (tracing := sys.modules.get("lensgraph.adapters.tracing")) is not None:
            line.update(tracing.current_ids())
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_secrets(self.formatException(record.exc_info))
        if record.exc_text:
            line["exception"] = record.exc_text
        return orjson.dumps(line, default=str).decode()


LogFormat = Literal["text", "json"]


def logging_config(base: Mapping[str, Any], log_format: LogFormat = "text") -> dict[str, Any]:
    """A ``dictConfig`` of ``base`` (uvicorn's) with RedactSecrets on every handler, and the root logger (ours,
    httpx's, every library's) writing through a redacting handler of its own; with ``json``, every handler
    (uvicorn's access log too) writes JSON lines."""
    config = copy.deepcopy(dict(base))
    config.setdefault("filters", {})["redact_secrets"] = {"()": f"{__name__}.RedactSecrets"}
    formatters = config.setdefault("formatters", {})
    formatters["lensgraph"] = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    if log_format == "json":
        formatters["json"] = {"()": f"{__name__}.JsonLines"}
    handlers = config.setdefault("handlers", {})
    handlers["lensgraph"] = {"class": f"{__name__}.CurrentStderr", "formatter": "lensgraph"}
    for handler in handlers.values():
        handler["filters"] = [*handler.get("filters", []), "redact_secrets"]
        if log_format == "json":
            handler["formatter"] = "json"
    config["root"] = {"handlers": ["lensgraph"], "level": "INFO"}
    return config
