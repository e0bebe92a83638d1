"""Web orders waiting for collection: the pulled list, staff's "collected", and its outbox row.

A pickup's outbox row follows the orders' state machine (kiosk.store.outbox.OutboxState and
`transition`): pending_sync -> syncing -> synced | failed, a retryable error back to pending, a
failed one back to pending on staff's Retry. "Collected" commits the collection and its outbox
row in one durable transaction, so a handed-over order is never forgotten, online or not.
A pull replaces the waiting list; it never drops a collection the store has not confirmed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.core.money import Money
from kiosk.core.pickup import PickupLine, PickupOrder
from kiosk.store import rows
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxState
from kiosk.store.queue import Queue


class UnknownPickup(LookupError):
    """No pickup has this id or number."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no order waiting for collection with number or id {key!r}")
        self.key = key


@dataclass(frozen=True, slots=True)
class StoredPickup:
    """A pickup as the device holds it; `state` is None until staff mark it collected."""

    pickup: PickupOrder
    pulled_at: datetime
    collected_at: datetime | None = None
    collected_by: str = ""
    state: OutboxState | None = None
    attempts: int = 0
    failures: int = 0
    next_attempt_at: datetime | None = None
    first_attempt_at: datetime | None = None
    last_error: str = ""

    @property
    def remote_id(self) -> str:
        return self.pickup.remote_id

    @property
    def collected(self) -> bool:
        return self.collected_at is not None


_HEAD = (
    "SELECT p.remote_id, p.number, p.customer, p.email, p.phone, p.placed_at, p.currency, "
    "p.total, p.status, p.note, p.lines, p.pulled_at, p.collected_at, p.collected_by, "
    "ob.state, ob.attempts, ob.failures, ob.next_attempt_at, ob.first_attempt_at, ob.last_error "
    "FROM pickups p LEFT JOIN pickup_outbox ob ON ob.remote_id = p.remote_id"
)


def _row(r: Sequence[Any]) -> StoredPickup:
    lines = tuple(
        PickupLine(str(li["name"]), str(li["sku"]), int(li["quantity"])) for li in json.loads(r[10])
    )
    return StoredPickup(
        pickup=PickupOrder(
            remote_id=r[0],
            number=r[1],
            customer=r[2],
            email=r[3],
            phone=r[4],
            placed_at=rows.from_text(r[5]),
            total=Money(r[7], r[6]),
            lines=lines,
            status=r[8],
            note=r[9],
        ),
        pulled_at=rows.from_text(r[11]),
        collected_at=rows.opt_from_text(r[12]),
        collected_by=r[13],
        state=OutboxState(r[14]) if r[14] is not None else None,
        attempts=r[15] or 0,
        failures=r[16] or 0,
        next_attempt_at=rows.opt_from_text(r[17]),
        first_attempt_at=rows.opt_from_text(r[18]),
        last_error=r[19] or "",
    )


def _by_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> list[StoredPickup]:
    found = conn.execute(
        _HEAD + " WHERE p.remote_id IN (SELECT value FROM json_each(?)) ORDER BY p.placed_at",  # noqa: S608
        (rows.strings_json(ids),),
    ).fetchall()
    return [_row(r) for r in found]


def _search_text(p: PickupOrder) -> str:
    return " ".join((p.number, p.number.lstrip("#"), p.customer, p.email, p.phone)).lower()


def _values(p: PickupOrder, now: str) -> dict[str, Any]:
    return {
        "rid": p.remote_id,
        "number": p.number,
        "customer": p.customer,
        "email": p.email,
        "phone": p.phone,
        "placed": rows.to_text(p.placed_at, f"pickup {p.number} placed_at"),
        "currency": p.total.currency,
        "total": p.total.minor,
        "status": p.status,
        "note": p.note,
        "lines": json.dumps(
            [{"name": li.name, "sku": li.sku, "quantity": li.quantity} for li in p.lines]
        ),
        "search": _search_text(p),
        "now": now,
    }


