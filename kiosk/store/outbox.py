"""The outbox: each sale's upload state, tried in order of sale by the agent.

One row per order, created in the sale's own transaction. A row is never removed before the
store has confirmed the order (a trigger enforces it); every state change goes through
`transition`, the one place that knows which moves are allowed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kiosk.core.models import Order
from kiosk.store import rows, rows_orders
from kiosk.store.db import Database
from kiosk.store.outbox_state import InvalidTransition as InvalidTransition
from kiosk.store.outbox_state import OutboxState as OutboxState
from kiosk.store.outbox_state import transition as transition
from kiosk.store.queue import Queue

# Failures in a row, while the store answers other requests, after which an order's trouble is
# taken to be its own: it waits out its backoff instead of going again with every answer.
SICK_AFTER = 3


class UnknownOrder(LookupError):
    """No order (and so no outbox row) has this id."""

    def __init__(self, order_id: str) -> None:
        super().__init__(f"no order with id {order_id!r} in the outbox")
        self.order_id = order_id


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """An order rebuilt from its rows, with the state of its upload."""

    order: Order
    state: OutboxState
    attempts: int
    next_attempt_at: datetime
    last_error: str
    remote_id: str | None
    updated_at: datetime
    first_attempt_at: datetime | None = None  # when the first upload attempt began
    failures: int = 0  # tries in a row that failed since the store last answered

    @property
    def order_id(self) -> str:
        return self.order.id


# The head columns that load_items expects, in this order.
ITEM_COLUMNS = (
    "ob.order_id, ob.state, ob.attempts, ob.next_attempt_at, ob.last_error, o.remote_id, "
    "ob.updated_at, ob.first_attempt_at, ob.failures"
)
# A constant: ITEM_COLUMNS is ours, never input.
SELECT_ITEMS = f"SELECT {ITEM_COLUMNS} FROM outbox ob JOIN orders o ON o.id = ob.order_id"  # noqa: S608


def load_items(conn: sqlite3.Connection, heads: Sequence[Sequence[Any]]) -> list[OutboxItem]:
    """Build OutboxItems from head rows in ITEM_COLUMNS order, keeping their order."""
    orders = rows_orders.load_orders(conn, [h[0] for h in heads])
    return [
        OutboxItem(
            order=orders[h[0]],
            state=OutboxState(h[1]),
            attempts=h[2],
            next_attempt_at=rows.from_text(h[3]),
            last_error=h[4],
            remote_id=h[5],
            updated_at=rows.from_text(h[6]),
            first_attempt_at=rows.opt_from_text(h[7]),
            failures=h[8],
        )
        for h in heads
    ]


def enqueue(conn: sqlite3.Connection, order_id: str, now: datetime) -> None:
    """Create the outbox row of a new sale, due at once; runs inside the sale's transaction."""
    ts = rows.to_text(now, "now")
    conn.execute(
        "INSERT INTO outbox (order_id, state, next_attempt_at, updated_at) VALUES (?, ?, ?, ?)",
        (order_id, OutboxState.PENDING_SYNC.value, ts, ts),
    )


QUEUE = Queue("outbox", "order_id", lambda oid: f"order {oid}", UnknownOrder)


# -- the agent's side --------------------------------------------------------------------------


async def claim_due(
    db: Database, now: datetime, limit: int, *, skip: Sequence[str] = ()
) -> list[OutboxItem]:
    """Claim up to `limit` due sales, oldest first (pending_sync -> syncing, attempts + 1).

    `skip` names orders this pass has tried enough: they stay pending for a later pass. One
    transaction for the lot, so a claim never races the till or another agent.
    """
    ts = rows.to_text(now, "now")

    def run(conn: sqlite3.Connection) -> list[OutboxItem]:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT order_id FROM outbox WHERE state = ? AND next_attempt_at <= ? "
                "AND order_id NOT IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?",
                (OutboxState.PENDING_SYNC.value, ts, rows.strings_json(skip), limit),
            )
        ]
        for order_id in ids:
            QUEUE.start(conn, order_id, ts)
        return _items_by_id(conn, ids) if ids else []

    return await db.write(run)


async def claim_next(db: Database, now: datetime) -> OutboxItem | None:
    """Claim the oldest sale that is due for upload, if any (see claim_due)."""
    items = await claim_due(db, now, 1)
    return items[0] if items else None


async def next_due_at(db: Database) -> datetime | None:
    """When the soonest waiting upload falls due (None when nothing waits)."""

    def run(conn: sqlite3.Connection) -> datetime | None:
        r = conn.execute(
            "SELECT min(next_attempt_at) FROM outbox WHERE state = ?",
            (OutboxState.PENDING_SYNC.value,),
        ).fetchone()
        return rows.opt_from_text(r[0])

    return await db.read(run)


