"""The failover monitor against dbusmock's NetworkManager on a private D-Bus, on an injected clock.

Each test drives the mock (links down and up, connectivity), turns the monitor once per second
of the fake clock, and asserts what it did to NetworkManager and when.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

from kiosk.network.base import LinkKind
from kiosk.network.failover import Connectivity, Settings
from kiosk.network.monitor import Monitor, Turn
from tests.network.private_bus import PrivateBus

if TYPE_CHECKING:
    from kiosk.network.nm_control import NetworkManagerControl
    from tests.network.nm_mock import MockNetworkManager

pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None,
    reason="dbus-daemon is not installed (Debian package `dbus`)",
)

LIMITED = 3  # NMConnectivityState
FULL = 4


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Probe:
    """The store's host as seen through each interface: reachable unless told otherwise."""

    down: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)

    async def reachable(self, interface: str) -> bool | None:
        self.asked.append(interface)
        return interface not in self.down


@dataclass
class Till:
    monitor: Monitor
    clock: Clock
    probe: Probe
    paying: list[bool]

    async def until(self, end: float) -> list[Turn]:
        """Turns once a second up to `end` on the clock; the turns that took actions."""
        acted = []
        while self.clock.now <= end:
            turn = await self.monitor.step()
            if turn.decision is not None and turn.decision.actions:
                acted.append(turn)
            self.clock.now += 1
        return acted


@pytest.fixture
def control(private_bus: PrivateBus) -> Iterator[NetworkManagerControl]:
    from kiosk.network.nm_control import NetworkManagerControl

    c = NetworkManagerControl(timeout=2.0)
    yield c
    c.close()


@pytest.fixture
def till(control: NetworkManagerControl) -> Till:
    clock, probe, paying = Clock(), Probe(), [False]
    monitor = Monitor(
        control,
        probe,
        settings=Settings(),
        clock=clock,
        payment_in_progress=lambda: paying[0],
        probe_s=5,
    )
    return Till(monitor, clock, probe, paying)


@dataclass
class Shop:
    wifi: str
    wifi_active: str
    wifi_profile: str
    modem: str | None
    gsm: str | None


async def shop(nm: MockNetworkManager, *, modem: bool = True) -> Shop:
    device, _, active = await nm.wifi("ShopNet", strength=70)
    await nm.set_primary(active)
    profile = (await nm.settings_of_active(active))["Connection"]
    modem_device, gsm = await nm.modem() if modem else (None, None)
    return Shop(device, active, profile, modem_device, gsm)


async def metric(nm: MockNetworkManager, profile: str) -> tuple[int, int]:
    settings = await nm.settings_of(profile)
    return settings["ipv4"]["route-metric"][1], settings["ipv6"]["route-metric"][1]


async def modem_up(control: NetworkManagerControl) -> bool:
    device = (await control.observe()).device(LinkKind.CELLULAR)
    assert device is not None
    return device.connected


def verbs(turn: Turn) -> list[str]:
    assert turn.decision is not None
    return [str(a) for a in turn.decision.actions]


FAILOVER = ["activate cellular", "demote wifi"]
FAILBACK = ["restore wifi", "deactivate cellular"]


async def test_link_loss_fails_over_within_5_s(
    nm: MockNetworkManager, control: NetworkManagerControl, till: Till
) -> None:
    s = await shop(nm)
    assert await till.until(9) == []
    await nm.link_down(s.wifi)

    acted = await till.until(20)

    assert [(t.at, verbs(t)) for t in acted] == [(13.0, FAILOVER)]  # 3 s after the loss
    assert await modem_up(control)
    assert await metric(nm, s.wifi_profile) == (20600, 20600)
    assert "Reapply" not in await nm.calls(s.wifi)  # WiFi has no link to reapply to
    assert acted[0].failed == ()


async def test_wifi_up_with_the_internet_gone_fails_over_within_30_s(
    nm: MockNetworkManager, control: NetworkManagerControl, till: Till
) -> None:
    s = await shop(nm)
    await till.until(9)
    await nm.connectivity(LIMITED)  # the link stays; NetworkManager's check fails

    acted = await till.until(40)

    assert [(t.at, verbs(t)) for t in acted] == [(20.0, FAILOVER)]
    assert acted[0].decision is not None
    assert acted[0].decision.reason == "failover to cellular: WiFi connectivity LIMITED"
    assert await modem_up(control)
    assert await metric(nm, s.wifi_profile) == (20600, 20600)
    assert "Reapply" in await nm.calls(s.wifi)  # the connected WiFi took its new metric in place


