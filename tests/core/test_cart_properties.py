"""Invariants of cart totals and settlement over random carts, rates, discounts and currencies."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.cart import Cart, CartTotals
from kiosk.core.discount import Discount
from kiosk.core.models import PaymentMethod, Product, ProductKind, ShopSettings, TaxRate, TaxStatus
from kiosk.core.money import Money
from kiosk.core.tender import Tender, settle
from kiosk.store.orders import check_order

CURRENCIES = ("JPY", "EUR", "BHD")
CLASSES = ("", "reduced-rate")

rates_st = st.lists(
    st.builds(
        lambda i, pct, compound, priority, cls, country, order: TaxRate(
            str(i),
            pct,
            f"Tax {i}",
            tax_class=cls,
            priority=priority,
            compound=compound,
            country=country,
            order=order,
        ),
        st.integers(1, 10**6),
        st.decimals(0, 30, places=4),
        st.booleans(),
        st.integers(1, 4),
        st.sampled_from(CLASSES),
        st.sampled_from(("", "GB", "FR")),
        st.integers(0, 3),
    ),
    max_size=6,
    unique_by=lambda r: r.id,
)


@st.composite
def discounts(draw: st.DrawFn, currency: str, largest: int) -> Discount | None:
    kind = draw(st.sampled_from(("none", "percent", "fixed")))
    if kind == "percent":
        return Discount.percent(draw(st.decimals(0, 100, places=2)))
    if kind == "fixed":
        return Discount.fixed(Money(draw(st.integers(0, largest)), currency))
    return None


@st.composite
def carts(draw: st.DrawFn) -> Cart:
    currency = draw(st.sampled_from(CURRENCIES))
    shop = ShopSettings(
        currency=currency,
        prices_include_tax=draw(st.booleans()),
        round_at_subtotal=draw(st.booleans()),
        taxes_enabled=draw(st.booleans().map(lambda off: not off) | st.just(True)),
        country="GB",
    )
    cart = Cart(shop, draw(rates_st))
    for n in range(draw(st.integers(1, 6))):
        price = draw(st.integers(0, 10**6) | st.integers(0, 20))  # small prices stress rounding
        product = Product(
            str(n),
            ProductKind.SIMPLE,
            f"Product {n}",
            Money(price, currency),
            tax_class=draw(st.sampled_from(CLASSES)),
            tax_status=draw(st.sampled_from(TaxStatus)),
        )
        index = cart.add(product, draw(st.integers(1, 20)))
        cart.set_line_discount(index, draw(discounts(currency, price * 25)))
    cart.set_cart_discount(draw(discounts(currency, 10**7)))
    return cart


def check_invariants(cart: Cart, t: CartTotals) -> None:
    cur = cart.currency

    def total(ms: list[Money]) -> int:
        assert all(x.currency == cur for x in ms)
        return sum(x.minor for x in ms)

    assert t.total.minor == total([ln.total for ln in t.lines]) + t.tax_total.minor
    assert t.tax_total.minor == total([tl.amount for tl in t.tax_lines])
    assert t.subtotal.minor == total([ln.subtotal for ln in t.lines])
    assert t.discount_total.minor == t.subtotal.minor - total([ln.total for ln in t.lines])
    for tl in t.tax_lines:
        per_line = [lt.total for ln in t.lines for lt in ln.taxes if lt.rate_id == tl.rate_id]
        assert tl.amount.minor == total(per_line)
    assert len({tl.rate_id for tl in t.tax_lines}) == len(t.tax_lines)
    shelf = 0
    paid = 0
    for line, cl in zip(t.lines, cart.lines, strict=True):
        amounts = [line.total, line.total_tax, line.subtotal_tax]
        amounts += [lt.total for lt in line.taxes] + [lt.subtotal for lt in line.taxes]
        assert min(a.minor for a in amounts) >= 0
        assert line.total <= line.subtotal
        assert line.discount == line.subtotal - line.total
        assert line.total_tax.minor == total([lt.total for lt in line.taxes])
        assert line.subtotal_tax.minor == total([lt.subtotal for lt in line.taxes])
        gross = cl.amount.minor
        shelf += gross
        if cart.settings.prices_include_tax:
            assert line.subtotal.minor + line.subtotal_tax.minor == gross
        else:
            assert line.subtotal.minor == gross
        paid += line.total.minor + (line.total_tax.minor if cart.settings.prices_include_tax else 0)
        if not cl.product.taxable or not cart.settings.taxes_enabled:
            assert line.taxes == ()
    assert t.subtotal_display.minor == shelf
    if cart.settings.prices_include_tax:
        # The customer pays the shelf price less the discounts, whatever the tax inside it.
        assert t.total.minor == paid == shelf - t.discount_display.minor
    else:
        assert t.discount_display == t.discount_total
    assert min(t.discount_total.minor, t.discount_display.minor) >= 0


@settings(max_examples=300, deadline=None)
@given(carts())
def test_cart_totals_invariants(cart: Cart) -> None:
    check_invariants(cart, cart.totals())


@settings(max_examples=100, deadline=None)
@given(cart=carts(), card_share=st.integers(0, 100), extra_cash=st.integers(0, 10**5))
def test_checkout_settles_exactly(cart: Cart, card_share: int, extra_cash: int) -> None:
    due = cart.totals().total
    card = due.minor * card_share // 100
    tenders = [Tender(PaymentMethod.CASH, Money(due.minor - card + extra_cash, due.currency))]
    if card:
        tenders.insert(0, Tender(PaymentMethod.CARD, Money(card, due.currency), reference="pi"))
    order = cart.checkout(tenders, now=datetime(2025, 1, 1, tzinfo=UTC))
    check_order(order)
    assert sum(p.amount.minor for p in order.payments) == order.total.minor
    cash = [p for p in order.payments if p.method is PaymentMethod.CASH]
    assert cash[0].change.minor == cash[0].tendered.minor - cash[0].amount.minor == extra_cash
    assert settle(order.total, tenders) == order.payments


@settings(max_examples=200, deadline=None)
@given(carts())
def test_round_at_subtotal_moves_tax_by_less_than_a_unit_per_line_and_rate(cart: Cart) -> None:
    # Same cart, the other rounding mode: each rate's total differs by less than one unit
    # per line that carries it (the per-line roundings can drift that far, no further).
    s = cart.settings
    other = Cart(
        ShopSettings(
            currency=s.currency,
            prices_include_tax=s.prices_include_tax,
            round_at_subtotal=not s.round_at_subtotal,
            taxes_enabled=s.taxes_enabled,
            country=s.country,
        ),
        cart.tax_rates,
    )
    for ln in cart.lines:
        i = other.add(ln.product, ln.quantity)
        other.set_line_discount(i, ln.discount)
    other.set_cart_discount(cart.cart_discount)
    a, b = cart.totals(), other.totals()
    check_invariants(other, b)
    for x, y in zip(a.tax_lines, b.tax_lines, strict=True):
        carriers = sum(1 for ln in a.lines for lt in ln.taxes if lt.rate_id == x.rate_id)
        assert x.rate_id == y.rate_id
        assert abs(x.amount.minor - y.amount.minor) <= carriers


def test_discount_percent_decimal_input() -> None:
    assert Discount.percent(Decimal("33.333")).percentage == Decimal("33.333")
