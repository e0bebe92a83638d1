"""A device on the real sync engine and WooCommerce connector, selling against the simulator."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.checkout import Checkout, utc_now
from kiosk.config import SyncConfig
from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.connectors.woocommerce.orders import META_ORDER_ID
from kiosk.core.models import Order, PaymentMethod
from kiosk.core.tender import Tender
from kiosk.sim.woocommerce import SimHandle, running_sim
from kiosk.store import outbox
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState
from kiosk.sync.engine import SyncEngine
from kiosk.sync.policy import RetryPolicy


@dataclass
class WooDevice:
    sim: SimHandle
    db: Database
    engine: SyncEngine
    checkout: Checkout
    skus: list[str]

    async def sell(self, n: int, rng: random.Random) -> list[Order]:
        """`n` cash sales of one to three random products each, paid exactly."""
        sold = []
        for _ in range(n):
            cart = await self.checkout.start()
            for sku in rng.sample(self.skus, rng.randint(1, 3)):
                await self.checkout.add_code(cart, sku)
            due = cart.totals().total
            sold.append(await self.checkout.complete(cart, [Tender(PaymentMethod.CASH, due)]))
        return sold

    def store_uuids(self) -> Counter[str]:
        """How many times each order UUID stands in the store's orders."""
        return store_uuids(self.sim)

    async def states(self) -> dict[OutboxState, int]:
        return await outbox.counts(self.db)


def store_uuids(sim: SimHandle) -> Counter[str]:
    """How many times each order UUID stands in the simulator's orders."""
    found: Counter[str] = Counter()
    for order in sim.state.orders.values():
        for meta in order.get("meta_data", []):
            if meta.get("key") == META_ORDER_ID:
                found[str(meta.get("value"))] += 1
    return found


def exactly_once(sold: Iterable[str], store: Counter[str]) -> list[str]:
    """What is wrong with the store's orders (UUID -> how many hold it) as uploads of `sold`."""
    sold = set(sold)
    twice = sorted(u for u, n in store.items() if n > 1)
    missing = sorted(sold - set(store))
    stray = sorted(set(store) - sold)
    return [
        f"{len(found)} {what}: {found[:5]}"
        for found, what in (
            (twice, "sales reached the store more than once"),
            (missing, "sales never reached the store"),
            (stray, "store orders match no sale of this device"),
        )
        if found
    ]


def store_ids_by_uuid(sim: SimHandle) -> dict[str, str]:
    """The store's order id for each order UUID it holds (the last, if one is there twice)."""
    found = {}
    for oid, order in sim.state.orders.items():
        for meta in order.get("meta_data", []):
            if meta.get("key") == META_ORDER_ID:
                found[str(meta.get("value"))] = str(oid)
    return found


def mismatched(device: dict[str, str | None], store: dict[str, str]) -> list[str]:
    """Sales whose remote id on the device is not the store's order for their UUID."""
    return sorted(uuid for uuid, remote in device.items() if store.get(uuid) != remote)


def sellable_skus(sim: SimHandle) -> list[str]:
    """SKUs of published simple products with stock to spare, for sales the store takes."""
    return [
        p["sku"]
        for p in sim.state.products.values()
        if p["status"] == "publish" and p["type"] == "simple" and p["sku"]
    ]


@asynccontextmanager
async def woo_device(
    tmp_path: Path,
    *,
    products: int = 20,
    latency_ms: float = 0,
    policy: RetryPolicy | None = None,
    settings: SyncConfig | None = None,
    plugin: bool = True,
    **client: Any,
) -> AsyncIterator[WooDevice]:
    """A simulated store with `products` simple products and a device synced to it (`plugin`:
    the store has the companion plugin, so uploads go through kiosk/v1/orders)."""
    async with (
        running_sim(
            products=products, variable_share=0, latency_ms=latency_ms, plugin=plugin
        ) as sim,
        device_on(sim, tmp_path / "kiosk.db", policy=policy, settings=settings, **client) as dev,
    ):
        yield dev


@asynccontextmanager
async def device_on(
    sim: SimHandle,
    db_path: Path,
    *,
    policy: RetryPolicy | None = None,
    settings: SyncConfig | None = None,
    **client: Any,
) -> AsyncIterator[WooDevice]:
    """A device database at `db_path`, through its initial sync with `sim`."""
    db = await Database.open(db_path)
    connector = WooConnector.connect(
        sim.url, sim.consumer_key, sim.consumer_secret, locale="en_GB", **client
    )
    engine = SyncEngine(
        db, connector, clock=utc_now, settings=settings or SyncConfig(), policy=policy
    )
    try:
        first = await engine.run_once()
        assert first.initial
        assert not first.errors, first.errors
        yield WooDevice(sim, db, engine, Checkout(db, order_prefix="K1-"), sellable_skus(sim))
    finally:
        await connector.close()
        await db.close()
