"""Refunds: committed whole and durably with their outbox row, read back, and moved on upload.

A refund's outbox row follows the orders' state machine (kiosk.store.outbox.OutboxState and
`transition`): pending_sync -> syncing -> synced | failed, a retryable error back to pending, a
failed one back to pending on staff's Retry. Its upload waits for its order's: `claim_due` takes
a refund once its order is in the store, except that a card refund whose money has not gone back
yet is taken at once (paying the customer back must not wait for the store).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.core import refund_calc
from kiosk.core.models import LineTax, PaymentMethod
from kiosk.core.money import Money
from kiosk.core.refunds import Refund, RefundLine
from kiosk.store import rows, rows_orders
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState, UnknownOrder
from kiosk.store.queue import Queue


class UnknownRefund(LookupError):
    """No refund has this id."""

    def __init__(self, refund_id: str) -> None:
        super().__init__(f"no refund with id {refund_id!r}")
        self.refund_id = refund_id


@dataclass(frozen=True, slots=True)
class StoredRefund:
    """A refund as stored, with its upload state and what it needs from its order."""

    refund: Refund
    state: OutboxState
    attempts: int
    failures: int
    next_attempt_at: datetime
    last_error: str
    remote_id: str | None  # the store's refund id, once uploaded
    updated_at: datetime
    first_attempt_at: datetime | None
    order_number: str
    order_remote_id: str | None  # None until the order itself is in the store
    card_intent: str = ""  # the order's card payment (a PaymentIntent) a card refund goes to

    @property
    def refund_id(self) -> str:
        return self.refund.id


_HEAD = (
    "SELECT r.id, r.order_id, r.created_at, r.currency, r.amount, r.method, r.restock, r.reason, "
    "r.staff, r.reference, r.remote_id, ob.state, ob.attempts, ob.failures, ob.next_attempt_at, "
    "ob.last_error, ob.updated_at, ob.first_attempt_at, o.number, o.remote_id, "
    "coalesce((SELECT p.reference FROM payments p WHERE p.order_id = r.order_id "
    "AND p.method = 'card' AND p.reference != '' ORDER BY p.position LIMIT 1), '') "
    "FROM refunds r JOIN refund_outbox ob ON ob.refund_id = r.id JOIN orders o ON o.id = r.order_id"
)


def _load(conn: sqlite3.Connection, heads: Sequence[Sequence[Any]]) -> list[StoredRefund]:
    if not heads:
        return []
    key = rows.strings_json(h[0] for h in heads)
    currency = {h[0]: h[3] for h in heads}
    taxes: dict[tuple[str, int], list[LineTax]] = {}
    for rid, line_no, rate_id, total in conn.execute(
        "SELECT refund_id, line_no, rate_id, total FROM refund_line_taxes "
        "WHERE refund_id IN (SELECT value FROM json_each(?)) ORDER BY refund_id, line_no, position",
        (key,),
    ):
        m = Money(total, currency[rid])
        taxes.setdefault((rid, line_no), []).append(LineTax(rate_id, m, m))
    lines: dict[str, list[RefundLine]] = {}
    for r in conn.execute(
        "SELECT refund_id, line_no, product_id, variation_id, sku, quantity, total, total_tax "
        "FROM refund_lines WHERE refund_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY refund_id, line_no",
        (key,),
    ):
        cur = currency[r[0]]
        lines.setdefault(r[0], []).append(
            RefundLine(
                line_no=r[1],
                product_id=r[2],
                variation_id=r[3],
                sku=r[4],
                quantity=r[5],
                total=Money(r[6], cur),
                total_tax=Money(r[7], cur),
                taxes=tuple(taxes.get((r[0], r[1]), ())),
            )
        )
    return [
        StoredRefund(
            refund=Refund(
                id=h[0],
                order_id=h[1],
                created_at=rows.from_text(h[2]),
                currency=h[3],
                lines=tuple(lines.get(h[0], ())),
                amount=Money(h[4], h[3]),
                method=PaymentMethod(h[5]),
                restock=bool(h[6]),
                reason=h[7],
                staff=h[8],
                reference=h[9],
            ),
            remote_id=h[10],
            state=OutboxState(h[11]),
            attempts=h[12],
            failures=h[13],
            next_attempt_at=rows.from_text(h[14]),
            last_error=h[15],
            updated_at=rows.from_text(h[16]),
            first_attempt_at=rows.opt_from_text(h[17]),
            order_number=h[18],
            order_remote_id=h[19],
            card_intent=h[20],
        )
        for h in heads
    ]


def _of_order(conn: sqlite3.Connection, order_id: str) -> list[StoredRefund]:
    heads = conn.execute(_HEAD + " WHERE r.order_id = ? ORDER BY ob.seq", (order_id,)).fetchall()
    return _load(conn, heads)


def _by_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> list[StoredRefund]:
    heads = conn.execute(
        _HEAD + " WHERE r.id IN (SELECT value FROM json_each(?)) ORDER BY ob.seq",  # noqa: S608
        (rows.strings_json(ids),),
    ).fetchall()
    return _load(conn, heads)


def _restock(conn: sqlite3.Connection, refund: Refund) -> None:
    """Put refunded units back on local stock, optimistically (the store's numbers win later).

    The same product takes them that the sale took them from (orders._decrement_stock).
    """
    for rl in refund.lines:
        for pid in (rl.variation_id, rl.product_id):
            if pid is None:
                continue
            r = conn.execute(
                "SELECT pk, manage_stock FROM products WHERE id = ?", (pid,)
            ).fetchone()
            if r is not None and r[1]:
                conn.execute(
                    "UPDATE products SET stock_quantity = coalesce(stock_quantity, 0) + :q, "
                    "stock_status = CASE WHEN coalesce(stock_quantity, 0) + :q > 0 "
                    "AND stock_status = 'outofstock' THEN 'instock' ELSE stock_status END "
                    "WHERE pk = :pk",
                    {"q": rl.quantity, "pk": r[0]},
                )
                break


def _insert(conn: sqlite3.Connection, refund: Refund) -> None:
    conn.execute(
        "INSERT INTO refunds (id, order_id, created_at, currency, amount, method, restock, reason, "
        "staff, reference) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            refund.id,
            refund.order_id,
            rows.to_text(refund.created_at, f"refund {refund.id} created_at"),
            refund.currency,
            refund.amount.minor,
            refund.method.value,
            int(refund.restock),
            refund.reason,
            refund.staff,
            refund.reference,
        ),
    )
    conn.executemany(
        "INSERT INTO refund_lines (refund_id, line_no, product_id, variation_id, sku, quantity, "
        "total, total_tax) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                refund.id,
                rl.line_no,
                rl.product_id,
                rl.variation_id,
                rl.sku,
                rl.quantity,
                rl.total.minor,
                rl.total_tax.minor,
            )
            for rl in refund.lines
        ],
    )
    conn.executemany(
        "INSERT INTO refund_line_taxes (refund_id, line_no, position, rate_id, total) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (refund.id, rl.line_no, pos, t.rate_id, t.total.minor)
            for rl in refund.lines
            for pos, t in enumerate(rl.taxes)
        ],
    )
    ts = rows.to_text(refund.created_at, "created_at")
    conn.execute(
        "INSERT INTO refund_outbox (refund_id, state, next_attempt_at, updated_at) "
        "VALUES (?, ?, ?, ?)",
        (refund.id, OutboxState.PENDING_SYNC.value, ts, ts),
    )


def _check(conn: sqlite3.Connection, refund: Refund) -> None:
    """Refuse (RefundError) what the order and its committed refunds leave no room for."""
    order = rows_orders.load_orders(conn, [refund.order_id]).get(refund.order_id)
    if order is None:
        raise UnknownOrder(refund.order_id)
    earlier = [s.refund for s in _of_order(conn, order.id)]
    if refund.currency != order.currency:
        raise refund_calc.RefundError(
            f"refund {refund.id} is in {refund.currency}, the order in {order.currency}"
        )
    left = refund_calc.left_to_refund(order, earlier)
    lines = {li.line_no: li for li in order.lines}
    for rl in refund.lines:
        if rl.line_no not in lines:
            raise refund_calc.RefundError(f"order {order.number} has no line {rl.line_no}")
        if rl.quantity > left[rl.line_no]:
            li = lines[rl.line_no]
            raise refund_calc.RefundError(
                f"line {li.line_no} ({li.sku or li.name}): {rl.quantity} to refund, but only "
                f"{left[rl.line_no]} of {li.quantity} sold are left to refund"
            )
    amount = sum(rl.total.minor + rl.total_tax.minor for rl in refund.lines)
    if amount != refund.amount.minor:
        raise refund_calc.RefundError(
            f"refund {refund.id}: amount {refund.amount} is not its lines' {amount} minor units"
        )
    refund_calc.check_tender(order, earlier, refund.amount, refund.method)


async def commit_refund(db: Database, refund: Refund) -> StoredRefund:
    """Store `refund`, durably and whole: its rows, its outbox row (pending) and the restock.

    One BEGIN IMMEDIATE transaction with synchronous=FULL, checked against the refunds already
    committed in the same transaction (two tills cannot together give back more than was sold).
    Idempotent on refund.id. Raises RefundError (the line, SKU or tender in words), or
    UnknownOrder.
    """

    def run(conn: sqlite3.Connection) -> StoredRefund:
        existing = _by_ids(conn, [refund.id])
        if existing:
            return existing[0]
        _check(conn, refund)
        _insert(conn, refund)
        if refund.restock:
            _restock(conn, refund)
        return _by_ids(conn, [refund.id])[0]

    return await db.write(run, durable=True)


async def make_refund(
    db: Database,
    order_id: str,
    method: PaymentMethod,
    *,
    now: datetime,
    skus: Mapping[str, int] | None = None,
    lines: Mapping[int, int] | None = None,
    restock: bool = False,
    reason: str = "",
    staff: str = "",
    refund_id: str | None = None,
) -> StoredRefund:
    """Work out and commit a refund of `order_id` in one durable transaction.

    `skus` (units per SKU) or `lines` (units per line_no) say what comes back; neither: all
    that is left. Prorated by kiosk.core.refund_calc against the refunds committed before it in
    the same transaction. Raises RefundError (naming the line, SKU or tender) or UnknownOrder.
    """
    rid = refund_id or str(uuid.uuid4())

    def run(conn: sqlite3.Connection) -> StoredRefund:
        existing = _by_ids(conn, [rid])
        if existing:
            return existing[0]
        order = rows_orders.load_orders(conn, [order_id]).get(order_id)
        if order is None:
            raise UnknownOrder(order_id)
        earlier = [s.refund for s in _of_order(conn, order_id)]
        wanted = dict(lines) if lines else None
        if skus:
            wanted = wanted or {}
            for no, qty in refund_calc.quantities_for_skus(order, earlier, skus).items():
                wanted[no] = wanted.get(no, 0) + qty
        given = refund_calc.refund_lines(order, earlier, wanted)
        refund = refund_calc.build_refund(
            order, earlier, given, method, refund_id=rid, created_at=now,
            restock=restock, reason=reason, staff=staff,
        )  # fmt: skip
        _check(conn, refund)
        _insert(conn, refund)
        if refund.restock:
            _restock(conn, refund)
        return _by_ids(conn, [rid])[0]

    return await db.write(run, durable=True)


async def refunds_of(db: Database, order_id: str) -> list[StoredRefund]:
    """The order's refunds, in the order they were made."""
    return await db.read(lambda conn: _of_order(conn, order_id))


async def get_refund(db: Database, refund_id: str) -> StoredRefund | None:
    found = await db.read(lambda conn: _by_ids(conn, [refund_id]))
    return found[0] if found else None


async def list_refunds(
    db: Database, *, since: datetime | None = None, until: datetime | None = None
) -> list[StoredRefund]:
    """Refunds made in [since, until), oldest first (all when both are None)."""
    lo = rows.to_text(since, "since") if since else ""
    hi = rows.to_text(until, "until") if until else "\uffff"
    return await db.read(
        lambda conn: _load(
            conn,
            conn.execute(
                _HEAD + " WHERE r.created_at >= ? AND r.created_at < ? ORDER BY r.created_at",
                (lo, hi),
            ).fetchall(),
        )
    )


# -- the agent's side --------------------------------------------------------------------------


QUEUE = Queue("refund_outbox", "refund_id", lambda rid: f"refund {rid}", UnknownRefund)


async def claim_due(
    db: Database, now: datetime, limit: int, *, skip: Sequence[str] = ()
) -> list[StoredRefund]:
    """Claim up to `limit` due refunds, oldest first (pending_sync -> syncing, attempts + 1).

    Due: its time has come and its order is in the store, or it is a card refund whose money
    has not gone back yet. `skip` names refunds this pass has already tried.
    """
    ts = rows.to_text(now, "now")

    def run(conn: sqlite3.Connection) -> list[StoredRefund]:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT ob.refund_id FROM refund_outbox ob JOIN refunds r ON r.id = ob.refund_id "
                "JOIN orders o ON o.id = r.order_id "
                "WHERE ob.state = ? AND ob.next_attempt_at <= ? "
                "AND (o.remote_id IS NOT NULL OR (r.method = 'card' AND r.reference = '')) "
                "AND ob.refund_id NOT IN (SELECT value FROM json_each(?)) ORDER BY ob.seq LIMIT ?",
                (OutboxState.PENDING_SYNC.value, ts, rows.strings_json(skip), limit),
            )
        ]
        for rid in ids:
            QUEUE.start(conn, rid, ts)
        return _by_ids(conn, ids) if ids else []

    return await db.write(run)


