"""Refunds through the real connector and sync engine to the WooCommerce simulator (issue 16)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.connectors.woocommerce.refunds import META_REFUND_ID
from kiosk.core.models import Order, PaymentMethod
from kiosk.core.tender import Tender
from kiosk.sim.catalog import generate_export
from kiosk.sim.woocommerce import SimHandle, running_sim
from kiosk.sim.woocommerce.refunds import create_refund as sim_refund
from kiosk.store import refunds
from kiosk.store.outbox import OutboxState
from kiosk.store.refunds import StoredRefund
from tests.sync.woo_rig import WooDevice, device_on, store_ids_by_uuid, woo_device

CASH = PaymentMethod.CASH


def store_refunds(sim: SimHandle, refund_id: str) -> list[dict[str, object]]:
    """The simulator's refunds carrying this refund UUID, over all orders."""
    return [
        r
        for rs in sim.state.order_refunds.values()
        for r in rs
        if any(m["key"] == META_REFUND_ID and m["value"] == refund_id for m in r["meta_data"])
    ]


async def _sold_and_synced(device: WooDevice, n: int = 1) -> list[Order]:
    cart = await device.checkout.start()
    for sku in device.skus[:2]:
        await device.checkout.add_code(cart, sku, quantity=3)
    order = await device.checkout.complete(cart, [Tender(CASH, cart.totals().total)])
    others = await device.sell(n - 1, random.Random(5)) if n > 1 else []
    report = await device.engine.run_once()
    assert not report.errors, report.errors
    return [order, *others]


async def _stored(device: WooDevice, refund_id: str) -> StoredRefund:
    found = await refunds.get_refund(device.db, refund_id)
    assert found is not None
    return found


async def test_a_partial_refund_reaches_the_store_once_after_a_lost_response(
    tmp_path: Path,
) -> None:
    async with woo_device(tmp_path, products=10) as device:
        (order,) = await _sold_and_synced(device)
        remote = store_ids_by_uuid(device.sim)[order.id]
        made = await refunds.make_refund(
            device.db, order.id, CASH, now=device.checkout.now(), skus={device.skus[0]: 2},
            reason="damaged",
        )  # fmt: skip
        device.sim.faults.add("drop_after_commit", method="POST", path=f"orders/{remote}/refunds")
        report = await device.engine.run_once()
        assert device.sim.faults.pending == []  # the answer was lost after the store saved it
        assert report.push.refunds.synced == 1
        (kept,) = store_refunds(device.sim, made.refund_id)
        stored = await _stored(device, made.refund_id)
        assert stored.state is OutboxState.SYNCED
        assert stored.remote_id == str(kept["id"])
        assert kept["amount"] == made.refund.amount.amount_str()
        assert kept["reason"] == "damaged"
        (item,) = kept["line_items"]  # type: ignore[misc]
        assert item["quantity"] == -2
        assert item["total"] == "-" + made.refund.lines[0].total.amount_str()
        assert device.sim.state.orders[int(remote)]["status"] == "completed"  # partly refunded
        # Another pass sends nothing again.
        await device.engine.run_once()
        assert len(store_refunds(device.sim, made.refund_id)) == 1


async def test_an_offline_cash_refund_is_uploaded_later(tmp_path: Path) -> None:
    async with woo_device(tmp_path, products=10) as device:
        await device.sim.outage.begin()
        (order,) = await device.sell(1, random.Random(3))
        made = await refunds.make_refund(device.db, order.id, CASH, now=device.checkout.now())
        offline = await device.engine.run_once()
        assert offline.errors
        assert (await _stored(device, made.refund_id)).state is OutboxState.PENDING_SYNC
        await device.sim.outage.end()
        back = await device.engine.run_once()
        assert back.push.synced == 1
        assert back.push.refunds.synced == 1
        (kept,) = store_refunds(device.sim, made.refund_id)
        assert kept["amount"] == order.total.amount_str()
        remote = int(store_ids_by_uuid(device.sim)[order.id])
        assert device.sim.state.orders[remote]["status"] == "refunded"


