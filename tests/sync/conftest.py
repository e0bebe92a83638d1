"""A device database with the demo catalog, a till to sell on it, and a clock tests move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.catalog_export import CatalogExport, load_export
from kiosk.checkout import Checkout
from kiosk.cli.demo_cmd import demo_catalog_path
from kiosk.connectors.fake import FakeConnector
from kiosk.core.models import Order, PaymentMethod
from kiosk.core.tender import Tender
from kiosk.store import catalog
from kiosk.store.db import Database


@dataclass
class Clock:
    now: datetime
    tick: timedelta = timedelta(0)  # how far each reading moves time, as a real clock does

    def __call__(self) -> datetime:
        self.now += self.tick
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
def demo() -> CatalogExport:
    return load_export(demo_catalog_path())


@pytest.fixture
async def db(tmp_path: Path, demo: CatalogExport) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kiosk.db")
    await catalog.save_shop_settings(database, demo.settings)
    await catalog.replace_tax_rates(database, demo.tax_rates)
    await catalog.upsert_products(database, demo.products)
    try:
        yield database
    finally:
        await database.close()


@dataclass
class Till:
    checkout: Checkout
    codes: list[str]

    async def sell(self, *codes: str) -> Order:
        cart = await self.checkout.start()
        for code in codes or self.codes[:1]:
            await self.checkout.add_code(cart, code)
        return await self.checkout.complete(cart, [Tender(PaymentMethod.CASH, cart.totals().total)])


@pytest.fixture
def till(db: Database, clock: Clock, demo: CatalogExport) -> Till:
    codes = [p.sku for p in demo.products if p.sellable and p.sku and p.stock_status == "instock"]
    return Till(Checkout(db, order_prefix="T-", clock=clock), codes)


@pytest.fixture
def store(demo: CatalogExport) -> FakeConnector:
    """A fake store holding the demo catalog."""
    fake = FakeConnector(settings=demo.settings, page_size=50)
    fake.add_products(demo.products)
    fake.rates = list(demo.tax_rates)
    return fake
