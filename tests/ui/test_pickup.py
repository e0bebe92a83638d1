"""Web orders to collect on the real app under Xvfb: a shopper's local-pickup order is pulled by
the agent, found by name, its items checked and handed over; the store completes it once.
Screenshots at both sizes land in screenshots/ (gitignored)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.sim.woocommerce import SimHandle
from tests.ui import records
from tests.ui.harness import running_till

pytestmark = pytest.mark.timeout(240)


@pytest.mark.parametrize("size", ["800x480", "1280x800"])
async def test_a_web_order_is_found_checked_and_handed_over_once(
    device: Path, display: str, store: SimHandle, size: str
) -> None:
    item = records.simple(store, 3)
    web = store.admin.place_online_order(
        [{"product_id": item["id"], "quantity": 2}],
        pickup="local_pickup",
        billing={"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"},
        customer_note="I'll come at noon",
    )
    number = str(web["number"])
    async with running_till(device, display, size) as till:
        await till.wait_text("All uploaded")
        await till.tap(role="orders")
        await till.tap(role="pickups")
        await till.wait_text(f"{number} · Ada Lovelace")
        await till.shot("60-pickups")
        await till.tap(f"{number} · Ada Lovelace", role="pickup")
        screen = await till.screen_text()
        assert f"2 × {item['name']}" in screen
        assert "Note: I'll come at noon" in screen
        await till.shot("61-pickup-detail")
        await till.tap(role="collect")
        screen = await till.screen_text()
        assert f"Handed over order {number} · Ada Lovelace. Collected, to be completed" in screen
        assert "No web order is waiting for collection" in screen
        await till.shot("62-pickup-collected")
        await till.until(lambda: store.state.orders[web["id"]]["status"] == "completed")
    assert store.state.orders[web["id"]]["date_completed"] is not None
