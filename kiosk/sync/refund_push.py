"""Uploading refunds: money back at the card provider (card refunds), then the store's refund.

The rules are the orders' (kiosk.sync.push), each from a thing that must never happen:
- Exactly once: the refund's UUID is the key of both remote writes. Any attempt after the first
  (and any attempt a crash interrupted) looks the refund up first, at the provider and at the
  store, and an unknown outcome is looked up before anything is sent again.
- A refund goes to the store only once its order is there (it needs the order's remote id); a
  card refund gives the money back without waiting for that.
- A refusal (the store's or the provider's) parks that refund as failed, in words, for staff's
  Retry; other trouble backs that refund off alone. Refunds run after the orders of a pass, so
  they never hold a sale back, and one bad refund holds no other.
- Trouble with the link or the whole device feeds the orders' SendGate: while it is closed no
  refund is sent either.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from kiosk.connectors.base import Connector, RemoteRefund
from kiosk.connectors.errors import ConnectorError, OutcomeUnknown
from kiosk.core.models import PaymentMethod
from kiosk.payments.refunds import CardRefundFailed, CardRefunds
from kiosk.store import refunds as store
from kiosk.store.db import Database
from kiosk.store.refunds import StoredRefund
from kiosk.sync.gate import SendGate
from kiosk.sync.policy import Park, RetryPolicy
from kiosk.sync.queue_drain import DrainReport, QueueDrainer

log = logging.getLogger(__name__)

NO_CARD = "card refunds need the card reader's Stripe key on this device (kiosk provision stripe)"


@dataclass(slots=True)
class RefundReport(DrainReport):
    card_refunded: int = 0  # money given back to a card in this pass


class RefundPusher(QueueDrainer[StoredRefund, RefundReport]):
    """Drains the refund outbox, one refund at a time, each at most once per pass."""

    def __init__(
        self,
        db: Database,
        connector: Connector | None,
        *,
        clock: Callable[[], datetime],
        gate: SendGate,
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
        card: CardRefunds | None = None,
        batch: int = 20,
    ) -> None:
        super().__init__(db, store, RefundReport, clock=clock, gate=gate, batch=batch)
        self._connector = connector
        self._policy = policy or RetryPolicy()
        self._rng = rng or random.Random()
        self.card = card

    def key(self, item: StoredRefund) -> str:
        return item.refund_id

    async def upload(self, item: StoredRefund, report: RefundReport) -> None:
        """One attempt at one claimed refund; every error ends in a decision for it."""
        refund = item.refund
        look_first = item.attempts > 1
        if refund.method is PaymentMethod.CARD and not refund.reference:
            reference = await self._pay_back(item, look_first, report)
            if reference is None:
                return
            refund = replace(refund, reference=reference)
        if item.order_remote_id is None or self._connector is None:
            # Paid back; the store's part waits for the order (claim_due holds it till then),
            # or for the next upload pass (a card step made at the counter).
            now = self._clock()
            why = "waiting for its order to upload" if item.order_remote_id is None else ""
            await store.schedule_retry(self._db, item.refund_id, why, now, now=now, failed=False)
            return
        connector = self._connector
        try:
            remote = await self._lookup(item) if look_first else None
            if remote is None:
                try:
                    remote = await connector.create_refund(
                        refund, order_remote_id=item.order_remote_id
                    )
                    self._gate.reached()
                except OutcomeUnknown:
                    log.warning("refund %s: upload outcome unknown, looking it up", refund.id)
                    remote = await self._lookup(item)
                    if remote is None:
                        raise
        except ConnectorError as exc:
            await self._store_trouble(item, exc, report)
            return
        self._gate.reached()
        report.reached = True
        await store.mark_synced(self._db, item.refund_id, remote.remote_id, self._clock())
        report.synced += 1
        log.info("refund %s of order %s uploaded as %s", refund.id, item.order_number, remote)

    async def _lookup(self, item: StoredRefund) -> RemoteRefund | None:
        assert item.order_remote_id is not None
        assert self._connector is not None
        found = await self._connector.find_refund(item.refund, order_remote_id=item.order_remote_id)
        self._gate.reached()
        return found

    async def _pay_back(
        self, item: StoredRefund, look_first: bool, report: RefundReport
    ) -> str | None:
        """The card step: the card refund's id once the money is back (kept), else None (the
        refund's next step is decided)."""
        refund, now = item.refund, self._clock()
        intent = item.card_intent
        if self.card is None or not intent:
            why = NO_CARD if intent else "the order has no card payment to refund to"
            await self._retry(item, why, report, cap=True)
            return None
        try:
            reference = await self.card.refund(refund, intent, look_first=look_first)
        except CardRefundFailed as exc:
            if exc.retryable:
                await self._retry(item, str(exc), report)
            else:
                await store.mark_failed(self._db, item.refund_id, str(exc), now=now)
                report.failed += 1
                log.warning("refund %s refused at the card provider: %s", refund.id, exc)
            return None
        await store.set_reference(self._db, item.refund_id, reference)
        report.card_refunded += 1
        log.info("refund %s: %s back to the card (%s)", refund.id, refund.amount, reference)
        return reference

    async def _store_trouble(
        self, item: StoredRefund, exc: ConnectorError, report: RefundReport
    ) -> None:
        now = self._clock()
        decision = self._policy.decide(exc, item.failures + 1, now, self._rng)
        if isinstance(decision, Park):
            self._gate.reached()  # a refusal is an answer: the store is there
            report.reached = True
            await store.mark_failed(self._db, item.refund_id, decision.reason, now=now)
            report.failed += 1
            log.warning("refund %s refused by the store: %s", item.refund_id, decision.reason)
            return
        self._gate.failed(exc, now)
        await store.schedule_retry(self._db, item.refund_id, decision.reason, decision.at, now=now)
        report.retried += 1
        report.error = decision.reason

    async def _retry(
        self, item: StoredRefund, why: str, report: RefundReport, *, cap: bool = False
    ) -> None:
        now = self._clock()
        wait = self._policy.cap_s if cap else self._policy.delay(item.failures + 1, self._rng)
        await store.schedule_retry(
            self._db, item.refund_id, why, now + timedelta(seconds=wait), now=now
        )
        report.retried += 1
        report.error = why


async def give_back_now(
    db: Database, card: CardRefunds, refund_id: str, *, clock: Callable[[], datetime]
) -> StoredRefund | None:
    """The card step of one waiting refund at once (the counter: `orders refund --card`).

    The money goes back now if the provider can be reached; the refund's row decides as on any
    upload (kept id, a backoff, or parked with the provider's words), and the store's part goes
    with the next upload pass. A refund not waiting (already in flight or done) is left alone.
    """
    item = await store.claim(db, refund_id, clock())
    if item is not None:
        pusher = RefundPusher(db, None, clock=clock, gate=SendGate(), card=card)
        await pusher.upload(item, RefundReport())
    return await store.get_refund(db, refund_id)
