"""The local catalog: products and variations, categories, customers, tax rates, shop settings.

The agent writes it in batches (one await and one transaction per batch); the till reads it.
Products and variations share one table (`kind`, `parent_id`), searched through an FTS5 trigram
index that triggers keep in step with every upsert and delete.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.core.models import Category, Customer, Product, ProductKind, ShopSettings, TaxRate
from kiosk.store import rows
from kiosk.store.db import Database

# Column lists are constants from rows.py, never user input.
_SELECT_PRODUCT = f"SELECT {rows.PRODUCT_COLUMNS} FROM products"  # noqa: S608
_P_COLUMNS = ", ".join(f"p.{c.strip()}" for c in rows.PRODUCT_COLUMNS.split(","))
_SELECT_P = f"SELECT {_P_COLUMNS} FROM products p"  # noqa: S608


def _upsert_sql(table: str, columns: str) -> str:
    """INSERT ... ON CONFLICT(id) DO UPDATE for a table keyed by the store's `id`."""
    names = [c.strip() for c in columns.split(",")]
    marks = ", ".join("?" for _ in names)
    sets = ", ".join(f"{n} = excluded.{n}" for n in names if n != "id")
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608
        f"ON CONFLICT (id) DO UPDATE SET {sets}"
    )


_UPSERT_PRODUCTS = _upsert_sql("products", rows.PRODUCT_WRITE_COLUMNS)
_UPSERT_CATEGORIES = _upsert_sql("categories", rows.CATEGORY_COLUMNS)
_UPSERT_CUSTOMERS = _upsert_sql("customers", rows.CUSTOMER_COLUMNS)
_INSERT_TAX_RATES = (
    f"INSERT INTO tax_rates ({rows.TAX_RATE_COLUMNS}) "  # noqa: S608
    f"VALUES ({', '.join('?' for _ in rows.TAX_RATE_COLUMNS.split(','))})"
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


async def upsert_products(db: Database, products: Sequence[Product]) -> int:
    """Insert or update products and variations by id, in one transaction; return the count."""
    data = [rows.product_row(p) for p in products]  # validate before touching the database
    if not data:
        return 0

    parents = rows.strings_json(
        sorted(
            {p.parent_id for p in products if p.parent_id}
            | {p.id for p in products if p.kind is ProductKind.VARIABLE}
        )
    )

    def run(conn: sqlite3.Connection) -> int:
        conn.executemany(_UPSERT_PRODUCTS, data)
        conn.execute(_REFRESH_VARIANTS, (parents,))
        return len(data)

    return await db.write(run)


async def upsert_categories(db: Database, categories: Sequence[Category]) -> int:
    data = [rows.category_row(c) for c in categories]
    if not data:
        return 0

    def run(conn: sqlite3.Connection) -> int:
        conn.executemany(_UPSERT_CATEGORIES, data)
        return len(data)

    return await db.write(run)


async def upsert_customers(db: Database, customers: Sequence[Customer]) -> int:
    data = [rows.customer_row(c) for c in customers]
    if not data:
        return 0

    def run(conn: sqlite3.Connection) -> int:
        conn.executemany(_UPSERT_CUSTOMERS, data)
        return len(data)

    return await db.write(run)


async def replace_tax_rates(db: Database, rates: Sequence[TaxRate]) -> int:
    """Replace the whole tax table with `rates` (the store always sends the full set)."""
    data = [rows.tax_rate_row(r) for r in rates]

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
    )

    def run(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO shop_settings (id, currency, prices_include_tax, "
            "round_at_subtotal, taxes_enabled, country, state, postcode, city, locale, name) "
            "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            data,
        )

    await db.write(run)


# -- reads (the till's side) -------------------------------------------------------------------


async def load_shop_settings(db: Database) -> ShopSettings | None:
    def run(conn: sqlite3.Connection) -> ShopSettings | None:
        r = conn.execute(
            "SELECT currency, prices_include_tax, round_at_subtotal, taxes_enabled, country, "
            "state, postcode, city, locale, name FROM shop_settings WHERE id = 1"
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
        )

    return await db.read(run)


async def get_product(db: Database, product_id: str) -> Product | None:
    def run(conn: sqlite3.Connection) -> Product | None:
        r = conn.execute(_SELECT_PRODUCT + " WHERE id = ?", (product_id,)).fetchone()
        return None if r is None else rows.product_from(r)

    return await db.read(run)


async def find_by_code(db: Database, code: str) -> Product | None:
    """The product a scanned or typed code names: exact barcode first, then exact SKU.

    SKUs compare case-insensitively. When several rows share the code, a sellable one
    (priced, published, not a variable parent) wins, then the oldest row.
    """
    code = code.strip()
    if not code:
        return None

    def run(conn: sqlite3.Connection) -> Product | None:
        r = conn.execute(
            _SELECT_PRODUCT + " WHERE barcode = ? ORDER BY sellable DESC, pk LIMIT 1", (code,)
        ).fetchone()
        if r is None:
            r = conn.execute(
                _SELECT_PRODUCT + " WHERE fold_sku = ? ORDER BY sellable DESC, pk LIMIT 1",
                (rows.fold(code),),
            ).fetchone()
        return None if r is None else rows.product_from(r)

    return await db.read(run)


async def variations_of(db: Database, parent_id: str) -> list[Product]:
    """The variations of a variable product, in the order they arrived from the store."""

    def run(conn: sqlite3.Connection) -> list[Product]:
        cur = conn.execute(_SELECT_PRODUCT + " WHERE parent_id = ? ORDER BY pk", (parent_id,))
        return [rows.product_from(r) for r in cur]

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
        return [rows.product_from(r) for r in cur]

    return await db.read(run)


async def list_categories(db: Database) -> list[Category]:
    def run(conn: sqlite3.Connection) -> list[Category]:
        cur = conn.execute(
            f"SELECT {rows.CATEGORY_COLUMNS} FROM categories "  # noqa: S608
            "ORDER BY position, name COLLATE NOCASE, pk"
        )
        return [rows.category_from(r) for r in cur]

    return await db.read(run)


async def tax_rates(db: Database) -> list[TaxRate]:
    """All tax rates in the store's order."""

    def run(conn: sqlite3.Connection) -> list[TaxRate]:
        cur = conn.execute(
            f"SELECT {rows.TAX_RATE_COLUMNS} FROM tax_rates ORDER BY sort_order, pk"  # noqa: S608
        )
        return [rows.tax_rate_from(r) for r in cur]

    return await db.read(run)


async def search_customers(db: Database, text: str, limit: int = 20) -> list[Customer]:
    """Customers whose name, email, phone or company contains `text` (case-insensitive)."""
    pattern = like_contains(" ".join(text.split()))

    def run(conn: sqlite3.Connection) -> list[Customer]:
        cur = conn.execute(
            f"SELECT {rows.CUSTOMER_COLUMNS} FROM customers "  # noqa: S608
            "WHERE first_name || ' ' || last_name LIKE :p ESCAPE '\\' "
            "OR email LIKE :p ESCAPE '\\' OR phone LIKE :p ESCAPE '\\' "
            "OR company LIKE :p ESCAPE '\\' "
            "ORDER BY last_name COLLATE NOCASE, first_name COLLATE NOCASE, pk LIMIT :limit",
            {"p": pattern, "limit": limit},
        )
        return [rows.customer_from(r) for r in cur]

    return await db.read(run)


async def counts(db: Database) -> CatalogCounts:
    def run(conn: sqlite3.Connection) -> CatalogCounts:
        r = conn.execute(
            "SELECT (SELECT count(*) FROM products WHERE parent_id IS NULL), "
            "(SELECT count(*) FROM products WHERE parent_id IS NOT NULL), "
            "(SELECT count(*) FROM categories), (SELECT count(*) FROM customers)"
        ).fetchone()
        return CatalogCounts(products=r[0], variations=r[1], categories=r[2], customers=r[3])

    return await db.read(run)


# -- search ------------------------------------------------------------------------------------
#
# What a query matches is defined once, as one SQL condition over the rows' folded text (see
# rows.fold); the indexes only decide how fast those rows are found:
#
# - The terms are the query's whitespace-separated words, folded. Each must occur in the row's
#   search_text, SKU or barcode. A product's search_text is its name plus its variations'
#   options; a variation's is empty, so a variation is found by SKU or barcode only, and a
#   search for its name or options finds its parent.
# - A query of only 1-2 character terms (too short for trigrams) is a prefix of the name (not
#   for variations) or of the SKU.
# - Only listed rows (status in SELLABLE_STATUSES) are returned. Exact SKU or barcode hits come
#   first, then the rest by folded name, then rowid.
#
# The plan: exact hits through their indexes. Then, if the FTS (or prefix) index counts few
# candidates, they are checked and sorted. If it counts many, the name index is walked in
# order, checking each row, until a page is full: a broad query ends early there, where sorting
# thousands of hits would not. A walk that runs out of budget falls back to the sort, so every
# page is the same whichever way it was found.

# The trigram tokenizer indexes every 3 characters: shorter terms cannot use the index.
TRIGRAM = 3
# More candidates than this: walk the name index instead of sorting them.
WALK_THRESHOLD = 4000
# At most this many rows walked before falling back to the sort.
WALK_BUDGET = 10_000
# Terms beyond this many are dropped (the longest are kept), to bound the SQL.
MAX_TERMS = 8

# Above every character: [q, q + _TOP) holds exactly the strings that start with q.
_TOP = "\U0010ffff"


def _matches(n_terms: int) -> str:
    """Row `p` is listed and every term :t0.. occurs in its search text, SKU or barcode."""
    each = [
        f"(instr(p.search_text, :t{i}) > 0 OR instr(p.fold_sku, :t{i}) > 0 "
        f"OR instr(lower(p.barcode), :t{i}) > 0)"
        for i in range(n_terms)
    ]
    return " AND ".join(["p.listed", *each])


@dataclass(frozen=True, slots=True)
class _Plan:
    count: str  # how many candidates the index has
    walk: str  # the name-order walk, up to :walk_end
    indexed: str  # the candidates from the index, checked and sorted


_NOT_EXCLUDED = "p.pk NOT IN (SELECT value FROM json_each(:exclude))"
_ORDER = "ORDER BY p.fold_name, p.pk"
_PAGE = "LIMIT :limit OFFSET :offset"
_WALK = f"SELECT {_P_COLUMNS}, p.pk FROM products p WHERE p.fold_name <= :walk_end AND "  # noqa: S608


@functools.cache
def _text_plan(n_terms: int) -> _Plan:
    cond = _matches(n_terms)
    return _Plan(
        # Counting stops past the threshold: the plan only needs to know "more than that".
        count="SELECT count(*) FROM (SELECT 1 FROM products_fts WHERE products_fts MATCH :match "
        "LIMIT :cap)",
        walk=f"{_WALK}{cond} AND {_NOT_EXCLUDED} {_ORDER} {_PAGE}",
        # Sort just the keys, then read the page's rows.
        indexed=(
            f"WITH page AS (SELECT p.pk, p.fold_name FROM products_fts "  # noqa: S608
            f"JOIN products p ON p.pk = products_fts.rowid WHERE products_fts MATCH :match "
            f"AND {cond} AND {_NOT_EXCLUDED} {_ORDER} {_PAGE}) "
            f"SELECT {_P_COLUMNS}, p.pk FROM page JOIN products p ON p.pk = page.pk "
            "ORDER BY page.fold_name, page.pk"
        ),
    )


_PREFIX = """p.listed AND (
    (p.kind != 'variation' AND p.fold_name >= :lo AND p.fold_name < :hi)
    OR (p.fold_sku >= :lo AND p.fold_sku < :hi)
)"""
_PREFIX_PLAN = _Plan(
    count="SELECT (SELECT count(*) FROM (SELECT 1 FROM products "
    "WHERE fold_name >= :lo AND fold_name < :hi LIMIT :cap)) + (SELECT count(*) FROM "
    "(SELECT 1 FROM products WHERE fold_sku >= :lo AND fold_sku < :hi LIMIT :cap))",
    walk=f"{_WALK}{_PREFIX} AND {_NOT_EXCLUDED} {_ORDER} {_PAGE}",
    indexed=(
        f"SELECT {_P_COLUMNS}, p.pk FROM products p "  # noqa: S608
        f"WHERE {_PREFIX} AND {_NOT_EXCLUDED} {_ORDER} {_PAGE}"
    ),
)

_EXACT = (
    f"SELECT {_P_COLUMNS}, p.pk FROM products p "  # noqa: S608
    f"WHERE p.listed AND (p.fold_sku = :folded OR p.barcode = :q) {_ORDER}"
)
_WALK_END = "SELECT fold_name FROM products ORDER BY fold_name LIMIT 1 OFFSET :budget"
_BROWSE = f"{_SELECT_P} WHERE p.listed AND p.kind != 'variation' {_ORDER} {_PAGE}"

# The benchmark's baseline: the plain LIKE scan that the indexes replace.
_SEARCH_LIKE = (
    _SELECT_P
    + """ WHERE p.listed AND (
    (p.kind != 'variation' AND p.name LIKE :pattern ESCAPE '\\')
    OR p.sku LIKE :pattern ESCAPE '\\' OR p.barcode LIKE :pattern ESCAPE '\\'
) ORDER BY (p.sku = :q COLLATE NOCASE OR p.barcode = :q) DESC, p.fold_name, p.pk
LIMIT :limit OFFSET :offset"""
)


def like_escape(text: str) -> str:
    """Escape LIKE's wildcards (with ESCAPE '\\')."""
    return re.sub(r"([\\%_])", r"\\\1", text)


def like_contains(text: str) -> str:
    return f"%{like_escape(text)}%"


def fts_phrase(term: str) -> str:
    """An FTS5 string literal matching `term` as plain text, whatever characters it holds."""
    return '"' + term.replace('"', '""') + '"'


def _search(conn: sqlite3.Connection, text: str, limit: int, offset: int) -> list[Product]:
    q = " ".join(text.split())
    if not q:
        cur = conn.execute(_BROWSE, {"limit": limit, "offset": offset})
        return [rows.product_from(r) for r in cur]
    folded = rows.fold(q)
    exact = conn.execute(_EXACT, {"folded": folded, "q": q}).fetchall()
    page = [rows.product_from(r) for r in exact[offset : offset + limit]]
    need = limit - len(page)
    if need == 0:
        return page
    params: dict[str, object] = {
        "exclude": json.dumps([r[-1] for r in exact]),  # pks: the last column
        "offset": max(0, offset - len(exact)),  # into the rest, after the exact hits
        "limit": need,
        "cap": WALK_THRESHOLD + 1,
    }
    terms = sorted(set(folded.split(" ")), key=len, reverse=True)[:MAX_TERMS]
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    if long_terms:
        plan = _text_plan(len(terms))
        params.update({f"t{i}": t for i, t in enumerate(terms)})
        params["match"] = " AND ".join(fts_phrase(t) for t in long_terms)
    else:
        plan = _PREFIX_PLAN
        params.update(lo=folded, hi=folded + _TOP)

    if conn.execute(plan.count, params).fetchone()[0] > WALK_THRESHOLD:
        # The walk covers names up to the one WALK_BUDGET rows in (or all of them).
        end = conn.execute(_WALK_END, {"budget": WALK_BUDGET}).fetchone()
        params["walk_end"] = _TOP if end is None else end[0]
        walked = conn.execute(plan.walk, params).fetchall()
        if len(walked) == need or end is None:
            return page + [rows.product_from(r) for r in walked]
    return page + [rows.product_from(r) for r in conn.execute(plan.indexed, params)]


def _check_page(limit: int, offset: int) -> None:
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    if offset < 0:
        raise ValueError(f"offset must not be negative, got {offset}")


async def search(db: Database, text: str, *, limit: int = 50, offset: int = 0) -> list[Product]:
    """One page of listed products whose name, SKU or barcode contains `text`.

    Case-insensitive; every whitespace-separated term must occur. Exact SKU or barcode hits
    come first, then name order. Simple and variable products are returned; a variation is
    returned itself when it matches by SKU or barcode, and otherwise surfaces its parent. A
    query of only 1-2 character terms matches a prefix of the name or SKU (or an exact code).
    An empty text lists all products by name.
    """
    _check_page(limit, offset)
    return await db.read(lambda conn: _search(conn, text, limit, offset))


async def search_like(db: Database, text: str, limit: int = 50, offset: int = 0) -> list[Product]:
    """The naive `LIKE '%text%'` scan that `search` replaces: the benchmark's baseline."""
    _check_page(limit, offset)
    q = " ".join(text.split())
    params = {"pattern": like_contains(q), "q": q, "limit": limit, "offset": offset}

    def run(conn: sqlite3.Connection) -> list[Product]:
        return [rows.product_from(r) for r in conn.execute(_SEARCH_LIKE, params)]

    return await db.read(run)
