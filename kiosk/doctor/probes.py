"""The real probes `kiosk doctor` runs: the card reader at Stripe, the printer, the scanners and
the network, each through the module the till itself uses, each bounded in time."""

from __future__ import annotations

import asyncio

from kiosk.config import Config
from kiosk.config_platforms import StripeConfig
from kiosk.doctor.base import Check, fail, ok, warn
from kiosk.doctor.checks import Device, Probes
from kiosk.doctor.clock import Timedatectl
from kiosk.network.base import Link
from kiosk.secrets import Secrets

PROBE_S = 10.0


async def reader_check(config: Config, secrets: Secrets) -> Check:
    """The paired Stripe reader as Stripe sees it: online, offline or busy."""
    name = "card reader"
    stripe = config.section(StripeConfig)
    if not stripe.reader:
        return warn(
            name,
            "no card reader paired: the till takes cash only",
            "pair one with `kiosk reader pair CODE` (after `kiosk provision stripe`)",
        )
    try:
        from kiosk.payments.stripe_errors import StripeProblem
        from kiosk.payments.stripe_setup import StripeSecrets, reader_state, stripe_account
    except ImportError:
        return fail(name, "the payments extra (stripe) is not installed", "reinstall the image")
    key = StripeSecrets.of(secrets).api_key
    if not key:
        return fail(
            name,
            "the Stripe key is missing from the secrets file",
            "run `kiosk provision stripe --key rk_...` again",
        )
    try:
        async with asyncio.timeout(PROBE_S), stripe_account(key, stripe.api_base) as api:
            reader = await api.call("terminal.readers.retrieve", stripe.reader)
    except TimeoutError:
        return fail(name, "Stripe did not answer", "check the network")
    except StripeProblem as exc:
        return fail(name, f"Stripe: {exc}", "check the key, or pair the reader again")
    state = reader_state(reader)
    label = reader.get("label") or stripe.reader
    if state == "offline":
        return fail(
            name,
            f"{label} is offline",
            "check the reader's power and its WiFi; it must reach Stripe itself",
        )
    if state == "busy":
        return warn(name, f"{label} is in the middle of a payment", "let it finish, then recheck")
    return ok(name, f"{label} online ({reader.get('device_type', '')})")


async def printer_probe(config: Config) -> Device | None:
    from kiosk.hardware.printers import escpos_printer, printer_uri

    uri = printer_uri(config.hardware)
    if not uri:
        return None
    printer = escpos_printer(config.hardware, uri)  # ValueError: a URI it cannot read
    try:
        async with asyncio.timeout(PROBE_S):
            status = await printer.status()
    except TimeoutError:
        return Device(uri, "it does not answer a status request")
    return Device(uri, "" if status.ready else (status.detail or str(status.state)))


async def scanners_probe(config: Config) -> list[Device]:
    from kiosk.hardware.scanner_setup import scanner_options
    from kiosk.hardware.scanners import ScannerManager, ScannerState, SystemDeviceSource

    async def ignore(_name: str, _code: str) -> None:
        return None

    # As `kiosk hw scanners` does: each found scanner is opened once, then let go.
    manager = ScannerManager(SystemDeviceSource(scanner_options(config.hardware)), ignore)
    try:
        await manager.scan()
        try:
            found = await asyncio.wait_for(manager.tried(), PROBE_S)
        except TimeoutError:
            found = manager.list()
    finally:
        await manager.stop()
    return [
        Device(s.name or s.path, "" if s.state is ScannerState.READING else s.detail or s.state)
        for s in found
    ]


async def network_probe() -> Link:
    from kiosk.network.system import read_link

    return await read_link()


def system_probes() -> Probes:
    from kiosk.provisioning.apply import check_store

    return Probes(
        clock=Timedatectl(),
        check_store=check_store,
        reader=reader_check,
        printer=printer_probe,
        scanners=scanners_probe,
        network=network_probe,
    )
