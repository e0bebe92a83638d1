"""Setting up the till's links through NetworkManager: scan WiFi, join one, set the cellular APN.

Serves `kiosk network wifi scan|connect` and `kiosk network cellular set` (and, later, the setup
wizard's network step). What it relies on, from NetworkManager's D-Bus reference:
- Device.Wireless.RequestScan({}) starts a scan (refused while one runs: that one is waited for
  instead); LastScan (CLOCK_BOOTTIME ms) moves when it ends; GetAllAccessPoints lists what was
  seen, each AccessPoint with Ssid (bytes), Strength (percent), Flags/WpaFlags/RsnFlags:
  NM80211ApSecurityFlags KEY_MGMT_PSK (0x100) is WPA2 personal, KEY_MGMT_SAE (0x400) WPA3
  personal; an access point with both is a WPA3 transition network, joined as WPA2 (key-mgmt
  wpa-psk), while one with SAE alone needs key-mgmt sae.
- Manager.AddAndActivateConnection(profile, device, access point or "/") saves a profile and
  starts it; the returned ActiveConnection's State goes ACTIVATING (1) to ACTIVATED (2), or to
  DEACTIVATED (4) while the Device's StateReason says why: NO_SECRETS (7) or a supplicant
  failure (8-11) is a wrong password. NetworkManager would retry a bad password for ever, so the
  profile is deleted when it fails.
- Settings.AddConnection / Connection.Update write a profile to disk (Update replaces every
  setting, so the whole profile is sent). gsm.pin goes to ModemManager when the modem starts.
- Manager.ActivateConnection(gsm profile, modem device, "/") brings cellular up; when it fails,
  the modem Device's StateReason says why: GSM_PIN_CHECK_FAILED (34) or GSM_SIM_PIN_REQUIRED
  (46) is a wrong or missing PIN, GSM_SIM_PUK_REQUIRED (47) a SIM locked by too many wrong PINs,
  GSM_SIM_NOT_INSERTED (45) no SIM, GSM_APN_FAILED (29) an APN the operator refused.
Every wait is bounded on an injected clock, so a link that never comes up is an error, not a hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sdbus import SdBus, SdBusBaseError, sd_bus_open_system
from sdbus_async.networkmanager import (
    AccessPoint,
    ActiveConnection,
    NetworkConnectionSettings,
    NetworkDeviceGeneric,
    NetworkDeviceWireless,
    NetworkManager,
    NetworkManagerSettings,
)

from kiosk.network.base import LinkKind
from kiosk.network.control import NO_OBJECT, ROUTE_METRICS

WIFI_DEVICE = 2  # NMDeviceType
ACTIVATING, ACTIVATED, DEACTIVATED = 1, 2, 4  # NMActiveConnectionState
NEED_AUTH, FAILED = 60, 120  # NMDeviceState
PASSWORD_REASONS = {7, 8, 9, 10, 11}  # NO_SECRETS, SUPPLICANT_{DISCONNECT,CONFIG_FAILED,...}
AP_PRIVACY = 0x1  # NM80211ApFlags
KEY_MGMT_PSK, KEY_MGMT_SAE = 0x100, 0x400  # NM80211ApSecurityFlags
MODEM_DEVICE = 8  # NMDeviceType
APN_FAILED, PIN_CHECK_FAILED = 29, 34  # NMDeviceStateReason
SIM_NOT_INSERTED, SIM_PIN_REQUIRED, SIM_PUK_REQUIRED = 45, 46, 47
CELLULAR_ID = "kiosk-cellular"

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

Profile = dict[str, dict[str, tuple[str, Any]]]


class SetupError(Exception):
    """NetworkManager refused, or the link did not come up; the message says what to do."""


class WrongPassword(SetupError):
    pass


class WrongPin(SetupError):
    """The SIM refused its PIN (or needs one, or is locked): the message says what to do."""


@dataclass(frozen=True, slots=True)
class WifiNetwork:
    ssid: str
    signal: int  # percent
    secured: bool
    path: str  # the strongest access point's object path
    security: str = "WPA2"  # "open", "WPA2", "WPA3", "WPA2/WPA3" (personal)

    @property
    def wpa3_only(self) -> bool:
        return self.security == "WPA3"


def security_of(flags: int, wpa_flags: int, rsn_flags: int) -> str:
    """What an access point asks of a client, from its Flags, WpaFlags and RsnFlags."""
    keys = wpa_flags | rsn_flags
    psk, sae = bool(keys & KEY_MGMT_PSK), bool(keys & KEY_MGMT_SAE)
    if psk and sae:
        return "WPA2/WPA3"
    if sae:
        return "WPA3"
    if psk or flags & AP_PRIVACY:
        return "WPA2"
    return "open"


async def _wifi_device(bus: SdBus) -> str:
    for path in await NetworkManager(bus).devices.get_async():
        if await NetworkDeviceGeneric(path, bus).device_type.get_async() == WIFI_DEVICE:
            return str(path)
    raise SetupError("this device has no WiFi adapter that NetworkManager manages")


@contextlib.contextmanager
def _refusals(what: str) -> Iterator[None]:
    """A D-Bus error (polkit said no, NetworkManager is gone) as a SetupError naming `what`."""
    try:
        yield
    except SdBusBaseError as e:
        raise SetupError(f"NetworkManager refused to {what}: {e}") from e


def open_bus(timeout: float = 15.0) -> SdBus:
    """The system bus (DBUS_SYSTEM_BUS_ADDRESS when set), each call bounded by `timeout` s."""
    try:
        bus = sd_bus_open_system()
    except SdBusBaseError as e:
        raise SetupError(f"cannot reach NetworkManager: no system bus ({e})") from e
    bus.method_call_timeout_usec = int(timeout * 1_000_000)
    return bus


async def scan(
    bus: SdBus,
    *,
    wait_s: float = 10.0,
    clock: Clock = time.monotonic,
    sleep: Sleep = asyncio.sleep,
) -> list[WifiNetwork]:
    """The networks in range, strongest first, one entry per SSID (hidden ones left out)."""
    with _refusals("scan for WiFi"):
        return await _scan(bus, wait_s, clock, sleep)


async def _scan(bus: SdBus, wait_s: float, clock: Clock, sleep: Sleep) -> list[WifiNetwork]:
    device = NetworkDeviceWireless(await _wifi_device(bus), bus)
    try:
        before = await device.last_scan.get_async()
    except SdBusBaseError:
        before = None  # an older NetworkManager without LastScan: read what it has
    # A scan already running makes NetworkManager refuse a second: that one will do.
    with contextlib.suppress(SdBusBaseError):
        await device.request_scan({})
    deadline = clock() + wait_s
    while before is not None and clock() < deadline:
        if await device.last_scan.get_async() != before:
            break
        await sleep(0.25)  # LastScan has no signal of its own worth subscribing to
    best: dict[str, WifiNetwork] = {}
    for path in await device.get_all_access_points():
        ap = AccessPoint(path, bus)
        try:
            ssid = (await ap.ssid.get_async()).decode("utf-8", errors="replace")
            strength = await ap.strength.get_async()
            flags = await ap.flags.get_async()
            security = security_of(
                flags, await ap.wpa_flags.get_async(), await ap.rsn_flags.get_async()
            )
        except SdBusBaseError:
            continue  # gone between the listing and the read
        if ssid and (ssid not in best or strength > best[ssid].signal):
            best[ssid] = WifiNetwork(ssid, strength, security != "open", str(path), security)
    return sorted(best.values(), key=lambda n: (-n.signal, n.ssid))


def wifi_profile(
    ssid: str, password: str | None, *, hidden: bool, wpa3_only: bool = False
) -> Profile:
    """The profile `kiosk network wifi connect` saves: the template kiosk-wifi's settings."""
    metric = ("x", ROUTE_METRICS[LinkKind.WIFI])
    profile: Profile = {
        "connection": {
            "id": ("s", ssid),
            "type": ("s", "802-11-wireless"),
            "autoconnect": ("b", True),
            "autoconnect-priority": ("i", 20),
            "autoconnect-retries": ("i", 0),
        },
        "802-11-wireless": {
            "ssid": ("ay", ssid.encode()),
            "mode": ("s", "infrastructure"),
            "hidden": ("b", hidden),
        },
        "ipv4": {"method": ("s", "auto"), "route-metric": metric},
        "ipv6": {"method": ("s", "auto"), "route-metric": metric},
    }
    if password is not None:
        profile["802-11-wireless-security"] = {
            # wpa-psk joins WPA2 and WPA3 transition networks; a WPA3-only one needs SAE.
            "key-mgmt": ("s", "sae" if wpa3_only else "wpa-psk"),
            "psk": ("s", password),
        }
    return profile


