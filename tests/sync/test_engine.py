"""The agent's loop: uploads as the till sells, pulls on its interval, slower when metered."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.catalog_export import CatalogExport
from kiosk.checkout import Checkout
from kiosk.config import SyncConfig
from kiosk.connectors.base import Hint
from kiosk.connectors.errors import ServerError, StoreUnreachable
from kiosk.connectors.fake import FakeConnector
from kiosk.core.models import PaymentMethod, Product
from kiosk.core.money import Money
from kiosk.core.tender import Tender
from kiosk.network.base import NO_NETWORK, Link, LinkKind
from kiosk.network.fake import FakeNetwork
from kiosk.store import catalog
from kiosk.store.db import Database
from kiosk.sync.engine import SyncEngine
from kiosk.sync.policy import RetryPolicy
from tests.sync.conftest import Clock


def _engine(db: Database, store: FakeConnector, clock: Clock, *, metered: bool) -> SyncEngine:
    settings = SyncConfig(interval_s=30, metered_interval_s=300, audit_interval_s=900)
    return SyncEngine(db, store, clock=clock, settings=settings, metered=lambda: metered)


async def _run_for(
    engine: SyncEngine,
    clock: Clock,
    seconds: float,
    on_tick: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Run the loop on the injected clock: each of its sleeps moves time instead of waiting."""
    stop = asyncio.Event()
    end = clock.now.timestamp() + seconds

    async def sleep(s: float) -> None:
        clock.advance(s)
        if on_tick is not None:
            await on_tick()
        if clock.now.timestamp() >= end:
            stop.set()

    await engine.run(stop, sleep=sleep)


@pytest.mark.parametrize(("metered", "pulls"), [(False, 4), (True, 1)])
async def test_pulls_follow_the_interval_and_slow_down_when_metered(
    db: Database, store: FakeConnector, clock: Clock, metered: bool, pulls: int
) -> None:
    engine = _engine(db, store, clock, metered=metered)
    await _run_for(engine, clock, 119)
    # The first pass is the initial sync; then a delta every interval.
    assert store.calls.count("products") == pulls


async def test_a_sale_from_the_till_uploads_on_the_next_tick_even_when_metered(
    tmp_path: Path, db: Database, store: FakeConnector, clock: Clock, demo: CatalogExport
) -> None:
    engine = _engine(db, store, clock, metered=True)
    till_db = await Database.open(db.path)  # the touchscreen's own connection, as in production
    sold: list[str] = []
    try:
        checkout = Checkout(till_db, order_prefix="T-", clock=clock)
        code = next(p.sku for p in demo.products if p.sellable and p.sku)

        async def tick() -> None:
            if len(sold) < 3 and int(clock.now.timestamp()) % 20 == 0:
                cart = await checkout.start()
                await checkout.add_code(cart, code)
                order = await checkout.complete(
                    cart, [Tender(PaymentMethod.CASH, cart.totals().total)]
                )
                sold.append(order.id)

        await _run_for(engine, clock, 100, tick)
    finally:
        await till_db.close()
    assert len(sold) == 3
    assert [o.order.id for o in store.created] == sold


async def test_a_failed_upload_is_retried_when_due_without_a_new_sale(
    db: Database, store: FakeConnector, clock: Clock, demo: CatalogExport
) -> None:
    checkout = Checkout(db, order_prefix="T-", clock=clock)
    cart = await checkout.start()
    await checkout.add_code(cart, next(p.sku for p in demo.products if p.sellable and p.sku))
    await checkout.complete(cart, [Tender(PaymentMethod.CASH, cart.totals().total)])
    store.fail("create_order", ServerError("Bad gateway", 502))
    engine = _engine(db, store, clock, metered=False)
    await _run_for(engine, clock, 120)
    assert len(store.created) == 1  # retried after its backoff, on the loop's own timer


