"""Sync bookkeeping in a key/value table: last pull and push, initial sync progress, cursors,
and whether the last pass reached the store.

Keys are the constants below plus any connector cursor (by convention "cursor:<name>").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from kiosk.store import rows
from kiosk.store.db import Database

LAST_PULL_AT = "last_pull_at"
LAST_PUSH_AT = "last_push_at"
INITIAL_DONE = "initial_sync.done"
INITIAL_TOTAL = "initial_sync.total"
INITIAL_COMPLETE = "initial_sync.complete"
LINK_STATE = "link.state"
LINK_SINCE = "link.since"
LINK_ERROR = "link.error"


class LinkState(StrEnum):
    """Whether the sync engine's last pass reached the store; only the engine sets it."""

    UNKNOWN = "unknown"  # no pass has finished yet
    ONLINE = "online"
    OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class Link:
    """The link to the store: its state, since when, and the last pass's error for people."""

    state: LinkState = LinkState.UNKNOWN
    since: datetime | None = None
    error: str = ""


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


def read_sync_status(conn: sqlite3.Connection) -> SyncStatus:
    """get_sync_status inside the caller's transaction."""
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


async def get_sync_status(db: Database) -> SyncStatus:
    return await db.read(read_sync_status)


def read_link(conn: sqlite3.Connection) -> Link:
    """get_link inside the caller's transaction."""
    v = dict(
        conn.execute(
            "SELECT key, value FROM sync_state WHERE key IN (?, ?, ?)",
            (LINK_STATE, LINK_SINCE, LINK_ERROR),
        ).fetchall()
    )
    state = v.get(LINK_STATE)
    if state not in {s.value for s in LinkState}:
        return Link()
    return Link(LinkState(state), rows.opt_from_text(v.get(LINK_SINCE)), v.get(LINK_ERROR, ""))


async def get_link(db: Database) -> Link:
    return await db.read(read_link)


async def set_link(db: Database, state: LinkState, *, now: datetime, error: str = "") -> Link:
    """Record a pass's outcome; `since` moves only when the state changes. Returns the link."""
    ts = rows.to_text(now, "now")

    def run(conn: sqlite3.Connection) -> Link:
        old = read_link(conn)
        since = rows.from_text(ts) if old.state is not state or old.since is None else old.since
        write_values(
            conn, {LINK_STATE: state.value, LINK_SINCE: rows.to_text(since), LINK_ERROR: error}
        )
        return Link(state, since, error)

    return await db.write(run)
