"""The store's host going away and coming back: connections refused, open ones cut.

What a device sees when its uplink or the shop's host is down is not an HTTP error but no
connection at all: `connect()` is refused (or times out) and a kept-alive connection dies. So
an outage stops listening on the port and aborts every open connection; the end of it listens on
the same port again (SO_REUSEADDR), so the device's settings stay right.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl

from aiohttp import web

from kiosk.sim.wire import bound_socket


class Outage:
    """Takes a running simulator's site down and up again; one outage at a time."""

    def __init__(
        self,
        runner: web.AppRunner,
        site: web.SockSite,
        port: int,
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        self._runner = runner
        self._site: web.SockSite | None = site
        self._port = port
        self._ssl = ssl_context
        self._lock = asyncio.Lock()
        self.count = 0  # outages begun so far
        self._ended: asyncio.Task[None] | None = None
        self._down = asyncio.Event()

    @property
    def down(self) -> bool:
        return self._site is None

    async def begin(self) -> None:
        """Stop listening and cut every open connection; harmless when already down."""
        async with self._lock:
            if self._site is None:
                return
            site, self._site = self._site, None
            await site.stop()
            server = self._runner.server
            for handler in list(server.connections if server is not None else ()):
                if handler.transport is not None:
                    handler.transport.abort()
            self.count += 1
            self._down.set()

    async def end(self) -> None:
        """Listen again on the same port; harmless when already up."""
        async with self._lock:
            if self._site is not None:
                return
            site = web.SockSite(self._runner, bound_socket(self._port), ssl_context=self._ssl)
            await site.start()
            self._site = site
            self._down.clear()

    async def for_seconds(self, seconds: float) -> None:
        """Down now, up again after `seconds` (a real outage takes real time)."""
        await self.begin()
        try:
            await asyncio.sleep(seconds)
        finally:
            await self.end()

    def start(self, seconds: float) -> None:
        """`for_seconds` in the background, from the next turn of the loop: the admin route's
        own answer goes out before its connection is cut with the rest."""
        if self._ended is not None and not self._ended.done():
            raise ValueError("an outage is already under way")
        self._ended = asyncio.ensure_future(self.for_seconds(seconds))

    async def wait_down(self) -> None:
        """Return once the host is down."""
        await self._down.wait()

    async def close(self) -> None:
        if self._ended is not None:
            self._ended.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ended
