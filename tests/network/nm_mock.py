"""Drives python-dbusmock's `networkmanager` template over D-Bus to set up a device's links.

The template's own helpers (AddWiFiDevice, AddAccessPoint, AddWiFiConnection, AddEthernetDevice,
AddActiveConnection) build the objects; what it lacks (a modem, NetworkManager's PrimaryConnection
and Metered, a device's ActiveAccessPoint) is added with dbusmock's AddObject/AddProperties.
Calls go to /org/freedesktop/NetworkManager, as DESIGN.md says (the /org/freedesktop proxy's
signals never reach a client). A modem's device has its Udi, the ModemManager modem's path, which
`modem_signal` fills in on the ModemManager mock (private_bus.py).
"""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

from sdbus import DbusInterfaceCommonAsync, dbus_method_async, sd_bus_open_system
from sdbus_async.dbus_daemon import FreedesktopDbus
from sdbus_async.networkmanager import NetworkManager, NetworkManagerSettings

SERVICE = "org.freedesktop.NetworkManager"
MANAGER = "/org/freedesktop/NetworkManager"
MANAGER_IFACE = "org.freedesktop.NetworkManager"
DEVICE_IFACE = "org.freedesktop.NetworkManager.Device"
WIRELESS_IFACE = "org.freedesktop.NetworkManager.Device.Wireless"
MODEM_IFACE = "org.freedesktop.NetworkManager.Device.Modem"

ACTIVATED = 100  # NMDeviceState
ACTIVE_CONNECTION_ACTIVATED = 2  # NMActiveConnectionState
DEVICE_TYPE_MODEM = 8
MM_SERVICE = "org.freedesktop.ModemManager1"
MM_ROOT = "/org/freedesktop/ModemManager1"
MM_MODEM = MM_ROOT + "/Modem/0"
DISCONNECTED = 30  # NMDeviceState
SETTINGS_CONNECTION_IFACE = "org.freedesktop.NetworkManager.Settings.Connection"
MODEM_GSM_UMTS = 4  # NMDeviceModemCapabilities
WPA_PSK = 0x100  # NM80211ApSecurityFlags.KEY_MGMT_PSK
WPA3_SAE = 0x400  # NM80211ApSecurityFlags.KEY_MGMT_SAE
MODE_INFRA = 2

Variant = tuple[str, Any]  # sdbus spells a D-Bus variant as (signature, value)


class _Mock(DbusInterfaceCommonAsync, interface_name="org.freedesktop.DBus.Mock"):
    @dbus_method_async("ssi", "s", method_name="AddWiFiDevice")
    async def add_wifi_device(self, name: str, interface: str, state: int) -> str:
        raise NotImplementedError

    @dbus_method_async("ssssuuuyu", "s", method_name="AddAccessPoint")
    async def add_access_point(
        self,
        device: str,
        name: str,
        ssid: str,
        hw_address: str,
        mode: int,
        frequency: int,
        rate: int,
        strength: int,
        security: int,
    ) -> str:
        raise NotImplementedError

    @dbus_method_async("ss", "", method_name="RemoveAccessPoint")
    async def remove_access_point(self, device: str, access_point: str) -> None:
        raise NotImplementedError

    @dbus_method_async("ssss", "s", method_name="AddWiFiConnection")
    async def add_wifi_connection(self, device: str, name: str, ssid: str, key_mgmt: str) -> str:
        raise NotImplementedError

    @dbus_method_async("ssi", "s", method_name="AddEthernetDevice")
    async def add_ethernet_device(self, name: str, interface: str, state: int) -> str:
        raise NotImplementedError

    @dbus_method_async("assssu", "s", method_name="AddActiveConnection")
    async def add_active_connection(
        self, devices: list[str], connection: str, specific_object: str, name: str, state: int
    ) -> str:
        raise NotImplementedError

    @dbus_method_async("ssa{sv}a(ssss)", "", method_name="AddObject")
    async def add_object(
        self,
        path: str,
        interface: str,
        properties: dict[str, Variant],
        methods: list[tuple[str, str, str, str]],
    ) -> None:
        raise NotImplementedError

    @dbus_method_async("sssss", "", method_name="AddMethod")
    async def add_method(
        self, interface: str, name: str, in_sig: str, out_sig: str, code: str
    ) -> None:
        raise NotImplementedError

    @dbus_method_async("", "a(tsav)", method_name="GetCalls")
    async def get_calls(self) -> list[tuple[int, str, list[Variant]]]:
        raise NotImplementedError

    @dbus_method_async("u", "", method_name="SetConnectivity")
    async def set_connectivity(self, connectivity: int) -> None:
        raise NotImplementedError

    @dbus_method_async("s", "", method_name="SetDeviceDisconnected")
    async def set_device_disconnected(self, device: str) -> None:
        raise NotImplementedError

    @dbus_method_async("ss", "", method_name="SetDeviceActive")
    async def set_device_active(self, device: str, active_connection: str) -> None:
        raise NotImplementedError

    @dbus_method_async("sa{sv}", "", method_name="AddProperties")
    async def add_properties(self, interface: str, properties: dict[str, Variant]) -> None:
        raise NotImplementedError


