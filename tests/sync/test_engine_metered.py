"""On a metered link orders and card payments go first: the catalog waits, on an injected clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from kiosk.catalog_export import CatalogExport
from kiosk.checkout import Checkout
from kiosk.config import SyncConfig
from kiosk.connectors.base import Hint
from kiosk.connectors.fake import FakeConnector
from kiosk.core.models import PaymentMethod
from kiosk.core.tender import Tender
from kiosk.network.base import Link, LinkKind
from kiosk.network.fake import FakeNetwork
from kiosk.store.db import Database
from kiosk.sync.engine import SyncEngine
from tests.sync.conftest import Clock

SETTINGS = SyncConfig(interval_s=30, metered_interval_s=300, audit_interval_s=900)
CELLULAR = Link(LinkKind.CELLULAR, name="Vodafone", signal=60, metered=True)
WIFI = Link(LinkKind.WIFI, name="ShopNet", signal=70)


async def _run(
    engine: SyncEngine, clock: Clock, seconds: float, on_tick: Callable[[], None] = lambda: None
) -> list[tuple[float, str]]:
    """Run the loop on the injected clock; (seconds from the start, call) for each store call."""
    store = engine.connector
    assert isinstance(store, FakeConnector)
    start, seen, stop = clock.now, len(store.calls), asyncio.Event()
    at: list[tuple[float, str]] = []

    def record(now: datetime) -> None:
        nonlocal seen
        at.extend(((now - start).total_seconds(), c) for c in store.calls[seen:])
        seen = len(store.calls)

    async def sleep(s: float) -> None:
        record(clock.now)
        clock.advance(s)
        on_tick()
        if (clock.now - start).total_seconds() >= seconds:
            stop.set()

    await engine.run(stop, sleep=sleep)
    return at


async def _sell(db: Database, clock: Clock, demo: CatalogExport) -> str:
    checkout = Checkout(db, order_prefix="T-", clock=clock)
    cart = await checkout.start()
    await checkout.add_code(cart, next(p.sku for p in demo.products if p.sellable and p.sku))
    return (await checkout.complete(cart, [Tender(PaymentMethod.CASH, cart.totals().total)])).id


async def test_a_card_payment_on_a_metered_link_holds_the_pull_until_it_is_over(
    db: Database, store: FakeConnector, clock: Clock
) -> None:
    paying = [False]
    network = FakeNetwork(CELLULAR)
    engine = SyncEngine(
        db, store, clock=clock, settings=SETTINGS, network=network, paying=lambda: paying[0]
    )
    await engine.run_once()  # the initial copy
    engine.hint(Hint("product", "p1", False))
    paying[0] = True  # the till starts charging a card at 0 s
    start = clock.now

    def tick() -> None:
        if (clock.now - start).total_seconds() >= 40:
            paying[0] = False  # the payment ends at 40 s

    calls = await _run(engine, clock, 400, tick)

    pulls = [(t, c) for t, c in calls if c in ("products", "fetch_products")]
    # Nothing of the catalog while the card is charged; then the hint and the pull that was due,
    # and the next pull a metered interval (300 s) later.
    assert pulls == [(40.0, "fetch_products"), (40.0, "products"), (340.0, "products")]


async def test_a_card_payment_on_wifi_does_not_hold_the_pull(
    db: Database, store: FakeConnector, clock: Clock
) -> None:
    engine = SyncEngine(
        db, store, clock=clock, settings=SETTINGS, network=FakeNetwork(WIFI), paying=lambda: True
    )
    await engine.run_once()

    calls = await _run(engine, clock, 70)

    assert [t for t, c in calls if c == "products"] == [0.0, 30.0, 60.0]


async def test_on_a_metered_link_the_sale_goes_up_before_the_pull(
    db: Database, store: FakeConnector, clock: Clock, demo: CatalogExport
) -> None:
    engine = SyncEngine(db, store, clock=clock, settings=SETTINGS, network=FakeNetwork(CELLULAR))
    await engine.run_once()
    sold = await _sell(db, clock, demo)  # made while the first pull of the loop is due

    calls = await _run(engine, clock, 5)

    first = [c for _, c in calls if c in ("create_order", "products")]
    assert first[:2] == ["create_order", "products"]
    assert [o.order.id for o in store.created] == [sold]
