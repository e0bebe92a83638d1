"""Selling on the real app in a window under Xvfb, driven with touches and keys.

Each test asserts what the cashier sees, what the database holds and what reached the store.
Screenshots of every screen, at both sizes, land in screenshots/ (gitignored).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from kiosk.core.barcodes import check_digit
from kiosk.sim.woocommerce import SimHandle
from tests.ui import records

if TYPE_CHECKING:
    from tests.network.nm_mock import MockNetworkManager
from tests.ui.harness import CASHIER, SIZES, running_till

pytestmark = pytest.mark.timeout(240)


@pytest.mark.parametrize("size", SIZES)
async def test_scan_search_pick_discount_customer_and_pay_cash(
    device: Path, display: str, store: SimHandle, size: str
) -> None:
    data_dir = device
    simple, variable = records.simple(store), records.variable(store)
    async with running_till(data_dir, display, size) as till:
        screen = await till.screen_text()
        assert any(t.startswith(CASHIER) for t in await till.texts())  # who sells, always shown
        assert "All products" in screen
        assert "Scan or tap a product to start a sale" in screen
        await till.shot("01-sale-empty")

        # A scan adds at once, with nothing focused; an unknown code changes nothing.
        await till.scan(simple["global_unique_id"])
        screen = await till.screen_text()
        assert simple["name"] in screen
        assert f"Pay £{simple['price']}" in screen
        unknown = "590123412345" + str(check_digit("590123412345"))  # well formed, not sold here
        await till.scan(unknown)
        screen = await till.screen_text()
        assert f"Unknown barcode {unknown}: nothing was added" in screen
        assert f"Pay £{simple['price']}" in screen
        misread = unknown[:-1] + str((int(unknown[-1]) + 1) % 10)  # the check digit fails
        await till.scan(misread)
        screen = await till.screen_text()
        assert f"This barcode did not read correctly: scan it again ({misread})" in screen
        assert f"Pay £{simple['price']}" in screen
        await till.shot("02-cart-one-line")

        # Search on the on-screen keyboard, then pick a size and colour that exist.
        await till.tap(role="search")
        word = max(variable["name"].split(), key=len).lower()
        await till.type_on_keyboard(word[:5])
        await till.shot("03-search-keyboard")
        await till.tap("Done", exact=True)
        await till.shot("03b-search-results")
        await till.tap(variable["name"], role="tile")
        size_opt, colour_opt = (a["options"][-1] for a in variable["attributes"][:2])
        await till.shot("04-variation-picker")
        await till.tap(size_opt, role="option", exact=True)
        await till.tap(colour_opt, role="option", exact=True)
        await till.tap("Add ")
        screen = await till.screen_text()
        assert variable["name"] in screen

        # Two of the first line, 10% off the sale, and a customer.
        await till.tap("+", exact=True, index=0)
        await till.tap(role="discount")
        await till.shot("05-discount")
        await till.tap("10%", exact=True)
        assert "10% off the sale" in await till.screen_text()
        await till.tap("Add customer")
        await till.type_on_keyboard("thom")
        await till.tap("Thompson")
        screen = await till.screen_text()
        assert "Customer: Mohammed Thompson" in screen
        await till.shot("06-cart-full")

        # Pay cash with a quick amount; the change shows large and the receipt can be seen.
        await till.tap(role="pay")
        await till.shot("07-pay")
        await till.tap(role="quick-cash", index=1)
        await till.wait_text("Sale complete")
        screen = await till.screen_text()
        assert "Change £" in screen
        await till.shot("08-sale-done")
        await till.tap("View receipt")
        await till.shot("09-receipt")
        await till.tap("Back", exact=True)
        await till.tap("New sale", exact=True)
        assert "Scan or tap a product to start a sale" in await till.screen_text()

        (order,) = records.orders(data_dir)
        payments = records.payments(data_dir, order["id"])
        assert [p[0] for p in payments] == ["cash"]
        assert payments[0][2] > 0  # change was given
        with sqlite3.connect(data_dir / "kiosk.db") as c:
            lines = list(
                c.execute(
                    "SELECT name, quantity FROM order_lines WHERE order_id = ?", (order["id"],)
                )
            )
        assert (simple["name"], 2) in [(n, q) for n, q in lines]
        assert len(lines) == 2
        assert order["customer_id"] == "2"
        receipts = list((data_dir / "receipts").glob("*.png"))
        assert len(receipts) == 1

        # The agent beside the app uploads it; the status bar says when all is up.
        await till.until(lambda: store.state.orders)
        await till.wait_text("All uploaded")
        remote = list(store.state.orders.values())
        assert len(remote) == 1
        assert remote[0]["total"] == f"{order['total'] / 100:.2f}"


async def test_offline_cash_sale_uploads_when_the_store_is_back(
    device: Path, display: str, store: SimHandle, network: MockNetworkManager
) -> None:
    data_dir = device
    item = records.simple(store, 1)
    _, _, wifi = await network.wifi("ShopNet", strength=72)
    await network.set_primary(wifi)
    async with running_till(data_dir, display, "800x480") as till:
        # The bar names the link NetworkManager reports, and follows it to cellular.
        await till.wait_text("Online · WiFi ShopNet 72%")
        await till.shot("10a-online-wifi")
        await network.set_primary(await network.cellular(), metered=1)
        await till.wait_text("Online · Cellular")
        # The store stops answering: the agent's next pass fails and the bar says so.
        store.faults.add("drop", path=None, count=10**6)
        await till.wait_text("Offline: cash only")
        await till.scan(item["global_unique_id"])
        await till.tap(role="pay")
        assert "Card unavailable: No internet" in await till.screen_text()
        await till.shot("10-pay-offline")
        await till.tap(role="quick-cash", index=0)
        await till.wait_text("Sale complete")
        await till.tap("New sale", exact=True)
        await till.wait_text("1 to upload")  # the bar's next refresh
        await till.shot("11-offline-waiting")
        (order,) = records.orders(data_dir)
        assert order["offline"] == 1
        assert store.state.orders == {}

        store.faults.clear()
        await till.until(lambda: store.state.orders)
        await till.wait_text("All uploaded")
        (remote,) = store.state.orders.values()
        meta = {m["key"]: m["value"] for m in remote["meta_data"]}
        assert order["id"] in meta.values()


async def test_out_of_stock_is_shown_and_still_sells(
    device: Path, display: str, store: SimHandle
) -> None:
    item = records.out_of_stock(store)
    async with running_till(device, display, "800x480") as till:
        await till.tap(role="search")
        await till.type_on_keyboard(item["name"].split()[-1][:6])
        await till.tap("Done", exact=True)
        tile = await till.tap(item["name"], role="tile")
        assert "Out of stock" in tile["text"]
        screen = await till.screen_text()
        assert f"Added {item['name']}, but the shop has none in stock" in screen
        assert f"Pay £{item['price']}" in screen
        await till.shot("18-out-of-stock-added")
        await till.tap(role="pay")
        await till.tap(role="quick-cash", index=0)
        await till.wait_text("Sale complete")
    (order,) = records.orders(device)
    assert order["total"] == records.money(item["price"])


async def test_a_refused_order_shows_the_stores_reason_and_is_retried(
    device: Path, display: str, store: SimHandle
) -> None:
    item = records.simple(store, 3)
    async with running_till(device, display, "1280x800") as till:
        await till.wait_text("Online")
        # Sold while the store is away; meanwhile someone deletes the product in the store.
        store.faults.add("drop", path=None, count=10**6)
        await till.wait_text("Offline: cash only")
        await till.scan(item["global_unique_id"])
        await till.tap(role="pay")
        await till.tap(role="quick-cash", index=0)
        await till.wait_text("Sale complete")
        await till.tap("New sale", exact=True)
        store.state.products[item["id"]]["status"] = "trash"
        store.faults.clear()

        # The store refuses it; the bar says so, and a tap shows why, with Retry.
        await till.wait_text("1 failed ›")
        await till.tap("1 failed ›")
        screen = await till.screen_text()
        assert "Orders the store refused" in screen
        assert "The store said: Product ID provided is invalid." in screen
        await till.shot("19-failed-order")
        assert store.state.orders == {}

        # Put right in the store, then retried from the till: it goes up once.
        store.state.products[item["id"]]["status"] = "publish"
        await till.tap("Retry POS-00001")
        assert "The order is queued to upload again" in await till.screen_text()
        await till.until(lambda: store.state.orders)
        await till.wait_text("All uploaded")
    (remote,) = store.state.orders.values()
    assert remote["line_items"][0]["product_id"] == item["id"]
