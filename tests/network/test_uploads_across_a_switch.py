"""The agent's uploads carry on across a failover and a fail-back: both driven together.

The sync engine (the real WooCommerce connector against the simulator, NetworkManager's reader
as its network) and the failover monitor (dbusmock's NetworkManager on a private bus) share one
injected clock: each second of it the monitor turns once and the engine's loop sleeps. The mock
does not route, so the test does what the kernel and NetworkManager would: while no uplink carries
the default route the store's connections drop, and the modem the monitor brings up becomes
NetworkManager's PrimaryConnection (metered), as WiFi does again after the fail-back.
"""

from __future__ import annotations

import asyncio
import random
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from kiosk.checkout import Checkout
from kiosk.config import SyncConfig
from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.core.models import PaymentMethod
from kiosk.core.tender import Tender
from kiosk.network.base import LinkKind
from kiosk.network.failover import Settings
from kiosk.network.monitor import Monitor
from kiosk.sim.woocommerce import running_sim
from kiosk.store.db import Database
from kiosk.sync.engine import SyncEngine
from tests.network.private_bus import PrivateBus
from tests.sync.woo_rig import exactly_once, sellable_skus, store_uuids

if TYPE_CHECKING:
    from tests.network.nm_mock import MockNetworkManager

pytestmark = [
    pytest.mark.skipif(shutil.which("dbus-daemon") is None, reason="no dbus-daemon (`dbus`)"),
    pytest.mark.timeout(120),
]

START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
METERED_YES, METERED_NO = 1, 2  # NMMetered


@dataclass
class Clock:
    """Seconds since START, for the monitor; `at()` the same as a datetime, for the engine."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now

    def at(self) -> datetime:
        return START + timedelta(seconds=self.now)


@dataclass
class Probe:
    async def reachable(self, interface: str) -> bool | None:
        return True  # the link's loss is what this test is about, not a dead internet


@dataclass
class Timeline:
    """The failover's actions, as they were taken."""

    actions: list[tuple[float, list[str]]] = field(default_factory=list)


async def test_uploads_carry_on_across_the_failover_and_the_fail_back(
    tmp_path: Path, private_bus: PrivateBus, nm: MockNetworkManager
) -> None:
    from kiosk.network.nm import NetworkManagerInfo
    from kiosk.network.nm_control import NetworkManagerControl

    device, _, wifi_active = await nm.wifi("ShopNet", strength=70)
    await nm.set_primary(wifi_active, metered=METERED_NO)
    await nm.modem()
    clock = Clock()
    control, info = NetworkManagerControl(timeout=2.0), NetworkManagerInfo(timeout=2.0)
    monitor = Monitor(control, Probe(), settings=Settings(hold_s=60), clock=clock)
    async with running_sim(products=10, variable_share=0) as sim:
        db = await Database.open(tmp_path / "kiosk.db")
        connector = WooConnector.connect(
            sim.url, sim.consumer_key, sim.consumer_secret, locale="en_GB"
        )
        engine = SyncEngine(
            db,
            connector,
            clock=clock.at,
            settings=SyncConfig(interval_s=30, metered_interval_s=300),
            network=info,
            rng=random.Random(1),
        )
        till_db = await Database.open(db.path)  # the touchscreen's own connection
        checkout = Checkout(till_db, order_prefix="K1-", clock=clock.at)
        skus = sellable_skus(sim)
        sold: dict[str, float] = {}  # order UUID -> when it was sold
        uploaded: dict[str, float] = {}  # order UUID -> when the store first held it
        try:
            assert (await engine.run_once()).initial

            async def sell() -> None:
                cart = await checkout.start()
                await checkout.add_code(cart, skus[len(sold) % len(skus)])
                order = await checkout.complete(
                    cart, [Tender(PaymentMethod.CASH, cart.totals().total)]
                )
                sold[order.id] = clock.now

            async def wifi_lost() -> None:
                await nm.link_down(device)
                await nm.set_primary("/")  # no default route: the store is out of reach
                sim.faults.add("drop", count=10**6)

            async def wifi_back() -> None:
                await nm.link_up(device, wifi_active)  # demoted: cellular keeps the route

            plan: dict[int, Callable[[], Awaitable[None]]] = {
                2: sell,
                10: wifi_lost,
                11: sell,
                12: sell,
                20: sell,  # over cellular
                30: wifi_back,
                50: sell,  # still over cellular: WiFi is in its hold
                95: sell,  # over WiFi again
            }
            timeline = Timeline()
            stop = asyncio.Event()

            async def route() -> None:
                """The default route follows what the monitor did, as the kernel's would."""
                snapshot = await control.observe()
                modem, wifi = snapshot.device(LinkKind.CELLULAR), snapshot.device(LinkKind.WIFI)
                assert modem is not None
                assert wifi is not None
                if modem.connected:
                    await nm.set_primary(modem.active_connection, metered=METERED_YES)
                    sim.faults.pending.clear()
                elif wifi.connected:
                    await nm.set_primary(wifi_active, metered=METERED_NO)

            async def sleep(seconds: float) -> None:
                before = int(clock.now)
                clock.now += seconds
                for second in range(before + 1, int(clock.now) + 1):
                    if second in plan:  # what happens at a second, the monitor sees at it
                        await plan[second]()
                    turn = await monitor.step()
                    if turn.decision is not None and turn.decision.actions:
                        timeline.actions.append((turn.at, [str(a) for a in turn.decision.actions]))
                        await route()
                for uuid in store_uuids(sim):
                    uploaded.setdefault(uuid, clock.now)
                if clock.now >= 110:
                    stop.set()

            await engine.run(stop, sleep=sleep)
        finally:
            await connector.close()
            await till_db.close()
            await db.close()
            control.close()
            info.close()

    assert timeline.actions == [
        (13.0, ["activate cellular", "demote wifi"]),  # 3 s after the loss
        (90.0, ["restore wifi", "deactivate cellular"]),  # WiFi back at 30, held 60 s
    ]
    assert exactly_once(sold, store_uuids(sim)) == []
    delays = {sold[u]: uploaded[u] - sold[u] for u in sold}
    # On WiFi and on cellular a sale is up within the engine's poll; the two sold with no link
    # go up within two seconds of the modem taking the route (13), not after their backoff.
    assert {t: d for t, d in delays.items() if t not in (11, 12)} == {
        2: pytest.approx(1, abs=1),
        20: pytest.approx(1, abs=1),
        50: pytest.approx(1, abs=1),
        95: pytest.approx(1, abs=1),
    }
    assert uploaded[_at(sold, 11)] <= 15
    assert uploaded[_at(sold, 12)] <= 15


def _at(sold: dict[str, float], when: float) -> str:
    return next(u for u, t in sold.items() if t == when)
