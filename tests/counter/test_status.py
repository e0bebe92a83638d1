"""The status bar's figures, read from a real database in the states the agent leaves it in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.core.cart import Cart
from kiosk.core.models import ShopSettings, StockLevel, StockStatus
from kiosk.counter.status import CounterStatus, FailedOrder, Uploads, counter_status
from kiosk.store import catalog, orders, outbox, parked, stock, sync_state
from kiosk.store.db import Database
from kiosk.store.sync_state import InitialSync, Link, LinkState
from tests.store.factory import T0, Sold, eur, make_order, simple


async def test_a_new_device_shows_nothing_to_worry_about(db: Database) -> None:
    status = await counter_status(db, now=T0)
    assert status == CounterStatus(
        checked_at=T0,
        link=Link(LinkState.UNKNOWN, None, ""),
        uploads=Uploads(0, 0, 0, None),
        failed_count=0,
        failed=(),
        last_pull_at=None,
        last_push_at=None,
        initial_sync=InitialSync(0, 0, False),
        stock_discrepancies=0,
        parked=0,
    )
    assert not status.online
    assert not status.needs_attention
    assert status.link_for is None


async def test_every_figure_comes_from_the_database(db: Database) -> None:
    minute = timedelta(minutes=1)
    mug = simple("p1", "Mug", manage_stock=True, stock_quantity=40)
    await catalog.upsert_products(db, [mug])
    sales = [
        make_order([Sold("p1", unit=500 * (i + 1))], order_id=f"o{i}", created_at=T0 + i * minute)
        for i in range(6)
    ]
    numbered = [await orders.commit_sale(db, o, prefix="K-") for o in sales]
    now = T0 + 10 * minute
    # o0 uploads; o1 and o2 are refused; o3 waits for a retry; o4 is uploading; o5 is new.
    for i in range(5):
        item = await outbox.claim_next(db, now)
        assert item is not None
        assert item.order_id == f"o{i}"
        if i == 0:
            await outbox.mark_synced(db, "o0", "9001", now)
        elif i in (1, 2):
            await outbox.mark_failed(db, f"o{i}", f"Invalid product {i}.", now=now + i * minute)
        elif i == 3:
            await outbox.schedule_retry(db, "o3", "no connection", now + minute, now=now)
    await stock.adopt(db, [StockLevel("p1", True, 31, StockStatus.IN_STOCK)], now, "pull")
    await sync_state.mark_pulled(db, now - minute)
    await sync_state.mark_pushed(db, now)
    await sync_state.set_initial_sync(db, 10, 10, True)
    await sync_state.set_link(db, LinkState.OFFLINE, now=now, error="no connection to shop.test")
    cart = Cart(ShopSettings(currency="EUR"), [])
    cart.add(mug, 2)
    await parked.park(db, cart, label="", now=now)

    status = await counter_status(db, now=now + 5 * minute)

    assert status.link == Link(LinkState.OFFLINE, now, "no connection to shop.test")
    assert status.link_for == 5 * minute
    assert status.uploads == Uploads(pending=1, retrying=1, in_flight=1, oldest_at=T0 + 3 * minute)
    assert status.uploads.waiting == 3
    assert status.failed_count == 2
    assert status.failed == (
        FailedOrder(
            "o2", numbered[2].number, sales[2].total, "Invalid product 2.", now + 2 * minute
        ),
        FailedOrder("o1", numbered[1].number, sales[1].total, "Invalid product 1.", now + minute),
    )
    assert status.failed[0].total == eur(1800)
    assert status.last_pull_at == now - minute
    assert status.last_push_at == now
    assert status.initial_sync == InitialSync(10, 10, True)
    assert status.stock_discrepancies == 1  # the device counted 34 mugs, the store 31
    assert status.parked == 1
    assert status.needs_attention
    assert not status.online


async def test_a_naive_time_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="now must be an aware datetime"):
        await counter_status(db, now=T0.replace(tzinfo=None))
