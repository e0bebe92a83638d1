"""The device's link as NetworkManager reports it, read over the system D-Bus.

With nm_control.py (the failover's reads and actions) and nm_setup.py (scan, join, APN), the only
modules that import sdbus. This one reads, never changes: NetworkManager's PrimaryConnection
(the connection that carries the default route) gives the link's kind; for WiFi the device's
ActiveAccessPoint gives the SSID and strength; NetworkManager's Metered says whether data costs.
For cellular the strength is ModemManager's: NetworkManager's modem Device has no signal of its
own, but its Udi is the ModemManager modem's object path (/org/freedesktop/ModemManager1/Modem/N),
whose org.freedesktop.ModemManager1.Modem.SignalQuality is (percent, recent). No ModemManager on
the bus, or a modem it does not know, leaves the signal out; it is never an error.
sd-bus finds the system bus through DBUS_SYSTEM_BUS_ADDRESS when it is set (the tests' private
bus), else at the standard socket.
"""

from __future__ import annotations

import asyncio
import logging
import os

from sdbus import (
    DbusInterfaceCommonAsync,
    SdBus,
    SdBusBaseError,
    dbus_property_async,
    sd_bus_open_system,
)
from sdbus.exceptions import (
    DbusDisconnectedError,
    DbusFailedError,
    DbusNoServerError,
    SdBusUnmappedMessageError,
)
from sdbus_async.networkmanager import (
    AccessPoint,
    ActiveConnection,
    DeviceMetered,
    NetworkDeviceGeneric,
    NetworkDeviceWireless,
    NetworkManager,
)

from kiosk.network.base import NO_NETWORK, UNKNOWN, Link, LinkKind

log = logging.getLogger(__name__)

# NetworkManager's connection types (its `connection.type` setting) that we name on screen;
# anything else (a VPN, a bridge, Bluetooth tethering) shows as unknown.
CONNECTION_KINDS: dict[str, LinkKind] = {
    "802-11-wireless": LinkKind.WIFI,
    "gsm": LinkKind.CELLULAR,
    "cdma": LinkKind.CELLULAR,
    "802-3-ethernet": LinkKind.ETHERNET,
}

NO_OBJECT = "/"  # D-Bus's "none" for an object path property
MODEM_MANAGER = "org.freedesktop.ModemManager1"
MODEM_PATHS = "/org/freedesktop/ModemManager1/Modem/"
METERED = frozenset({DeviceMetered.YES, DeviceMetered.GUESS_YES})


def connection_broken(error: BaseException) -> bool:
    """Whether `error` says the bus connection itself is gone (so it must be opened again),
    rather than an answer on a working one (NetworkManager not on the bus, a refusal, no reply
    in time). A working connection is kept: with sd-bus 0.14, one closed and opened again in the
    same event loop was seen to wait out its timeout on every call while NetworkManager was
    away, where the kept one hears "not on the bus" at once."""
    if isinstance(error, DbusDisconnectedError | DbusNoServerError):
        return True
    return not isinstance(error, DbusFailedError | SdBusUnmappedMessageError | TimeoutError)


class ModemManagerModem(DbusInterfaceCommonAsync, interface_name=MODEM_MANAGER + ".Modem"):
    """The one ModemManager property we read (sdbus-networkmanager has no ModemManager classes)."""

    @dbus_property_async("(ub)")
    def signal_quality(self) -> tuple[int, bool]:
        raise NotImplementedError


