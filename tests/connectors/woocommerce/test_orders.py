"""Orders as WooCommerce JSON: payload fields, the store's arithmetic and the rounding fee line."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.connectors.woocommerce import orders as wo
from kiosk.core.cart import Cart
from kiosk.core.discount import Discount
from kiosk.core.models import (
    Order,
    PaymentMethod,
    Product,
    ProductKind,
    ShopSettings,
    TaxRate,
)
from kiosk.core.money import Money
from kiosk.core.tender import Tender
from kiosk.sim.woocommerce import totals as sim_totals

NOW = datetime(2025, 3, 1, 12, 30, 5, tzinfo=UTC)
VAT = TaxRate("1", Decimal("20.0000"), "VAT", country="GB")
GST = TaxRate("5", Decimal("5.0000"), "GST", country="CA", priority=1)
QST = TaxRate("6", Decimal("9.9750"), "QST", country="CA", state="QC", priority=2, compound=True)


def gbp(minor: int) -> Money:
    return Money(minor, "GBP")


def shop(inclusive: bool, at_subtotal: bool = False, **kw: Any) -> ShopSettings:
    kw.setdefault("currency", "GBP")
    kw.setdefault("country", "GB")
    return ShopSettings(prices_include_tax=inclusive, round_at_subtotal=at_subtotal, **kw)


def product(pid: str, minor: int, currency: str = "GBP", **kw: Any) -> Product:
    kw.setdefault("kind", ProductKind.SIMPLE)
    return Product(pid, name=f"Item {pid}", price=Money(minor, currency), **kw)


def sale(settings: ShopSettings, rates: list[TaxRate], items: list[tuple[Product, int]]) -> Order:
    cart = Cart(settings, rates, order_id="0b7c3f8e-0000-4000-8000-000000000001")
    for p, qty in items:
        cart.add(p, qty)
    total = cart.totals().total
    return cart.checkout([Tender(PaymentMethod.CASH, total)], now=NOW, cashier="Ann")


# -- the £0.99 line, by hand ---------------------------------------------------------------------


def test_inclusive_99p_line_gets_a_one_penny_rounding_fee() -> None:
    order = sale(shop(inclusive=True), [VAT], [(product("7", 99), 1)])
    # Backing 20 % out of 99p: tax 16.5p -> 17p, so the line is 82p ex tax.
    (line,) = order.lines
    assert (line.total, line.total_tax, order.total) == (gbp(82), gbp(17), gbp(99))
    # The store taxes 82p: 16.4p -> 16p, total 98p. One penny short.
    assert wo.store_total(order) == gbp(98)
    assert wo.rounding_fees(order) == [gbp(1)]
    payload = wo.order_payload(order)
    assert payload["fee_lines"] == [{"name": "Rounding", "tax_status": "none", "total": "0.01"}]
    assert payload["line_items"] == [
        {"product_id": 7, "quantity": 1, "subtotal": "0.82", "total": "0.82", "name": "Item 7"}
    ]
    assert wo.store_total(order, [1]) == order.total


def test_exclusive_prices_need_no_fee() -> None:
    order = sale(shop(inclusive=False), [VAT], [(product("7", 99), 3), (product("8", 1234), 1)])
    assert wo.rounding_fees(order) == []
    assert "fee_lines" not in wo.order_payload(order)


def test_negative_fee_carries_the_stores_apportioned_tax() -> None:
    # A hand-made order whose tax is a penny under the store's: 100p at 20 % is 20p, not 19p.
    base = sale(shop(inclusive=False), [VAT], [(product("7", 100), 1)])
    order = replace(
        base,
        tax_lines=(replace(base.tax_lines[0], amount=gbp(19)),),
        tax_total=gbp(19),
        total=gbp(119),
    )
    assert wo.store_total(order) == gbp(120)
    # The -1p fee is taxed -0.2p by the store, which rounds to nothing per line.
    assert wo.rounding_fees(order) == [gbp(-1)]
    assert wo.store_total(order, [-1]) == gbp(119)


def test_half_a_penny_of_tax_rounds_down_when_prices_include_tax() -> None:
    # 2.5p of tax on a 25p (ex tax) line at 10 %: WooCommerce rounds half down for inclusive
    # shops (wc_get_tax_rounding_mode), half up otherwise.
    ten = TaxRate("3", Decimal("10.0000"), "Low", country="GB")
    order = sale(shop(inclusive=False), [ten], [(product("7", 25), 1)])
    assert wo.store_total(order) == gbp(28)
    assert wo.store_total(replace(order, prices_include_tax=True)) == gbp(27)


# -- the payload ---------------------------------------------------------------------------------


def test_payload_carries_our_meta_payment_and_customer() -> None:
    settings = shop(inclusive=True)
    cart = Cart(settings, [VAT], order_id="11111111-2222-4333-8444-555555555555")
    cart.add(product("7", 500), 2)
    cart.add(
        Product("41", ProductKind.VARIATION, "Tee - Red", gbp(1500), parent_id="40", sku="T-R"), 1
    )
    cart.set_line_discount(1, Discount.percent(10))
    cart.set_customer("9")
    total = cart.totals().total
    card = Tender(PaymentMethod.CARD, gbp(1000), "pi_123", "visa", "4242", "Contactless", "A1B2C3")
    cash = Tender(PaymentMethod.CASH, total - gbp(1000) + gbp(500))
    order = replace(
        cart.checkout([card, cash], now=NOW, cashier="Ann", offline=True, note="gift wrap"),
        number="A-0042",
    )
    payload = wo.order_payload(order)
    assert payload["status"] == "completed"
    assert payload["set_paid"] is True
    assert payload["currency"] == "GBP"
    assert payload["customer_id"] == 9
    assert payload["customer_note"] == "gift wrap"
    assert payload["transaction_id"] == "pi_123"
    # A card among the tenders makes it a card order, whose transaction is the card's.
    assert payload["payment_method"] == "card"
    assert payload["payment_method_title"].startswith("Card (Visa •••• 4242) 10.00 + Cash")
    items = payload["line_items"]
    assert items[0] == {
        "product_id": 7,
        "quantity": 2,
        "subtotal": "8.33",
        "total": "8.33",
        "name": "Item 7",
    }
    # The variation travels with its parent; the 10 % discount shows as subtotal > total.
    assert items[1]["product_id"] == 40
    assert items[1]["variation_id"] == 41
    assert Decimal(items[1]["subtotal"]) > Decimal(items[1]["total"])
    meta = {m["key"]: m["value"] for m in payload["meta_data"]}
    assert meta["_kiosk_order_id"] == "11111111-2222-4333-8444-555555555555"
    assert meta["_kiosk_sold_at"] == "2025-03-01T12:30:05Z"
    assert meta["_kiosk_device_number"] == "A-0042"
    assert meta["_kiosk_offline"] == "yes"
    assert meta["_kiosk_cashier"] == "Ann"
    tenders = json.loads(meta["_kiosk_payments"])
    assert [t["method"] for t in tenders] == ["card", "cash"]
    assert tenders[1]["change"] == "5.00"
    assert tenders[0]["reference"] == "pi_123"
    assert (tenders[0]["entry_mode"], tenders[0]["auth_code"]) == ("Contactless", "A1B2C3")
    assert (tenders[1]["entry_mode"], tenders[1]["auth_code"]) == ("", "")
    # Whatever the store recomputes, its total comes out at ours.
    fees = [Money.parse(f["total"], "GBP").minor for f in payload.get("fee_lines", [])]
    assert wo.store_total(order, fees) == order.total


def test_single_cash_payment_and_no_transaction_id() -> None:
    payload = wo.order_payload(sale(shop(False), [VAT], [(product("7", 100), 1)]))
    assert (payload["payment_method"], payload["payment_method_title"]) == ("cash", "Cash")
    assert "transaction_id" not in payload
    assert "customer_id" not in payload


def test_a_card_sale_is_a_card_order_with_its_payment_intent() -> None:
    cart = Cart(shop(False), [VAT])
    cart.add(product("7", 1000), 1)
    card = Tender(PaymentMethod.CARD, cart.totals().total, "pi_3Q", "Visa", "4242", "Chip", "9Z")
    payload = wo.order_payload(cart.checkout([card], now=NOW))
    assert payload["transaction_id"] == "pi_3Q"
    assert payload["payment_method"] == "card"
    assert payload["payment_method_title"] == "Card (Visa •••• 4242)"
    meta = {m["key"]: m["value"] for m in payload["meta_data"]}
    (paid,) = json.loads(meta["_kiosk_payments"])
    assert (paid["card_brand"], paid["card_last4"]) == ("Visa", "4242")
    assert (paid["entry_mode"], paid["auth_code"]) == ("Chip", "9Z")


def test_a_split_without_a_card_stays_split() -> None:
    cart = Cart(shop(False), [VAT])
    cart.add(product("7", 1000), 1)
    gift = Tender(PaymentMethod.OTHER, gbp(500), "gift card")
    cash = Tender(PaymentMethod.CASH, cart.totals().total - gbp(500))
    payload = wo.order_payload(cart.checkout([gift, cash], now=NOW))
    assert payload["payment_method"] == "split"
    assert "transaction_id" not in payload


def test_payload_refuses_ids_woocommerce_cannot_have() -> None:
    order = sale(shop(False), [VAT], [(product("gid://x/1", 100), 1)])
    with pytest.raises(wo.OrderPayloadError, match="line 1 product id"):
        wo.order_payload(order)


def test_remote_order_parsing() -> None:
    obj = {
        "id": 812,
        "number": "812",
        "status": "completed",
        "currency": "GBP",
        "total": "0.99",
        "meta_data": [{"id": 1, "key": "_kiosk_order_id", "value": "abc"}],
    }
    remote = wo.remote_order_from_woo(obj, "GBP")
    assert (remote.remote_id, remote.order_id, remote.number, remote.total) == (
        "812",
        "abc",
        "812",
        gbp(99),
    )
    with pytest.raises(ValueError, match="order id"):
        wo.remote_order_from_woo({"id": "x"}, "GBP")


# -- against the simulator's independent port of WooCommerce's totals --------------------------


def _sim_total(order: Order, settings: ShopSettings, rates: list[TaxRate], fee: int) -> Money:
    ts = sim_totals.TaxSettings(
        decimals=2,
        calc_taxes=True,
        prices_include_tax=settings.prices_include_tax,
        round_at_subtotal=settings.round_at_subtotal,
        tax_based_on="base",
        base={"country": settings.country, "state": settings.state, "postcode": "", "city": ""},
    )
    sim_rates = [
        {
            "id": int(r.id),
            "rate": str(r.rate),
            "priority": r.priority,
            "compound": r.compound,
            "class": r.tax_class or "standard",
            "country": r.country,
            "state": r.state,
            "order": r.order,
        }
        for r in rates
    ]
    lines = [
        sim_totals.Line(
            "line_item", ln.total.to_decimal(), ln.subtotal.to_decimal(), ln.tax_class, True
        )
        for ln in order.lines
    ]
    fees = [sim_totals.Line("fee", Money(fee, "GBP").to_decimal(), Decimal(0), "", False)]
    result = sim_totals.calculate(ts, sim_rates, lines, fees if fee else [], ts.base)
    return Money.from_decimal(result.total, "GBP")


@settings(max_examples=150, deadline=None)
@given(
    prices=st.lists(st.integers(1, 5000), min_size=1, max_size=5),
    qty=st.integers(1, 7),
    inclusive=st.booleans(),
    at_subtotal=st.booleans(),
    canada=st.booleans(),
    discount=st.integers(0, 30),
)
def test_fee_makes_the_stores_total_ours(
    prices: list[int], qty: int, inclusive: bool, at_subtotal: bool, canada: bool, discount: int
) -> None:
    rates = [GST, QST] if canada else [VAT]
    settings = shop(
        inclusive,
        at_subtotal,
        country="CA" if canada else "GB",
        state="QC" if canada else "",
    )
    cart = Cart(settings, rates)
    for i, price in enumerate(prices):
        cart.add(product(str(i + 1), price), qty)
    if discount:
        cart.set_cart_discount(Discount.percent(discount))
    total = cart.totals().total
    order = cart.checkout([Tender(PaymentMethod.CASH, total)], now=NOW)
    fees = [f.minor for f in wo.rounding_fees(order)]
    assert sum(abs(f) for f in fees) <= 2 * len(prices) + 2
    assert wo.store_total(order, fees) == order.total
    # The simulator ports WooCommerce separately: it must agree (it does not tax a negative
    # untaxed fee, which WooCommerce does, so compare without the fee and with positive ones).
    assert _sim_total(order, settings, rates, 0) == wo.store_total(order)
    if len(fees) == 1 and fees[0] > 0:
        assert _sim_total(order, settings, rates, fees[0]) == order.total
