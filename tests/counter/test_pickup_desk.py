"""The pickup desk tells each pickup's state in the cashier's words and hands it over once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.core.money import Money
from kiosk.core.pickup import PickupLine, PickupOrder
from kiosk.counter.pickup_desk import PickupDesk, UnknownPickup
from kiosk.store import pickups
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_find_collect_and_a_refusal_in_words(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "kiosk.db")
    try:
        web = PickupOrder(
            "gid://shopify/FulfillmentOrder/7", "#1007", "Ada Lovelace", "ada@example.com", "",
            NOW, Money(1250, "EUR"), (PickupLine("Mug", "MUG-1", 2),), "OPEN", "gift wrap",
        )  # fmt: skip
        await pickups.replace_pulled(db, [web], NOW)
        desk = PickupDesk(db, clock=lambda: NOW, staff=lambda: "Sam")
        (row,) = await desk.find("ada")
        assert (row.number, row.items, row.words, row.can_retry) == (
            "#1007", 2, "Waiting for collection", False
        )  # fmt: skip
        done = await desk.collect("1007")
        assert (done.state, done.collected_by, done.collected_at) == (
            OutboxState.PENDING_SYNC, "Sam", NOW
        )  # fmt: skip
        assert done.words == "Collected, to be completed in the store"
        assert await desk.find() == []  # no longer waiting
        assert [r.number for r in await desk.find(collected=True)] == ["#1007"]
        (claimed,) = await pickups.claim_due(db, NOW, 1)
        await pickups.mark_failed(db, claimed.remote_id, "the order was cancelled", now=NOW)
        refused = await desk.get("#1007")
        assert refused is not None
        assert refused.words == (
            "Collected, but the store refused to complete it: the order was cancelled"
        )
        assert refused.can_retry
        assert (await desk.retry("#1007")).state is OutboxState.PENDING_SYNC
        with pytest.raises(UnknownPickup):
            await desk.collect("#2000")
    finally:
        await db.close()
