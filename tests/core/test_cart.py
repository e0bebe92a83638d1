"""The cart: editing lines, and totals with known numbers in several currencies and tax setups."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from kiosk.core.cart import MAX_QUANTITY, Cart, CartError, CartLine
from kiosk.core.discount import Discount, DiscountKind
from kiosk.core.models import (
    Attribute,
    PaymentMethod,
    Product,
    ProductKind,
    ShopSettings,
    TaxRate,
    TaxStatus,
)
from kiosk.core.money import Money
from kiosk.core.tender import InsufficientPayment, Tender
from kiosk.store.orders import check_order

NOW = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)
VAT = TaxRate("1", Decimal("20.0000"), "VAT", country="GB")
GST = TaxRate("5", Decimal("5.0000"), "GST", country="CA", priority=1)
QST = TaxRate("6", Decimal("8.5000"), "PST", country="CA", state="QC", priority=2, compound=True)


def shop(currency: str = "GBP", **kw: object) -> ShopSettings:
    kw.setdefault("country", "GB")
    kw.setdefault("locale", "en_GB")
    return ShopSettings(currency=currency, **kw)  # type: ignore[arg-type]


def item(pid: str, minor: int, currency: str = "GBP", **kw: object) -> Product:
    kw.setdefault("kind", ProductKind.SIMPLE)
    return Product(pid, name=f"Item {pid}", price=Money(minor, currency), **kw)  # type: ignore[arg-type]


def m(minor: int, currency: str = "GBP") -> Money:
    return Money(minor, currency)


# -- known numbers ------------------------------------------------------------------------------


def test_inclusive_vat_backs_tax_out_of_the_shelf_price() -> None:
    cart = Cart(shop(prices_include_tax=True), [VAT])
    cart.add(item("1", 1000))
    t = cart.totals()
    (line,) = t.lines
    assert (line.subtotal, line.subtotal_tax, line.total, line.total_tax) == (
        m(833),
        m(167),
        m(833),
        m(167),
    )
    assert (t.subtotal, t.tax_total, t.total) == (m(833), m(167), m(1000))
    assert (t.subtotal_display, t.discount_display) == (m(1000), m(0))
    assert [(tl.rate_id, tl.label, tl.amount) for tl in t.tax_lines] == [("1", "VAT", m(167))]


def test_exclusive_vat_adds_tax() -> None:
    cart = Cart(shop(), [VAT])
    cart.add(item("1", 999), 2)
    t = cart.totals()
    assert (t.subtotal, t.tax_total, t.total) == (m(1998), m(400), m(2398))  # 399.6 -> 400


def test_compound_rates_exclusive_and_inclusive() -> None:
    qc = shop("CAD", country="CA", state="QC", locale="fr_CA")
    cad = item("1", 10000, "CAD")
    ex = Cart(qc, [QST, GST])
    ex.add(cad)
    t = ex.totals()
    assert [(tl.rate_id, tl.amount.minor) for tl in t.tax_lines] == [("5", 500), ("6", 893)]
    assert t.total == m(11393, "CAD")

    inc = Cart(shop("CAD", country="CA", state="QC", prices_include_tax=True), [QST, GST])
    inc.add(cad)
    t = inc.totals()
    # 438.885 -> 439 and 783.41 -> 783: the customer still pays the shelf price.
    assert [(tl.rate_id, tl.amount.minor) for tl in t.tax_lines] == [("5", 439), ("6", 783)]
    assert (t.lines[0].total, t.total) == (m(8778, "CAD"), m(10000, "CAD"))


def test_rounding_at_subtotal_saves_a_penny_over_three_lines() -> None:
    def total(round_at_subtotal: bool) -> tuple[int, int]:
        cart = Cart(shop(round_at_subtotal=round_at_subtotal), [VAT])
        for pid in "abc":
            cart.add(item(pid, 99))  # 19.8p of tax each
        t = cart.totals()
        assert sum(line.total_tax.minor for line in t.lines) == t.tax_total.minor
        return t.tax_total.minor, t.total.minor

    assert total(False) == (60, 357)  # 20p per line
    assert total(True) == (59, 356)  # 59.4p once


def test_rounding_at_subtotal_with_inclusive_prices_keeps_the_shelf_total() -> None:
    cart = Cart(shop(prices_include_tax=True, round_at_subtotal=True), [VAT])
    for pid in "abc":
        cart.add(item(pid, 99))  # 16.5p of tax inside each
    t = cart.totals()
    assert t.tax_total == m(50)  # 49.5 rounded once (per line it would be 3 x 17 = 51)
    assert sorted(line.total_tax.minor for line in t.lines) == [16, 17, 17]
    assert t.total == m(297)


def test_ten_percent_cart_discount_over_three_lines() -> None:
    de = ShopSettings(currency="EUR", country="DE", locale="de_DE")
    mwst = TaxRate("19", Decimal("19.0000"), "MwSt.", country="DE")
    cart = Cart(de, [mwst])
    for pid, price in (("a", 1000), ("b", 2000), ("c", 555)):
        cart.add(item(pid, price, "EUR"))
    cart.set_cart_discount(Discount.percent(10))
    t = cart.totals()
    # 10 % of 35.55 = 3.555 -> 3.56, split 100.14 / 200.28 / 55.58 -> 1.00, 2.00, 0.56.
    assert [line.discount.minor for line in t.lines] == [100, 200, 56]
    assert [line.total_tax.minor for line in t.lines] == [171, 342, 95]
    assert (t.discount_total, t.tax_total, t.total) == (
        m(356, "EUR"),
        m(608, "EUR"),
        m(3807, "EUR"),
    )
    assert t.discount_tax == m(675 - 608, "EUR")


def test_inclusive_discounts_come_off_the_shelf_price() -> None:
    cart = Cart(shop(prices_include_tax=True), [VAT])
    cart.add(item("1", 1000), 2)
    cart.set_line_discount(0, Discount.fixed(m(200)))
    cart.set_cart_discount(Discount.percent(50))
    t = cart.totals()
    assert t.total == m(900)  # (20.00 - 2.00) / 2
    assert t.tax_total == m(150)
    assert (t.subtotal_display, t.discount_display) == (m(2000), m(1100))
    assert (t.subtotal, t.discount_total) == (m(1667), m(917))


def test_rounding_never_makes_a_discounted_line_dearer_than_before() -> None:
    # Two 5 % rates inside 11p: 0.52p each rounds to 1p; inside 10p, 0.48p each rounds to 0p.
    # WooCommerce would show a net total (10p) above the net subtotal (9p), a negative discount:
    # the subtotal gives up the excess rounding instead (last rate first).
    a = TaxRate("1", Decimal(5), "A", priority=1)
    b = TaxRate("2", Decimal(5), "B", priority=2)
    cart = Cart(shop(prices_include_tax=True, country=""), [a, b])
    cart.add(item("1", 11))
    cart.set_line_discount(0, Discount.fixed(m(1)))
    (line,) = cart.totals().lines
    assert [(lt.subtotal.minor, lt.total.minor) for lt in line.taxes] == [(1, 0), (0, 0)]
    assert (line.subtotal, line.total, line.discount) == (m(10), m(10), m(0))
    assert cart.totals().total == m(10)


def test_jpy_has_no_minor_digits() -> None:
    jp = ShopSettings(currency="JPY", country="JP", prices_include_tax=True, locale="ja_JP")
    standard = TaxRate("10", Decimal("10"), "消費税", country="JP")
    reduced = TaxRate("8", Decimal("8"), "軽減税率", country="JP", tax_class="reduced-rate")
    cart = Cart(jp, [standard, reduced])
    cart.add(item("1", 1100, "JPY"))
    cart.add(item("2", 1080, "JPY", tax_class="reduced-rate"))
    t = cart.totals()
    assert [(tl.rate_id, tl.amount) for tl in t.tax_lines] == [
        ("10", m(100, "JPY")),
        ("8", m(80, "JPY")),
    ]
    assert t.total == m(2180, "JPY")


def test_bhd_has_three_minor_digits() -> None:
    bh = ShopSettings(currency="BHD", country="BH")
    vat = TaxRate("1", Decimal("10"), "VAT", country="BH")
    cart = Cart(bh, [vat])
    cart.add(item("1", 1234, "BHD"))  # 1.234 BHD
    t = cart.totals()
    assert (t.tax_total, t.total) == (m(123, "BHD"), m(1357, "BHD"))
    assert t.total.format("en_GB") == "BHD1.357"


def test_untaxed_products_and_shops() -> None:
    cart = Cart(shop(), [VAT])
    cart.add(item("1", 500, tax_status=TaxStatus.NONE))
    assert cart.totals().tax_total == m(0)
    assert cart.totals().tax_lines == ()
    off = Cart(shop(taxes_enabled=False), [VAT])
    off.add(item("1", 500))
    assert off.totals().total == m(500)


def test_fixed_discounts_never_go_below_zero() -> None:
    cart = Cart(shop(), [VAT])
    cart.add(item("1", 500))
    cart.add(item("2", 300))
    cart.set_line_discount(0, Discount.fixed(m(9999)))
    t = cart.totals()
    assert (t.lines[0].total, t.lines[0].total_tax) == (m(0), m(0))
    cart.set_cart_discount(Discount.fixed(m(100_000)))
    t = cart.totals()
    assert (t.total, t.tax_total, t.discount_total) == (m(0), m(0), m(800))


def test_empty_cart_totals_are_zero() -> None:
    t = Cart(shop("JPY", country="JP"), []).totals()
    assert t.lines == ()
    assert (t.total, t.subtotal_display) == (m(0, "JPY"), m(0, "JPY"))


# -- editing -------------------------------------------------------------------------------------


def test_add_merges_undiscounted_lines_of_the_same_product() -> None:
    cart = Cart(shop(), [])
    p = item("1", 100)
    assert cart.add(p) == 0
    assert cart.add(p, 2) == 0
    assert cart.lines == (CartLine(p, 3),)
    cart.set_line_discount(0, Discount.percent("10"))
    assert cart.add(p) == 1  # a discounted line stays as it is
    assert cart.add(item("1", 120)) == 2  # a new price is a new line
    assert [line.quantity for line in cart.lines] == [3, 1, 1]


@pytest.mark.parametrize(
    ("product", "message"),
    [
        (item("1", 100, kind=ProductKind.VARIABLE), "only groups variations"),
        (Product("2", ProductKind.SIMPLE, "Free?", None), "has no price"),
        (item("3", 100, status="draft"), "status is 'draft'"),
        (item("4", 100, "EUR"), "priced in EUR, but this shop sells in GBP"),
    ],
)
def test_add_refuses_what_cannot_be_sold(product: Product, message: str) -> None:
    cart = Cart(shop(), [])
    with pytest.raises(CartError, match=message):
        cart.add(product)
    assert cart.is_empty


@pytest.mark.parametrize("qty", [0, -1, MAX_QUANTITY + 1, True, 1.5])
def test_add_refuses_bad_quantities(qty: object) -> None:
    with pytest.raises(CartError, match="quantity"):
        Cart(shop(), []).add(item("1", 100), qty)  # type: ignore[arg-type]


def test_merge_cannot_pass_the_maximum() -> None:
    cart = Cart(shop(), [])
    cart.add(item("1", 100), MAX_QUANTITY)
    with pytest.raises(CartError, match="between 1 and 9999"):
        cart.add(item("1", 100))
    assert cart.lines[0].quantity == MAX_QUANTITY


def test_set_quantity_remove_and_bad_indexes() -> None:
    cart = Cart(shop(), [])
    cart.add(item("1", 100))
    cart.add(item("2", 200))
    cart.set_quantity(1, 5)
    assert cart.lines[1].quantity == 5
    cart.set_quantity(0, 0)
    assert [line.product.id for line in cart.lines] == ["2"]
    with pytest.raises(CartError, match="there is no line 3"):
        cart.remove(3)
    with pytest.raises(CartError, match="there is no line -1"):
        cart.set_quantity(-1, 1)
    with pytest.raises(CartError, match="quantity"):
        cart.set_quantity(0, -4)
    cart.remove(0)
    assert cart.is_empty


def test_discount_validation() -> None:
    cart = Cart(shop(), [])
    cart.add(item("1", 100))
    with pytest.raises(CartError, match="discount in EUR cannot apply to a cart in GBP"):
        cart.set_line_discount(0, Discount.fixed(Money(1, "EUR")))
    with pytest.raises(CartError, match="discount in EUR"):
        cart.set_cart_discount(Discount.fixed(Money(0, "EUR")))
    with pytest.raises(CartError, match="expected a Discount"):
        cart.set_cart_discount("10%")  # type: ignore[arg-type]
    cart.set_cart_discount(Discount.percent(5))
    assert cart.cart_discount == Discount(DiscountKind.PERCENT, percentage=Decimal(5))
    cart.set_cart_discount(None)
    assert cart.cart_discount is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Discount.percent("101"), "between 0 and 100"),
        (lambda: Discount.percent(-1), "between 0 and 100"),
        (lambda: Discount.percent("ten"), "'ten' is not a percentage"),
        (lambda: Discount.percent(1.5), "not float"),  # type: ignore[arg-type]
        (lambda: Discount.percent("NaN"), "finite"),
        (lambda: Discount.fixed(Money(-1, "GBP")), "cannot be negative"),
        (lambda: Discount(DiscountKind.FIXED, percentage=Decimal(1)), "Money amount only"),
    ],
)
def test_discount_constructors_explain_mistakes(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


def test_discount_labels_and_amounts() -> None:
    assert Discount.percent("12.50").label() == "12.5%"
    assert Discount.fixed(m(250)).label("en_GB") == "£2.50"
    assert Discount.percent(10).off(m(1005)) == m(101)  # 100.5 rounds half up
    assert Discount.fixed(m(250)).off(m(100)) == m(100)
    assert Discount.percent(10).spread([]) == []
    with pytest.raises(ValueError, match="discount in GBP cannot apply to an amount in EUR"):
        Discount.fixed(m(1)).off(Money(100, "EUR"))


def test_customer_and_identity() -> None:
    cart = Cart(shop(), [])
    assert uuid.UUID(cart.id).version == 4
    assert Cart(shop(), []).id != cart.id
    assert Cart(shop(), [], order_id="fixed-id").id == "fixed-id"
    with pytest.raises(CartError, match="order id"):
        Cart(shop(), [], order_id=" ")
    assert cart.currency == "GBP"
    cart.set_customer("42")
    assert cart.customer_id == "42"
    cart.set_customer(None)
    assert cart.customer_id is None


# -- checkout ------------------------------------------------------------------------------------


def test_checkout_builds_a_committable_order() -> None:
    cart = Cart(shop(prices_include_tax=True), [VAT], order_id="0b7c")
    shirt = Product(
        "101",
        ProductKind.VARIATION,
        "Shirt - L",
        Money(2500, "GBP"),
        sku="SH-L",
        parent_id="100",
        attributes=(Attribute("Size", ("L",)),),
    )
    cart.add(shirt, 2)
    cart.add(item("7", 1000))
    cart.set_customer("42")
    order = cart.checkout(
        [Tender(PaymentMethod.CASH, m(10000))], now=NOW, cashier="ann", offline=True, note="hi"
    )
    check_order(order)
    assert (order.id, order.number, order.created_at, order.currency) == ("0b7c", "", NOW, "GBP")
    assert (order.customer_id, order.cashier, order.offline, order.note) == (
        "42",
        "ann",
        True,
        "hi",
    )
    assert (order.prices_include_tax, order.round_at_subtotal) == (True, False)
    first, second = order.lines
    assert (first.line_no, first.product_id, first.variation_id, first.sku) == (
        1,
        "100",
        "101",
        "SH-L",
    )
    assert first.attributes == (Attribute("Size", ("L",)),)
    assert (first.unit_price, first.quantity) == (m(2500), 2)
    assert (second.line_no, second.product_id, second.variation_id) == (2, "7", None)
    assert order.total == m(6000)
    assert order.change == m(4000)


def test_checkout_refuses_empty_carts_and_naive_or_local_times() -> None:
    cart = Cart(shop(), [])
    with pytest.raises(CartError, match="the cart is empty"):
        cart.checkout([], now=NOW)
    cart.add(item("1", 100))
    with pytest.raises(ValueError, match="aware UTC datetime"):
        cart.checkout([Tender(PaymentMethod.CASH, m(100))], now=datetime(2025, 3, 1, 12))
    paris = timezone(timedelta(hours=1))
    with pytest.raises(ValueError, match="aware UTC datetime"):
        cart.checkout([Tender(PaymentMethod.CASH, m(100))], now=NOW.astimezone(paris))


def test_checkout_passes_on_payment_errors() -> None:
    cart = Cart(shop(), [VAT])
    cart.add(item("1", 1000))
    with pytest.raises(InsufficientPayment, match=r"£2\.00 is still due of the total £12\.00"):
        cart.checkout([Tender(PaymentMethod.CASH, m(1000))], now=NOW)
