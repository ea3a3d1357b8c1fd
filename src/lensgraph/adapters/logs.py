"""Logs that never hold a secret: the values of secret-bearing query parameters are redacted from every line.

Links the API hands out carry secrets in their query strings where a link must (email tokens, signed file and
upload URLs, offline checkout tokens, S3 presigned URLs); the access log and HTTP clients log such URLs whole.
``RedactSecrets`` sits on every handler the server and the worker log through, so whatever logger writes a URL
(uvicorn's access log, httpx, ours), the secret is gone before the line is written.
"""

from __future__ import annotations

import copy
import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

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


def redact_handlers(logger: logging.Logger | None = None) -> None:
    """Puts RedactSecrets on every handler of ``logger`` (the root logger by default) that lacks it: for
    processes whose logging someone else set up (dramatiq's workers)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(existing, RedactSecrets) for existing in handler.filters):
            handler.addFilter(RedactSecrets())


def logging_config(base: Mapping[str, Any]) -> dict[str, Any]:
    """A ``dictConfig`` of ``base`` (uvicorn's) with RedactSecrets on every handler, and the root logger (ours,
    httpx's, every library's) writing through a redacting handler of its own."""
    config = copy.deepcopy(dict(base))
    config.setdefault("filters", {})["redact_secrets"] = {"()": f"{__name__}.RedactSecrets"}
    config.setdefault("formatters", {})["lensgraph"] = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    handlers = config.setdefault("handlers", {})
    handlers["lensgraph"] = {"class": f"{__name__}.CurrentStderr", "formatter": "lensgraph"}
    for handler in handlers.values():
        handler["filters"] = [*handler.get("filters", []), "redact_secrets"]
    config["root"] = {"handlers": ["lensgraph"], "level": "INFO"}
    return config
