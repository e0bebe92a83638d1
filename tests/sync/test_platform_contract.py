"""The guarantees every store platform keeps, proved once and run against WooCommerce and Shopify.

Each test drives the real sync engine and the platform's real connector against its simulator
through a rig (platform_rigs.py): the same sales, the same faults, the same expectations.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from kiosk.connectors.shopify import queries
from kiosk.core.models import PaymentMethod
from kiosk.store import catalog, orders, refunds, stock
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState
from tests.kiosk_process import PIPE, start_kiosk
from tests.sync.platform_rigs import (
    PLATFORMS,
    committed_products,
    device_rates,
    provision_shopify,
    provision_woo,
    rig_for,
    sell,
)

pytestmark = pytest.mark.parametrize("platform", PLATFORMS)


async def test_initial_sync_then_deltas_bring_a_new_price(platform: str, tmp_path: Path) -> None:
    async with rig_for(platform, tmp_path) as rig:
        first = await rig.engine.run_once()
        assert first.initial
        assert first.errors == []
        sku = rig.sellable_skus()[0]
        rig.set_price(sku, "9.99")
        await rig.engine.run_once()  # one delta pass: what one sync interval runs
        local = await catalog.find_by_code(rig.db, sku)
        assert local is not None
        assert local.price is not None
        assert local.price.minor == 999


async def test_a_deleted_product_stops_being_sellable(platform: str, tmp_path: Path) -> None:
    async with rig_for(platform, tmp_path) as rig:
        await rig.engine.run_once()
        sku = rig.sellable_skus()[0]
        assert await catalog.find_by_code(rig.db, sku) is not None
        rig.delete(sku)
        await rig.engine.puller.delta()
        report = await rig.engine.puller.audit()
        assert report.deleted >= 1
        assert await catalog.find_by_code(rig.db, sku) is None


async def test_a_lost_answer_yields_exactly_one_order(platform: str, tmp_path: Path) -> None:
    async with rig_for(platform, tmp_path) as rig:
        await rig.engine.run_once()
        order = await sell(rig, rig.sellable_skus()[0])
        rig.lose_next_order_answer()
        report = await rig.engine.run_once()
        assert report.push.synced == 1
        assert rig.faults_left() == 0
        assert rig.store_uuids() == {order.id: 1}
        stored = await orders.get_order(rig.db, order.id)
        assert stored is not None
        assert stored.state is OutboxState.SYNCED


async def test_a_refund_reaches_the_store_once_and_restocks(platform: str, tmp_path: Path) -> None:
    async with rig_for(platform, tmp_path) as rig:
        await rig.engine.run_once()
        sku = rig.sellable_skus()[0]
        order = await sell(rig, sku, sku, sku)
        assert (await rig.engine.run_once()).push.synced == 1
        after_sale = rig.store_stock(sku)
        made = await refunds.make_refund(
            rig.db, order.id, PaymentMethod.CASH, now=rig.checkout.now(), skus={sku: 2},
            restock=True, reason="damaged",
        )  # fmt: skip
        rig.lose_next_refund_answer(order.id)  # the store keeps it; its answer never comes
        report = await rig.engine.run_once()
        assert rig.faults_left() == 0  # the answer was lost, after the store saved the refund
        assert report.push.refunds.synced == 1
        assert rig.store_refunds(made.refund_id) == [made.refund.amount.to_decimal()]
        assert rig.store_stock(sku) == after_sale + 2  # back on the shelf, counted by the store
        stored = await refunds.get_refund(rig.db, made.refund_id)
        assert stored is not None
        assert stored.state is OutboxState.SYNCED
        await rig.engine.run_once()  # nothing goes again
        assert len(rig.store_refunds(made.refund_id)) == 1


async def test_throttling_is_paced_not_fatal(platform: str, tmp_path: Path) -> None:
    async with rig_for(platform, tmp_path) as rig:
        rig.throttle(3)
        report = await rig.engine.run_once()
        assert report.errors == []
        assert (await catalog.counts(rig.db)).products > 0
        # The client waited as the store asked (Retry-After, or the bucket's restore rate)
        # instead of failing or hammering: at least one wait per refusal.
        assert sum(1 for s in rig.time.sleeps if s > 0) >= 3


async def test_a_refused_order_is_parked_while_later_ones_upload(
    platform: str, tmp_path: Path
) -> None:
    async with rig_for(platform, tmp_path) as rig:
        await rig.engine.run_once()
        a_sku, doomed_sku, c_sku = rig.sellable_skus()[:3]
        first = await sell(rig, a_sku)
        doomed = await sell(rig, doomed_sku)
        third = await sell(rig, c_sku)
        rig.delete(doomed_sku)
        report = await rig.engine.run_once()
        assert (report.push.synced, report.push.failed) == (2, 1)
        parked = await orders.get_order(rig.db, doomed.id)
        assert parked is not None
        assert parked.state is OutboxState.FAILED
        assert parked.last_error  # the store's reason, in words
        assert set(rig.store_uuids()) == {first.id, third.id}


async def test_the_stores_stock_is_adopted(platform: str, tmp_path: Path) -> None:
    async with rig_for(platform, tmp_path) as rig:
        await rig.engine.run_once()
        sku, sold_here = rig.sellable_skus()[:2]
        before = rig.store_stock(sku)
        rig.sell_elsewhere(sku, 2)  # another channel sells two
        mine = await sell(rig, sold_here)
        await rig.engine.run_once()
        local = await catalog.find_by_code(rig.db, sku)
        assert local is not None
        assert local.stock_quantity == before - 2 == rig.store_stock(sku)
        assert await stock.discrepancy_count(rig.db) >= 1
        # What the device sold, the store counted itself: the device took its number back.
        ours = await catalog.find_by_code(rig.db, sold_here)
        assert ours is not None
        assert ours.stock_quantity == rig.store_stock(sold_here)
        assert rig.store_uuids() == {mine.id: 1}


@pytest.mark.parametrize("included", ["yes", "no"])
async def test_device_totals_equal_the_stores_in_both_tax_modes(
    platform: str, included: str, tmp_path: Path
) -> None:
    async with rig_for(platform, tmp_path, woocommerce_prices_include_tax=included) as rig:
        await rig.engine.run_once()
        await device_rates(rig)
        settings = await catalog.load_shop_settings(rig.db)
        assert settings is not None
        assert settings.prices_include_tax is (included == "yes")
        skus = rig.sellable_skus()
        baskets = [skus[:3], [skus[3], skus[3], skus[4]], skus[5:9]]
        sold = [await sell(rig, *basket) for basket in baskets]
        assert any(o.tax_total.minor for o in sold)
        assert (await rig.engine.run_once()).push.synced == len(sold)
        for order in sold:
            assert rig.store_total(order.id) == order.total.to_decimal(), order.number


async def test_a_forged_webhook_is_refused(platform: str, tmp_path: Path) -> None:
    async with rig_for(platform, tmp_path) as rig:
        await rig.engine.run_once()
        sku = rig.sellable_skus()[0]
        reader = rig.reader("the-shops-secret")
        headers, ctype, body = rig.delivery(sku, "the-shops-secret")
        good = reader.read(headers, ctype, body)
        assert good.status == 200
        assert good.hint is not None
        assert good.hint.id == rig.product_id(sku)
        forged_headers, _, _ = rig.delivery(sku, "a-guess")
        assert reader.read(forged_headers, ctype, body).status == 401
        # The right signature over another body (a tampered payload) is refused too.
        assert reader.read(headers, ctype, body.replace(b"}", b', "x": 1}')).status == 401


# -- kill -9 in the middle of the initial sync, then run again: it continues --------------------

PRODUCTS = 600
KILL_AFTER = 150


async def test_initial_sync_resumes_after_kill_9(platform: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "device"
    db_path = data_dir / "kiosk.db"
    sim_cm: Any
    if platform == "woocommerce":
        from kiosk.sim.woocommerce import running_sim as woo

        sim_cm = woo(products=PRODUCTS, variable_share=0.1, latency_ms=40)
    else:
        from kiosk.sim.shopify import running_sim as shop

        # A Plus plan's bucket: the pacing tests above prove pacing; this one proves resuming.
        sim_cm = shop(
            products=PRODUCTS,
            variable_share=0.1,
            latency_ms=40,
            bucket_size=10_000,
            restore_rate=1000,
        )
    async with sim_cm as sim:
        if platform == "woocommerce":
            provision_woo(data_dir, sim)
        else:
            provision_shopify(data_dir, sim)
        child = await start_kiosk(data_dir, "sync", "--once", "--json", stdout=PIPE)
        async with asyncio.timeout(120):
            while committed_products(db_path) < KILL_AFTER:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
        await child.wait()
        at_kill = committed_products(db_path)
        assert KILL_AFTER <= at_kill < PRODUCTS, "the kill did not land mid-sync"
        asked_before = _product_listings(platform, sim)
        again = await start_kiosk(data_dir, "sync", "--once", "--json", stdout=PIPE)
        _out, err = await again.communicate()
        assert again.returncode == 0, err.decode()
        resumed = _product_listings(platform, sim)[len(asked_before) :]
        # Continued where it stopped: the first page is not fetched again, and far fewer
        # listing requests than a whole copy were needed.
        assert resumed, "the second run fetched no products"
        assert resumed[0] is not None, "the second run started the listing from the top"
        page = 100 if platform == "woocommerce" else queries.PRODUCT_PAGE
        assert len(resumed) < -(-PRODUCTS // page)  # fewer pages than a whole copy
        async with await Database.open(db_path) as db:
            assert await catalog.product_ids(db) >= _sellable_ids(platform, sim)


def _product_listings(platform: str, sim: object) -> list[str | None]:
    """Each product listing request's resume point (None: from the top), in order."""
    if platform == "woocommerce":
        return [
            None if r.query.get("page", "1") == "1" else r.query["page"]
            for r in sim.requests  # type: ignore[attr-defined]
            if r.method == "GET"
            and r.path == "/wp-json/wc/v3/products"
            and r.query.get("_fields") != "id,status"
        ]
    return [
        (q.get("variables") or {}).get("after")
        for q in sim.queries  # type: ignore[attr-defined]
        if "query KioskProducts(" in str(q.get("query"))
    ]


def _sellable_ids(platform: str, sim: object) -> set[str]:
    state = sim.state  # type: ignore[attr-defined]
    if platform == "woocommerce":
        return {str(i) for i, p in state.products.items() if p["status"] == "publish"}
    return {i for i, p in state.products.items() if p["status"] == "ACTIVE"}
