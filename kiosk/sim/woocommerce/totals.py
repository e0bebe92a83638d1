"""Order totals as WooCommerce computes them on `POST /orders`, ported independently of kiosk.core.

The steps and rounding points follow WooCommerce 9.x:
- a line with no `total`/`subtotal` gets `wc_get_price_excluding_tax(product, qty)`: price x qty,
  less the tax the base-location rates include when prices are entered with tax (unrounded; the
  item keeps 6 decimals, `wc_format_decimal`);
- `WC_Order_Item::calculate_taxes`: `WC_Tax::calc_tax(line total, rates, false)` per rate, each
  rounded to 6 decimals (`WC_Tax::round`), for the rates `WC_Tax::find_rates` matches at the tax
  location (store base, billing or shipping address) for the line's tax class;
- fees: positive fees are taxed like items; negative fees split their tax across the order's tax
  classes in proportion to the line costs (`WC_Order_Item_Fee::calculate_taxes`);
- `update_taxes`: per-rate sums of line taxes, each rounded to the price decimals first
  (`wc_round_tax_total`, half-down when prices include tax, else half-up) unless
  `woocommerce_tax_round_at_subtotal` is yes;
- `calculate_totals`: line totals rounded to cents before summing (unless rounding at subtotal),
  total = round(lines + fees + shipping + cart tax, dp) half-up; total_tax = round(cart tax, dp).
Decimal stands in for PHP floats; PHP's round() pre-rounds, which makes it behave like a decimal
half-up round on the printed value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

ZERO = Decimal(0)


def rnd(value: Decimal, places: int, mode: str = ROUND_HALF_UP) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=mode)


def dec(value: Any) -> Decimal:
    """A posted or stored amount as a Decimal ('' and None are 0, as PHP's floatval)."""
    if value in (None, ""):
        return ZERO
    try:
        return Decimal(str(value).strip())
    except ArithmeticError:
        return ZERO


def raw(value: Decimal) -> str:
    """`wc_format_decimal(float)`: 6 decimals, trailing zeros trimmed ("1.331667", "2")."""
    text = f"{rnd(value, 6):f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class TaxSettings:
    """The store options the calculation reads."""

    decimals: int
    calc_taxes: bool
    prices_include_tax: bool
    round_at_subtotal: bool
    tax_based_on: str
    base: Mapping[str, str]  # country, state, postcode, city

    @classmethod
    def from_options(cls, option: Any) -> TaxSettings:
        """Build from a `name -> value` option getter (WooStore.option)."""
        country, _, state = str(option("woocommerce_default_country")).partition(":")
        return cls(
            decimals=int(option("woocommerce_price_num_decimals") or 2),
            calc_taxes=option("woocommerce_calc_taxes") == "yes",
            prices_include_tax=option("woocommerce_prices_include_tax") == "yes",
            round_at_subtotal=option("woocommerce_tax_round_at_subtotal") == "yes",
            tax_based_on=str(option("woocommerce_tax_based_on") or "shipping"),
            base={
                "country": country,
                "state": state,
                "postcode": str(option("woocommerce_store_postcode")),
                "city": str(option("woocommerce_store_city")),
            },
        )

    @property
    def precision(self) -> int:
        return max(self.decimals + 2, 6)  # wc_get_rounding_precision()

    def round_tax(self, value: Decimal) -> Decimal:
        """`wc_round_tax_total`: price decimals, half-down when prices include tax."""
        mode = ROUND_HALF_DOWN if self.prices_include_tax else ROUND_HALF_UP
        return rnd(value, self.decimals, mode)


# -- rates --------------------------------------------------------------------------------------


def _matches(value: str, allowed: Sequence[str]) -> bool:
    if not allowed:
        return True
    value = value.strip().upper()
    for pattern in allowed:
        pattern = str(pattern).strip().upper()
        if "..." in pattern:
            low, _, high = pattern.partition("...")
            digits = value.isdigit() and low.isdigit() and high.isdigit()
            if digits and int(low) <= int(value) <= int(high):
                return True
        elif pattern.endswith("*"):
            if value.startswith(pattern[:-1]):
                return True
        elif value == pattern:
            return True
    return False


def find_rates(
    rates: Sequence[Mapping[str, Any]], where: Mapping[str, str], tax_class: str
) -> list[Mapping[str, Any]]:
    """`WC_Tax::find_rates`: the first matching rate of each priority, by priority then order."""
    wanted = tax_class or "standard"
    found: dict[int, Mapping[str, Any]] = {}
    for rate in sorted(rates, key=lambda r: (int(r.get("priority", 1)), int(r.get("order", 0)))):
        if (rate.get("class") or "standard") != wanted:
            continue
        if rate.get("country") and str(rate["country"]).upper() != where["country"].upper():
            continue
        if rate.get("state") and str(rate["state"]).upper() != where["state"].upper():
            continue
        postcodes = rate.get("postcodes") or ([rate["postcode"]] if rate.get("postcode") else [])
        cities = rate.get("cities") or ([rate["city"]] if rate.get("city") else [])
        if not _matches(where["postcode"], postcodes) or not _matches(where["city"], cities):
            continue
        found.setdefault(int(rate.get("priority", 1)), rate)
    return list(found.values())


def calc_tax(
    price: Decimal, rates: Sequence[Mapping[str, Any]], inclusive: bool, precision: int = 6
) -> dict[int, Decimal]:
    """`WC_Tax::calc_tax`: tax per rate id, each rounded to `precision` decimals."""
    taxes: dict[int, Decimal] = {int(r["id"]): ZERO for r in rates} if inclusive else {}
    compound = [r for r in rates if r.get("compound")]
    regular = [r for r in rates if not r.get("compound")]
    if inclusive:
        base = price
        for rate in reversed(compound):
            tax = base - base / (1 + dec(rate["rate"]) / 100)
            taxes[int(rate["id"])] += tax
            base -= tax
        total_rate = 1 + sum((dec(r["rate"]) for r in regular), ZERO) / 100
        for rate in regular:
            share = (dec(rate["rate"]) / 100) / total_rate
            taxes[int(rate["id"])] += share * base
    else:
        for rate in regular:
            rid = int(rate["id"])
            taxes[rid] = taxes.get(rid, ZERO) + price * dec(rate["rate"]) / 100
        for rate in compound:
            rid = int(rate["id"])
            pre = sum(taxes.values(), ZERO)
            taxes[rid] = taxes.get(rid, ZERO) + (price + pre) * dec(rate["rate"]) / 100
    return {rid: rnd(tax, precision) for rid, tax in taxes.items()}


# -- lines --------------------------------------------------------------------------------------


@dataclass
class Line:
    """A line item or fee being totalled; amounts are exact Decimals."""

    kind: str  # "line_item" or "fee"
    total: Decimal
    subtotal: Decimal
    tax_class: str
    taxable: bool
    taxes: dict[int, Decimal] = field(default_factory=dict)
    subtotal_taxes: dict[int, Decimal] = field(default_factory=dict)
    total_tax: Decimal = ZERO
    subtotal_tax: Decimal = ZERO


@dataclass
class Totals:
    lines: list[Line]
    fees: list[Line]
    cart_tax: Decimal
    total_tax: Decimal
    total: Decimal
    discount_total: Decimal
    discount_tax: Decimal
    tax_by_rate: dict[int, Decimal]


def price_excluding_tax(
    ts: TaxSettings,
    rates: Sequence[Mapping[str, Any]],
    price: Decimal,
    qty: Decimal,
    tax_class: str,
    taxable: bool,
) -> Decimal:
    """`wc_get_price_excluding_tax` with the base rates; kept to the rounding precision."""
    line = price * qty
    if taxable and ts.prices_include_tax:
        removed = calc_tax(line, find_rates(rates, ts.base, tax_class), True, ts.precision)
        line -= sum(removed.values(), ZERO)
    return rnd(line, ts.precision)


def tax_location(
    ts: TaxSettings, billing: Mapping[str, Any], shipping: Mapping[str, Any]
) -> dict[str, str]:
    """`WC_Abstract_Order::get_tax_location`."""
    based_on = ts.tax_based_on
    if based_on == "shipping" and not shipping.get("country"):
        based_on = "billing"
    address = billing if based_on == "billing" else shipping
    if based_on == "base" or not address.get("country"):
        return dict(ts.base)
    return {k: str(address.get(k) or "") for k in ("country", "state", "postcode", "city")}


def _set_taxes(
    ts: TaxSettings, line: Line, total: dict[int, Decimal], sub: dict[int, Decimal]
) -> None:
    if line.kind == "line_item" and sum(sub.values(), ZERO) < sum(total.values(), ZERO):
        sub = dict(total)  # "Subtotal cannot be less than total!"
    line.taxes, line.subtotal_taxes = total, sub
    if ts.round_at_subtotal:
        line.total_tax = sum(total.values(), ZERO)
        line.subtotal_tax = sum(sub.values(), ZERO)
    else:
        line.total_tax = sum((ts.round_tax(t) for t in total.values()), ZERO)
        line.subtotal_tax = sum((ts.round_tax(t) for t in sub.values()), ZERO)


def _negative_fee_taxes(
    ts: TaxSettings,
    rates: Sequence[Mapping[str, Any]],
    where: Mapping[str, str],
    fee: Line,
    others: Sequence[Line],
) -> dict[int, Decimal]:
    costs: dict[str, Decimal] = {}
    for item in others:
        if item.total < 0:
            continue
        key = item.tax_class if item.taxable else "non-taxable"
        costs[key] = costs.get(key, ZERO) + item.total
    costs = {k: v for k, v in costs.items() if v}
    whole = sum(costs.values(), ZERO)
    taxes: dict[int, Decimal] = {}
    for tax_class, cost in costs.items():
        if tax_class == "non-taxable" or not whole:
            continue
        share = fee.total * (cost / whole)
        for rid, tax in calc_tax(share, find_rates(rates, where, tax_class), False).items():
            taxes[rid] = taxes.get(rid, ZERO) + tax
    return taxes


def calculate(
    ts: TaxSettings,
    rates: Sequence[Mapping[str, Any]],
    lines: list[Line],
    fees: list[Line],
    where: Mapping[str, str],
) -> Totals:
    """`WC_Abstract_Order::calculate_totals(true)` over prepared lines and fees."""
    dp = ts.decimals
    cents = Decimal(10) ** dp

    def items_sum(values: list[Decimal]) -> Decimal:
        if ts.round_at_subtotal:
            return sum(values, ZERO)
        return sum((rnd(v * cents, 0) for v in values), ZERO) / cents

    cart_subtotal = items_sum([ln.subtotal for ln in lines])
    cart_total = items_sum([ln.total for ln in lines])
    fees_total = ZERO
    for fee in fees:
        if fee.total < 0:
            floor = -rnd(cart_total + fees_total, dp)
            if fee.total < floor < 0:
                fee.total = floor
        fees_total += fee.total

    for line in [*lines, *fees]:
        if not ts.calc_taxes:
            _set_taxes(ts, line, {}, {})
        elif line.kind == "fee" and line.total < 0:  # split across classes, taxable or not
            _set_taxes(ts, line, _negative_fee_taxes(ts, rates, where, line, [*lines, *fees]), {})
        elif not line.taxable:
            _set_taxes(ts, line, {}, {})
        else:
            found = find_rates(rates, where, line.tax_class)
            _set_taxes(
                ts,
                line,
                calc_tax(line.total, found, False),
                calc_tax(line.subtotal, found, False) if line.kind == "line_item" else {},
            )

    by_rate: dict[int, Decimal] = {}
    for line in [*lines, *fees]:
        for rid, tax in line.taxes.items():
            amount = tax if ts.round_at_subtotal else ts.round_tax(tax)
            by_rate[rid] = by_rate.get(rid, ZERO) + amount
    cart_tax = rnd(sum(by_rate.values(), ZERO), ts.precision)
    total_tax_raw = sum((t for ln in lines for t in ln.taxes.values()), ZERO)
    subtotal_tax_raw = sum((t for ln in lines for t in ln.subtotal_taxes.values()), ZERO)
    return Totals(
        lines=lines,
        fees=fees,
        cart_tax=cart_tax,
        total_tax=rnd(cart_tax, dp),
        total=rnd(cart_total + fees_total + cart_tax, dp),
        discount_total=rnd(cart_subtotal - cart_total, dp),
        discount_tax=ts.round_tax(subtotal_tax_raw - total_tax_raw),
        tax_by_rate=by_rate,
    )


def money(value: Decimal, dp: int) -> str:
    """How the REST API prints an amount: `wc_format_decimal($v, $dp)` (number_format)."""
    return f"{rnd(value, dp):f}"
