"""The few HTML pages the API serves itself (links in emails, development payment pages): one plain layout."""

from __future__ import annotations

import html

from starlette.responses import HTMLResponse

# Links to these pages carry tokens in their query (email links, shared reports): no referrer takes them along.
PAGE_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    """``body`` is HTML: escape what a user typed before putting it in."""
    document = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f'<body style="font-family:sans-serif;max-width:40em;margin:3em auto">{body}</body></html>'
    )
    return HTMLResponse(document, status_code=status_code, headers=PAGE_HEADERS)
