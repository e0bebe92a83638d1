"""Variable-measure lines: a price or weight from the barcode, priced, taxed, one per label."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kiosk.core.cart import Cart, CartError
from kiosk.core.discount import Discount
from kiosk.core.models import PaymentMethod, Product, ProductKind, ShopSettings, TaxRate
from kiosk.core.money import Money
from kiosk.core.tender import Tender
from kiosk.store.orders import check_order

NOW = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)
VAT = TaxRate("1", Decimal("20.0000"), "VAT", country="GB")
INCL = ShopSettings(currency="GBP", country="GB", locale="en_GB", prices_include_tax=True)
EXCL = ShopSettings(currency="GBP", country="GB", locale="en_GB", prices_include_tax=False)


def gbp(minor: int) -> Money:
    return Money(minor, "GBP")


def item(pid: str, name: str, price: int | None, **kw: object) -> Product:
    price_ = None if price is None else gbp(price)
    return Product(pid, kind=ProductKind.SIMPLE, name=name, price=price_, **kw)  # type: ignore[arg-type]


CHEDDAR = item("1", "Cheddar", 1299)  # £12.99 per kg
PIE = item("2", "Pork pie", 250)  # a catalog price; the label's price wins
LOOSE = item("3", "Deli tray", None)  # no catalog price at all: only its label prices it


def cart(settings: ShopSettings = INCL) -> Cart:
    return Cart(settings, (VAT,))


# -- a price from the label ---------------------------------------------------------------------


def test_a_price_label_in_an_inclusive_shop_backs_vat_out_of_the_label_price() -> None:
    c = cart(INCL)
    c.add(PIE, unit_price=gbp(345))
    t = c.totals()
    assert t.total == gbp(345)  # what the label says is what the customer pays
    assert t.tax_total == gbp(58)  # 345 / 6 = 57.5, rounded half up
    assert t.subtotal == gbp(287)
    (line,) = t.lines
    assert (line.unit_price, line.quantity, line.name) == (gbp(345), 1, "Pork pie")
    assert (line.subtotal, line.total, line.total_tax) == (gbp(287), gbp(287), gbp(58))


def test_a_price_label_in_an_exclusive_shop_adds_vat_on_top() -> None:
    c = cart(EXCL)
    c.add(PIE, unit_price=gbp(345))
    t = c.totals()
    assert (t.subtotal, t.tax_total, t.total) == (gbp(345), gbp(69), gbp(414))
    assert t.lines[0].unit_price == gbp(345)


def test_a_product_without_a_catalog_price_sells_by_its_label() -> None:
    c = cart()
    c.add(LOOSE, unit_price=gbp(1000))
    assert c.totals().total == gbp(1000)
    with pytest.raises(CartError, match="'Deli tray' cannot be sold: it has no price"):
        c.add(LOOSE)
    with pytest.raises(CartError, match="no price"):
        c.add(LOOSE, weight_g=500)  # a weight needs a price per kg
    assert len(c.lines) == 1


def test_labels_in_another_currency_or_below_zero_are_refused() -> None:
    c = cart()
    with pytest.raises(CartError, match="priced in EUR, but this shop sells in GBP"):
        c.add(PIE, unit_price=Money(345, "EUR"))
    with pytest.raises(CartError, match="negative price"):
        c.add(PIE, unit_price=gbp(-1))
    for weight in (0, -5, True):
        with pytest.raises(CartError, match="no usable weight"):
            c.add(CHEDDAR, weight_g=weight)
    assert c.is_empty


def test_a_variable_or_unpublished_product_is_refused_with_a_label_too() -> None:
    c = cart()
    tee = Product("9", ProductKind.VARIABLE, "Tee", None)
    with pytest.raises(CartError, match="'Tee' only groups variations"):
        c.add(tee, unit_price=gbp(100))
    draft = item("8", "Old cheese", 500, status="draft")
    with pytest.raises(CartError, match="its status is 'draft'"):
        c.add(draft, unit_price=gbp(100))
    assert c.is_empty


# -- a weight from the label --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per_kg", "grams", "price"),
    [
        (1299, 532, 691),  # 691.068
        (1250, 250, 313),  # 312.5: half rounds up
        (999, 500, 500),  # 499.5: half rounds up
        (333, 250, 83),  # 83.25
        (1299, 1000, 1299),
        (1, 1, 0),  # 0.001 of a penny rounds to nothing
        (2999, 12_345, 37023),  # 37022.655
    ],
)
def test_a_weighed_item_costs_its_price_per_kg_times_its_weight(
    per_kg: int, grams: int, price: int
) -> None:
    c = cart(EXCL)
    c.add(item("7", "Ham", per_kg), weight_g=grams)
    (line,) = c.lines
    assert (line.unit_price, line.weight_g, line.quantity) == (gbp(price), grams, 1)
    assert c.totals().subtotal == gbp(price)


def test_a_weighed_line_says_its_weight_and_is_taxed_on_its_amount() -> None:
    c = cart(INCL)
    c.add(CHEDDAR, weight_g=532)
    t = c.totals()
    (line,) = t.lines
    assert line.name == "Cheddar, 0.532 kg"
    assert (line.quantity, line.unit_price) == (1, gbp(691))
    # 691 incl. 20% VAT: 691 / 6 = 115.17 -> 115 tax, 576 net
    assert (line.subtotal, line.subtotal_tax, line.total, line.total_tax) == (
        gbp(576),
        gbp(115),
        gbp(576),
        gbp(115),
    )
    assert (t.total, t.tax_total) == (gbp(691), gbp(115))
    assert c.lines[0].name == "Cheddar, 0.532 kg"


def test_weights_of_a_kilo_and_more_read_as_kilograms() -> None:
    c = cart()
    c.add(CHEDDAR, weight_g=12_045)
    c.add(CHEDDAR, weight_g=5)
    assert [ln.name for ln in c.totals().lines] == ["Cheddar, 12.045 kg", "Cheddar, 0.005 kg"]


def test_a_price_and_a_weight_keep_the_price_and_name_the_weight() -> None:
    # A resumed parked line: the price the label gave stands, whatever the catalog says now.
    c = cart()
    c.add(CHEDDAR, unit_price=gbp(700), weight_g=532)
    (line,) = c.totals().lines
    assert (line.unit_price, line.name) == (gbp(700), "Cheddar, 0.532 kg")


# -- one label, one line ------------------------------------------------------------------------


def test_labels_never_merge_with_each_other_or_with_ordinary_lines() -> None:
    c = cart()
    assert c.add(PIE) == 0
    assert c.add(PIE, unit_price=gbp(345)) == 1
    assert c.add(PIE, unit_price=gbp(345)) == 2  # the same label twice: two items
    assert c.add(PIE) == 0  # an ordinary scan grows the ordinary line only
    assert c.add(CHEDDAR, weight_g=500) == 3
    assert c.add(CHEDDAR, weight_g=500) == 4
    assert [(ln.quantity, ln.unit_price) for ln in c.lines] == [
        (2, None),
        (1, gbp(345)),
        (1, gbp(345)),
        (1, gbp(650)),  # 649.5 rounds up
        (1, gbp(650)),
    ]
    assert c.totals().total == gbp(2 * 250 + 2 * 345 + 2 * 650)


def test_an_ordinary_line_after_a_label_is_a_line_of_its_own() -> None:
    c = cart()
    c.add(PIE, unit_price=gbp(250))  # the label's price equals the catalog's
    assert c.add(PIE) == 1
    assert [ln.quantity for ln in c.lines] == [1, 1]


def test_a_labelled_line_stays_at_quantity_one() -> None:
    c = cart()
    c.add(CHEDDAR, weight_g=532)
    with pytest.raises(CartError, match="sold by its label, one at a time: scan the next label"):
        c.set_quantity(0, 2)
    c.set_quantity(0, 1)
    assert c.lines[0].quantity == 1
    with pytest.raises(CartError, match="one at a time"):
        c.add(PIE, 3, unit_price=gbp(345))
    with pytest.raises(CartError, match="one at a time"):
        c.add(CHEDDAR, 2, weight_g=100)
    assert len(c.lines) == 1
    c.set_quantity(0, 0)  # removing the line is still allowed
    assert c.is_empty


# -- discounts ----------------------------------------------------------------------------------


def test_a_line_discount_comes_off_the_label_price_and_keeps_it() -> None:
    c = cart(INCL)
    c.add(CHEDDAR, weight_g=532)  # 691
    c.set_line_discount(0, Discount.percent(10))  # 69.1 -> 69 off: 622
    line = c.lines[0]
    assert (line.unit_price, line.weight_g, line.discount) == (gbp(691), 532, Discount.percent(10))
    t = c.totals()
    assert t.total == gbp(622)
    assert t.discount_display == gbp(69)
    (ol,) = t.lines
    # before: 691 incl. -> 576 net + 115 tax; after: 622 incl. -> 518.33 net, 103.67 -> 104 tax
    assert (ol.subtotal, ol.total, ol.total_tax, ol.discount) == (
        gbp(576),
        gbp(518),
        gbp(104),
        gbp(58),
    )
    c.set_line_discount(0, None)
    assert c.lines[0].unit_price == gbp(691)
    assert c.totals().total == gbp(691)


def test_a_cart_discount_spreads_over_labelled_and_ordinary_lines() -> None:
    c = cart(EXCL)
    c.add(PIE, unit_price=gbp(300))
    c.add(PIE)  # 250
    c.add(CHEDDAR, weight_g=1000)  # 1299
    c.set_cart_discount(Discount.fixed(gbp(185)))  # 1849 -> 1664
    t = c.totals()
    assert t.subtotal == gbp(1849)
    assert t.discount_total == gbp(185)
    assert [ol.total for ol in t.lines] == [gbp(270), gbp(225), gbp(1169)]
    assert t.total == gbp(1664 + 333)  # 20% VAT on 1664 is 332.8 -> 333


def test_a_checked_out_order_carries_the_labelled_lines() -> None:
    c = cart(INCL)
    c.add(CHEDDAR, weight_g=532)
    c.add(PIE, unit_price=gbp(345))
    order = c.checkout([Tender(PaymentMethod.CASH, gbp(2000))], now=NOW)
    check_order(order)
    assert [(ol.name, ol.quantity, ol.unit_price) for ol in order.lines] == [
        ("Cheddar, 0.532 kg", 1, gbp(691)),
        ("Pork pie", 1, gbp(345)),
    ]
    assert order.total == gbp(1036)
    assert order.tax_total == gbp(115 + 58)
    assert order.change == gbp(964)
