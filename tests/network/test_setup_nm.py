"""The setup wizard's network step, as nm_setup serves it, against dbusmock's NetworkManager.

WPA2 and WPA3 personal, hidden networks, and the errors: a wrong password or SIM PIN is an error
in words, and a link that never comes up gives up at its bound on the injected clock.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.network.private_bus import PrivateBus

if TYPE_CHECKING:
    from sdbus import SdBus

    from tests.network.nm_mock import MockNetworkManager

pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None, reason="dbus-daemon is not installed (package `dbus`)"
)

PSK, SAE = 0x100, 0x400  # NM80211ApSecurityFlags KEY_MGMT_PSK, KEY_MGMT_SAE
PIN_CHECK_FAILED, SIM_NOT_INSERTED, SIM_PIN_REQUIRED, SIM_PUK_REQUIRED = 34, 45, 46, 47
NO_SECRETS = 7


class Clock:
    """Time that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps = 0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        self.now += seconds


@pytest.fixture
def bus(private_bus: PrivateBus) -> Iterator[SdBus]:
    from kiosk.network import nm_setup

    b = nm_setup.open_bus(timeout=5.0)
    yield b
    b.close()


async def joins(nm: MockNetworkManager) -> list[dict[str, Any]]:
    """The profiles AddAndActivateConnection was given, oldest first."""
    return [
        args[0][1] for name, args in await nm.manager_calls() if name == "AddAndActivateConnection"
    ]


async def test_a_scan_names_each_networks_security(nm: MockNetworkManager, bus: SdBus) -> None:
    from kiosk.network import nm_setup

    device, _, _ = await nm.wifi("ShopNet", strength=70, security=PSK)
    await nm.access_point(device, "ap1", "Cafe6E", 60, SAE)
    await nm.access_point(device, "ap2", "Office", 50, PSK | SAE)
    await nm.access_point(device, "ap3", "Guests", 40, 0)

    found = await nm_setup.scan(bus)

    assert [(n.ssid, n.security, n.secured) for n in found] == [
        ("ShopNet", "WPA2", True),
        ("Cafe6E", "WPA3", True),
        ("Office", "WPA2/WPA3", True),
        ("Guests", "open", False),
    ]


@pytest.mark.parametrize(
    ("ssid", "key_mgmt"),
    [("Cafe6E", "sae"), ("Office", "wpa-psk"), ("ShopNet", "wpa-psk")],
)
async def test_a_network_in_range_is_joined_as_its_access_point_asks(
    nm: MockNetworkManager, bus: SdBus, ssid: str, key_mgmt: str
) -> None:
    from kiosk.network import nm_setup

    device, _, _ = await nm.wifi("ShopNet", strength=70, security=PSK)
    await nm.access_point(device, "ap1", "Cafe6E", 60, SAE)  # WPA3 only: SAE
    await nm.access_point(device, "ap2", "Office", 50, PSK | SAE)  # transition: WPA2 will do
    await nm.can_join_wpa3()

    await nm_setup.connect(bus, ssid, "s3cret-pw")

    (profile,) = await joins(nm)
    assert profile["802-11-wireless-security"]["key-mgmt"] == ("s", key_mgmt)
    assert profile["802-11-wireless-security"]["psk"] == ("s", "s3cret-pw")


async def test_a_hidden_wpa3_network_is_joined_with_sae(nm: MockNetworkManager, bus: SdBus) -> None:
    from kiosk.network import nm_setup

    await nm.wifi("ShopNet", strength=70)
    await nm.join_hidden()

    await nm_setup.connect(bus, "ShopNet", "s3cret-pw", hidden=True, wpa3=True)

    (profile,) = await joins(nm)
    assert profile["802-11-wireless"]["hidden"] == ("b", True)
    assert profile["802-11-wireless-security"]["key-mgmt"] == ("s", "sae")


async def test_a_secured_network_without_a_password_says_so_before_trying(
    nm: MockNetworkManager, bus: SdBus
) -> None:
    from kiosk.network import nm_setup

    await nm.wifi("ShopNet", strength=70)
    with pytest.raises(nm_setup.WrongPassword, match=r"'ShopNet' needs a password \(WPA2\)"):
        await nm_setup.connect(bus, "ShopNet", None)
    assert await joins(nm) == []


