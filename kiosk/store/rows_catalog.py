"""Conversion between catalog objects and table rows: products, categories, customers, tax rates.

Rows are plain tuples in the column order of the constants below, so the SQL that reads them and
the code that builds objects from them are written once, here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from kiosk.core.models import (
    Category,
    Customer,
    Product,
    ProductKind,
    StockStatus,
    TaxRate,
    TaxStatus,
)
from kiosk.core.money import Money
from kiosk.store.rows import (
    attributes_from,
    attributes_json,
    opt_from_text,
    opt_to_text,
    strings_from,
    strings_json,
    to_text,
)

# -- products ----------------------------------------------------------------------------------

PRODUCT_COLUMNS = (
    "id, kind, parent_id, name, sku, barcode, currency, price, regular_price, tax_status, "
    "tax_class, manage_stock, stock_quantity, stock_status, status, attributes, category_ids, "
    "image_url, modified_at"
)


# What upserts write: the columns above plus the folded search columns.
PRODUCT_WRITE_COLUMNS = PRODUCT_COLUMNS + ", fold_name, fold_sku, fold_options"

# PRODUCT_COLUMNS qualified by the alias `p`, for queries that join products to other tables.
P_PRODUCT_COLUMNS = ", ".join(f"p.{c.strip()}" for c in PRODUCT_COLUMNS.split(","))


def fold(text: str) -> str:
    """Case-fold for search the way FTS5's trigram tokenizer does (lowercase, per character)."""
    return text.lower()


def product_row(p: Product) -> tuple[Any, ...]:
    """A Product as a row in PRODUCT_WRITE_COLUMNS order."""
    price, regular = p.price, p.regular_price
    currency = price.currency if price is not None else ""
    if regular is not None:
        if currency and regular.currency != currency:
            raise ValueError(
                f"product {p.id}: price and regular_price are in different currencies "
                f"({', '.join(sorted({currency, regular.currency}))})"
            )
        currency = regular.currency
    variation = p.kind is ProductKind.VARIATION
    if variation and not p.parent_id:
        raise ValueError(f"product {p.id}: a variation needs a parent_id")
    return (
        p.id,
        p.kind.value,
        p.parent_id,
        p.name,
        p.sku,
        p.barcode,
        currency,
        None if price is None else price.minor,
        None if regular is None else regular.minor,
        p.tax_status.value,
        p.tax_class,
        int(p.manage_stock),
        p.stock_quantity,
        p.stock_status.value,
        p.status,
        attributes_json(p.attributes) if p.attributes else "[]",
        strings_json(p.category_ids) if p.category_ids else "[]",
        p.image_url,
        None if p.modified_at is None else to_text(p.modified_at, f"product {p.id} modified_at"),
        fold(p.name),
        fold(p.sku),
        strings_json([fold(o) for a in p.attributes for o in a.options]) if variation else "[]",
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


# -- categories, customers, tax rates ----------------------------------------------------------

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
