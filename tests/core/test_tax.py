"""Tax policies: the shop settings name one, and pricing asks it for every tax."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

import pytest

from kiosk.core import tax, tax_woocommerce
from kiosk.core.models import Product, ProductKind, ShopSettings, TaxRate
from kiosk.core.money import Money
from kiosk.core.pricing import CartLine, compute_totals

VAT = TaxRate("72", Decimal("20.0000"), "VAT", country="GB")
PEN = Product("1", ProductKind.SIMPLE, "Pen", Money(999, "GBP"))


class RoundDown:
    """A made-up platform that applies every rate and rounds each line's tax down."""

    def rates_for_product(
        self, rates: Iterable[TaxRate], settings: ShopSettings, product: Product
    ) -> tuple[TaxRate, ...]:
        return tuple(rates)

    def calc_tax(
        self, price: int, rates: Sequence[TaxRate], *, inclusive: bool
    ) -> tuple[Fraction, ...]:
        assert not inclusive
        return tuple(price * Fraction(r.rate) / 100 for r in rates)

    def round_taxes(
        self,
        exact: Sequence[Sequence[Fraction]],
        rates: Sequence[Sequence[TaxRate]],
        settings: ShopSettings,
    ) -> list[list[int]]:
        return [[math.floor(x) for x in row] for row in exact]


def test_a_shop_is_priced_with_woocommerce_arithmetic_unless_it_names_another() -> None:
    assert tax.policy_for(ShopSettings(currency="GBP")) is tax_woocommerce.POLICY


def test_an_unknown_policy_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"'shopify' is not known here.*woocommerce"):
        tax.policy_for(ShopSettings(currency="GBP", tax_policy="shopify"))


def test_pricing_takes_every_tax_from_the_policy_the_settings_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(tax.POLICIES, "round-down", RoundDown())  # type: ignore[attr-defined]
    woo = ShopSettings(currency="GBP", country="GB")
    other = ShopSettings(currency="GBP", tax_policy="round-down")  # no location: rates still apply
    # 9.99 at 20 % is 1.998 of tax: WC_Tax rounds it to 2.00, the other platform down to 1.99.
    assert compute_totals(woo, [VAT], [CartLine(PEN, 1)]).tax_total == Money(200, "GBP")
    assert compute_totals(other, [VAT], [CartLine(PEN, 1)]).tax_total == Money(199, "GBP")


def test_trim_takes_from_the_last_rate_down_to_a_floor() -> None:
    values = [5, 3, 2]
    tax.trim(values, 4)
    assert values == [5, 1, 0]
    values = [5, 3, 2]
    tax.trim(values, 99)
    assert values == [0, 0, 0]
    values = [5, 3, 2]
    tax.trim(values, 3, floor=[5, 2, 1])
    assert values == [5, 2, 1]
    values = [1]
    tax.trim(values, 0)
    assert values == [1]
