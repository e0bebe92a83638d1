"""PUT /orders/<id> on the simulator (what completes a pickup), and shipping lines on orders."""

from __future__ import annotations

from typing import Any

from kiosk.sim.woocommerce import SimHandle
from kiosk.sim.woocommerce.pickup import completions, status_changes
from tests.sim.woocommerce.conftest import Clock, Woo


async def _put(woo: Woo, path: str, body: Any) -> tuple[int, Any]:
    async with woo.session.put(woo.url("PUT", path), json=body) as resp:
        return resp.status, await resp.json()


def _web_order(sim: SimHandle, **extra: Any) -> dict[str, Any]:
    return sim.admin.place_online_order([{"product_id": 101, "quantity": 1}], **extra)


async def test_completing_stamps_the_date_once_and_repeating_changes_nothing(
    sim: SimHandle, woo: Woo, clock: Clock
) -> None:
    order = _web_order(sim, pickup="local_pickup")
    oid = order["id"]
    assert order["status"] == "processing"
    (line,) = order["shipping_lines"]
    assert (line["method_id"], line["method_title"], line["total"]) == (
        "local_pickup", "Local pickup", "0.00"
    )  # fmt: skip
    clock.advance(60)
    status, done = await _put(woo, f"orders/{oid}", {"status": "completed"})
    assert status == 200
    assert done["status"] == "completed"
    assert done["date_completed_gmt"] == "2025-03-10T12:01:00"
    assert done["_links"]["self"][0]["href"].endswith(f"/orders/{oid}")
    clock.advance(60)
    status, again = await _put(woo, f"orders/{oid}", {"status": "completed"})
    assert status == 200
    assert again["date_completed_gmt"] == "2025-03-10T12:01:00"  # no second transition
    assert again["date_modified_gmt"] == "2025-03-10T12:02:00"
    assert completions(sim.state, oid) == 1
    assert status_changes(sim.state) == [(oid, "processing", "completed")]


async def test_wrong_ids_and_statuses_are_refused_as_woocommerce_does(
    sim: SimHandle, woo: Woo
) -> None:
    status, body = await _put(woo, "orders/99999", {"status": "completed"})
    assert (status, body["code"], body["message"]) == (
        400, "woocommerce_rest_shop_order_invalid_id", "Invalid ID."
    )  # fmt: skip
    oid = _web_order(sim)["id"]
    status, body = await _put(woo, f"orders/{oid}", {"status": "done"})
    assert (status, body["code"]) == (400, "rest_invalid_param")
    assert "status is not one of pending, processing" in body["data"]["params"]["status"]
    # REST lets a cancelled order become completed: the connector is the one to refuse it.
    sim.state.orders[oid]["status"] = "cancelled"
    status, body = await _put(woo, f"orders/{oid}", {"status": "completed"})
    assert (status, body["status"]) == (200, "completed")


async def test_a_shipping_line_adds_its_cost_to_the_order(sim: SimHandle) -> None:
    plain = _web_order(sim)
    shipped = _web_order(
        sim, shipping_lines=[{"method_id": "flat_rate", "method_title": "Flat", "total": "4.50"}]
    )
    assert plain["shipping_lines"] == []
    assert shipped["shipping_total"] == "4.50"
    assert float(shipped["total"]) == float(plain["total"]) + 4.50
