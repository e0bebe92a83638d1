"""Refund arithmetic: prorated to the cent, whole refunds equal to the sale, limits in words."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kiosk.core.cart import Cart
from kiosk.core.discount import Discount
from kiosk.core.models import Order, PaymentMethod, Product, ProductKind, ShopSettings, TaxRate
from kiosk.core.money import Money
from kiosk.core.refund_calc import (
    RefundError,
    build_refund,
    card_refundable,
    left_to_refund,
    quantities_for_skus,
    refund_lines,
)
from kiosk.core.refunds import Refund
from kiosk.core.tender import Tender

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
VAT = TaxRate("1", Decimal("20.0000"), "VAT", country="GB")
REDUCED = TaxRate("2", Decimal("5.0000"), "Reduced", country="GB", tax_class="reduced-rate")
CASH, CARD = PaymentMethod.CASH, PaymentMethod.CARD


def _product(pid: str, minor: int, **kw: object) -> Product:
    return Product(
        pid,
        kind=ProductKind.SIMPLE,
        name=f"Item {pid}",
        price=Money(minor, "GBP"),
        sku=f"SKU-{pid}",
        **kw,  # type: ignore[arg-type]
    )


def sale(include_tax: bool, *, card: bool = False, cash_part: int = 0) -> Order:
    """Three lines at awkward prices, a 10 % cart discount, two rates: rounding everywhere."""
    settings = ShopSettings("GBP", prices_include_tax=include_tax, country="GB", locale="en_GB")
    cart = Cart(settings, [VAT, REDUCED])
    cart.add(_product("1", 333), 7)
    cart.add(_product("2", 1999, tax_class="reduced-rate"), 3)
    cart.add(_product("3", 101), 11)
    cart.set_cart_discount(Discount.percent(Decimal("10")))
    total = cart.totals().total
    if not card:
        return cart.checkout([Tender(CASH, total)], now=NOW)
    tenders = [Tender(CARD, total - Money(cash_part, "GBP"), reference="pi_1")]
    if cash_part:
        tenders.insert(0, Tender(CASH, Money(cash_part, "GBP")))
    return cart.checkout(tenders, now=NOW)


def refund(
    order: Order,
    earlier: list[Refund],
    wanted: dict[int, int] | None,
    method: PaymentMethod = CASH,
) -> Refund:
    lines = refund_lines(order, earlier, wanted)
    return build_refund(order, earlier, lines, method, refund_id=str(uuid.uuid4()), created_at=NOW)


@pytest.mark.parametrize("include_tax", [False, True], ids=["excl-tax", "incl-tax"])
def test_a_full_refund_equals_the_sale_to_the_cent(include_tax: bool) -> None:
    order = sale(include_tax)
    whole = refund(order, [], None)
    assert whole.amount == order.total
    assert sum(rl.total.minor for rl in whole.lines) == sum(li.total.minor for li in order.lines)
    for t in order.tax_lines:
        back = sum(x.total.minor for rl in whole.lines for x in rl.taxes if x.rate_id == t.rate_id)
        assert back == t.amount.minor


@pytest.mark.parametrize("include_tax", [False, True], ids=["excl-tax", "incl-tax"])
def test_refunds_one_unit_at_a_time_add_up_to_the_sale(include_tax: bool) -> None:
    order = sale(include_tax)
    earlier: list[Refund] = []
    for li in order.lines:
        for _ in range(li.quantity):
            earlier.append(refund(order, earlier, {li.line_no: 1}))
    assert sum(r.amount.minor for r in earlier) == order.total.minor
    per_line = {li.line_no: 0 for li in order.lines}
    for r in earlier:
        for rl in r.lines:
            per_line[rl.line_no] += rl.total.minor + rl.total_tax.minor
    assert per_line == {li.line_no: li.total.minor + li.total_tax.minor for li in order.lines}
    assert left_to_refund(order, earlier) == {li.line_no: 0 for li in order.lines}
    with pytest.raises(RefundError, match="already refunded in full"):
        refund(order, earlier, None)


def test_units_are_prorated_and_the_last_takes_the_remainder() -> None:
    order = sale(False)
    line = order.lines[0]  # 7 x 3.33 less 10 %: 20.98 ex tax over 7 units
    parts = [refund(order, [], {1: 1})]
    parts.append(refund(order, parts, {1: 5}))
    parts.append(refund(order, parts, {1: 1}))
    totals = [p.lines[0].total.minor for p in parts]
    assert totals[0] == round(line.total.minor / 7)
    assert sum(totals) == line.total.minor
    assert [p.lines[0].quantity for p in parts] == [1, 5, 1]


def test_more_than_is_left_is_refused_naming_the_line_and_sku() -> None:
    order = sale(False)
    first = refund(order, [], {2: 2})
    with pytest.raises(RefundError, match=r"line 2 \(SKU-2\): 2 to refund, but only 1 of 3"):
        refund(order, [first], {2: 2})
    with pytest.raises(RefundError, match=r"SKU SKU-2: 2 to refund, but only 1 of 3"):
        quantities_for_skus(order, [first], {"SKU-2": 2})
    with pytest.raises(RefundError, match="no line with SKU NOPE"):
        quantities_for_skus(order, [], {"NOPE": 1})
    with pytest.raises(RefundError, match="has no line 9"):
        refund(order, [], {9: 1})
    assert quantities_for_skus(order, [first], {"SKU-2": 1, "SKU-3": 4}) == {2: 1, 3: 4}


def test_card_only_for_card_orders_and_at_most_what_the_card_paid() -> None:
    cash = sale(False)
    with pytest.raises(RefundError, match="was not paid by card: refund it in cash"):
        refund(cash, [], {1: 1}, CARD)
    split = sale(False, card=True, cash_part=5000)
    card_part = split.total - Money(5000, "GBP")
    assert card_refundable(split, []) == card_part
    with pytest.raises(RefundError, match="more can go back to the card"):
        refund(split, [], None, CARD)  # the whole sale: more than the card paid
    back: list[Refund] = []
    refused = ""
    for no in itertools.cycle([li.line_no for li in split.lines]):
        try:
            back.append(refund(split, back, {no: 1}, CARD))
        except RefundError as exc:
            refused = str(exc)
            break
    assert "more can go back to the card" in refused
    assert sum(r.amount.minor for r in back) <= card_part.minor
    assert card_refundable(split, back) == card_part - Money(
        sum(r.amount.minor for r in back), "GBP"
    )
    rest = refund(split, back, None, CASH)  # the rest goes back in cash
    assert sum(r.amount.minor for r in [*back, rest]) == split.total.minor


def test_with_tax_in_prices_one_unit_back_is_what_one_unit_cost() -> None:
    """Two at 8.50 with 19 % in the price: 14.29 + 2.71 = 17.00; one back is 8.50 (7.14 +
    1.36), not 7.15 + 1.36 = 8.51, and the second the rest: 8.50 (7.15 + 1.35)."""
    vat = TaxRate("1", Decimal("19.0000"), "MwSt", country="DE")
    settings = ShopSettings("EUR", prices_include_tax=True, country="DE", locale="de_DE")
    cart = Cart(settings, [vat])
    cart.add(Product("m", kind=ProductKind.SIMPLE, name="Mug", price=Money(850, "EUR")), 2)
    order = cart.checkout([Tender(CASH, cart.totals().total)], now=NOW)
    (line,) = order.lines
    assert (line.total.minor, line.total_tax.minor) == (1429, 271)
    first = refund(order, [], {line.line_no: 1})
    second = refund(order, [first], {line.line_no: 1})
    assert [r.amount.minor for r in (first, second)] == [850, 850]
    assert [(r.lines[0].total.minor, r.lines[0].total_tax.minor) for r in (first, second)] == [
        (714, 136),
        (715, 135),
    ]


@pytest.mark.parametrize("include_tax", [False, True], ids=["excl-tax", "incl-tax"])
def test_one_unit_back_is_its_shelf_price_even_for_pennies(include_tax: bool) -> None:
    settings = ShopSettings("GBP", prices_include_tax=include_tax, country="GB", locale="en_GB")
    cart = Cart(settings, [VAT])
    for pid, minor, qty in (("1", 2, 2), ("2", 850, 3), ("3", 1999, 7), ("4", 7, 6)):
        cart.add(_product(pid, minor), qty)
    order = cart.checkout([Tender(CASH, cart.totals().total)], now=NOW)
    earlier: list[Refund] = []
    for li in order.lines:
        for _ in range(li.quantity):
            back = refund(order, earlier, {li.line_no: 1})
            earlier.append(back)
            (rl,) = back.lines
            if include_tax:
                assert rl.total + rl.total_tax == li.unit_price, li.sku
            else:  # the shelf price is ex tax: its tax is rounded on top, line by line
                assert abs(rl.total.minor - li.unit_price.minor) <= 1, li.sku
    assert sum(r.amount.minor for r in earlier) == order.total.minor
