"""``GET /data-exports/{id}?token=...``: the zip a data export's link names (GDPR Article 20), streamed from the
JSON and files the export job stored, as it is read (the token is redacted from every log line, as all ``token``
query values are)."""

from __future__ import annotations

from uuid import UUID

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from lensgraph.adapters.storage import SAFETY_HEADERS, content_disposition
from lensgraph.app.gallery_downloads import NO_CACHING, ZIP
from lensgraph.app.pages import PAGE_HEADERS
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.resolvers import compliance
from lensgraph.resolvers.context import Context, Services


def data_export_routes(services: Services) -> list[Route]:
    async def download(request: Request) -> Response:
        # The link carries its own credential, bound to the export's owner.
        ctx = Context.of_request(services, request, viewer=None)
        headers = {**PAGE_HEADERS, **SAFETY_HEADERS, **NO_CACHING}
        try:
            request_id = UUID(request.path_params["request_id"])
            prepared = await compliance.open_export(ctx, request_id, request.query_params.get("token", ""))
        except ValueError:
            return JSONResponse({"error": compliance.LINK_REFUSED}, status_code=403, headers=headers)
        except DomainError as refusal:
            status = 410 if refusal.code is ErrorCode.DOWNLOAD_EXPIRED else 403
            return JSONResponse({"error": refusal.message, "code": refusal.code.value}, status, headers=headers)
        headers["Content-Disposition"] = content_disposition(compliance.ZIP_NAME)
        return StreamingResponse(compliance.stream(ctx, prepared), media_type=ZIP, headers=headers)

    return [Route("/data-exports/{request_id}", download, methods=["GET"])]
