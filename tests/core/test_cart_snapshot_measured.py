"""Parked carts with variable-measure lines: a resumed label keeps the price it was scanned at."""

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


def item(pid: str, name: str, minor: int | None) -> Product:
    return Product(pid, ProductKind.SIMPLE, name, None if minor is None else gbp(minor))


CHEDDAR = item("1", "Cheddar", 1299)  # per kg
PIE = item("2", "Pork pie", 250)
TRAY = item("3", "Deli tray", None)  # priced only by its label
CATALOG = {p.id: p for p in (CHEDDAR, PIE, TRAY)}


def _cart() -> Cart:
    cart = Cart(SHOP, RATES)
    cart.add(CHEDDAR, weight_g=532)  # 691
    cart.add(PIE)  # 250, catalog price
    cart.add(PIE, unit_price=gbp(345))
    cart.set_line_discount(2, Discount.fixed(gbp(45)))
    cart.add(TRAY, unit_price=gbp(1000))
    return cart


def _roundtrip(cart: Cart, catalog: dict[str, Product] = CATALOG) -> tuple[Cart, list[str]]:
    data = json.loads(json.dumps(snapshot(cart)))  # through real JSON text, as parked keeps it
    return restore(data, SHOP, RATES, catalog)


def test_labelled_lines_come_back_with_their_price_and_weight() -> None:
    cart = _cart()
    back, notes = _roundtrip(cart)
    assert notes == []
    assert back.id == cart.id
    assert back.lines == cart.lines
    assert [(ln.unit_price, ln.weight_g) for ln in back.lines] == [
        (gbp(691), 532),
        (None, None),
        (gbp(345), None),
        (gbp(1000), None),
    ]
    assert back.totals() == cart.totals()
    assert back.totals().total == gbp(691 + 250 + 300 + 1000)
    assert back.totals().lines[0].name == "Cheddar, 0.532 kg"


def test_the_snapshot_stores_the_label_and_a_newer_version() -> None:
    data = snapshot(_cart())
    assert data["version"] == 2  # a build that would re-price the label refuses it
    assert data["lines"][0] == {
        "product_id": "1",
        "quantity": 1,
        "discount": None,
        "name": "Cheddar",
        "price_minor": 1299,
        "unit_price": {"minor": 691, "currency": "GBP"},
        "weight_g": 532,
    }
    assert "unit_price" not in data["lines"][1]
    plain = Cart(SHOP, RATES)
    plain.add(PIE)
    assert snapshot(plain)["version"] == 1  # carts without labels stay as they were


def test_a_new_catalog_price_reprices_ordinary_lines_but_not_labels() -> None:
    today = {
        "1": dataclasses.replace(CHEDDAR, price=gbp(1500)),
        "2": dataclasses.replace(PIE, price=gbp(300)),
        "3": TRAY,
    }
    back, notes = _roundtrip(_cart(), today)
    assert notes == ["'Pork pie' now costs £3.00 (was £2.50)"]  # only the ordinary line
    assert [ln.price for ln in back.lines] == [gbp(691), gbp(300), gbp(345), gbp(1000)]
    assert back.totals().total == gbp(691 + 300 + 300 + 1000)


def test_labels_never_merge_with_an_ordinary_line_on_restore() -> None:
    cart = Cart(SHOP, RATES)
    cart.add(PIE, unit_price=gbp(250))
    cart.add(PIE)
    cart.add(PIE, unit_price=gbp(250))
    back, notes = _roundtrip(cart)
    assert notes == []
    assert [(ln.quantity, ln.unit_price) for ln in back.lines] == [
        (1, gbp(250)),
        (1, None),
        (1, gbp(250)),
    ]


def test_a_labelled_product_gone_or_unpublished_is_left_out() -> None:
    back, notes = _roundtrip(_cart(), {"2": PIE, "3": dataclasses.replace(TRAY, status="draft")})
    assert notes == [
        "'Cheddar' is no longer for sale and was left out",
        "'Deli tray' is no longer for sale and was left out",
    ]
    assert [ln.product.id for ln in back.lines] == ["2", "2"]


def test_a_label_in_another_currency_is_left_out_with_a_note() -> None:
    data = snapshot(_cart())
    data["lines"][3]["unit_price"] = {"minor": 1000, "currency": "EUR"}
    back, notes = restore(data, SHOP, RATES, CATALOG)
    assert notes == [
        "'Deli tray' was left out: 'Deli tray' is priced in EUR, but this shop sells in GBP"
    ]
    assert len(back.lines) == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"unit_price": 691}, "line 1 unit price is not an object"),
        ({"unit_price": {"minor": "691", "currency": "GBP"}}, "line 1 unit price has no whole"),
        ({"unit_price": {"minor": 691}}, "'currency' is missing"),
        ({"weight_g": "532"}, "line 1 weight is not a whole number of grams"),
    ],
)
def test_a_damaged_label_is_refused_naming_the_field(change: dict[str, Any], message: str) -> None:
    data = snapshot(_cart())
    data["lines"][0].update(change)
    with pytest.raises(ValueError, match=message):
        restore(data, SHOP, RATES, CATALOG)
