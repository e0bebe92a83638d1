"""Paying on the real app: a declined card, split tender (cash, then card), park and resume, and
cash handed back when the cashier goes back to the sale.

The simulated reader shows Approve and Decline on the pay sheet; the test taps them, as the demo's
user does. Screenshots land in screenshots/<size>/ (gitignored).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.sim.woocommerce import SimHandle
from tests.ui import records
from tests.ui.harness import SIZES, running_till

pytestmark = pytest.mark.timeout(240)


@pytest.mark.parametrize("size", SIZES)
async def test_park_decline_split_tender_and_resume(
    device: Path, display: str, store: SimHandle, size: str
) -> None:
    data_dir = device
    first, second = records.simple(store, 1), records.simple(store, 2)
    async with running_till(data_dir, display, size) as till:
        await till.wait_text("Online")

        # Park a sale: the cart empties, and the parked sale is kept in the database.
        await till.scan(first["global_unique_id"])
        await till.tap(role="park")
        screen = await till.screen_text()
        assert "Parked the sale (1 item): tap Parked to resume it" in screen
        assert "Scan or tap a product to start a sale" in screen
        ((parked_id,),) = records.rows(data_dir, "SELECT id FROM parked_carts")
        await till.shot("12-parked")

        # The next customer's card is declined; nothing is taken and the sale goes on.
        await till.scan(second["global_unique_id"])
        total = records.money(second["price"])
        await till.tap(role="pay")
        await till.tap(f"Card £{second['price']}", exact=True)
        assert "Present the card on the reader" in await till.screen_text()
        await till.shot("13-card-waiting")
        await till.tap("Back to sale", exact=True)  # the reader may still charge: no leaving
        assert "A payment is in progress: wait for it, or cancel it on the reader" in (
            await till.screen_text()
        )
        await till.tap("Simulated reader: decline")
        screen = await till.screen_text()
        assert "Card declined\n" in screen  # the outcome's own title, then why and what next
        assert "Card declined by the bank. Nothing was charged. Ask for another card" in screen
        assert f"Due £{second['price']}" in screen
        await till.shot("14-card-declined")

        # Split: £5.00 in cash typed on the keypad, the rest on the card.
        await till.tap("Take cash", exact=True)
        for key in ("5", "0", "0"):
            await till.tap(key, exact=True)
        await till.tap("Cash £5.00", exact=True)
        rest = records.pounds(total - 500)
        screen = await till.screen_text()
        assert f"Paid: Cash £5.00 · Due {rest}" in screen
        await till.shot("15-split-cash-taken")
        await till.tap(f"Card {rest}", exact=True, times=2)  # a double tap charges once
        await till.tap("Simulated reader: approve")
        await till.wait_text("Sale complete")
        screen = await till.screen_text()
        assert f"£{second['price']} by card + cash" in screen  # card first: cash gives change
        await till.shot("16-split-done")
        await till.tap("New sale", exact=True)

        (split,) = records.orders(data_dir)
        assert records.payments(data_dir, split["id"]) == [
            ("card", total - 500, 0),
            ("cash", 500, 0),
        ]
        card = records.rows(
            data_dir, "SELECT reference, card_last4 FROM payments WHERE method = 'card'"
        )
        assert [(r["reference"], r["card_last4"]) for r in card] == [("pi_sim_1", "4242")]

        # Resume the parked sale: the same order id, sold once, and no longer parked.
        await till.tap(role="parked")
        await till.shot("17-parked-list")
        await till.tap(f"1 item · £{first['price']}")
        screen = await till.screen_text()
        assert "Resumed the parked sale" in screen
        assert f"1 × £{first['price']}" in screen  # the name may be cut short on a small screen
        await till.tap(role="pay")
        await till.tap(role="quick-cash", index=0, times=2)  # a double tap pays once
        await till.wait_text("Sale complete")
        await till.tap("New sale", exact=True)
        assert records.rows(data_dir, "SELECT id FROM parked_carts") == []
        resumed = [o for o in records.orders(data_dir) if o["id"] != split["id"]]
        assert [o["id"] for o in resumed] == [parked_id]
        assert records.payments(data_dir, parked_id) == [("cash", records.money(first["price"]), 0)]

        # Both reach the store, once each.
        await till.until(lambda: len(store.state.orders) == 2)
        await till.wait_text("All uploaded")
        totals = sorted(o["total"] for o in store.state.orders.values())
        assert totals == sorted([first["price"], second["price"]])


@pytest.mark.parametrize("size", SIZES)
async def test_cash_taken_then_back_to_sale_says_what_to_hand_back(
    device: Path, display: str, store: SimHandle, size: str
) -> None:
    item = records.simple(store, 4)
    price = records.money(item["price"])
    assert price > 100, "the test takes £1.00 first: the product must cost more"
    async with running_till(device, display, size) as till:
        await till.scan(item["global_unique_id"])
        await till.tap(role="pay")
        for key in ("1", "0", "0"):
            await till.tap(key, exact=True)
        await till.tap("Cash £1.00", exact=True)
        assert f"Paid: Cash £1.00 · Due {records.pounds(price - 100)}" in await till.screen_text()

        # The customer changes their mind: the £1.00 goes back, and the till says so, large,
        # until the cashier says it has been handed back.
        await till.tap("Back to sale", exact=True)
        screen = await till.screen_text()
        assert "Hand back £1.00" in screen
        assert "The sale is open again in the cart: nothing has been paid" in screen
        await till.shot("24-hand-back")
        await till.scan(item["global_unique_id"])  # into the sale behind it: the sheet stays
        assert "Hand back £1.00" in await till.screen_text()
        await till.tap("Handed back", exact=True)
        screen = await till.screen_text()
        assert "Hand back" not in screen
        assert f"Pay {records.pounds(2 * price)}" in screen  # both lines, nothing paid
        assert records.orders(device) == []

        # Cash above the total is change, shown on the sale's last sheet.
        await till.tap(role="pay")
        above = str(2 * price + 1000)  # £10 over, typed as the keypad takes it
        for key in above:
            await till.tap(key, exact=True)
        await till.tap(f"Cash {records.pounds(int(above))}", exact=True)
        await till.wait_text("Sale complete")
        assert "Change £10.00" in await till.screen_text()
        await till.tap("New sale", exact=True)
    (order,) = records.orders(device)
    assert records.payments(device, order["id"]) == [("cash", 2 * price, 1000)]  # £10 change
