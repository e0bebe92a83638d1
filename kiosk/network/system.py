"""This machine's network reader: NetworkManager's, or, without sdbus installed, one that knows
nothing (the status bar then says only online or offline)."""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Callable

from kiosk.network.base import UNKNOWN, Link, NetworkInfo
from kiosk.network.monitor import Monitor
from kiosk.network.probe import TcpProbe
from kiosk.network.settings import NetworkConfig, policy_settings, probe_host

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


async def read_link() -> Link:
    """The link now, read once (for a command, not a poller): UNKNOWN when it cannot be read."""
    reader = _load()
    try:
        return await reader.current()
    finally:
        close = getattr(reader, "close", None)
        if close is not None:
            close()


def system_network() -> NetworkInfo:
    return SystemNetworkInfo()


def failover_monitor(
    network: NetworkConfig, store_url: str, payment_in_progress: Callable[[], bool]
) -> Monitor | None:
    """The agent's failover loop over NetworkManager, or None without sdbus (nothing to drive)."""
    try:
        nm_control = importlib.import_module("kiosk.network.nm_control")
    except ImportError:
        log.info("sdbus is not installed: no WiFi to cellular failover")
        return None
    probe = TcpProbe(probe_host(network, store_url), network.probe_port)
    return Monitor(
        nm_control.NetworkManagerControl(),
        probe,
        settings=policy_settings(network),
        payment_in_progress=payment_in_progress,
    )
