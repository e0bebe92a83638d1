"""Uploads through the real connector while the simulated store loses connections (issue 10)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kiosk.store.outbox import OutboxState
from tests.sync.woo_rig import mismatched, store_ids_by_uuid, woo_device


@pytest.mark.parametrize("plugin", [False, True], ids=["core-rest", "plugin"])
async def test_eight_lost_connections_hold_no_sale_past_one_pass(
    tmp_path: Path, plugin: bool
) -> None:
    # As the issue found it: 20 cash sales, three connections dropped before the store saw
    # them and five lost after it committed, all on the orders route, then `sync --once`.
    # With the plugin the route is kiosk/v1/orders and the lookups are by UUID.
    async with woo_device(tmp_path, products=20, plugin=plugin) as device:
        sold = await device.sell(20, random.Random(1))
        device.sim.faults.add("drop", path="orders", count=3)
        device.sim.faults.add("drop_after_commit", path="orders", count=5)
        report = await device.engine.run_once()
        assert device.sim.faults.pending == []  # every fault fired
        assert report.push.synced == 20
        assert await device.states() == {
            OutboxState.PENDING_SYNC: 0,
            OutboxState.SYNCING: 0,
            OutboxState.SYNCED: 20,
            OutboxState.FAILED: 0,
        }
        # Each sale is exactly one store order, matched back by its UUID.
        assert device.store_uuids() == {o.id: 1 for o in sold}
        assert len(device.sim.state.orders) == 20
        remote_ids = await device.db.read(
            lambda conn: dict(conn.execute("SELECT id, remote_id FROM orders").fetchall())
        )
        assert mismatched(remote_ids, store_ids_by_uuid(device.sim)) == []
        posts = {r.path for r in device.sim.requests if r.method == "POST"}
        route = "/wp-json/kiosk/v1/orders" if plugin else "/wp-json/wc/v3/orders"
        assert posts == {route}


async def test_a_store_error_on_one_order_does_not_hold_the_others(tmp_path: Path) -> None:
    async with woo_device(tmp_path, products=20) as device:
        sold = await device.sell(6, random.Random(2))
        device.sim.faults.add("500", method="POST", path="orders", count=1)
        device.sim.faults.add("429", method="POST", path="orders", count=1, retry_after=0)
        device.sim.faults.add("timeout", method="POST", path="orders", count=1, hold_s=0.05)
        report = await device.engine.run_once()
        assert report.push.synced == 6
        assert device.store_uuids() == {o.id: 1 for o in sold}
