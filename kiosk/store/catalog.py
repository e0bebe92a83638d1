"""The local catalog: products and variations, categories, customers, tax rates, shop settings.

The agent writes it in batches (one await and one transaction per batch); the till reads it.
Products and variations share one table (`kind`, `parent_id`); an FTS5 trigram index, which
triggers keep in step with every upsert and delete, serves the text search in search.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kiosk.core import barcodes
from kiosk.core.models import Category, Customer, Product, ProductKind, ShopSettings, TaxRate
from kiosk.store import bulk, rows, rows_catalog
from kiosk.store.db import Database
from kiosk.store.search import like_contains

# Column lists are constants from rows_catalog.py, never user input.
_SELECT_PRODUCT = f"SELECT {rows_catalog.PRODUCT_COLUMNS} FROM products"  # noqa: S608
_SELECT_P = f"SELECT {rows_catalog.P_PRODUCT_COLUMNS} FROM products p"  # noqa: S608


def _upsert_parts(table: str, columns: str) -> tuple[str, str, str]:
    """INSERT ... ON CONFLICT(id) DO UPDATE for a table keyed by the store's `id`, in three
    parts (before VALUES, one row's placeholders, after them) as bulk.insert_many takes them."""
    names = [c.strip() for c in columns.split(",")]
    marks = ", ".join("?" for _ in names)
    sets = ", ".join(f"{n} = excluded.{n}" for n in names if n != "id")
    return (
        f"INSERT INTO {table} ({columns})",
        f"({marks})",
        f"ON CONFLICT (id) DO UPDATE SET {sets}",
    )


def _upsert_sql(table: str, columns: str) -> str:
    head, row, tail = _upsert_parts(table, columns)
    return f"{head} VALUES {row} {tail}"


_UPSERT_PRODUCT_PARTS = _upsert_parts("products", rows_catalog.PRODUCT_WRITE_COLUMNS)
_UPSERT_CATEGORIES = _upsert_sql("categories", rows_catalog.CATEGORY_COLUMNS)
_UPSERT_CUSTOMERS = _upsert_sql("customers", rows_catalog.CUSTOMER_COLUMNS)
_INSERT_TAX_RATES = (
    f"INSERT INTO tax_rates ({rows_catalog.TAX_RATE_COLUMNS}) "  # noqa: S608
    f"VALUES ({', '.join('?' for _ in rows_catalog.TAX_RATE_COLUMNS.split(','))})"
)


# A parent's fold_variants: the distinct options of its variations, in a stable order so that
# an unchanged re-sync leaves the FTS index alone.
_REFRESH_VARIANTS = """
UPDATE products SET fold_variants = coalesce((
    SELECT group_concat(opt, ' ') FROM (
        SELECT DISTINCT o.value AS opt FROM products v, json_each(v.fold_options) o
        WHERE v.parent_id = products.id ORDER BY opt
    )
), '')
WHERE id IN (SELECT value FROM json_each(?)) AND kind != 'variation'
"""


@dataclass(frozen=True, slots=True)
class CatalogCounts:
    products: int  # rows without a parent: simple and variable products
    variations: int
    categories: int
    customers: int


# -- writes (the agent's side) -----------------------------------------------------------------


def write_products(
    products: Sequence[Product], *, complete_variations: bool = False
) -> Callable[[sqlite3.Connection], int]:
    """A transaction step that upserts `products`; rows are built (and checked) right away.

    With `complete_variations`, a VARIABLE product's variations in the same sequence are its
    complete set (as a connector Batch promises): local variations of it that are not among
    them are deleted, because the store deleted them.
    """
    data = [rows_catalog.product_row(p) for p in products]  # validate before touching the database
    variable = [p.id for p in products if p.kind is ProductKind.VARIABLE]
    complete = variable if complete_variations else []
    parents = rows.strings_json(
        sorted({p.parent_id for p in products if p.parent_id} | set(variable))
    )
    keep = rows.strings_json([p.id for p in products if p.parent_id in set(variable)])

    def run(conn: sqlite3.Connection) -> int:
        if not data:
            return 0
        # Many rows per statement: see bulk.py for why (the FTS index, above all).
        bulk.insert_many(conn, *_UPSERT_PRODUCT_PARTS, data)
        if complete:
            conn.execute(
                "DELETE FROM products WHERE parent_id IN (SELECT value FROM json_each(?)) "
                "AND id NOT IN (SELECT value FROM json_each(?))",
                (rows.strings_json(complete), keep),
            )
        conn.execute(_REFRESH_VARIANTS, (parents,))
        return len(data)

    return run


async def upsert_products(db: Database, products: Sequence[Product]) -> int:
    """Insert or update products and variations by id, in one transaction; return the count."""
    step = write_products(products)
    return await db.write(step) if products else 0


async def upsert_categories(db: Database, categories: Sequence[Category]) -> int:
    data = [rows_catalog.category_row(c) for c in categories]
    if not data:
        return 0

    def run(conn: sqlite3.Connection) -> int:
        conn.executemany(_UPSERT_CATEGORIES, data)
        return len(data)

    return await db.write(run)


async def upsert_customers(db: Database, customers: Sequence[Customer]) -> int:
    data = [rows_catalog.customer_row(c) for c in customers]
    if not data:
        return 0

    def run(conn: sqlite3.Connection) -> int:
        conn.executemany(_UPSERT_CUSTOMERS, data)
        return len(data)

    return await db.write(run)


async def replace_tax_rates(db: Database, rates: Sequence[TaxRate]) -> int:
    """Replace the whole tax table with `rates` (the store always sends the full set)."""
    data = [rows_catalog.tax_rate_row(r) for r in rates]

    def run(conn: sqlite3.Connection) -> int:
        conn.execute("DELETE FROM tax_rates")
        conn.executemany(_INSERT_TAX_RATES, data)
        return len(data)

    return await db.write(run)


async def delete_products(db: Database, ids: Sequence[str]) -> int:
    """Delete products by id, and the variations of any of them; return the rows deleted."""
    keys = [(i,) for i in ids]
    if not keys:
        return 0

    def run(conn: sqlite3.Connection) -> int:
        # Parents that lose a variation here need their search text refreshed.
        parents = conn.execute(
            "SELECT json_group_array(DISTINCT parent_id) FROM products "
            "WHERE id IN (SELECT value FROM json_each(?)) AND parent_id IS NOT NULL",
            (rows.strings_json(ids),),
        ).fetchone()[0]
        # rowcount sums sqlite3_changes() over the batch, which leaves out rows that triggers
        # touched (FTS, category links): it is exactly the products deleted.
        n = conn.executemany("DELETE FROM products WHERE parent_id = ?", keys).rowcount
        n += conn.executemany("DELETE FROM products WHERE id = ?", keys).rowcount
        conn.execute(_REFRESH_VARIANTS, (parents,))
        return n

    return await db.write(run)


async def save_shop_settings(db: Database, s: ShopSettings) -> None:
    data = (
        s.currency,
        int(s.prices_include_tax),
        int(s.round_at_subtotal),
        int(s.taxes_enabled),
        s.country,
        s.state,
        s.postcode,
        s.city,
        s.locale,
        s.name,
        s.tax_policy,
    )

    def run(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO shop_settings (id, currency, prices_include_tax, "
            "round_at_subtotal, taxes_enabled, country, state, postcode, city, locale, name, "
            "tax_policy) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            data,
        )

    await db.write(run)


# -- reads (the till's side) -------------------------------------------------------------------


async def load_shop_settings(db: Database) -> ShopSettings | None:
    def run(conn: sqlite3.Connection) -> ShopSettings | None:
        r = conn.execute(
            "SELECT currency, prices_include_tax, round_at_subtotal, taxes_enabled, country, "
            "state, postcode, city, locale, name, tax_policy FROM shop_settings WHERE id = 1"
        ).fetchone()
        if r is None:
            return None
        return ShopSettings(
            currency=r[0],
            prices_include_tax=bool(r[1]),
            round_at_subtotal=bool(r[2]),
            taxes_enabled=bool(r[3]),
            country=r[4],
            state=r[5],
            postcode=r[6],
            city=r[7],
            locale=r[8],
            name=r[9],
            tax_policy=r[10],
        )

    return await db.read(run)


async def get_product(db: Database, product_id: str) -> Product | None:
    def run(conn: sqlite3.Connection) -> Product | None:
        r = conn.execute(_SELECT_PRODUCT + " WHERE id = ?", (product_id,)).fetchone()
        return None if r is None else rows_catalog.product_from(r)

    return await db.read(run)


_IN_JSON = " IN (SELECT value FROM json_each(?)) ORDER BY sellable DESC, pk LIMIT 1"
_BY_BARCODES = _SELECT_PRODUCT + " WHERE barcode" + _IN_JSON
_BY_SKUS = _SELECT_PRODUCT + " WHERE fold_sku" + _IN_JSON


async def find_by_code(db: Database, code: str, *, also: Sequence[str] = ()) -> Product | None:
    """The product a scanned or typed code names: its barcode in any equivalent form (EAN-13,
    UPC-A, UPC-E, GTIN-14: see barcodes.equivalents) first, then its exact SKU.

    `also` are more codes naming the same item (a variable-measure code's item code), tried
    the same way. SKUs compare case-insensitively. When several rows share the code, a sellable
    one (priced, published, not a variable parent) wins, then the oldest row. A code whose
    check digit is wrong is only ever matched exactly: a misread is never corrected.
    """
    codes = [c.strip() for c in (code, *also) if c.strip()]
    if not codes:
        return None
    forms = rows.strings_json(
        list(dict.fromkeys(f for c in codes for f in barcodes.equivalents(c)))
    )
    skus = rows.strings_json(list(dict.fromkeys(rows_catalog.fold(c) for c in codes)))

    def run(conn: sqlite3.Connection) -> Product | None:
        # One indexed query per column: IN over a json_each list searches the products_barcode
        # (then products_sku) index once per form.
        r = conn.execute(_BY_BARCODES, (forms,)).fetchone()
        if r is None:
            r = conn.execute(_BY_SKUS, (skus,)).fetchone()
        return None if r is None else rows_catalog.product_from(r)

    return await db.read(run)


async def variations_of(db: Database, parent_id: str) -> list[Product]:
    """The variations of a variable product, in the order they arrived from the store."""

    def run(conn: sqlite3.Connection) -> list[Product]:
        cur = conn.execute(_SELECT_PRODUCT + " WHERE parent_id = ? ORDER BY pk", (parent_id,))
        return [rows_catalog.product_from(r) for r in cur]

    return await db.read(run)


async def in_category(
    db: Database, category_id: str, *, limit: int = 50, offset: int = 0
) -> list[Product]:
    """Listed products (not variations) in a category, by name, one page at a time."""

    def run(conn: sqlite3.Connection) -> list[Product]:
        cur = conn.execute(
            _SELECT_P + " JOIN product_categories pc ON pc.product_pk = p.pk "
            "WHERE pc.category_id = ? AND p.listed AND p.kind != 'variation' "
            "ORDER BY p.fold_name, p.pk LIMIT ? OFFSET ?",
            (category_id, limit, offset),
        )
        return [rows_catalog.product_from(r) for r in cur]

    return await db.read(run)


async def listed(db: Database, *, limit: int = 50, offset: int = 0) -> list[Product]:
    """Every listed product (not variations), by name, one page at a time."""

    def run(conn: sqlite3.Connection) -> list[Product]:
        cur = conn.execute(
            _SELECT_P + " WHERE p.listed AND p.kind != 'variation' "
            "ORDER BY p.fold_name, p.pk LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [rows_catalog.product_from(r) for r in cur]

    return await db.read(run)


async def list_categories(db: Database) -> list[Category]:
    def run(conn: sqlite3.Connection) -> list[Category]:
        cur = conn.execute(
            f"SELECT {rows_catalog.CATEGORY_COLUMNS} FROM categories "  # noqa: S608
            "ORDER BY position, name COLLATE NOCASE, pk"
        )
        return [rows_catalog.category_from(r) for r in cur]

    return await db.read(run)


async def tax_rates(db: Database) -> list[TaxRate]:
    """All tax rates in the store's order."""

    def run(conn: sqlite3.Connection) -> list[TaxRate]:
        cur = conn.execute(
            f"SELECT {rows_catalog.TAX_RATE_COLUMNS} FROM tax_rates ORDER BY sort_order, pk"  # noqa: S608
        )
        return [rows_catalog.tax_rate_from(r) for r in cur]

    return await db.read(run)


async def search_customers(db: Database, text: str, limit: int = 20) -> list[Customer]:
    """Customers whose name, email, phone or company contains `text` (case-insensitive)."""
    pattern = like_contains(" ".join(text.split()))

    def run(conn: sqlite3.Connection) -> list[Customer]:
        cur = conn.execute(
            f"SELECT {rows_catalog.CUSTOMER_COLUMNS} FROM customers "  # noqa: S608
            "WHERE first_name || ' ' || last_name LIKE :p ESCAPE '\\' "
            "OR email LIKE :p ESCAPE '\\' OR phone LIKE :p ESCAPE '\\' "
            "OR company LIKE :p ESCAPE '\\' "
            "ORDER BY last_name COLLATE NOCASE, first_name COLLATE NOCASE, pk LIMIT :limit",
            {"p": pattern, "limit": limit},
        )
        return [rows_catalog.customer_from(r) for r in cur]

    return await db.read(run)


async def get_customer(db: Database, customer_id: str) -> Customer | None:
    def run(conn: sqlite3.Connection) -> Customer | None:
        row = conn.execute(
            f"SELECT {rows_catalog.CUSTOMER_COLUMNS} FROM customers WHERE id = ?",  # noqa: S608
            (customer_id,),
        ).fetchone()
        return None if row is None else rows_catalog.customer_from(row)

    return await db.read(run)


async def product_ids(db: Database) -> set[str]:
    """Ids of every product the device holds (not variations): the audit's side of the diff."""
    return await db.read(
        lambda conn: {r[0] for r in conn.execute("SELECT id FROM products WHERE parent_id IS NULL")}
    )


async def counts(db: Database) -> CatalogCounts:
    def run(conn: sqlite3.Connection) -> CatalogCounts:
        r = conn.execute(
            "SELECT (SELECT count(*) FROM products WHERE parent_id IS NULL), "
            "(SELECT count(*) FROM products WHERE parent_id IS NOT NULL), "
            "(SELECT count(*) FROM categories), (SELECT count(*) FROM customers)"
        ).fetchone()
        return CatalogCounts(products=r[0], variations=r[1], categories=r[2], customers=r[3])

    return await db.read(run)
