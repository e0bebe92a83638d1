"""A seeded mix of every fault the simulator has, on every path, and outages at random moments."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

from kiosk.sim.woocommerce import SimHandle
from kiosk.sim.woocommerce.faults import KINDS


@dataclass(frozen=True)
class Plan:
    """What one soak run injects: a fault rate over every kind and path, and outages."""

    seed: int
    rate: float  # the share of all requests that meet a fault
    outages: tuple[tuple[int, float], ...]  # (after this many requests, seconds down)
    retry_after_s: float = 0.1  # what the 429 and 503 answers ask for
    hold_s: float | None = None  # "timeout" faults answer this late (None: held until the
    # client gives up)

    @property
    def longest_outage_s(self) -> float:
        return max((s for _, s in self.outages), default=0.0)

    def describe(self) -> str:
        downs = ", ".join(f"{s:.1f} s after request {n}" for n, s in self.outages) or "none"
        return f"seed {self.seed}: {self.rate:.0%} of requests faulted; outages: {downs}"


def plan_for(
    seed: int, *, requests: int, rate: float = 0.1, outages: int = 2, longest_s: float = 2.0
) -> Plan:
    """A plan for a run of about `requests` requests: outages fall in its middle 70%."""
    rng = random.Random(seed)
    downs = sorted(
        (rng.randint(requests // 10, requests * 8 // 10), round(rng.uniform(0.5, longest_s), 2))
        for _ in range(outages)
    )
    return Plan(seed=seed, rate=rate, outages=tuple(downs))


@dataclass
class Chaos:
    """Applies a Plan to a running simulator; `stop()` ends it and clears every fault."""

    sim: SimHandle
    plan: Plan
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self) -> None:
        faults = self.sim.faults
        faults.rng.seed(self.plan.seed)
        share = self.plan.rate / len(KINDS)
        for kind in KINDS:
            faults.add_random(
                kind,
                share,
                retry_after=self.plan.retry_after_s if kind in ("429", "503") else None,
                hold_s=self.plan.hold_s if kind == "timeout" else None,
            )
        base = faults.seen
        for after, seconds in self.plan.outages:
            self._tasks.append(asyncio.ensure_future(self._outage(base + after, seconds)))

    async def _outage(self, after: int, seconds: float) -> None:
        await self.sim.faults.wait_for_requests(after)
        await self.sim.outage.for_seconds(seconds)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.sim.outage.end()
        self.sim.faults.clear()
        self.sim.faults.release()

    def fired(self) -> dict[str, int]:
        """How many of each fault fired, and the outages begun."""
        counts: dict[str, int] = {}
        for kind, _, _ in self.sim.faults.fired:
            counts[kind] = counts.get(kind, 0) + 1
        counts["outage"] = self.sim.outage.count
        return counts
