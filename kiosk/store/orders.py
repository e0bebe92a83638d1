"""Completed sales: committed whole and durably in one transaction, read back as they were sold."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections import Counter

from kiosk.core.models import Order
from kiosk.core.money import Money
from kiosk.store import outbox, rows_orders
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxItem, OutboxState

# An order as stored, with the state of its upload: the same record the outbox hands the agent.
StoredOrder = OutboxItem


def check_order(o: Order) -> None:
    """Raise ValueError listing every way `o` breaks the Order invariants; else return."""
    problems: list[str] = []
    cur = o.currency
    if not o.id.strip():
        problems.append("id is empty")
    if o.created_at.tzinfo is None or o.created_at.utcoffset() is None:
        problems.append("created_at is a naive datetime (expected aware UTC)")
    if not o.lines:
        problems.append("it has no lines")
    amounts: list[tuple[str, Money]] = [
        ("subtotal", o.subtotal),
        ("discount_total", o.discount_total),
        ("discount_tax", o.discount_tax),
        ("tax_total", o.tax_total),
        ("total", o.total),
    ]
    for li in o.lines:
        amounts += [
            (f"line {li.line_no} {name}", getattr(li, name))
            for name in ("unit_price", "subtotal", "subtotal_tax", "total", "total_tax", "discount")
        ]
        amounts += [
            (f"line {li.line_no} tax {t.rate_id}", m)
            for t in li.taxes
            for m in (t.subtotal, t.total)
        ]
    amounts += [(f"tax line {t.rate_id}", t.amount) for t in o.tax_lines]
    for i, p in enumerate(o.payments):
        amounts += [
            (f"payment {i + 1} {n}", getattr(p, n)) for n in ("amount", "tendered", "change")
        ]
    wrong = [name for name, m in amounts if m.currency != cur]
    if wrong:
        problems.append(f"not in the order's currency {cur}: {', '.join(wrong)}")
        raise ValueError(f"order {o.id} cannot be committed: " + "; ".join(problems))

    def minor(ms: list[Money]) -> int:
        return sum(m.minor for m in ms)

    repeated = [n for n, c in Counter(li.line_no for li in o.lines).items() if c > 1]
    if repeated:
        problems.append(f"line numbers repeat: {repeated}")
    for li in o.lines:
        if li.quantity == 0:
            problems.append(f"line {li.line_no} has quantity 0")
        if li.discount.minor != li.subtotal.minor - li.total.minor:
            problems.append(
                f"line {li.line_no} discount {li.discount} != subtotal {li.subtotal} - total "
                f"{li.total}"
            )
    if o.subtotal.minor != minor([li.subtotal for li in o.lines]):
        problems.append(f"subtotal {o.subtotal} != sum of line subtotals")
    if o.tax_total.minor != minor([t.amount for t in o.tax_lines]):
        problems.append(f"tax_total {o.tax_total} != sum of tax lines")
    if o.total.minor != minor([li.total for li in o.lines]) + o.tax_total.minor:
        problems.append(f"total {o.total} != sum of line totals + tax_total")
    paid = minor([p.amount for p in o.payments])
    if paid != o.total.minor:
        problems.append(f"payments add up to {Money(paid, cur)}, not the total {o.total}")
    if problems:
        raise ValueError(f"order {o.id} cannot be committed: " + "; ".join(problems))


def _next_number(conn: sqlite3.Connection, prefix: str) -> str:
    """The device's next order number for `prefix`; the sequence lives in the database."""
    while True:
        seq = conn.execute(
            "INSERT INTO order_numbers (prefix, last_seq) VALUES (?, 1) "
            "ON CONFLICT (prefix) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq",
            (prefix,),
        ).fetchone()[0]
        number = f"{prefix}{seq:05d}"
        # Another prefix can spell the same number ("A" 100001, "A1" 00001): skip it.
        if conn.execute("SELECT 1 FROM orders WHERE number = ?", (number,)).fetchone() is None:
            return number


def _decrement_stock(conn: sqlite3.Connection, o: Order) -> None:
    """Take sold quantities off local stock, optimistically (the store's numbers win later).

    A line takes stock from its variation if that manages stock, else from its product (the
    variation's parent) if that does; stock may go negative and then reads out of stock.
    """
    sold: Counter[int] = Counter()
    for li in o.lines:
        for pid in (li.variation_id, li.product_id):
            if pid is None:
                continue
            r = conn.execute(
                "SELECT pk, manage_stock FROM products WHERE id = ?", (pid,)
            ).fetchone()
            if r is not None and r[1]:
                sold[r[0]] += li.quantity
                break
    conn.executemany(
        "UPDATE products SET stock_quantity = coalesce(stock_quantity, 0) - :q, "
        "stock_status = CASE "
        "  WHEN coalesce(stock_quantity, 0) - :q <= 0 THEN 'outofstock' "
        "  WHEN :q < 0 AND stock_status = 'outofstock' THEN 'instock' "
        "  ELSE stock_status END "
        "WHERE pk = :pk",
        [{"pk": pk, "q": q} for pk, q in sold.items()],
    )


async def commit_sale(db: Database, order: Order, *, prefix: str) -> Order:
    """Store a paid order, durably and whole, and return it with its number.

    One BEGIN IMMEDIATE transaction with synchronous=FULL: the next number for `prefix`, the
    order's rows, its outbox row (pending_sync) and the optimistic stock decrement. Idempotent
    on order.id: a second commit of the same id changes nothing and returns the stored order.
    Raises ValueError (naming every problem) if the order breaks its invariants.
    """
    check_order(order)

    def run(conn: sqlite3.Connection) -> Order:
        existing = rows_orders.load_orders(conn, [order.id])
        if existing:
            return existing[order.id]
        stored = dataclasses.replace(order, number=_next_number(conn, prefix))
        rows_orders.insert_order(conn, stored)
        outbox.enqueue(conn, stored.id, stored.created_at)
        _decrement_stock(conn, stored)
        return stored

    return await db.write(run, durable=True)


async def get_order(db: Database, id_or_number: str) -> StoredOrder | None:
    """The order with this id (UUID) or number, rebuilt from its rows, with its upload state."""

    def run(conn: sqlite3.Connection) -> StoredOrder | None:
        heads = conn.execute(
            outbox.SELECT_ITEMS + " WHERE o.id = ? OR o.number = ? LIMIT 1",
            (id_or_number, id_or_number),
        ).fetchall()
        items = outbox.load_items(conn, heads)
        return items[0] if items else None

    return await db.read(run)


async def list_orders(
    db: Database, *, state: OutboxState | None = None, limit: int = 100, offset: int = 0
) -> list[StoredOrder]:
    """Orders newest first (in order of sale), optionally only those in one upload state."""
    if limit < 1 or offset < 0:
        raise ValueError(
            f"limit must be at least 1 and offset not negative (got {limit}, {offset})"
        )

    def run(conn: sqlite3.Connection) -> list[StoredOrder]:
        heads = conn.execute(
            outbox.SELECT_ITEMS + " WHERE :state IS NULL OR ob.state = :state "
            "ORDER BY ob.seq DESC LIMIT :limit OFFSET :offset",
            {"state": None if state is None else state.value, "limit": limit, "offset": offset},
        ).fetchall()
        return outbox.load_items(conn, heads)

    return await db.read(run)
