"""The monitor's own behaviour over a fake Control: probing, refused actions, a silent bus."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from kiosk.network.base import LinkKind
from kiosk.network.control import Device, Snapshot
from kiosk.network.failover import Connectivity
from kiosk.network.fake import FakeControl
from kiosk.network.monitor import Monitor
from kiosk.network.probe import TcpProbe

WIFI_UP = Device(LinkKind.WIFI, "/d/wlan0", "wlan0", True, Connectivity.FULL, "/a/wifi")
WIFI_DOWN = Device(LinkKind.WIFI, "/d/wlan0", "wlan0", False, Connectivity.UNKNOWN)
MODEM = Device(LinkKind.CELLULAR, "/d/wwan0", "wwan0", False, Connectivity.UNKNOWN)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Probe:
    def __init__(self) -> None:
        self.answer: bool | None = True
        self.asked: list[tuple[float, str]] = []
        self.clock: Clock | None = None

    async def reachable(self, interface: str) -> bool | None:
        self.asked.append((self.clock() if self.clock else 0.0, interface))
        return self.answer


def setup(devices: tuple[Device, ...]) -> tuple[Monitor, FakeControl, Probe, Clock]:
    control = FakeControl(Snapshot(devices, cellular_profile="/s/gsm"))
    probe, clock = Probe(), Clock()
    probe.clock = clock
    return Monitor(control, probe, clock=clock, probe_s=5), control, probe, clock


async def turns(monitor: Monitor, clock: Clock, until: float) -> None:
    while clock.now <= until:
        await monitor.step()
        clock.now += 1


async def test_the_probe_runs_every_probe_interval_on_connected_primaries_only() -> None:
    monitor, control, probe, clock = setup((WIFI_UP, MODEM))
    await turns(monitor, clock, 11)
    assert probe.asked == [(0.0, "wlan0"), (5.0, "wlan0"), (10.0, "wlan0")]
    control.snapshot = Snapshot((WIFI_DOWN, MODEM), cellular_profile="/s/gsm")
    await turns(monitor, clock, 20)
    assert len(probe.asked) == 3  # no link, nothing to probe


async def test_a_refused_action_is_logged_and_the_rest_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    monitor, control, _, clock = setup((WIFI_DOWN, MODEM))
    control.refuse.add("activate cellular")
    await turns(monitor, clock, 2)

    turn = await monitor.step()

    assert control.actions == ["activate cellular", "demote wifi"]
    assert turn.failed == ("activate cellular",)
    assert "network: activate cellular failed: refused" in caplog.messages


async def test_an_unreadable_network_manager_is_logged_once_and_changes_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.network.monitor")
    monitor, control, _, clock = setup((WIFI_UP, MODEM))
    await turns(monitor, clock, 1)
    control.down = True
    await turns(monitor, clock, 30)
    control.down = False
    await turns(monitor, clock, 31)

    assert control.actions == []
    assert sum("cannot read NetworkManager" in m for m in caplog.messages) == 1
    assert "network: NetworkManager answers again" in caplog.messages


@pytest.fixture
async def listening() -> AsyncIterator[int]:
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield port


async def test_the_tcp_probe_connects_through_the_interface(listening: int) -> None:
    # These machines run the tests as root, or on Linux 5.7+, where any user may bind.
    assert await TcpProbe("127.0.0.1", listening, timeout=2).reachable("lo") is True
    # Port 1: nothing listens, the connect is refused at once.
    assert await TcpProbe("127.0.0.1", 1, timeout=2).reachable("lo") is False
    # An interface that is not there (WiFi unplugged between the read and the probe).
    assert await TcpProbe("127.0.0.1", listening, timeout=2).reachable("nope0") is False


async def test_the_tcp_probe_without_a_host_has_no_opinion() -> None:
    assert await TcpProbe("").reachable("wlan0") is None