class MockNetworkManager:
    """Sets up links on the mock over its own connection to the system bus (the environment's
    DBUS_SYSTEM_BUS_ADDRESS); each method returns the object path it made."""

    def __init__(self) -> None:
        self._bus = sd_bus_open_system()
        self._mock = _Mock.new_proxy(SERVICE, MANAGER, self._bus)
        self._primary_added = False  # the template has no PrimaryConnection until we add it
        self._mm_modem = False

    def close(self) -> None:
        self._bus.close()

    def _at(self, path: str) -> _Mock:
        return _Mock.new_proxy(SERVICE, path, self._bus)

    async def wifi(self, ssid: str, strength: int, security: int = WPA_PSK) -> tuple[str, str, str]:
        """A WiFi device associated with an access point: (device, access point, active conn).
        `security` is the access point's WpaFlags and RsnFlags (NM80211ApSecurityFlags)."""
        device = await self._mock.add_wifi_device("wlan0dev", "wlan0", ACTIVATED)
        ap = await self._mock.add_access_point(
            device, "ap0", ssid, "00:11:22:33:44:55", MODE_INFRA, 2437, 54000, strength, security
        )
        connection = await self._mock.add_wifi_connection(device, "shopwifi", ssid, "wpa-psk")
        active = await self._mock.add_active_connection(
            [device], connection, ap, "wifi", ACTIVE_CONNECTION_ACTIVATED
        )
        # The template does not give a wireless device its ActiveAccessPoint: add it.
        await self._at(device).add_properties(WIRELESS_IFACE, {"ActiveAccessPoint": ("o", ap)})
        await self.can_update(connection)
        await self.can_reapply(device)
        return device, ap, active

    async def access_point(
        self, device: str, name: str, ssid: str, strength: int, security: int
    ) -> str:
        """One more access point in range of `device`."""
        return await self._mock.add_access_point(
            device, name, ssid, "00:11:22:33:44:66", MODE_INFRA, 5180, 300000, strength, security
        )

    async def can_update(self, connection: str) -> None:
        """The template's profiles lack UpdateUnsaved: give them one that does what Update does."""
        await self._at(connection).add_method(
            SETTINGS_CONNECTION_IFACE,
            "UpdateUnsaved",
            "a{sa{sv}}",
            "",
            "self.ConnectionUpdate(self, args[0])",
        )

    async def can_reapply(self, device: str) -> None:
        """The template's devices lack Reapply: one that records the call in the mock's log."""
        await self._at(device).add_method(DEVICE_IFACE, "Reapply", "a{sa{sv}}tu", "", "")

    async def connectivity(self, state: int) -> None:
        """NetworkManager's overall Connectivity (NMConnectivityState), with its signal."""
        await self._mock.set_connectivity(state)

    async def link_down(self, device: str) -> None:
        await self._mock.set_device_disconnected(device)

    async def link_up(self, device: str, active_connection: str) -> None:
        await self._mock.set_device_active(device, active_connection)

    async def settings_of(self, connection: str) -> dict[str, dict[str, Variant]]:
        from sdbus_async.networkmanager import NetworkConnectionSettings

        return await NetworkConnectionSettings(connection, self._bus).get_settings()

    async def settings_of_active(self, active: str) -> dict[str, str]:
        """An active connection's Connection (its profile's path)."""
        from sdbus_async.networkmanager import ActiveConnection

        return {"Connection": await ActiveConnection(active, self._bus).connection.get_async()}

    async def refuse_password(self) -> None:
        """Joining WiFi fails as a wrong password does: the supplicant gives up, NO_SECRETS."""
        await self._activation_ends(wifi=True, active=4, device=120, reason=7)

    async def stall_activation(self) -> None:
        """Joining WiFi never finishes: the active connection stays ACTIVATING."""
        await self._activation_ends(wifi=True, active=1, device=50)

    async def refuse_cellular(self, reason: int) -> None:
        """Bringing the modem up fails with `reason` (NMDeviceStateReason: a SIM PIN refused,
        needed, a PUK, no SIM), as ModemManager reports it through NetworkManager."""
        await self._activation_ends(wifi=False, active=4, device=120, reason=reason)

    async def stall_cellular(self) -> None:
        """Bringing the modem up never finishes (no network to register on)."""
        await self._activation_ends(wifi=False, active=1, device=50)

    async def _activation_ends(
        self, *, wifi: bool, active: int, device: int, reason: int | None = None
    ) -> None:
        """The next activation (AddAndActivateConnection for WiFi, ActivateConnection for the
        modem) leaves its active connection in state `active` and the device in `device`
        (with `reason` as its StateReason when given), as the template's own call made them."""
        if wifi:
            method, args, out = "AddAndActivateConnection", "a{sa{sv}}oo", "oo"
            made = "ret = self.add_and_activate_connection(self, args[0], args[1], args[2])\n"
            path = "ret[1]"
        else:
            method, args, out = "ActivateConnection", "ooo", "o"
            made = "ret = self.activate_connection(self, args[0], args[1], args[2])\n"
            path = "ret"
        script = (
            made
            + f"objects[{path}].Set('org.freedesktop.NetworkManager.Connection.Active', 'State',"
            f" dbus.UInt32({active}))\n"
            f"objects[args[1]].Set('{DEVICE_IFACE}', 'State', dbus.UInt32({device}))\n"
        )
        if reason is not None:
            script += (
                f"objects[args[1]].Set('{DEVICE_IFACE}', 'StateReason',"
                f" (dbus.UInt32({device}), dbus.UInt32({reason})))\n"
            )
        await self._mock.add_method(MANAGER_IFACE, method, args, out, script)

    async def can_join_wpa3(self) -> None:
        """The template's AddAndActivateConnection knows only PSK access points (its NAME_MAP of
        security flags): teach it SAE (WPA3 personal) and PSK with SAE (WPA3 transition), then
        join as it does."""
        await self._mock.add_method(
            MANAGER_IFACE,
            "AddAndActivateConnection",
            "a{sa{sv}}oo",
            "oo",
            "flags = self.add_and_activate_connection.__globals__['NM80211ApSecurityFlags']\n"
            f"flags.NAME_MAP[{WPA3_SAE}] = {{'key-mgmt': 'sae', 'auth-alg': 'open'}}\n"
            f"flags.NAME_MAP[{WPA3_SAE | WPA_PSK}] ="
            " {'key-mgmt': 'wpa-psk', 'auth-alg': 'open'}\n"
            "ret = self.add_and_activate_connection(self, args[0], args[1], args[2])\n",
        )

    async def join_hidden(self) -> None:
        """Joining with no access point ("/", a hidden network) uses ap0: the template needs one."""
        await self._mock.add_method(
            MANAGER_IFACE,
            "AddAndActivateConnection",
            "a{sa{sv}}oo",
            "oo",
            "ret = self.add_and_activate_connection(self, args[0], args[1],"
            " '/org/freedesktop/NetworkManager/AccessPoint/ap0')\n",
        )

    async def manager_calls(self) -> list[tuple[str, list[Variant]]]:
        """The methods called on NetworkManager's manager object, with their arguments."""
        return [(name, args) for _, name, args in await self._mock.get_calls()]

    async def profiles(self) -> dict[str, dict[str, dict[str, Variant]]]:
        """Every saved profile's settings, by path."""
        settings = NetworkManagerSettings(self._bus)
        return {p: await self.settings_of(p) for p in await settings.list_connections()}

    async def calls(self, path: str) -> list[str]:
        """The names of the methods called on the object at `path`, oldest first."""
        return [name for _, name, _ in await self._at(path).get_calls()]

    async def activate(self, profile: str, device: str) -> str:
        return await NetworkManager(self._bus).activate_connection(profile, device, "/")

    async def device_connectivity(self, device: str, state: int) -> None:
        """A device's own Ip4Connectivity (NM 1.16+), which the template does not have."""
        await self._at(device).add_properties(DEVICE_IFACE, {"Ip4Connectivity": ("u", state)})

    async def modem(self, connection_id: str = "Mobile data") -> tuple[str, str]:
        """A GSM modem that is down, with a gsm profile to bring it up: (device, profile)."""
        device = await self._modem_device(DISCONNECTED)
        profile = await self._connection("gsm", connection_id, gsm={"apn": ("s", "internet")})
        await self.can_update(profile)
        # The template's DeactivateConnection disconnects every device, WiFi with the modem:
        # only the devices the active connection is on go down, as in NetworkManager.
        await self._mock.add_method(
            MANAGER_IFACE,
            "DeactivateConnection",
            "o",
            "",
            "for d in [p for p in objects if '/Devices/' in p]:\n"
            f"    if objects[d].Get('{DEVICE_IFACE}', 'ActiveConnection') == args[0]:\n"
            "        self.RemoveActiveConnection(d, args[0])\n",
        )
        return device, profile

    async def remove_access_point(self, device: str, ap: str) -> None:
        await self._mock.remove_access_point(device, ap)

    async def ethernet(self) -> str:
        device = await self._mock.add_ethernet_device("eth0dev", "eth0", ACTIVATED)
        connection = await self._connection("802-3-ethernet", "Wired connection 1")
        return await self._mock.add_active_connection(
            [device], connection, "/", "wired", ACTIVE_CONNECTION_ACTIVATED
        )

    async def cellular(self, connection_id: str = "Mobile data") -> str:
        """A GSM modem (the template has no helper for one) with an active gsm connection."""
        device = await self._modem_device(ACTIVATED)
        connection = await self._connection("gsm", connection_id, gsm={"apn": ("s", "internet")})
        return await self._mock.add_active_connection(
            [device], connection, "/", "cellular", ACTIVE_CONNECTION_ACTIVATED
        )

    async def _modem_device(self, state: int) -> str:
        device = f"{MANAGER}/Devices/wwan0"
        await self._mock.add_object(
            device,
            MODEM_IFACE,
            {
                "ModemCapabilities": ("u", MODEM_GSM_UMTS),
                "CurrentCapabilities": ("u", MODEM_GSM_UMTS),
            },
            [],
        )
        await self._at(device).add_properties(
            DEVICE_IFACE,
            {
                "DeviceType": ("u", DEVICE_TYPE_MODEM),
                "Interface": ("s", "cdc-wdm0"),
                "IpInterface": ("s", "wwan0"),
                "State": ("u", state),
                "StateReason": ("(uu)", (state, 0)),
                "ActiveConnection": ("o", "/"),
                "AvailableConnections": ("ao", []),
                "Managed": ("b", True),
                "Udi": ("s", MM_MODEM),
            },
        )
        # The template's GetDevices lists it, but Manager.Devices must name it too.
        devices = await NetworkManager(self._bus).devices.get_async()
        if device not in devices:
            await self._set(MANAGER, MANAGER_IFACE, "Devices", ("ao", [*devices, device]))
        return device

    async def modem_signal(self, quality: int) -> None:
        """ModemManager's modem behind the NetworkManager modem, with its SignalQuality; called
        again, it changes it."""
        root = _Mock.new_proxy(MM_SERVICE, MM_ROOT, self._bus)
        value: Variant = ("(ub)", (quality, True))
        if self._mm_modem:
            await self._set(
                MM_MODEM,
                "org.freedesktop.ModemManager1.Modem",
                "SignalQuality",
                value,
                service=MM_SERVICE,
            )
            return
        await root.add_object(
            MM_MODEM, "org.freedesktop.ModemManager1.Modem", {"SignalQuality": value}, []
        )
        self._mm_modem = True

    async def vpn(self) -> str:
        connection = await self._connection("vpn", "Office VPN")
        return await self._mock.add_active_connection(
            [], connection, "/", "vpn", ACTIVE_CONNECTION_ACTIVATED
        )

    async def set_primary(self, active_connection: str, metered: int = 2) -> None:
        """NetworkManager's PrimaryConnection ("/" for none) and Metered (NMMetered; 2 is "no");
        called again, it changes them, as a failover does."""
        values: dict[str, Variant] = {
            "PrimaryConnection": ("o", active_connection),
            "Metered": ("u", metered),
        }
        if self._primary_added:
            # Properties.Set, as a raw call (sdbus has the interface's name taken, and the
            # mock's UpdateProperties cannot wrap an object path).
            for name, value in values.items():
                await self._set(MANAGER, MANAGER_IFACE, name, value)
        else:
            await self._mock.add_properties(MANAGER_IFACE, values)
            self._primary_added = True

    async def _set(
        self, path: str, interface: str, name: str, value: Variant, *, service: str = SERVICE
    ) -> None:
        message = self._bus.new_method_call_message(
            service, path, "org.freedesktop.DBus.Properties", "Set"
        )
        message.append_data("ssv", interface, name, value)
        await self._bus.call_async(message)

    async def reload_bus_config(self) -> None:
        """The bus reads its configuration and service files again (answers once it has)."""
        message = self._bus.new_method_call_message(
            "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "ReloadConfig"
        )
        await self._bus.call_async(message)

    async def quit(self) -> None:
        """NetworkManager's process ends; returns once its bus name has gone (NameOwnerChanged)."""
        gone = asyncio.Event()

        def on_change(message: Any) -> None:
            name, _old, new = message.get_contents()
            if name == SERVICE and not new:
                gone.set()

        slot = await self._bus.match_signal_async(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "NameOwnerChanged",
            on_change,
        )
        try:
            os.kill(await self.pid(), signal.SIGTERM)
            await gone.wait()
        finally:
            slot.close()

    async def pid(self) -> int:
        """The mock NetworkManager's process id."""
        return await FreedesktopDbus(self._bus).get_connection_pid(SERVICE)

    async def _connection(self, kind: str, connection_id: str, **more: dict[str, Variant]) -> str:
        return await NetworkManagerSettings(self._bus).add_connection(
            {"connection": {"type": ("s", kind), "id": ("s", connection_id)}, **more}
        )
