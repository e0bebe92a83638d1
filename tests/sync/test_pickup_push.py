"""Pickups on the fake store: pulled, collected, completed once, never in the way of a sale."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from kiosk.connectors.errors import AuthFailed, OutcomeUnknown, ServerError, StoreUnreachable
from kiosk.connectors.fake import FakeConnector
from kiosk.core.money import Money
from kiosk.core.pickup import PickupLine, PickupOrder, PickupState
from kiosk.store import pickups
from kiosk.store.db import Database
from kiosk.store.outbox import InvalidTransition, OutboxState
from kiosk.store.pickups import StoredPickup, UnknownPickup
from kiosk.sync.pickup_push import PickupPuller
from kiosk.sync.push import Pusher
from tests.sync.conftest import Clock, Till


def _pickup(rid: str, name: str, clock: Clock, minutes: int = 0) -> PickupOrder:
    return PickupOrder(
        remote_id=rid,
        number=f"#{rid}",
        customer=name,
        email=f"{name.split()[0].lower()}@example.com",
        phone="+44 1632 960000",
        placed_at=clock.now - timedelta(minutes=60 - minutes),
        total=Money(2450, "EUR"),
        lines=(PickupLine("Mug", "MUG-1", 2), PickupLine("Tea 100% leaf_", "TEA-1", 1)),
        status="processing",
    )


async def _pulled(db: Database, store: FakeConnector, clock: Clock, *names: str) -> None:
    for n, name in enumerate(names):
        rid = str(501 + n)
        store.pickups[rid] = _pickup(rid, name, clock, n)
        store.local_pickup.add(rid)
    assert await PickupPuller(db, store, clock=clock).pull() == len(names)


def _pusher(db: Database, store: FakeConnector, clock: Clock) -> Pusher:
    return Pusher(db, store, clock=clock, rng=random.Random(1))


async def _get(db: Database, key: str) -> StoredPickup:
    found = await pickups.get_pickup(db, key)
    assert found is not None
    return found


async def test_a_pull_lists_the_waiting_and_keeps_what_staff_collected(
    db: Database, store: FakeConnector, clock: Clock
) -> None:
    await _pulled(db, store, clock, "Ada Lovelace", "Grace Hopper", "Alan Turing")
    store.pickups["504"] = _pickup("504", "Not Local", clock)  # shipped, not collected here
    assert await PickupPuller(db, store, clock=clock).pull() == 3
    assert await PickupPuller(db, store, clock=clock, local_only=False).pull() == 4
    await pickups.collect(db, "501", now=clock())
    # The store stops listing both (completed by hand, or by us): the uncompleted one stays.
    del store.pickups["501"], store.pickups["502"]
    assert await PickupPuller(db, store, clock=clock, local_only=False).pull() == 2
    assert (await _get(db, "501")).state is OutboxState.PENDING_SYNC
    assert await pickups.get_pickup(db, "502") is None
    # The database refuses to drop it too.
    with pytest.raises(Exception, match="not yet completed in the store"):
        await db.write(lambda conn: conn.execute("DELETE FROM pickups WHERE remote_id = '501'"))


async def test_search_finds_by_number_name_email_or_phone_and_escapes_wildcards(
    db: Database, store: FakeConnector, clock: Clock
) -> None:
    await _pulled(db, store, clock, "Ada Lovelace", "Grace Hopper")

    async def ids(text: str) -> list[str]:
        return [s.remote_id for s in await pickups.list_pickups(db, search=text)]

    assert await ids("") == ["501", "502"]  # oldest first
    assert await ids("502") == ["502"]
    assert await ids("#501") == ["501"]
    assert await ids("hopper grace") == ["502"]
    assert await ids("ADA@EXAMPLE") == ["501"]
    assert await ids("%") == []  # a wildcard is a character, not "anything"
    assert await ids("_") == []
    assert (await _get(db, "#502")).remote_id == "502"
    assert (await _get(db, "502")).pickup.lines[1] == PickupLine("Tea 100% leaf_", "TEA-1", 1)
    with pytest.raises(UnknownPickup, match="'999'"):
        await pickups.collect(db, "999", now=clock())


async def test_a_collected_pickup_is_completed_once_after_a_lost_answer(
    db: Database, store: FakeConnector, clock: Clock
) -> None:
    await _pulled(db, store, clock, "Ada Lovelace")
    made = await pickups.collect(db, "#501", now=clock(), staff="Sam")
    assert (made.state, made.collected_by, made.collected_at) == (
        OutboxState.PENDING_SYNC, "Sam", clock.now
    )  # fmt: skip
    store.fail("complete_pickup", OutcomeUnknown("answer lost"), commit=True)
    report = await _pusher(db, store, clock).drain()
    assert report.pickups.synced == 1
    assert store.pickups_completed == ["501"]
    assert store.calls.count("complete_pickup") == 1  # looked up, never sent twice
    assert "pickup_state" in store.calls
    assert (await _get(db, "501")).state is OutboxState.SYNCED


async def test_a_retry_looks_first_and_a_crash_mid_upload_is_settled(
    db: Database, store: FakeConnector, clock: Clock
) -> None:
    await _pulled(db, store, clock, "Ada Lovelace", "Grace Hopper")
    await pickups.collect(db, "501", now=clock())
    await pickups.collect(db, "502", now=clock())
    store.fail("complete_pickup", ServerError("502 Bad Gateway", 502))
    first = await _pusher(db, store, clock).drain()
    assert (first.pickups.synced, first.pickups.retried) == (1, 1)
    assert store.pickups_completed == ["502"]  # 501 met the 502 and waits its backoff
    # The shop completes 501 in its admin; then a process dies with 501's retry in flight.
    store.pickup_states["501"] = PickupState.COLLECTED
    (claimed,) = await pickups.claim_due(db, clock() + timedelta(hours=1), 5)
    assert (claimed.remote_id, claimed.state) == ("501", OutboxState.SYNCING)
    store.calls.clear()
    clock.advance(3600)
    again = await _pusher(db, store, clock).drain()  # a new process
    assert again.pickups.synced == 1
    assert store.calls == ["pickup_state"]  # looked up; found done; nothing sent
    assert store.pickups_completed == ["502"]
    assert (await pickups.counts(db))[OutboxState.SYNCED] == 2


async def test_a_refused_pickup_is_parked_in_words_and_holds_nothing_back(
    db: Database, store: FakeConnector, till: Till, clock: Clock
) -> None:
    await _pulled(db, store, clock, "Ada Lovelace", "Grace Hopper")
    store.pickup_states["501"] = PickupState.GONE  # cancelled online after the pull
    await pickups.collect(db, "501", now=clock())
    await pickups.collect(db, "502", now=clock())
    order = await till.sell(till.codes[0])
    report = await _pusher(db, store, clock).drain()
    assert report.synced == 1
    assert (report.pickups.synced, report.pickups.failed) == (1, 1)
    assert order.id in store.orders
    parked = await _get(db, "501")
    assert parked.state is OutboxState.FAILED
    assert parked.last_error == "order 501 was cancelled"
    with pytest.raises(InvalidTransition):
        await pickups.retry(db, "502", clock())  # completed: nothing to retry
    store.pickup_states["501"] = PickupState.WAITING  # the shop reopened it
    assert (await pickups.retry(db, "501", clock())).state is OutboxState.PENDING_SYNC
    again = await _pusher(db, store, clock).drain()
    assert again.pickups.synced == 1
    assert store.pickups_completed == ["502", "501"]


async def test_offline_a_collection_waits_and_goes_when_the_store_answers(
    db: Database, store: FakeConnector, clock: Clock
) -> None:
    await _pulled(db, store, clock, "Ada Lovelace")
    await pickups.collect(db, "501", now=clock())
    pusher = _pusher(db, store, clock)
    store.fail("complete_pickup", StoreUnreachable("no route to host"))
    offline = await pusher.drain()
    assert offline.pickups.synced == 0
    assert store.pickups_completed == []
    waiting = await _get(db, "501")
    assert waiting.state is OutboxState.PENDING_SYNC
    assert waiting.failures == 0  # the link's fault: no backoff of its own
    # A pull reaching the store says uploads may be waiting; the next drain completes it.
    assert pusher.store_reached()
    back = await pusher.drain()
    assert back.pickups.synced == 1
    assert store.pickups_completed == ["501"]
    assert store.calls[-2:] == ["pickup_state", "complete_pickup"]  # it looked first


async def test_device_wide_trouble_closes_the_gate_for_pickups_too(
    db: Database, store: FakeConnector, clock: Clock
) -> None:
    await _pulled(db, store, clock, "Ada Lovelace", "Grace Hopper")
    await pickups.collect(db, "501", now=clock())
    await pickups.collect(db, "502", now=clock())
    store.fail("complete_pickup", AuthFailed("the keys were revoked"))
    report = await _pusher(db, store, clock).drain()
    assert report.pickups.retried == 1
    assert store.calls.count("complete_pickup") == 1  # the second never went
    assert (await pickups.counts(db))[OutboxState.PENDING_SYNC] == 2
