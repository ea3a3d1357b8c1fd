"""Liveness and readiness, as orchestrators probe them.

``/healthz`` answers while the process can answer at all: cheap, touching nothing (a liveness probe that
failed on the database would have every replica restarted during a database outage). ``/readyz`` answers 200
only while the database, the job broker and the pub/sub are reachable; 503 names the component that is not,
so a load balancer stops sending traffic to a node that could not serve it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from lensgraph.app.services import Services

# A component slower than this to answer is counted unreachable: probes have timeouts of their own.
CHECK_SECONDS = 3.0


async def _within_time(check: Awaitable[bool]) -> bool:
    try:
        return await asyncio.wait_for(check, CHECK_SECONDS)
    except Exception:
        return False


def health_routes(services: Services) -> list[Route]:
    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> JSONResponse:
        database, broker, pubsub = await asyncio.gather(
            _within_time(services.db.ping()),
            _within_time(asyncio.to_thread(services.jobs.reachable)),
            _within_time(services.pubsub.ping()),
        )
        components = {
            name: "ok" if up else "unreachable"
            for name, up in (("database", database), ("broker", broker), ("pubsub", pubsub))
        }
        ready = all(status == "ok" for status in components.values())
        body: dict[str, object] = {"status": "ok" if ready else "unavailable", **components}
        if not ready:
            body["unreachable"] = [name for name, status in components.items() if status != "ok"]
        return JSONResponse(body, status_code=200 if ready else 503)

    return [Route("/healthz", healthz, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])]
