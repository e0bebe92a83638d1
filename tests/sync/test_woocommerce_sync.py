"""The engine and the real WooCommerce connector against the simulated store (issue 3's proof)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk.checkout import Checkout, utc_now
from kiosk.cli.demo_cmd import demo_catalog_path
from kiosk.config import SyncConfig
from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.core.models import Order, PaymentMethod
from kiosk.core.tender import Tender
from kiosk.sim.woocommerce import SimHandle, running_sim
from kiosk.store import catalog, orders, stock, sync_state
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState
from kiosk.sync.engine import SyncEngine

SELLABLE = ("publish", "private")


@dataclass
class Rig:
    sim: SimHandle
    db: Database
    engine: SyncEngine
    checkout: Checkout
    sleeps: list[float]

    async def sell(self, *skus: str) -> Order:
        cart = await self.checkout.start()
        for sku in skus:
            await self.checkout.add_code(cart, sku)
        due = cart.totals().total
        return await self.checkout.complete(cart, [Tender(PaymentMethod.CASH, due)])

    def remote_orders(self) -> list[dict[str, Any]]:
        return [self.sim.state.orders[k] for k in sorted(self.sim.state.orders)]

    def product_id(self, sku: str) -> int:
        return next(pid for pid, p in self.sim.state.products.items() if p["sku"] == sku)


def _demo() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(demo_catalog_path().read_text())
    return data


@pytest.fixture
async def rig(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    options: dict[str, str] = getattr(request, "param", {})
    export = _demo()
    export["settings"].update(options)
    sleeps: list[float] = []

    async def record_sleep(seconds: float) -> None:
        sleeps.append(seconds)  # the store's pacing, recorded instead of waited out

    async with running_sim(export=export) as sim:
        db = await Database.open(tmp_path / "kiosk.db")
        connector = WooConnector.connect(
            sim.url, sim.consumer_key, sim.consumer_secret, locale="en_GB", sleep=record_sleep
        )
        engine = SyncEngine(db, connector, clock=utc_now, settings=SyncConfig())
        try:
            yield Rig(sim, db, engine, Checkout(db, order_prefix="K1-"), sleeps)
        finally:
            await connector.close()
            await db.close()


async def test_initial_sync_copies_the_sellable_catalog(rig: Rig) -> None:
    report = await rig.engine.run_once()
    assert report.errors == []
    assert report.initial
    counts = await catalog.counts(rig.db)
    store = rig.sim.state
    assert counts.products == sum(1 for p in store.products.values() if p["status"] in SELLABLE)
    assert counts.variations == sum(
        1 for v in store.variations.values() if v["status"] == "publish"
    )
    assert counts.categories == len(store.categories)
    assert counts.customers == len(store.customers)
    status = await sync_state.get_sync_status(rig.db)
    assert status.initial_sync.complete
    assert status.initial_sync.done == status.initial_sync.total == len(store.products)
    assert status.last_pull_at is not None
    hoodie = await catalog.find_by_code(rig.db, "CLO-HOOD-M")
    assert hoodie is not None
    assert hoodie.parent_id is not None


async def test_sales_upload_with_the_stores_total_and_its_stock(rig: Rig) -> None:
    await rig.engine.run_once()
    first = await rig.sell("CLO-TEE-M-NAV", "COF-ESP-250", "ESS-NIC-24")
    second = await rig.sell("CAFE-FW", "CAFE-FW", "BK-COOK")
    report = await rig.engine.run_once()
    assert report.errors == []
    assert report.push.synced == 2
    remote = rig.remote_orders()
    assert len(remote) == 2
    for order, theirs in zip((first, second), remote, strict=True):
        meta = {m["key"]: m["value"] for m in theirs["meta_data"]}
        assert meta["_kiosk_order_id"] == order.id
        assert Decimal(theirs["total"]) == order.total.to_decimal()  # to the cent
        assert theirs["status"] == "completed"
        stored = await orders.get_order(rig.db, order.id)
        assert stored is not None
        assert stored.state is OutboxState.SYNCED
        assert stored.remote_id == str(theirs["id"])
    # The store took the stock itself; the device adopted its numbers.
    espresso = rig.sim.state.products[rig.product_id("COF-ESP-250")]
    local = await catalog.find_by_code(rig.db, "COF-ESP-250")
    assert local is not None
    assert local.stock_quantity == espresso["stock_quantity"]


@pytest.mark.parametrize(
    "rig",
    [
        {"woocommerce_prices_include_tax": inc, "woocommerce_tax_round_at_subtotal": sub}
        for inc in ("yes", "no")
        for sub in ("yes", "no")
    ],
    indirect=True,
    ids=lambda o: (
        f"incl={o['woocommerce_prices_include_tax']}"
        f",at_subtotal={o['woocommerce_tax_round_at_subtotal']}"
    ),
)
async def test_device_total_equals_store_total_for_every_tax_setting(rig: Rig) -> None:
    await rig.engine.run_once()
    baskets = [
        ("CAFE-FW", "CAFE-CAP", "CAFE-HOC"),
        ("ESS-NIC-24", "ESS-NIC-24", "CRD-THX-WLD"),
        ("CLO-TEE-M-NAV", "KIT-MUG-ENM", "CRD-BDAY-HOG", "NEWS-WEEKLY"),
    ]
    sold = [await rig.sell(*basket) for basket in baskets]
    assert (await rig.engine.run_once()).push.synced == len(sold)
    for order, theirs in zip(sold, rig.remote_orders(), strict=True):
        assert Decimal(theirs["total"]) == order.total.to_decimal(), order.number


async def test_a_response_lost_after_commit_yields_exactly_one_order(rig: Rig) -> None:
    await rig.engine.run_once()
    order = await rig.sell("COF-ETH-250")
    rig.sim.faults.add("drop_after_commit", method="POST", path="orders")
    report = await rig.engine.run_once()
    assert report.push.synced == 1
    assert len(rig.remote_orders()) == 1
    stored = await orders.get_order(rig.db, order.id)
    assert stored is not None
    assert stored.state is OutboxState.SYNCED


async def test_a_rejected_order_is_parked_while_later_ones_upload(rig: Rig) -> None:
    await rig.engine.run_once()
    first = await rig.sell("KIT-MUG-SPK")
    doomed = await rig.sell("CRD-XMAS-10")
    third = await rig.sell("KIT-TT-LIN")
    rig.sim.admin.delete_product(rig.product_id("CRD-XMAS-10"), force=True)
    report = await rig.engine.run_once()
    assert (report.push.synced, report.push.failed) == (2, 1)
    parked = await orders.get_order(rig.db, doomed.id)
    assert parked is not None
    assert parked.state is OutboxState.FAILED
    assert "invalid" in parked.last_error.lower()
    uploaded = [
        {m["key"]: m["value"] for m in o["meta_data"]}["_kiosk_order_id"]
        for o in rig.remote_orders()
    ]
    assert uploaded == [first.id, third.id]


async def test_a_price_change_shows_up_within_one_interval(rig: Rig) -> None:
    await rig.engine.run_once()
    rig.sim.admin.set_price(rig.product_id("TEA-EB-80"), "9.99")
    await rig.engine.run_once()  # one delta pass: what one sync interval runs
    tea = await catalog.find_by_code(rig.db, "TEA-EB-80")
    assert tea is not None
    assert tea.price is not None
    assert tea.price.minor == 999


async def test_a_deleted_product_stops_being_sellable_after_the_audit(rig: Rig) -> None:
    await rig.engine.run_once()
    assert await catalog.find_by_code(rig.db, "GFT-CANDLE") is not None
    rig.sim.admin.delete_product(rig.product_id("GFT-CANDLE"))  # to the bin, as a merchant does
    await rig.engine.puller.delta()
    report = await rig.engine.puller.audit()
    assert report.deleted >= 1
    assert await catalog.find_by_code(rig.db, "GFT-CANDLE") is None


async def test_the_stores_stock_wins_and_the_difference_is_recorded(rig: Rig) -> None:
    await rig.engine.run_once()
    pid = rig.product_id("KIT-CAF-3")
    before = rig.sim.state.products[pid]["stock_quantity"]
    rig.sim.admin.place_online_order([{"product_id": pid, "quantity": 2}])
    await rig.engine.run_once()
    local = await catalog.find_by_code(rig.db, "KIT-CAF-3")
    assert local is not None
    assert local.stock_quantity == before - 2 == rig.sim.state.products[pid]["stock_quantity"]
    assert await stock.discrepancy_count(rig.db) >= 1
    found = await stock.recent_discrepancies(rig.db)
    assert any(
        d.product_id == str(pid) and (d.local, d.remote) == (before, before - 2) for d in found
    )


async def test_a_429_storm_is_respected(rig: Rig) -> None:
    rig.sim.faults.add("429", path="products", count=3, retry_after=7)
    report = await rig.engine.run_once()
    assert report.errors == []
    assert rig.sleeps.count(7) + sum(1 for s in rig.sleeps if s >= 7) >= 3
    assert (await catalog.counts(rig.db)).products > 0


async def test_bad_data_from_the_store_is_skipped_and_logged(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    bad = rig.product_id("KIT-MUG-ENM")
    rig.sim.state.products[bad]["price"] = "twelve"
    rig.sim.state.products[bad]["regular_price"] = "twelve"
    with caplog.at_level("WARNING"):
        report = await rig.engine.run_once()
    assert report.errors == []
    assert report.pull.skipped == 1
    assert str(bad) in caplog.text
    assert await catalog.find_by_code(rig.db, "KIT-MUG-ENM") is None
    assert await catalog.find_by_code(rig.db, "KIT-MUG-SPK") is not None  # the rest arrived
