"""The failover's decision latency: from NetworkManager's signal that WiFi lost its link to the
failover's first action, set against one bus round trip measured in the same run.

Against dbusmock's NetworkManager on a private bus (tests/network/private_bus.py): the bench
subscribes to the WiFi device's StateChanged, takes WiFi's link away, and on the signal turns the
monitor once (with no grace, so that what is timed is the work, not the policy's wait): read
NetworkManager, decide, and ask for cellular. The clock stops when ActivateConnection is sent.
The baseline is one Properties.Get on the same connection (the cheapest call the monitor makes);
the ratio says how many round trips a decision costs. In production the monitor polls, so a
lost link is acted on within poll_s + link_grace_s (1 + 3 s, target 5 s); this is the part that
is ours.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from kiosk.network.base import LinkKind
from kiosk.network.control import Snapshot
from kiosk.network.failover import Action, Observed, Settings, State, Uplink, Verb, decide
from kiosk.network.monitor import Monitor
from tests.bench.stats import figure, pct

DECISIONS = 20
ROUND_TRIPS = 200
RATIO_TARGET = 60.0  # round trips per decision: the reads of every device, the profiles, the act
NO_GRACE = Settings(link_grace_s=0.0, internet_grace_s=0.0)


class Probe:
    async def reachable(self, interface: str) -> bool | None:
        return None  # not what is timed: no evidence either way


class Timed:
    """A Control that notes when the first action is asked of the one it wraps."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.acted_at: float | None = None

    async def observe(self) -> Snapshot:
        snapshot: Snapshot = await self.inner.observe()
        return snapshot

    async def act(self, action: Action, snapshot: Snapshot) -> None:
        if self.acted_at is None and action.verb is Verb.ACTIVATE:
            self.acted_at = time.perf_counter()
        await self.inner.act(action, snapshot)


def decide_us(turns: int = 10_000) -> float:
    """The pure policy alone: microseconds per decide() on a lost WiFi link."""
    observed = Observed(wifi=Uplink(present=True), cellular=Uplink(present=True))
    t0 = time.perf_counter()
    for i in range(turns):
        decide(observed, State(), float(i), NO_GRACE)
    return (time.perf_counter() - t0) / turns * 1e6


async def _round_trips(bus: Any, n: int) -> list[float]:
    from sdbus_async.networkmanager import NetworkManager

    manager = NetworkManager(bus)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        await manager.connectivity.get_async()
        times.append((time.perf_counter() - t0) * 1000)
    return times


async def _decisions(root: Path, n: int) -> tuple[list[float], list[float]]:
    """(signal -> action ms, bus round trip ms) on a private bus that lives for this call."""
    from kiosk.network.nm_control import NetworkManagerControl
    from tests.network.nm_mock import DEVICE_IFACE, SERVICE, MockNetworkManager
    from tests.network.private_bus import PrivateBus

    bus = PrivateBus(root)
    bus.start()
    before = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS")
    os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = bus.address  # sd-bus's "system" bus is this one
    nm = MockNetworkManager()
    control = NetworkManagerControl(timeout=5.0)
    try:
        device, _, active = await nm.wifi("ShopNet", strength=70)
        await nm.set_primary(active)
        await nm.modem()
        trips = await _round_trips(control.bus, ROUND_TRIPS)
        signalled: list[float] = []
        arrived = asyncio.Event()

        def on_signal(_message: object) -> None:
            signalled.append(time.perf_counter())
            arrived.set()

        # The monitor's own connection hears the signal, as a signal-driven loop would.
        slot = await control.bus.match_signal_async(
            SERVICE, device, DEVICE_IFACE, "StateChanged", on_signal
        )
        latencies = []
        try:
            for _ in range(n):
                timed = Timed(control)
                monitor = Monitor(timed, Probe(), settings=NO_GRACE, clock=time.monotonic)
                turn = await monitor.step()  # WiFi usable: nothing to do
                assert turn.decision is not None, turn
                assert not turn.decision.actions, turn
                arrived.clear()
                await nm.link_down(device)
                await arrived.wait()
                heard = signalled[-1]
                turn = await monitor.step()
                assert timed.acted_at is not None, turn
                latencies.append((timed.acted_at - heard) * 1000)
                # Back as it was, for the next decision: the modem down, WiFi up, its metric.
                snapshot = await control.observe()
                await control.act(Action(Verb.DEACTIVATE, LinkKind.CELLULAR), snapshot)
                await control.act(Action(Verb.RESTORE, LinkKind.WIFI), snapshot)
                await nm.link_up(device, active)
        finally:
            slot.close()
        return latencies, trips
    finally:
        control.close()
        nm.close()
        bus.stop()
        if before is None:
            os.environ.pop("DBUS_SYSTEM_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = before


async def failover_decision(tmp: Path, *, decisions: int = DECISIONS) -> list[dict[str, Any]]:
    """The decision-latency figures; none where there is no dbus-daemon (Debian's `dbus`)."""
    if shutil.which("dbus-daemon") is None:
        print("failover: no dbus-daemon (Debian package `dbus`): its figures are left out")
        return []
    root = tmp / "failover-bus"
    root.mkdir(exist_ok=True)
    monitor_log = logging.getLogger("kiosk.network.monitor")
    level = monitor_log.level
    monitor_log.setLevel(logging.ERROR)  # every decision is a failover: its warning, each time
    try:
        latencies, trips = await _decisions(root, decisions)
    finally:
        monitor_log.setLevel(level)
    rt50 = pct(trips, 50)
    d50, d95 = pct(latencies, 50), pct(latencies, 95)
    return [
        figure(
            "failover_decision_p50_ms",
            d50,
            "ms",
            baseline="bus_round_trip_p50_ms",
            baseline_value=round(rt50, 4),
            ratio=d50 / rt50,
            target=f"<= {RATIO_TARGET:g} round trips",
            met=d50 / rt50 <= RATIO_TARGET,
            runs=len(latencies),
        ),
        figure(
            "failover_decision_p95_ms",
            d95,
            "ms",
            baseline="bus_round_trip_p50_ms",
            baseline_value=round(rt50, 4),
            ratio=d95 / rt50,
        ),
        figure(
            "bus_round_trip_p50_ms", rt50, "ms", calls=len(trips), spread=statistics.pstdev(trips)
        ),
        figure("failover_decide_us", decide_us(), "us"),
    ]
