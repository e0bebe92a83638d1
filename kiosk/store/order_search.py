"""Finding past sales for the Orders screen: by number, the customer's name, or the amount."""

from __future__ import annotations

import sqlite3

from kiosk.store import outbox
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxItem

# A constant built from ours only (SELECT_ITEMS is outbox's): the text is always a parameter.
_MATCH = (
    outbox.SELECT_ITEMS + " LEFT JOIN customers c ON c.id = o.customer_id"
    " WHERE :text = ''"
    " OR o.number LIKE :like ESCAPE '\\'"
    " OR (c.first_name || ' ' || c.last_name) LIKE :like ESCAPE '\\'"
    " OR c.email LIKE :like ESCAPE '\\'"
    " OR o.total = :minor"
    " ORDER BY (ob.state = 'failed') DESC, ob.seq DESC LIMIT :limit"
)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search_orders(
    db: Database, text: str, *, amount_minor: int | None = None, limit: int = 50
) -> list[OutboxItem]:
    """Orders whose number, customer name or email contains `text`, or whose total is
    `amount_minor`; all orders when `text` is empty. Failed uploads first, then newest first."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    text = text.strip()
    params = {
        "text": text,
        "like": _like(text),
        "minor": -1 if amount_minor is None else amount_minor,
        "limit": limit,
    }

    def run(conn: sqlite3.Connection) -> list[OutboxItem]:
        return outbox.load_items(conn, conn.execute(_MATCH, params).fetchall())

    return await db.read(run)
