"""`kiosk agent` as a process: sync, upload a sale, follow a webhook, stop cleanly."""

from __future__ import annotations

import asyncio
import signal
import socket
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.config import Config, StoreConfig, SyncConfig, save_config
from kiosk.connectors.woocommerce.platform import WooCommerceSecrets
from kiosk.secrets import Secrets, save_secrets
from kiosk.sim.woocommerce import running_sim
from tests.kiosk_process import start_kiosk


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _query(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as c:
            return c.execute(sql, args).fetchall()
    except sqlite3.OperationalError:
        return []


async def _start_agent(data: Path) -> asyncio.subprocess.Process:
    return await start_kiosk(data, "agent")


async def _until(condition: Callable[[], bool], what: str) -> None:
    """Wait for something another process does; it can only be observed by looking."""
    async with asyncio.timeout(60):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def test_agent_syncs_uploads_follows_hints_and_stops(tmp_path: Path) -> None:
    data = tmp_path / "device"
    port = _free_port()
    async with running_sim(products=20, variable_share=0) as sim:
        save_config(
            Config(
                data_dir=data,
                store=StoreConfig(
                    platform="woocommerce", url=sim.url, public_url=f"http://127.0.0.1:{port}"
                ),
                sync=SyncConfig(webhook_port=port, interval_s=3600),
            )
        )
        keys = WooCommerceSecrets(sim.consumer_key, sim.consumer_secret)
        save_secrets(data, keys.into(Secrets("hook-secret")))
        agent = await _start_agent(data)
        db = data / "kiosk.db"
        try:
            await _until(
                lambda: (
                    _query(db, "SELECT value FROM sync_state WHERE key='initial_sync.complete'")
                    == [("1",)]
                ),
                "initial sync",
            )
            pid, product = next(
                (i, p) for i, p in sim.state.products.items() if p["status"] == "publish"
            )
            sale = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "kiosk",
                "--data-dir",
                str(data),
                "sale",
                "--item",
                product["sku"],
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
            )
            assert await sale.wait() == 0
            await _until(lambda: len(sim.state.orders) == 1, "the sale uploaded")
            await _until(
                lambda: _query(db, "SELECT state FROM outbox") == [("synced",)], "marked synced"
            )
            # The merchant changes a price; the webhook makes the agent fetch it at once
            # (its pull interval is an hour).
            await _until(lambda: len(sim.state.webhooks) > 0, "webhooks registered")
            sim.admin.set_price(pid, "42.00")
            await _until(
                lambda: (
                    _query(db, "SELECT price FROM products WHERE id = ?", str(pid)) == [(4200,)]
                ),
                "the new price",
            )
        finally:
            if agent.returncode is None:
                agent.send_signal(signal.SIGTERM)
            _, err = await agent.communicate()
        assert agent.returncode == 0, err.decode()


async def test_agent_stops_promptly_in_the_middle_of_the_initial_sync(tmp_path: Path) -> None:
    data = tmp_path / "device"
    async with running_sim(products=1000, latency_ms=100) as sim:
        save_config(Config(data_dir=data, store=StoreConfig(platform="woocommerce", url=sim.url)))
        keys = WooCommerceSecrets(sim.consumer_key, sim.consumer_secret)
        save_secrets(data, keys.into(Secrets()))
        agent = await _start_agent(data)
        db = data / "kiosk.db"
        await _until(
            lambda: (
                _query(db, "SELECT value FROM sync_state WHERE key='initial_sync.done'")
                not in ([], [("0",)])
            ),
            "initial sync under way",
        )
        agent.send_signal(signal.SIGTERM)
        async with asyncio.timeout(10):  # not the minutes the rest of the sync would take
            _, err = await agent.communicate()
        assert agent.returncode == 0, err.decode()
        done = _query(db, "SELECT value FROM sync_state WHERE key='initial_sync.complete'")
        assert done != [("1",)]
