"""kill -9 in the middle of the initial sync, then run again: it continues, it does not restart."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from pathlib import Path

from kiosk.config import Config, StoreConfig, save_config
from kiosk.connectors.woocommerce.platform import WooCommerceSecrets
from kiosk.secrets import Secrets, save_secrets
from kiosk.sim.woocommerce import SimHandle, running_sim
from kiosk.store import search, sync_state
from kiosk.store.db import Database
from tests.kiosk_process import PIPE, start_kiosk

PRODUCTS = 600  # six pages of 100
KILL_AFTER = 200  # products committed when the child is killed


def _provision(data_dir: Path, sim: SimHandle) -> None:
    config = Config(data_dir=data_dir, store=StoreConfig(platform="woocommerce", url=sim.url))
    save_config(config)
    keys = WooCommerceSecrets(sim.consumer_key, sim.consumer_secret)
    save_secrets(data_dir, keys.into(Secrets("hook-secret")))


def _done(db_path: Path) -> int:
    """Initial sync progress as the child has committed it (read beside the writer, in WAL)."""
    if not db_path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as c:
            r = c.execute(
                "SELECT value FROM sync_state WHERE key = ?", (sync_state.INITIAL_DONE,)
            ).fetchone()
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0
    return int(r[0]) if r else 0


async def _sync(data_dir: Path) -> asyncio.subprocess.Process:
    return await start_kiosk(data_dir, "sync", "--once", "--json", stdout=PIPE)


def _product_pages(sim: SimHandle, since: int) -> list[int]:
    return [
        int(r.query.get("page", "1"))
        for r in sim.requests[since:]
        if r.method == "GET"
        and r.path == "/wp-json/wc/v3/products"
        and r.query.get("_fields") != "id,status"  # not the audit's id listing
    ]


async def test_kill_9_during_initial_sync_then_resume(tmp_path: Path) -> None:
    data_dir = tmp_path / "device"
    # Latency makes the sync take long enough to be caught in the middle.
    async with running_sim(products=PRODUCTS, variable_share=0.1, latency_ms=40) as sim:
        _provision(data_dir, sim)
        db_path = data_dir / "kiosk.db"
        child = await _sync(data_dir)
        # Wait for the event we kill on: the child has committed at least KILL_AFTER products.
        # It happens in another process, so the database is polled for it.
        async with asyncio.timeout(120):
            while _done(db_path) < KILL_AFTER:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
        await child.wait()
        assert child.returncode == -signal.SIGKILL
        done_at_kill = _done(db_path)
        assert KILL_AFTER <= done_at_kill < PRODUCTS, "the kill did not land mid-sync"
        # What arrived before the kill is already on sale: searchable by name and by code.
        first = sim.state.products[min(sim.state.products)]
        async with await Database.open(db_path) as db:
            assert [p.sku for p in await search.search(db, first["sku"])] == [first["sku"]]
            word = max(first["name"].split(), key=len)
            assert first["sku"] in [p.sku for p in await search.search(db, word, limit=100)]

        before = len(sim.requests)
        again = await _sync(data_dir)
        _out, err = await again.communicate()
        assert again.returncode == 0, err.decode()
        pages = _product_pages(sim, before)
        # Continued where it stopped: the pages already committed are not fetched again.
        assert 1 not in pages
        assert min(pages) >= done_at_kill // 100
        assert len(pages) < PRODUCTS // 100

        with sqlite3.connect(db_path) as c:
            ids = {r[0] for r in c.execute("SELECT id FROM products WHERE parent_id IS NULL")}
            status = dict(c.execute("SELECT key, value FROM sync_state"))
        store_ids = {str(i) for i, p in sim.state.products.items() if p["status"] == "publish"}
        assert ids == store_ids
        assert status[sync_state.INITIAL_COMPLETE] == "1"
