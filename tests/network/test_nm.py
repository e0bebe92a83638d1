"""NetworkManagerInfo against a real D-Bus: a private bus with dbusmock's NetworkManager on it.

sdbus is imported by the fixtures, not here: without it (a venv that `make` has not updated yet)
these tests fail on their own instead of stopping the collection of the whole suite.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from kiosk.network.base import Link, LinkKind, NetworkInfo
from tests.network.private_bus import PrivateBus

if TYPE_CHECKING:
    from kiosk.network.nm import NetworkManagerInfo
    from tests.network.nm_mock import MockNetworkManager

pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None,
    reason="dbus-daemon is not installed (Debian package `dbus`; `make test` installs it as root)",
)

METERED_YES, METERED_GUESS_YES, METERED_NO = 1, 3, 2  # NMMetered
NM_LOGGER = "kiosk.network.nm"


def warnings_from_nm(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == NM_LOGGER and r.levelno >= logging.WARNING
    ]


async def test_wifi_names_the_network_and_its_strength(
    nm: MockNetworkManager, info: NetworkManagerInfo
) -> None:
    assert isinstance(info, NetworkInfo)
    _, _, active = await nm.wifi("ShopNet", strength=72)
    await nm.set_primary(active, metered=METERED_NO)

    link = await info.current()

    assert link == Link(LinkKind.WIFI, name="ShopNet", signal=72, metered=False)
    assert link.label == "WiFi ShopNet 72%"


async def test_a_phone_hotspot_is_metered(nm: MockNetworkManager, info: NetworkManagerInfo) -> None:
    _, _, active = await nm.wifi("Pixel hotspot", strength=40)
    await nm.set_primary(active, metered=METERED_GUESS_YES)

    assert await info.current() == Link(
        LinkKind.WIFI, name="Pixel hotspot", signal=40, metered=True
    )


async def test_wifi_between_access_points_shows_the_connection_without_strength(
    nm: MockNetworkManager, info: NetworkManagerInfo
) -> None:
    device, ap, active = await nm.wifi("ShopNet", strength=72)
    await nm.set_primary(active)
    # The device still points at an access point that has just gone (roaming).
    await nm.remove_access_point(device, ap)

    link = await info.current()

    # The connection's name (NetworkManager names a WiFi connection after its SSID) stays.
    assert link == Link(LinkKind.WIFI, name="ShopNet")
    assert link.label == "WiFi ShopNet"


async def test_ethernet(nm: MockNetworkManager, info: NetworkManagerInfo) -> None:
    active = await nm.ethernet()
    await nm.set_primary(active, metered=METERED_NO)

    link = await info.current()

    assert link == Link(LinkKind.ETHERNET, name="Wired connection 1")
    assert link.label == "Ethernet"


async def test_cellular_is_a_gsm_connection_and_metered(
    nm: MockNetworkManager, info: NetworkManagerInfo
) -> None:
    await nm.ethernet()  # present but not primary: the default route goes over the modem
    active = await nm.cellular("Vodafone")
    await nm.set_primary(active, metered=METERED_YES)

    link = await info.current()

    # ModemManager knows no modem behind it: the link is named without a strength.
    assert link == Link(LinkKind.CELLULAR, name="Vodafone", metered=True)
    assert link.label == "Cellular"


async def test_cellular_strength_is_modem_managers_signal_quality(
    nm: MockNetworkManager, info: NetworkManagerInfo
) -> None:
    active = await nm.cellular("Vodafone")
    await nm.set_primary(active, metered=METERED_YES)
    await nm.modem_signal(63)

    link = await info.current()

    assert link == Link(LinkKind.CELLULAR, name="Vodafone", signal=63, metered=True)
    assert link.label == "Cellular 63%"
    await nm.modem_signal(21)  # the modem moves: the next reading follows
    assert (await info.current()).signal == 21


async def test_no_primary_connection_is_no_network(
    nm: MockNetworkManager, info: NetworkManagerInfo
) -> None:
    await nm.wifi("ShopNet", strength=72)  # a device with an active connection that is not primary
    await nm.set_primary("/")

    link = await info.current()

    assert link == Link(LinkKind.NONE)
    assert link.label == "No network"


async def test_a_link_we_do_not_name_is_unknown_but_not_a_fault(
    nm: MockNetworkManager, info: NetworkManagerInfo, caplog: pytest.LogCaptureFixture
) -> None:
    active = await nm.vpn()
    await nm.set_primary(active)

    assert await info.current() == Link(LinkKind.UNKNOWN, name="Office VPN")
    assert warnings_from_nm(caplog) == []


async def test_the_bus_going_away_reads_unknown_logs_once_and_recovers(
    private_bus: PrivateBus,
    connect_nm: Callable[[], MockNetworkManager],
    nm: MockNetworkManager,
    info: NetworkManagerInfo,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=NM_LOGGER)
    _, _, active = await nm.wifi("ShopNet", strength=72)
    await nm.set_primary(active)
    assert (await info.current()).kind is LinkKind.WIFI

    private_bus.stop()
    first = await info.current()
    second = await info.current()

    assert first == second == Link(LinkKind.UNKNOWN)
    assert first.label == "Network unknown"
    warnings = warnings_from_nm(caplog)
    assert len(warnings) == 1, warnings
    assert private_bus.address in warnings[0]

    # D-Bus comes back (a fresh NetworkManager with it): the same reader picks it up.
    private_bus.start()
    fresh = connect_nm()
    await fresh.set_primary(await fresh.ethernet())
    assert (await info.current()).kind is LinkKind.ETHERNET
    assert len(warnings_from_nm(caplog)) == 1
    assert "NetworkManager answers again: the link is Ethernet" in caplog.messages


async def test_network_manager_leaving_the_bus_and_coming_back_is_read_again_at_once(
    private_bus: PrivateBus,
    connect_nm: Callable[[], MockNetworkManager],
    nm: MockNetworkManager,
    info: NetworkManagerInfo,
) -> None:
    await nm.set_primary(await nm.ethernet())
    assert (await info.current()).kind is LinkKind.ETHERNET
    private_bus.activation(False)  # gone, and the bus cannot start it for now
    await nm.reload_bus_config()
    await nm.quit()

    # The bus answers for it at once (it cannot be started): no call waits for its timeout.
    async with asyncio.timeout(1.0):
        assert await info.current() == Link(LinkKind.UNKNOWN)
        assert await info.current() == Link(LinkKind.UNKNOWN)

    private_bus.activation(True)
    await nm.reload_bus_config()
    fresh = connect_nm()
    _, _, wifi = await fresh.wifi("ShopNet", strength=72)
    await fresh.set_primary(wifi)
    # Read on the same connection, well inside the reader's timeout (a reopened sd-bus
    # connection would wait it out: see nm.connection_broken).
    async with asyncio.timeout(1.0):
        assert (await info.current()).name == "ShopNet"


async def test_a_wedged_network_manager_reads_unknown_within_the_timeout(
    nm: MockNetworkManager, caplog: pytest.LogCaptureFixture
) -> None:
    active = await nm.ethernet()
    await nm.set_primary(active)
    from kiosk.network.nm import NetworkManagerInfo

    info = NetworkManagerInfo(timeout=0.3)
    pid = await nm.pid()
    os.kill(pid, signal.SIGSTOP)  # NetworkManager stops answering but keeps its bus name
    try:
        link = await info.current()
    finally:
        os.kill(pid, signal.SIGCONT)
        info.close()

    assert link == Link(LinkKind.UNKNOWN)
    assert any("no answer in time" in w for w in warnings_from_nm(caplog))


async def test_the_apps_reader_loads_networkmanager_off_the_loop_then_reads_it(
    nm: MockNetworkManager,
) -> None:
    from kiosk.network.system import SystemNetworkInfo

    _, _, active = await nm.wifi("ShopNet", strength=72)
    await nm.set_primary(active)
    reader = SystemNetworkInfo()
    assert (await reader.current()).kind is LinkKind.UNKNOWN  # still loading: not waited for
    assert reader._loading is not None
    await reader._loading
    assert await reader.current() == Link(LinkKind.WIFI, name="ShopNet", signal=72)
