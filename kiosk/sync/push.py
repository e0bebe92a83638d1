"""Uploading sales: drain the outbox in order of sale, exactly once each, never blocked by one.

The rules, each from a thing that must never happen:
- A retry of any order first looks it up in the store (by our UUID): an earlier attempt may have
  been committed even though its answer was lost. Only an order the store does not have is sent.
- The store's refusal parks that order as failed with the store's words; the queue moves on.
- Any other trouble (the link, the store, rate limits) stops the pass with the head order
  scheduled for later, so later sales never overtake it.
- After an upload the device adopts the store's stock numbers for what it sold.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kiosk.connectors.base import Connector, RemoteOrder
from kiosk.connectors.errors import ConnectorError, OutcomeUnknown
from kiosk.store import outbox, stock, sync_state
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxItem
from kiosk.sync.policy import Park, RetryPolicy

log = logging.getLogger(__name__)


@dataclass(slots=True)
class PushReport:
    synced: int = 0
    failed: int = 0
    retried: int = 0
    wait_until: datetime | None = None  # the head order's next attempt, when it is not due yet
    error: str | None = None  # why the pass stopped early, if it did


class Pusher:
    """Drains the outbox through a connector. One Pusher per process; passes never overlap."""

    def __init__(
        self,
        db: Database,
        connector: Connector,
        *,
        clock: Callable[[], datetime],
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._db = db
        self._connector = connector
        self._clock = clock
        self._policy = policy or RetryPolicy()
        self._rng = rng or random.Random()

    async def recover(self) -> PushReport:
        """Settle uploads a crash left in flight: each had an unknown outcome, so look it up."""
        report = PushReport()
        for item in await outbox.in_flight(self._db):
            try:
                remote = await self._lookup(item)
            except ConnectorError as exc:
                await self._schedule(item, exc, report)
                continue
            if remote is not None:
                await self._synced(item, remote, report)
            else:
                # Not in the store: the attempt never landed. Due again now, in its place.
                await outbox.schedule_retry(
                    self._db,
                    item.order_id,
                    "interrupted before the store answered",
                    self._clock(),
                    now=self._clock(),
                )
        return report

    async def drain(self) -> PushReport:
        """Upload every due order, oldest first, until the queue is empty or must wait."""
        report = PushReport()
        while True:
            head = await outbox.peek_head(self._db)
            if head is None:
                return report
            now = self._clock()
            if head.next_attempt_at > now:
                report.wait_until = head.next_attempt_at
                return report
            item = await outbox.claim_next(self._db, now)
            if item is None:  # the other process changed the queue under us; look again
                continue
            if not await self._upload(item, report):
                return report

    async def _upload(self, item: OutboxItem, report: PushReport) -> bool:
        """One attempt at one order; False when the pass must stop."""
        try:
            remote = await self._lookup(item) if item.attempts > 1 else None
            if remote is None:
                try:
                    remote = await self._connector.create_order(item.order)
                except OutcomeUnknown:
                    log.warning(
                        "order %s: upload outcome unknown, looking it up", item.order.number
                    )
                    remote = await self._lookup(item)
                    if remote is None:
                        raise
        except ConnectorError as exc:
            return await self._schedule(item, exc, report)
        await self._synced(item, remote, report)
        return True

    async def _lookup(self, item: OutboxItem) -> RemoteOrder | None:
        since = item.first_attempt_at or item.order.created_at
        return await self._connector.find_order(item.order, attempted_at=since)

    async def _synced(self, item: OutboxItem, remote: RemoteOrder, report: PushReport) -> None:
        now = self._clock()
        await outbox.mark_synced(self._db, item.order_id, remote.remote_id, now)
        if remote.stock:
            await stock.adopt(self._db, remote.stock, now, source=f"order {item.order.number}")
        await sync_state.mark_pushed(self._db, now)
        report.synced += 1
        log.info("order %s uploaded as %s", item.order.number, remote.number)

    async def _schedule(self, item: OutboxItem, exc: ConnectorError, report: PushReport) -> bool:
        now = self._clock()
        decision = self._policy.decide(exc, item.attempts, now, self._rng)
        if isinstance(decision, Park):
            await outbox.mark_failed(self._db, item.order_id, decision.reason, now=now)
            report.failed += 1
            log.warning("order %s refused by the store: %s", item.order.number, decision.reason)
            return True
        await outbox.schedule_retry(self._db, item.order_id, decision.reason, decision.at, now=now)
        report.retried += 1
        report.error = decision.reason
        report.wait_until = decision.at
        log.info("order %s: will retry at %s (%s)", item.order.number, decision.at, decision.reason)
        return False
