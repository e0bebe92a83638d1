"""The connector's use of the plugin's order routes, and its fallback to core REST.

With plugin 0.2.0 (GET kiosk/v1/status lists the routes) an upload is POST kiosk/v1/orders and a
lost answer is settled by GET orders/by-uuid; without it (or with an older plugin) the same
guarantees come from core REST and a listing. Both are run here: exactly one order per UUID,
dated by the sale, and an oversold offline sale accepted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.connectors.errors import OutcomeUnknown
from kiosk.sim.woocommerce import SimHandle, running_sim
from tests.connectors.woocommerce.test_connector_sim import a_sale, connect


@pytest.fixture
async def sim() -> AsyncIterator[SimHandle]:
    async with running_sim(products=40, seed=3) as handle:
        yield handle


def orders_for(sim: SimHandle, uuid: str) -> list[dict]:  # type: ignore[type-arg]
    return [
        o
        for o in sim.state.orders.values()
        if any(m["key"] == "_kiosk_order_id" and m["value"] == uuid for m in o["meta_data"])
    ]


def routes(sim: SimHandle, method: str) -> list[str]:
    return [r.path for r in sim.requests if r.method == method]


async def test_with_the_plugin_an_upload_is_one_post_to_kiosk_v1(sim: SimHandle) -> None:
    async with connect(sim) as c:
        order = await a_sale(c, sim)
        remote = await c.create_order(order)
        again = await c.create_order(order)  # a retry the device thought had failed
    assert routes(sim, "POST") == ["/wp-json/kiosk/v1/orders", "/wp-json/kiosk/v1/orders"]
    assert remote.remote_id == again.remote_id
    (kept,) = orders_for(sim, order.id)
    # The order carries the sale's real time as its creation date.
    assert kept["date_created_gmt"] == order.created_at.astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%S"
    )


async def test_a_lost_answer_retried_through_the_plugin_makes_no_second_order(
    sim: SimHandle,
) -> None:
    async with connect(sim) as c:
        order = await a_sale(c, sim)
        sim.faults.add("drop_after_commit", method="POST", path="orders")
        with pytest.raises(OutcomeUnknown):
            await c.create_order(order)
        found = await c.find_order(order, attempted_at=datetime.now(UTC))
        retried = await c.create_order(order)
    assert found is not None
    assert retried.remote_id == found.remote_id
    assert len(orders_for(sim, order.id)) == 1
    assert "/wp-json/kiosk/v1/orders/by-uuid/" + order.id in routes(sim, "GET")


async def test_without_the_plugin_uploads_use_core_rest() -> None:
    async with running_sim(products=20, plugin=False) as sim:
        async with connect(sim) as c:
            order = await a_sale(c, sim)
            await c.create_order(order)
            found = await c.find_order(order, attempted_at=datetime.now(UTC) - timedelta(minutes=1))
        assert found is not None
        assert routes(sim, "POST") == ["/wp-json/wc/v3/orders"]
        assert len(orders_for(sim, order.id)) == 1


async def test_an_older_plugin_without_status_means_core_rest(sim: SimHandle) -> None:
    state = sim.context.plugin_state
    assert state is not None
    state.served = ("GET /info", "GET /product-ids", "GET /variations")  # plugin 0.1.0
    async with connect(sim) as c:
        order = await a_sale(c, sim)
        assert await c.plugin_status() is None
        await c.create_order(order)
        assert await c.changes("", wait=0) is None
    assert routes(sim, "POST") == ["/wp-json/wc/v3/orders"]
    assert len(orders_for(sim, order.id)) == 1


async def test_a_plugin_deactivated_after_status_falls_back_to_core_rest(sim: SimHandle) -> None:
    state = sim.context.plugin_state
    assert state is not None
    async with connect(sim) as c:
        order = await a_sale(c, sim)
        assert await c.plugin_status() is not None
        state.served = ()  # deactivated: every kiosk/v1 route answers rest_no_route now
        await c.create_order(order)
    assert routes(sim, "POST") == ["/wp-json/kiosk/v1/orders", "/wp-json/wc/v3/orders"]
    assert len(orders_for(sim, order.id)) == 1


@pytest.mark.parametrize("plugin", [False, True], ids=["core-rest", "plugin"])
async def test_an_oversold_offline_sale_is_accepted(plugin: bool) -> None:
    async with running_sim(products=20, plugin=plugin) as sim:
        async with connect(sim) as c:
            order = await a_sale(c, sim)
            for line in order.lines:
                sim.admin.set_stock(int(line.product_id), 0)  # sold out online meanwhile
            remote = await c.create_order(order)
        (kept,) = orders_for(sim, order.id)
        assert str(kept["id"]) == remote.remote_id
        for line in order.lines:
            assert sim.state.products[int(line.product_id)]["stock_quantity"] < 0
        if plugin:
            state = sim.context.plugin_state
            assert state is not None
            assert any("Oversold while offline" in n for n in state.order_notes[kept["id"]])
