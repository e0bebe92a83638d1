"""The cart: one sale in progress, edited line by line and checked out into an Order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from kiosk.core.discount import Discount
from kiosk.core.models import SELLABLE_STATUSES, Order, Product, ProductKind, ShopSettings, TaxRate
from kiosk.core.money import Money, round_half_up
from kiosk.core.pricing import CartLine, CartTotals, compute_totals
from kiosk.core.tender import Tender, settle

__all__ = ["MAX_QUANTITY", "Cart", "CartError", "CartLine", "CartTotals", "compute_totals"]

MAX_QUANTITY = 9999


class CartError(ValueError):
    """The cart cannot do what was asked; the message is fit to show the cashier."""


def _check_quantity(quantity: object) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise CartError(f"a quantity must be a whole number, not {quantity!r}")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise CartError(f"a quantity must be between 1 and {MAX_QUANTITY}, not {quantity}")
    return quantity


class Cart:
    """One sale in progress. `id` (a UUID minted here) becomes the order id: the upload's
    idempotency key, so a retried upload never sells twice."""

    def __init__(
        self,
        settings: ShopSettings,
        tax_rates: Sequence[TaxRate],
        *,
        order_id: str | None = None,
    ) -> None:
        if order_id is not None and (not isinstance(order_id, str) or not order_id.strip()):
            raise CartError(f"an order id must be non-empty text, not {order_id!r}")
        self._settings = settings
        self._rates = tuple(tax_rates)
        self._id = order_id if order_id is not None else str(uuid.uuid4())
        self._lines: list[CartLine] = []
        self._cart_discount: Discount | None = None
        self._customer_id: str | None = None

    # -- views ----------------------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self._id

    @property
    def settings(self) -> ShopSettings:
        return self._settings

    @property
    def tax_rates(self) -> tuple[TaxRate, ...]:
        return self._rates

    @property
    def currency(self) -> str:
        return self._settings.currency

    @property
    def lines(self) -> tuple[CartLine, ...]:
        return tuple(self._lines)

    @property
    def is_empty(self) -> bool:
        return not self._lines

    @property
    def cart_discount(self) -> Discount | None:
        return self._cart_discount

    @property
    def customer_id(self) -> str | None:
        return self._customer_id

    def __repr__(self) -> str:
        lines = ", ".join(
            f"{ln.quantity} x {ln.product.id} @ {ln.price}"
            + (f" ({ln.weight_g} g)" if ln.weight_g is not None else "")
            + (f" -{ln.discount.label()}" if ln.discount else "")
            for ln in self._lines
        )
        off = f" -{self._cart_discount.label()}" if self._cart_discount else ""
        return f"<Cart {self._id} {self.currency} [{lines}]{off} {self._settings}>"

    # -- changes --------------------------------------------------------------------------------

    def add(
        self,
        product: Product,
        quantity: int = 1,
        *,
        unit_price: Money | None = None,
        weight_g: int | None = None,
    ) -> int:
        """Add `quantity` of `product`; returns the line's index (an undiscounted line of the
        same product at the same price grows instead of a new line appearing).

        A variable-measure label adds a line of its own, quantity 1, that never merges:
        `unit_price` is the price on the label; `weight_g` alone prices a weighed item at the
        catalog price per kg x weight (rounded half up); both keep the given price and record
        the weight (a resumed parked line). Raises CartError, for the cashier, when the product
        cannot be sold this way.
        """
        if not isinstance(product, Product):
            raise CartError(f"only products can be sold, not {type(product).__name__}")
        if unit_price is None and weight_g is None:
            price = self._catalog_price(product)
            quantity = _check_quantity(quantity)
            for i, line in enumerate(self._lines):
                same = line.product.id == product.id and line.price == price
                if same and line.discount is None and not line.measured:
                    self.set_quantity(i, line.quantity + quantity)
                    return i
            self._lines.append(CartLine(product, quantity))
            return len(self._lines) - 1
        self._lines.append(self._measured_line(product, quantity, unit_price, weight_g))
        return len(self._lines) - 1

    def _catalog_price(self, product: Product) -> Money:
        if not product.sellable:
            why = (
                "it only groups variations: choose one"
                if product.kind is ProductKind.VARIABLE
                else "it has no price"
                if product.price is None
                else f"its status is {product.status!r}"
            )
            raise CartError(f"{product.name!r} cannot be sold: {why}")
        assert product.price is not None
        return self._check_currency(product.name, product.price)

    def _check_currency(self, name: str, price: Money) -> Money:
        if price.currency != self.currency:
            raise CartError(
                f"{name!r} is priced in {price.currency}, but this shop sells in {self.currency}"
            )
        return price

    def _measured_line(
        self, product: Product, quantity: object, unit_price: object, weight_g: object
    ) -> CartLine:
        if quantity != 1 or isinstance(quantity, bool):
            raise CartError(
                f"{product.name!r} is sold by its label, one at a time: scan each label "
                f"instead of asking for {quantity!r}"
            )
        if weight_g is not None and (
            isinstance(weight_g, bool) or not isinstance(weight_g, int) or weight_g <= 0
        ):
            raise CartError(
                f"the label on {product.name!r} has no usable weight ({weight_g!r} g): "
                "weigh it again"
            )
        if unit_price is None:
            assert isinstance(weight_g, int)
            per_kg = self._catalog_price(product)
            price = Money(round_half_up(Fraction(per_kg.minor * weight_g, 1000)), self.currency)
        else:
            if not isinstance(unit_price, Money):
                raise CartError(f"a scanned price must be Money, not {type(unit_price).__name__}")
            if unit_price.minor < 0:
                raise CartError(f"the label on {product.name!r} has a negative price")
            # The label's price stands in for the catalog's, which may well be missing.
            if product.kind is ProductKind.VARIABLE:
                raise CartError(f"{product.name!r} only groups variations: choose one")
            if product.status not in SELLABLE_STATUSES:
                raise CartError(
                    f"{product.name!r} cannot be sold: its status is {product.status!r}"
                )
            price = self._check_currency(product.name, unit_price)
        return CartLine(product, 1, None, price, weight_g)

    def _index(self, index: int) -> int:
        if isinstance(index, bool) or not isinstance(index, int):
            raise CartError(f"a line index must be a whole number, not {index!r}")
        if not 0 <= index < len(self._lines):
            raise CartError(f"there is no line {index} (the cart has {len(self._lines)} lines)")
        return index

    def set_quantity(self, index: int, quantity: int) -> None:
        """Change a line's quantity; 0 removes the line."""
        i = self._index(index)
        if quantity == 0 and not isinstance(quantity, bool):
            del self._lines[i]
            return
        line = self._lines[i]
        quantity = _check_quantity(quantity)
        if line.measured and quantity != 1:
            raise CartError(
                f"{line.name!r} is sold by its label, one at a time: scan the next label to "
                "sell another"
            )
        self._lines[i] = replace(line, quantity=quantity)

    def remove(self, index: int) -> None:
        del self._lines[self._index(index)]

    def _check_discount(self, discount: Discount | None) -> Discount | None:
        if discount is not None and not isinstance(discount, Discount):
            raise CartError(f"expected a Discount, not {type(discount).__name__}")
        if (
            discount is not None
            and discount.amount is not None
            and discount.amount.currency != self.currency
        ):
            raise CartError(
                f"a discount in {discount.amount.currency} cannot apply to a cart in "
                f"{self.currency}"
            )
        return discount

    def set_line_discount(self, index: int, discount: Discount | None) -> None:
        """Discount one line (None removes it); it comes off price x quantity."""
        i = self._index(index)
        self._lines[i] = replace(self._lines[i], discount=self._check_discount(discount))

    def set_cart_discount(self, discount: Discount | None) -> None:
        """Discount the whole cart, spread over the lines after their own discounts."""
        self._cart_discount = self._check_discount(discount)

    def set_customer(self, customer_id: str | None) -> None:
        self._customer_id = customer_id or None

    # -- results --------------------------------------------------------------------------------

    def totals(self) -> CartTotals:
        return compute_totals(self._settings, self._rates, self._lines, self._cart_discount)

    def checkout(
        self,
        tenders: Sequence[Tender],
        *,
        now: datetime,
        cashier: str = "",
        offline: bool = False,
        note: str = "",
    ) -> Order:
        """Settle the tenders against the total and return the order, ready to commit.

        Raises CartError for an empty cart, PaymentError (from tender.settle) when the tenders do
        not pay the total, and ValueError unless `now` is an aware UTC datetime.
        """
        if not isinstance(now, datetime) or now.utcoffset() != timedelta(0):
            raise ValueError(f"checkout time must be an aware UTC datetime, not {now!r}")
        if self.is_empty:
            raise CartError("the cart is empty: add a product before taking payment")
        t = self.totals()
        payments = settle(t.total, tenders, locale=self._settings.locale)
        return Order(
            id=self._id,
            created_at=now.astimezone(UTC),
            currency=self.currency,
            lines=t.lines,
            tax_lines=t.tax_lines,
            subtotal=t.subtotal,
            discount_total=t.discount_total,
            discount_tax=t.discount_tax,
            tax_total=t.tax_total,
            total=t.total,
            payments=payments,
            prices_include_tax=self._settings.prices_include_tax,
            round_at_subtotal=self._settings.round_at_subtotal,
            number="",
            customer_id=self._customer_id,
            cashier=cashier,
            offline=offline,
            note=note,
        )
