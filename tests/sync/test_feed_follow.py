"""The agent follows the plugin's change feed: changes arrive at once, survive kill -9 and a reset.

In-process with the real connector and puller against the simulator (its kiosk/v1 routes are
tested against the plugin's contract.json), and once as `kiosk agent` killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from kiosk.config import SyncConfig
from kiosk.connectors.fake import FakeConnector
from kiosk.connectors.feed import Changes
from kiosk.core.money import Money
from kiosk.sim.woocommerce import SimHandle, running_sim
from kiosk.sim.woocommerce.plugin_state import PluginState
from kiosk.store import catalog, sync_state
from kiosk.store.db import Database
from kiosk.sync.engine import SyncEngine
from kiosk.sync.feed_follow import CURSOR, IDLE_S, FeedFollower
from tests.kiosk_process import start_kiosk
from tests.sync.conftest import Clock
from tests.sync.test_engine_metered import _run
from tests.sync.test_resume import _provision
from tests.sync.woo_rig import WooDevice, device_on


@pytest.fixture
async def device(tmp_path: Path) -> AsyncIterator[WooDevice]:
    async with (
        running_sim(products=20, variable_share=0.2, seed=5) as sim,
        device_on(sim, tmp_path / "kiosk.db") as dev,
    ):
        yield dev


def follower(dev: WooDevice) -> FeedFollower:
    return FeedFollower(
        dev.db, dev.engine.connector, dev.engine.puller, pickups=dev.engine.pickups.pull
    )


def plugin(sim: SimHandle) -> PluginState:
    assert sim.context.plugin_state is not None
    return sim.context.plugin_state


def simple_ids(sim: SimHandle) -> list[int]:
    return sorted(
        pid
        for pid, p in sim.state.products.items()
        if p["type"] == "simple" and p["status"] == "publish"
    )


async def price(dev: WooDevice, pid: int) -> Money:
    product = await catalog.get_product(dev.db, str(pid))
    assert product is not None
    assert product.price is not None
    return product.price


async def test_a_price_change_arrives_by_long_poll(device: WooDevice) -> None:
    sim, feed = device.sim, follower(device)
    assert await feed.step(wait=0) is not None  # the first read: starts at the feed's present
    pid = simple_ids(sim)[0]
    poll = asyncio.ensure_future(feed.step(wait=20))
    await asyncio.wait_for(plugin(sim).poller_waiting(), 5)
    sim.admin.set_price(pid, "77.00")
    changes = await asyncio.wait_for(poll, 5)
    assert changes is not None
    assert [h.id for h in changes.hints] == [str(pid)]
    now = await price(device, pid)
    assert now == Money.parse("77.00", now.currency)
    saved = await sync_state.get_value(device.db, CURSOR)
    assert saved == changes.cursor


async def test_a_variation_change_refreshes_its_parent_and_a_deletion_removes(
    device: WooDevice,
) -> None:
    sim, feed = device.sim, follower(device)
    await feed.step(wait=0)
    parent = next(pid for pid, p in sim.state.products.items() if p["type"] == "variable")
    child = sim.state.variations_of(parent)[0]["id"]
    sim.admin.set_price(child, "3.33")
    gone = simple_ids(sim)[1]
    sim.admin.delete_product(gone, force=True)
    changes = await feed.step(wait=0)
    assert changes is not None
    assert {h.id for h in changes.hints} == {str(parent), str(gone)}
    kids = {v.id: v.price for v in await catalog.variations_of(device.db, str(parent))}
    kid = kids[str(child)]
    assert kid is not None
    assert kid.minor == 333
    assert await catalog.get_product(device.db, str(gone)) is None


async def test_a_restarted_follower_reads_on_from_the_saved_cursor(device: WooDevice) -> None:
    sim = device.sim
    await follower(device).step(wait=0)
    first, second = simple_ids(sim)[:2]
    sim.admin.set_price(first, "1.11")
    await follower(device).step(wait=0)
    sim.admin.set_price(second, "2.22")
    before = len(sim.requests)
    again = await follower(device).step(wait=0)  # a new process: only the cursor survives
    assert again is not None
    assert [h.id for h in again.hints] == [str(second)]
    feeds = [r for r in sim.requests[before:] if r.path == "/wp-json/kiosk/v1/changes"]
    assert feeds[0].query["after"] != "0"
    assert (await price(device, second)).minor == 222


async def test_across_an_epoch_reset_the_device_catches_up_and_audits(device: WooDevice) -> None:
    sim, feed = device.sim, follower(device)
    await feed.step(wait=0)
    old = await sync_state.get_value(device.db, CURSOR)
    deleted, changed = simple_ids(sim)[:2]
    sim.admin.delete_product(deleted, force=True)  # its tombstone goes with the old feed
    plugin(sim).reset()
    sim.admin.set_price(changed, "9.09")
    changes = await feed.step(wait=0)
    assert changes is not None
    assert changes.reset
    assert await catalog.get_product(device.db, str(deleted)) is None  # found by the audit
    assert (await price(device, changed)).minor == 909
    new = await sync_state.get_value(device.db, CURSOR)
    assert new is not None
    assert old is not None
    assert new.split(":")[0] == plugin(sim).epoch != old.split(":")[0]
    after = await feed.step(wait=0)
    assert after is not None
    assert not after.reset


async def test_without_the_plugin_there_is_no_feed_to_follow(tmp_path: Path) -> None:
    async with (
        running_sim(products=10, plugin=False) as sim,
        device_on(sim, tmp_path / "kiosk.db") as dev,
    ):
        feed = follower(dev)
        assert await feed.step(wait=0) is None
        await asyncio.wait_for(feed.run(asyncio.Event()), 5)  # returns at once
        assert not [r for r in sim.requests if r.path.startswith("/wp-json/kiosk/v1/changes")]


def _db_price(db_path: Path, pid: int) -> str | None:
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as c:
            row = c.execute("SELECT price FROM products WHERE id = ?", (str(pid),)).fetchone()
    except sqlite3.OperationalError:
        return None
    return None if row is None else str(row[0])


async def _until_price(db_path: Path, pid: int, minor: int) -> None:
    # Another process writes it: the database is polled for the event.
    async with asyncio.timeout(180):
        while _db_price(db_path, pid) != str(minor):  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def test_the_agent_follows_the_feed_and_resumes_after_kill_9(tmp_path: Path) -> None:
    data_dir = tmp_path / "device"
    async with running_sim(products=15, variable_share=0) as sim:
        _provision(data_dir, sim)
        first = await start_kiosk(data_dir, "sync", "--once")
        assert await first.wait() == 0
        db_path = data_dir / "kiosk.db"
        a, b = simple_ids(sim)[:2]
        agent = await start_kiosk(data_dir, "agent")
        try:
            await asyncio.wait_for(plugin(sim).poller_waiting(), 180)  # it long-polls the feed
            sim.admin.set_price(a, "41.00")
            await _until_price(db_path, a, 4100)
        finally:
            os.kill(agent.pid, signal.SIGKILL)
            await agent.wait()
        assert agent.returncode == -signal.SIGKILL
        with sqlite3.connect(db_path) as c:
            (cursor,) = c.execute(
                "SELECT value FROM sync_state WHERE key = ?", (CURSOR,)
            ).fetchone()
        sim.admin.set_price(b, "42.00")  # while the agent is dead
        before = len(sim.requests)
        agent = await start_kiosk(data_dir, "agent")
        try:
            await _until_price(db_path, b, 4200)
        finally:
            agent.send_signal(signal.SIGTERM)
            await agent.wait()
        feeds = [r for r in sim.requests[before:] if r.path == "/wp-json/kiosk/v1/changes"]
        assert feeds
        assert feeds[0].query["after"] == cursor.split(":")[1]  # read on from the saved cursor


async def test_the_follower_tells_the_engine_whether_the_feed_is_live(
    device: WooDevice, tmp_path: Path
) -> None:
    said: list[bool] = []
    stop = asyncio.Event()

    def live(value: bool) -> None:
        said.append(value)
        stop.set()  # one read is enough here

    feed = FeedFollower(device.db, device.engine.connector, device.engine.puller, live=live)
    await asyncio.wait_for(feed.run(stop), 10)
    assert said == [True]
    async with (
        running_sim(products=5, plugin=False) as bare,
        device_on(bare, tmp_path / "bare.db") as dev,
    ):
        said.clear()
        await FeedFollower(dev.db, dev.engine.connector, dev.engine.puller, live=live).run(
            asyncio.Event()
        )
        assert said == [False]


async def test_with_a_live_feed_the_engine_pulls_deltas_only_as_a_safety_net(
    db: Database, store: FakeConnector, clock: Clock
) -> None:
    settings = SyncConfig(interval_s=30, metered_interval_s=300, audit_interval_s=900)
    polling = SyncEngine(db, store, clock=clock, settings=settings)
    await polling.run_once()  # the initial copy
    calls = await _run(polling, clock, 100)
    assert [at for at, call in calls if call.startswith("products")] == [0, 30, 60, 90]
    following = SyncEngine(db, store, clock=clock, settings=settings)
    following.feed_live = True
    calls = await _run(following, clock, 1000)
    assert [at for at, call in calls if call.startswith("products")] == [0, 900]


class NoLongPolls:
    """A feed whose store answers every read at once, empty (no long polls on that host)."""

    def __init__(self) -> None:
        self.reads: list[tuple[str, float]] = []

    async def changes(self, cursor: str, *, wait: float, queued: int = 0) -> Changes:
        self.reads.append((cursor, wait))
        return Changes(hints=(), cursor="e:1")


class Ready:
    async def initial_complete(self) -> bool:
        return True


async def test_a_store_that_answers_long_polls_at_once_is_not_asked_in_a_tight_loop(
    db: Database,
) -> None:
    feed, stop, slept = NoLongPolls(), asyncio.Event(), []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 3:
            stop.set()

    follower = FeedFollower(db, feed, Ready(), sleep=sleep)  # type: ignore[arg-type]
    await sync_state.set_value(db, CURSOR, "e:0")
    await asyncio.wait_for(follower.run(stop), 5)
    assert slept == [IDLE_S] * 3
    assert [w for _, w in feed.reads] == [20.0] * 3
