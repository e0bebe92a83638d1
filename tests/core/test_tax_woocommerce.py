"""WooCommerce's tax policy: rate selection and WC_Tax's arithmetic (numbers from its own tests)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core import tax_woocommerce as tax
from kiosk.core.models import Product, ProductKind, ShopSettings, TaxRate, TaxStatus
from kiosk.core.money import Money

GB = ShopSettings(currency="GBP", country="GB", postcode="SW1A 1AA", city="London")
VAT = TaxRate("72", Decimal("20.0000"), "VAT", country="GB")
# WooCommerce's test_calc_compound_tax: Quebec, GST 5 % then PST 8.5 % compounding on it.
QC = ShopSettings(currency="CAD", country="CA", state="QC", postcode="12345")
GST = TaxRate("1", Decimal("5.0000"), "GST", country="CA", priority=1)
PST = TaxRate("2", Decimal("8.5000"), "PST", country="CA", state="QC", priority=2, compound=True)


def rate(rate_id: str, **kw: object) -> TaxRate:
    return TaxRate(rate_id, Decimal(str(kw.pop("pct", "10"))), **kw)  # type: ignore[arg-type]


# -- selection -----------------------------------------------------------------------------------


def test_location_fields_match_when_empty_or_equal() -> None:
    assert tax.matches_location(rate("1"), GB)
    assert tax.matches_location(rate("1", country="gb"), GB)
    assert not tax.matches_location(rate("1", country="FR"), GB)
    assert not tax.matches_location(rate("1", country="GB", state="CA"), GB)
    assert tax.matches_location(rate("1", cities=("london",)), GB)
    assert not tax.matches_location(rate("1", cities=("LEEDS",)), GB)
    # A shop without a base country only gets rates that name none.
    assert not tax.matches_location(rate("1", country="GB"), ShopSettings(currency="GBP"))


@pytest.mark.parametrize(
    ("patterns", "postcode", "hit"),
    [
        (("SW1A 1AA",), "sw1a1aa", True),
        (("SW1*",), "SW1A 1AA", True),
        (("SW2*",), "SW1A 1AA", False),
        (("90210...90299",), "90250", True),
        (("90210...90299",), "90300", False),
        (("E1", "SW1A-1AA"), "SW1A 1AA", True),  # any one of several; hyphens and spaces ignored
        (("",), "SW1A 1AA", False),
    ],
)
def test_postcode_rules(patterns: tuple[str, ...], postcode: str, hit: bool) -> None:
    settings = ShopSettings(currency="GBP", country="GB", postcode=postcode)
    assert tax.matches_location(rate("1", postcodes=patterns), settings) is hit


def test_one_rate_per_priority_first_by_order_then_id() -> None:
    rates = [
        rate("9", priority=1, order=2),
        rate("10", priority=1, order=1),
        rate("11", priority=1, order=1),
        rate("3", priority=2, compound=True),
        rate("2", priority=2, compound=True),
        rate("4", priority=0, country="FR"),  # elsewhere
        rate("5", priority=3, tax_class="reduced-rate"),  # another class
    ]
    assert [r.id for r in tax.rates_for(rates, GB)] == ["10", "2"]
    assert [r.id for r in tax.rates_for(rates, GB, "reduced-rate")] == ["5"]


def test_more_specific_location_wins_a_priority() -> None:
    # As WC_Tax::sort_rates_callback: a rate naming the country beats a catch-all one.
    catch_all = rate("1", pct="0", order=0)
    british = rate("2", pct="20", country="GB", order=5)
    assert tax.rates_for([catch_all, british], GB) == (british,)


def test_no_rates_when_taxes_are_off_or_product_not_taxable() -> None:
    assert (
        tax.rates_for([VAT], ShopSettings(currency="GBP", country="GB", taxes_enabled=False)) == ()
    )
    price = Money(100, "GBP")
    for status in (TaxStatus.NONE, TaxStatus.SHIPPING):
        p = Product("1", ProductKind.SIMPLE, "Gift card", price, tax_status=status)
        assert tax.rates_for_product([VAT], GB, p) == ()
    reduced = Product("2", ProductKind.SIMPLE, "Kids' shoes", price, tax_class="reduced-rate")
    five = rate("7", pct="5", tax_class="reduced-rate")
    assert tax.rates_for_product([VAT, five], GB, reduced) == (five,)


# -- arithmetic ----------------------------------------------------------------------------------


def test_single_rate_matches_woocommerce() -> None:
    # WC_Tests_Tax::test_calc_tax: 9.99 at 20 % -> 1.665 inclusive, 1.998 exclusive.
    assert tax.calc_tax(999, [VAT], inclusive=True) == (Fraction("166.5"),)
    assert tax.calc_tax(999, [VAT], inclusive=False) == (Fraction("199.8"),)


def test_compound_rates_match_woocommerce() -> None:
    rates = tax.rates_for([PST, GST], QC)
    assert rates == (GST, PST)
    # 100 exclusive: GST 5, PST 8.5 % of 105 = 8.925.
    assert tax.calc_tax(10000, rates, inclusive=False) == (Fraction(500), Fraction("892.5"))
    # 100 inclusive: PST backed out first (7.8341), then GST from the rest (4.3889).
    gst, pst = tax.calc_tax(10000, rates, inclusive=True)
    assert round(gst / 100, 4) == Fraction("4.3889")
    assert round(pst / 100, 4) == Fraction("7.8341")
    net = 10000 / (Fraction("1.05") * Fraction("1.085"))
    assert abs(gst + pst + net - 10000) <= Fraction(1, 10**6)


def test_inclusive_regular_rates_share_by_rate() -> None:
    a, b = rate("1", pct="10"), rate("2", pct="5", priority=2)
    ta, tb = tax.calc_tax(11500, [a, b], inclusive=True)
    assert (ta, tb) == (Fraction(1000), Fraction(500))


def test_taxes_keep_six_decimals_of_a_minor_unit_as_woocommerce() -> None:
    seventeen = rate("1", pct="17")
    (t,) = tax.calc_tax(100, [seventeen], inclusive=True)  # 100 * 17/117 = 14.5299145299...
    assert t == Fraction("14.529915")
    assert tax.calc_tax(100, [], inclusive=True) == ()


@given(
    st.integers(0, 10**9),
    st.lists(st.tuples(st.decimals(0, 30, places=4), st.booleans()), min_size=1, max_size=4),
)
def test_inclusive_tax_is_the_exclusive_tax_of_the_net(
    gross: int, spec: list[tuple[Decimal, bool]]
) -> None:
    rates = [TaxRate(str(i), pct, compound=c, priority=i) for i, (pct, c) in enumerate(spec)]
    inc = tax.calc_tax(gross, rates, inclusive=True)
    net = gross - sum(inc)
    exc = tax.calc_tax(net, rates, inclusive=False)
    assert all(t >= 0 for t in inc)
    # Equal up to WooCommerce's 6-decimal rounding of each tax.
    assert all(abs(i - e) <= Fraction(len(rates), 10**6) * 4 for i, e in zip(inc, exc, strict=True))


# -- rounding ------------------------------------------------------------------------------------


def test_round_shares_rounds_once_then_splits() -> None:
    thirds = [Fraction(1667, 10)] * 3  # 166.7 each: 500.1 in all
    assert tax.round_shares(thirds) == [167, 167, 166]
    assert tax.round_shares([Fraction(1, 2), Fraction(1, 2)]) == [1, 0]
    assert tax.round_shares([]) == []
    with pytest.raises(ValueError, match="non-negative"):
        tax.round_shares([Fraction(-1)])


@given(st.lists(st.fractions(0, 10**6, max_denominator=10**6), max_size=10))
def test_round_shares_sum_and_closeness(values: list[Fraction]) -> None:
    parts = tax.round_shares(values)
    assert sum(parts) == round(sum(values, Fraction(0)) + Fraction(1, 10**9))  # half up
    assert all(abs(p - v) < 1 for p, v in zip(parts, values, strict=True))


def test_round_taxes_per_line_or_at_subtotal() -> None:
    exact = [(Fraction("0.4"),), (Fraction("0.4"),), (Fraction("0.4"),)]
    rates = [(VAT,)] * 3
    assert tax.round_taxes(exact, rates, at_subtotal=False) == [[0], [0], [0]]
    assert tax.round_taxes(exact, rates, at_subtotal=True) == [[1], [0], [0]]
