"""The soak with `kiosk agent` as a process, killed with SIGKILL at random points of the drain.

The store runs in this process (so its faults and outages are seeded here and its orders can be
counted); the sales are made before the first agent starts, as a till offline would leave them.
Each kill falls after a random number of the store's requests, so it can land anywhere: between
a claim and its POST, with a POST in flight, after the store committed but before the device
marked the order synced. What must hold at the end is the same as in the soak in-process.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import SyncConfig
from kiosk.sim.device import provision_device
from kiosk.sim.woocommerce import SimHandle, running_sim
from tests.kiosk_process import DEVNULL, start_kiosk
from tests.soak.chaos import Chaos, Plan, plan_for
from tests.soak.drain import REQUESTS_PER_SALE
from tests.sync.woo_rig import (
    device_on,
    exactly_once,
    mismatched,
    store_ids_by_uuid,
    store_uuids,
)

DEADLINE_S = 240.0  # the whole drain, kills included: a hung run fails instead of hanging


@dataclass(frozen=True)
class KillOutcome:
    plan: Plan
    sales: int
    kills: int
    drain_s: float
    fired: dict[str, int]
    problems: tuple[str, ...]

    def describe(self) -> str:
        fired = ", ".join(f"{k} {v}" for k, v in sorted(self.fired.items()))
        return (
            f"{self.sales} sales, {self.kills} SIGKILLs of the agent, {self.plan.describe()}\n"
            f"drained in {self.drain_s:.2f} s; faults fired: {fired}"
        )


def _outbox(db: Path) -> dict[str, int]:
    """The outbox's states, read as another process would (the agent holds the database)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return dict(conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())


async def _agent(data: Path) -> asyncio.subprocess.Process:
    return await start_kiosk(data, "agent", stderr=DEVNULL)


async def _until_drained(db: Path, agent: asyncio.subprocess.Process) -> None:
    """Wait for the outbox to empty; the agent is another process, so look, every 50 ms."""
    while True:
        states = _outbox(db)
        if states.get("pending_sync", 0) + states.get("syncing", 0) == 0:
            return
        if agent.returncode is not None:
            raise AssertionError(f"the agent stopped by itself ({agent.returncode})")
        await asyncio.sleep(0.05)


async def _queue_sales(sim: SimHandle, data: Path, sales: int, seed: int) -> list[str]:
    async with device_on(sim, data / "kiosk.db") as device:
        return [o.id for o in await device.sell(sales, random.Random(seed))]


def _check(sim: SimHandle, db: Path, sold: list[str]) -> list[str]:
    problems = exactly_once(sold, store_uuids(sim))
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        remote_ids = dict(conn.execute("SELECT id, remote_id FROM orders").fetchall())
    wrong = mismatched(remote_ids, store_ids_by_uuid(sim))
    if wrong:
        problems.append(f"{len(wrong)} sales are matched to the wrong store order: {wrong[:5]}")
    states = _outbox(db)
    if states != {"synced": len(sold)}:
        problems.append(f"the outbox is not all synced: {states}")
    return problems


async def soak_with_kills(tmp: Path, *, sales: int, seed: int, kills: int) -> KillOutcome:
    """Queue `sales`, then drain them through faults while killing the agent `kills` times."""
    rng = random.Random(seed)
    data = tmp / "device"
    # Slow answers instead of held ones: the agent's own timeout is 30 s, a soak has no time
    # to wait it out (the in-process soak covers timeouts with a short one).
    async with running_sim(products=20, variable_share=0) as sim:
        provision_device(
            data,
            url=sim.url,
            key=sim.consumer_key,
            secret=sim.consumer_secret,
            sync=SyncConfig(interval_s=5, audit_interval_s=3600),
        )
        sold = await _queue_sales(sim, data, sales, seed)
        plan = plan_for(seed, requests=REQUESTS_PER_SALE * sales, outages=1, longest_s=1.5)
        plan = Plan(plan.seed, plan.rate, plan.outages, hold_s=0.3)
        chaos = Chaos(sim, plan)
        chaos.start()
        started = time.perf_counter()
        agent = await _agent(data)
        try:
            async with asyncio.timeout(DEADLINE_S):
                for _ in range(kills):
                    await sim.faults.wait_for_requests(sim.faults.seen + rng.randint(3, 80))
                    agent.send_signal(signal.SIGKILL)
                    await agent.wait()
                    agent = await _agent(data)
                await _until_drained(data / "kiosk.db", agent)
            drain_s = time.perf_counter() - started
        finally:
            if agent.returncode is None:
                agent.send_signal(signal.SIGTERM)
                await agent.wait()
            await chaos.stop()
        return KillOutcome(
            plan, sales, kills, drain_s, chaos.fired(), tuple(_check(sim, data / "kiosk.db", sold))
        )