async def replace_pulled(db: Database, pulled: Sequence[PickupOrder], now: datetime) -> int:
    """The store's waiting list is now `pulled`: add and update those, drop the rest.

    A pickup collected here stays until the store has confirmed it (its fields still follow
    the store's); one whose completion the store confirmed goes once the store stops listing
    it. Returns how many are waiting for collection after the pull.
    """
    ts = rows.to_text(now, "now")

    def run(conn: sqlite3.Connection) -> int:
        conn.executemany(
            "INSERT INTO pickups (remote_id, number, customer, email, phone, placed_at, "
            "currency, total, status, note, lines, search, pulled_at) VALUES (:rid, :number, "
            ":customer, :email, :phone, :placed, :currency, :total, :status, :note, :lines, "
            ":search, :now) ON CONFLICT (remote_id) DO UPDATE SET number = excluded.number, "
            "customer = excluded.customer, email = excluded.email, phone = excluded.phone, "
            "placed_at = excluded.placed_at, currency = excluded.currency, total = excluded.total, "
            "status = excluded.status, note = excluded.note, lines = excluded.lines, "
            "search = excluded.search, pulled_at = excluded.pulled_at",
            [_values(p, ts) for p in pulled],
        )
        conn.execute(
            "DELETE FROM pickups WHERE remote_id NOT IN (SELECT value FROM json_each(?)) "
            "AND coalesce((SELECT state FROM pickup_outbox ob WHERE ob.remote_id = "
            "pickups.remote_id), 'synced') = 'synced'",
            (rows.strings_json(p.remote_id for p in pulled),),
        )
        r = conn.execute("SELECT count(*) FROM pickups WHERE collected_at IS NULL").fetchone()
        return int(r[0])

    return await db.write(run)


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_pickups(
    db: Database, *, search: str = "", collected: bool = False
) -> list[StoredPickup]:
    """Pickups waiting for collection, oldest first; `search` matches the number or the
    customer's name, e-mail or phone (any part, any case); `collected` adds the collected
    ones not yet gone from the store's list."""
    words = search.split()

    def run(conn: sqlite3.Connection) -> list[StoredPickup]:
        where = ["1"] if collected else ["p.collected_at IS NULL"]
        params: list[str] = []
        for w in words:
            where.append("p.search LIKE ? ESCAPE '\\'")
            params.append(_like(w))
        found = conn.execute(
            _HEAD + " WHERE " + " AND ".join(where) + " ORDER BY p.placed_at, p.number",
            params,
        ).fetchall()
        return [_row(r) for r in found]

    return await db.read(run)


def _find(conn: sqlite3.Connection, key: str) -> StoredPickup | None:
    key = key.strip()
    found = _by_ids(conn, [key])
    if found:
        return found[0]
    numbers = {key, key.lstrip("#"), "#" + key.lstrip("#")}
    r = conn.execute(
        _HEAD + " WHERE p.number IN (SELECT value FROM json_each(?)) "  # noqa: S608
        "ORDER BY p.collected_at IS NOT NULL, p.placed_at DESC LIMIT 1",
        (rows.strings_json(sorted(numbers)),),
    ).fetchone()
    return _row(r) if r is not None else None


async def get_pickup(db: Database, key: str) -> StoredPickup | None:
    """A pickup by the store's id or by its number (with or without "#")."""
    return await db.read(lambda conn: _find(conn, key))


