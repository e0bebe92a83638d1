"""WooCommerce's tax policy: rate selection and arithmetic, reproducing WC_Tax to the minor unit.

All amounts here are exact Fractions of minor units (cents), as WC_Cart_Totals works in cents.
WooCommerce rounds each computed tax to 6 decimals of that unit (wc_get_rounding_precision) before
the cart rounds it to whole units; we do the same so a value such as 166.4999999... lands where
the store's lands. Taxes are rounded per line, or once per rate when the shop rounds at subtotal
(ShopSettings.round_at_subtotal). `POLICY` is this arithmetic as a kiosk.core.tax.TaxPolicy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from fractions import Fraction

from kiosk.core.models import Product, ShopSettings, TaxRate
from kiosk.core.money import round_half_up

# WC_ROUNDING_PRECISION: digits WooCommerce keeps on a computed tax (in minor units).
_PRECISION = 10**6
_POSTCODE_JUNK = re.compile(r"[\s\-]")

Amount = Fraction | int


def _wc_round(value: Fraction) -> Fraction:
    """WC_Tax::round: half away from zero to 6 decimals of the minor unit."""
    return Fraction(round_half_up(value * _PRECISION), _PRECISION)


def _pct(rate: TaxRate) -> Fraction:
    return Fraction(rate.rate) / 100


# -- rate selection ------------------------------------------------------------------------------


def _norm_postcode(code: str) -> str:
    return _POSTCODE_JUNK.sub("", code.strip().upper())


def _postcode_matches(pattern: str, postcode: str) -> bool:
    """One WooCommerce postcode rule: exact, "SW1*" (a prefix) or "90210...90299" (a range)."""
    pattern = _norm_postcode(pattern)
    if not pattern:
        return False
    if "..." in pattern:
        low, _, high = pattern.partition("...")
        if low.isdigit() and high.isdigit() and postcode.isdigit():
            return int(low) <= int(postcode) <= int(high)
        return len(low) == len(postcode) and low <= postcode <= high
    if pattern.endswith("*"):
        return postcode.startswith(pattern[:-1])
    return pattern == postcode


def matches_location(rate: TaxRate, settings: ShopSettings) -> bool:
    """Whether `rate` applies at the shop's base location; empty rate fields match anything."""
    if rate.country and rate.country.upper() != settings.country.upper():
        return False
    if rate.state and rate.state.upper() != settings.state.upper():
        return False
    postcode = _norm_postcode(settings.postcode)
    if rate.postcodes and not any(_postcode_matches(p, postcode) for p in rate.postcodes):
        return False
    city = settings.city.strip().upper()
    return not rate.cities or any(c.strip().upper() == city for c in rate.cities)


def _id_key(rate_id: str) -> tuple[int, int, str]:
    # WooCommerce ids are integers; compare them as numbers so "10" sorts after "9".
    return (0, int(rate_id), "") if rate_id.isdigit() else (1, 0, rate_id)


def _sort_key(rate: TaxRate) -> tuple[object, ...]:
    """WC_Tax::sort_rates_callback: priority, then the more specific location, then order, id."""
    return (
        rate.priority,
        not rate.country,
        not rate.state,
        not rate.postcodes,
        not rate.cities,
        rate.order,
        _id_key(rate.id),
    )


def rates_for(
    rates: Iterable[TaxRate], settings: ShopSettings, tax_class: str = ""
) -> tuple[TaxRate, ...]:
    """The rates WooCommerce applies to `tax_class` at the shop's base location.

    One rate per priority (the most specific location first, then `order`, then id), in ascending
    priority. Empty when the shop does not calculate taxes.
    """
    if not settings.taxes_enabled:
        return ()
    found = sorted(
        (r for r in rates if r.tax_class == tax_class and matches_location(r, settings)),
        key=_sort_key,
    )
    chosen: list[TaxRate] = []
    seen: set[int] = set()
    for rate in found:
        if rate.priority not in seen:
            seen.add(rate.priority)
            chosen.append(rate)
    return tuple(chosen)


def rates_for_product(
    rates: Iterable[TaxRate], settings: ShopSettings, product: Product
) -> tuple[TaxRate, ...]:
    """The rates for one product; none unless its tax status is TAXABLE."""
    if not product.taxable:
        return ()
    return rates_for(rates, settings, product.tax_class)


# -- arithmetic ----------------------------------------------------------------------------------


