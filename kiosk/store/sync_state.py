"""Sync bookkeeping in a key/value table: last pull and push, initial sync progress, cursors.

Keys are the constants below plus any connector cursor (by convention "cursor:<name>").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.store import rows
from kiosk.store.db import Database

LAST_PULL_AT = "last_pull_at"
LAST_PUSH_AT = "last_push_at"
INITIAL_DONE = "initial_sync.done"
INITIAL_TOTAL = "initial_sync.total"
INITIAL_COMPLETE = "initial_sync.complete"


@dataclass(frozen=True, slots=True)
class InitialSync:
    done: int = 0
    total: int = 0
    complete: bool = False


@dataclass(frozen=True, slots=True)
class SyncStatus:
    last_pull_at: datetime | None = None
    last_push_at: datetime | None = None
    initial_sync: InitialSync = field(default_factory=InitialSync)

    def to_json(self) -> dict[str, Any]:
        """{"last_pull_at", "last_push_at", "initial_sync": {"done", "total", "complete"}}."""
        return {
            "last_pull_at": None if self.last_pull_at is None else self.last_pull_at.isoformat(),
            "last_push_at": None if self.last_push_at is None else self.last_push_at.isoformat(),
            "initial_sync": {
                "done": self.initial_sync.done,
                "total": self.initial_sync.total,
                "complete": self.initial_sync.complete,
            },
        }


def write_values(conn: sqlite3.Connection, values: Mapping[str, str]) -> None:
    """Set several keys inside the caller's transaction (e.g. a cursor with its batch)."""
    conn.executemany(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        list(values.items()),
    )


async def set_value(db: Database, key: str, value: str) -> None:
    await db.write(lambda conn: write_values(conn, {key: value}))


async def get_value(db: Database, key: str) -> str | None:
    def run(conn: sqlite3.Connection) -> str | None:
        r = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return None if r is None else str(r[0])

    return await db.read(run)


async def delete_value(db: Database, key: str) -> None:
    await db.write(lambda conn: conn.execute("DELETE FROM sync_state WHERE key = ?", (key,)))


async def set_initial_sync(db: Database, done: int, total: int, complete: bool) -> None:
    """Record initial sync progress: `done` of `total` items, and whether it has finished."""
    if done < 0 or total < 0:
        raise ValueError(f"initial sync progress must not be negative (done={done}, total={total})")
    values = {
        INITIAL_DONE: str(done),
        INITIAL_TOTAL: str(total),
        INITIAL_COMPLETE: str(int(complete)),
    }
    await db.write(lambda conn: write_values(conn, values))


async def mark_pulled(db: Database, now: datetime) -> None:
    await set_value(db, LAST_PULL_AT, rows.to_text(now, "now"))


async def mark_pushed(db: Database, now: datetime) -> None:
    await set_value(db, LAST_PUSH_AT, rows.to_text(now, "now"))


async def get_sync_status(db: Database) -> SyncStatus:
    def run(conn: sqlite3.Connection) -> SyncStatus:
        v = dict(
            conn.execute(
                "SELECT key, value FROM sync_state WHERE key IN (?, ?, ?, ?, ?)",
                (LAST_PULL_AT, LAST_PUSH_AT, INITIAL_DONE, INITIAL_TOTAL, INITIAL_COMPLETE),
            ).fetchall()
        )
        return SyncStatus(
            last_pull_at=rows.opt_from_text(v.get(LAST_PULL_AT)),
            last_push_at=rows.opt_from_text(v.get(LAST_PUSH_AT)),
            initial_sync=InitialSync(
                done=int(v.get(INITIAL_DONE, 0)),
                total=int(v.get(INITIAL_TOTAL, 0)),
                complete=v.get(INITIAL_COMPLETE) == "1",
            ),
        )

    return await db.read(run)
