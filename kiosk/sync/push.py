"""Uploading sales: every due order, exactly once each, in order of sale, never blocked by one.

The rules, each from a thing that must never happen:
- A retry of any order first looks it up in the store (by our UUID): an earlier attempt may have
  been committed even though its answer was lost. Only an order the store does not have is sent.
  The UUID is what keeps an order single, so several go up at once (`concurrency`).
- The store's refusal parks that order as failed with the store's words; the queue moves on.
- Trouble with one request (a lost connection, a 5xx, a timeout, an unknown outcome) backs off
  that order alone; the orders behind it go on. FIFO is the order of attempts, not a lock.
- Any answer from the store proves it reachable: backoffs are cut short and the waiting orders
  go again in the same pass (each at most `tries_per_pass` times, so a pass ends). An order that
  keeps failing while others go through backs off on its own (outbox.SICK_AFTER); after an
  outage, every backoff starts again from the bottom.
- Trouble with the link or the whole device (no connection, bad keys, Retry-After) stops the
  sending for all (see gate.SendGate): 500 sales never become 500 doomed requests.
- After a pass the device adopts the store's stock numbers for what it sold, read back in a
  few listings for the whole batch (the store counted the stock itself; never set it).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from kiosk.connectors.base import Connector, RemoteOrder
from kiosk.connectors.errors import ConnectorError, OutcomeUnknown
from kiosk.core.models import StockLevel
from kiosk.store import outbox, stock, sync_state
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxItem
from kiosk.sync.gate import SendGate, link_down
from kiosk.sync.pickup_push import PickupPusher, PickupReport
from kiosk.sync.policy import Park, RetryPolicy
from kiosk.sync.refund_push import RefundPusher, RefundReport

log = logging.getLogger(__name__)


@dataclass(slots=True)
class PushReport:
    synced: int = 0
    failed: int = 0
    retried: int = 0  # failed tries that were scheduled again
    wait_until: datetime | None = None  # when the next upload falls due, if one waits
    error: str | None = None  # the last trouble met, if any
    reached: bool = False  # the store answered at least one request
    unreachable: str = ""  # the link-down error that stopped sending, if one did
    refunds: RefundReport = field(default_factory=RefundReport)  # the refunds of the pass
    pickups: PickupReport = field(default_factory=PickupReport)  # pickups completed

    def then(self, later: PushReport) -> PushReport:
        """This pass followed by `later`, as one report."""
        return PushReport(
            synced=self.synced + later.synced,
            failed=self.failed + later.failed,
            retried=self.retried + later.retried,
            wait_until=later.wait_until,
            error=later.error or self.error,
            reached=self.reached or later.reached,
            unreachable=later.unreachable,
            refunds=self.refunds.then(later.refunds),
            pickups=self.pickups.then(later.pickups),
        )


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
        concurrency: int = 4,
        tries_per_pass: int = 3,
    ) -> None:
        if concurrency < 1 or tries_per_pass < 1:
            raise ValueError("concurrency and tries_per_pass must be at least 1")
        self._db = db
        self._connector = connector
        self._clock = clock
        self._policy = policy or RetryPolicy()
        self._rng = rng or random.Random()
        self._concurrency = concurrency
        self._tries_per_pass = tries_per_pass
        self.gate = SendGate(self._policy, rng=self._rng)
        # Backoffs an answer should cut short: some may be waiting (at start, left by an earlier
        # process) until a cut has seen an answer newer than the latest failure.
        self._backed_off = True
        self._failed_at: datetime | None = None  # the latest failure scheduled for retry
        self._answered_at: datetime | None = None  # the latest answer no cut has used yet
        self._restored = False  # the link came back after an outage: start every backoff again
        self._sold: dict[str, str] = {}  # product or variation id -> the last order that sold it
        # Refunds go after the orders of each pass, through the same gate (set `.card` to give
        # card refunds back).
        self.refunds = RefundPusher(
            db, connector, clock=clock, gate=self.gate, policy=self._policy, rng=self._rng
        )
        # Collected pickups go last, through the same gate: they never hold a sale back.
        self.pickups = PickupPusher(
            db, connector, clock=clock, gate=self.gate, policy=self._policy, rng=self._rng
        )

    def store_reached(self) -> bool:
        """Another request (a pull, a hint) got an answer; True when uploads may be waiting."""
        self._heard()
        return self._backed_off or self.pickups.held

    def link_restored(self) -> None:
        """The network came back: send at once, whatever backoff the link's loss had set."""
        self._restored = True
        self._heard()

    async def recover(self) -> PushReport:
        """Settle uploads a crash left in flight: each had an unknown outcome, so look it up."""
        report = PushReport()
        for item in await outbox.in_flight(self._db):
            try:
                remote = await self._lookup(item)
            except ConnectorError as exc:
                await self._schedule(item, exc, report)
                continue
            self._answered(report)
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
                    failed=False,
                )
        return report

    async def drain(self) -> PushReport:
        """Upload every due order, oldest first, up to `concurrency` at a time, until none is due.

        Returns when nothing more is due (or may be sent); `wait_until` says when to come back.
        Cancelling it leaves the orders in flight as syncing: the next start looks them up.
        """
        report = PushReport()
        tries: Counter[str] = Counter()
        running: set[asyncio.Task[None]] = set()
        try:
            while True:
                await self._cut_backoffs()
                room = self.gate.allowance(self._clock(), self._concurrency) - len(running)
                if room > 0:
                    spent = [oid for oid, n in tries.items() if n >= self._tries_per_pass]
                    for item in await outbox.claim_due(self._db, self._clock(), room, skip=spent):
                        tries[item.order_id] += 1
                        running.add(asyncio.create_task(self._upload(item, report)))
                if not running:
                    break
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()  # an error that is not the store's is a bug: let it out
        finally:
            for task in running:
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)
        report.refunds = await self.refunds.drain()
        report.reached |= report.refunds.reached
        report.pickups = await self.pickups.drain()
        report.reached |= report.pickups.reached
        await self._read_back_stock()
        report.wait_until = await self._next_wait()
        return report

    async def _read_back_stock(self) -> None:
        """Adopt the store's stock for what this pass sold (the next pull does, if this fails)."""
        if not self._sold:
            return
        sold, self._sold = self._sold, {}
        try:
            levels = await self._connector.stock_levels(list(sold))
        except ConnectorError as exc:
            log.warning("stock of %d products sold is left to the next pull: %s", len(sold), exc)
            return
        by_order: dict[str, list[StockLevel]] = {}
        for level in levels:
            by_order.setdefault(sold.get(level.product_id, ""), []).append(level)
        now = self._clock()
        for number, group in by_order.items():
            await stock.adopt(self._db, group, now, source=f"order {number}")

    async def _next_wait(self) -> datetime | None:
        due = min(
            (t for t in (await outbox.next_due_at(self._db), await self.refunds.next_due(),
                         await self.pickups.next_due())
             if t is not None),
            default=None,
        )  # fmt: skip
        if due is None:
            return None
        held = self.gate.opens_at(self._clock())
        return max(due, held) if held is not None else due

    async def _cut_backoffs(self) -> None:
        """Once the store has answered, bring forward every upload that failed before it did."""
        answered = self._answered_at
        if not self._backed_off or answered is None:
            return
        cut = await outbox.cut_backoffs(
            self._db, self._clock(), answered_at=answered, reset=self._restored
        )
        self._answered_at, self._restored = None, False
        # A failure newer than the answer keeps its backoff until a later answer.
        self._backed_off = self._failed_at is not None and self._failed_at >= answered
        if cut:
            log.info("the store answers: %d waiting uploads go now", cut)

    async def _upload(self, item: OutboxItem, report: PushReport) -> None:
        """One attempt at one order; every store error ends in a decision for the order."""
        try:
            remote = await self._lookup(item) if item.attempts > 1 else None
            if item.attempts > 1:
                self._answered(report)
            if remote is None:
                try:
                    remote = await self._connector.create_order(item.order)
                except OutcomeUnknown:
                    log.warning(
                        "order %s: upload outcome unknown, looking it up", item.order.number
                    )
                    remote = await self._lookup(item)
                    self._answered(report)
                    if remote is None:
                        raise
        except ConnectorError as exc:
            await self._schedule(item, exc, report)
            return
        self._answered(report)
        await self._synced(item, remote, report)

    def _answered(self, report: PushReport) -> None:
        report.reached = True
        self._heard()

    def _heard(self) -> None:
        if self.gate.is_down:
            self._restored = True
        self._answered_at = self._clock()
        self.gate.reached()

    async def _lookup(self, item: OutboxItem) -> RemoteOrder | None:
        since = item.first_attempt_at or item.order.created_at
        return await self._connector.find_order(item.order, attempted_at=since)

    async def _synced(self, item: OutboxItem, remote: RemoteOrder, report: PushReport) -> None:
        now = self._clock()
        await outbox.mark_synced(self._db, item.order_id, remote.remote_id, now)
        if remote.stock:  # the store said, with its answer
            await stock.adopt(self._db, remote.stock, now, source=f"order {item.order.number}")
        else:
            for line in item.order.lines:
                self._sold[line.variation_id or line.product_id] = item.order.number
        await sync_state.mark_pushed(self._db, now)
        report.synced += 1
        log.info("order %s uploaded as %s", item.order.number, remote.number)

    async def _schedule(self, item: OutboxItem, exc: ConnectorError, report: PushReport) -> None:
        now = self._clock()
        decision = self._policy.decide(exc, item.failures + 1, now, self._rng)
        if isinstance(decision, Park):
            self._answered(report)  # a refusal is an answer: the store is there
            await outbox.mark_failed(self._db, item.order_id, decision.reason, now=now)
            report.failed += 1
            log.warning("order %s refused by the store: %s", item.order.number, decision.reason)
            return
        self.gate.failed(exc, now)
        if link_down(exc) and self.gate.closed_until is not None:
            report.unreachable = str(exc)
        await outbox.schedule_retry(self._db, item.order_id, decision.reason, decision.at, now=now)
        self._backed_off, self._failed_at = True, now
        report.retried += 1
        report.error = decision.reason
        log.info("order %s: will retry at %s (%s)", item.order.number, decision.at, decision.reason)
