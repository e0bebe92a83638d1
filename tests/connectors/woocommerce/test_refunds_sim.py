"""WooCommerce order refunds: the simulator's rules, and the connector's payload and lookups."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk.connectors.errors import Rejected
from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.connectors.woocommerce.refunds import META_REFUND_ID
from kiosk.core.models import PaymentMethod
from kiosk.sim.woocommerce.listing import WooError
from kiosk.sim.woocommerce.refunds import create_refund
from kiosk.store import refunds
from tests.sync.woo_rig import WooDevice, store_ids_by_uuid, woo_device


async def _order(device: WooDevice) -> tuple[str, dict[str, Any]]:
    (order,) = await device.sell(1, random.Random(9))
    await device.engine.run_once()
    remote = store_ids_by_uuid(device.sim)[order.id]
    return order.id, device.sim.state.orders[int(remote)]


async def test_the_simulator_refuses_as_woocommerce_does(tmp_path: Path) -> None:
    async with woo_device(tmp_path, products=5) as device:
        _, order = await _order(device)
        state, oid = device.sim.state, int(order["id"])
        with pytest.raises(WooError) as negative:
            create_refund(state, oid, {"amount": "-1", "api_refund": False})
        assert (negative.value.status, negative.value.code) == (
            400,
            "woocommerce_rest_invalid_order_refund",
        )
        with pytest.raises(WooError) as gateway:
            create_refund(state, oid, {"amount": "1.00"})  # api_refund defaults to true
        assert gateway.value.status == 500
        assert "payment gateway for this order does not exist" in gateway.value.message
        assert state.order_refunds.get(oid, []) == []  # undone
        create_refund(state, oid, {"amount": "1.00", "api_refund": False})
        with pytest.raises(WooError) as too_much:
            create_refund(state, oid, {"amount": order["total"], "api_refund": False})
        assert (too_much.value.status, too_much.value.code, too_much.value.message) == (
            500,
            "woocommerce_rest_cannot_create_order_refund",
            "Invalid refund amount.",
        )
        with pytest.raises(WooError) as missing:
            create_refund(state, 99999, {"amount": "1.00", "api_refund": False})
        assert (missing.value.status, missing.value.code) == (
            404,
            "woocommerce_rest_invalid_order_id",
        )
        assert order["refunds"][0]["total"] == "-1.00"


async def test_the_connector_posts_a_manual_refund_and_finds_it_by_uuid(tmp_path: Path) -> None:
    async with woo_device(tmp_path, products=5) as device:
        order_id, order = await _order(device)
        made = await refunds.make_refund(
            device.db, order_id, PaymentMethod.CASH, now=device.checkout.now(), lines={1: 1},
            restock=False, staff="ann",
        )  # fmt: skip
        connector = device.engine.connector
        assert isinstance(connector, WooConnector)
        remote_id = str(order["id"])
        assert await connector.find_refund(made.refund, order_remote_id=remote_id) is None
        remote = await connector.create_refund(made.refund, order_remote_id=remote_id)
        assert remote.refund_id == made.refund_id
        assert remote.amount == made.refund.amount
        found = await connector.find_refund(made.refund, order_remote_id=remote_id)
        assert found == remote
        (kept,) = device.sim.state.order_refunds[int(remote_id)]
        meta = {m["key"]: m["value"] for m in kept["meta_data"]}
        assert meta[META_REFUND_ID] == made.refund_id
        assert meta["_kiosk_staff"] == "ann"
        (item,) = kept["line_items"]
        assert item["meta_data"][0]["value"] == order["line_items"][0]["id"]
        line = made.refund.lines[0]
        assert [-Decimal(t["total"]) for t in item["taxes"]] == [
            t.total.to_decimal() for t in line.taxes
        ]
        # A refund of an order the store no longer has is refused in words, not retried.
        del device.sim.state.orders[int(remote_id)]
        with pytest.raises(Rejected, match=r"has no order .* to refund"):
            await connector.create_refund(made.refund, order_remote_id=remote_id)
