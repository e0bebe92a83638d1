"""kiosk.toml's [network] section: loaded and checked, and turned into the policy's settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config
from kiosk.network.settings import NetworkConfig, policy_settings, probe_host


def test_the_section_sets_the_hold_and_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[network]\nfail_back_hold_s = 120\nmax_switches_per_hour = 3\n")
    config = load_config(path, tmp_path, env=False)

    settings = policy_settings(config.network)

    assert (settings.hold_s, settings.max_switches_per_hour) == (120.0, 3)
    assert (settings.link_grace_s, settings.internet_grace_s) == (3.0, 10.0)  # the targets'


def test_the_defaults_are_the_issues() -> None:
    settings = policy_settings(NetworkConfig())
    assert (settings.hold_s, settings.max_switches_per_hour) == (60.0, 6)


@pytest.mark.parametrize("host", ["shop.example", "10.0.0.9", "[2001:db8::1]", "my-shop.co.uk", ""])
def test_a_probe_host_is_a_host(tmp_path: Path, host: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[network]\nprobe_host = "{host}"\n')
    assert load_config(path, tmp_path, env=False).network.probe_host == host


@pytest.mark.parametrize("host", ["shop.example/path", "has space", "http://x"])
def test_anything_else_is_refused(tmp_path: Path, host: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[network]\nprobe_host = "{host}"\n')
    with pytest.raises(ConfigError, match=r"network\.probe_host"):
        load_config(path, tmp_path, env=False)


def test_the_probe_asks_the_stores_host_unless_told_otherwise() -> None:
    assert probe_host(NetworkConfig(), "https://shop.example:8443/wp") == "shop.example"
    assert probe_host(NetworkConfig(probe_host="edge.example"), "https://shop.example") == (
        "edge.example"
    )
    assert probe_host(NetworkConfig(), "") == ""


def test_the_agents_failover_monitor_is_built_from_the_section() -> None:
    from kiosk.network.monitor import Monitor
    from kiosk.network.system import failover_monitor

    monitor = failover_monitor(
        NetworkConfig(fail_back_hold_s=90), "https://shop.example", lambda: False
    )

    assert isinstance(monitor, Monitor)
    assert monitor._settings.hold_s == 90.0
