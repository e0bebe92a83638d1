"""Cart snapshots: a parked cart comes back with the same order id, priced from today's catalog."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any

import pytest

from kiosk.core.cart import Cart
from kiosk.core.cart_snapshot import restore, snapshot
from kiosk.core.discount import Discount
from kiosk.core.models import Product, ProductKind, ShopSettings, TaxRate
from kiosk.core.money import Money

SHOP = ShopSettings(currency="GBP", country="GB", locale="en_GB", prices_include_tax=True)
RATES = (TaxRate("1", Decimal("20.0000"), "VAT", country="GB"),)


def gbp(minor: int) -> Money:
    return Money(minor, "GBP")


def item(pid: str, name: str, minor: int, **kw: Any) -> Product:
    return Product(pid, ProductKind.SIMPLE, name, gbp(minor), **kw)


MUG = item("1", "Blue mug", 850)
TEE = item("2", "Tee", 1500)
CAP = item("3", "Cap", 1200)
CATALOG = {p.id: p for p in (MUG, TEE, CAP)}


def _full_cart() -> Cart:
    cart = Cart(SHOP, RATES)
    cart.add(MUG, 3)
    cart.add(TEE)
    cart.set_line_discount(1, Discount.percent("12.5"))
    cart.add(CAP, 2)
    cart.set_line_discount(2, Discount.fixed(gbp(300)))
    cart.set_cart_discount(Discount.fixed(gbp(100)))
    cart.set_customer("c42")
    return cart


def _roundtrip(cart: Cart, catalog: dict[str, Product] = CATALOG) -> tuple[Cart, list[str]]:
    # Through real JSON text, as the database keeps it.
    data = json.loads(json.dumps(snapshot(cart)))
    return restore(data, SHOP, RATES, catalog)


def test_a_cart_comes_back_whole_with_the_same_order_id() -> None:
    cart = _full_cart()
    back, notes = _roundtrip(cart)
    assert notes == []
    assert back.id == cart.id  # the upload's idempotency key must not change
    assert back.customer_id == "c42"
    assert back.lines == cart.lines
    assert back.cart_discount == Discount.fixed(gbp(100))
    assert back.totals() == cart.totals()


def test_percent_cart_discount_and_no_customer_round_trip() -> None:
    cart = Cart(SHOP, RATES)
    cart.add(TEE, 2)
    cart.set_cart_discount(Discount.percent("10"))
    back, notes = _roundtrip(cart)
    assert notes == []
    assert back.cart_discount == Discount.percent("10")
    assert back.customer_id is None
    assert back.totals().total == cart.totals().total == gbp(2700)


def test_the_snapshot_keeps_ids_and_choices_not_products() -> None:
    data = snapshot(_full_cart())
    assert data["lines"][1] == {
        "product_id": "2",
        "quantity": 1,
        "discount": {"kind": "percent", "percentage": "12.5"},
        "name": "Tee",
        "price_minor": 1500,
    }
    assert data["lines"][2]["discount"] == {"kind": "fixed", "minor": 300, "currency": "GBP"}
    assert data["cart_discount"] == {"kind": "fixed", "minor": 100, "currency": "GBP"}


def test_gone_and_unsellable_products_are_left_out_and_named() -> None:
    cart = _full_cart()
    today = {
        "2": dataclasses.replace(TEE, status="draft"),
        "3": CAP,
    }  # the mug was deleted, the tee unpublished
    back, notes = _roundtrip(cart, today)
    assert notes == [
        "'Blue mug' is no longer for sale and was left out",
        "'Tee' is no longer for sale and was left out",
    ]
    assert [(ln.product.id, ln.quantity, ln.discount) for ln in back.lines] == [
        ("3", 2, Discount.fixed(gbp(300)))
    ]
    assert back.id == cart.id


def test_a_new_price_is_used_and_the_cashier_told() -> None:
    cart = Cart(SHOP, RATES)
    cart.add(MUG, 2)
    back, notes = _roundtrip(cart, {"1": dataclasses.replace(MUG, price=gbp(900))})
    assert notes == ["'Blue mug' now costs £9.00 (was £8.50)"]
    assert back.totals().total == gbp(1800)


def test_separate_lines_of_one_product_stay_separate() -> None:
    # Same product twice: undiscounted first, then discounted. Cart.add alone would merge them.
    cart = Cart(SHOP, RATES)
    cart.add(MUG)
    cart.set_line_discount(0, Discount.percent(50))
    cart.add(MUG, 2)
    cart.set_line_discount(0, None)
    cart.set_line_discount(1, Discount.percent(10))
    assert [(ln.quantity, ln.discount) for ln in cart.lines] == [
        (1, None),
        (2, Discount.percent(10)),
    ]
    back, notes = _roundtrip(cart)
    assert notes == []
    assert back.lines == cart.lines
    assert back.totals() == cart.totals()


def test_a_fixed_discount_in_another_currency_is_dropped_with_a_note() -> None:
    cart = _full_cart()
    data = snapshot(cart)
    data["cart_discount"] = {"kind": "fixed", "minor": 100, "currency": "EUR"}
    back, notes = restore(data, SHOP, RATES, CATALOG)
    assert notes == [
        "the discount on the whole sale was left out: a discount in EUR cannot apply to a "
        "cart in GBP"
    ]
    assert back.cart_discount is None
    assert len(back.lines) == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 99}, "format this version cannot read"),
        ({"order_id": ""}, "'order_id' is missing"),
        ({"lines": "x"}, "'lines' is missing or not a list"),
        ({"cart_discount": {"kind": "bogo"}}, "unknown kind 'bogo'"),
    ],
)
def test_a_damaged_snapshot_is_refused_naming_the_field(
    change: dict[str, Any], message: str
) -> None:
    data = {**snapshot(_full_cart()), **change}
    with pytest.raises(ValueError, match=message):
        restore(data, SHOP, RATES, CATALOG)
