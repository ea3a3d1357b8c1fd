"""Helpers for the user-generated content tests: a brand with an API key and content secret, signed requests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

from tests.api.helpers import Account, sign_up
from tests.api.images import photo_jpeg

CREATE_KEY = """
mutation { createApiKey(input: {description: "content feed"}) { rawKey userErrors { code } } }"""
ROTATE = "mutation { rotateContentSecret { contentSecret userErrors { field code message } } }"
CREATE_ALBUM = """
mutation Create($input: CreateAlbumInput!) {
  createAlbum(input: $input) { album { id name kind hashtag productSku uploadLink } userErrors { field code message } }
}"""
UPSERT_PRODUCTS = """
mutation Upsert($input: UpsertProductsInput!) {
  upsertProducts(input: $input) {
    products { id sku name url imageUrl price { amount currency formatted } }
    userErrors { field code message }
  }
}"""
SUBMIT = """
mutation Submit($input: SubmitContentInput!) {
  submitContent(input: $input) {
    content { id title status mediaStatus source sourceUrl authorEmail authorUsername products { sku } }
    userErrors { field code message }
  }
}"""
CONTENT = """
query Content($id: ID!) {
  node(id: $id) { ... on Content {
    id title status mediaStatus flags failureReason rejectionReason rightsStatus commercialUse
    products { sku } album { id } photo { id status width height }
    rightsRequest { status terms termsSha256 authorEmail answeredAt ipAddress evidenceJson }
  } }
}"""


@dataclass
class Brand:
    account: Account
    api_key: str
    secret: str

    @property
    def token(self) -> str:
        return self.account.access_token


def sign(secret: str, body: bytes) -> str:
    """What a partner's server computes: base64(HMAC-SHA1(secret, body))."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha1).digest()).decode()


async def brand(client: Any) -> Brand:
    account = await sign_up(client, role="BRAND")
    key = (await client.data(CREATE_KEY, token=account.access_token))["createApiKey"]["rawKey"]
    secret = (await client.data(ROTATE, token=account.access_token))["rotateContentSecret"]["contentSecret"]
    return Brand(account, key, secret)


async def album(client: Any, owner: Brand, **fields: Any) -> dict[str, Any]:
    values = {"name": "Summer", "kind": "MANUAL", **fields}
    payload = (await client.data(CREATE_ALBUM, {"input": values}, token=owner.token))["createAlbum"]
    assert payload["userErrors"] == []
    return dict(payload["album"])


async def products(client: Any, owner: Brand, *skus: str) -> None:
    items = [{"sku": sku, "name": f"Product {sku}"} for sku in skus]
    payload = (await client.data(UPSERT_PRODUCTS, {"input": {"products": items}}, token=owner.token))["upsertProducts"]
    assert payload["userErrors"] == []


async def signed_post(
    client: Any, owner: Brand, query: str, variables: dict[str, Any], *, signature: str | None = "right"
) -> dict[str, Any]:
    """POSTs the exact bytes signed; ``signature``: "right", None (no header) or a literal value to send."""
    body = orjson.dumps({"query": query, "variables": variables})
    headers = {"content-type": "application/json", "X-API-Key": owner.api_key}
    if signature == "right":
        headers["Signature"] = sign(owner.secret, body)
    elif signature is not None:
        headers["Signature"] = signature
    response = await client.http.post("/graphql", content=body, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def submit(client: Any, owner: Brand, **fields: Any) -> dict[str, Any]:
    answer = await signed_post(client, owner, SUBMIT, {"input": fields})
    assert "errors" not in answer, answer
    return dict(answer["data"]["submitContent"])


async def content(client: Any, owner: Brand, content_id: str) -> dict[str, Any]:
    return dict((await client.data(CONTENT, {"id": content_id}, token=owner.token))["node"])


class ImageServer:
    """A real HTTP server on 127.0.0.1 playing a partner's media host."""

    def __init__(self) -> None:
        self.image = photo_jpeg(800, 500, seed=7)
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(self.path)
                if self.path == "/photo.jpg":
                    self._answer(200, "image/jpeg", owner.image)
                elif self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", "/photo.jpg")
                    self.end_headers()
                elif self.path == "/mislabelled":
                    self._answer(200, "text/plain", owner.image)
                elif self.path == "/busy":
                    self._answer(503, "text/plain", b"try later")
                elif self.path == "/page.html":
                    self._answer(200, "text/html", b"<html>not an image</html>")
                elif self.path == "/huge.jpg":
                    self._answer(200, "image/jpeg", b"\xff\xd8" + b"0" * 300_000)
                elif self.path == "/text-as.jpg":
                    self._answer(200, "image/jpeg", b"GIF89a? no: plain text")
                else:
                    self._answer(404, "text/plain", b"no")

            def _answer(self, status: int, media_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[ImageServer]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
