"""The Orders sheet and a refund on the real app under Xvfb: every sale with its upload state,
found by number, reprinted; one line refunded in cash with a manager's PIN, which reaches the
store once. Screenshots at both sizes land in screenshots/ (gitignored)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.sim.woocommerce import SimHandle
from tests.ui import records
from tests.ui.harness import running_till
from tests.ui.test_staff import add_staff, type_pin

pytestmark = pytest.mark.timeout(240)


@pytest.mark.parametrize("size", ["800x480", "1280x800"])
async def test_orders_reprint_and_a_cash_refund_with_a_managers_pin(
    device: Path, display: str, store: SimHandle, size: str
) -> None:
    data_dir = device
    await add_staff(data_dir)
    first, second = records.simple(store, 1), records.simple(store, 2)
    async with running_till(data_dir, display, size) as till:
        await till.tap("Ann", role="staff")
        await type_pin(till, "2468")
        for item in (first, second):
            await till.scan(item["global_unique_id"])
            await till.scan(item["global_unique_id"])
            await till.tap(role="pay")
            await till.tap(role="quick-cash", index=0)
            await till.wait_text("Sale complete")
            await till.tap("New sale", exact=True)
        await till.until(lambda: len(store.state.orders) == 2)
        await till.wait_text("All uploaded")

        # The queue in the bar opens the Orders sheet: newest first, each uploaded.
        await till.tap(role="orders")
        sold = records.orders(data_dir)
        numbers = [o["number"] for o in sold]
        screen = await till.screen_text()
        assert screen.index(numbers[1]) < screen.index(numbers[0])
        assert screen.count("Uploaded") == 2
        await till.shot("50-orders")

        # Find the first by its number; its detail; the receipt again.
        await till.tap(role="orders-search")
        for ch in numbers[0][-4:]:
            await till.tap(ch, exact=True)
        await till.tap("Done", exact=True)
        rows = [t for t in await till.texts() if t.startswith(numbers[0][:3])]
        assert [r.split(" · ")[0] for r in rows] == [numbers[0]]
        await till.tap(numbers[0], role="order")
        screen = await till.screen_text()
        assert f"2 × {first['name']}" in screen
        await till.shot("51-order-detail")
        await till.tap("Print the receipt again", exact=True)
        assert f"Printed the receipt of order {numbers[0]} again" in await till.screen_text()

        # Refund one of the two: a manager's PIN, cash back, the store told once.
        await till.tap("Refund", exact=True)
        await till.tap(role="more")
        price = records.money(first["price"])
        screen = await till.screen_text()
        assert f"Refund {records.pounds(price)} in cash" in screen
        await till.shot("52-refund-one")
        await till.tap(role="refund-cash")
        assert "Manager's PIN" in await till.screen_text()
        await till.tap("Mia", role="staff")
        await type_pin(till, "8642")
        assert f"Hand back {records.pounds(price)} in cash" in await till.screen_text()
        await till.shot("53-refund-done")

        given = records.rows(data_dir, "SELECT amount, method, staff FROM refunds")
        assert [tuple(r) for r in given] == [(price, "cash", "Ann")]
        remote = next(o for o in store.state.orders.values() if o["number"] == sold[0]["remote_id"])

        def refunded() -> bool:
            return len(remote.get("refunds", [])) == 1

        await till.until(refunded)
        assert len(remote["refunds"]) == 1