async def test_a_wrong_password_fails_at_once_not_at_the_bound(
    nm: MockNetworkManager, bus: SdBus
) -> None:
    from kiosk.network import nm_setup

    await nm.wifi("ShopNet", strength=70)
    await nm.refuse_password()
    clock = Clock()

    with pytest.raises(nm_setup.WrongPassword, match="the password for 'ShopNet' was not accepted"):
        await nm_setup.connect(
            bus, "ShopNet", "wrong-pw1", wait_s=30, clock=clock, sleep=clock.sleep
        )

    assert clock.now < 1  # told on the first look, not after 30 s


async def test_a_join_that_never_finishes_gives_up_at_its_bound_on_the_clock(
    nm: MockNetworkManager, bus: SdBus
) -> None:
    from kiosk.network import nm_setup

    await nm.wifi("ShopNet", strength=70)
    await nm.stall_activation()
    before = len(await nm.profiles())
    clock = Clock()

    with pytest.raises(nm_setup.SetupError, match="'ShopNet' did not connect within 30 s"):
        await nm_setup.connect(
            bus, "ShopNet", "s3cret-pw", wait_s=30, clock=clock, sleep=clock.sleep
        )

    assert 30 <= clock.now < 30.5  # polled every 0.2 s up to the bound, then no more
    assert len(await nm.profiles()) == before  # the half-made profile is gone


@pytest.mark.parametrize(
    ("reason", "error", "words"),
    [
        (PIN_CHECK_FAILED, "WrongPin", "the SIM refused its PIN: set the right one with --pin"),
        (SIM_PIN_REQUIRED, "WrongPin", "the SIM needs its PIN: set it with --pin"),
        (SIM_PUK_REQUIRED, "WrongPin", "the SIM is locked after wrong PINs"),
        (SIM_NOT_INSERTED, "SetupError", "there is no SIM card in the modem"),
    ],
)
async def test_a_sim_that_refuses_is_a_clear_error_at_once(
    nm: MockNetworkManager, bus: SdBus, reason: int, error: str, words: str
) -> None:
    from kiosk.network import nm_setup

    await nm.modem()
    await nm.refuse_cellular(reason)
    await nm_setup.set_cellular(bus, "internet", "1234")
    clock = Clock()

    with pytest.raises(nm_setup.SetupError, match=words) as raised:
        await nm_setup.check_cellular_link(bus, wait_s=60, clock=clock, sleep=clock.sleep)

    assert type(raised.value).__name__ == error
    assert clock.now < 1


async def test_a_working_sim_comes_up_once_and_goes_down_again(
    nm: MockNetworkManager, bus: SdBus
) -> None:
    from kiosk.network import nm_setup

    _, profile = await nm.modem()
    await nm_setup.set_cellular(bus, "pos.m2m", "1234")

    await nm_setup.check_cellular_link(bus)

    calls = [name for name, _ in await nm.manager_calls()]
    assert calls.count("ActivateConnection") == 1
    assert calls.count("DeactivateConnection") == 1  # the failover brings it up when needed
    assert (await nm.settings_of(profile))["gsm"]["pin"][1] == "1234"


async def test_a_cellular_link_that_never_comes_up_gives_up_at_its_bound(
    nm: MockNetworkManager, bus: SdBus
) -> None:
    from kiosk.network import nm_setup

    await nm.modem()
    await nm.stall_cellular()
    clock = Clock()

    with pytest.raises(nm_setup.SetupError, match="did not come up within 60 s"):
        await nm_setup.check_cellular_link(bus, wait_s=60, clock=clock, sleep=clock.sleep)

    assert 60 <= clock.now < 61
    assert "DeactivateConnection" in [name for name, _ in await nm.manager_calls()]


async def test_no_modem_is_said_plainly(nm: MockNetworkManager, bus: SdBus) -> None:
    from kiosk.network import nm_setup

    await nm.wifi("ShopNet", strength=70)
    with pytest.raises(nm_setup.SetupError, match="no modem that NetworkManager manages"):
        await nm_setup.check_cellular_link(bus)
