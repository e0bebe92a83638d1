"""A Shopify web order found by its name, mapped to the cent, and refunded in cash without the
web gateway ever being asked to pay out; every document valid in the pinned schema."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kiosk.connectors.errors import Rejected
from kiosk.connectors.shopify import online_orders
from kiosk.core.models import PaymentMethod
from kiosk.core.refund_calc import RefundError
from kiosk.core.web_orders import WEB_PAYMENT, web_order_id
from kiosk.counter.web_orders import bring_web_order
from kiosk.sim.shopify import LOCATION
from kiosk.sim.shopify.orders import build_order
from kiosk.sim.shopify.state import Obj
from kiosk.store import refunds
from tests.connectors.shopify.conftest import Shop
from tests.connectors.shopify.schema_check import problems, shape_problems


def _variant(shop: Shop) -> Obj:
    state = shop.sim.state
    return next(
        state.variants[p["_variants"][0]]
        for p in state.products.values()
        if p["status"] == "ACTIVE" and p["hasOnlyDefaultVariant"]
        and state.variants[p["_variants"][0]]["sku"]
    )  # fmt: skip


def _web_order(
    shop: Shop, quantity: int, *, gateway: str = "paypal", code: str = "", status: str = ""
) -> Obj:
    state = shop.sim.state
    variant = _variant(shop)
    currency = state.shop["currencyCode"]
    gross = Decimal(variant["price"]) * quantity
    tax = (gross * Decimal("0.2")).quantize(Decimal("0.01"))

    def bag(amount: Decimal) -> dict[str, Any]:
        return {"shopMoney": {"amount": str(amount), "currencyCode": currency}}

    sale = {"kind": "SALE", "status": "SUCCESS", "gateway": gateway, "amountSet": bag(gross + tax)}
    if code:
        sale["authorizationCode"] = code
    spec: dict[str, Any] = {
        "lineItems": [
            {
                "variantId": variant["id"],
                "quantity": quantity,
                "taxLines": [{"title": "VAT", "rate": 0.2, "priceSet": bag(tax)}],
            }
        ],
        "transactions": [sale],
        "sourceName": "web",
    }
    if status:
        spec["financialStatus"] = status
    state.order_seq += 1
    order = build_order(state, spec, number=state.order_seq, currency=currency, location=LOCATION)
    state.orders[order["id"]] = order
    return order


def test_the_document_is_valid_in_the_pinned_schema() -> None:
    for name, doc in online_orders.DOCUMENTS.items():
        assert problems(doc) == [], name


async def test_found_by_number_with_or_without_the_hash(shop: Shop) -> None:
    placed = _web_order(shop, 3)
    for typed in (placed["name"], placed["name"].lstrip("#"), f"  {placed['name']} "):
        order = await shop.connector.online_order(typed)
        assert order is not None
        assert order.number == placed["name"]
        assert order.id == web_order_id("shopify", placed["id"])
    line = order.lines[0]
    amount = Decimal(placed["totalPriceSet"]["shopMoney"]["amount"])
    assert order.total.to_decimal() == amount
    assert (line.total + line.total_tax).to_decimal() == amount
    assert line.variation_id == placed["_lines"][0]["_variant"]
    assert [p.method for p in order.payments] == [PaymentMethod.OTHER]
    assert order.meta[WEB_PAYMENT] == "paypal"
    assert await shop.connector.online_order("#99999") is None
    for doc, variables, data in shop.calls:
        assert problems(doc) == [], doc
        assert shape_problems(doc, variables, data) == [], doc


async def test_an_unpaid_order_is_refused_in_words(shop: Shop) -> None:
    placed = _web_order(shop, 1, status="PENDING")
    with pytest.raises(Rejected, match="is waiting for payment: there is nothing to refund"):
        await shop.connector.online_order(placed["name"])
    with pytest.raises(RefundError, match="waiting for payment"):
        await bring_web_order(shop.db, shop.connector.online_order, placed["name"])


async def test_a_stripe_payment_intent_is_a_card_payment(shop: Shop) -> None:
    placed = _web_order(shop, 1, gateway="stripe", code="pi_3WebOrder")
    order = await shop.connector.online_order(placed["name"])
    assert order is not None
    assert [(p.method, p.reference) for p in order.payments] == [
        (PaymentMethod.CARD, "pi_3WebOrder")
    ]


async def test_a_cash_refund_never_goes_out_on_the_web_gateway(shop: Shop) -> None:
    await shop.engine.run_once()
    placed = _web_order(shop, 2, gateway="shopify_payments")
    stored = await bring_web_order(shop.db, shop.connector.online_order, placed["name"])
    made = await refunds.make_refund(
        shop.db, stored.order.id, PaymentMethod.CASH, now=stored.order.created_at,
        lines={1: 1}, restock=False,
    )  # fmt: skip
    report = await shop.engine.run_once()
    assert report.push.refunds.synced == 1
    (refund,) = shop.sim.state.orders[placed["id"]]["_refunds"]
    (money,) = refund["_transactions"]
    assert (money["gateway"], money["_parent"]) == ("cash", None)
    assert Decimal(money["amountSet"]["shopMoney"]["amount"]) == made.refund.amount.to_decimal()
    assert [rli["quantity"] for rli in refund["_lines"]] == [1]


def test_a_discounted_line_refunds_at_what_was_paid() -> None:
    def bag(amount: str) -> dict[str, Any]:
        return {"shopMoney": {"amount": amount, "currencyCode": "GBP"}}

    obj = {
        "id": "gid://shopify/Order/9",
        "name": "#1009",
        "processedAt": "2026-03-01T09:30:00Z",
        "taxesIncluded": True,
        "displayFinancialStatus": "PAID",
        "totalPriceSet": bag("18.00"),
        "totalTaxSet": bag("3.00"),
        "lineItems": {
            "nodes": [
                {
                    "id": "gid://shopify/LineItem/1",
                    "name": "Mug",
                    "sku": "MUG",
                    "quantity": 2,
                    "variant": {"id": "gid://shopify/ProductVariant/5"},
                    "product": {"id": "gid://shopify/Product/4"},
                    "originalTotalSet": bag("20.00"),
                    "discountAllocations": [{"allocatedAmountSet": bag("2.00")}],
                    "taxLines": [{"title": "VAT", "rate": 0.2, "priceSet": bag("3.00")}],
                }
            ]
        },
        "transactions": [
            {"kind": "SALE", "status": "SUCCESS", "gateway": "paypal", "amountSet": bag("18.00")}
        ],
    }
    order = online_orders.order_from_shopify(obj)
    (line,) = order.lines
    assert (line.total.minor, line.total_tax.minor, line.discount.minor) == (1500, 300, 200)
    assert line.total.minor + line.total_tax.minor == order.total.minor
    assert [(t.rate_id, t.total.minor) for t in line.taxes] == [("VAT:0.2", 300)]
    assert [(t.rate, t.amount.minor) for t in order.tax_lines] == [(Decimal("20.0"), 300)]


async def test_an_order_refunded_in_part_in_the_shop_is_refused(shop: Shop) -> None:
    placed = _web_order(shop, 2, status="PARTIALLY_REFUNDED")
    with pytest.raises(Rejected, match="refunded in part in the shop already: refund the rest"):
        await shop.connector.online_order(placed["name"])
