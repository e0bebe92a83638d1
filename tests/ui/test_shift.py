"""The Shift sheet on the real app under Xvfb: the float typed and the shift opened, a sale, cash
out with a reason, the X report, the close with the cash counted, the Z report printed (the image
printer) and matching the database. Screenshots at both sizes land in screenshots/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.sim.woocommerce import SimHandle
from tests.ui import records
from tests.ui.harness import CASHIER, Till, running_till

pytestmark = pytest.mark.timeout(240)


async def keypad(till: Till, keys: str) -> None:
    for k in keys.split():
        await till.tap(k, exact=True)


async def open_shift_sheet(till: Till) -> None:
    await till.tap(role="devices")
    await till.tap("Shift and cash")


@pytest.mark.parametrize("size", ["800x480", "1280x800"])
async def test_a_shift_on_the_touchscreen(
    device: Path, display: str, store: SimHandle, size: str
) -> None:
    data_dir = device
    product = records.simple(store)
    async with running_till(data_dir, display, size) as till:
        await open_shift_sheet(till)
        assert "No shift is open" in await till.screen_text()
        await keypad(till, "1 00 00")
        assert "Amount: £100.00" in await till.screen_text()
        await till.shot("50-shift-open")
        await till.tap("Open the shift")
        assert "Shift 1 open, with £100.00 in the drawer" in await till.screen_text()
        await till.tap(role="back")  # the Devices sheet

        await till.scan(product["global_unique_id"])
        await till.tap(role="pay")
        await till.tap(role="quick-cash", index=0)
        await till.wait_text("Sale complete")
        await till.tap("New sale", exact=True)

        await open_shift_sheet(till)
        assert f"Shift 1, opened by {CASHIER}" in await till.screen_text()
        await keypad(till, "5 00")
        await till.tap("Cash out")
        await till.shot("51-shift-cash-out-why")
        await till.tap("Petty cash")
        assert "£5.00 out of the drawer: Petty cash" in await till.screen_text()
        await till.tap("X report")
        screen = await till.screen_text()
        assert "X report printed" in screen
        assert "Expected cash" in screen
        await till.shot("52-shift-x-report")
        await till.tap(role="back")

        counted = 10000 + records.money(product["price"]) - 500
        await keypad(till, " ".join(str(counted)))
        await till.shot("53-shift-count")
        await till.tap("Close with the amount counted")
        screen = await till.screen_text()
        assert "Z report printed" in screen
        assert "Variance" in screen
        await till.shot("54-shift-z-report")

    (shift,) = records.rows(data_dir, "SELECT number, counted, closed_by, report FROM shifts")
    assert (shift["number"], shift["counted"], shift["closed_by"]) == (1, counted, CASHIER)
    z = json.loads(shift["report"])
    (sold,) = records.orders(data_dir)
    assert z["orders"] == 1
    assert z["gross"]["minor"] == sold["total"]
    assert z["cash"]["expected"]["minor"] == counted
    assert z["cash"]["variance"]["minor"] == 0
    assert [m["reason"] for m in z["movements"]] == ["Petty cash"]
    assert (data_dir / "receipts" / "Z-0001.png").is_file()
    assert (data_dir / "receipts" / "X-0001.png").is_file()