async def test_the_store_unreachable_over_wifi_fails_over_on_our_probe(
    nm: MockNetworkManager, till: Till
) -> None:
    await shop(nm)
    await till.until(9)
    till.probe.down.add("wlan0")  # NetworkManager still says FULL

    acted = await till.until(40)

    # Probed every 5 s: the failure is seen at 10, and still there 10 s later.
    assert [(t.at, verbs(t)) for t in acted] == [(20.0, FAILOVER)]
    assert "wlan0" in till.probe.asked


async def test_recovery_fails_back_after_the_hold(
    nm: MockNetworkManager, control: NetworkManagerControl, till: Till
) -> None:
    s = await shop(nm)
    await nm.link_down(s.wifi)
    assert [(t.at, verbs(t)) for t in await till.until(29)] == [(3.0, FAILOVER)]
    await nm.link_up(s.wifi, s.wifi_active)

    acted = await till.until(120)

    assert [(t.at, verbs(t)) for t in acted] == [(90.0, FAILBACK)]  # 30 + the 60 s hold
    assert await metric(nm, s.wifi_profile) == (600, 600)
    assert not await modem_up(control)


async def test_flapping_wifi_does_not_see_saw(nm: MockNetworkManager, till: Till) -> None:
    s = await shop(nm)
    for t in range(0, 40, 4):  # 2 s without a link, every 4 s: shorter than the grace
        till.clock.now = float(t)
        await nm.link_down(s.wifi)
        assert await till.until(t + 1) == []
        await nm.link_up(s.wifi, s.wifi_active)
        assert await till.until(t + 3) == []
    await nm.link_down(s.wifi)
    acted = await till.until(60)
    assert [(t.at, verbs(t)) for t in acted] == [(43.0, FAILOVER)]
    for t in range(61, 300, 30):  # back for 25 s, gone for 5 s: never the 60 s hold
        await nm.link_up(s.wifi, s.wifi_active)
        assert await till.until(t + 24) == []
        await nm.link_down(s.wifi)
        assert await till.until(t + 29) == []