async def test_a_restock_raises_the_stores_stock(tmp_path: Path) -> None:
    async with woo_device(tmp_path, products=10) as device:
        managed = next(
            p for p in device.sim.state.products.values()
            if p["manage_stock"] is True and p["sku"] in device.skus
        )  # fmt: skip
        before = int(managed["stock_quantity"])
        cart = await device.checkout.start()
        await device.checkout.add_code(cart, managed["sku"], quantity=4)
        order = await device.checkout.complete(cart, [Tender(CASH, cart.totals().total)])
        await device.engine.run_once()
        assert int(managed["stock_quantity"]) == before - 4
        await refunds.make_refund(
            device.db, order.id, CASH, now=device.checkout.now(), skus={managed["sku"]: 3},
            restock=True,
        )  # fmt: skip
        await refunds.make_refund(
            device.db, order.id, CASH, now=device.checkout.now(), skus={managed["sku"]: 1},
        )  # fmt: skip
        report = await device.engine.run_once()
        assert report.push.refunds.synced == 2
        assert int(managed["stock_quantity"]) == before - 4 + 3  # only the restocked ones


async def test_a_refund_the_store_refuses_is_parked_while_others_go_up(tmp_path: Path) -> None:
    async with woo_device(tmp_path, products=10) as device:
        first, second = await _sold_and_synced(device, 2)
        ids = store_ids_by_uuid(device.sim)
        # The merchant already refunded the first order in full in wp-admin.
        store_order = device.sim.state.orders[int(ids[first.id])]
        sim_refund(
            device.sim.state,
            store_order["id"],
            {"amount": store_order["total"], "api_refund": False},
        )
        assert store_order["status"] == "refunded"
        bad = await refunds.make_refund(device.db, first.id, CASH, now=device.checkout.now())
        good = await refunds.make_refund(device.db, second.id, CASH, now=device.checkout.now())
        report = await device.engine.run_once()
        assert (report.push.refunds.failed, report.push.refunds.synced) == (1, 1)
        parked = await _stored(device, bad.refund_id)
        assert parked.state is OutboxState.FAILED
        assert parked.last_error.startswith("Invalid refund amount.")
        assert "0.00" in parked.last_error  # says how much the store has left to refund
        assert store_refunds(device.sim, bad.refund_id) == []
        assert len(store_refunds(device.sim, good.refund_id)) == 1


@asynccontextmanager
async def _shop(tmp_path: Path, include_tax: bool) -> AsyncIterator[WooDevice]:
    export = generate_export(8, variable_share=0, seed=4)
    export["settings"]["woocommerce_prices_include_tax"] = "yes" if include_tax else "no"
    async with (
        running_sim(export=export) as sim,
        device_on(sim, tmp_path / "kiosk.db") as device,
    ):
        yield device


@pytest.mark.parametrize("include_tax", [False, True], ids=["excl-tax", "incl-tax"])
async def test_refunds_in_parts_add_up_to_the_store_order_in_both_tax_modes(
    tmp_path: Path, include_tax: bool
) -> None:
    async with _shop(tmp_path, include_tax) as device:
        (order,) = await _sold_and_synced(device)
        remote = int(store_ids_by_uuid(device.sim)[order.id])
        now = device.checkout.now()
        for line in order.lines:
            for _ in range(line.quantity):
                await refunds.make_refund(
                    device.db, order.id, CASH, now=now, lines={line.line_no: 1}
                )
        report = await device.engine.run_once()
        assert report.push.refunds.synced == sum(li.quantity for li in order.lines)
        store_order = device.sim.state.orders[remote]
        given = sum(Decimal(r["amount"]) for r in device.sim.state.order_refunds[remote])
        assert given == Decimal(store_order["total"]) == order.total.to_decimal()
        assert store_order["status"] == "refunded"
        taxes = sum(
            -Decimal(t["total"])
            for r in device.sim.state.order_refunds[remote]
            for item in r["line_items"]
            for t in item["taxes"]
        )
        assert taxes == order.tax_total.to_decimal()