async def claim(db: Database, refund_id: str, now: datetime) -> StoredRefund | None:
    """Claim this one refund if it waits (pending_sync -> syncing, attempts + 1), due or not."""
    ts = rows.to_text(now, "now")

    def run(conn: sqlite3.Connection) -> StoredRefund | None:
        if QUEUE.state(conn, refund_id) is not OutboxState.PENDING_SYNC:
            return None
        QUEUE.start(conn, refund_id, ts)
        return _by_ids(conn, [refund_id])[0]

    return await db.write(run)


async def set_reference(db: Database, refund_id: str, reference: str) -> None:
    """The card refund is made: keep its id (durably: it is the record that money went back)."""

    def run(conn: sqlite3.Connection) -> None:
        if not conn.execute(
            "UPDATE refunds SET reference = ? WHERE id = ?", (reference, refund_id)
        ).rowcount:
            raise UnknownRefund(refund_id)

    await db.write(run, durable=True)


async def mark_synced(db: Database, refund_id: str, remote_id: str, now: datetime) -> None:
    """The store confirmed the refund as `remote_id` (syncing -> synced)."""
    ts = rows.to_text(now, "now")

    def run(conn: sqlite3.Connection) -> None:
        QUEUE.synced(conn, refund_id, ts)
        conn.execute("UPDATE refunds SET remote_id = ? WHERE id = ?", (remote_id, refund_id))

    await db.write(run)


