"""system/NetworkManager and system/polkit: the files parse as their readers read them, every
setting is explained, and they give what the failover policy relies on."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest

from kiosk.network.base import LinkKind
from kiosk.network.control import DEMOTION, ROUTE_METRICS

SYSTEM = Path(__file__).resolve().parents[2] / "system"
NM = SYSTEM / "NetworkManager"
PROFILES = {
    LinkKind.ETHERNET: NM / "system-connections" / "kiosk-ethernet.nmconnection",
    LinkKind.WIFI: NM / "system-connections" / "kiosk-wifi.nmconnection",
    LinkKind.CELLULAR: NM / "system-connections" / "kiosk-cellular.nmconnection",
}
CONF = NM / "conf.d" / "90-kiosk.conf"
POLKIT = SYSTEM / "polkit" / "rules.d" / "50-kiosk-network.rules"


def keyfile(path: Path) -> configparser.ConfigParser:
    """The file as a GLib key file (NetworkManager's format); fails on what it would not take."""
    parser = configparser.ConfigParser(
        interpolation=None, comment_prefixes=("#",), delimiters=("=",), strict=True
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(path.read_text(), source=str(path))
    return parser


@pytest.mark.parametrize("path", [CONF, *PROFILES.values()], ids=lambda p: p.name)
def test_every_setting_has_a_comment_above_it(path: Path) -> None:
    keyfile(path)
    lines = path.read_text().splitlines()
    for n, line in enumerate(lines):
        if line and not line.startswith(("#", "[")):
            assert "=" in line, f"{path.name}:{n + 1}: not a setting: {line!r}"
            assert lines[n - 1].startswith("#"), f"{path.name}:{n + 1}: {line!r} says not why"


def test_the_route_metrics_order_ethernet_wifi_cellular() -> None:
    for kind, path in PROFILES.items():
        profile = keyfile(path)
        for family in ("ipv4", "ipv6"):
            assert profile[family]["route-metric"] == str(ROUTE_METRICS[kind]), (path.name, family)
    assert ROUTE_METRICS == {LinkKind.ETHERNET: 100, LinkKind.WIFI: 600, LinkKind.CELLULAR: 700}
    # A demoted primary is behind cellular, as the failover needs.
    assert ROUTE_METRICS[LinkKind.ETHERNET] + DEMOTION > ROUTE_METRICS[LinkKind.CELLULAR]


def test_autoconnect_priorities_and_cellular_left_to_the_policy() -> None:
    conn = {kind: keyfile(path)["connection"] for kind, path in PROFILES.items()}
    priority = {kind: int(c["autoconnect-priority"]) for kind, c in conn.items()}
    assert priority[LinkKind.ETHERNET] > priority[LinkKind.WIFI] > priority[LinkKind.CELLULAR]
    assert conn[LinkKind.ETHERNET]["autoconnect"] == conn[LinkKind.WIFI]["autoconnect"] == "true"
    assert conn[LinkKind.CELLULAR]["autoconnect"] == "false"  # the monitor brings it up
    assert {c["type"] for c in conn.values()} == {"ethernet", "wifi", "gsm"}
    assert all(c["autoconnect-retries"] == "0" for c in conn.values())


def test_the_templates_name_their_placeholders() -> None:
    wifi = keyfile(PROFILES[LinkKind.WIFI])
    assert (wifi["wifi"]["ssid"], wifi["wifi"]["hidden"]) == ("@SSID@", "@HIDDEN@")
    assert wifi["wifi-security"]["psk"] == "@PSK@"
    gsm = keyfile(PROFILES[LinkKind.CELLULAR])["gsm"]
    assert (gsm["apn"], gsm["pin"]) == ("@APN@", "@PIN@")
    assert "@" not in PROFILES[LinkKind.ETHERNET].read_text()


def test_the_connectivity_check_is_configured_and_quick() -> None:
    conf = keyfile(CONF)
    check = conf["connectivity"]
    assert check["enabled"] == "true"
    assert re.fullmatch(r"https?://[^\s/]+/\S*", check["uri"])
    assert check["response"]
    # Fast enough that a dead internet is seen, and failed over, inside the 30 s target.
    assert 1 <= int(check["interval"]) <= 15
    assert conf["main"]["no-auto-default"] == "*"


def test_polkit_lets_the_kiosk_user_manage_connections_and_nothing_more() -> None:
    text = POLKIT.read_text()
    code = "\n".join(line.split("//")[0] for line in text.splitlines())
    listed = re.search(r"var KIOSK_NETWORK_ACTIONS = \[(.*?)\];", code, re.S)
    assert listed
    actions = set(re.findall(r'"([^"]+)"', listed[1]))
    assert actions == {
        "org.freedesktop.NetworkManager.network-control",
        "org.freedesktop.NetworkManager.settings.modify.system",
        "org.freedesktop.NetworkManager.wifi.scan",
    }
    assert 'subject.user == "kiosk"' in code
    assert code.count("polkit.Result.YES") == 1
    # No prefix or wildcard match that would grant every NetworkManager action.
    assert 'indexOf("org.' not in code
    assert "*" not in code
    assert code.count("{") == code.count("}")
    assert code.count("(") == code.count(")")
