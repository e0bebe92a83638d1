"""Conversion between orders and their rows: head, lines, line taxes, tax lines, payments."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from decimal import Decimal

from kiosk.core.models import (
    LineTax,
    Order,
    OrderLine,
    Payment,
    PaymentMethod,
    TaxLine,
)
from kiosk.core.money import Money
from kiosk.store.rows import attributes_from, attributes_json, from_text, to_text


def load_orders(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Order]:
    """Rebuild the orders with these ids from their rows: a fixed number of queries for any count.

    Ids that are not stored are absent from the result.
    """
    if not ids:
        return {}
    key = json.dumps(list(ids))
    heads = conn.execute(
        "SELECT id, number, created_at, currency, subtotal, discount_total, discount_tax, "
        "tax_total, total, prices_include_tax, round_at_subtotal, customer_id, cashier, offline, "
        "note, meta FROM orders WHERE id IN (SELECT value FROM json_each(?))",
        (key,),
    ).fetchall()
    currency_of = {h[0]: h[3] for h in heads}

    line_taxes: dict[tuple[str, int], list[LineTax]] = {}
    for order_id, line_no, rate_id, subtotal, total_ in conn.execute(
        "SELECT order_id, line_no, rate_id, subtotal, total FROM order_line_taxes "
        "WHERE order_id IN (SELECT value FROM json_each(?)) ORDER BY order_id, line_no, position",
        (key,),
    ):
        cur = currency_of[order_id]
        line_taxes.setdefault((order_id, line_no), []).append(
            LineTax(rate_id, Money(subtotal, cur), Money(total_, cur))
        )

    lines: dict[str, list[OrderLine]] = {}
    for r in conn.execute(
        "SELECT order_id, line_no, product_id, variation_id, name, sku, quantity, unit_price, "
        "subtotal, subtotal_tax, total, total_tax, discount, tax_class, attributes "
        "FROM order_lines WHERE order_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY order_id, line_no",
        (key,),
    ):
        cur = currency_of[r[0]]
        lines.setdefault(r[0], []).append(
            OrderLine(
                line_no=r[1],
                product_id=r[2],
                variation_id=r[3],
                name=r[4],
                sku=r[5],
                quantity=r[6],
                unit_price=Money(r[7], cur),
                subtotal=Money(r[8], cur),
                subtotal_tax=Money(r[9], cur),
                total=Money(r[10], cur),
                total_tax=Money(r[11], cur),
                discount=Money(r[12], cur),
                taxes=tuple(line_taxes.get((r[0], r[1]), ())),
                tax_class=r[13],
                attributes=attributes_from(r[14]),
            )
        )

    tax_lines: dict[str, list[TaxLine]] = {}
    for order_id, rate_id, label, rate, compound, amount in conn.execute(
        "SELECT order_id, rate_id, label, rate, compound, amount FROM order_tax_lines "
        "WHERE order_id IN (SELECT value FROM json_each(?)) ORDER BY order_id, position",
        (key,),
    ):
        tax_lines.setdefault(order_id, []).append(
            TaxLine(
                rate_id, label, Decimal(rate), bool(compound), Money(amount, currency_of[order_id])
            )
        )

    payments: dict[str, list[Payment]] = {}
    for r in conn.execute(
        "SELECT order_id, method, amount, tendered, change, reference, card_brand, card_last4, "
        "entry_mode, auth_code FROM payments WHERE order_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY order_id, position",
        (key,),
    ):
        cur = currency_of[r[0]]
        payments.setdefault(r[0], []).append(
            Payment(
                method=PaymentMethod(r[1]),
                amount=Money(r[2], cur),
                tendered=Money(r[3], cur),
                change=Money(r[4], cur),
                reference=r[5],
                card_brand=r[6],
                card_last4=r[7],
                entry_mode=r[8],
                auth_code=r[9],
            )
        )

    result: dict[str, Order] = {}
    for h in heads:
        oid, cur = h[0], h[3]
        result[oid] = Order(
            id=oid,
            number=h[1],
            created_at=from_text(h[2]),
            currency=cur,
            lines=tuple(lines.get(oid, ())),
            tax_lines=tuple(tax_lines.get(oid, ())),
            subtotal=Money(h[4], cur),
            discount_total=Money(h[5], cur),
            discount_tax=Money(h[6], cur),
            tax_total=Money(h[7], cur),
            total=Money(h[8], cur),
            payments=tuple(payments.get(oid, ())),
            prices_include_tax=bool(h[9]),
            round_at_subtotal=bool(h[10]),
            customer_id=h[11],
            cashier=h[12],
            offline=bool(h[13]),
            note=h[14],
            meta=dict(json.loads(h[15])),
        )
    return result


def insert_order(conn: sqlite3.Connection, o: Order) -> None:
    """Insert an order's rows (head, lines, line taxes, tax lines, payments); no outbox row."""
    conn.execute(
        "INSERT INTO orders (id, number, created_at, currency, subtotal, discount_total, "
        "discount_tax, tax_total, total, prices_include_tax, round_at_subtotal, customer_id, "
        "cashier, offline, note, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            o.id,
            o.number,
            to_text(o.created_at, f"order {o.id} created_at"),
            o.currency,
            o.subtotal.minor,
            o.discount_total.minor,
            o.discount_tax.minor,
            o.tax_total.minor,
            o.total.minor,
            int(o.prices_include_tax),
            int(o.round_at_subtotal),
            o.customer_id,
            o.cashier,
            int(o.offline),
            o.note,
            json.dumps(o.meta, ensure_ascii=False, sort_keys=True),
        ),
    )
    conn.executemany(
        "INSERT INTO order_lines (order_id, line_no, product_id, variation_id, name, sku, "
        "quantity, unit_price, subtotal, subtotal_tax, total, total_tax, discount, tax_class, "
        "attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                o.id,
                li.line_no,
                li.product_id,
                li.variation_id,
                li.name,
                li.sku,
                li.quantity,
                li.unit_price.minor,
                li.subtotal.minor,
                li.subtotal_tax.minor,
                li.total.minor,
                li.total_tax.minor,
                li.discount.minor,
                li.tax_class,
                attributes_json(li.attributes),
            )
            for li in o.lines
        ],
    )
    conn.executemany(
        "INSERT INTO order_line_taxes (order_id, line_no, position, rate_id, subtotal, total) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (o.id, li.line_no, pos, t.rate_id, t.subtotal.minor, t.total.minor)
            for li in o.lines
            for pos, t in enumerate(li.taxes)
        ],
    )
    conn.executemany(
        "INSERT INTO order_tax_lines (order_id, position, rate_id, label, rate, compound, amount) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (o.id, pos, t.rate_id, t.label, str(t.rate), int(t.compound), t.amount.minor)
            for pos, t in enumerate(o.tax_lines)
        ],
    )
    conn.executemany(
        "INSERT INTO payments (order_id, position, method, amount, tendered, change, reference, "
        "card_brand, card_last4, entry_mode, auth_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                o.id,
                pos,
                p.method.value,
                p.amount.minor,
                p.tendered.minor,
                p.change.minor,
                p.reference,
                p.card_brand,
                p.card_last4,
                p.entry_mode,
                p.auth_code,
            )
            for pos, p in enumerate(o.payments)
        ],
    )
