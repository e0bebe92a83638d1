"""Multi-row INSERTs: many rows per statement instead of one statement per row (executemany).

Why it matters for the catalog: every statement that writes through a trigger into the FTS5
index opens a statement savepoint, and FTS5 flushes its pending terms to a new on-disk segment
at each savepoint, so one statement per row leaves one tiny segment per row for FTS5 to merge
(about 4x the cost of the whole upsert). One statement per few hundred rows flushes once per
statement. It also steps SQLite (which releases the GIL) a few times per batch instead of once
per row, so the writer thread does not queue for the GIL behind the event loop at every row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

MAX_ROWS = 256  # rows per statement at most: a power of two, see chunk_sizes


def chunk_sizes(n: int, most: int) -> list[int]:
    """`n` split into descending powers of two of at most `most` (a power of two) each.

    Few distinct sizes means few distinct statements, which sqlite3's statement cache keeps.
    """
    sizes: list[int] = []
    size = most
    while n:
        while size > n:
            size //= 2
        sizes.append(size)
        n -= size
    return sizes


def insert_many(
    conn: sqlite3.Connection, head: str, row: str, tail: str, rows: Sequence[Sequence[Any]]
) -> None:
    """Run `head VALUES row, row, ... tail` over `rows`, many rows per statement.

    `row` is one row's placeholders, "(?, ?, ?)"; `tail` follows the VALUES (an ON CONFLICT
    clause, or ""). Rows apply in order, as executemany would apply them.
    """
    if not rows:
        return
    width = len(rows[0])
    # Stay within the bound variables SQLite allows per statement (32766 by default since 3.32,
    # 999 before).
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    most = MAX_ROWS
    while most > 1 and most * width > limit:
        most //= 2
    start = 0
    for size in chunk_sizes(len(rows), most):
        part = rows[start : start + size]
        start += size
        sql = f"{head} VALUES {', '.join([row] * size)} {tail}"
        conn.execute(sql, [value for r in part for value in r])
