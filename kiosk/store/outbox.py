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
from enum import StrEnum
from typing import Any

from kiosk.core.models import Order
from kiosk.store import rows, rows_orders
from kiosk.store.db import Database

# Failures in a row, while the store answers other requests, after which an order's trouble is
# taken to be its own: it waits out its backoff instead of going again with every answer.
SICK_AFTER = 3


class OutboxState(StrEnum):
    """Where an order is on its way to the store, and who moves it.

    - PENDING_SYNC: waiting for upload once `next_attempt_at` has passed. Entered when the sale
      commits (UI or CLI, in the sale's transaction), when the agent gets a retryable error
      (from SYNCING, with a later `next_attempt_at`), and when staff press Retry on a FAILED
      order (due at once). Left only when the agent's push claims it (to SYNCING).
    - SYNCING: the agent is uploading it. Left to SYNCED on the store's confirmation, back to
      PENDING_SYNC on a retryable error, or to FAILED on a permanent rejection. A row found in
      SYNCING when the agent starts had an unknown outcome (the agent died mid-upload): the agent
      must look the order up on the store (by its UUID) before any re-send, then move it to
      SYNCED if found, or back to PENDING_SYNC if not.
    - SYNCED: the store has it (`remote_id`). Final.
    - FAILED: the store rejected it for good (`last_error` says why). Staff may Retry.
    """

    PENDING_SYNC = "pending_sync"
    SYNCING = "syncing"
    SYNCED = "synced"
    FAILED = "failed"


_ALLOWED: frozenset[tuple[OutboxState, OutboxState]] = frozenset(
    {
        (OutboxState.PENDING_SYNC, OutboxState.SYNCING),  # the agent claims it
        (OutboxState.SYNCING, OutboxState.SYNCED),  # the store confirmed it
        (OutboxState.SYNCING, OutboxState.PENDING_SYNC),  # retryable error, or not found on lookup
        (OutboxState.SYNCING, OutboxState.FAILED),  # the store rejected it for good
        (OutboxState.FAILED, OutboxState.PENDING_SYNC),  # staff pressed Retry
    }
)


class InvalidTransition(Exception):
    """An outbox row was asked to move in a way the state machine forbids."""

    def __init__(
        self, current: OutboxState, new: OutboxState, order_id: str = "", why: str = ""
    ) -> None:
        whose = f"order {order_id}: " if order_id else ""
        because = f" ({why})" if why else ""
        super().__init__(
            f"{whose}cannot move an upload from {current.value} to {new.value}{because}"
        )
        self.current = current
        self.new = new
        self.order_id = order_id


class UnknownOrder(LookupError):
    """No order (and so no outbox row) has this id."""

    def __init__(self, order_id: str) -> None:
        super().__init__(f"no order with id {order_id!r} in the outbox")
        self.order_id = order_id


def transition(
    current: OutboxState,
    new: OutboxState,
    order_id: str = "",
    *,
    only_from: OutboxState | None = None,
) -> None:
    """Raise InvalidTransition unless `current -> new` is an allowed move.

    `only_from` narrows it to one edge: two moves reach pending_sync, and staff's Retry must
    never take an upload in flight (syncing), nor the agent's retry revive a failed one.
    """
    if (current, new) not in _ALLOWED:
        raise InvalidTransition(current, new, order_id)
    if only_from is not None and current is not only_from:
        raise InvalidTransition(
            current, new, order_id, f"only an upload in {only_from.value} may move so here"
        )


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


def _state(conn: sqlite3.Connection, order_id: str) -> OutboxState:
    r = conn.execute("SELECT state FROM outbox WHERE order_id = ?", (order_id,)).fetchone()
    if r is None:
        raise UnknownOrder(order_id)
    return OutboxState(r[0])


def _move(
    conn: sqlite3.Connection,
    order_id: str,
    new: OutboxState,
    sets: str,
    params: dict[str, Any],
    only_from: OutboxState,
) -> None:
    """Check `only_from -> new` for the row, then update it with `sets` (a constant fragment)."""
    transition(_state(conn, order_id), new, order_id, only_from=only_from)
    conn.execute(
        f"UPDATE outbox SET state = :state, {sets} WHERE order_id = :order_id",  # noqa: S608
        {"state": new.value, "order_id": order_id, **params},
    )


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
            _move(
                conn,
                order_id,
                OutboxState.SYNCING,
                "attempts = attempts + 1, updated_at = :now, "
                "first_attempt_at = coalesce(first_attempt_at, :now)",
                {"now": ts},
                OutboxState.PENDING_SYNC,
            )
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
        _move(
            conn,
            order_id,
            OutboxState.SYNCED,
            "last_error = '', updated_at = :now",
            {"now": ts},
            OutboxState.SYNCING,
        )
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
        _move(
            conn,
            order_id,
            OutboxState.PENDING_SYNC,
            "last_error = :error, next_attempt_at = :due, updated_at = :now, "
            "failures = failures + :failed",
            {"error": error, "due": due, "now": ts, "failed": int(failed)},
            OutboxState.SYNCING,
        )

    await db.write(run)


async def mark_failed(
    db: Database, order_id: str, reason: str, *, now: datetime | None = None
) -> None:
    """The store rejected the order for good, saying `reason` (syncing -> failed)."""
    ts = rows.to_text(now or _utc_now(), "now")

    def run(conn: sqlite3.Connection) -> None:
        _move(
            conn,
            order_id,
            OutboxState.FAILED,
            "last_error = :error, updated_at = :now",
            {"error": reason, "now": ts},
            OutboxState.SYNCING,
        )

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
        _move(
            conn,
            order_id,
            OutboxState.PENDING_SYNC,
            "next_attempt_at = :now, updated_at = :now",
            {"now": ts},
            OutboxState.FAILED,
        )
        return OutboxState.PENDING_SYNC

    return await db.write(run)


async def counts(db: Database) -> dict[OutboxState, int]:
    """How many orders are in each state (every state present, zero included)."""

    def run(conn: sqlite3.Connection) -> dict[OutboxState, int]:
        result = dict.fromkeys(OutboxState, 0)
        for state, n in conn.execute("SELECT state, count(*) FROM outbox GROUP BY state"):
            result[OutboxState(state)] = n
        return result

    return await db.read(run)


def _items_by_id(conn: sqlite3.Connection, ids: Sequence[str]) -> list[OutboxItem]:
    heads = conn.execute(
        SELECT_ITEMS  # noqa: S608
        + " WHERE ob.order_id IN (SELECT value FROM json_each(?)) ORDER BY ob.seq",
        (rows.strings_json(ids),),
    ).fetchall()
    return load_items(conn, heads)


def _utc_now() -> datetime:
    return datetime.now(UTC)
