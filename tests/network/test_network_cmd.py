"""`kiosk network ...` against dbusmock's NetworkManager on a private D-Bus.

The mock is set up over a connection of its own, closed before the command runs: the command's
asyncio.run is a loop of its own, and an sd-bus connection belongs to one loop.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from kiosk.cli import main
from tests.network.private_bus import PrivateBus

if TYPE_CHECKING:
    from tests.network.nm_mock import MockNetworkManager

pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None, reason="dbus-daemon is not installed (package `dbus`)"
)
T = TypeVar("T")


def on_mock(work: Callable[[MockNetworkManager], Awaitable[T]]) -> T:
    from tests.network.nm_mock import MockNetworkManager

    async def go() -> T:
        mock = MockNetworkManager()
        try:
            return await work(mock)
        finally:
            mock.close()

    return asyncio.run(go())


async def shop(nm: MockNetworkManager) -> tuple[str, str]:
    device, _, active = await nm.wifi("ShopNet", strength=70)
    await nm.set_primary(active)
    await nm.modem()
    return device, active


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def status(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, err = run(capsys, "network", "status", "--json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def test_status_names_the_uplink_and_what_failover_would_do(
    private_bus: PrivateBus, capsys: pytest.CaptureFixture[str]
) -> None:
    device, _ = on_mock(shop)

    data = status(capsys)

    assert data["uplink"] == {
        "kind": "wifi",
        "name": "ShopNet",
        "signal": 70,
        "metered": False,
        "label": "WiFi ShopNet 70%",
    }
    assert data["connectivity"] == "FULL"
    assert data["cellular_profile"] is True
    assert data["policy"] == {"actions": [], "reason": "WiFi is usable"}

    async def down(nm: MockNetworkManager) -> None:
        await nm.link_down(device)

    on_mock(down)
    data = status(capsys)
    assert data["policy"] == {
        "actions": ["activate cellular", "demote wifi"],
        "reason": "failover to cellular: WiFi without a link",
    }
    code, out, _ = run(capsys, "network", "status")
    assert code == 0
    assert "Failover:      activate cellular, demote wifi" in out


def test_status_without_network_manager_is_a_clear_failure(
    private_bus: PrivateBus, capsys: pytest.CaptureFixture[str]
) -> None:
    private_bus.stop()
    code, _, err = run(capsys, "network", "status")
    assert code == 1
    assert "cannot read NetworkManager" in err


def test_wifi_scan_lists_the_networks(
    private_bus: PrivateBus, capsys: pytest.CaptureFixture[str]
) -> None:
    on_mock(shop)
    code, out, err = run(capsys, "network", "wifi", "scan", "--json")
    assert code == 0, err
    assert json.loads(out) == {
        "networks": [{"ssid": "ShopNet", "signal": 70, "secured": True, "security": "WPA2"}]
    }
    code, out, _ = run(capsys, "network", "wifi", "scan")
    assert out.splitlines()[1].split() == ["ShopNet", "70%", "WPA2"]


def test_wifi_connect_joins_and_saves_the_network(
    private_bus: PrivateBus, capsys: pytest.CaptureFixture[str]
) -> None:
    on_mock(shop)
    code, out, err = run(capsys, "network", "wifi", "connect", "ShopNet", "--password", "s3cret-pw")
    assert (code, out) == (0, "Joined WiFi ShopNet\n"), err


def test_a_hidden_network_is_joined_without_a_scan_and_saved_as_hidden(
    private_bus: PrivateBus, capsys: pytest.CaptureFixture[str]
) -> None:
    async def hidden(nm: MockNetworkManager) -> str:
        device, _ = await shop(nm)
        await nm.join_hidden()
        return device

    device = on_mock(hidden)

    argv = ["network", "wifi", "connect", "ShopNet", "--password", "s3cret-pw", "--hidden"]
    code, out, err = run(capsys, *argv)

    assert (code, out) == (0, "Joined WiFi ShopNet\n"), err

    async def joined(nm: MockNetworkManager) -> tuple[list[list[Any]], list[str]]:
        calls = await nm.manager_calls()
        joins = [args for name, args in calls if name == "AddAndActivateConnection"]
        return joins, await nm.calls(device)

    joins, on_device = on_mock(joined)
    assert "RequestScan" not in on_device  # a hidden network is not looked for in a scan
    ((profile, _device, access_point),) = joins
    assert access_point[1] == "/"  # no access point to name: NetworkManager probes for it
    assert profile[1]["802-11-wireless"]["hidden"] == ("b", True)
    assert profile[1]["802-11-wireless"]["ssid"] == ("ay", b"ShopNet")
    assert profile[1]["802-11-wireless-security"]["key-mgmt"] == ("s", "wpa-psk")


def test_a_wrong_password_is_a_clear_error_and_leaves_no_profile(
    private_bus: PrivateBus, capsys: pytest.CaptureFixture[str]
) -> None:
    async def refusing(nm: MockNetworkManager) -> int:
        await shop(nm)
        await nm.refuse_password()
        return len(await nm.profiles())

    before = on_mock(refusing)

    code, _, err = run(capsys, "network", "wifi", "connect", "ShopNet", "--password", "wrong-pw1")

    assert code == 1
    assert err == "kiosk: the password for 'ShopNet' was not accepted\n"

    async def count(nm: MockNetworkManager) -> int:
        return len(await nm.profiles())

    assert on_mock(count) == before  # deleted again: autoconnect would retry it for ever


def test_a_join_that_never_finishes_gives_up_at_the_bound(
    private_bus: PrivateBus, capsys: pytest.CaptureFixture[str]
) -> None:
    async def stalling(nm: MockNetworkManager) -> int:
        await shop(nm)
        await nm.stall_activation()
        return len(await nm.profiles())

    before = on_mock(stalling)

    argv = ["network", "wifi", "connect", "ShopNet", "--password", "s3cret-pw", "--timeout", "0.3"]
    code, _, err = run(capsys, *argv)

    assert (code, err) == (1, "kiosk: 'ShopNet' did not connect within 0.3 s\n")

    async def count(nm: MockNetworkManager) -> int:
        return len(await nm.profiles())

    assert on_mock(count) == before


def test_a_network_out_of_range_says_so(
    private_bus: PrivateBus, capsys: pytest.CaptureFixture[str]
) -> None:
    on_mock(shop)
    code, _, err = run(capsys, "network", "wifi", "connect", "Elsewhere", "--password", "12345678")
    assert code == 1
    assert "no WiFi network 'Elsewhere' in range (use --hidden if it hides)" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["wifi", "connect", "ShopNet", "--password", "short"], "8 to 63 characters"),
        (["cellular", "set", "--apn", "bad apn"], "the APN must be"),
        (["cellular", "set", "--apn", "internet", "--pin", "12"], "4 to 8 digits"),
    ],
)
def test_bad_input_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, "network", *argv)
    assert code == 2
    assert message in err


def test_cellular_set_updates_the_gsm_profile(
    private_bus: PrivateBus, capsys: pytest.CaptureFixture[str]
) -> None:
    on_mock(shop)

    code, out, err = run(capsys, "network", "cellular", "set", "--apn", "pos.m2m", "--pin", "1234")

    assert (code, out) == (0, "Cellular APN set to pos.m2m with a SIM PIN\n"), err

    async def gsm(nm: MockNetworkManager) -> list[dict[str, Any]]:
        profiles = await nm.profiles()
        return [p["gsm"] for p in profiles.values() if "gsm" in p]

    (settings,) = on_mock(gsm)
    assert settings["apn"][1] == "pos.m2m"
    assert settings["pin"][1] == "1234"


def test_cellular_set_makes_the_profile_when_there_is_none(
    private_bus: PrivateBus, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "network", "cellular", "set", "--apn", "internet")
    assert code == 0, err

    async def gsm(nm: MockNetworkManager) -> list[dict[str, Any]]:
        return [p for p in (await nm.profiles()).values() if "gsm" in p]

    (profile,) = on_mock(gsm)
    assert profile["connection"]["id"][1] == "kiosk-cellular"
    assert profile["connection"]["autoconnect"][1] is False
    assert profile["ipv4"]["route-metric"][1] == 700


def test_kiosk_status_names_the_uplink_with_signal_and_cost(
    private_bus: PrivateBus, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    async def on_cellular(nm: MockNetworkManager) -> None:
        await nm.wifi("ShopNet", strength=70)
        await nm.set_primary(await nm.cellular("Vodafone"), metered=1)
        await nm.modem_signal(58)

    on_mock(on_cellular)

    code, out, err = run(capsys, "--data-dir", str(tmp_path), "status", "--json")

    assert code == 0, err
    assert json.loads(out)["uplink"] == {
        "kind": "cellular",
        "name": "Vodafone",
        "signal": 58,
        "metered": True,
        "label": "Cellular 58%",
    }
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "status")
    assert "Uplink:   Cellular 58% (metered)" in out.splitlines()
    assert status(capsys)["uplink"]["label"] == "Cellular 58%"  # `kiosk network status` too


def test_kiosk_status_without_network_manager_says_unknown(
    private_bus: PrivateBus, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    private_bus.stop()
    code, out, err = run(capsys, "--data-dir", str(tmp_path), "status", "--json")
    assert code == 0, err
    assert json.loads(out)["uplink"]["kind"] == "unknown"


def test_cellular_set_check_names_a_wrong_sim_pin(
    private_bus: PrivateBus, capsys: pytest.CaptureFixture[str]
) -> None:
    async def refusing(nm: MockNetworkManager) -> None:
        await shop(nm)
        await nm.refuse_cellular(34)  # NMDeviceStateReason GSM_PIN_CHECK_FAILED

    on_mock(refusing)

    argv = ["network", "cellular", "set", "--apn", "internet", "--pin", "0000", "--check"]
    code, out, err = run(capsys, *argv)

    assert code == 1
    assert out == "Cellular APN set to internet with a SIM PIN\n"
    assert err == "kiosk: the SIM refused its PIN: set the right one with --pin\n"


def test_cellular_set_check_says_the_link_works(
    private_bus: PrivateBus, capsys: pytest.CaptureFixture[str]
) -> None:
    on_mock(shop)
    code, out, err = run(capsys, "network", "cellular", "set", "--apn", "internet", "--check")
    assert code == 0, err
    assert out.splitlines()[-1] == "The cellular link came up: the SIM and APN work"


@pytest.mark.parametrize("code", ["GBR", "1", "United Kingdom"])
def test_a_wifi_country_that_is_not_two_letters_exits_2(
    capsys: pytest.CaptureFixture[str], code: str
) -> None:
    status, _, err = run(capsys, "network", "wifi", "country", code)
    assert status == 2
    assert "two-letter code such as GB" in err
