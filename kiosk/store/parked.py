"""Parked carts: a sale put aside to serve the next customer, resumed later, even after a restart.

A parked cart is kept as its snapshot (kiosk.core.cart_snapshot) under its order id. Taking it
back deletes the row in the same transaction that reads it, so two tills sharing the database
can never resume the same sale.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.core.cart import Cart, CartError
from kiosk.core.cart_snapshot import snapshot
from kiosk.core.models import Product
from kiosk.core.money import Money
from kiosk.store import rows, rows_catalog
from kiosk.store.db import Database

_SELECT_PRODUCTS = (
    f"SELECT {rows_catalog.PRODUCT_COLUMNS} FROM products "  # noqa: S608  (constant columns)
    "WHERE id IN (SELECT value FROM json_each(?))"
)


@dataclass(frozen=True, slots=True)
class ParkedCart:
    """A parked sale as the list of parked sales shows it."""

    id: str  # the cart's order id
    label: str
    parked_at: datetime
    item_count: int  # units, not lines: 3 mugs and a tee are 4 items
    total: Money  # as priced when parked; resuming prices it again


async def park(db: Database, cart: Cart, *, label: str, now: datetime) -> ParkedCart:
    """Keep `cart` (durably) until it is taken back; parking it again replaces the old copy.

    Raises CartError (a ValueError) for an empty cart, or one whose order was already paid.
    """
    if cart.is_empty:
        raise CartError("the cart is empty: there is nothing to park")
    ts = rows.to_text(now, "now")
    parked = ParkedCart(
        id=cart.id,
        label=label.strip(),
        parked_at=rows.from_text(ts),
        item_count=sum(line.quantity for line in cart.lines),
        total=cart.totals().total,
    )
    values = (
        parked.id,
        parked.label,
        ts,
        parked.item_count,
        parked.total.minor,
        parked.total.currency,
        json.dumps(snapshot(cart), ensure_ascii=False),
    )

    def run(conn: sqlite3.Connection) -> None:
        sold = conn.execute("SELECT number FROM orders WHERE id = ?", (cart.id,)).fetchone()
        if sold is not None:
            raise CartError(f"this sale was already paid as order {sold[0]}: it cannot be parked")
        conn.execute(
            "INSERT INTO parked_carts (id, label, parked_at, item_count, total_minor, currency, "
            "data) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "label = excluded.label, parked_at = excluded.parked_at, "
            "item_count = excluded.item_count, total_minor = excluded.total_minor, "
            "currency = excluded.currency, data = excluded.data",
            values,
        )

    # A parked sale is a promise to a customer standing aside: it must survive a power cut.
    await db.write(run, durable=True)
    return parked


async def list_parked(db: Database) -> list[ParkedCart]:
    """Every parked sale, newest first."""

    def run(conn: sqlite3.Connection) -> list[ParkedCart]:
        return [
            ParkedCart(r[0], r[1], rows.from_text(r[2]), r[3], Money(r[4], r[5]))
            for r in conn.execute(
                "SELECT id, label, parked_at, item_count, total_minor, currency "
                "FROM parked_carts ORDER BY parked_at DESC, id"
            )
        ]

    return await db.read(run)


async def take(db: Database, cart_id: str) -> dict[str, Any] | None:
    """Remove a parked sale and return its snapshot data, or None if it is no longer parked
    (another till took it, or it was paid meanwhile). Pass the data to cart_snapshot.restore."""

    def run(conn: sqlite3.Connection) -> dict[str, Any] | None:
        r = conn.execute("SELECT data FROM parked_carts WHERE id = ?", (cart_id,)).fetchone()
        if r is None:
            return None
        conn.execute("DELETE FROM parked_carts WHERE id = ?", (cart_id,))
        # Belt and braces: a sale already paid is never resumed, so never sold twice.
        if conn.execute("SELECT 1 FROM orders WHERE id = ?", (cart_id,)).fetchone() is not None:
            return None
        data: dict[str, Any] = json.loads(r[0])
        return data

    return await db.write(run, durable=True)


async def count(db: Database) -> int:
    """How many sales are parked."""
    return await db.read(
        lambda conn: int(conn.execute("SELECT count(*) FROM parked_carts").fetchone()[0])
    )


async def products_for(db: Database, data: Mapping[str, Any]) -> dict[str, Product]:
    """The current catalog products a snapshot names, by id, in one read; missing ids are absent."""
    lines = data.get("lines")
    ids = sorted(
        {ln["product_id"] for ln in lines if isinstance(ln, Mapping) and "product_id" in ln}
        if isinstance(lines, list)
        else set()
    )

    def run(conn: sqlite3.Connection) -> dict[str, Product]:
        found = conn.execute(_SELECT_PRODUCTS, (rows.strings_json(ids),))
        return {p.id: p for p in map(rows_catalog.product_from, found)}

    return await db.read(run) if ids else {}
