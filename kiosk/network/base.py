"""What link the device is on now (WiFi, cellular, ethernet), behind a narrow Protocol.

The status bar shows `Link.label`; the NetworkManager reader (nm.py) and the fake (fake.py) sit
behind `NetworkInfo`, so nothing above this package imports a D-Bus library.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable


class LinkKind(StrEnum):
    """The kind of the link that carries the device's traffic (NetworkManager's primary one)."""

    WIFI = "wifi"
    CELLULAR = "cellular"
    ETHERNET = "ethernet"
    NONE = "none"  # no connection at all: the device is offline
    UNKNOWN = "unknown"  # we could not ask (no D-Bus, no NetworkManager) or cannot name the link


@dataclass(frozen=True, slots=True)
class Link:
    kind: LinkKind
    name: str = ""  # the WiFi network's SSID, or the connection's name
    signal: int | None = None  # strength in percent (0..100) where the link has one
    metered: bool = False  # data costs money (a phone hotspot, a SIM): sync may go easy on it

    @property
    def label(self) -> str:
        """The link in a few words for the status bar, e.g. "WiFi ShopNet 72%"."""
        if self.kind is LinkKind.WIFI:
            return _join("WiFi", self.name, self.signal)
        if self.kind is LinkKind.CELLULAR:
            return _join("Cellular", "", self.signal)
        if self.kind is LinkKind.ETHERNET:
            return "Ethernet"
        if self.kind is LinkKind.NONE:
            return "No network"
        return "Network unknown"

    @property
    def summary(self) -> str:
        """The label with the cost of data, for status lines: "Cellular 63% (metered)"."""
        return self.label + (" (metered)" if self.metered else "")

    def as_dict(self) -> dict[str, object]:
        """The link as `kiosk status --json` and `kiosk network status --json` print it."""
        return {
            "kind": self.kind.value,
            "name": self.name or None,
            "signal": self.signal,
            "metered": self.metered,
            "label": self.label,
        }


def _join(word: str, name: str, signal: int | None) -> str:
    parts = [word]
    if name:
        parts.append(name)
    if signal is not None:
        parts.append(f"{signal}%")
    return " ".join(parts)


NO_NETWORK = Link(LinkKind.NONE)
UNKNOWN = Link(LinkKind.UNKNOWN)


@runtime_checkable
class NetworkInfo(Protocol):
    """Reads the device's current link.

    Contract: `current` never raises for a network or D-Bus fault (only for cancellation): when
    it cannot find out, it returns a Link of kind UNKNOWN and logs the cause once, not on every
    call, so a status bar can poll it every few seconds.
    """

    async def current(self) -> Link: ...
