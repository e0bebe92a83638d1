"""A small receipt for the printer tests."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from kiosk.core.cart import Cart
from kiosk.core.models import PaymentMethod, Product, ProductKind, ShopSettings
from kiosk.core.money import Money
from kiosk.core.receipt import Receipt, build_receipt
from kiosk.core.tender import Tender

SHOP = ShopSettings("GBP", locale="en_GB", name="Corner Shop", taxes_enabled=False)


def a_receipt(number: str = "POS-00001", *, width: int = 48, offline: bool = False) -> Receipt:
    cart = Cart(SHOP, ())
    cart.add(Product("1", ProductKind.SIMPLE, "Blue mug", Money(350, "GBP")), 2)
    cart.add(Product("2", ProductKind.SIMPLE, "Earl Grey tea, 50 bags", Money(425, "GBP")))
    order = cart.checkout(
        [Tender(PaymentMethod.CASH, Money(2000, "GBP"))],
        now=datetime(2025, 6, 1, 12, 0, tzinfo=UTC),
        cashier="Alice",
        offline=offline,
    )
    order = dataclasses.replace(order, number=number)
    return build_receipt(order, SHOP, width=width, footer=("Thank you!",))
