"""The database handle: pragmas, one-call transactions, rollback, change notification."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from kiosk.store import db as db_module
from kiosk.store.db import Database


def _pragma(name: str) -> Any:
    return lambda c: c.execute(f"PRAGMA {name}").fetchone()[0]


async def test_connection_pragmas(db: Database) -> None:
    assert await db.read(_pragma("journal_mode")) == "wal"
    assert await db.read(_pragma("foreign_keys")) == 1
    assert await db.read(_pragma("busy_timeout")) == 5000
    assert await db.read(_pragma("synchronous")) == 1  # NORMAL


async def test_durable_write_is_full_for_that_transaction_only(db: Database) -> None:
    assert await db.write(_pragma("synchronous"), durable=True) == 2  # FULL
    assert await db.write(_pragma("synchronous")) == 1
    assert await db.read(_pragma("synchronous")) == 1


async def test_a_write_is_one_call_on_the_worker_thread(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Covers the one use of aiosqlite internals: a whole transaction per queued call."""
    inner = db._conn  # the aiosqlite.Connection
    calls: list[object] = []
    real = inner._execute

    async def spy(fn: Any, *args: Any) -> Any:
        calls.append(fn)
        return await real(fn, *args)

    monkeypatch.setattr(inner, "_execute", spy)
    seen: list[tuple[int, bool]] = []

    def work(conn: sqlite3.Connection) -> int:
        assert isinstance(conn, sqlite3.Connection)
        for i in range(20):
            conn.execute("INSERT INTO sync_state (key, value) VALUES (?, 'v')", (f"k{i}",))
            seen.append((threading.get_ident(), conn.in_transaction))
        return len(seen)

    assert await db.write(work) == 20
    assert len(calls) == 1  # twenty statements, BEGIN and COMMIT: one hop
    threads = {t for t, _ in seen}
    assert len(threads) == 1
    assert threads != {threading.get_ident()}
    assert all(in_txn for _, in_txn in seen)
    assert await db.read(lambda c: c.execute("SELECT count(*) FROM sync_state").fetchone()[0]) == 20


async def test_write_takes_the_write_lock_at_begin(db: Database) -> None:
    def work(conn: sqlite3.Connection) -> str:
        # BEGIN IMMEDIATE: another connection cannot start writing while fn runs, even though
        # fn has not written anything yet.
        other = sqlite3.connect(db.path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            return str(exc)
        finally:
            other.close()
        return "not locked"

    assert await db.write(work) == "database is locked"


async def test_an_exception_rolls_everything_back(db: Database) -> None:
    class Boom(Exception):
        pass

    def work(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO sync_state (key, value) VALUES ('a', '1')")
        conn.execute("INSERT INTO sync_state (key, value) VALUES ('b', '2')")
        raise Boom("half-way")

    with pytest.raises(Boom, match="half-way"):
        await db.write(work, durable=True)
    assert await db.read(lambda c: c.execute("SELECT count(*) FROM sync_state").fetchone()[0]) == 0
    # The connection is clean and usable, and synchronous is back to NORMAL.
    assert await db.read(lambda c: c.in_transaction) is True  # inside read's own transaction
    assert await db.read(_pragma("synchronous")) == 1
    await db.write(lambda c: c.execute("INSERT INTO sync_state VALUES ('c', '3')"))
    assert await db.read(lambda c: c.execute("SELECT key FROM sync_state").fetchall()) == [("c",)]


async def test_a_failed_read_leaves_no_transaction_open(db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError):
        await db.read(lambda c: c.execute("SELECT * FROM no_such_table"))
    assert await db.write(lambda c: c.in_transaction) is True  # BEGIN worked: none was open


async def test_concurrent_writes_never_interleave(db: Database) -> None:
    def bump(conn: sqlite3.Connection) -> None:
        row = conn.execute("SELECT value FROM sync_state WHERE key = 'n'").fetchone()
        n = int(row[0]) if row else 0
        conn.execute("INSERT OR REPLACE INTO sync_state VALUES ('n', ?)", (str(n + 1),))

    await asyncio.gather(*(db.write(bump) for _ in range(50)))
    value = await db.read(lambda c: c.execute("SELECT value FROM sync_state").fetchone()[0])
    assert value == "50"


async def test_data_version_changes_when_another_connection_commits(db: Database) -> None:
    before = await db.data_version()
    await db.write(lambda c: c.execute("INSERT INTO sync_state VALUES ('mine', '1')"))
    assert await db.data_version() == before  # our own commits do not count
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("INSERT INTO sync_state VALUES ('theirs', '1')")
    other.close()
    assert await db.data_version() != before


async def test_open_creates_the_folder_and_close_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "kiosk.db"
    async with await Database.open(path) as db:
        assert db.path == path
    assert path.exists()
    await db.close()  # a second close is harmless
    with pytest.raises(ValueError, match="is closed"):
        await db.read(lambda c: 1)


def test_the_private_aiosqlite_hook_is_present() -> None:
    """If aiosqlite renames these, Database._call must change: pyproject pins <0.23 for this."""
    import aiosqlite

    assert callable(getattr(aiosqlite.Connection, "_execute", None))
    assert isinstance(getattr(aiosqlite.Connection, "_conn", None), property)
    assert db_module.BUSY_TIMEOUT_MS == 5000
