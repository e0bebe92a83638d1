"""A till for the counter tests: SaleSession on a real database and Checkout, a fake printer and
a simulated reader, and the small shop it sells from."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kiosk.checkout import Checkout
from kiosk.core.models import Customer, ShopSettings, TaxRate
from kiosk.counter.session import SaleSession
from kiosk.hardware.fake import FakePrinter
from kiosk.payments.fake import SimulatedReader
from kiosk.store import catalog
from kiosk.store.db import Database
from tests.store.factory import T0, eur, simple, variable, variation

SHOP = ShopSettings(currency="EUR", prices_include_tax=True, country="DE", locale="de_DE")
RATES = (TaxRate("1", Decimal("19.0000"), "MwSt", country="DE"),)
MUG = simple("p1", "Blue mug", price=850, sku="MUG-1", barcode="4000000000017")
CAP = simple("p3", "Cap", price=1200, sku="CAP-1")
TEE = variable("p2", "Tee", sku="TEE")
TEE_M = variation("p2m", "p2", "Tee - M", price=1500, sku="TEE-M")
ANN = Customer("c7", "Ann", "Smith", email="ann@example.com")
BOB = Customer("c8", "Bob", "Jones")


async def rows(db: Database, sql: str, *args: object) -> list[tuple[Any, ...]]:
    return await db.read(lambda conn: [tuple(r) for r in conn.execute(sql, args).fetchall()])


async def order_count(db: Database) -> int:
    return int((await rows(db, "SELECT count(*) FROM orders"))[0][0])


@dataclass
class Till:
    db: Database
    session: SaleSession
    printer: FakePrinter
    reader: SimulatedReader


async def make_till(
    db: Database,
    *,
    printer: FakePrinter | None = None,
    interactive: bool = False,
    offline: bool = False,
) -> Till:
    printer = printer or FakePrinter()
    reader = SimulatedReader(interactive=interactive)
    checkout = Checkout(db, order_prefix="T1-", cashier="ann", clock=lambda: T0)
    session = SaleSession(db, checkout, printer, reader, is_offline=lambda: offline)
    await session.start()
    return Till(db, session, printer, reader)


async def stock_shop(db: Database) -> Database:
    """The shop's settings, tax rate, products and customers, in `db`."""
    await catalog.save_shop_settings(db, SHOP)
    await catalog.replace_tax_rates(db, RATES)
    await catalog.upsert_products(db, [MUG, CAP, TEE, TEE_M])
    await catalog.upsert_customers(db, [ANN, BOB])
    return db


async def fill(s: SaleSession) -> None:
    """Two mugs and a cap: 2 x 8.50 + 12.00 = 29.00 (prices include tax)."""
    s.add(MUG, 2)
    s.add(CAP)
    assert s.due() == eur(2900)
