"""What the failover monitor sees of NetworkManager and asks of it, as plain values and Protocols.

nm_control.py fills these in over D-Bus; the monitor and the tests use them without sdbus.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kiosk.network.base import LinkKind
from kiosk.network.failover import Action, Connectivity

NO_OBJECT = "/"  # D-Bus's "none" for an object path
# The route metrics system/NetworkManager ships (the lowest carries the default route). A demoted
# primary gets NetworkManager's own penalty for a device without full connectivity on top: above
# cellular's, yet a demoted Ethernet still ranks before a demoted WiFi.
ROUTE_METRICS = {LinkKind.ETHERNET: 100, LinkKind.WIFI: 600, LinkKind.CELLULAR: 700}
DEMOTION = 20000


@dataclass(frozen=True, slots=True)
class Device:
    """One network device of a kind the policy knows (Ethernet, WiFi, a modem)."""

    kind: LinkKind
    path: str
    interface: str  # the IP interface (wlan0, wwan0), what a probe binds to
    connected: bool  # NMDeviceState ACTIVATED
    connectivity: Connectivity  # NetworkManager's check through this device
    active_connection: str = NO_OBJECT


@dataclass(frozen=True, slots=True)
class Snapshot:
    """NetworkManager's devices at one moment, and the cellular profile the policy may activate."""

    devices: tuple[Device, ...] = ()
    cellular_profile: str | None = None  # the gsm connection's settings path, if there is one
    connectivity: Connectivity = Connectivity.UNKNOWN  # NetworkManager's overall verdict

    def device(self, kind: LinkKind) -> Device | None:
        """The device of `kind` that is connected, else the first of that kind, else None."""
        of_kind = [d for d in self.devices if d.kind is kind]
        return next((d for d in of_kind if d.connected), of_kind[0] if of_kind else None)


class Control(Protocol):
    """Reads NetworkManager and carries out the policy's actions.

    Contract: `observe` raises `ControlError` when NetworkManager cannot be read (the bus is gone,
    it is restarting); `act` raises it when an action was refused; nothing else escapes either.
    """

    async def observe(self) -> Snapshot: ...

    async def act(self, action: Action, snapshot: Snapshot) -> None: ...


class ControlError(Exception):
    """NetworkManager could not be read, or refused an action; the message says which."""


class Probe(Protocol):
    """Can the store's host be reached through the interface `interface`?

    Contract: returns within its own timeout; True or False is evidence, None means it could not
    tell (no host configured, not allowed to bind to the interface), which the policy ignores.
    """

    async def reachable(self, interface: str) -> bool | None: ...
