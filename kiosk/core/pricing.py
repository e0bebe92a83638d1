"""Pricing a cart as the store would: discounts in the shop's basis, then taxes on them.

Amounts follow WooCommerce line items: a line's subtotal is before discounts and its total after,
both without tax. When the shop's prices include tax the customer pays the shelf price (less any
discount) and the tax is backed out of it, so the order total is what the shelf says. The taxes
themselves are the store's own arithmetic: the policy its settings name (kiosk.core.tax).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.core import tax
from kiosk.core.discount import Discount
from kiosk.core.models import (
    LineTax,
    OrderLine,
    Product,
    ProductKind,
    ShopSettings,
    TaxLine,
    TaxRate,
)
from kiosk.core.money import Money


def weight_label(weight_g: int) -> str:
    """A weight in grams as kilograms with three decimals ("0.532 kg"), for receipts and
    screens; a plain dot, as kiosk.core.money has no locale number formatter."""
    kg, g = divmod(weight_g, 1000)
    return f"{kg}.{g:03d} kg"


def measured_name(name: str, weight_g: int | None) -> str:
    """A product's name with the weight it was sold by, if any ("Cheddar, 0.532 kg")."""
    return name if weight_g is None else f"{name}, {weight_label(weight_g)}"


@dataclass(frozen=True, slots=True)
class CartLine:
    """A product, how many of it, and the line's own discount.

    A measured line (a GS1 variable-measure barcode) carries its own `unit_price`: the price on
    the label, or the catalog price per kg x `weight_g` for a weighed item. It is always one
    label, quantity 1, and its price is used instead of the catalog's.
    """

    product: Product
    quantity: int
    discount: Discount | None = None
    unit_price: Money | None = None
    weight_g: int | None = None

    @property
    def measured(self) -> bool:
        return self.unit_price is not None

    @property
    def price(self) -> Money:
        """What one unit of this line costs: the scanned price, else the catalog's."""
        if self.unit_price is not None:  # not `or`: a scanned price of 0.00 is still a price
            return self.unit_price
        assert self.product.price is not None  # Cart.add only takes priced products
        return self.product.price

    @property
    def name(self) -> str:
        """The product's name, with the weight for a weighed line ("Cheddar, 0.532 kg")."""
        return measured_name(self.product.name, self.weight_g)

    @property
    def amount(self) -> Money:
        """Unit price x quantity, in the shop's price basis."""
        return self.price * self.quantity


@dataclass(frozen=True, slots=True)
class CartTotals:
    """The cart priced. Amounts are ex tax as on the order; *_display are in the shop's basis."""

    lines: tuple[OrderLine, ...]
    tax_lines: tuple[TaxLine, ...]
    subtotal: Money
    discount_total: Money
    discount_tax: Money
    tax_total: Money
    total: Money
    subtotal_display: Money  # shelf prices x quantities (incl tax when the shop's prices are)
    discount_display: Money  # all discounts, in the same basis


def compute_totals(
    settings: ShopSettings,
    rates: Sequence[TaxRate],
    lines: Sequence[CartLine],
    cart_discount: Discount | None = None,
) -> CartTotals:
    """Price `lines` as the store would: discounts in the shop's basis, then taxes on them."""
    policy = tax.policy_for(settings)
    cur = settings.currency
    zero = Money.zero(cur)
    inclusive = settings.prices_include_tax
    bases = [line.amount for line in lines]
    after = [
        b - (ln.discount.off(b) if ln.discount else zero)
        for b, ln in zip(bases, lines, strict=True)
    ]
    cuts = cart_discount.spread(after) if cart_discount is not None else [zero] * len(lines)
    finals = [a - c for a, c in zip(after, cuts, strict=True)]
    line_rates = [policy.rates_for_product(rates, settings, ln.product) for ln in lines]
    sub_exact = [
        policy.calc_tax(b.minor, r, inclusive=inclusive)
        for b, r in zip(bases, line_rates, strict=True)
    ]
    tot_exact = [
        policy.calc_tax(f.minor, r, inclusive=inclusive)
        for f, r in zip(finals, line_rates, strict=True)
    ]
    sub_tax = policy.round_taxes(sub_exact, line_rates, settings)
    tot_tax = policy.round_taxes(tot_exact, line_rates, settings)

    order_lines: list[OrderLine] = []
    for i, ln in enumerate(lines):
        base, final, sub, tot = bases[i].minor, finals[i].minor, sub_tax[i], tot_tax[i]
        if inclusive:
            # Rounding several rates up can claim more tax than the price holds, or more tax off
            # than the discount took off; a cent or two, on odd rates. Keep every line sane.
            tax.trim(tot, sum(tot) - final)
            tax.trim(sub, (sum(sub) - sum(tot)) - (base - final), floor=tot)
            net_sub, net_tot = base - sum(sub), final - sum(tot)
        else:
            net_sub, net_tot = base, final
        order_lines.append(_order_line(i + 1, ln, net_sub, net_tot, line_rates[i], sub, tot, cur))

    tax_lines = _tax_lines(order_lines, line_rates, cur)
    subtotal = Money(sum(ol.subtotal.minor for ol in order_lines), cur)
    lines_total = Money(sum(ol.total.minor for ol in order_lines), cur)
    tax_total = Money(sum(t.amount.minor for t in tax_lines), cur)
    subtotal_tax = Money(sum(ol.subtotal_tax.minor for ol in order_lines), cur)
    shelf = Money(sum(b.minor for b in bases), cur)
    return CartTotals(
        lines=tuple(order_lines),
        tax_lines=tax_lines,
        subtotal=subtotal,
        discount_total=subtotal - lines_total,
        discount_tax=subtotal_tax - tax_total,
        tax_total=tax_total,
        total=lines_total + tax_total,
        subtotal_display=shelf,
        discount_display=shelf - Money(sum(f.minor for f in finals), cur),
    )


def _order_line(
    line_no: int,
    line: CartLine,
    subtotal: int,
    total: int,
    rates: tuple[TaxRate, ...],
    sub: list[int],
    tot: list[int],
    cur: str,
) -> OrderLine:
    p = line.product
    variation = p.kind is ProductKind.VARIATION
    return OrderLine(
        line_no=line_no,
        product_id=(p.parent_id or p.id) if variation else p.id,
        variation_id=p.id if variation else None,
        name=line.name,  # a weighed line says its weight on the receipt and in the store
        sku=p.sku,
        quantity=line.quantity,
        unit_price=line.price,
        subtotal=Money(subtotal, cur),
        subtotal_tax=Money(sum(sub), cur),
        total=Money(total, cur),
        total_tax=Money(sum(tot), cur),
        discount=Money(subtotal - total, cur),
        taxes=tuple(
            LineTax(r.id, Money(s, cur), Money(t, cur))
            for r, s, t in zip(rates, sub, tot, strict=True)
        ),
        tax_class=p.tax_class,
        attributes=p.attributes if variation else (),
    )


def _tax_lines(
    lines: Sequence[OrderLine], rates: Sequence[tuple[TaxRate, ...]], cur: str
) -> tuple[TaxLine, ...]:
    """One tax line per rate used, in order of first use, summing the lines' taxes of it."""
    found: dict[str, TaxRate] = {}
    amounts: dict[str, int] = {}
    for line, line_rates in zip(lines, rates, strict=True):
        for rate, lt in zip(line_rates, line.taxes, strict=True):
            found.setdefault(rate.id, rate)
            amounts[rate.id] = amounts.get(rate.id, 0) + lt.total.minor
    return tuple(
        TaxLine(r.id, r.name, r.rate, r.compound, Money(amounts[r.id], cur)) for r in found.values()
    )