async def test_no_modem_stays_put_and_says_why(
    nm: MockNetworkManager, till: Till, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.network.monitor")
    s = await shop(nm, modem=False)
    await nm.link_down(s.wifi)

    assert await till.until(30) == []

    reasons = [r.getMessage() for r in caplog.records if "no modem" in r.getMessage()]
    # Said once, not on every turn.
    assert reasons == ["network: WiFi without a link; no modem or cellular profile to fail over to"]


async def test_a_payment_in_progress_holds_the_failback_only(
    nm: MockNetworkManager, till: Till
) -> None:
    s = await shop(nm)
    till.paying[0] = True
    await nm.link_down(s.wifi)
    await till.until(29)
    await nm.link_up(s.wifi, s.wifi_active)
    assert [verbs(t) for t in await till.until(119)] == []  # the hold ends at 90: still paying
    till.paying[0] = False

    acted = await till.until(130)

    assert [(t.at, verbs(t)) for t in acted] == [(120.0, FAILBACK)]


async def test_failover_during_the_payment_is_not_held(nm: MockNetworkManager, till: Till) -> None:
    s = await shop(nm)
    till.paying[0] = True
    await nm.link_down(s.wifi)
    assert [(t.at, verbs(t)) for t in await till.until(10)] == [(3.0, FAILOVER)]


async def test_network_manager_restarting_keeps_the_state_and_carries_on(
    private_bus: PrivateBus,
    connect_nm: Callable[[], MockNetworkManager],
    nm: MockNetworkManager,
    control: NetworkManagerControl,
    till: Till,
    caplog: pytest.LogCaptureFixture,
) -> None:
    s = await shop(nm)
    await nm.link_down(s.wifi)
    assert len(await till.until(5)) == 1  # failed over at 3

    private_bus.stop()  # NetworkManager (and the bus) go away...
    turn = await till.monitor.step()
    assert turn.observed is None
    assert await till.until(10) == []
    warnings = [r for r in caplog.records if "cannot read NetworkManager" in r.getMessage()]
    assert len(warnings) == 1

    private_bus.start()  # ...and come back, knowing nothing of the demotion
    fresh = connect_nm()
    s = await shop(fresh)
    assert s.modem is not None
    assert s.gsm is not None
    await fresh.activate(s.gsm, s.modem)

    acted = await till.until(80)

    # Still on cellular as far as the policy knows; WiFi usable since 11: fail back at 71.
    assert [(t.at, verbs(t)) for t in acted] == [(71.0, FAILBACK)]
    assert not await modem_up(control)


async def test_network_manager_leaving_the_bus_and_coming_back_keeps_the_failover(
    private_bus: PrivateBus,
    connect_nm: Callable[[], MockNetworkManager],
    nm: MockNetworkManager,
    control: NetworkManagerControl,
    till: Till,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.network.monitor")
    s = await shop(nm)
    await nm.link_down(s.wifi)
    assert [(t.at, verbs(t)) for t in await till.until(5)] == [(3.0, FAILOVER)]

    # NetworkManager restarts: its bus name goes (the bus stays), and for a while nothing
    # answers to it (the bus cannot start it either).
    private_bus.activation(False)
    await nm.reload_bus_config()
    await nm.quit()
    # The bus says so at once: no turn waits out the control's timeout (2 s).
    async with asyncio.timeout(2.0):
        turns = [await till.monitor.step()]
        turns += await till.until(20)
    assert turns[0].observed is None  # no evidence: the state is kept, nothing is done
    assert turns[1:] == []
    assert till.monitor.state is not None
    assert till.monitor.state.on_cellular
    warnings = [r for r in caplog.records if "cannot read NetworkManager" in r.getMessage()]
    assert len(warnings) == 1  # said once, not every second

    # It takes its name again and finds the devices as they are: WiFi back, the modem up.
    private_bus.activation(True)
    await nm.reload_bus_config()
    fresh = connect_nm()
    s = await shop(fresh)
    assert s.modem is not None
    assert s.gsm is not None
    await fresh.activate(s.gsm, s.modem)
    till.clock.now = 30.0

    acted = await till.until(100)

    # WiFi usable from 30, when NetworkManager answered again: back to it after the 60 s hold.
    assert [(t.at, verbs(t)) for t in acted] == [(90.0, FAILBACK)]
    assert not await modem_up(control)
    assert any("NetworkManager answers again" in r.getMessage() for r in caplog.records)


async def test_the_monitor_reads_connectivity_per_device_when_there_is_one(
    nm: MockNetworkManager, control: NetworkManagerControl
) -> None:
    s = await shop(nm)
    await nm.device_connectivity(s.wifi, LIMITED)
    await nm.connectivity(FULL)

    wifi = (await control.observe()).device(LinkKind.WIFI)

    assert wifi is not None
    assert wifi.connectivity is Connectivity.LIMITED


async def test_the_agents_link_watch_sends_uploads_when_the_failover_lands(
    nm: MockNetworkManager, control: NetworkManagerControl, till: Till
) -> None:
    from kiosk.network.nm import NetworkManagerInfo
    from kiosk.sync.link_watch import LinkWatch

    s = await shop(nm)
    info, restored = NetworkManagerInfo(timeout=2.0), []
    watch = LinkWatch(info, lambda: restored.append(till.clock.now))
    try:
        assert (await watch.check()).kind is LinkKind.WIFI
        await nm.link_down(s.wifi)
        await nm.set_primary("/")  # NetworkManager drops the default route with the link
        assert (await watch.check()).kind is LinkKind.NONE
        await till.until(5)  # failed over at 3
        modem = (await control.observe()).device(LinkKind.CELLULAR)
        assert modem is not None
        # The mock does not route: as NetworkManager would, the modem now carries the default.
        await nm.set_primary(modem.active_connection, metered=1)

        link = await watch.check()

        assert (link.kind, link.metered) == (LinkKind.CELLULAR, True)
        assert restored == [6.0]  # the waiting uploads go now, over cellular
        assert watch.metered  # and the agent goes easy on the catalog
    finally:
        info.close()