async def cut_backoffs(
    db: Database, now: datetime, *, answered_at: datetime, reset: bool = False
) -> int:
    """The store answered at `answered_at`: uploads that failed before then are due `now`.

    An order that failed SICK_AFTER times in a row while the store kept answering others keeps
    its own backoff: its trouble is its own. `reset` (the link is back after an outage) brings
    every one forward and starts their failure counts again. Returns how many were brought
    forward; a row that failed at or after the answer keeps its backoff either way.
    """
    params = {
        "now": rows.to_text(now, "now"),
        "answered": rows.to_text(answered_at, "answered_at"),
        "pending": OutboxState.PENDING_SYNC.value,
        "sick": None if reset else SICK_AFTER,
    }

    def run(conn: sqlite3.Connection) -> int:
        return conn.execute(
            "UPDATE outbox SET next_attempt_at = :now, "
            "failures = CASE WHEN :sick IS NULL THEN 0 ELSE failures END "
            "WHERE state = :pending AND next_attempt_at > :now AND updated_at < :answered "
            "AND (:sick IS NULL OR failures < :sick)",
            params,
        ).rowcount

    return await db.write(run)


async def mark_synced(db: Database, order_id: str, remote_id: str, now: datetime) -> None:
    """The store confirmed the order as `remote_id` (syncing -> synced)."""
    ts = rows.to_text(now, "now")

    def run(conn: sqlite3.Connection) -> None:
        QUEUE.synced(conn, order_id, ts)
        conn.execute("UPDATE orders SET remote_id = ? WHERE id = ?", (remote_id, order_id))

    await db.write(run)


async def schedule_retry(
    db: Database,
    order_id: str,
    error: str,
    next_attempt_at: datetime,
    *,
    now: datetime | None = None,
    failed: bool = True,
) -> None:
    """A retryable error: back to pending_sync, due at `next_attempt_at` (syncing -> pending_sync).

    Also the outcome of looking up an order found in syncing at start that the store does not
    have (`failed=False`: the store answered, so the failure count does not grow). `now`
    (default: the clock) stamps updated_at.
    """
    due = rows.to_text(next_attempt_at, "next_attempt_at")
    ts = rows.to_text(now or _utc_now(), "now")

    def run(conn: sqlite3.Connection) -> None:
        QUEUE.reschedule(conn, order_id, error, due, ts, failed)

    await db.write(run)


async def mark_failed(
    db: Database, order_id: str, reason: str, *, now: datetime | None = None
) -> None:
    """The store rejected the order for good, saying `reason` (syncing -> failed)."""
    ts = rows.to_text(now or _utc_now(), "now")

    def run(conn: sqlite3.Connection) -> None:
        QUEUE.fail(conn, order_id, reason, ts)

    await db.write(run)


async def in_flight(db: Database) -> list[OutboxItem]:
    """Rows in syncing, oldest first: at agent start, uploads whose outcome is unknown."""

    def run(conn: sqlite3.Connection) -> list[OutboxItem]:
        heads = conn.execute(
            SELECT_ITEMS + " WHERE ob.state = ? ORDER BY ob.seq", (OutboxState.SYNCING.value,)
        ).fetchall()
        return load_items(conn, heads)

    return await db.read(run)


# -- staff and status ----------------------------------------------------------------------------


async def retry(db: Database, order_id: str, now: datetime) -> OutboxState:
    """Staff's Retry: a failed order goes back to pending_sync, due `now`; return the new state.

    Raises InvalidTransition (saying the current state) when the order is not failed, and
    UnknownOrder when there is no such order.
    """
    ts = rows.to_text(now, "now")

    def run(conn: sqlite3.Connection) -> OutboxState:
        QUEUE.retry(conn, order_id, ts)
        return OutboxState.PENDING_SYNC

    return await db.write(run)


async def counts(db: Database) -> dict[OutboxState, int]:
    """How many orders are in each state (every state present, zero included)."""

    return await db.read(QUEUE.counts)


def _items_by_id(conn: sqlite3.Connection, ids: Sequence[str]) -> list[OutboxItem]:
    heads = conn.execute(
        SELECT_ITEMS  # noqa: S608
        + " WHERE ob.order_id IN (SELECT value FROM json_each(?)) ORDER BY ob.seq",
        (rows.strings_json(ids),),
    ).fetchall()
    return load_items(conn, heads)


def _utc_now() -> datetime:
    return datetime.now(UTC)
