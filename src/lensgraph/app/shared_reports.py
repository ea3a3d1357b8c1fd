"""The page a verification report's share link opens, so the link works without a front end: the verdict, the
short code and the watermarked image, for whoever the link admits (``sharedVerification``'s rule; a read counts
as a view). Refusals all look alike: a link that does not work says nothing of the report behind it."""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lensgraph.app.pages import page
from lensgraph.domain.errors import DomainError
from lensgraph.domain.verification_sharing import SHARE_PATH
from lensgraph.resolvers import verification_sharing as sharing
from lensgraph.resolvers.context import Context, Services

VERDICTS = {True: "Authentic", False: "Not authentic", None: "No verdict yet"}


def shared_report_routes(services: Services) -> list[Route]:
    async def shared_report_page(request: Request) -> Response:
        # A page opened from a link carries no credential: it shows what the link admits anyone to.
        ctx = Context.of_request(services, request, viewer=None)
        try:
            row = await sharing.shared(ctx, request.query_params.get("token", ""))
        except DomainError as refusal:
            body = (
                f"<p>{html.escape(refusal.message)}</p><p>If you were invited, sign in to Lensgraph with the address "
                "the invitation was sent to and open the report there.</p>"
            )
            return page("Report not found", body, status_code=404)
        image = await sharing.watermarked_url(ctx, row) or await sharing.thumbnail_url(ctx, row)
        verdict = VERDICTS[row.authentic] if row.completed_at else row.status.value.replace("_", " ").capitalize()
        confidence = f" ({row.result_confidence:.0%} confidence)" if row.result_confidence is not None else ""
        day = (row.completed_at or row.created_at).date().isoformat()
        picture = f'<p><img src="{html.escape(image)}" alt="" style="max-width:100%"></p>' if image else ""
        body = (
            f"<h1>{html.escape(row.name)}</h1><p><strong>{html.escape(verdict)}</strong>{confidence}</p>"
            f"<p>Report {html.escape(row.short_code)}, {day}</p>{picture}"
        )
        return page(f"Verification report {row.short_code}", body)

    return [Route(SHARE_PATH, shared_report_page, methods=["GET"])]
