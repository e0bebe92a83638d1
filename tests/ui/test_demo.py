"""`make run`: the demo a newcomer starts, from the window appearing to a first sale."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui import records
from tests.ui.harness import running_till

pytestmark = pytest.mark.timeout(240)


async def test_a_newcomer_sells_a_first_item_in_the_demo(tmp_path: Path, display: str) -> None:
    data_dir = tmp_path / "demo"
    async with running_till(data_dir, display, "800x480", demo=True) as till:
        # The terminal says how to scan, with barcodes to try.
        assert "Scan by typing a barcode and Enter, anywhere in the window, e.g.:" in till.said
        code, name = till.said[-1].split(maxsplit=1)
        assert len(code) == 13
        assert code.isdigit()
        screen = await till.screen_text()
        assert "Sam" in screen  # the demo's cashier
        assert "Scan or tap a product to start a sale" in screen

        await till.scan(code)
        assert f"Added {name}" in await till.screen_text()
        await till.tap(role="pay")
        await till.tap(role="quick-cash", index=0)  # exact cash
        await till.wait_text("Sale complete")
        await till.tap("View receipt")
        await till.shot("20-demo-receipt")
        await till.tap("Back", exact=True)
        await till.tap("New sale", exact=True)

        (order,) = records.orders(data_dir)
        assert records.payments(data_dir, order["id"])[0][0] == "cash"
        assert (data_dir / "receipts" / f"{order['number']}.png").exists()

        # The demo's own store receives it, and the bar says so.
        def uploaded() -> bool:
            sql = "SELECT state FROM outbox WHERE order_id = ?"
            return [r["state"] for r in records.rows(data_dir, sql, order["id"])] == ["synced"]

        await till.until(uploaded)
        await till.wait_text("All uploaded")

        # A card sale: the demo's reader is Stripe's (simulated), through the real library.
        assert any("simulated Stripe S710" in line for line in till.said)
        await till.scan(code)
        await till.tap(role="pay")
        await till.tap("Card £", index=0)
        await till.wait_text("Simulated reader: approve")
        await till.shot("22-demo-card-waiting")
        await till.tap("Simulated reader: approve")
        await till.wait_text("Sale complete")
        await till.tap("New sale", exact=True)
        card = records.rows(
            data_dir,
            "SELECT reference, card_brand, card_last4, entry_mode FROM payments"
            " WHERE method = 'card'",
        )
        assert [tuple(r) for r in card] == [(card[0]["reference"], "Visa", "4242", "Contactless")]
        assert card[0]["reference"].startswith("pi_")

        # The Devices sheet, from the printer's state in the bar: the technician's checks.
        await till.tap(role="devices")
        assert "Printer: The printer is ready" in await till.screen_text()
        await till.tap("Print a test page")
        assert "Test page printed" in await till.screen_text()
        assert "Printer test page" in (data_dir / "receipts" / "test-page.txt").read_text()
        await till.tap("Open the drawer")
        assert "Drawer opened (no sale)" in await till.screen_text()
        await till.tap("Last receipt again")
        assert "The last receipt was printed again" in await till.screen_text()
        await till.shot("21-devices")
