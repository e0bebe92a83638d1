"""The outbox state machine and the agent's FIFO drain."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from kiosk.store import orders, outbox
from kiosk.store.db import Database
from kiosk.store.outbox import InvalidTransition, OutboxState, UnknownOrder
from tests.store.factory import T0, Sold, make_order

S = OutboxState
ALLOWED = {
    (S.PENDING_SYNC, S.SYNCING),
    (S.SYNCING, S.SYNCED),
    (S.SYNCING, S.PENDING_SYNC),
    (S.SYNCING, S.FAILED),
    (S.FAILED, S.PENDING_SYNC),
}


@pytest.mark.parametrize(("current", "new"), list(itertools.product(S, S)))
def test_transition_table(current: OutboxState, new: OutboxState) -> None:
    if (current, new) in ALLOWED:
        outbox.transition(current, new)
    else:
        with pytest.raises(InvalidTransition, match=f"from {current} to {new}") as info:
            outbox.transition(current, new, "order o-1")
        assert info.value.current is current
        assert info.value.new is new
        assert "order o-1" in str(info.value)


async def _sell(db: Database, n: int) -> list[str]:
    ids = []
    for i in range(n):
        # Sale times run backwards: FIFO follows the order of commit, not the device clock.
        o = make_order([Sold("x")], created_at=T0 - timedelta(minutes=i))
        ids.append((await orders.commit_sale(db, o, prefix="K-")).id)
    return ids


async def _state(db: Database, order_id: str) -> OutboxState:
    stored = await orders.get_order(db, order_id)
    assert stored is not None
    return stored.state


async def test_claim_next_is_fifo_and_counts_attempts(db: Database) -> None:
    a, b, c = await _sell(db, 3)
    now = T0 + timedelta(hours=1)
    first = await outbox.claim_next(db, now)
    assert first is not None
    assert first.order.id == a
    assert first.state is S.SYNCING
    assert first.attempts == 1
    assert first.updated_at == now
    assert first.order.number == "K-00001"
    assert first.order.lines
    second = await outbox.claim_next(db, now)
    assert second is not None
    assert second.order.id == b
    assert [i.order.id for i in await outbox.in_flight(db)] == [a, b]
    third = await outbox.claim_next(db, now)
    assert third is not None
    assert third.order.id == c
    assert await outbox.claim_next(db, now) is None


async def test_nothing_is_claimed_before_it_is_due(db: Database) -> None:
    (_a,) = await _sell(db, 1)
    assert await outbox.claim_next(db, T0 - timedelta(seconds=1)) is None
    assert await outbox.claim_next(db, T0) is not None


async def test_retryable_error_waits_then_goes_again(db: Database) -> None:
    a, b = await _sell(db, 2)
    await outbox.claim_next(db, T0)
    later = T0 + timedelta(minutes=5)
    await outbox.schedule_retry(db, a, "timeout talking to the store", later, now=T0)
    stored = await orders.get_order(db, a)
    assert stored is not None
    assert stored.state is S.PENDING_SYNC
    assert stored.next_attempt_at == later
    assert stored.last_error == "timeout talking to the store"
    # b is due now and a is not: b goes first.
    nxt = await outbox.claim_next(db, T0 + timedelta(minutes=1))
    assert nxt is not None
    assert nxt.order.id == b
    again = await outbox.claim_next(db, later)
    assert again is not None
    assert again.order.id == a
    assert again.attempts == 2


async def test_synced_is_final_and_keeps_the_remote_id(db: Database) -> None:
    (a,) = await _sell(db, 1)
    with pytest.raises(InvalidTransition, match="pending_sync to synced"):
        await outbox.mark_synced(db, a, "777", T0)
    await outbox.claim_next(db, T0)
    await outbox.mark_synced(db, a, "777", T0 + timedelta(seconds=3))
    stored = await orders.get_order(db, a)
    assert stored is not None
    assert stored.state is S.SYNCED
    assert stored.remote_id == "777"
    assert stored.updated_at == T0 + timedelta(seconds=3)
    with pytest.raises(InvalidTransition, match="synced to pending_sync"):
        await outbox.retry(db, a, T0)
    with pytest.raises(InvalidTransition, match="synced to failed"):
        await outbox.mark_failed(db, a, "late")
    assert await _state(db, a) is S.SYNCED


async def test_failed_then_staff_retry(db: Database) -> None:
    (a,) = await _sell(db, 1)
    with pytest.raises(InvalidTransition, match="pending_sync to pending_sync"):
        await outbox.retry(db, a, T0)
    await outbox.claim_next(db, T0)
    assert await outbox.claim_next(db, T0) is None  # in flight: not claimed twice
    await outbox.mark_failed(db, a, "SKU not found on the store", now=T0)
    stored = await orders.get_order(db, a)
    assert stored is not None
    assert stored.state is S.FAILED
    assert stored.last_error == "SKU not found on the store"
    assert await outbox.claim_next(db, T0 + timedelta(days=1)) is None  # failed stays put
    later = T0 + timedelta(hours=2)
    assert await outbox.retry(db, a, later) is S.PENDING_SYNC
    stored = await orders.get_order(db, a)
    assert stored is not None
    assert stored.next_attempt_at == later
    item = await outbox.claim_next(db, later)
    assert item is not None
    assert item.order.id == a
    assert item.attempts == 2


async def test_unknown_orders_are_named(db: Database) -> None:
    with pytest.raises(UnknownOrder, match="'nope'"):
        await outbox.retry(db, "nope", T0)
    with pytest.raises(UnknownOrder):
        await outbox.mark_synced(db, "nope", "1", T0)


async def test_counts_cover_every_state(db: Database) -> None:
    assert await outbox.counts(db) == dict.fromkeys(S, 0)
    a, b, c, _ = await _sell(db, 4)
    for _ in range(3):
        await outbox.claim_next(db, T0)
    await outbox.mark_synced(db, a, "1", T0)
    await outbox.mark_failed(db, b, "no")
    assert await outbox.counts(db) == {
        S.PENDING_SYNC: 1,
        S.SYNCING: 1,
        S.SYNCED: 1,
        S.FAILED: 1,
    }
    assert [i.order.id for i in await outbox.in_flight(db)] == [c]


async def test_times_must_be_aware(db: Database) -> None:
    await _sell(db, 1)
    with pytest.raises(ValueError, match="now must be an aware datetime"):
        await outbox.claim_next(db, T0.replace(tzinfo=None))


async def test_each_move_takes_only_its_own_edge(db: Database) -> None:
    a, b = await _sell(db, 2)
    await outbox.claim_next(db, T0)
    # Staff's Retry must not re-queue an upload in flight: it may already be on the store.
    with pytest.raises(
        InvalidTransition, match=r"syncing to pending_sync .*only an upload in failed"
    ):
        await outbox.retry(db, a, T0)
    assert await _state(db, a) is S.SYNCING
    await outbox.mark_failed(db, a, "rejected")
    # The agent's retry does not revive an order the store rejected for good.
    with pytest.raises(
        InvalidTransition, match=r"failed to pending_sync .*only an upload in syncing"
    ):
        await outbox.schedule_retry(db, a, "again?", T0)
    assert await _state(db, a) is S.FAILED
    with pytest.raises(InvalidTransition, match="pending_sync to failed"):
        await outbox.mark_failed(db, b, "not claimed")
    assert await _state(db, b) is S.PENDING_SYNC


async def test_claim_due_takes_the_oldest_due_up_to_the_limit_and_skips_the_named(
    db: Database,
) -> None:
    a, b, c, d = await _sell(db, 4)
    first = await outbox.claim_due(db, T0, 2, skip=[a])
    assert [i.order.id for i in first] == [b, c]
    assert {i.state for i in first} == {S.SYNCING}
    assert [i.order.id for i in await outbox.claim_due(db, T0, 5)] == [a, d]
    assert await outbox.claim_due(db, T0, 5) == []


async def _failed_at(db: Database, when: timedelta, failures: int = 1) -> str:
    """An order that failed `failures` times, the last at T0 + `when`, backing off an hour."""
    (oid,) = await _sell(db, 1)
    for n in range(failures):
        claimed = await outbox.claim_next(db, T0)
        assert claimed is not None
        assert claimed.order.id == oid
        # Due again at once until the last failure, which backs off.
        due = T0 + timedelta(hours=9) if n == failures - 1 else T0
        await outbox.schedule_retry(db, oid, "connection lost", due, now=T0 + when)
    return oid


async def test_an_answer_brings_forward_only_what_failed_before_it(db: Database) -> None:
    before = await _failed_at(db, timedelta(seconds=1))
    after = await _failed_at(db, timedelta(seconds=3))
    now = T0 + timedelta(seconds=4)
    assert await outbox.next_due_at(db) == T0 + timedelta(hours=9)
    cut = await outbox.cut_backoffs(db, now, answered_at=T0 + timedelta(seconds=2))
    assert cut == 1
    got = {i.order.id: i for i in await outbox.claim_due(db, now, 10)}
    assert set(got) == {before}
    assert got[before].failures == 1  # kept: a failure after this still backs off further
    assert await outbox.next_due_at(db) == T0 + timedelta(hours=9)  # `after` waits
    assert after not in got


async def test_a_sick_order_keeps_its_backoff_until_the_link_comes_back(db: Database) -> None:
    sick = await _failed_at(db, timedelta(seconds=1), failures=outbox.SICK_AFTER)
    unlucky = await _failed_at(db, timedelta(seconds=1), failures=outbox.SICK_AFTER - 1)
    now = T0 + timedelta(seconds=5)
    answered = T0 + timedelta(seconds=2)
    assert await outbox.cut_backoffs(db, now, answered_at=answered) == 1
    assert [i.order.id for i in await outbox.claim_due(db, now, 10)] == [unlucky]
    # After an outage every backoff starts again, the sick one's too.
    assert await outbox.cut_backoffs(db, now, answered_at=answered, reset=True) == 1
    (item,) = await outbox.claim_due(db, now, 10)
    assert (item.order.id, item.failures) == (sick, 0)


async def test_a_lookup_that_finds_nothing_is_not_a_failure(db: Database) -> None:
    (a,) = await _sell(db, 1)
    await outbox.claim_next(db, T0)
    await outbox.schedule_retry(db, a, "interrupted", T0, now=T0, failed=False)
    (item,) = await outbox.claim_due(db, T0, 1)
    assert item.failures == 0
    assert await outbox.next_due_at(db) is None