def calc_exclusive_tax(price: Amount, rates: Sequence[TaxRate]) -> tuple[Fraction, ...]:
    """WC_Tax::calc_exclusive_tax: taxes per rate (aligned with `rates`) on a price before tax.

    Regular rates each tax the price; then each compound rate, in order, taxes the price plus
    every tax before it.
    """
    p = Fraction(price)
    taxes = [p * _pct(r) if not r.compound else Fraction(0) for r in rates]
    for i, rate in enumerate(rates):
        if rate.compound:
            taxes[i] = (p + sum(taxes, Fraction(0))) * _pct(rate)
    return tuple(_wc_round(t) for t in taxes)


def calc_inclusive_tax(price: Amount, rates: Sequence[TaxRate]) -> tuple[Fraction, ...]:
    """WC_Tax::calc_inclusive_tax: taxes per rate (aligned with `rates`) inside a gross price.

    Compound rates are backed out first, last one first; the regular rates then share what is
    left in proportion to their rates.
    """
    p = Fraction(price)
    taxes = [Fraction(0)] * len(rates)
    non_compound = p
    for i in reversed(range(len(rates))):
        if rates[i].compound:
            tax = non_compound - non_compound / (1 + _pct(rates[i]))
            taxes[i] += tax
            non_compound -= tax
    regular = 1 + sum((_pct(r) for r in rates if not r.compound), Fraction(0))
    for i, rate in enumerate(rates):
        if not rate.compound:
            # WooCommerce computes price - (price - share * non_compound): the same exact value.
            taxes[i] += _pct(rate) / regular * non_compound
    return tuple(_wc_round(t) for t in taxes)


def calc_tax(price: Amount, rates: Sequence[TaxRate], *, inclusive: bool) -> tuple[Fraction, ...]:
    """WC_Tax::calc_tax: unrounded (6-decimal) taxes per rate in minor units."""
    if not rates:
        return ()
    return calc_inclusive_tax(price, rates) if inclusive else calc_exclusive_tax(price, rates)


def round_shares(values: Sequence[Fraction]) -> list[int]:
    """Round the sum of non-negative `values` once, then split it into whole units per value.

    Each value gets its floor, and the units left over go to the largest fractional parts (ties
    to the earliest), so the parts always add up to round_half_up(sum(values)).
    """
    if any(v < 0 for v in values):
        raise ValueError("round_shares needs non-negative values")
    target = round_half_up(sum(values, Fraction(0)))
    parts = [v.numerator // v.denominator for v in values]
    left = target - sum(parts)
    order = sorted(range(len(values)), key=lambda i: (-(values[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def round_taxes(
    exact: Sequence[Sequence[Fraction]], rates: Sequence[Sequence[TaxRate]], at_subtotal: bool
) -> list[list[int]]:
    """Whole-unit taxes per line and rate: each rounded, or each rate's sum rounded once."""
    if not at_subtotal:
        return [[round_half_up(x) for x in row] for row in exact]
    out = [[0] * len(row) for row in exact]
    by_rate: dict[str, list[tuple[int, int]]] = {}
    for i, row_rates in enumerate(rates):
        for k, rate in enumerate(row_rates):
            by_rate.setdefault(rate.id, []).append((i, k))
    for cells in by_rate.values():
        for (i, k), share in zip(cells, round_shares([exact[i][k] for i, k in cells]), strict=True):
            out[i][k] = share
    return out


class WooCommerceTax:
    """WC_Tax's rates and arithmetic, as the TaxPolicy that kiosk.core.pricing asks."""

    def rates_for_product(
        self, rates: Iterable[TaxRate], settings: ShopSettings, product: Product
    ) -> tuple[TaxRate, ...]:
        return rates_for_product(rates, settings, product)

    def calc_tax(
        self, price: Amount, rates: Sequence[TaxRate], *, inclusive: bool
    ) -> tuple[Fraction, ...]:
        return calc_tax(price, rates, inclusive=inclusive)

    def round_taxes(
        self,
        exact: Sequence[Sequence[Fraction]],
        rates: Sequence[Sequence[TaxRate]],
        settings: ShopSettings,
    ) -> list[list[int]]:
        return round_taxes(exact, rates, settings.round_at_subtotal)


NAME = "woocommerce"  # ShopSettings.tax_policy of a WooCommerce shop
POLICY = WooCommerceTax()
