"""Conversion between domain objects and table rows: times, JSON columns, products, orders.

Rows are plain tuples in the column order of the constants below, so the SQL that reads them and
the code that builds objects from them are written once, here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from kiosk.core.models import (
    Attribute,
    Category,
    Customer,
    LineTax,
    Order,
    OrderLine,
    Payment,
    PaymentMethod,
    Product,
    ProductKind,
    StockStatus,
    TaxLine,
    TaxRate,
    TaxStatus,
)
from kiosk.core.money import Money

# -- times -------------------------------------------------------------------------------------


def to_text(ts: datetime, field: str = "time") -> str:
    """An aware datetime as fixed-width UTC ISO-8601 text, so that text order is time order."""
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise ValueError(f"{field} must be an aware datetime (UTC), got naive {ts.isoformat()}")
    return ts.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    return datetime.fromisoformat(text)


def opt_to_text(ts: datetime | None, field: str = "time") -> str | None:
    return None if ts is None else to_text(ts, field)


def opt_from_text(text: str | None) -> datetime | None:
    return None if text is None else from_text(text)


# -- JSON columns ------------------------------------------------------------------------------


def attributes_json(attrs: Iterable[Attribute]) -> str:
    return json.dumps([[a.name, list(a.options)] for a in attrs], ensure_ascii=False)


def attributes_from(text: str) -> tuple[Attribute, ...]:
    return tuple(Attribute(name, tuple(options)) for name, options in json.loads(text))


def strings_json(items: Iterable[str]) -> str:
    return json.dumps(list(items), ensure_ascii=False)


def strings_from(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


# -- products ----------------------------------------------------------------------------------

PRODUCT_COLUMNS = (
    "id, kind, parent_id, name, sku, barcode, currency, price, regular_price, tax_status, "
    "tax_class, manage_stock, stock_quantity, stock_status, status, attributes, category_ids, "
    "image_url, modified_at"
)


# What upserts write: the columns above plus the folded search columns.
PRODUCT_WRITE_COLUMNS = PRODUCT_COLUMNS + ", fold_name, fold_sku, fold_options"


def fold(text: str) -> str:
    """Case-fold for search the way FTS5's trigram tokenizer does (lowercase, per character)."""
    return text.lower()


def product_row(p: Product) -> tuple[Any, ...]:
    """A Product as a row in PRODUCT_WRITE_COLUMNS order."""
    currencies = {m.currency for m in (p.price, p.regular_price) if m is not None}
    if len(currencies) > 1:
        raise ValueError(
            f"product {p.id}: price and regular_price are in different currencies "
            f"({', '.join(sorted(currencies))})"
        )
    if p.kind is ProductKind.VARIATION and not p.parent_id:
        raise ValueError(f"product {p.id}: a variation needs a parent_id")
    return (
        p.id,
        p.kind.value,
        p.parent_id,
        p.name,
        p.sku,
        p.barcode,
        currencies.pop() if currencies else "",
        None if p.price is None else p.price.minor,
        None if p.regular_price is None else p.regular_price.minor,
        p.tax_status.value,
        p.tax_class,
        int(p.manage_stock),
        p.stock_quantity,
        p.stock_status.value,
        p.status,
        attributes_json(p.attributes),
        strings_json(p.category_ids),
        p.image_url,
        opt_to_text(p.modified_at, f"product {p.id} modified_at"),
        fold(p.name),
        fold(p.sku),
        strings_json(fold(o) for a in p.attributes for o in a.options)
        if p.kind is ProductKind.VARIATION
        else "[]",
    )


def product_from(row: Sequence[Any]) -> Product:
    """A Product from a row in PRODUCT_COLUMNS order."""
    currency = row[6]
    return Product(
        id=row[0],
        kind=ProductKind(row[1]),
        parent_id=row[2],
        name=row[3],
        sku=row[4],
        barcode=row[5],
        price=None if row[7] is None else Money(row[7], currency),
        regular_price=None if row[8] is None else Money(row[8], currency),
        tax_status=TaxStatus(row[9]),
        tax_class=row[10],
        manage_stock=bool(row[11]),
        stock_quantity=row[12],
        stock_status=StockStatus(row[13]),
        status=row[14],
        attributes=attributes_from(row[15]),
        category_ids=strings_from(row[16]),
        image_url=row[17],
        modified_at=opt_from_text(row[18]),
    )


# -- other catalog rows ------------------------------------------------------------------------

CATEGORY_COLUMNS = "id, name, parent_id, slug, position"


def category_row(c: Category) -> tuple[Any, ...]:
    return (c.id, c.name, c.parent_id, c.slug, c.position)


def category_from(row: Sequence[Any]) -> Category:
    return Category(id=row[0], name=row[1], parent_id=row[2], slug=row[3], position=row[4])


CUSTOMER_COLUMNS = "id, first_name, last_name, email, phone, company, modified_at"


def customer_row(c: Customer) -> tuple[Any, ...]:
    return (
        c.id,
        c.first_name,
        c.last_name,
        c.email,
        c.phone,
        c.company,
        opt_to_text(c.modified_at, f"customer {c.id} modified_at"),
    )


def customer_from(row: Sequence[Any]) -> Customer:
    return Customer(
        id=row[0],
        first_name=row[1],
        last_name=row[2],
        email=row[3],
        phone=row[4],
        company=row[5],
        modified_at=opt_from_text(row[6]),
    )


TAX_RATE_COLUMNS = (
    "id, rate, name, tax_class, priority, compound, shipping, country, state, postcodes, cities, "
    "sort_order"
)


def tax_rate_row(r: TaxRate) -> tuple[Any, ...]:
    return (
        r.id,
        str(r.rate),
        r.name,
        r.tax_class,
        r.priority,
        int(r.compound),
        int(r.shipping),
        r.country,
        r.state,
        strings_json(r.postcodes),
        strings_json(r.cities),
        r.order,
    )


def tax_rate_from(row: Sequence[Any]) -> TaxRate:
    return TaxRate(
        id=row[0],
        rate=Decimal(row[1]),
        name=row[2],
        tax_class=row[3],
        priority=row[4],
        compound=bool(row[5]),
        shipping=bool(row[6]),
        country=row[7],
        state=row[8],
        postcodes=strings_from(row[9]),
        cities=strings_from(row[10]),
        order=row[11],
    )


# -- orders ------------------------------------------------------------------------------------


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
        "SELECT order_id, method, amount, tendered, change, reference, card_brand, card_last4 "
        "FROM payments WHERE order_id IN (SELECT value FROM json_each(?)) "
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
        "card_brand, card_last4) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            )
            for pos, p in enumerate(o.payments)
        ],
    )
