"""A WooCommerce web order found by its number and mapped to the cent; unpaid ones refused in
words; a till's own uploaded sale found by its number is the till's own copy."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk.connectors.errors import Rejected
from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.core.models import PaymentMethod
from kiosk.core.refund_calc import RefundError
from kiosk.core.web_orders import WEB_PAYMENT, is_web_order, web_order_id
from kiosk.counter.web_orders import bring_web_order
from kiosk.sim.woocommerce import orders as order_ops
from kiosk.sim.woocommerce.refunds import create_refund
from tests.sync.woo_rig import WooDevice, store_ids_by_uuid, woo_device


def _connector(device: WooDevice) -> WooConnector:
    connector = device.engine.connector
    assert isinstance(connector, WooConnector)
    return connector


def _taxed(device: WooDevice) -> int:
    return next(
        int(p["id"])
        for p in device.sim.state.products.values()
        if p["status"] == "publish" and p["type"] == "simple" and not p.get("tax_class")
    )


async def test_found_by_number_to_the_cent(tmp_path: Path) -> None:
    async with woo_device(tmp_path, products=8) as device:
        pid = _taxed(device)
        placed = device.sim.admin.place_online_order([{"product_id": pid, "quantity": 3}])
        order = await _connector(device).online_order(str(placed["number"]))
        assert order is not None
        assert is_web_order(order)
        assert order.id == web_order_id("woocommerce", str(placed["id"]))
        assert await _connector(device).online_order(f"#{placed['number']}") == order
        (line,) = order.lines
        (item,) = placed["line_items"]
        assert (line.product_id, line.quantity, line.sku) == (str(pid), 3, item["sku"])
        assert line.total.to_decimal() == Decimal(item["total"])
        assert line.total_tax.to_decimal() == Decimal(item["total_tax"]) > 0
        assert sum(t.total.minor for t in line.taxes) == line.total_tax.minor
        assert order.total.to_decimal() == Decimal(placed["total"])
        assert [t.amount.to_decimal() for t in order.tax_lines] == [
            Decimal(t["tax_total"]) for t in placed["tax_lines"]
        ]
        # The simulator's checkout names Stripe but records no PaymentIntent: not a card here.
        assert [p.method for p in order.payments] == [PaymentMethod.OTHER]
        assert order.meta[WEB_PAYMENT] == "Credit card"
        assert await _connector(device).online_order("987654") is None


async def test_a_stripe_payment_intent_is_a_card_payment(tmp_path: Path) -> None:
    async with woo_device(tmp_path, products=5) as device:
        pid = _taxed(device)
        placed = device.sim.admin.place_online_order(
            [{"product_id": pid, "quantity": 1}], transaction_id="pi_3WebOrder"
        )
        order = await _connector(device).online_order(str(placed["number"]))
        assert order is not None
        assert [(p.method, p.reference) for p in order.payments] == [
            (PaymentMethod.CARD, "pi_3WebOrder")
        ]


async def test_an_unpaid_order_is_refused_in_words(tmp_path: Path) -> None:
    async with woo_device(tmp_path, products=5) as device:
        body: dict[str, Any] = {"line_items": [{"product_id": _taxed(device), "quantity": 1}]}
        pending = order_ops.create_order(device.sim.state, body, created_via="checkout")
        with pytest.raises(Rejected, match="is waiting for payment: there is nothing to refund"):
            await _connector(device).online_order(str(pending["number"]))
        with pytest.raises(RefundError, match="waiting for payment"):
            await bring_web_order(device.db, _connector(device).online_order, pending["number"])


async def test_a_tills_own_uploaded_sale_is_its_own_copy(tmp_path: Path) -> None:
    async with woo_device(tmp_path, products=5) as device:
        (sold,) = await device.sell(1, random.Random(3))
        await device.engine.run_once()
        remote = store_ids_by_uuid(device.sim)[sold.id]
        stored = await bring_web_order(device.db, _connector(device).online_order, remote)
        assert stored.order.id == sold.id
        assert not is_web_order(stored.order)  # the till's sale, as it was sold


async def test_an_order_refunded_in_part_in_the_shop_is_refused(tmp_path: Path) -> None:
    async with woo_device(tmp_path, products=5) as device:
        placed = device.sim.admin.place_online_order(
            [{"product_id": _taxed(device), "quantity": 2}]
        )
        create_refund(device.sim.state, int(placed["id"]), {"amount": "1.00", "api_refund": False})
        with pytest.raises(Rejected, match="refunded in part in the shop already"):
            await _connector(device).online_order(str(placed["number"]))
