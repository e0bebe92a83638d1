"""Completing collected pickups in the store, and pulling the store's list of waiting ones.

The rules are the orders' and refunds' (kiosk.sync.push, kiosk.sync.refund_push):
- Exactly once: any attempt after the first (and one a crash interrupted) asks the store where
  the pickup is first (Connector.pickup_state), and so does an unknown outcome: a pickup the
  store already completed is done, never completed again.
- A refusal (the order was cancelled or deleted in the store) parks that pickup as failed, in
  words, for staff's Retry; other trouble backs that pickup off alone. Pickups go after the
  orders and refunds of a pass, so they never hold a sale or a refund back.
- Trouble with the link or the whole device feeds the orders' SendGate: while it is closed no
  completion is sent either.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime

from kiosk.connectors.base import Connector
from kiosk.connectors.errors import (
    ConnectorError,
    OutcomeUnknown,
    Rejected,
    StoreUnreachable,
    Timeout,
)
from kiosk.core.pickup import PickupState
from kiosk.store import pickups as store
from kiosk.store.db import Database
from kiosk.store.pickups import StoredPickup
from kiosk.sync.gate import SendGate
from kiosk.sync.policy import Park, RetryPolicy
from kiosk.sync.queue_drain import DrainReport, QueueDrainer

log = logging.getLogger(__name__)


class PickupReport(DrainReport):
    """The pickups completed (or not) in a pass."""


class PickupPusher(QueueDrainer[StoredPickup, PickupReport]):
    """Drains the pickup outbox, one completion at a time, each at most once per pass."""

    def __init__(
        self,
        db: Database,
        connector: Connector,
        *,
        clock: Callable[[], datetime],
        gate: SendGate,
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
        batch: int = 20,
    ) -> None:
        super().__init__(db, store, PickupReport, clock=clock, gate=gate, batch=batch)
        self._connector = connector
        self._policy = policy or RetryPolicy()
        self._rng = rng or random.Random()
        # A completion held back only because the store could not be reached: due again as
        # soon as anything reaches it (Pusher.store_reached says so).
        self.held = False

    def key(self, item: StoredPickup) -> str:
        return item.remote_id

    def starting(self) -> None:
        self.held = False  # this pass tries them again

    async def upload(self, item: StoredPickup, report: PickupReport) -> None:
        """One attempt at one claimed completion; every error ends in a decision for it."""
        try:
            done = item.attempts > 1 and await self._already_done(item)
            if not done:
                try:
                    await self._connector.complete_pickup(item.remote_id)
                except OutcomeUnknown:
                    log.warning("pickup %s: outcome unknown, looking it up", item.pickup.number)
                    if not await self._already_done(item):
                        raise
        except ConnectorError as exc:
            await self._trouble(item, exc, report)
            return
        self._gate.reached()
        report.reached = True
        await store.mark_synced(self._db, item.remote_id, self._clock())
        report.synced += 1
        log.info("pickup %s completed in the store", item.pickup.number)

    async def _already_done(self, item: StoredPickup) -> bool:
        """True when the store has completed it; Rejected when it can no longer be."""
        state = await self._connector.pickup_state(item.remote_id)
        self._gate.reached()
        if state is PickupState.GONE:
            raise Rejected(
                f"order {item.pickup.number} was cancelled or deleted in the store, so it "
                "cannot be completed there: check it in the store's admin",
                status=410,
                code="pickup_gone",
            )
        return state is PickupState.COLLECTED

    async def _trouble(self, item: StoredPickup, exc: ConnectorError, report: PickupReport) -> None:
        now = self._clock()
        decision = self._policy.decide(exc, item.failures + 1, now, self._rng)
        if isinstance(decision, Park):
            self._gate.reached()  # a refusal is an answer: the store is there
            report.reached = True
            await store.mark_failed(self._db, item.remote_id, decision.reason, now=now)
            report.failed += 1
            log.warning("pickup %s refused by the store: %s", item.pickup.number, decision.reason)
            return
        self._gate.failed(exc, now)
        if isinstance(exc, StoreUnreachable | Timeout):  # the link's fault, not the pickup's
            self.held = True
            await store.schedule_retry(
                self._db, item.remote_id, decision.reason, now, now=now, failed=False
            )
        else:
            await store.schedule_retry(
                self._db, item.remote_id, decision.reason, decision.at, now=now
            )
        report.retried += 1
        report.error = decision.reason


class PickupPuller:
    """Pulls the store's waiting pickups into the device (on the catalog's schedule)."""

    def __init__(
        self,
        db: Database,
        connector: Connector,
        *,
        clock: Callable[[], datetime],
        local_only: bool = True,
    ) -> None:
        self._db = db
        self._connector = connector
        self._clock = clock
        self.local_only = local_only
        self.error = ""  # why the last pull failed ("" when it worked)

    async def pull(self) -> int:
        """Replace the device's list with the store's; how many wait (-1: the pull failed).

        A failure is logged and kept in `error`, never raised: pickups are no reason to call
        the catalog's pull failed, and the list pulled last stays on show.
        """
        try:
            found = await self._connector.pickup_orders(local_only=self.local_only)
        except ConnectorError as exc:
            self.error = str(exc)
            log.warning("pickups not pulled: %s", exc)
            return -1
        self.error = ""
        return await store.replace_pulled(self._db, found, self._clock())
