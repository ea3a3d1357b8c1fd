"""A real HTTP server on 127.0.0.1 that receives webhooks and answers as a test scripts it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """``script`` is consumed one entry per request: an HTTP status, ``"hang"`` or ``"close"``; then 200.

    A 3xx answer carries ``Location: redirect_to``; with ``tls`` it serves HTTPS and records the SNI names.
    """

    script: list[int | str] = field(default_factory=list)
    hang_seconds: float = 3.0
    received: list[Received] = field(default_factory=list)
    redirect_to: str | None = None
    tls: ssl.SSLContext | None = None
    server_names: list[str | None] = field(default_factory=list)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                action = receiver.script.pop(0) if receiver.script else 200
                if action == "hang":
                    time.sleep(receiver.hang_seconds)
                    return
                if action == "close":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self.send_response(int(action))
                if receiver.redirect_to and 300 <= int(action) < 400:
                    self.send_header("location", receiver.redirect_to)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_GET = do_POST

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self.tls is not None:
            self.tls.sni_callback = lambda _socket, name, _context: self.server_names.append(name)
            self.server.socket = self.tls.wrap_socket(self.server.socket, server_side=True)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def standard_webhooks_valid(secret: str, received: Received, now: float, tolerance: float = 300) -> bool:
    """What a receiver does, written from the Standard Webhooks spec rather than with Lensgraph's code."""
    message_id = received.headers["webhook-id"]
    timestamp = int(received.headers["webhook-timestamp"])
    if abs(now - timestamp) > tolerance:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + received.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, candidate.split(",", 1)[1])
        for candidate in received.headers["webhook-signature"].split()
        if candidate.startswith("v1,")
    )