class NetworkManagerInfo:
    """A NetworkInfo that asks NetworkManager on the system bus.

    The bus is opened on the first call and reopened after a failure, so a restarted D-Bus or
    NetworkManager is picked up without restarting the app. `timeout` bounds one `current()` call
    (a wedged NetworkManager must not freeze the status bar). Use it from one event loop.
    """

    def __init__(self, *, timeout: float = 2.0) -> None:
        self._timeout = timeout
        self._bus: SdBus | None = None
        self._failing = False  # the last call failed and said so in the log

    async def current(self) -> Link:
        try:
            async with asyncio.timeout(self._timeout):
                link = await self._read(self._open())
        except Exception as e:  # the contract: report UNKNOWN, never raise
            self._failed(e)
            return UNKNOWN
        if self._failing:
            log.info("NetworkManager answers again: the link is %s", link.label)
            self._failing = False
        return link

    def close(self) -> None:
        """Close the D-Bus connection; a later `current()` opens a new one."""
        if self._bus is not None:
            bus, self._bus = self._bus, None
            bus.close()

    def _open(self) -> SdBus:
        if self._bus is None:
            bus = sd_bus_open_system()
            # sd-bus waits 25 s for a reply by default; we give up sooner (see `timeout`).
            bus.method_call_timeout_usec = int(self._timeout * 1_000_000)
            self._bus = bus
        return self._bus

    def _failed(self, error: Exception) -> None:
        if connection_broken(error):
            self.close()  # a dead bus connection stays dead: the next call reconnects
        if self._failing:
            log.debug("NetworkManager still cannot be read: %r", error)
            return
        self._failing = True
        where = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS") or "the standard system bus"
        cause = "no answer in time" if isinstance(error, TimeoutError) else repr(error)
        log.warning(
            "Cannot read the network link from NetworkManager on %s (%s); the status bar "
            "shows it as unknown until NetworkManager answers again",
            where,
            cause,
        )

    async def _read(self, bus: SdBus) -> Link:
        manager = NetworkManager(bus)
        primary = await manager.primary_connection.get_async()
        if primary == NO_OBJECT:
            return NO_NETWORK
        metered = await manager.metered.get_async() in METERED
        active = ActiveConnection(primary, bus)
        kind = CONNECTION_KINDS.get(await active.connection_type.get_async(), LinkKind.UNKNOWN)
        name = await active.id.get_async()
        if kind is LinkKind.WIFI:
            return await _wifi(bus, await active.devices.get_async(), name, metered)
        if kind is LinkKind.CELLULAR:
            signal = await modem_signal(bus, await active.devices.get_async())
            return Link(kind, name=name, signal=signal, metered=metered)
        return Link(kind, name=name, metered=metered)


async def modem_signal(bus: SdBus, devices: list[str]) -> int | None:
    """ModemManager's signal quality (percent) of the modem behind `devices`, None if unknown."""
    if not devices:
        return None
    try:
        udi = await NetworkDeviceGeneric(devices[0], bus).udi.get_async()
        if not udi.startswith(MODEM_PATHS):  # not a ModemManager modem (an old BlueZ DUN one)
            return None
        modem = ModemManagerModem.new_proxy(MODEM_MANAGER, udi, bus)
        quality, _recent = await modem.signal_quality.get_async()
    except SdBusBaseError:
        # ModemManager not running, or the modem just went: the link is named without it.
        return None
    return max(0, min(100, int(quality)))


async def _wifi(bus: SdBus, devices: list[str], connection_name: str, metered: bool) -> Link:
    """The WiFi link with the access point's SSID and strength, or the connection's name alone."""
    bare = Link(LinkKind.WIFI, name=connection_name, metered=metered)
    if not devices:
        return bare
    try:
        ap_path = await NetworkDeviceWireless(devices[0], bus).active_access_point.get_async()
        if ap_path == NO_OBJECT:  # between access points (roaming)
            return bare
        ap = AccessPoint(ap_path, bus)
        ssid = (await ap.ssid.get_async()).decode("utf-8", errors="replace")
        strength = await ap.strength.get_async()
    except SdBusBaseError:
        # Access points come and go as the device roams: one that vanished between two reads
        # is no fault; the next call finds the new one.
        return bare
    return Link(LinkKind.WIFI, name=ssid or connection_name, signal=strength, metered=metered)
