"""The Pickup desk: waiting web orders found by number or name, collected once, in words."""

from __future__ import annotations

from datetime import UTC, timedelta

from kiosk.core.money import Money
from kiosk.core.pickup import PickupLine, PickupOrder
from kiosk.counter.pickup_desk import PickupDesk
from kiosk.store import pickups
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState
from tests.store.factory import T0

WEB = (
    PickupOrder(
        "501", "1501", "Ann Smith", "ann@example.com", "", T0 - timedelta(hours=2),
        Money(4200, "EUR"), (PickupLine("Blue mug", "MUG-1", 2), PickupLine("Cap", "", 1)),
        "processing", note="Gift wrap please",
    ),
    PickupOrder(
        "502", "1502", "Bob Jones", "", "0170 123", T0 - timedelta(hours=1),
        Money(850, "EUR"), (PickupLine("Blue mug", "MUG-1", 1),), "processing",
    ),
)  # fmt: skip


async def test_waiting_orders_found_by_number_or_name_and_collected_once(shop: Database) -> None:
    await pickups.replace_pulled(shop, WEB, T0)
    desk = PickupDesk(shop, now=lambda: T0, staff=lambda: "ann", zone=lambda: UTC)
    rows = await desk.find()
    assert [r.number for r in rows] == ["1501", "1502"]  # oldest first
    first = rows[0]
    placed = (T0 - timedelta(hours=2)).strftime("%d %b %H:%M")
    assert first.summary == f"3 items · 42,00\xa0€ · placed {placed}"
    assert first.lines == ("2 × Blue mug (MUG-1)", "1 × Cap")
    assert (first.note, first.state, first.collected) == (
        "Gift wrap please",
        "Waiting for the customer",
        False,
    )
    assert [r.number for r in await desk.find("bob")] == ["1502"]
    assert [r.number for r in await desk.find("1501")] == ["1501"]

    told = await desk.collect("1501")
    assert told.message == "Order 1501 for Ann Smith is collected"
    assert [r.number for r in await desk.find()] == ["1502"]  # no longer waiting
    again = await desk.collect("1501")  # a second tap changes nothing
    assert again.message == told.message
    assert (await pickups.counts(shop))[OutboxState.PENDING_SYNC] == 1
    missing = await desk.collect("9999")
    assert missing.warn
    assert missing.message == "No web order 9999 is waiting here"
