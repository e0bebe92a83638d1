"""The failover's settings as kiosk.toml's [network] section gives them: plain values.

Declared here, by the package that uses them, so that network never imports the settings loader
(kiosk.config loads and checks this section like any other).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from kiosk.network.failover import Settings


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    fail_back_hold_s: int = 60  # WiFi usable this long before the till leaves cellular
    max_switches_per_hour: int = 6  # failovers and fail-backs together; then it stays on cellular
    probe_host: str = ""  # whose reachability decides "internet gone"; "" is the store's host
    probe_port: int = 443  # a TCP connect to it, no request


def policy_settings(network: NetworkConfig) -> Settings:
    """The failover policy's settings from the [network] section (the graces keep their targets)."""
    return Settings(
        hold_s=float(network.fail_back_hold_s), max_switches_per_hour=network.max_switches_per_hour
    )


def probe_host(network: NetworkConfig, store_url: str) -> str:
    """The host to probe: the configured one, else the store's, else none."""
    return network.probe_host or (urlsplit(store_url).hostname or "")
