"""The moves of one upload queue's rows, shared by every queue (orders' outbox, refunds', ...).

A queue is a table with a key column and these columns: state, attempts, next_attempt_at,
last_error, updated_at, first_attempt_at, failures. Each move checks the state machine of
kiosk.store.outbox (transition) and runs inside the caller's transaction: the caller adds what
is its own (the remote id on its own table, which rows are due).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.store import rows
from kiosk.store.db import Database
from kiosk.store.outbox_state import OutboxState, transition

# Constant fragments of ours, never input: the values always go as parameters.
_START = "attempts = attempts + 1, updated_at = :now, first_attempt_at = coalesce(first_attempt_at, :now)"  # noqa: E501
_SYNCED = "last_error = '', updated_at = :now"
# A retry the store caused counts towards the row's failures; an answer that only said "not
# there yet" (`failed` false) does not.
_RESCHEDULE = (
    "last_error = :error, next_attempt_at = :due, updated_at = :now, failures = failures + :failed"
)
_FAIL = "last_error = :error, updated_at = :now"
_RETRY = "next_attempt_at = :now, updated_at = :now, failures = 0"


@dataclass(frozen=True, slots=True)
class Queue:
    table: str  # "outbox"
    key: str  # its key column: "order_id"
    label: Callable[[str], str]  # a row's name in errors: the order id, "refund <id>"
    unknown: Callable[[str], Exception]  # raised for a key the table lacks

    def state(self, conn: sqlite3.Connection, rid: str) -> OutboxState:
        r = conn.execute(
            f"SELECT state FROM {self.table} WHERE {self.key} = ?",  # noqa: S608
            (rid,),
        ).fetchone()
        if r is None:
            raise self.unknown(rid)
        return OutboxState(r[0])

    def move(
        self,
        conn: sqlite3.Connection,
        rid: str,
        new: OutboxState,
        sets: str,
        params: dict[str, Any],
        only_from: OutboxState,
    ) -> None:
        """Check `only_from -> new` for the row, then update it with `sets` (a constant)."""
        transition(self.state(conn, rid), new, self.label(rid), only_from=only_from)
        conn.execute(
            f"UPDATE {self.table} SET state = :state, {sets} WHERE {self.key} = :rid",  # noqa: S608
            {"state": new.value, "rid": rid, **params},
        )

    def start(self, conn: sqlite3.Connection, rid: str, now: str) -> None:
        """Claimed for upload: pending_sync -> syncing, one more attempt."""
        self.move(conn, rid, OutboxState.SYNCING, _START, {"now": now}, OutboxState.PENDING_SYNC)

    def synced(self, conn: sqlite3.Connection, rid: str, now: str) -> None:
        """The store confirmed it: syncing -> synced."""
        self.move(conn, rid, OutboxState.SYNCED, _SYNCED, {"now": now}, OutboxState.SYNCING)

    def reschedule(
        self, conn: sqlite3.Connection, rid: str, error: str, due: str, now: str, failed: bool
    ) -> None:
        """A retryable error: syncing -> pending_sync, due at `due`."""
        params = {"error": error, "due": due, "now": now, "failed": int(failed)}
        self.move(conn, rid, OutboxState.PENDING_SYNC, _RESCHEDULE, params, OutboxState.SYNCING)

    def fail(self, conn: sqlite3.Connection, rid: str, reason: str, now: str) -> None:
        """Refused for good, saying `reason`: syncing -> failed."""
        params = {"error": reason, "now": now}
        self.move(conn, rid, OutboxState.FAILED, _FAIL, params, OutboxState.SYNCING)

    def retry(self, conn: sqlite3.Connection, rid: str, now: str) -> None:
        """Staff's Retry: failed -> pending_sync, due `now`, its failures forgotten."""
        self.move(conn, rid, OutboxState.PENDING_SYNC, _RETRY, {"now": now}, OutboxState.FAILED)

    async def schedule_retry(
        self,
        db: Database,
        rid: str,
        error: str,
        next_attempt_at: datetime,
        *,
        now: datetime,
        failed: bool = True,
    ) -> None:
        """Back to pending_sync, due at `next_attempt_at`; `failed` grows the failure count."""
        due, ts = rows.to_text(next_attempt_at, "next_attempt_at"), rows.to_text(now, "now")
        await db.write(lambda conn: self.reschedule(conn, rid, error, due, ts, failed))

    async def mark_failed(self, db: Database, rid: str, reason: str, *, now: datetime) -> None:
        """Refused for good, saying `reason` (syncing -> failed)."""
        ts = rows.to_text(now, "now")
        await db.write(lambda conn: self.fail(conn, rid, reason, ts))

    def counts(self, conn: sqlite3.Connection) -> dict[OutboxState, int]:
        """How many rows are in each state (every state present, zero included)."""
        found = dict(
            conn.execute(
                f"SELECT state, count(*) FROM {self.table} GROUP BY state"  # noqa: S608
            ).fetchall()
        )
        return {s: int(found.get(s.value, 0)) for s in OutboxState}
