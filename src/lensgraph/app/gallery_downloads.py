"""``GET /gallery-downloads/{id}?token=...``: the zip a ``requestGalleryDownload`` link names, streamed from storage
as it is read (the token is redacted from every log line, as all ``token`` query values are)."""

from __future__ import annotations

from uuid import UUID

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from lensgraph.adapters.storage import SAFETY_HEADERS, content_disposition
from lensgraph.app.pages import PAGE_HEADERS
from lensgraph.domain.errors import DomainError, ErrorCode
from lensgraph.resolvers import gallery_downloads
from lensgraph.resolvers.context import Context, Services

ZIP = "application/zip"
# A download is one client's: never kept by a shared cache or the browser's.
NO_CACHING = {"Cache-Control": "no-store", "Pragma": "no-cache"}
STATUS = {ErrorCode.GALLERY_EXPIRED: 410, ErrorCode.DOWNLOADS_DISABLED: 403}


def gallery_download_routes(services: Services) -> list[Route]:
    async def download(request: Request) -> Response:
        # The link carries its own credential: no account, no gallery token.
        ctx = Context.of_request(services, request, viewer=None)
        headers = {**PAGE_HEADERS, **SAFETY_HEADERS, **NO_CACHING}
        try:
            download_id = UUID(request.path_params["download_id"])
            prepared = await gallery_downloads.open_download(ctx, download_id, request.query_params.get("token", ""))
        except ValueError:
            return JSONResponse({"error": gallery_downloads.LINK_REFUSED}, status_code=403, headers=headers)
        except DomainError as refusal:
            status = STATUS.get(refusal.code, 403)
            return JSONResponse({"error": refusal.message, "code": refusal.code.value}, status, headers=headers)
        headers["Content-Disposition"] = content_disposition(prepared.filename)
        return StreamingResponse(gallery_downloads.stream(ctx, prepared), media_type=ZIP, headers=headers)

    return [Route("/gallery-downloads/{download_id}", download, methods=["GET"])]