async def collect(db: Database, key: str, *, now: datetime, staff: str = "") -> StoredPickup:
    """Staff handed the pickup `key` (id or number) over: record it and queue its completion.

    One durable BEGIN IMMEDIATE transaction: the collection and its outbox row (pending, due at
    once). Collecting one already collected changes nothing and returns it as it is.
    Raises UnknownPickup.
    """
    ts = rows.to_text(now, "now")

    def run(conn: sqlite3.Connection) -> StoredPickup:
        found = _find(conn, key)
        if found is None:
            raise UnknownPickup(key)
        if found.collected:
            return found
        conn.execute(
            "UPDATE pickups SET collected_at = ?, collected_by = ? WHERE remote_id = ?",
            (ts, staff, found.remote_id),
        )
        conn.execute(
            "INSERT INTO pickup_outbox (remote_id, state, next_attempt_at, updated_at) "
            "VALUES (?, ?, ?, ?)",
            (found.remote_id, OutboxState.PENDING_SYNC.value, ts, ts),
        )
        return _by_ids(conn, [found.remote_id])[0]

    return await db.write(run, durable=True)


# -- the agent's side --------------------------------------------------------------------------


QUEUE = Queue("pickup_outbox", "remote_id", lambda rid: f"pickup {rid}", UnknownPickup)


async def claim_due(
    db: Database, now: datetime, limit: int, *, skip: Sequence[str] = ()
) -> list[StoredPickup]:
    """Claim up to `limit` due completions, oldest first (pending_sync -> syncing, attempts + 1);
    `skip` names pickups this pass has already tried."""
    ts = rows.to_text(now, "now")

    def run(conn: sqlite3.Connection) -> list[StoredPickup]:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT remote_id FROM pickup_outbox WHERE state = ? AND next_attempt_at <= ? "
                "AND remote_id NOT IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?",
                (OutboxState.PENDING_SYNC.value, ts, rows.strings_json(skip), limit),
            )
        ]
        for rid in ids:
            QUEUE.start(conn, rid, ts)
        return _by_ids(conn, ids) if ids else []

    return await db.write(run)


async def mark_synced(db: Database, remote_id: str, now: datetime) -> None:
    """The store completed it (syncing -> synced)."""
    ts = rows.to_text(now, "now")
    await db.write(lambda conn: QUEUE.synced(conn, remote_id, ts))


schedule_retry = QUEUE.schedule_retry
mark_failed = QUEUE.mark_failed


async def in_flight(db: Database) -> list[StoredPickup]:
    """Completions in syncing: at agent start, ones whose outcome is unknown."""
    return await db.read(
        lambda conn: [
            _row(r)
            for r in conn.execute(
                _HEAD + " WHERE ob.state = ? ORDER BY ob.seq", (OutboxState.SYNCING.value,)
            ).fetchall()
        ]
    )


async def next_due_at(db: Database) -> datetime | None:
    """When the soonest waiting completion falls due (None when none waits)."""

    def run(conn: sqlite3.Connection) -> datetime | None:
        r = conn.execute(
            "SELECT min(next_attempt_at) FROM pickup_outbox WHERE state = ?",
            (OutboxState.PENDING_SYNC.value,),
        ).fetchone()
        return rows.opt_from_text(r[0])

    return await db.read(run)


async def retry(db: Database, key: str, now: datetime) -> StoredPickup:
    """Staff's Retry: a refused completion goes back to pending_sync, due `now`.

    Raises InvalidTransition when it is not failed, UnknownPickup when there is none.
    """
    ts = rows.to_text(now, "now")

    def run(conn: sqlite3.Connection) -> StoredPickup:
        found = _find(conn, key)
        if found is None:
            raise UnknownPickup(key)
        QUEUE.retry(conn, found.remote_id, ts)
        return _by_ids(conn, [found.remote_id])[0]

    return await db.write(run)


async def counts(db: Database) -> dict[OutboxState, int]:
    """How many collections are in each upload state (every state present)."""

    return await db.read(QUEUE.counts)


async def summary(db: Database) -> dict[str, int]:
    """How many wait for collection ("waiting"), and collections in each upload state."""

    def run(conn: sqlite3.Connection) -> dict[str, int]:
        r = conn.execute("SELECT count(*) FROM pickups WHERE collected_at IS NULL").fetchone()
        return {"waiting": int(r[0]), **{s.value: n for s, n in QUEUE.counts(conn).items()}}

    return await db.read(run)
