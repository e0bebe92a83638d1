"""Refunds in the database: one durable transaction with their outbox row, limits, upload states."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from kiosk.core.models import PaymentMethod
from kiosk.core.refund_calc import RefundError
from kiosk.store import catalog, orders, outbox
from kiosk.store import refunds as store
from kiosk.store.db import Database
from kiosk.store.outbox import InvalidTransition, OutboxState, UnknownOrder
from tests.store.factory import T0, Sold, make_order, simple

CASH, CARD = PaymentMethod.CASH, PaymentMethod.CARD
LATER = T0 + timedelta(minutes=5)


async def _sold(db: Database, method: PaymentMethod = CASH) -> str:
    order = make_order([Sold("p1", quantity=3, unit=999), Sold("p2", quantity=1)], method=method)
    await orders.commit_sale(db, order, prefix="T1-")
    return order.id


async def _synced(db: Database, order_id: str, remote: str = "501") -> None:
    (item,) = await outbox.claim_due(db, LATER, 1)
    assert item.order_id == order_id
    await outbox.mark_synced(db, order_id, remote, LATER)


async def test_a_refund_commits_with_its_outbox_row_and_reads_back(db: Database) -> None:
    oid = await _sold(db)
    made = await store.make_refund(
        db, oid, CASH, now=LATER, skus={"SKU-p1": 2}, reason="faulty", staff="bo"
    )
    assert made.state is OutboxState.PENDING_SYNC
    assert made.order_number == "T1-00001"
    (line,) = made.refund.lines
    assert (line.line_no, line.quantity, line.total.minor) == (1, 2, 1998)
    assert made.refund.amount.minor == 1998 + 399  # 2/3 of the line tax 5.99, not 20 % of 19.98
    again = await store.get_refund(db, made.refund_id)
    assert again == made
    assert await store.refunds_of(db, oid) == [made]
    assert await store.list_refunds(db, since=T0, until=LATER + timedelta(seconds=1)) == [made]
    # Idempotent on the refund's UUID: the same refund again changes nothing.
    same = await store.make_refund(db, oid, CASH, now=LATER, refund_id=made.refund_id)
    assert same == made
    assert (await store.counts(db))[OutboxState.PENDING_SYNC] == 1


async def test_two_refunds_cannot_together_give_back_more_than_was_sold(db: Database) -> None:
    oid = await _sold(db)
    await store.make_refund(db, oid, CASH, now=LATER, skus={"SKU-p1": 2})
    with pytest.raises(RefundError, match=r"SKU SKU-p1: 2 to refund, but only 1 of 3"):
        await store.make_refund(db, oid, CASH, now=LATER, skus={"SKU-p1": 2})
    rest = await store.make_refund(db, oid, CASH, now=LATER)  # everything left
    assert [(rl.line_no, rl.quantity) for rl in rest.refund.lines] == [(1, 1), (2, 1)]
    with pytest.raises(RefundError, match="already refunded in full"):
        await store.make_refund(db, oid, CASH, now=LATER)
    total = sum(s.refund.amount.minor for s in await store.refunds_of(db, oid))
    stored = await orders.get_order(db, oid)
    assert stored is not None
    assert total == stored.order.total.minor
    with pytest.raises(UnknownOrder):
        await store.make_refund(db, "no-such-order", CASH, now=LATER)


async def test_a_card_refund_only_for_a_card_order(db: Database) -> None:
    oid = await _sold(db)
    with pytest.raises(RefundError, match="not paid by card"):
        await store.make_refund(db, oid, CARD, now=LATER)
    card = await _sold(db, CARD)
    made = await store.make_refund(db, card, CARD, now=LATER, skus={"SKU-p2": 1})
    assert made.card_intent == "pi_123"


async def test_an_unuploaded_refund_cannot_be_deleted(db: Database) -> None:
    oid = await _sold(db)
    made = await store.make_refund(db, oid, CASH, now=LATER)

    def delete(sql: str, *args: str):  # type: ignore[no-untyped-def]
        return lambda conn: conn.execute(sql, args)

    with pytest.raises(sqlite3.IntegrityError, match="refund not yet uploaded"):
        await db.write(delete("DELETE FROM refunds WHERE id = ?", made.refund_id))
    with pytest.raises(sqlite3.IntegrityError, match="refund not yet uploaded"):
        await db.write(delete("DELETE FROM refund_outbox WHERE refund_id = ?", made.refund_id))
    await _synced(db, oid)
    # The order is in the store, its refund is not: deleting the order takes the refund too.
    with pytest.raises(sqlite3.IntegrityError, match="refund not yet uploaded"):
        await db.write(delete("DELETE FROM orders WHERE id = ?", oid))
    assert await store.get_refund(db, made.refund_id) is not None


async def test_a_cash_refund_waits_for_its_order_and_a_card_refund_does_not(
    db: Database,
) -> None:
    cash_order = await _sold(db)
    card_order = await _sold(db, CARD)
    cash = await store.make_refund(db, cash_order, CASH, now=LATER)
    card = await store.make_refund(db, card_order, CARD, now=LATER)
    (claimed,) = await store.claim_due(db, LATER, 10)
    assert claimed.refund_id == card.refund_id  # the money goes back without the store
    assert claimed.state is OutboxState.SYNCING
    assert claimed.attempts == 1
    await store.set_reference(db, card.refund_id, "re_1")
    await store.schedule_retry(db, card.refund_id, "waiting", LATER, now=LATER, failed=False)
    assert await store.claim_due(db, LATER, 10) == []  # paid back: now it waits like cash
    assert await store.next_due_at(db) is None
    await _synced(db, cash_order)
    (claimed,) = await store.claim_due(db, LATER, 10)
    assert claimed.refund_id == cash.refund_id
    assert claimed.order_remote_id == "501"


async def test_failed_refunds_are_retried_by_staff_only_from_failed(db: Database) -> None:
    oid = await _sold(db)
    made = await store.make_refund(db, oid, CASH, now=LATER)
    with pytest.raises(InvalidTransition):
        await store.retry(db, made.refund_id, LATER)
    await _synced(db, oid)
    await store.claim_due(db, LATER, 1)
    await store.mark_failed(db, made.refund_id, "Invalid refund amount.", now=LATER)
    failed = await store.get_refund(db, made.refund_id)
    assert failed is not None
    assert failed.state is OutboxState.FAILED
    assert failed.last_error == "Invalid refund amount."
    assert await store.retry(db, made.refund_id, LATER) is OutboxState.PENDING_SYNC
    (claimed,) = await store.claim_due(db, LATER, 1)
    assert claimed.attempts == 2
    await store.mark_synced(db, made.refund_id, "777", LATER)
    done = await store.get_refund(db, made.refund_id)
    assert done is not None
    assert (done.state, done.remote_id) == (OutboxState.SYNCED, "777")


async def test_a_restock_puts_the_units_back_on_local_stock(db: Database) -> None:
    await catalog.upsert_products(
        db, [simple("p1", "Mug", manage_stock=True, stock_quantity=5, sku="SKU-p1")]
    )
    oid = await _sold(db)  # takes 3
    await store.make_refund(db, oid, CASH, now=LATER, skus={"SKU-p1": 2}, restock=True)
    await store.make_refund(db, oid, CASH, now=LATER, skus={"SKU-p1": 1})  # not restocked
    stock = await db.read(
        lambda conn: conn.execute("SELECT stock_quantity FROM products WHERE id = 'p1'").fetchone()
    )
    assert stock[0] == 5 - 3 + 2
