"""A cart as plain JSON data and back, so a parked sale survives a restart.

A snapshot keeps what the cashier chose (products by id, quantities, discounts, the customer)
and the order id, never catalog prices: a resumed cart is priced from the catalog as it is now,
and the cashier is told about every line that changed or had to be left out. A line scanned from
a variable-measure label is the exception: it keeps the price (and weight) its label gave.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kiosk.core.cart import Cart, CartError, CartLine
from kiosk.core.discount import Discount, DiscountKind
from kiosk.core.models import SELLABLE_STATUSES, Product, ProductKind, ShopSettings, TaxRate
from kiosk.core.money import Money

VERSION = 1
# A cart with a label-priced line is written as version 2: a build that only knows version 1
# would re-price that line from the catalog (a weighed item at its price per kg), so it must
# refuse the snapshot instead. Carts without one stay readable by such builds.
MEASURED_VERSION = 2
_VERSIONS = (VERSION, MEASURED_VERSION)
_PLACEHOLDER = Discount.percent(0)


def snapshot(cart: Cart) -> dict[str, Any]:
    """The cart as JSON-able data: order id, lines (product id, quantity, discount), cart
    discount and customer. Each line also keeps the name and price the cashier saw, only to
    word the messages of restore(). A label-priced line also keeps its price and weight."""
    measured = any(line.measured for line in cart.lines)
    return {
        "version": MEASURED_VERSION if measured else VERSION,
        "order_id": cart.id,
        "currency": cart.currency,
        "customer_id": cart.customer_id,
        "cart_discount": _discount_data(cart.cart_discount),
        "lines": [_line_data(line) for line in cart.lines],
    }


def _line_data(line: CartLine) -> dict[str, Any]:
    data: dict[str, Any] = {
        "product_id": line.product.id,
        "quantity": line.quantity,
        "discount": _discount_data(line.discount),
        "name": line.product.name,
        "price_minor": None if line.product.price is None else line.product.price.minor,
    }
    if line.unit_price is not None:
        data["unit_price"] = {"minor": line.unit_price.minor, "currency": line.unit_price.currency}
        data["weight_g"] = line.weight_g
    return data


def restore(
    data: Mapping[str, Any],
    settings: ShopSettings,
    tax_rates: Sequence[TaxRate],
    products: Mapping[str, Product],
) -> tuple[Cart, list[str]]:
    """Rebuild a snapshot's cart, with the SAME order id, from the current `products`.

    Returns the cart and messages for the cashier: a line whose product is gone or no longer
    for sale is left out and named, and so is a price that changed since the cart was parked.
    Raises ValueError, naming the field, when `data` is not a snapshot this code understands.
    """
    if not isinstance(data, Mapping) or data.get("version") not in _VERSIONS:
        raise ValueError("this parked sale was saved in a format this version cannot read")
    order_id = _text(data, "order_id")
    cart = Cart(settings, tax_rates, order_id=order_id)
    notes: list[str] = []
    placeholders: list[int] = []
    for i, raw in enumerate(_list(data, "lines")):
        if not isinstance(raw, Mapping):
            raise ValueError(f"parked sale {order_id}: line {i + 1} is not an object")
        name = str(raw.get("name") or raw.get("product_id") or "A product")
        product = products.get(_text(raw, "product_id"))
        unit_price, weight_g = _measure_from(raw, f"line {i + 1}")
        if product is None or not _for_sale(product, labelled=unit_price is not None):
            notes.append(f"{name!r} is no longer for sale and was left out")
            continue
        quantity: Any = raw.get("quantity")  # Cart.add checks it is a whole number in range
        discount = _discount_from(raw.get("discount"), f"line {i + 1} discount")
        try:
            if unit_price is None:
                index = cart.add(product, quantity)
            else:
                index = cart.add(product, quantity, unit_price=unit_price, weight_g=weight_g)
        except CartError as exc:
            notes.append(f"{name!r} was left out: {exc}")
            continue
        # Cart.add merges into an undiscounted line of the same product; a placeholder
        # discount on every restored line keeps the parked lines apart, as they were.
        try:
            cart.set_line_discount(index, discount if discount is not None else _PLACEHOLDER)
        except CartError as exc:
            notes.append(f"the discount on {name!r} was left out: {exc}")
            discount = None
            cart.set_line_discount(index, _PLACEHOLDER)
        if discount is None:
            placeholders.append(index)
        if unit_price is None:  # a label's price stands whatever the catalog says now
            notes.extend(_price_note(name, raw.get("price_minor"), product, settings))
    for index in placeholders:
        cart.set_line_discount(index, None)
    try:
        cart.set_cart_discount(_discount_from(data.get("cart_discount"), "cart discount"))
    except CartError as exc:
        notes.append(f"the discount on the whole sale was left out: {exc}")
    customer = data.get("customer_id")
    cart.set_customer(customer if isinstance(customer, str) else None)
    return cart, notes


def _price_note(name: str, was: object, product: Product, settings: ShopSettings) -> list[str]:
    now = product.price
    if now is None or not isinstance(was, int) or was == now.minor:
        return []
    old = Money(was, now.currency).format(settings.locale)
    return [f"{name!r} now costs {now.format(settings.locale)} (was {old})"]


def _for_sale(product: Product, *, labelled: bool) -> bool:
    # A label-priced line needs the product still listed, not a catalog price.
    if labelled:
        return product.kind is not ProductKind.VARIABLE and product.status in SELLABLE_STATUSES
    return product.sellable


def _measure_from(raw: Mapping[str, Any], where: str) -> tuple[Money | None, int | None]:
    """A line's label price and weight; (None, None) for an ordinary line."""
    price = raw.get("unit_price")
    if price is None:
        return None, None
    if not isinstance(price, Mapping):
        raise ValueError(f"parked sale: the {where} unit price is not an object")
    minor = price.get("minor")
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise ValueError(f"parked sale: the {where} unit price has no whole-number amount")
    weight = raw.get("weight_g")
    if weight is not None and (isinstance(weight, bool) or not isinstance(weight, int)):
        raise ValueError(f"parked sale: the {where} weight is not a whole number of grams")
    return Money(minor, _text(price, "currency")), weight


def _discount_data(discount: Discount | None) -> dict[str, Any] | None:
    if discount is None:
        return None
    if discount.percentage is not None:
        return {"kind": DiscountKind.PERCENT.value, "percentage": str(discount.percentage)}
    assert discount.amount is not None  # a fixed discount always has its amount
    return {
        "kind": DiscountKind.FIXED.value,
        "minor": discount.amount.minor,
        "currency": discount.amount.currency,
    }


def _discount_from(raw: object, where: str) -> Discount | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ValueError(f"parked sale: the {where} is not an object")
    kind = raw.get("kind")
    if kind == DiscountKind.PERCENT.value:
        return Discount.percent(_text(raw, "percentage"))
    if kind == DiscountKind.FIXED.value:
        minor = raw.get("minor")
        if isinstance(minor, bool) or not isinstance(minor, int):
            raise ValueError(f"parked sale: the {where} has no whole-number amount")
        return Discount.fixed(Money(minor, _text(raw, "currency")))
    raise ValueError(f"parked sale: the {where} has an unknown kind {kind!r}")


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"parked sale: {key!r} is missing or not text")
    return value


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise ValueError(f"parked sale: {key!r} is missing or not a list")
    return value
