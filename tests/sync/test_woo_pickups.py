"""Online orders for in-store pickup, end to end on the WooCommerce simulator (issue 16).

Pulled with the catalog (processing/on-hold, local pickup or all), found by number or name,
collected on the device, and completed in the store exactly once through the outbox.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from kiosk.core.pickup import PickupConfig
from kiosk.sim.woocommerce.pickup import completions, status_changes
from kiosk.store import pickups
from kiosk.store.outbox import OutboxState
from kiosk.store.pickups import StoredPickup
from kiosk.sync.engine import SyncEngine
from tests.sync.woo_rig import WooDevice, woo_device


def _place(
    device: WooDevice, first: str, last: str, *, pickup: str | None = "local_pickup", **extra: Any
) -> int:
    """A shopper's paid web order of one product; its id in the store."""
    product = next(p for p in device.sim.state.products.values() if p["sku"] == device.skus[0])
    billing = {
        "first_name": first,
        "last_name": last,
        "email": f"{first.lower()}@example.com",
        "phone": "+44 20 7946 0000",
    }
    order = device.sim.admin.place_online_order(
        [{"product_id": product["id"], "quantity": 2}],
        pickup=pickup,
        billing=billing,
        customer_note="I'll come at noon",
        **extra,
    )
    return int(order["id"])


async def _stored(device: WooDevice, key: str) -> StoredPickup:
    found = await pickups.get_pickup(device.db, key)
    assert found is not None, key
    return found


async def test_only_local_pickup_orders_are_pulled_unless_all_are_configured(
    tmp_path: Path,
) -> None:
    async with woo_device(tmp_path, products=8) as device:
        classic = _place(device, "Ada", "Lovelace")
        block = _place(device, "Grace", "Hopper", pickup="pickup_location")
        shipped = _place(
            device, "Alan", "Turing", pickup=None,
            shipping_lines=[{"method_id": "flat_rate", "method_title": "Flat", "total": "4.50"}],
        )  # fmt: skip
        held = _place(device, "Edsger", "Dijkstra", status="on-hold", set_paid=False)
        _place(device, "Barbara", "Liskov", status="pending", set_paid=False)
        report = await device.engine.run_once()
        assert not report.errors, report.errors
        waiting = await pickups.list_pickups(device.db)
        assert sorted(int(p.remote_id) for p in waiting) == sorted([classic, block, held])
        ada = await _stored(device, str(classic))
        assert ada.pickup.customer == "Ada Lovelace"
        assert ada.pickup.email == "ada@example.com"
        assert ada.pickup.note == "I'll come at noon"
        assert [(li.sku, li.quantity) for li in ada.pickup.lines] == [(device.skus[0], 2)]
        assert ada.pickup.total.amount_str() == device.sim.state.orders[classic]["total"]
        assert ada.pickup.status == "processing"
        assert (await _stored(device, str(held))).pickup.status == "on-hold"
        # Every paid order waiting, pickup or not, when [pickup] only_local_pickup = "no".
        every = SyncEngine(
            device.db, device.engine.connector, clock=device.checkout.now,
            pickup=PickupConfig(only_local_pickup="no"),
        )  # fmt: skip
        assert await every.pickups.pull() == 4
        ids = {int(p.remote_id) for p in await pickups.list_pickups(device.db)}
        assert ids == {classic, block, held, shipped}


async def test_staff_find_a_pickup_by_number_or_name(tmp_path: Path) -> None:
    async with woo_device(tmp_path, products=8) as device:
        ada = _place(device, "Ada", "Lovelace")
        grace = _place(device, "Grace", "Hopper")
        await device.engine.run_once()
        by_number = await pickups.list_pickups(device.db, search=str(grace))
        assert [p.remote_id for p in by_number] == [str(grace)]
        assert [p.remote_id for p in await pickups.list_pickups(device.db, search="lovel")] == [
            str(ada)
        ]
        assert [p.remote_id for p in await pickups.list_pickups(device.db, search="GRACE hop")] == [
            str(grace)
        ]
        assert await pickups.list_pickups(device.db, search="nobody") == []
        assert (await _stored(device, f"#{ada}")).remote_id == str(ada)


