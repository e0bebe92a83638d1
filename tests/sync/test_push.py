"""Uploading sales through a fake store: order, once-only, parking, and what waits for what."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest

from kiosk.catalog_export import CatalogExport
from kiosk.connectors.base import RemoteOrder
from kiosk.connectors.errors import (
    AuthFailed,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    ServerError,
    StoreUnreachable,
)
from kiosk.connectors.fake import FakeConnector
from kiosk.core.models import Order
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


async def test_a_transient_failure_never_holds_the_orders_behind_it(
    db: Database, till: Till, clock: Clock, store: FakeConnector
) -> None:
    clock.tick = timedelta(milliseconds=1)
    first, second, third = [await till.sell(code) for code in till.codes[:3]]
    store.fail("create_order", ServerError("Bad gateway", 502))
    report = await _pusher(db, store, clock).drain()
    # The others went on; their answers cut the first's backoff short, in the same pass, and
    # its retry looked it up before sending it again.
    assert (report.synced, report.retried, report.wait_until) == (3, 1, None)
    assert sorted(o.order.id for o in store.created) == sorted([first.id, second.id, third.id])
    assert store.calls.count("find_order") == 1
    assert set((await _states(db)).values()) == {OutboxState.SYNCED}


async def test_a_failure_after_the_last_answer_waits_out_its_backoff(
    db: Database, till: Till, clock: Clock, store: FakeConnector
) -> None:
    await till.sell()
    store.fail("create_order", ServerError("Bad gateway", 502))
    pusher = _pusher(db, store, clock)
    report = await pusher.drain()
    assert (report.synced, report.retried) == (0, 1)
    assert report.wait_until is not None
    assert (await pusher.drain()).synced == 0  # no answer since: nothing is sent
    clock.advance(1)
    assert pusher.store_reached()  # a pull got an answer: uploads are waiting
    assert (await pusher.drain()).synced == 1
    assert not pusher.store_reached()


async def test_an_order_that_keeps_failing_backs_off_alone(
    db: Database, till: Till, clock: Clock, store: FakeConnector
) -> None:
    clock.tick = timedelta(milliseconds=1)
    sick, *rest = [await till.sell(code) for code in till.codes[:6]]
    create = store.create_order
    refusals = iter(range(outbox.SICK_AFTER))

    async def sick_once_more(order: Order) -> RemoteOrder:
        if order.id == sick.id and next(refusals, None) is not None:
            raise ServerError("Bad gateway", 502)
        return await create(order)

    store.create_order = sick_once_more  # type: ignore[method-assign]
    pusher = _pusher(db, store, clock)
    report = await pusher.drain()
    assert report.synced == 5
    assert sorted(o.order.id for o in store.created) == sorted(o.id for o in rest)
    item = next(i for i in await _all(db) if i.order.id == sick.id)
    # Tried SICK_AFTER times while the others went through; then its own backoff holds it,
    # and further answers from the store do not bring it forward.
    assert (item.state, item.attempts, item.failures) == (
        OutboxState.PENDING_SYNC,
        outbox.SICK_AFTER,
        outbox.SICK_AFTER,
    )
    assert report.wait_until == item.next_attempt_at > clock.now
    clock.advance(1)
    pusher.store_reached()
    assert (await pusher.drain()).synced == 0
    clock.now = item.next_attempt_at
    assert (await pusher.drain()).synced == 1
    assert len(store.created) == 6


async def test_the_link_down_stops_sending_after_a_few_and_its_return_sends_all(
    db: Database, till: Till, clock: Clock, store: FakeConnector
) -> None:
    clock.tick = timedelta(milliseconds=1)
    sold = [await till.sell(code) for code in till.codes[:10]]
    store.fail("create_order", StoreUnreachable("no connection to shop: refused"), times=100)
    pusher = _pusher(db, store, clock)
    report = await pusher.drain()
    # Four in flight when the first refusals came back, then the gate closed: not ten.
    assert store.calls.count("create_order") == 4
    assert report.unreachable.startswith("no connection")
    assert not report.reached
    assert report.wait_until is not None
    assert report.wait_until > clock.now
    assert (await pusher.drain()).synced == 0  # still closed: nothing is sent
    assert store.calls.count("create_order") == 4
    store.clear_faults()
    pusher.link_restored()  # NetworkManager says the link is back
    report = await pusher.drain()
    assert (report.synced, report.wait_until) == (10, None)
    assert sorted(o.order.id for o in store.created) == sorted(o.id for o in sold)
    assert {i.failures for i in await _all(db)} == {0}


async def test_a_probe_after_an_outage_goes_alone(
    db: Database, till: Till, clock: Clock, store: FakeConnector
) -> None:
    for code in till.codes[:8]:
        await till.sell(code)
    store.fail("create_order", StoreUnreachable("no connection to shop: refused"), times=5)
    pusher = _pusher(db, store, clock)
    first = await pusher.drain()
    assert store.calls.count("create_order") == 4
    assert first.wait_until is not None
    # Closed after the third refusal for a probe's backoff (a fifth of an order's), which the
    # fourth (already in flight) doubled; the refused orders' own backoffs are longer.
    assert first.wait_until - clock.now <= timedelta(seconds=4)
    clock.now = first.wait_until
    second = await pusher.drain()  # one probe (the next sale), refused: closed for longer
    assert store.calls.count("create_order") == 5
    assert second.wait_until is not None
    # The fifth refusal in a row: 3 to 6 s (a probe's third backoff, at its cap of 6 s).
    assert timedelta(seconds=3) <= second.wait_until - clock.now <= timedelta(seconds=6)
    clock.now = second.wait_until
    assert (await pusher.drain()).synced == 8


async def test_bad_keys_stop_the_pass_and_wait_at_the_cap(
    db: Database, till: Till, clock: Clock, store: FakeConnector
) -> None:
    for code in till.codes[:10]:
        await till.sell(code)
    store.fail("create_order", AuthFailed("the store refused the API keys"), times=100)
    report = await _pusher(db, store, clock).drain()
    assert store.calls.count("create_order") == 4
    assert report.wait_until == clock.now + timedelta(seconds=60)  # the policy's cap
    assert {i.state for i in await _all(db)} == {OutboxState.PENDING_SYNC}


async def test_retry_after_holds_every_upload_even_when_others_get_through(
    db: Database, till: Till, clock: Clock, store: FakeConnector
) -> None:
    clock.tick = timedelta(milliseconds=1)
    for code in till.codes[:10]:
        await till.sell(code)
    store.fail("create_order", RateLimited("slow down", retry_after=45))
    pusher = _pusher(db, store, clock)
    report = await pusher.drain()
    # The three already in flight finish; nothing new is sent until the store's time is up.
    assert report.synced == 3
    assert store.calls.count("create_order") == 4
    assert report.wait_until is not None
    assert report.wait_until >= clock.now + timedelta(seconds=44)
    clock.now = report.wait_until
    assert (await pusher.drain()).synced == 7


async def test_one_pass_sends_several_at_once_within_the_bound(
    db: Database, till: Till, clock: Clock, store: FakeConnector
) -> None:
    for code in till.codes[:9]:
        await till.sell(code)
    gate = asyncio.Event()
    in_flight: list[int] = []
    peak = 0
    create = store.create_order

    async def held(order: Order) -> RemoteOrder:
        nonlocal peak
        in_flight.append(1)
        peak = max(peak, len(in_flight))
        if len(in_flight) == 3:
            gate.set()
        await gate.wait()
        in_flight.pop()
        return await create(order)

    store.create_order = held  # type: ignore[method-assign]
    report = await Pusher(db, store, clock=clock, concurrency=3).drain()
    assert report.synced == 9
    assert peak == 3


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
