"""Injected faults: status codes with Retry-After, held requests, dropped connections."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from kiosk.sim.woocommerce import SimHandle
from tests.sim.woocommerce.conftest import Woo


@pytest.mark.parametrize(("kind", "retry_after"), [("429", 7), ("503", 2.5), ("500", None)])
async def test_status_faults_then_recovery(woo: Woo, kind: str, retry_after: float | None) -> None:
    woo.sim.faults.add(kind, method="GET", path="products", retry_after=retry_after)
    async with woo.session.get(woo.url("GET", "products")) as resp:
        assert resp.status == int(kind)
        assert resp.headers.get("Retry-After") == (
            None if retry_after is None else f"{retry_after:g}"
        )
    status, _, _ = await woo.get("products")
    assert status == 200  # count=1: used up
    assert woo.sim.faults.fired == [(kind, "GET", "/wp-json/wc/v3/products")]


async def test_faults_match_method_path_and_count_in_order(woo: Woo) -> None:
    woo.sim.faults.add("503", method="POST", path="orders", count=2)
    woo.sim.faults.add("500", path="orders")
    async with woo.session.get(woo.url("GET", "orders")) as resp:
        assert resp.status == 500  # the POST-only fault does not match a GET
    for _ in range(2):
        status, _ = await woo.post("orders", {"line_items": [{"product_id": 101}]})
        assert status == 503
    assert (await woo.post("orders", {"line_items": [{"product_id": 101}]}))[0] == 201
    assert woo.sim.faults.pending == []


async def test_timeout_holds_until_the_client_gives_up(woo: Woo) -> None:
    woo.sim.faults.add("timeout", path="products")
    with pytest.raises(TimeoutError):
        async with woo.session.get(
            woo.url("GET", "products"), timeout=aiohttp.ClientTimeout(total=0.2)
        ):
            pass
    assert (await woo.get("products"))[0] == 200


async def test_timeout_release_lets_the_request_finish(woo: Woo) -> None:
    woo.sim.faults.add("timeout", path="products")
    task = asyncio.create_task(woo.get("products"))
    await woo.sim.faults.wait_until_held(1)
    woo.sim.faults.release()
    status, _, _ = await task
    assert status == 200


async def test_drop_after_commit_commits_exactly_once(woo: Woo, sim: SimHandle) -> None:
    sim.faults.add("drop_after_commit", method="POST", path="orders")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await woo.post("orders", {"line_items": [{"product_id": 101, "quantity": 1}]})
    assert len(sim.state.orders) == 1
    assert sim.state.products[101]["stock_quantity"] == 10  # not paid: no stock taken
    assert sim.requests[-1].status is None  # the log shows no answer was sent


async def test_drop_before_handling_commits_nothing(woo: Woo, sim: SimHandle) -> None:
    sim.faults.add("drop", method="POST", path="orders")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await woo.post("orders", {"set_paid": True, "line_items": [{"product_id": 101}]})
    assert sim.state.orders == {}


def test_unknown_fault_kind_is_refused() -> None:
    from kiosk.sim.woocommerce.faults import FaultPlan, parse_fault_spec

    with pytest.raises(ValueError, match="kind 'teapot'"):
        FaultPlan().add("teapot")
    assert parse_fault_spec("503:orders:2") == ("503", "orders", 2)
    assert parse_fault_spec("timeout:/wp-json/wc/v3/products") == (
        "timeout",
        "/wp-json/wc/v3/products",
        1,
    )


async def test_a_random_fault_hits_its_share_and_is_never_used_up(woo: Woo, sim: SimHandle) -> None:
    sim.faults.rng.seed(7)
    sim.faults.add_random("500", 0.25, method="GET", path="products")
    statuses = [(await woo.get("products"))[0] for _ in range(80)]
    hit = statuses.count(500)
    assert 8 <= hit <= 32  # a quarter of 80, give or take what a seeded draw gives
    assert set(statuses) == {200, 500}
    assert (await woo.post("orders", {"line_items": [{"product_id": 101}]}))[0] == 201
    sim.faults.clear()
    assert {(await woo.get("products"))[0] for _ in range(10)} == {200}


async def test_a_timeout_fault_with_a_hold_answers_late(woo: Woo, sim: SimHandle) -> None:
    sim.faults.add("timeout", path="products", hold_s=0.05)
    assert (await woo.get("products"))[0] == 200
    assert sim.faults.holding == 0


def test_bad_random_faults_are_refused() -> None:
    from kiosk.sim.woocommerce.faults import FaultPlan

    with pytest.raises(ValueError, match="rate must be above 0"):
        FaultPlan().add_random("drop", 1.5)
    with pytest.raises(ValueError, match="hold_s is for timeout"):
        FaultPlan().add("drop", hold_s=1)


async def test_an_outage_refuses_connections_then_the_same_address_answers(
    woo: Woo, sim: SimHandle
) -> None:
    assert (await woo.get("products"))[0] == 200  # a kept-alive connection is open now
    await sim.outage.begin()
    assert sim.outage.down
    with pytest.raises(aiohttp.ClientConnectionError):
        await woo.get("products")
    async with aiohttp.ClientSession() as fresh:
        with pytest.raises(aiohttp.ClientConnectorError):
            await fresh.get(woo.url("GET", "products"))
    await sim.outage.end()
    assert (await woo.get("products"))[0] == 200
    assert sim.outage.count == 1


async def test_the_admin_route_takes_random_faults_and_outages(woo: Woo, sim: SimHandle) -> None:
    admin = f"{sim.url}/__sim/faults"
    async with woo.session.post(admin, json={"kind": "drop", "rate": 0.5, "path": "orders"}) as r:
        assert r.status == 201
        assert (await r.json())["random"] == 1
    async with woo.session.post(admin, json={"kind": "outage", "seconds": 0}) as r:
        assert r.status == 400
        assert "at most 3600 seconds" in (await r.json())["error"]
    async with woo.session.post(admin, json={"kind": "drop", "rate": "lots"}) as r:
        assert r.status == 400
    async with woo.session.post(admin, json={"kind": "outage", "seconds": 30}) as r:
        assert r.status == 201
    async with asyncio.timeout(10):
        await sim.outage.wait_down()  # right after the route answered
    await sim.outage.end()  # cut short for the test
    assert sim.outage.count == 1