def check_password(password: str | None) -> None:
    if password is not None and not 8 <= len(password) <= 63:
        raise ValueError("a WPA password has 8 to 63 characters")


async def connect(
    bus: SdBus,
    ssid: str,
    password: str | None,
    *,
    hidden: bool = False,
    wpa3: bool = False,
    wait_s: float = 30.0,
    clock: Clock = time.monotonic,
    sleep: Sleep = asyncio.sleep,
) -> str:
    """Join `ssid`; returns the active connection's path once it is ACTIVATED.

    A network in range is joined as its access point asks (WPA2, WPA3, or open); a hidden one as
    WPA2 unless `wpa3` says it is WPA3-only. Raises WrongPassword when NetworkManager's
    supplicant refuses the key, SetupError when the network is not in range or the link is not
    up within `wait_s` seconds of `clock`.
    """
    check_password(password)
    with _refusals(f"join {ssid!r}"):
        return await _connect(bus, ssid, password, hidden, wpa3, wait_s, clock, sleep)


async def _connect(
    bus: SdBus,
    ssid: str,
    password: str | None,
    hidden: bool,
    wpa3: bool,
    wait_s: float,
    clock: Clock,
    sleep: Sleep,
) -> str:
    device = await _wifi_device(bus)
    ap = NO_OBJECT
    if not hidden:
        found = [n for n in await _scan(bus, min(wait_s, 10.0), clock, sleep) if n.ssid == ssid]
        if not found:
            raise SetupError(f"no WiFi network {ssid!r} in range (use --hidden if it hides)")
        ap, wpa3 = found[0].path, found[0].wpa3_only
        if found[0].secured and password is None:
            raise WrongPassword(f"{ssid!r} needs a password ({found[0].security})")
    manager = NetworkManager(bus)
    profile, active = await manager.add_and_activate_connection(
        wifi_profile(ssid, password, hidden=hidden, wpa3_only=wpa3), device, ap
    )
    try:
        await _activated(bus, active, device, ssid, wait_s, clock, sleep)
    except SetupError:
        # A profile with a bad password would be retried by autoconnect for ever.
        await NetworkConnectionSettings(profile, bus).delete()
        raise
    return str(active)


