"""A store's change feed, for connectors whose store keeps one (WooCommerce with its companion
plugin): what changed since a cursor, read by long polling, so a device behind NAT or on a
cellular link, which webhooks cannot reach, still learns of a change within a second or two.

Platform-neutral: kiosk/sync/feed_follow.py acts on it; a connector offers it by having a
`changes` method (ChangeFeed). A cursor is the connector's own text: save it once the changes
read with it are acted on, and a restart (even after kill -9) reads on from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from kiosk.connectors.base import Hint


@dataclass(frozen=True, slots=True)
class Changes:
    """One read of the feed."""

    hints: tuple[Hint, ...]  # products (a variation's parent) and customers to fetch again
    cursor: str  # where the next read starts
    reset: bool = False  # the feed began a new history: what happened before it is unknown
    more: bool = False  # more changes are waiting: read again at once
    settings: bool = False  # store-wide settings (taxes) changed: read them again
    pickups: bool = False  # orders for pickup changed


@runtime_checkable
class ChangeFeed(Protocol):
    async def changes(self, cursor: str, *, wait: float, queued: int = 0) -> Changes | None:
        """The changes after `cursor` ("" for the start), waiting up to `wait` seconds for one.

        None when the store has no change feed (then polling is all there is). `queued` is how
        many sales the device has waiting, which the store may show its merchant.
        """
        ...


__all__ = ["ChangeFeed", "Changes"]
