"""The agent sees a till's card payment through the database, so failover never switches back
in the middle of one; a till that died mid-charge stops counting after the window."""

from __future__ import annotations

from datetime import timedelta

from kiosk.core.models import CardResult
from kiosk.core.money import Money
from kiosk.store import card_attempts
from kiosk.store.db import Database
from kiosk.sync.payment_watch import PaymentWatch
from tests.sync.conftest import Clock


async def test_a_payment_counts_from_its_attempt_until_its_outcome(
    db: Database, clock: Clock
) -> None:
    watch = PaymentWatch(db, clock=clock, window=timedelta(minutes=3))
    assert not await watch.look()
    attempt = await card_attempts.begin(db, "order-1", Money(1250, "GBP"), now=clock())
    assert await watch.look()
    assert watch.current()  # what the failover policy asks, between looks
    await card_attempts.finish(
        db, attempt, CardResult(approved=True, amount=Money(1250, "GBP"), reference="pi_1")
    )
    assert not await watch.look()


async def test_a_charge_that_never_ended_stops_counting_after_the_window(
    db: Database, clock: Clock
) -> None:
    watch = PaymentWatch(db, clock=clock, window=timedelta(minutes=3))
    await card_attempts.begin(db, "order-2", Money(500, "GBP"), now=clock())
    clock.advance(179)
    assert await watch.look()
    clock.advance(2)
    assert not await watch.look()
