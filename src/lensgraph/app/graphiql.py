"""GraphiQL from the package itself: the page at ``GET /graphql`` (for browsers) and its pinned assets under
``/graphiql/<digest>/<file>``, so the IDE works offline and behind networks that block CDNs.

The vendored files and how to update them: ``static/graphiql/VERSIONS.md``. The digest in the asset paths
changes whenever any file does, so the assets can be cached forever and an upgrade is never half-cached.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from lensgraph.config import Settings

# In the order the page loads them: React, then GraphiQL (which needs React), then the explorer plugin (which
# needs GraphiQL's React and GraphQL), then our bootstrap.
SCRIPTS = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "plugin-explorer.umd.js",
    "graphiql-init.js",
)
STYLESHEETS = ("graphiql.min.css", "plugin-explorer.css", "graphiql-page.css")
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}

# Scripts only from this origin (no inline script, no eval); GraphiQL's stylesheet carries its fonts and a few
# images as data: URLs; connect-src 'self' covers the same host's ws:/wss: (CSP Level 3).
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self' data:; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
# Asset paths change with their content: a browser or proxy may keep them for a year without asking again.
ASSET_CACHE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Assets:
    digest: str
    contents: dict[str, bytes]


@functools.cache
def assets() -> Assets:
    """The vendored files, read once; the digest names this exact set."""
    folder = files("lensgraph.app").joinpath("static", "graphiql")
    contents = {name: folder.joinpath(name).read_bytes() for name in (*SCRIPTS, *STYLESHEETS)}
    hasher = hashlib.sha256()
    for name, content in contents.items():
        hasher.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return Assets(hasher.hexdigest()[:16], contents)


def graphiql_page() -> Response:
    """The GraphiQL page; asset URLs are relative, so the page also works behind a proxy's path prefix."""
    base = f"graphiql/{assets().digest}"
    stylesheets = "".join(f'<link rel="stylesheet" href="{base}/{name}">' for name in STYLESHEETS)
    scripts = "".join(f'<script src="{base}/{name}"></script>' for name in SCRIPTS)
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Lensgraph GraphiQL</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # An empty icon: no request for /favicon.ico (a 404 in every console).
        f'<link rel="icon" href="data:,">{stylesheets}</head>'
        f'<body><div id="graphiql">Loading GraphiQL…</div>{scripts}</body></html>'
    )
    # no-cache: the page names the current assets' digest, so it is checked again after an upgrade.
    headers = {**COMMON_HEADERS, "Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-cache"}
    return HTMLResponse(document, headers=headers)


async def serve_asset(request: Request) -> Response:
    name = request.path_params["name"]
    bundle = assets()
    if request.path_params["digest"] != bundle.digest or name not in bundle.contents:
        return Response("Not found.", status_code=404, media_type="text/plain", headers=COMMON_HEADERS)
    media_type = MEDIA_TYPES[name[name.rindex(".") :]]
    headers = {**COMMON_HEADERS, "Cache-Control": ASSET_CACHE}
    return Response(bundle.contents[name], media_type=media_type, headers=headers)


def graphiql_routes(settings: Settings) -> list[Route]:
    """The asset route, only where the page itself is served (never in production unless asked for)."""
    if not settings.serves_graphiql:
        return []
    return [Route("/graphiql/{digest}/{name}", serve_asset, methods=["GET", "HEAD"])]
