"""The simulator's kiosk/v1 routes against plugin/kiosk-pos-companion/contract.json.

The PHP plugin's PHPUnit suite checks the plugin against the same file, so the device's tests
that run on the simulator run against what the plugin does.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from kiosk.sim.woocommerce import SimHandle, plugin_routes, plugin_state, running_sim, sign_oauth
from tests.plugin.contract import contract, error_status, problems, response_shape
from tests.sim.woocommerce.conftest import Clock, small_export

UUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


@dataclass
class Kiosk:
    """A signed client for /wp-json/kiosk/v1 (OAuth over HTTP, as the device over HTTP)."""

    sim: SimHandle
    session: aiohttp.ClientSession

    def url(self, method: str, path: str) -> str:
        base = f"{self.sim.url}/wp-json/kiosk/v1/{path}"
        return sign_oauth(method, base, self.sim.consumer_key, self.sim.consumer_secret)

    async def get(self, path: str) -> tuple[int, Any]:
        async with self.session.get(self.url("GET", path)) as resp:
            return resp.status, await resp.json()

    async def post(self, path: str, body: Any) -> tuple[int, Any]:
        async with self.session.post(self.url("POST", path), json=body) as resp:
            return resp.status, await resp.json()


@pytest.fixture
async def kiosk(sim: SimHandle) -> AsyncIterator[Kiosk]:
    async with aiohttp.ClientSession() as session:
        yield Kiosk(sim, session)


def state(sim: SimHandle) -> plugin_state.PluginState:
    assert sim.context.plugin_state is not None
    return sim.context.plugin_state


def sale(lines: list[dict[str, Any]] | None = None, key: str = UUID) -> dict[str, Any]:
    return {
        "uuid": key,
        "sold_at": "2025-03-09T16:30:05+01:00",
        "order": {
            "status": "completed",
            "set_paid": True,
            "line_items": lines or [{"product_id": 101, "quantity": 2}],
            "meta_data": [{"key": "_kiosk_cashier", "value": "Ann"}],
        },
    }


def test_the_simulator_serves_the_contracts_routes_and_limits() -> None:
    c = contract()
    assert list(c["routes"]) == list(plugin_routes.ROUTES)
    assert c["namespace"] == plugin_routes.NAMESPACE
    assert c["version"] == plugin_routes.PLUGIN_VERSION
    assert c["change_kinds"] == list(plugin_state.KINDS)
    assert c["change_actions"] == list(plugin_state.ACTIONS)
    limits = c["limits"]
    assert limits["changes_default_limit"] == plugin_state.DEFAULT_LIMIT
    assert limits["changes_max_limit"] == plugin_state.MAX_LIMIT
    assert limits["changes_max_wait"] == plugin_state.MAX_WAIT
    assert limits["variations_default_per_page"] == plugin_routes.DEFAULT_PER_PAGE
    assert limits["variations_max_per_page"] == plugin_routes.MAX_PER_PAGE
    assert limits["variations_max_parents"] == plugin_routes.MAX_PARENTS


async def test_every_answer_has_the_contracts_shape(sim: SimHandle, kiosk: Kiosk) -> None:
    sim.admin.set_price(101, "8.50")
    sim.admin.delete_product(102)
    answers = {
        "GET /status": await kiosk.get("status"),
        "GET /changes": await kiosk.get("changes?after=0&limit=10"),
        "POST /orders": await kiosk.post("orders", sale()),
        "GET /orders/by-uuid/{uuid}": await kiosk.get(f"orders/by-uuid/{UUID}"),
        "GET /info": await kiosk.get("info"),
        "GET /product-ids": await kiosk.get("product-ids"),
        "GET /variations": await kiosk.get("variations"),
    }
    assert set(answers) == set(contract()["routes"])
    for route, (status, body) in answers.items():
        assert status in (200, 201), (route, body)
        assert problems(body, response_shape(route)) == [], route
    assert answers["POST /orders"][0] == contract()["routes"]["POST /orders"]["status"]["created"]
    again = await kiosk.post("orders", sale())
    assert again[0] == contract()["routes"]["POST /orders"]["status"]["existing"]


async def test_refusals_have_the_contracts_codes_and_statuses(kiosk: Kiosk) -> None:
    bad = {
        "kiosk_pos_invalid_uuid": {**sale(), "uuid": "sale-1"},
        "kiosk_pos_invalid_sold_at": {**sale(), "sold_at": "2025-03-09T16:30:05"},
        "kiosk_pos_invalid_order": {**sale(), "order": {"status": "completed"}},
    }
    for code, body in bad.items():
        status, answer = await kiosk.post("orders", body)
        assert (status, answer["code"]) == (error_status(code), code)
        assert problems(answer, contract()["error_shape"]) == []
    status, answer = await kiosk.get(f"orders/by-uuid/{uuid.uuid4()}")
    assert (status, answer["code"]) == (
        error_status("kiosk_pos_order_not_found"),
        "kiosk_pos_order_not_found",
    )
    status, answer = await kiosk.get("changes?limit=501")
    assert (status, answer["code"]) == (error_status("rest_invalid_param"), "rest_invalid_param")
    async with kiosk.session.get(f"{kiosk.sim.url}/wp-json/kiosk/v1/changes") as resp:
        assert resp.status == error_status("woocommerce_rest_cannot_view")


async def test_the_feed_records_changes_once_per_object_with_tombstones(
    sim: SimHandle, kiosk: Kiosk
) -> None:
    sim.admin.set_price(111, "13.00")  # a variation: its parent's modified date moves too
    sim.admin.set_price(101, "8.00")
    sim.admin.set_price(101, "8.50")
    sim.admin.delete_product(103, force=True)
    status, feed = await kiosk.get("changes?after=0")
    assert status == 200
    got = [(c["kind"], c["id"], c["action"], c["parent_id"]) for c in feed["changes"]]
    assert got == [
        ("variation", 111, "upsert", 110),
        ("product", 110, "upsert", 0),
        ("product", 101, "upsert", 0),
        ("product", 103, "delete", 0),
    ]
    seqs = [c["seq"] for c in feed["changes"]]
    assert seqs == sorted(seqs)
    assert feed["next"] == seqs[-1]
    status, rest = await kiosk.get(f"changes?after={feed['next']}&epoch={feed['epoch']}")
    assert (rest["changes"], rest["next"], rest["reset"]) == ([], feed["next"], False)


async def test_paging_and_the_last_value_of_a_parameter(sim: SimHandle, kiosk: Kiosk) -> None:
    for pid in (101, 102, 103):
        sim.admin.set_price(pid, "1.00")
    _, first = await kiosk.get("changes?limit=2")
    assert ([c["id"] for c in first["changes"]], first["more"]) == ([101, 102], True)
    # PHP keeps the last value of a repeated name: an earlier after=0 is not what is read (nor
    # signed: the signature covers after=<next> only, as WooCommerce checks it).
    signed = kiosk.url("GET", f"changes?after={first['next']}&limit=2").replace("?", "?after=0&", 1)
    async with kiosk.session.get(signed) as resp:
        second = await resp.json()
    assert ([c["id"] for c in second["changes"]], second["more"]) == ([103], False)


async def test_a_reset_starts_a_new_epoch(sim: SimHandle, kiosk: Kiosk) -> None:
    sim.admin.set_price(101, "1.00")
    _, old = await kiosk.get("changes")
    new_epoch = state(sim).reset()
    sim.admin.set_price(102, "2.00")
    _, answer = await kiosk.get(f"changes?after={old['next']}&epoch={old['epoch']}")
    assert answer["reset"] is True
    assert answer["epoch"] == new_epoch
    assert [c["id"] for c in answer["changes"]] == [102]


async def test_tax_setting_changes_appear_in_the_feed(sim: SimHandle, kiosk: Kiosk) -> None:
    _, before = await kiosk.get("status")
    sim.admin.set_option("woocommerce_prices_include_tax", "no")
    _, after = await kiosk.get("status")
    assert before["tax_fingerprint"] != after["tax_fingerprint"]
    _, feed = await kiosk.get("changes")
    assert [(c["kind"], c["id"]) for c in feed["changes"]] == [("tax", 0)]


async def test_a_long_poll_answers_when_a_change_arrives(sim: SimHandle, kiosk: Kiosk) -> None:
    _, empty = await kiosk.get("changes")
    poll = asyncio.ensure_future(
        kiosk.get(f"changes?after={empty['next']}&wait=20&device=till-1&queued=3")
    )
    await asyncio.wait_for(state(sim).poller_waiting(), 5)
    assert not poll.done()
    sim.admin.set_price(101, "9.99")
    status, answer = await asyncio.wait_for(poll, 5)
    assert (status, [c["id"] for c in answer["changes"]]) == (200, [101])
    assert state(sim).devices["till-1"]["queued"] == 3


async def test_orders_are_taken_once_even_when_sent_together(sim: SimHandle, kiosk: Kiosk) -> None:
    first, second = await asyncio.gather(kiosk.post("orders", sale()), kiosk.post("orders", sale()))
    assert sorted([first[0], second[0]]) == [200, 201]
    assert first[1]["order"]["id"] == second[1]["order"]["id"]
    assert len(sim.state.orders) == 1
    status, again = await kiosk.post("orders", sale(key=UUID.upper()))
    assert (status, again["created"]) == (200, False)
    order = next(iter(sim.state.orders.values()))
    meta = {m["key"]: m["value"] for m in order["meta_data"]}
    assert meta["_kiosk_order_id"] == UUID
    assert meta["_kiosk_cashier"] == "Ann"
    # The sale's real time, not the upload's (the store clock says 2025-03-10 12:00).
    assert order["date_created_gmt"] == "2025-03-09T15:30:05"
    assert sim.state.products[101]["stock_quantity"] == 8


async def test_an_oversold_offline_sale_is_accepted_and_noted(
    sim: SimHandle, kiosk: Kiosk, clock: Clock
) -> None:
    status, made = await kiosk.post("orders", sale([{"product_id": 112, "quantity": 5}]))
    assert status == 201
    assert made["oversold"] == [{"product_id": 112, "stock": 3, "quantity": 5}]
    oid = made["order"]["id"]
    assert "Oversold while offline" in state(sim).order_notes[oid][0]
    assert f"Order {oid}." in state(sim).product_notes[112][0]
    assert sim.state.variations[112]["stock_quantity"] == -2


async def test_an_order_uploaded_through_core_rest_is_found_by_uuid(
    sim: SimHandle, kiosk: Kiosk
) -> None:
    url = sign_oauth("POST", f"{sim.api_url}/orders", sim.consumer_key, sim.consumer_secret)
    body = {
        "line_items": [{"product_id": 101}],
        "meta_data": [{"key": "_kiosk_order_id", "value": UUID}],
    }
    async with kiosk.session.post(
        url, data=json.dumps(body), headers={"Content-Type": "application/json"}
    ) as resp:
        assert resp.status == 201
    status, found = await kiosk.get(f"orders/by-uuid/{UUID}")
    assert status == 200
    status, again = await kiosk.post("orders", sale())
    assert (status, again["order"]["id"]) == (200, found["order"]["id"])
    assert len(sim.state.orders) == 1


async def test_the_plugin_answers_at_rest_route_on_plain_permalinks() -> None:
    async with (
        running_sim(export=small_export(), pretty_permalinks=False) as sim,
        aiohttp.ClientSession() as session,
    ):
        url = sign_oauth(
            "GET",
            f"{sim.url}/index.php?rest_route=/kiosk/v1/status",
            sim.consumer_key,
            sim.consumer_secret,
        )
        async with session.get(url) as resp:
            assert resp.status == 200
            body = await resp.json()
        assert problems(body, response_shape("GET /status")) == []
        assert body["permalinks"] == {"pretty": False, "structure": "", "rest_base": "wp-json"}
