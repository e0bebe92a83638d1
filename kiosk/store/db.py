"""The database handle: one SQLite connection on aiosqlite's thread, one await per transaction.

Every business operation is a plain function of a `sqlite3.Connection` that `Database.read` or
`Database.write` runs whole on the connection's worker thread: an await costs a thread hop
(~70 µs), so a sale or a sync batch pays it once, and no other coroutine's statements can slip
into the middle of a transaction because the thread runs one call at a time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import aiosqlite

from kiosk.store import migrate

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 16 * 1024
MMAP_BYTES = 256 * 1024 * 1024


def _configure(conn: sqlite3.Connection) -> int:
    """Apply the connection pragmas and migrate; return the schema version."""
    # busy_timeout first, so that switching to WAL and migrating wait for another process's lock.
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise sqlite3.OperationalError(f"could not switch the database to WAL mode (got {mode!r})")
    # NORMAL is safe from corruption in WAL mode; the sale path asks for FULL per transaction.
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    # Catalog search touches thousands of scattered rows: reading them through a memory map
    # (shared with the OS page cache, so no second copy) and a larger page cache makes it 2-3x
    # faster than the 2 MB default. The map is an address range, not memory taken.
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    return migrate.migrate(conn)


def _read(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    # A read transaction: several SELECTs see one snapshot even while the other process writes.
    conn.execute("BEGIN")
    try:
        result = fn(conn)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if conn.in_transaction:
        conn.execute("COMMIT")
    return result


def _write(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T], durable: bool) -> T:
    if durable:
        # synchronous cannot change inside a transaction: set it before BEGIN.
        conn.execute("PRAGMA synchronous = FULL")
    try:
        # IMMEDIATE takes the write lock now, so busy_timeout applies here and not at a later
        # statement where SQLite could only fail with SQLITE_BUSY.
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return result
    finally:
        if durable:
            conn.execute("PRAGMA synchronous = NORMAL")


class Database:
    """An open kiosk database. Use `await Database.open(path)`, then read/write, then close."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._closed = False

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Open (creating it and its folder if needed), apply the pragmas, and migrate.

        Raises migrate.SchemaTooNew if the database was written by newer code.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; _read/_write say BEGIN and COMMIT.
        conn = await aiosqlite.connect(path, isolation_level=None)
        db = cls(conn, path)
        try:
            await db._call(_configure)
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        """Close the connection; closing twice is harmless."""
        if not self._closed:
            self._closed = True
            await self._conn.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn(conn)` in one read transaction on the worker thread; `fn` must not write."""
        return await self._call(_read, fn)

    async def write(self, fn: Callable[[sqlite3.Connection], T], *, durable: bool = False) -> T:
        """Run `fn(conn)` between BEGIN IMMEDIATE and COMMIT, all in one call on the worker thread.

        Any exception rolls the whole transaction back and is re-raised. `durable=True` commits
        with synchronous=FULL (an fsync of the WAL), so the transaction survives power loss; the
        sale path uses it. `fn` must not BEGIN, COMMIT or ROLLBACK itself.
        """
        return await self._call(_write, fn, durable)

    async def data_version(self) -> int:
        """A number that changes when another connection (the other process) commits."""
        return await self._call(_data_version)

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        if self._closed:
            raise ValueError(f"the database {self.path} is closed")
        # The one place that reaches into aiosqlite's internals. Its public API queues one
        # statement per await; there is no public hook to run our own function on its worker
        # thread, which is the point of this class: a whole transaction for one thread hop.
        # `_execute(fn, *args)` queues `fn(*args)` on that thread and awaits its result, and
        # `_conn` is the sqlite3.Connection that lives there. pyproject pins aiosqlite <0.23 so
        # an upgrade that changes these is a deliberate step; tests/store/test_db.py covers it.
        raw: sqlite3.Connection = self._conn._conn
        result: T = await self._conn._execute(fn, raw, *args)  # type: ignore[no-untyped-call]
        return result


def _data_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA data_version").fetchone()[0])
