"""Forward-only schema migrations: numbered .sql files, tracked by PRAGMA user_version.

Migration N lives in `migrations/NNNN_<what>.sql` and takes the schema from version N-1 to N. Each
runs in its own BEGIN IMMEDIATE transaction together with the `user_version` bump, so a crash or
an error leaves the database at the previous version, never half-way. Files are never edited once
released; a change is a new file. PRAGMAs that cannot run in a transaction (foreign_keys,
journal_mode) do not belong in migrations.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(RuntimeError):
    """The migrations shipped with the code are malformed, or one failed to apply."""


class SchemaTooNew(MigrationError):
    """The database was written by a newer version of the code; refusing to touch it."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


@functools.cache
def migrations() -> tuple[Migration, ...]:
    """All migrations shipped in the package, in order, checked to be numbered 1..N."""
    folder = resources.files("kiosk.store").joinpath("migrations")
    found: list[Migration] = []
    for entry in folder.iterdir():
        m = _NAME.match(entry.name)
        if m is None:
            if entry.name.endswith(".sql"):
                raise MigrationError(
                    f"migration file {entry.name!r} is not named NNNN_lowercase_words.sql"
                )
            continue
        found.append(Migration(int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda mig: mig.version)
    for expected, mig in enumerate(found, start=1):
        if mig.version != expected:
            raise MigrationError(
                f"migrations must be numbered 1, 2, 3... without gaps or repeats: "
                f"expected {expected:04d}, found {mig.name}"
            )
    return tuple(found)


def latest_version() -> int:
    """The schema version this code writes."""
    return len(migrations())


def split_statements(script: str) -> list[str]:
    """Split a SQL script into complete statements (triggers and comments understood)."""
    statements: list[str] = []
    buf = ""
    for piece in script.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if _has_code(buf):
                statements.append(buf.strip())
            buf = ""
    # The loop added one ';' too many at the end: what remains must be blank or comments.
    rest = buf[:-1]
    if _has_code(rest):
        raise MigrationError(f"SQL script ends in an incomplete statement: {rest.strip()[:80]!r}")
    return statements


def _has_code(sql: str) -> bool:
    """Whether `sql` holds anything but whitespace, comments and semicolons."""
    no_comments = re.sub(r"--[^\n]*|/\*.*?\*/", "", sql, flags=re.DOTALL)
    return bool(no_comments.replace(";", "").strip())


def current_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int | None = None) -> int:
    """Bring the database at `conn` up to `target` (default: latest); return the version now.

    `conn` must be in autocommit mode (isolation_level=None) and outside a transaction. Raises
    SchemaTooNew when the database is newer than this code knows, and MigrationError naming the
    file when a migration fails (that migration is rolled back; earlier ones stay applied).
    """
    steps = migrations()
    latest = len(steps)
    goal = latest if target is None else target
    if not 0 <= goal <= latest:
        raise ValueError(f"target version {goal} is outside 0..{latest}")
    if conn.in_transaction:
        raise MigrationError("migrate() needs a connection outside any transaction")
    version = current_version(conn)
    if version > latest:
        raise SchemaTooNew(
            f"the database is at schema version {version}, but this version of kiosk only knows "
            f"up to {latest}: it was written by a newer kiosk. Install that version again (or "
            f"newer); the database was not changed."
        )
    for step in steps[version:goal]:
        _apply(conn, step)
    return current_version(conn)


def _apply(conn: sqlite3.Connection, step: Migration) -> None:
    statements = split_statements(step.sql)
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the write lock.
        if current_version(conn) >= step.version:
            conn.execute("ROLLBACK")
            return
        for statement in statements:
            conn.execute(statement)
        # PRAGMA takes no parameters; the version is an int from our own file name.
        conn.execute(f"PRAGMA user_version = {int(step.version)}")
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise MigrationError(
                f"migration {step.name} failed and was rolled back: {exc}"
            ) from exc
        raise
