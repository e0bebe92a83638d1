"""Joining the provisioning file's WiFi: a narrow Protocol, NetworkManager's way, and a fake.

NmWifi goes through kiosk/network/nm_setup.py (what `kiosk network wifi connect` does), so
sdbus is imported only when a network is really joined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class WifiError(Exception):
    """The network was not joined; the message says why, in words."""


class WifiJoiner(Protocol):
    async def join(self, ssid: str, password: str | None, *, hidden: bool) -> None:
        """Join `ssid` and return once the link is up; WifiError says why it is not."""
        ...


class NmWifi:
    """WiFi through NetworkManager on the system bus."""

    def __init__(self, wait_s: float = 30.0) -> None:
        self.wait_s = wait_s

    async def join(self, ssid: str, password: str | None, *, hidden: bool) -> None:
        try:
            from kiosk.network import nm_setup
        except ImportError:
            raise WifiError(
                "NetworkManager's bindings (sdbus) are not installed, so no WiFi can be joined"
            ) from None
        try:
            bus = nm_setup.open_bus()
            try:
                await nm_setup.connect(bus, ssid, password, hidden=hidden, wait_s=self.wait_s)
            finally:
                bus.close()
        except nm_setup.SetupError as exc:
            raise WifiError(str(exc)) from None


@dataclass
class FakeWifi:
    """Joins what is in `networks` (ssid -> password, None for open); records every attempt."""

    networks: dict[str, str | None] = field(default_factory=dict)
    joined: list[str] = field(default_factory=list)

    async def join(self, ssid: str, password: str | None, *, hidden: bool) -> None:
        self.joined.append(ssid)
        if ssid not in self.networks:
            raise WifiError(f"no WiFi network {ssid!r} in range")
        if self.networks[ssid] != password:
            raise WifiError(f"the password for {ssid!r} was not accepted")
