"""The soak: sales queued offline, drained through every fault the store can throw (issue 10).

`soak()` measures the fault-free drain of the same number of sales on a fresh store first, then
the drain under a seeded Plan, and checks the outcome a shop depends on: every sale is exactly one
store order, matched back by UUID, and the outbox is empty.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import SyncConfig
from kiosk.store.outbox import OutboxState
from kiosk.sync.policy import RetryPolicy
from tests.soak.chaos import Chaos, Plan, plan_for
from tests.sync.woo_rig import (
    WooDevice,
    exactly_once,
    mismatched,
    store_ids_by_uuid,
    woo_device,
)

# Compressed time, so a soak fits in a test: the policy's shape with seconds for minutes.
POLICY = RetryPolicy(base_s=0.2, cap_s=3.0)
CLIENT = {"timeout": 1.0, "backoff": 0.05, "backoff_cap": 0.5}
# The order's POST; a pass reads the stock back for all its orders in a few requests, and faults
# add some: outages planned within this many requests always happen.
REQUESTS_PER_SALE = 1


@dataclass(frozen=True)
class Outcome:
    """What a soak found; `problems` is empty when every sale landed exactly once."""

    plan: Plan
    sales: int
    fault_free_s: float
    drain_s: float
    fired: dict[str, int]
    problems: tuple[str, ...]

    @property
    def bound_s(self) -> float:
        """The target: twice the fault-free drain plus the longest outage injected."""
        return 2 * self.fault_free_s + self.plan.longest_outage_s

    def describe(self) -> str:
        fired = ", ".join(f"{k} {v}" for k, v in sorted(self.fired.items()))
        return (
            f"{self.sales} sales, {self.plan.describe()}\n"
            f"fault-free drain {self.fault_free_s:.2f} s; under faults {self.drain_s:.2f} s "
            f"(2 x fault-free + longest outage: {self.bound_s:.2f} s); faults fired: {fired}"
        )


async def _drain(device: WooDevice, deadline_s: float) -> float:
    """Run the agent's loop until the outbox is empty; seconds it took."""
    stop = asyncio.Event()

    async def sleep(seconds: float) -> None:
        states = await device.states()
        if states[OutboxState.PENDING_SYNC] + states[OutboxState.SYNCING] == 0:
            stop.set()
        else:
            await asyncio.sleep(seconds)  # the loop's own pause between turns

    started = time.perf_counter()
    async with asyncio.timeout(deadline_s):
        await device.engine.run(stop, sleep=sleep)
    return time.perf_counter() - started


async def _check(device: WooDevice, sold: list[str]) -> list[str]:
    problems = exactly_once(sold, device.store_uuids())
    remote_ids = await device.db.read(
        lambda conn: dict(conn.execute("SELECT id, remote_id FROM orders").fetchall())
    )
    wrong = mismatched(remote_ids, store_ids_by_uuid(device.sim))
    if wrong:
        problems.append(f"{len(wrong)} sales are matched to the wrong store order: {wrong[:5]}")
    states = Counter({k: v for k, v in (await device.states()).items() if v})
    if states != Counter({OutboxState.SYNCED: len(sold)}):
        problems.append(f"the outbox is not all synced: {dict(states)}")
    return problems


async def _run(
    tmp: Path, sales: int, plan: Plan | None, latency_ms: float, deadline_s: float
) -> tuple[float, dict[str, int], list[str]]:
    async with woo_device(
        tmp,
        products=20,
        latency_ms=latency_ms,
        policy=POLICY,
        settings=SyncConfig(concurrency=4),
        **CLIENT,
    ) as device:
        sold = [o.id for o in await device.sell(sales, random.Random(sales))]
        chaos = Chaos(device.sim, plan) if plan is not None else None
        if chaos is not None:
            chaos.start()
        try:
            took = await _drain(device, deadline_s)
        finally:
            if chaos is not None:
                await chaos.stop()
        fired = chaos.fired() if chaos is not None else {}
        return took, fired, await _check(device, sold)


async def soak(
    tmp: Path,
    *,
    sales: int,
    seed: int,
    latency_ms: float = 0,
    outages: int = 2,
    longest_s: float = 2.0,
) -> Outcome:
    """Measure a fault-free drain, then one under a seeded plan; see Outcome.

    With no store latency the timeouts' second each dwarfs the drain itself, so the time
    target means something only with a latency (`make soak` uses the bench's 50 ms).
    """
    (tmp / "clean").mkdir(parents=True, exist_ok=True)
    (tmp / "chaos").mkdir(parents=True, exist_ok=True)
    clean_s, _, clean_problems = await _run(tmp / "clean", sales, None, latency_ms, 300)
    assert not clean_problems, clean_problems
    plan = plan_for(seed, requests=sales * REQUESTS_PER_SALE, outages=outages, longest_s=longest_s)
    drain_s, fired, problems = await _run(tmp / "chaos", sales, plan, latency_ms, 600)
    return Outcome(plan, sales, clean_s, drain_s, fired, tuple(problems))
