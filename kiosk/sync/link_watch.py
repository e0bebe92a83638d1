"""Following the network for the agent: a link that comes back is a reason to upload now.

NetworkManager knows about a link long before any backoff runs out: when the device goes from no
network to one, or fails over from WiFi to cellular (or back), the store may be reachable again,
so the waiting uploads go at once (the first answer confirms it, or the gate closes again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.network.base import Link, LinkKind, NetworkInfo

log = logging.getLogger(__name__)


class LinkWatch:
    """Reads the link each turn; calls `on_restored` when a usable link appears or changes.

    An UNKNOWN reading (NetworkManager's reader still loading, or D-Bus unreachable) says
    nothing either way: it neither counts as a change nor hides one.
    """

    def __init__(self, network: NetworkInfo, on_restored: Callable[[], None]) -> None:
        self._network = network
        self._on_restored = on_restored
        self.link: Link | None = None  # the last link that was known (never UNKNOWN)

    @property
    def metered(self) -> bool:
        return self.link is not None and self.link.metered

    async def check(self) -> Link:
        """Read the link now; say so when it is a new way to reach the store."""
        link = await self._network.current()
        if link.kind is LinkKind.UNKNOWN:
            return link
        before, self.link = self.link, link
        if before is None or link.kind is LinkKind.NONE:
            return link
        if before.kind is LinkKind.NONE or (before.kind, before.name) != (link.kind, link.name):
            log.info("network: %s -> %s, uploading now", before.label, link.label)
            self._on_restored()
        return link
