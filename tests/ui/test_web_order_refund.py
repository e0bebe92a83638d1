"""A web shop order refunded on the real app under Xvfb: found by its number from the Orders
sheet ("Web order…", the on-screen keyboard), one of two units back in cash with a manager's
PIN, the refund in the store once; an unknown number said in words. Screenshots at both sizes
land in screenshots/ (gitignored)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.sim.woocommerce import SimHandle
from tests.ui import records
from tests.ui.harness import running_till
from tests.ui.test_staff import add_staff, type_pin

pytestmark = pytest.mark.timeout(240)


@pytest.mark.parametrize("size", ["800x480", "1280x800"])
async def test_a_web_order_is_found_by_number_and_one_unit_refunded_in_cash(
    device: Path, display: str, store: SimHandle, size: str
) -> None:
    data_dir = device
    await add_staff(data_dir)
    item = records.simple(store, 1)
    placed = store.admin.place_online_order([{"product_id": item["id"], "quantity": 2}])
    number = str(placed["number"])
    async with running_till(data_dir, display, size) as till:
        await till.tap("Ann", role="staff")
        await type_pin(till, "2468")
        await till.wait_text("All uploaded")
        await till.tap(role="orders")
        await till.shot("60-orders-web-order-button")

        # A number the web shop does not have: said in words, nothing opens.
        await till.tap(role="web-order")
        await till.type_on_keyboard("99999")
        await till.shot("61-web-order-keyboard")
        await till.tap("Done", exact=True)
        await till.wait_text("the web shop has no paid order number 99999")

        await till.tap(role="orders")
        await till.tap(role="web-order")
        await till.type_on_keyboard(number)
        await till.tap("Done", exact=True)
        await till.wait_text(f"Refund order {number}")
        screen = await till.screen_text()
        assert item["name"] in screen
        await till.tap(role="more")
        await till.shot("62-web-order-refund-one")
        assert "Refund to the card" not in await till.screen_text()  # paid online: cash only
        await till.tap(role="refund-cash")
        assert "Manager's PIN" in await till.screen_text()
        await till.tap("Mia", role="staff")
        await type_pin(till, "8642")
        [(amount, method, staff)] = records.rows(
            data_dir, "SELECT amount, method, staff FROM refunds"
        )
        assert (method, staff) == ("cash", "Ann")
        line = placed["line_items"][0]
        paid = records.money(line["total"]) + records.money(line["total_tax"])
        assert amount == (paid + 1) // 2  # one of two, to the cent
        await till.wait_text(f"Hand back {records.pounds(amount)} in cash")
        await till.shot("63-web-order-refund-done")

        remote = store.state.orders[int(placed["id"])]
        await till.until(lambda: len(remote.get("refunds", [])) == 1)
        await till.tap(role="orders")  # the web order is on the till now, with its state
        assert number in await till.screen_text()
    assert len(remote["refunds"]) == 1
    assert [tuple(r) for r in records.rows(data_dir, "SELECT count(*) FROM orders")] == [(1,)]