async def test_a_collected_pickup_is_completed_once_even_after_a_lost_response(
    tmp_path: Path,
) -> None:
    async with woo_device(tmp_path, products=8) as device:
        oid = _place(device, "Ada", "Lovelace")
        await device.engine.run_once()
        made = await pickups.collect(device.db, str(oid), now=device.checkout.now(), staff="Sam")
        assert (made.state, made.collected_by) == (OutboxState.PENDING_SYNC, "Sam")
        # Collecting twice (a double tap) queues nothing more.
        again = await pickups.collect(device.db, str(oid), now=device.checkout.now())
        assert again.collected_at == made.collected_at
        assert again.collected_by == "Sam"
        device.sim.faults.add("drop_after_commit", method="PUT", path=f"orders/{oid}")
        report = await device.engine.run_once()
        assert device.sim.faults.pending == []  # the store completed it; the answer was lost
        assert report.push.pickups.synced == 1
        order = device.sim.state.orders[oid]
        assert order["status"] == "completed"
        assert order["date_completed_gmt"] is not None
        assert completions(device.sim.state, oid) == 1
        puts = [r for r in device.sim.requests if r.method == "PUT"]
        assert len(puts) == 1  # looked up, never sent again
        # The same pass's pull dropped it: completed, the store no longer lists it as waiting.
        assert await pickups.get_pickup(device.db, str(oid)) is None
        await device.engine.run_once()
        assert completions(device.sim.state, oid) == 1
        assert status_changes(device.sim.state) == [(oid, "processing", "completed")]


async def test_a_refused_completion_is_parked_while_sales_and_other_pickups_go_up(
    tmp_path: Path,
) -> None:
    async with woo_device(tmp_path, products=8) as device:
        cancelled = _place(device, "Ada", "Lovelace")
        fine = _place(device, "Grace", "Hopper")
        await device.engine.run_once()
        # The shop cancels one in wp-admin after the device pulled it; staff hand it over anyway.
        device.sim.state.orders[cancelled]["status"] = "cancelled"
        await pickups.collect(device.db, str(cancelled), now=device.checkout.now())
        await pickups.collect(device.db, str(fine), now=device.checkout.now())
        await device.sell(1, random.Random(7))
        report = await device.engine.run_once()
        assert report.push.synced == 1  # the sale went up
        assert (report.push.pickups.synced, report.push.pickups.failed) == (1, 1)
        parked = await _stored(device, str(cancelled))
        assert parked.state is OutboxState.FAILED
        assert "cancelled" in parked.last_error
        assert "cannot be completed" in parked.last_error
        assert device.sim.state.orders[cancelled]["status"] == "cancelled"  # never completed
        assert completions(device.sim.state, fine) == 1
        # Still kept (the pull cannot drop it) until staff retry or the store changes.
        assert await pickups.get_pickup(device.db, str(cancelled)) is not None
        # The shop reopens it; staff's Retry completes it once.
        device.sim.state.orders[cancelled]["status"] = "processing"
        back = await pickups.retry(device.db, str(cancelled), device.checkout.now())
        assert back.state is OutboxState.PENDING_SYNC
        again = await device.engine.run_once()
        assert again.push.pickups.synced == 1
        assert completions(device.sim.state, cancelled) == 1


async def test_an_offline_collection_is_completed_when_the_store_is_back(tmp_path: Path) -> None:
    async with woo_device(tmp_path, products=8) as device:
        oid = _place(device, "Ada", "Lovelace")
        await device.engine.run_once()
        await device.sim.outage.begin()
        await pickups.collect(device.db, str(oid), now=device.checkout.now())
        offline = await device.engine.run_once()
        assert offline.push.pickups.synced == 0
        assert (await _stored(device, str(oid))).state is OutboxState.PENDING_SYNC
        # The pull failed offline: the list pulled last stays, the collection with it.
        assert offline.errors
        assert await pickups.get_pickup(device.db, str(oid)) is not None
        assert device.sim.state.orders[oid]["status"] == "processing"
        await device.sim.outage.end()
        back = await device.engine.run_once()
        assert back.push.pickups.synced == 1
        assert completions(device.sim.state, oid) == 1
        assert device.sim.state.orders[oid]["status"] == "completed"
