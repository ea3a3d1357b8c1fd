"""The studio's calendar feed at its secret URL: an iCalendar document calendar apps subscribe to. A wrong or
replaced secret is a plain 404 that says nothing of any studio."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from lensgraph.domain.errors import DomainError
from lensgraph.domain.studio import CALENDAR_PATH
from lensgraph.resolvers import booking
from lensgraph.resolvers.context import Context, Services


def calendar_feed_routes(services: Services) -> list[Route]:
    async def calendar_feed(request: Request) -> Response:
        # The URL is the credential: calendar apps send no other.
        ctx = Context.of_request(services, request, viewer=None)
        try:
            body = await booking.calendar_feed(ctx, request.query_params.get("token", ""))
        except DomainError as refusal:
            return PlainTextResponse(refusal.message, status_code=404)
        return Response(
            body,
            media_type="text/calendar; charset=utf-8",
            headers={
                "Cache-Control": "private, max-age=300",
                "Content-Disposition": 'inline; filename="bookings.ics"',
                "X-Content-Type-Options": "nosniff",
            },
        )

    return [Route(CALENDAR_PATH, calendar_feed, methods=["GET"])]
