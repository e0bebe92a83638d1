"""The failover monitor's Control over NetworkManager's D-Bus API (sdbus-networkmanager 2.0).

What it relies on, from NetworkManager's D-Bus reference:
- Manager.Devices; each Device's DeviceType (1 Ethernet, 2 WiFi, 8 modem), State (100 is
  ACTIVATED), IpInterface and ActiveConnection; Device.Ip4Connectivity (NM 1.16+) is the
  connectivity check's result through that device. Without it (older NM, the test mock) the
  Manager's Connectivity stands for the connected primaries while cellular is down, and for none
  of them once cellular is up (it is then cellular's verdict).
- Settings.ListConnections and Connection.GetSettings find the gsm profile (connection.type).
- Manager.ActivateConnection(profile, device, "/") brings cellular up; DeactivateConnection(the
  modem's ActiveConnection) takes it down.
- Demoting or restoring a primary changes ipv4/ipv6.route-metric with Connection.UpdateUnsaved
  (in memory: a reboot reads the shipped metrics from disk again, so no demotion outlives the
  policy that made it) and then Device.Reapply({}, 0, 0) on a connected device: an empty
  connection reapplies the profile as it now is, and a route metric is reapplied in place,
  without a reconnect. UpdateUnsaved replaces all settings, so the whole GetSettings result is
  sent back; NetworkManager keeps the stored secrets when an update carries none.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from sdbus import SdBus, SdBusBaseError, sd_bus_open_system
from sdbus_async.networkmanager import (
    NetworkConnectionSettings,
    NetworkDeviceGeneric,
    NetworkManager,
    NetworkManagerSettings,
)

from kiosk.network.base import LinkKind
from kiosk.network.control import (
    DEMOTION,
    NO_OBJECT,
    ROUTE_METRICS,
    ControlError,
    Device,
    Snapshot,
)
from kiosk.network.failover import Action, Connectivity, Verb
from kiosk.network.nm import connection_broken

DEVICE_KINDS = {1: LinkKind.ETHERNET, 2: LinkKind.WIFI, 8: LinkKind.CELLULAR}  # NMDeviceType
PROFILE_TYPES = {
    LinkKind.ETHERNET: "802-3-ethernet",
    LinkKind.WIFI: "802-11-wireless",
    LinkKind.CELLULAR: "gsm",
}
ACTIVATED = 100  # NMDeviceState

T = TypeVar("T")
Profile = dict[str, dict[str, tuple[str, Any]]]


class NetworkManagerControl:
    """A Control on the system bus (DBUS_SYSTEM_BUS_ADDRESS when set); `timeout` bounds a call.

    The bus is opened on first use and opened again after it broke, so a D-Bus that restarts
    is found again on the next call; a NetworkManager that restarts is found on the same one.
    """

    def __init__(self, *, timeout: float = 2.0) -> None:
        self._timeout = timeout
        self._bus: SdBus | None = None

    def close(self) -> None:
        if self._bus is not None:
            bus, self._bus = self._bus, None
            bus.close()

    @property
    def bus(self) -> SdBus:
        """The open bus connection (opened on first use)."""
        if self._bus is None:
            bus = sd_bus_open_system()
            bus.method_call_timeout_usec = int(self._timeout * 1_000_000)
            self._bus = bus
        return self._bus

    async def observe(self) -> Snapshot:
        return await self._guard("cannot read NetworkManager: ", self._observe())

    async def act(self, action: Action, snapshot: Snapshot) -> None:
        await self._guard("", self._act(action, snapshot))

    async def _guard(self, prefix: str, work: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(self._timeout * 2):
                return await work
        except (SdBusBaseError, OSError, TimeoutError) as e:
            if connection_broken(e):
                self.close()  # a dead connection stays dead: the next call opens a new one
            cause = "no answer in time" if isinstance(e, TimeoutError) else repr(e)
            raise ControlError(prefix + cause) from e

    async def _observe(self) -> Snapshot:
        bus = self.bus
        manager = NetworkManager(bus)
        overall = Connectivity(await manager.connectivity.get_async())
        devices = []
        for path in await manager.devices.get_async():
            device = NetworkDeviceGeneric(path, bus)
            kind = DEVICE_KINDS.get(await device.device_type.get_async())
            if kind is None:
                continue
            try:
                connectivity: Connectivity | None = Connectivity(
                    await device.ip4_connectivity.get_async()
                )
            except SdBusBaseError:  # no per-device check: decided below
                connectivity = None
            devices.append(
                (
                    kind,
                    path,
                    await device.ip_interface.get_async() or await device.interface.get_async(),
                    await device.state.get_async() == ACTIVATED,
                    connectivity,
                    await device.active_connection.get_async(),
                )
            )
        cellular_up = any(d[0] is LinkKind.CELLULAR and d[3] for d in devices)
        return Snapshot(
            devices=tuple(
                Device(
                    kind,
                    path,
                    interface,
                    connected,
                    _connectivity(kind, connected, own, overall, cellular_up),
                    active,
                )
                for kind, path, interface, connected, own, active in devices
            ),
            cellular_profile=next(iter(await self._profiles(LinkKind.CELLULAR)), None),
            connectivity=overall,
        )

    async def _profiles(self, kind: LinkKind) -> list[str]:
        """The settings paths of the profiles of `kind`."""
        found = []
        for path in await NetworkManagerSettings(self.bus).list_connections():
            profile = await NetworkConnectionSettings(path, self.bus).get_settings()
            if profile.get("connection", {}).get("type", ("s", ""))[1] == PROFILE_TYPES[kind]:
                found.append(path)
        return found

    async def _act(self, action: Action, snapshot: Snapshot) -> None:
        device = snapshot.device(action.kind)
        if action.verb is Verb.ACTIVATE:
            if device is None or snapshot.cellular_profile is None:
                raise ControlError("no modem or no cellular profile")
            if not device.connected:
                await NetworkManager(self.bus).activate_connection(
                    snapshot.cellular_profile, device.path, NO_OBJECT
                )
        elif action.verb is Verb.DEACTIVATE:
            if device is not None and device.active_connection != NO_OBJECT:
                await NetworkManager(self.bus).deactivate_connection(device.active_connection)
        else:
            base = ROUTE_METRICS[action.kind]
            await self._set_metric(
                action.kind, device, base + DEMOTION if action.verb is Verb.DEMOTE else base
            )

    async def _set_metric(self, kind: LinkKind, device: Device | None, metric: int) -> None:
        for path in await self._profiles(kind):
            connection = NetworkConnectionSettings(path, self.bus)
            profile: Profile = await connection.get_settings()
            for family in ("ipv4", "ipv6"):
                profile.setdefault(family, {})["route-metric"] = ("x", metric)
            await connection.update_unsaved(profile)
        if device is not None and device.connected:
            await NetworkDeviceGeneric(device.path, self.bus).reapply({}, 0, 0)


def _connectivity(
    kind: LinkKind,
    connected: bool,
    own: Connectivity | None,
    overall: Connectivity,
    cellular_up: bool,
) -> Connectivity:
    if not connected:
        return Connectivity.UNKNOWN  # no link says it all
    if own is not None:
        return own
    # Only the overall verdict is known: it is the primaries' while cellular is down.
    if kind is LinkKind.CELLULAR or not cellular_up:
        return overall
    return Connectivity.UNKNOWN
