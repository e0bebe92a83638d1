"""Tax policies: each platform's own tax arithmetic, which a sale must match to the minor unit.

Pricing (kiosk.core.pricing) is the same for every store: discounts in the shop's basis, then tax
on what is left. Which rates tax a line, what each rate's exact tax is and where it is rounded
are the platform's (WooCommerce rounds per line or at subtotal, as WC_Tax does). The connector
names its platform's policy in ShopSettings.tax_policy; a second platform adds a module beside
kiosk.core.tax_woocommerce and one entry in POLICIES.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Protocol

from kiosk.core import tax_woocommerce
from kiosk.core.models import Product, ShopSettings, TaxRate


class TaxPolicy(Protocol):
    """A platform's tax arithmetic. Amounts are minor units; exact taxes are Fractions of them."""

    def rates_for_product(
        self, rates: Iterable[TaxRate], settings: ShopSettings, product: Product
    ) -> tuple[TaxRate, ...]:
        """The rates that tax `product` at the shop, in the order calc_tax takes them."""
        ...

    def calc_tax(
        self, price: int, rates: Sequence[TaxRate], *, inclusive: bool
    ) -> tuple[Fraction, ...]:
        """Exact taxes per rate (aligned with `rates`) on `price`, which includes them or not."""
        ...

    def round_taxes(
        self,
        exact: Sequence[Sequence[Fraction]],
        rates: Sequence[Sequence[TaxRate]],
        settings: ShopSettings,
    ) -> list[list[int]]:
        """Whole-unit taxes per line and rate, from every line's exact taxes (aligned)."""
        ...


POLICIES: Mapping[str, TaxPolicy] = {tax_woocommerce.NAME: tax_woocommerce.POLICY}


def policy_for(settings: ShopSettings) -> TaxPolicy:
    """The policy `settings` names; ValueError for one this device does not have."""
    try:
        return POLICIES[settings.tax_policy]
    except KeyError:
        raise ValueError(
            f"tax policy {settings.tax_policy!r} is not known here "
            f"(expected one of {', '.join(POLICIES)})"
        ) from None


def trim(values: list[int], excess: int, floor: Sequence[int] | None = None) -> None:
    """Take `excess` units off `values` (last rate first), none below `floor` (default 0).

    Pricing's guard under any policy: rounding several rates up must not claim more tax than a
    price holds, or more tax off than a discount took off.
    """
    for k in reversed(range(len(values))):
        if excess <= 0:
            return
        take = min(excess, values[k] - (floor[k] if floor is not None else 0))
        if take > 0:
            values[k] -= take
            excess -= take