async def _activated(
    bus: SdBus, active: str, device: str, ssid: str, wait_s: float, clock: Clock, sleep: Sleep
) -> None:
    dev = NetworkDeviceGeneric(device, bus)
    deadline = clock() + wait_s
    while True:
        try:
            state = await ActiveConnection(active, bus).state.get_async()
        except SdBusBaseError:
            state = DEACTIVATED  # NetworkManager removes an active connection that failed
        dev_state, reason = await dev.state_reason.get_async()
        if state == ACTIVATED:
            return
        if state == DEACTIVATED or dev_state in (NEED_AUTH, FAILED):
            if reason in PASSWORD_REASONS or dev_state == NEED_AUTH:
                raise WrongPassword(f"the password for {ssid!r} was not accepted")
            raise SetupError(f"could not join {ssid!r} (NetworkManager's reason {reason})")
        if clock() >= deadline:
            raise SetupError(f"{ssid!r} did not connect within {wait_s:g} s")
        await sleep(0.2)  # the activation takes seconds; a poll is simpler than a signal


def check_cellular(apn: str, pin: str | None) -> None:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.\-_]{0,99}", apn):
        raise ValueError(f"the APN must be letters, digits, '.', '-' or '_', not {apn!r}")
    if pin is not None and not re.fullmatch(r"\d{4,8}", pin):
        raise ValueError("a SIM PIN is 4 to 8 digits")


async def set_cellular(bus: SdBus, apn: str, pin: str | None) -> str:
    """Write the APN (and PIN) into the cellular profile, making it if need be; its path."""
    check_cellular(apn, pin)
    with _refusals("save the cellular settings"):
        return await _set_cellular(bus, apn, pin)


