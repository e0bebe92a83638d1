"""Text search over the catalog's products: the FTS5 trigram plan and the LIKE baseline."""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from dataclasses import dataclass

from kiosk.core.models import Product
from kiosk.store import rows_catalog
from kiosk.store.db import Database

# Column lists are constants from rows_catalog.py, never user input.
_P_COLUMNS = rows_catalog.P_PRODUCT_COLUMNS
_SELECT_P = f"SELECT {_P_COLUMNS} FROM products p"  # noqa: S608

# What a query matches is defined once, as one SQL condition over the rows' folded text (see
# rows_catalog.fold); the indexes only decide how fast those rows are found:
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
# The plan: exact hits through their indexes. A short query then takes the first rows of the
# name index and of the SKU index (see _prefix_page). Otherwise, if the FTS index counts few
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


# A short query: names and SKUs that start with it. Each is its own ordered, LIMITed scan (the
# union's page is within the first offset+limit of each); one OR over both would sort every hit.
_PREFIX_NAME = (
    "SELECT p.pk, p.fold_name FROM products p WHERE p.kind != 'variation' "  # noqa: S608
    f"AND p.fold_name >= :lo AND p.fold_name < :hi AND p.listed AND {_NOT_EXCLUDED} "
    f"{_ORDER} LIMIT :upto"
)
# SKUs: through the SKU index when few start so (then sorted), else by walking names in order
# (the unary + keeps SQLite off the SKU index), where a common prefix fills a page at once.
_PREFIX_SKU_COUNT = (
    "SELECT count(*) FROM (SELECT 1 FROM products WHERE fold_sku >= :lo AND fold_sku < :hi "
    "LIMIT :cap)"
)
_PREFIX_SKU = (
    "SELECT p.pk, p.fold_name FROM products p WHERE p.fold_sku >= :lo AND p.fold_sku < :hi "  # noqa: S608
    f"AND p.listed AND {_NOT_EXCLUDED} {_ORDER} LIMIT :upto"
)
_PREFIX_SKU_WALK = _PREFIX_SKU.replace("p.fold_sku", "+p.fold_sku")


def _prefix_page(
    conn: sqlite3.Connection, params: dict[str, object], upto: int
) -> list[sqlite3.Row]:
    many = conn.execute(_PREFIX_SKU_COUNT, params).fetchone()[0] > WALK_THRESHOLD
    sku = _PREFIX_SKU_WALK if many else _PREFIX_SKU
    sql = (
        f"WITH hits AS (SELECT * FROM ({_PREFIX_NAME}) UNION SELECT * FROM ({sku})) "  # noqa: S608
        f"SELECT {_P_COLUMNS}, p.pk FROM hits JOIN products p ON p.pk = hits.pk "
        "ORDER BY hits.fold_name, hits.pk LIMIT :limit OFFSET :offset"
    )
    return conn.execute(sql, {**params, "upto": upto}).fetchall()


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
        return [rows_catalog.product_from(r) for r in cur]
    folded = rows_catalog.fold(q)
    exact = conn.execute(_EXACT, {"folded": folded, "q": q}).fetchall()
    page = [rows_catalog.product_from(r) for r in exact[offset : offset + limit]]
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
    if not long_terms:
        params.update(lo=folded, hi=folded + _TOP)
        upto = need + max(0, offset - len(exact))
        return page + [rows_catalog.product_from(r) for r in _prefix_page(conn, params, upto)]
    plan = _text_plan(len(terms))
    params.update({f"t{i}": t for i, t in enumerate(terms)})
    params["match"] = " AND ".join(fts_phrase(t) for t in long_terms)

    if conn.execute(plan.count, params).fetchone()[0] > WALK_THRESHOLD:
        # The walk covers names up to the one WALK_BUDGET rows in (or all of them).
        end = conn.execute(_WALK_END, {"budget": WALK_BUDGET}).fetchone()
        params["walk_end"] = _TOP if end is None else end[0]
        walked = conn.execute(plan.walk, params).fetchall()
        if len(walked) == need or end is None:
            return page + [rows_catalog.product_from(r) for r in walked]
    return page + [rows_catalog.product_from(r) for r in conn.execute(plan.indexed, params)]


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
        return [rows_catalog.product_from(r) for r in conn.execute(_SEARCH_LIKE, params)]

    return await db.read(run)
