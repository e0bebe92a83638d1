"""This machine's network reader: NetworkManager's, or, without sdbus installed, one that knows
nothing (the status bar then says only online or offline)."""

from __future__ import annotations

import logging

from kiosk.network.base import UNKNOWN, Link, NetworkInfo

log = logging.getLogger(__name__)


class NoNetworkInfo:
    async def current(self) -> Link:
        return UNKNOWN


def system_network() -> NetworkInfo:
    try:
        from kiosk.network.nm import NetworkManagerInfo
    except ImportError:  # the `network` extra is not installed (a desktop without D-Bus)
        log.info("sdbus is not installed: the status bar will not name the link")
        return NoNetworkInfo()
    return NetworkManagerInfo()
