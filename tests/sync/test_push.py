"""Uploading sales through a fake store: order, once-only, parking, and what waits for what."""

from __future__ import annotations

import random

import pytest

from kiosk.catalog_export import CatalogExport
from kiosk.connectors.errors import OutcomeUnknown, Rejected, ServerError
from kiosk.connectors.fake import FakeConnector
from kiosk.store import outbox
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState
from kiosk.sync.policy import RetryPolicy
from kiosk.sync.push import Pusher
from tests.sync.conftest import Clock, Till


@pytest.fixture
def store(demo: CatalogExport) -> FakeConnector:
    fake = FakeConnector(settings=demo.settings)
    fake.add_products(demo.products)
    return fake


def _pusher(db: Database, store: FakeConnector, clock: Clock) -> Pusher:
    return Pusher(
        db, store, clock=clock, policy=RetryPolicy(base_s=10, cap_s=60), rng=random.Random(0)
    )


async def _states(db: Database) -> dict[str, OutboxState]:
    return {s.order.number: s.state for s in reversed(await _all(db))}


async def _all(db: Database) -> list[outbox.OutboxItem]:
    from kiosk.store import orders

    return await orders.list_orders(db, limit=100)


async def test_uploads_in_order_of_sale(
    db: Database, till: Till, clock: Clock, store: FakeConnector
) -> None:
    sold = [await till.sell(code) for code in till.codes[:3]]
    report = await _pusher(db, store, clock).drain()
    assert report.synced == 3
    assert [o.order.id for o in store.created] == [o.id for o in sold]
    assert set((await _states(db)).values()) == {OutboxState.SYNCED}


async def test_a_rejected_order_is_parked_and_the_rest_keep_draining(
    db: Database, till: Till, clock: Clock, store: FakeConnector
) -> None:
    first, second, third = [await till.sell(code) for code in till.codes[:3]]
    store.fail("create_order", Rejected("Product ID provided is invalid.", status=400), times=1)
    report = await _pusher(db, store, clock).drain()
    assert (report.synced, report.failed) == (2, 1)
    states = await _states(db)
    assert states == {
        first.number: OutboxState.FAILED,
        second.number: OutboxState.SYNCED,
        third.number: OutboxState.SYNCED,
    }
    failed = next(s for s in await _all(db) if s.state is OutboxState.FAILED)
    assert failed.last_error == "Product ID provided is invalid."
    assert [o.order.id for o in store.created] == [second.id, third.id]


async def test_lost_answer_after_commit_is_looked_up_not_resent(
    db: Database, till: Till, clock: Clock, store: FakeConnector
) -> None:
    order = await till.sell()
    store.fail("create_order", OutcomeUnknown("connection reset"), commit=True)
    report = await _pusher(db, store, clock).drain()
    assert report.synced == 1
    assert len(store.created) == 1
    assert store.calls.count("create_order") == 1
    assert store.calls.index("find_order") > store.calls.index("create_order")
    assert (await _states(db))[order.number] is OutboxState.SYNCED


async def test_unknown_outcome_not_committed_is_sent_again_only_after_a_lookup(
    db: Database, till: Till, clock: Clock, store: FakeConnector
) -> None:
    await till.sell()
    store.fail("create_order", OutcomeUnknown("timed out"), commit=False)
    pusher = _pusher(db, store, clock)
    report = await pusher.drain()
    assert (report.synced, report.retried) == (0, 1)
    assert report.wait_until is not None
    # Not due yet: nothing is sent.
    assert (await pusher.drain()).synced == 0
    clock.now = report.wait_until
    calls_before = len(store.calls)
    assert (await pusher.drain()).synced == 1
    assert store.calls[calls_before:] == ["find_order", "create_order"]
    assert len(store.created) == 1


async def test_a_transient_failure_holds_later_sales_back(
    db: Database, till: Till, clock: Clock, store: FakeConnector
) -> None:
    first, second = [await till.sell(code) for code in till.codes[:2]]
    store.fail("create_order", ServerError("Bad gateway", 502))
    pusher = _pusher(db, store, clock)
    report = await pusher.drain()
    assert (report.synced, report.retried) == (0, 1)
    assert store.created == []  # the second sale did not overtake the first
    assert report.wait_until is not None
    clock.now = report.wait_until
    assert (await pusher.drain()).synced == 2
    assert [o.order.id for o in store.created] == [first.id, second.id]


async def test_upload_interrupted_by_a_crash_is_resolved_by_lookup(
    db: Database, till: Till, clock: Clock, store: FakeConnector
) -> None:
    order = await till.sell()
    # The previous agent claimed the order, the store committed it, then the agent died.
    claimed = await outbox.claim_next(db, clock())
    assert claimed is not None
    await store.create_order(order)
    pusher = _pusher(db, store, clock)
    await pusher.recover()
    assert (await _states(db))[order.number] is OutboxState.SYNCED
    assert (await pusher.drain()).synced == 0
    assert len(store.created) == 1
