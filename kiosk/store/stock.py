"""The store's stock wins: adopt its numbers, and record each time ours disagreed.

The device never sends a stock number it computed; it decrements locally for the counter's sake
and takes the store's figure whenever one arrives (after an upload, or in a pull).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.core.models import Product, StockLevel, StockStatus
from kiosk.store import rows
from kiosk.store.db import Database


@dataclass(frozen=True, slots=True)
class Discrepancy:
    product_id: str
    local: int | None
    remote: int | None
    recorded_at: datetime
    source: str


def _local_levels(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, int | None]:
    return {
        r[0]: (r[2] if r[1] else None)
        for r in conn.execute(
            "SELECT id, manage_stock, stock_quantity FROM products "
            "WHERE id IN (SELECT value FROM json_each(?))",
            (rows.strings_json(ids),),
        )
    }


def record_differences(
    levels: Iterable[tuple[str, int | None]], now: datetime, source: str
) -> Callable[[sqlite3.Connection], int]:
    """A transaction step: note every (product id, store quantity) that differs from ours.

    Only products the device already holds count; a product it has never seen has no local
    number to disagree with. Run it before the step that writes the store's numbers.
    """
    wanted = dict(levels)
    ts = rows.to_text(now, "now")

    def run(conn: sqlite3.Connection) -> int:
        local = _local_levels(conn, list(wanted))
        found = [
            (pid, local[pid], remote, ts, source)
            for pid, remote in wanted.items()
            if pid in local and local[pid] != remote
        ]
        conn.executemany(
            "INSERT INTO stock_discrepancies (product_id, local, remote, recorded_at, source) "
            "VALUES (?, ?, ?, ?, ?)",
            found,
        )
        return len(found)

    return run


def pulled_levels(products: Iterable[Product]) -> list[tuple[str, int | None]]:
    """The stock numbers a pulled batch carries, in record_differences' terms."""
    return [(p.id, p.stock_quantity if p.manage_stock else None) for p in products]


async def adopt(db: Database, levels: Sequence[StockLevel], now: datetime, source: str) -> int:
    """Take the store's numbers for these products; return how many differed from ours."""
    record = record_differences(
        [(lv.product_id, lv.quantity if lv.manage_stock else None) for lv in levels], now, source
    )
    data = [
        {
            "id": lv.product_id,
            "manage": int(lv.manage_stock),
            "qty": lv.quantity if lv.manage_stock else None,
            "status": StockStatus(lv.status).value,
        }
        for lv in levels
    ]

    def run(conn: sqlite3.Connection) -> int:
        n = record(conn)
        conn.executemany(
            "UPDATE products SET manage_stock = :manage, stock_quantity = :qty, "
            "stock_status = :status WHERE id = :id",
            data,
        )
        return n

    return await db.write(run)


async def discrepancy_count(db: Database) -> int:
    return await db.read(
        lambda conn: int(conn.execute("SELECT count(*) FROM stock_discrepancies").fetchone()[0])
    )


async def recent_discrepancies(db: Database, limit: int = 50) -> list[Discrepancy]:
    """The latest disagreements, newest first."""

    def run(conn: sqlite3.Connection) -> list[Discrepancy]:
        return [
            Discrepancy(r[0], r[1], r[2], rows.from_text(r[3]), r[4])
            for r in conn.execute(
                "SELECT product_id, local, remote, recorded_at, source FROM stock_discrepancies "
                "ORDER BY id DESC LIMIT ?",
                (limit,),
            )
        ]

    return await db.read(run)
