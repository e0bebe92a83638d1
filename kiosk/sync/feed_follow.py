"""Following a store's change feed: the agent long-polls it and fetches what it names at once.

Webhooks cannot reach a device behind NAT or on a cellular link; a change feed can (the device
asks, the store answers when something changes). When the connector has one
(kiosk.connectors.feed.ChangeFeed answers something other than None), the follower:
- reads it with a long poll, and fetches each product (or customer, or the tax settings) it
  names, the same way a webhook hint is followed;
- saves the feed's cursor in sync_state only after that work is written, so an agent killed at
  any point (kill -9 included) reads the same changes again on restart and loses none;
- on a feed that began a new history (`reset`: the store's plugin was reset or reinstalled, so
  what changed before is unknown) runs a delta pull and an id audit before going on;
- starts, on a device that never read the feed, at the feed's present position after a delta
  pull (the initial sync already copied everything before it).
Without a feed it returns at once, and the engine's polling is what keeps the device current.
While the feed is followed, `live(True)` tells the engine so (SyncEngine.feed_live), which then
pulls deltas only as a safety net, at the audit's interval; a failed read says `live(False)`
and the usual polling is back until the feed answers again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from kiosk.connectors.base import Connector
from kiosk.connectors.errors import ConnectorError
from kiosk.connectors.feed import ChangeFeed, Changes
from kiosk.store import outbox, sync_state
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState
from kiosk.sync.pull import Puller

log = logging.getLogger(__name__)

CURSOR = "cursor:change_feed"
WAIT_S = 20.0  # how long one long poll waits for a change (the plugin's maximum)
RETRY_S = 5.0  # after a failed read (offline, the store erring): ask again this much later
NOT_READY_S = 5.0  # the initial sync is not complete yet: look again this much later
# A read that came back at once with nothing (the store does not hold long polls, or a proxy
# cuts them short): wait this long before the next, rather than asking in a tight loop.
QUICK_S = 1.0
IDLE_S = 5.0

Sleep = Callable[[float], Awaitable[None]]


class FeedFollower:
    """Reads a connector's change feed and brings what it names into the device."""

    def __init__(
        self,
        db: Database,
        connector: Connector,
        puller: Puller,
        *,
        pickups: Callable[[], Awaitable[object]] | None = None,
        live: Callable[[bool], None] = lambda _: None,
        wait: float = WAIT_S,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._db = db
        self._connector = connector
        self._puller = puller
        self._pickups = pickups
        self._live = live
        self._wait = wait
        self._sleep = sleep
        self.applied = 0  # changes read and acted on since start (for tests and status)
        self._waited = 0.0  # how long the last read was allowed to wait

    def _feed(self) -> ChangeFeed | None:
        return self._connector if isinstance(self._connector, ChangeFeed) else None

    async def _queued(self) -> int:
        counts = await outbox.counts(self._db)
        return counts[OutboxState.PENDING_SYNC] + counts[OutboxState.SYNCING]

    async def step(self, *, wait: float | None = None) -> Changes | None:
        """One read of the feed and the work it names; None when there is no feed."""
        feed = self._feed()
        if feed is None:
            return None
        cursor = await sync_state.get_value(self._db, CURSOR) or ""
        if wait is None:
            # A first read only finds where the feed is: no reason to wait for a change there.
            wait = self._wait if cursor else 0.0
        self._waited = wait
        changes = await feed.changes(cursor, wait=wait, queued=await self._queued())
        if changes is None:
            return None
        if not cursor or changes.reset:
            # First read, or a new history: what happened before this position is not in the
            # feed. A delta pull (modified dates) covers changes; an audit, deletions.
            log.info("change feed %s: catching up by a delta pull", "reset" if cursor else "new")
            await self._puller.delta()
            if cursor:
                await self._puller.audit()
        else:
            await self._apply(changes)
        await sync_state.set_value(self._db, CURSOR, changes.cursor)
        self.applied += len(changes.hints)
        return changes

    async def _apply(self, changes: Changes) -> None:
        products = sorted({h.id for h in changes.hints if h.kind == "product"})
        if products:
            await self._puller.refresh(products)
        if changes.settings or any(h.kind == "customer" for h in changes.hints):
            await self._puller.delta()  # settings, taxes and customers come with a delta
        if changes.pickups and self._pickups is not None:
            await self._pickups()

    async def run(self, stop: asyncio.Event) -> None:
        """Follow the feed until `stop` is set; return at once if the store has none."""
        while not stop.is_set():
            if not await self._puller.initial_complete():
                await self._sleep(NOT_READY_S)
                continue
            began = time.monotonic()
            try:
                changes = await self.step()
            except ConnectorError as exc:
                self._live(False)
                log.warning("change feed: %s; asking again in %.0f s", exc, RETRY_S)
                await self._sleep(RETRY_S)
                continue
            self._live(changes is not None)
            if changes is None:
                log.info("the store has no change feed: polling keeps the device up to date")
                return
            quick = self._waited > 0 and time.monotonic() - began < QUICK_S
            if quick and not changes.hints and not changes.more and not changes.reset:
                await self._sleep(IDLE_S)


__all__ = ["CURSOR", "FeedFollower"]
