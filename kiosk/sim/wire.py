"""What the simulators do to a connection: bind their port, answer late, drop without answering."""

from __future__ import annotations

import asyncio
import socket

from aiohttp import web


def bound_socket(port: int) -> socket.socket:
    """A socket bound to 127.0.0.1:`port` (0: any free port), ready for a SockSite."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    return sock


async def wait_until(due: float) -> None:
    """Sleep until the loop's clock reads `due` (a simulated latency's end)."""
    delay = due - asyncio.get_running_loop().time()
    if delay > 0:
        await asyncio.sleep(delay)


def drop(request: web.Request) -> None:
    """Close the connection without an answer (the client sees a disconnect)."""
    if request.transport is not None:
        request.transport.abort()
    raise asyncio.CancelledError
