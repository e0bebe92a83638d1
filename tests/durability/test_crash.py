"""Proof that a completed sale survives SIGKILL at any moment, exactly once and whole."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
from pathlib import Path

import pytest

from kiosk.catalog_export import load_export
from kiosk.cli.demo_cmd import demo_catalog_path
from kiosk.store import catalog, orders
from kiosk.store.db import Database
from tests.durability.crash_child import run_child

KILLS = 200


async def _prepare(db_path: Path) -> tuple[list[str], list[str]]:
    export = load_export(demo_catalog_path())
    db = await Database.open(db_path)
    try:
        await catalog.save_shop_settings(db, export.settings)
        await catalog.replace_tax_rates(db, export.tax_rates)
        await catalog.upsert_products(db, export.products)
    finally:
        await db.close()
    codes = [p.barcode or p.sku for p in export.products if p.sellable and (p.barcode or p.sku)]
    return codes, [p.id for p in export.products]


async def _stock(db: Database, ids: list[str]) -> dict[str, int]:
    """Stock of every product that manages its own, by id."""
    levels: dict[str, int] = {}
    for pid in ids:
        p = await catalog.get_product(db, pid)
        if p is not None and p.manage_stock and p.stock_quantity is not None:
            levels[pid] = p.stock_quantity
    return levels


def _orphans(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows a half-written sale would leave behind, read straight from the tables."""
    q = "SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM {} WHERE order_id = o.id)"
    return {
        f"without_{name}": conn.execute(q.format(table)).fetchone()[0]
        for name, table in (
            ("outbox", "outbox"),
            ("lines", "order_lines"),
            ("payments", "payments"),
        )
    }


async def _stock_owner(db: Database, product_id: str, variation_id: str | None) -> str | None:
    """Which row a sold line takes stock from: the variation, else a stock-managing parent."""
    for pid in (variation_id, product_id):
        if pid is None:
            continue
        p = await catalog.get_product(db, pid)
        if p is not None and p.manage_stock:
            return pid
    return None


@pytest.mark.slow
async def test_sales_survive_sigkill_at_random_moments(tmp_path: Path) -> None:
    db_path = tmp_path / "kiosk.db"
    codes, ids = await _prepare(db_path)
    db = await Database.open(db_path)
    try:
        stock_before = await _stock(db, ids)
    finally:
        await db.close()
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.durability.crash_child"])
    rng = random.Random(20261123)

    reported: list[str] = []  # sales the child said were complete
    begun: set[str] = set()
    kills = 0
    runs = 0
    while kills < KILLS:
        runs += 1
        self_kill = runs % 2 == 0
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=run_child, args=(str(db_path), codes, runs, self_kill, send))
        proc.start()
        send.close()
        # From outside: kill right after the child starts its k-th commit, so the signal lands
        # inside or just around a transaction.
        kill_at_begin = rng.randint(1, 6)
        seen_begins = 0
        while True:
            try:
                kind, ident = recv.recv()
            except EOFError:
                break  # the child died (self-kill) or finished
            if kind == "begin":
                begun.add(ident)
                seen_begins += 1
                if not self_kill and seen_begins == kill_at_begin:
                    os.kill(proc.pid, signal.SIGKILL)  # type: ignore[arg-type]
            elif kind == "done":
                reported.append(ident)
        proc.join()
        recv.close()
        if proc.exitcode == -signal.SIGKILL:
            kills += 1
        assert runs < KILLS * 3, "children keep finishing before they can be killed"

    assert len(reported) == len(set(reported)), "a sale was reported twice"
    db = await Database.open(db_path)
    try:
        everything = await orders.list_orders(db, limit=1_000_000)
        integrity = await db.read(lambda c: c.execute("PRAGMA integrity_check").fetchall())
        orphans = await db.read(_orphans)
        stock_after = await _stock(db, ids)
        sold: dict[str, int] = {}
        for s in everything:
            for li in s.order.lines:
                owner = await _stock_owner(db, li.product_id, li.variation_id)
                if owner is not None:
                    sold[owner] = sold.get(owner, 0) + li.quantity
    finally:
        await db.close()
    by_id = {s.order.id: s for s in everything}
    assert len(by_id) == len(everything), "an order is stored twice"
    # Every sale reported complete is there, whole, with its outbox row.
    missing = [u for u in reported if u not in by_id]
    assert not missing, f"{len(missing)} completed sales were lost"
    # Nothing exists that no child began, and nothing stored is partial.
    assert set(by_id) <= begun
    for s in everything:
        o = s.order
        assert o.lines, f"order {o.id} has no lines"
        assert o.payments, f"order {o.id} has no payment"
        assert sum(p.amount.minor for p in o.payments) == o.total.minor
        assert sum(li.total.minor for li in o.lines) + o.tax_total.minor == o.total.minor
        assert s.state == "pending_sync"
    numbers = [s.order.number for s in everything]
    assert len(numbers) == len(set(numbers)), "an order number repeated"
    assert integrity == [("ok",)]
    assert orphans == {"without_outbox": 0, "without_lines": 0, "without_payments": 0}
    # The optimistic stock decrement committed with exactly the sales that committed.
    assert sold, "no stock-managed product was sold"
    for pid, before in stock_before.items():
        assert stock_after[pid] == before - sold.get(pid, 0), f"stock of {pid} drifted"
    assert kills >= KILLS
    assert len(reported) > KILLS // 2, "too few sales completed to prove anything"
