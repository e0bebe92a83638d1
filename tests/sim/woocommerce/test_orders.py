"""POST /orders: totals as WooCommerce computes them, stock taken by paid orders, and search.

Hand-checked numbers (GB store, 20 % standard and 5 % reduced VAT, prices entered with tax):
- 3 x 7.99: wc_get_price_excluding_tax gives 23.97 - 23.97*0.2/1.2 = 19.975 ex tax; the line tax is
  recalculated on that, 19.975 * 20 % = 3.995, and wc_round_tax_total rounds it half-DOWN when
  prices include tax: 3.99. The line total rounds to cents half-up: 19.98.
- 1 x 4.20 reduced: 4.00 + 0.20 tax.
Per-line rounding: 19.98 + 4.00 + 3.99 + 0.20 = 28.17, tax 4.19.
Round at subtotal: round(19.975 + 4.00 + 3.995 + 0.20) = 28.17, total_tax round(4.195) = 4.20.
Prices without tax, 2 lines of 3 x 0.99: tax 0.594 per line -> 0.59 + 0.59, total 7.12; at subtotal
1.188 -> total round(7.128) = 7.13, total_tax 1.19.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from kiosk.sim.woocommerce import running_sim
from tests.sim.woocommerce.conftest import Clock, Woo, small_export


async def _order(
    include_tax: bool, at_subtotal: bool, lines: list[dict[str, Any]]
) -> dict[str, Any]:
    export = small_export(include_tax=include_tax, round_at_subtotal=at_subtotal)
    async with running_sim(export=export) as sim, aiohttp.ClientSession() as session:
        status, order = await Woo(sim, session).post("orders", {"line_items": lines})
        assert status == 201
        return order  # type: ignore[no-any-return]


INCLUSIVE_LINES = [{"product_id": 101, "quantity": 3}, {"product_id": 103, "quantity": 1}]
EXCLUSIVE_LINES = [{"product_id": 102, "quantity": 3}, {"product_id": 102, "quantity": 3}]


@pytest.mark.parametrize(
    ("include_tax", "at_subtotal", "lines", "total", "total_tax", "vat"),
    [
        (True, False, INCLUSIVE_LINES, "28.17", "4.19", "3.99"),
        (True, True, INCLUSIVE_LINES, "28.17", "4.20", "4.00"),
        (False, False, EXCLUSIVE_LINES, "7.12", "1.18", "1.18"),
        (False, True, EXCLUSIVE_LINES, "7.13", "1.19", "1.19"),
    ],
)
async def test_order_totals(
    include_tax: bool,
    at_subtotal: bool,
    lines: list[dict[str, Any]],
    total: str,
    total_tax: str,
    vat: str,
) -> None:
    order = await _order(include_tax, at_subtotal, lines)
    assert (order["total"], order["total_tax"]) == (total, total_tax)
    assert {t["rate_id"]: t["tax_total"] for t in order["tax_lines"]}[1] == vat
    assert order["prices_include_tax"] is include_tax
    assert order["currency"] == "GBP"


async def test_inclusive_line_details() -> None:
    order = await _order(True, False, INCLUSIVE_LINES)
    first = order["line_items"][0]
    assert (first["subtotal"], first["total"], first["total_tax"]) == ("19.98", "19.98", "3.99")
    assert first["taxes"] == [{"id": 1, "total": "3.995", "subtotal": "3.995"}]
    second = order["line_items"][1]
    assert (second["total"], second["total_tax"], second["tax_class"]) == (
        "4.00",
        "0.20",
        "reduced-rate",
    )


async def test_posted_totals_and_taxed_fee(woo: Woo) -> None:
    body = {
        "line_items": [{"product_id": 101, "quantity": 1, "subtotal": "10.00", "total": "8.00"}],
        "fee_lines": [{"name": "Service", "total": "1.00"}],
    }
    status, order = await woo.post("orders", body)
    assert status == 201
    # 8.00 + 1.60 tax, fee 1.00 + 0.20 tax (a fee is taxable at the standard rate by default).
    assert (order["total"], order["total_tax"], order["discount_total"]) == (
        "10.80",
        "1.80",
        "2.00",
    )
    assert order["fee_lines"][0]["total_tax"] == "0.20"


async def test_paid_order_reduces_stock_including_parent_managed(woo: Woo, clock: Clock) -> None:
    clock.advance(120)
    lines = [
        {"product_id": 110, "variation_id": 111, "quantity": 2},
        {"product_id": 110, "variation_id": 112, "quantity": 4},
        {"product_id": 101, "quantity": 1},
    ]
    status, order = await woo.post("orders", {"set_paid": True, "line_items": lines})
    assert status == 201
    assert order["status"] == "processing"
    assert order["date_paid_gmt"]
    state = woo.sim.state
    assert state.products[110]["stock_quantity"] == 5  # 111 counts on its parent
    assert state.variations[112]["stock_quantity"] == -1  # no stock check: it goes negative
    assert state.variations[112]["stock_status"] == "outofstock"
    assert state.products[101]["stock_quantity"] == 9
    stamp = clock.now.strftime("%Y-%m-%dT%H:%M:%S")
    assert (
        state.products[101]["date_modified_gmt"]
        == state.products[110]["date_modified_gmt"]
        == stamp
    )
    status, unpaid = await woo.post("orders", {"line_items": [{"product_id": 101, "quantity": 1}]})
    assert unpaid["status"] == "pending"
    assert state.products[101]["stock_quantity"] == 9


async def test_date_created_is_the_server_now(woo: Woo, clock: Clock) -> None:
    body = {
        "date_created": "2020-01-01T00:00:00",
        "line_items": [{"product_id": 101, "quantity": 1}],
    }
    _, order = await woo.post("orders", body)
    assert order["date_created_gmt"] == clock.now.strftime("%Y-%m-%dT%H:%M:%S")


async def test_unknown_product_is_refused_and_nothing_is_stored(woo: Woo) -> None:
    status, body = await woo.post("orders", {"line_items": [{"product_id": 9999, "quantity": 1}]})
    assert status == 400
    assert body == {
        "code": "woocommerce_rest_invalid_product_id",
        "message": "Product ID provided is invalid.",
        "data": {"status": 400},
    }
    assert woo.sim.state.orders == {}


async def test_search_finds_transaction_id_but_not_meta(woo: Woo, clock: Clock) -> None:
    body = {
        "transaction_id": "kiosk-7f3a",
        "meta_data": [{"key": "_kiosk_order_uuid", "value": "uuid-123"}],
        "line_items": [{"product_id": 101, "quantity": 1}],
    }
    _, order = await woo.post("orders", body)
    assert order["meta_data"][0]["id"] > 0
    assert order["meta_data"][0]["value"] == "uuid-123"
    _, found, _ = await woo.get("orders?search=kiosk-7f3a")
    assert [o["id"] for o in found] == [order["id"]]
    _, by_meta, _ = await woo.get("orders?search=uuid-123")
    assert by_meta == []
    clock.advance(60)
    _, later, _ = await woo.get(
        f"orders?modified_after={clock.now:%Y-%m-%dT%H:%M:%S}&dates_are_gmt=true"
    )
    assert later == []
