"""A shift's worth of sales for the shift tests: a German shop with two VAT rates, sold through
the real Checkout on an injected clock, cash, card and split, with and without discounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kiosk.checkout import Checkout
from kiosk.core.discount import Discount
from kiosk.core.models import Order, PaymentMethod, ShopSettings, TaxRate
from kiosk.core.money import Money
from kiosk.core.tender import Tender
from kiosk.store import catalog
from kiosk.store.db import Database
from tests.store.factory import eur, simple

SHOP = ShopSettings(
    currency="EUR", prices_include_tax=True, country="DE", locale="de_DE", name="Laden"
)
RATES = (
    TaxRate("1", Decimal("19.0000"), "MwSt", country="DE"),
    TaxRate("2", Decimal("7.0000"), "MwSt ermäßigt", tax_class="reduced-rate", country="DE"),
)
MUG = simple("p1", "Blue mug", price=850, sku="MUG-1")
BOOK = simple("p2", "Book", price=1999, sku="BOOK-1", tax_class="reduced-rate")
CAP = simple("p3", "Cap", price=1233, sku="CAP-1")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, minutes: float = 7) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now


async def stock(db: Database) -> None:
    await catalog.save_shop_settings(db, SHOP)
    await catalog.replace_tax_rates(db, RATES)
    await catalog.upsert_products(db, [MUG, BOOK, CAP])


async def sell(
    checkout: Checkout,
    clock: Clock,
    items: list[tuple[str, int]],
    *,
    cash: int | None = None,
    card: int | None = None,
    cart_discount: Discount | None = None,
    line_discount: Discount | None = None,
) -> Order:
    """One sale at the clock's next tick: cash (tendered, change back), card, or both."""
    clock.tick()
    cart = await checkout.start()
    for code, qty in items:
        await checkout.add_code(cart, code, qty)
    if line_discount is not None:
        cart.set_line_discount(0, line_discount)
    if cart_discount is not None:
        cart.set_cart_discount(cart_discount)
    due = cart.totals().total
    tenders = []
    if card is not None:
        tenders.append(Tender(PaymentMethod.CARD, eur(card), reference=f"pi_{clock().minute}"))
    if cash is not None:
        tenders.append(Tender(PaymentMethod.CASH, eur(cash)))
    if not tenders:
        tenders.append(Tender(PaymentMethod.CASH, due))
    return await checkout.complete(cart, tenders)


def fixed(minor: int) -> Discount:
    return Discount.fixed(Money(minor, "EUR"))