schedule_retry = QUEUE.schedule_retry
mark_failed = QUEUE.mark_failed


async def in_flight(db: Database) -> list[StoredRefund]:
    """Refunds in syncing: at agent start, uploads whose outcome is unknown."""
    return await db.read(
        lambda conn: _load(
            conn,
            conn.execute(
                _HEAD + " WHERE ob.state = ? ORDER BY ob.seq", (OutboxState.SYNCING.value,)
            ).fetchall(),
        )
    )


async def next_due_at(db: Database) -> datetime | None:
    """When the soonest waiting refund that may go falls due (None when none waits)."""

    def run(conn: sqlite3.Connection) -> datetime | None:
        r = conn.execute(
            "SELECT min(ob.next_attempt_at) FROM refund_outbox ob JOIN refunds r "
            "ON r.id = ob.refund_id JOIN orders o ON o.id = r.order_id WHERE ob.state = ? "
            "AND (o.remote_id IS NOT NULL OR (r.method = 'card' AND r.reference = ''))",
            (OutboxState.PENDING_SYNC.value,),
        ).fetchone()
        return rows.opt_from_text(r[0])

    return await db.read(run)


# -- staff and status ----------------------------------------------------------------------------


async def retry(db: Database, refund_id: str, now: datetime) -> OutboxState:
    """Staff's Retry: a failed refund goes back to pending_sync, due `now`.

    Raises InvalidTransition when it is not failed, UnknownRefund when there is none.
    """
    ts = rows.to_text(now, "now")

    def run(conn: sqlite3.Connection) -> OutboxState:
        QUEUE.retry(conn, refund_id, ts)
        return OutboxState.PENDING_SYNC

    return await db.write(run)


async def counts(db: Database) -> dict[OutboxState, int]:
    """How many refunds are in each upload state (every state present)."""

    return await db.read(QUEUE.counts)
