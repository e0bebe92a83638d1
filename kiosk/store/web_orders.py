"""Web orders brought to the till to be refunded: stored as orders already in the store.

Contract (kiosk.core.web_orders says what marks one):
- One BEGIN IMMEDIATE transaction: the order's rows, its outbox row already `synced` and its
  `remote_id` set (so the upload never takes it as a sale), and nothing else: no stock moves
  (the store took the stock when the shopper bought it).
- Idempotent on the order's id: importing it again returns the stored order unchanged, and so
  does importing an order a till of ours sold (its UUID is already here).
- Its number is the web shop's, unless a sale of this till already has that number: then it is
  "web " and the number. `find_imported` finds it again by the web shop's number, offline.
- Nothing reads it as a till sale: the shift reports leave out orders with WEB_REMOTE_ID in
  their meta (kiosk.shifts.report); a refund of it is the till's like any other.
"""

from __future__ import annotations

import dataclasses
import sqlite3

from kiosk.core.models import Order
from kiosk.core.web_orders import WEB_NUMBER, WEB_REMOTE_ID
from kiosk.store import outbox, rows, rows_orders
from kiosk.store.db import Database
from kiosk.store.orders import StoredOrder
from kiosk.store.outbox import OutboxState


def _stored(conn: sqlite3.Connection, order_id: str) -> StoredOrder | None:
    heads = conn.execute(outbox.SELECT_ITEMS + " WHERE o.id = ?", (order_id,)).fetchall()
    items = outbox.load_items(conn, heads)
    return items[0] if items else None


async def import_web_order(db: Database, order: Order) -> StoredOrder:
    """Store the web order `order` as one already in the store (see the module contract).

    Raises ValueError when `order` carries no store id (it is not a web order).
    """
    remote_id = order.meta.get(WEB_REMOTE_ID, "")
    if not remote_id:
        raise ValueError(f"order {order.id} is no web order: it has no {WEB_REMOTE_ID} in meta")
    ts = rows.to_text(order.created_at, f"order {order.id} created_at")

    def run(conn: sqlite3.Connection) -> StoredOrder:
        existing = _stored(conn, order.id)
        if existing is not None:
            return existing
        number = order.number
        if conn.execute("SELECT 1 FROM orders WHERE number = ?", (number,)).fetchone():
            number = f"web {number}"
        rows_orders.insert_order(conn, dataclasses.replace(order, number=number))
        conn.execute(
            "INSERT INTO outbox (order_id, state, next_attempt_at, updated_at) VALUES (?, ?, ?, ?)",
            (order.id, OutboxState.SYNCED.value, ts, ts),
        )
        conn.execute("UPDATE orders SET remote_id = ? WHERE id = ?", (remote_id, order.id))
        stored = _stored(conn, order.id)
        assert stored is not None  # just written in this transaction
        return stored

    return await db.write(run, durable=True)


async def find_imported(db: Database, number: str) -> StoredOrder | None:
    """The web order imported earlier with the web shop's number `number` ("#" ignored)."""
    bare = number.strip().lstrip("#")

    def run(conn: sqlite3.Connection) -> StoredOrder | None:
        r = conn.execute(
            "SELECT id FROM orders WHERE json_extract(meta, ?) IN (?, ?) ORDER BY rowid LIMIT 1",
            (f"$.{WEB_NUMBER}", bare, f"#{bare}"),
        ).fetchone()
        return None if r is None else _stored(conn, r[0])

    return await db.read(run)