async def test_webhook_hints_are_fetched_on_the_next_tick(
    db: Database, store: FakeConnector, clock: Clock, demo: CatalogExport
) -> None:
    engine = _engine(db, store, clock, metered=True)
    await _run_for(engine, clock, 5)  # initial sync done
    product = next(p for p in demo.products if p.sellable and p.parent_id is None)
    assert product.price is not None
    store.add_products([_repriced(product, product.price.minor + 100)])
    engine.hint(Hint("product", product.id, False))
    await _run_for(engine, clock, 5)  # far less than the metered pull interval
    fetched = await catalog.get_product(db, product.id)
    assert fetched is not None
    assert fetched.price is not None
    assert fetched.price.minor == product.price.minor + 100
    assert "fetch_products" in store.calls


def _repriced(product: Product, minor: int) -> Product:
    assert product.price is not None
    return dataclasses.replace(product, price=Money(minor, product.price.currency))


async def _sell_one(db: Database, clock: Clock, demo: CatalogExport) -> None:
    checkout = Checkout(db, order_prefix="T-", clock=clock)
    cart = await checkout.start()
    await checkout.add_code(cart, next(p.sku for p in demo.products if p.sellable and p.sku))
    await checkout.complete(cart, [Tender(PaymentMethod.CASH, cart.totals().total)])


async def test_one_pass_uploads_what_the_pulls_answer_freed(
    db: Database, store: FakeConnector, clock: Clock, demo: CatalogExport
) -> None:
    clock.tick = timedelta(milliseconds=1)
    await _sell_one(db, clock, demo)
    store.fail("create_order", ServerError("Bad gateway", 502))
    report = await _engine(db, store, clock, metered=False).run_once()
    # The upload failed alone (no answer to cut its backoff); the pull's answer did, and the
    # same pass sent it again, after looking it up.
    assert (report.push.synced, report.push.retried, report.push.wait_until) == (1, 1, None)
    assert len(store.created) == 1
    assert store.calls.index("products") < store.calls.index("find_order")


@pytest.mark.parametrize("told_by", ["caller", "NetworkManager"])
async def test_the_network_coming_back_sends_at_once(
    db: Database, store: FakeConnector, clock: Clock, demo: CatalogExport, told_by: str
) -> None:
    settings = SyncConfig(interval_s=30, metered_interval_s=300, audit_interval_s=900)
    # Metered: the next pull is minutes away; and every backoff is a minute or more.
    policy = RetryPolicy(base_s=120, cap_s=300)
    network = FakeNetwork(Link(LinkKind.CELLULAR, metered=True))
    engine = SyncEngine(db, store, clock=clock, settings=settings, network=network, policy=policy)
    start = clock.now
    seen: dict[str, object] = {}

    async def tick() -> None:
        elapsed = (clock.now - start).total_seconds()
        if elapsed == 3:  # initial sync done: the link goes down and three sales are made
            down = StoreUnreachable("no connection to shop: refused")
            store.fail("create_order", down, times=3)
            network.set(NO_NETWORK)
            for _ in range(3):
                await _sell_one(db, clock, demo)
            engine.wake()  # the till's own connection: the engine cannot see its commits
        elif elapsed == 6:
            seen["closed"] = engine.pusher.gate.allowance(clock.now, 4) == 0
            seen["created"] = len(store.created)
            # The faults were used up: the link is back, and the engine hears of it.
            if told_by == "caller":
                engine.link_restored()
            else:
                network.set(Link(LinkKind.CELLULAR, metered=True))

    await _run_for(engine, clock, 9, tick)
    assert seen == {"closed": True, "created": 0}
    assert len(store.created) == 3


async def test_an_order_the_store_keeps_failing_does_not_spin_the_loop(
    db: Database, store: FakeConnector, clock: Clock, demo: CatalogExport
) -> None:
    await _sell_one(db, clock, demo)
    store.fail("create_order", ServerError("Bad gateway", 502), times=1000)
    await _run_for(_engine(db, store, clock, metered=False), clock, 600)
    # Backed off on its own (pulls every 30 s answer, but bring it forward only a few times).
    assert 3 <= store.calls.count("create_order") <= 15


async def test_the_initial_copy_counts_as_the_first_audit(
    db: Database, store: FakeConnector, clock: Clock
) -> None:
    engine = _engine(db, store, clock, metered=False)
    assert (await engine.run_once()).initial
    clock.advance(60)
    assert not (await engine.run_once()).audited  # the copy saw every id a minute ago
    assert "product_ids" not in store.calls
    clock.advance(900)
    assert (await engine.run_once()).audited
