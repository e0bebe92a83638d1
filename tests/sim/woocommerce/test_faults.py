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
