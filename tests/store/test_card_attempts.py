from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from kiosk.core.models import CardResult
from kiosk.core.money import Money
from kiosk.store import card_attempts
from kiosk.store.db import Database

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
GBP = "GBP"


async def test_attempts_are_numbered_per_order_and_final_once_finished(db: Database) -> None:
    first = await card_attempts.begin(db, "order-a", Money(1200, GBP), now=T0)
    assert (first.key, first.retry) == ("order-a:card:1", False)
    await card_attempts.finish(db, first, CardResult(False, first.amount, message="Declined"))
    second = await card_attempts.begin(db, "order-a", Money(1200, GBP), now=T0)
    assert (second.key, second.retry) == ("order-a:card:2", False)
    other = await card_attempts.begin(db, "order-b", Money(300, GBP), now=T0)
    assert other.key == "order-b:card:1"
    await card_attempts.finish(db, second, CardResult(True, second.amount, reference="pi_1"))
    assert await card_attempts.approved(db, "order-a") == [(2, Money(1200, GBP), "pi_1")]
    assert await card_attempts.approved(db, "order-b") == []


async def test_an_attempt_without_an_outcome_is_retried_with_its_key_and_amount(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kiosk.db"
    db = await Database.open(path)
    started = await card_attempts.begin(db, "order-a", Money(1200, GBP), now=T0)
    await db.close()  # the app stops while the reader works: no outcome was recorded

    db = await Database.open(path)
    try:
        again = await card_attempts.begin(db, "order-a", Money(700, GBP), now=T0)
        assert again.retry is True
        assert (again.key, again.amount) == (started.key, Money(1200, GBP))
        await card_attempts.finish(db, again, CardResult(True, again.amount, reference="pi_9"))
        after = await card_attempts.begin(db, "order-a", Money(700, GBP), now=T0)
        assert (after.key, after.amount, after.retry) == ("order-a:card:2", Money(700, GBP), False)
    finally:
        await db.close()
