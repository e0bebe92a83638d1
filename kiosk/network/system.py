"""This machine's network reader: NetworkManager's, or, without sdbus installed, one that knows
nothing (the status bar then says only online or offline)."""

from __future__ import annotations

import asyncio
import importlib
import logging

from kiosk.network.base import UNKNOWN, Link, NetworkInfo

log = logging.getLogger(__name__)


class NoNetworkInfo:
    async def current(self) -> Link:
        return UNKNOWN


class SystemNetworkInfo:
    """NetworkManager's reader, loaded off the event loop on first use: sdbus's interface
    classes take a tenth of a second to import, which the till's start need not wait for."""

    def __init__(self) -> None:
        self._reader: NetworkInfo | None = None
        self._loading: asyncio.Task[NetworkInfo] | None = None

    async def current(self) -> Link:
        if self._reader is None:
            if self._loading is None:
                self._loading = asyncio.create_task(asyncio.to_thread(_load))
            if not self._loading.done():
                return UNKNOWN  # the bar names the link at its next refresh
            self._reader = self._loading.result()
        return await self._reader.current()


def _load() -> NetworkInfo:
    try:
        nm = importlib.import_module("kiosk.network.nm")
    except ImportError:  # the `network` extra is not installed (a desktop without D-Bus)
        log.info("sdbus is not installed: the status bar will not name the link")
        return NoNetworkInfo()
    reader: NetworkInfo = nm.NetworkManagerInfo()
    return reader


def system_network() -> NetworkInfo:
    return SystemNetworkInfo()
