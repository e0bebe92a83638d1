"""The benchmark figures: sale commit latency, catalog search at scale, initial sync, the app,
the drain of queued sales, a card sale, the failover's decision, a price change reaching the
device (change feed against polling)."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

from kiosk.catalog_export import parse_export
from kiosk.checkout import Checkout
from kiosk.core.models import PaymentMethod
from kiosk.core.tender import Tender
from kiosk.sim.catalog import generate_export
from kiosk.store import catalog, search
from kiosk.store.db import Database
from tests.bench import (
    card_figures,
    drain_figures,
    failover_figures,
    feed_figures,
    sync_figures,
    ui_figures,
)
from tests.bench.shopify_figures import shopify_sync
from tests.bench.stats import figure, pct

# Search terms a cashier types: words from names, partial SKUs and barcodes, and misses.
SEARCH_QUERIES = 200


def fsync_floor(path: Path, n: int) -> list[float]:
    """Baseline: one tiny row per transaction with synchronous=FULL, the disk's own cost."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (v) VALUES (?)", (str(i),))
        conn.execute("COMMIT")
        times.append((time.perf_counter() - t0) * 1000)
    conn.close()
    return times


async def sale_commit(tmp: Path, sales: int) -> list[dict[str, Any]]:
    export = parse_export(generate_export(200, seed=1))
    db = await Database.open(tmp / "sales.db")
    try:
        await catalog.save_shop_settings(db, export.settings)
        await catalog.replace_tax_rates(db, export.tax_rates)
        await catalog.upsert_products(db, export.products)
        codes = [p.barcode or p.sku for p in export.products if p.sellable]
        checkout = Checkout(db, order_prefix="B-")
        rng = random.Random(7)
        times = []
        for _ in range(sales):
            cart = await checkout.start()
            for code in rng.sample(codes, 3):
                await checkout.add_code(cart, code, rng.randint(1, 2))
            due = cart.totals().total
            t0 = time.perf_counter()
            await checkout.complete(cart, [Tender(PaymentMethod.CASH, due)])
            times.append((time.perf_counter() - t0) * 1000)
    finally:
        await db.close()
    base = fsync_floor(tmp / "floor.db", sales)
    b50, b99 = pct(base, 50), pct(base, 99)
    return [
        figure(
            "sale_commit_p50",
            pct(times, 50),
            "ms",
            baseline="fsync_floor_p50",
            baseline_value=round(b50, 4),
            ratio=pct(times, 50) / b50,
        ),
        figure(
            "sale_commit_p99",
            pct(times, 99),
            "ms",
            baseline="fsync_floor_p99",
            baseline_value=round(b99, 4),
            ratio=pct(times, 99) / b99,
        ),
    ]


def _queries(export_products: list[Any], rng: random.Random) -> list[str]:
    words = sorted({w for p in export_products[:5000] for w in p.name.split() if len(w) >= 4})
    qs: list[str] = []
    while len(qs) < SEARCH_QUERIES:
        kind = rng.random()
        if kind < 0.5:
            w = rng.choice(words)
            start = rng.randint(0, max(0, len(w) - 4))
            qs.append(w[start : start + rng.randint(3, 6)].lower())
        elif kind < 0.7:
            p = rng.choice(export_products)
            qs.append(p.sku[: rng.randint(4, max(4, len(p.sku)))] if p.sku else "abc")
        elif kind < 0.9:
            p = rng.choice(export_products)
            qs.append(p.barcode[-6:] if p.barcode else "123")
        else:
            qs.append(rng.choice(["zzqx", "nothing here", "9999999"]))
    return qs


async def build_catalog(path: Path, products: int) -> tuple[list[Any], float]:
    """A device database holding a generated catalog of `products`; returns the products and
    the seconds the load took. The search and UI figures share it."""
    export = parse_export(generate_export(products, seed=2))
    db = await Database.open(path)
    try:
        await catalog.save_shop_settings(db, export.settings)
        await catalog.replace_tax_rates(db, export.tax_rates)
        t0 = time.perf_counter()
        batch = 1000
        items = list(export.products)
        for i in range(0, len(items), batch):
            await catalog.upsert_products(db, items[i : i + batch])
        return items, time.perf_counter() - t0
    finally:
        await db.close()


async def search_at_scale(path: Path, products: int) -> list[dict[str, Any]]:
    items, load_s = await build_catalog(path, products)
    db = await Database.open(path)
    try:
        queries = _queries(items, random.Random(3))
        fts, like = [], []
        for q in queries:
            t0 = time.perf_counter()
            await search.search(db, q, limit=50)
            fts.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            await search.search_like(db, q, limit=50)
            like.append((time.perf_counter() - t0) * 1000)
    finally:
        await db.close()
    f95, l95 = pct(fts, 95), pct(like, 95)
    return [
        figure(
            f"search_p95_{products}",
            f95,
            "ms",
            baseline="like_scan_p95",
            baseline_value=round(l95, 4),
            ratio=f95 / l95,
            target="< 0.5 of the LIKE scan",
            met=f95 < 0.5 * l95,
        ),
        figure(f"catalog_load_{products}", load_s, "s", rows=len(items)),
    ]


GROUPS = ("sale", "search", "sync", "ui", "drain", "card", "failover", "feed", "shopify")


async def run_all(
    tmp: Path,
    *,
    products: int,
    sales: int,
    sync_products: int = 10_000,
    drain_orders: int = drain_figures.ORDERS,
    only: str | None = None,
) -> list[dict[str, Any]]:
    """Every group of figures, or the one named by `only` (one of GROUPS)."""
    if only is not None and only not in GROUPS:
        raise ValueError(f"unknown benchmark group {only!r} (known: {', '.join(GROUPS)})")
    results: list[dict[str, Any]] = []
    if only in (None, "sale"):
        results += await sale_commit(tmp, sales)
    catalog_db = tmp / "catalog.db"
    if only in (None, "search"):
        results += await search_at_scale(catalog_db, products)
    elif only == "ui":
        await build_catalog(catalog_db, products)
    if only in (None, "ui"):
        results += await ui_figures.ui_figures(tmp, catalog_db, products)
    if only in (None, "sync"):
        # Blocking on child processes; a thread keeps this event loop free while it waits.
        results += await asyncio.to_thread(sync_figures.initial_sync, tmp, products=sync_products)
    if only in (None, "drain"):
        results += await asyncio.to_thread(drain_figures.drain, tmp, orders=drain_orders)
    if only in (None, "card"):
        results += await card_figures.card_sale(tmp)
    if only in (None, "failover"):
        results += await failover_figures.failover_decision(tmp)
    if only in (None, "feed"):
        results += await feed_figures.price_to_device(tmp)
    if only in (None, "shopify"):
        # Bulk vs paged vs naive against `kiosk sim shopify` (a child process): blocking.
        results += await asyncio.to_thread(shopify_sync, tmp)
    return results
