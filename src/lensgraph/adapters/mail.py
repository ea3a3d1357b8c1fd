"""Outgoing mail: SMTP when configured, otherwise files in the data folder plus a log line."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit
from uuid import uuid4

import aiosmtplib

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


def _message(sender: str, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(mail.body)
    return message


class FileMailer:
    """Development mail: each message becomes an .eml file one can open."""

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    async def send(self, mail: Mail) -> None:
        path = self.folder / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid4().hex[:8]}.eml"
        data = bytes(_message(self.sender, mail))
        await asyncio.to_thread(self._write, path, data)
        log.info("mail to %s (%s) written to %s", mail.to, mail.subject, path)

    def _write(self, path: Path, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


class SmtpMailer:
    """``smtp://user:pass@host:port`` (STARTTLS when offered) or ``smtps://`` (implicit TLS)."""

    def __init__(self, url: str, sender: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("LENSGRAPH_SMTP_URL must look like smtp://user:password@host:port")
        self.sender = sender
        self._options = {
            "hostname": parts.hostname,
            "port": parts.port or (465 if parts.scheme == "smtps" else 25),
            "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None,
            "use_tls": parts.scheme == "smtps",
            "start_tls": None if parts.scheme == "smtp" else False,
            "timeout": 20,
        }

    async def send(self, mail: Mail) -> None:
        await aiosmtplib.send(_message(self.sender, mail), **self._options)  # type: ignore[arg-type]
        log.info("mail to %s (%s) sent over SMTP", mail.to, mail.subject)


def create_mailer(smtp_url: str | None, data_dir: Path, sender: str) -> Mailer:
    if smtp_url:
        return SmtpMailer(smtp_url, sender)
    return FileMailer(data_dir / "mail", sender)