async def _set_cellular(bus: SdBus, apn: str, pin: str | None) -> str:
    gsm: dict[str, tuple[str, Any]] = {"apn": ("s", apn)}
    if pin is not None:
        gsm["pin"] = ("s", pin)
    settings = NetworkManagerSettings(bus)
    for path in await settings.list_connections():
        connection = NetworkConnectionSettings(path, bus)
        profile: Profile = await connection.get_settings()
        if profile.get("connection", {}).get("type", ("s", ""))[1] == "gsm":
            profile["gsm"] = {**profile.get("gsm", {}), **gsm}
            await connection.update(profile)
            return str(path)
    metric = ("x", ROUTE_METRICS[LinkKind.CELLULAR])
    return str(
        await settings.add_connection(
            {
                "connection": {
                    "id": ("s", CELLULAR_ID),
                    "type": ("s", "gsm"),
                    "autoconnect": ("b", False),  # the failover monitor brings it up
                    "autoconnect-priority": ("i", 10),
                },
                "gsm": gsm,
                "ipv4": {"method": ("s", "auto"), "route-metric": metric},
                "ipv6": {"method": ("s", "auto"), "route-metric": metric},
            }
        )
    )


CELLULAR_REASONS = {
    PIN_CHECK_FAILED: (WrongPin, "the SIM refused its PIN: set the right one with --pin"),
    SIM_PIN_REQUIRED: (WrongPin, "the SIM needs its PIN: set it with --pin"),
    SIM_PUK_REQUIRED: (
        WrongPin,
        "the SIM is locked after wrong PINs: unlock it with its PUK in a phone, then try again",
    ),
    SIM_NOT_INSERTED: (SetupError, "there is no SIM card in the modem"),
    APN_FAILED: (SetupError, "the operator refused the APN: check it with the SIM's provider"),
}


async def check_cellular_link(
    bus: SdBus,
    *,
    wait_s: float = 60.0,
    clock: Clock = time.monotonic,
    sleep: Sleep = asyncio.sleep,
) -> None:
    """Bring the cellular profile up once to prove its SIM PIN and APN, then take it down again
    (the failover monitor brings it up when it is needed); a link already up is left up.

    Raises WrongPin for a PIN the SIM refused or needs, SetupError for no modem, no profile, no
    SIM, a refused APN, or a link not up within `wait_s` seconds of `clock`.
    """
    with _refusals("bring the cellular link up"):
        await _check_cellular_link(bus, wait_s, clock, sleep)


async def _check_cellular_link(bus: SdBus, wait_s: float, clock: Clock, sleep: Sleep) -> None:
    manager = NetworkManager(bus)
    modem = None
    for path in await manager.devices.get_async():
        if await NetworkDeviceGeneric(path, bus).device_type.get_async() == MODEM_DEVICE:
            modem = str(path)
            break
    if modem is None:
        raise SetupError("this device has no modem that NetworkManager manages")
    device = NetworkDeviceGeneric(modem, bus)
    if await device.active_connection.get_async() != NO_OBJECT:
        return  # already carrying traffic: it works, and it is the failover's to take down
    profile = await _gsm_profile(bus)
    if profile is None:
        raise SetupError("there is no cellular profile: set the APN first")
    active = await manager.activate_connection(profile, modem, NO_OBJECT)
    deadline = clock() + wait_s
    while True:
        try:
            state = await ActiveConnection(active, bus).state.get_async()
        except SdBusBaseError:
            state = DEACTIVATED  # NetworkManager removes an active connection that failed
        dev_state, reason = await device.state_reason.get_async()
        if state == ACTIVATED:
            await manager.deactivate_connection(active)
            return
        if state == DEACTIVATED or dev_state == FAILED:
            error, words = CELLULAR_REASONS.get(
                reason, (SetupError, f"the cellular link failed (NetworkManager's reason {reason})")
            )
            raise error(words)
        if clock() >= deadline:
            with contextlib.suppress(SdBusBaseError):
                await manager.deactivate_connection(active)  # stop it trying on its own
            raise SetupError(f"the cellular link did not come up within {wait_s:g} s")
        await sleep(0.5)


async def _gsm_profile(bus: SdBus) -> str | None:
    for path in await NetworkManagerSettings(bus).list_connections():
        profile: Profile = await NetworkConnectionSettings(path, bus).get_settings()
        if profile.get("connection", {}).get("type", ("s", ""))[1] == "gsm":
            return str(path)
    return None
