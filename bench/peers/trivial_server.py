"""A trivial HTTP/1.1 server: the ceiling of the load driver, and a known answer for its tests.

It answers every POST with a small fixed JSON body, and every ``error_every``-th one with a GraphQL error,
so a test knows how many errors the driver must count. ``python -m bench.peers.trivial_server PORT``
serves until stopped (``python -m bench driver-check`` runs it pinned to its own core).
"""

from __future__ import annotations

import asyncio
import sys

ANSWER = b'{"data":{"ok":true}}'
ERROR = b'{"data":null,"errors":[{"message":"every nth request fails"}]}'


def _response(body: bytes) -> bytes:
    head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    return head.encode() + body


class TrivialServer:
    """Counts the requests it answered; ``error_every`` 0 never fails."""

    def __init__(self, error_every: int = 0) -> None:
        self.error_every = error_every
        self.answered = 0
        self._ok = _response(ANSWER)
        self._error = _response(ERROR)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lowered = head.lower()
                at = lowered.find(b"content-length:")
                if at >= 0:
                    await reader.readexactly(int(lowered[at + 15 : lowered.index(b"\r\n", at)]))
                self.answered += 1
                failing = self.error_every and self.answered % self.error_every == 0
                writer.write(self._error if failing else self._ok)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def start(self, port: int = 0) -> asyncio.Server:
        return await asyncio.start_server(self.handle, "127.0.0.1", port)


async def _serve(port: int) -> None:
    server = await TrivialServer().start(port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.run(_serve(int(sys.argv[1])))
    except ImportError:  # pragma: no cover - uvicorn[standard] brings uvloop
        asyncio.run(_serve(int(sys.argv[1])))
