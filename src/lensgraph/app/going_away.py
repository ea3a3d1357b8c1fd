"""uvicorn's WebSocket protocol, closing open sockets with 1001 (Going Away) when the server shuts down.

On SIGTERM uvicorn stops accepting, then tells every open connection to shut down: a WebSocket is closed at once
with 1012 (Service Restart), before the application's lifespan shutdown runs, so the application cannot close it
first. This protocol sends 1001 instead, the code browsers and GraphQL clients take for "this server is leaving:
reconnect", behind a balancer to another node. ``lensgraph serve`` hands it to uvicorn by its import path, so
every worker process uvicorn starts uses it too.
"""

from __future__ import annotations

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

GOING_AWAY = 1001
IMPORT_PATH = "lensgraph.app.going_away:GoingAwayWebSockets"


class GoingAwayWebSockets(WebSocketsSansIOProtocol):
    def shutdown(self) -> None:
        if not (self.handshake_complete and self.initial_response is None and not self.close_sent):
            # Not an open socket (a handshake in progress, or closing already): uvicorn's own way.
            super().shutdown()
            return
        self.stop_keepalive()
        self.queue.put_nowait({"type": "websocket.disconnect", "code": GOING_AWAY})
        self.conn.send_close(GOING_AWAY, "server shutting down")
        self.close_sent = True
        self.transport.write(b"".join(self.conn.data_to_send()))
        self.transport.close()
