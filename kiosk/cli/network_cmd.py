"""`kiosk network status|wifi scan|wifi connect|cellular set`: the uplink, through NetworkManager.

NetworkManager's adapters (and sdbus with them) are imported when a command runs, so the rest of
the command line works without sdbus.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kiosk.cli.output import UsageError, emit, table


def add_parser(sub: Any) -> None:
    p = sub.add_parser("network", help="the uplink: status, WiFi, cellular (NetworkManager)")
    network = p.add_subparsers(dest="network_command", metavar="WHAT", required=True)

    status = network.add_parser("status", help="uplink, connectivity, and what failover would do")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(handler=run_status, no_runtime=True)

    wifi = network.add_parser("wifi", help="scan for and join WiFi networks")
    wifi_sub = wifi.add_subparsers(dest="wifi_command", metavar="WHAT", required=True)
    scan = wifi_sub.add_parser("scan", help="the networks in range, strongest first")
    scan.add_argument("--json", action="store_true", help="print one JSON object")
    scan.set_defaults(handler=run_scan, no_runtime=True)
    connect = wifi_sub.add_parser("connect", help="join a network and save it")
    connect.add_argument("ssid", metavar="SSID")
    connect.add_argument("--password", help="the WPA2/WPA3 passphrase (none: an open network)")
    connect.add_argument("--hidden", action="store_true", help="the network hides its name")
    connect.add_argument(
        "--wpa3", action="store_true", help="a hidden network that takes WPA3 (SAE) only"
    )
    connect.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for the link (default 30)"
    )
    connect.set_defaults(handler=run_connect, no_runtime=True)

    cellular = network.add_parser("cellular", help="the cellular backup's settings")
    cell_sub = cellular.add_subparsers(dest="cellular_command", metavar="WHAT", required=True)
    cell_set = cell_sub.add_parser("set", help="the SIM's APN and PIN")
    cell_set.add_argument("--apn", required=True, help="the operator's access point name")
    cell_set.add_argument("--pin", help="the SIM's PIN, if it has one")
    cell_set.add_argument(
        "--check",
        action="store_true",
        help="bring the link up once to prove the PIN and APN, then down again",
    )
    cell_set.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait for the link (default 60)"
    )
    cell_set.set_defaults(handler=run_cellular_set, no_runtime=True)

    country = wifi_sub.add_parser("country", help="show or set the WiFi country (needs root)")
    country.add_argument("code", nargs="?", metavar="CC", help="two letters, e.g. GB or DE")
    country.set_defaults(handler=run_country, no_runtime=True)


def _fail(message: str) -> int:
    print(f"kiosk: {message}", file=sys.stderr)
    return 1


async def collect_status() -> dict[str, Any]:
    from kiosk.network.failover import State, decide
    from kiosk.network.monitor import observed_from
    from kiosk.network.nm import NetworkManagerInfo
    from kiosk.network.nm_control import NetworkManagerControl

    control = NetworkManagerControl()
    try:
        snapshot = await control.observe()  # first: when it fails, that is the whole answer
    finally:
        control.close()
    info = NetworkManagerInfo()
    try:
        link = await info.current()
    finally:
        info.close()
    observed = observed_from(snapshot, {}, paying=False)
    # What the policy does if this lasts: past every grace and hold (probes not run here).
    first, state = decide(observed, State(on_cellular=observed.cellular.connected), 0.0)
    later, _ = decide(observed, state, 3600.0)
    decision = first if first.actions else later
    return {
        "uplink": link.as_dict(),
        "connectivity": snapshot.connectivity.name,
        "devices": [
            {
                "kind": d.kind.value,
                "interface": d.interface,
                "connected": d.connected,
                "connectivity": d.connectivity.name,
            }
            for d in snapshot.devices
        ],
        "cellular_profile": snapshot.cellular_profile is not None,
        "policy": {"actions": [str(a) for a in decision.actions], "reason": decision.reason},
    }


async def run_status(args: argparse.Namespace, _rt: object) -> int:
    from kiosk.network.control import ControlError

    try:
        data = await collect_status()
    except ControlError as e:
        return _fail(str(e))
    up = data["uplink"]
    policy = data["policy"]
    would = ", ".join(policy["actions"]) or "nothing"
    devices = [
        [d["kind"], d["interface"], "up" if d["connected"] else "down", d["connectivity"]]
        for d in data["devices"]
    ]
    text = "\n".join(
        [
            f"Uplink:        {up['label']}" + (" (metered)" if up["metered"] else ""),
            f"Connectivity:  {data['connectivity']}",
            f"Cellular:      {'profile ready' if data['cellular_profile'] else 'no profile'}",
            f"Failover:      {would} ({policy['reason']})",
            "",
            table([["DEVICE", "INTERFACE", "LINK", "CONNECTIVITY"], *devices]),
        ]
    )
    emit(args.json, data, text)
    return 0


async def run_scan(args: argparse.Namespace, _rt: object) -> int:
    from kiosk.network import nm_setup

    try:
        bus = nm_setup.open_bus()
        try:
            networks = await nm_setup.scan(bus)
        finally:
            bus.close()
    except nm_setup.SetupError as e:
        return _fail(str(e))
    data = {
        "networks": [
            {"ssid": n.ssid, "signal": n.signal, "secured": n.secured, "security": n.security}
            for n in networks
        ]
    }
    rows = [[n.ssid, f"{n.signal}%", n.security] for n in networks]
    text = table([["SSID", "SIGNAL", "SECURITY"], *rows]) if rows else "No WiFi networks in range"
    emit(args.json, data, text)
    return 0


async def run_connect(args: argparse.Namespace, _rt: object) -> int:
    from kiosk.network import nm_setup

    try:
        nm_setup.check_password(args.password)
    except ValueError as e:
        raise UsageError(f"--password: {e}") from None
    try:
        bus = nm_setup.open_bus()
        try:
            await nm_setup.connect(
                bus,
                args.ssid,
                args.password,
                hidden=args.hidden,
                wpa3=args.wpa3,
                wait_s=args.timeout,
            )
        finally:
            bus.close()
    except nm_setup.SetupError as e:
        return _fail(str(e))
    print(f"Joined WiFi {args.ssid}")
    return 0


async def run_cellular_set(args: argparse.Namespace, _rt: object) -> int:
    from kiosk.network import nm_setup

    try:
        nm_setup.check_cellular(args.apn, args.pin)
    except ValueError as e:
        raise UsageError(str(e)) from None
    try:
        bus = nm_setup.open_bus()
        try:
            await nm_setup.set_cellular(bus, args.apn, args.pin)
            print(f"Cellular APN set to {args.apn}" + (" with a SIM PIN" if args.pin else ""))
            if args.check:
                await nm_setup.check_cellular_link(bus, wait_s=args.timeout)
                print("The cellular link came up: the SIM and APN work")
        finally:
            bus.close()
    except nm_setup.SetupError as e:
        return _fail(str(e))
    return 0


async def run_country(args: argparse.Namespace, _rt: object) -> int:
    from kiosk.network.country import CountryError, SystemRegulatory, check_country

    system = SystemRegulatory()
    if args.code is None:
        print(f"WiFi country: {await system.current() or 'not set'}")
        return 0
    try:
        check_country(args.code)
    except CountryError as e:
        raise UsageError(str(e)) from None
    try:
        await system.set(args.code)
    except CountryError as e:
        return _fail(str(e))
    print(f"WiFi country set to {args.code.strip().upper()}")
    return 0
