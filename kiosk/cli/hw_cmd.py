"""`kiosk hw`: the technician's checks of the counter's printer, cash drawer and scanners, through
the same code the till uses."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
from datetime import datetime
from typing import Any

from kiosk.cli.output import UsageError, emit
from kiosk.hardware.base import ReceiptPrinter
from kiosk.hardware.printers import escpos_printer, printer_uri, receipt_columns
from kiosk.hardware.test_page import test_page
from kiosk.runtime import Runtime
from kiosk.staff import drawer
from kiosk.store import catalog

TECHNICIAN = "technician (kiosk hw open-drawer)"
OPEN_S = 10.0  # a scanner that neither opens nor fails in this long is reported as it stands
NO_PRINTER = (
    'no printer is set or plugged in: put `printer = "usb:VID:PID"` (or file:, serial:, tcp:) '
    "under [hardware] in kiosk.toml, or pass --printer URI"
)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("hw", help="check the printer, the cash drawer and the scanners")
    hsub = p.add_subparsers(dest="hw_command", metavar="ACTION", required=True)
    for name, help_text, handler in (
        ("test-print", "print a test page", run_test_print),
        ("open-drawer", "open the cash drawer (a no-sale)", run_open_drawer),
    ):
        cmd = hsub.add_parser(name, help=help_text)
        cmd.add_argument(
            "--printer", metavar="URI", help="this printer instead of the configured one"
        )
        cmd.add_argument("--json", action="store_true", help="print one JSON object")
        cmd.set_defaults(handler=handler)
    scanners = hsub.add_parser("scanners", help="the scanners found and whether they read")
    scanners.add_argument(
        "--all",
        action="store_true",
        help="also any keyboard-like input device (a scanner of an unlisted make)",
    )
    scanners.add_argument("--json", action="store_true", help="print one JSON object")
    scanners.set_defaults(handler=run_scanners)


def _printer(args: argparse.Namespace, rt: Runtime) -> tuple[str, ReceiptPrinter]:
    uri = printer_uri(rt.config.hardware, args.printer)
    if not uri:
        raise UsageError(NO_PRINTER)
    try:
        return uri, escpos_printer(rt.config.hardware, uri)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


async def run_test_print(args: argparse.Namespace, rt: Runtime) -> int:
    uri, printer = _printer(args, rt)
    settings = await catalog.load_shop_settings(rt.db)
    shop = (settings.name if settings else "") or rt.config.device.name
    page = test_page(
        shop, uri, receipt_columns(rt.config.hardware), now=datetime.now().astimezone()
    )
    await printer.print_receipt(page)  # PrinterError: its message, exit 1
    emit(args.json, {"printer": uri, "printed": True}, f"Test page printed on {uri}.")
    return 0


async def run_open_drawer(args: argparse.Namespace, rt: Runtime) -> int:
    uri, printer = _printer(args, rt)
    await printer.open_drawer()
    # Every opening is on record, this one too: a no-sale from the shell, by a technician.
    await rt.db.write(
        lambda conn: drawer.record(
            conn, drawer.Reason.NO_SALE, staff=TECHNICIAN, at=rt.checkout.now()
        )
    )
    hw = rt.config.hardware
    emit(
        args.json,
        {"printer": uri, "opened": True, "pin": hw.drawer_pin, "pulse_ms": hw.drawer_pulse_ms},
        f"Drawer opened through {uri} (pin {hw.drawer_pin}, {hw.drawer_pulse_ms} ms pulse).",
    )
    return 0


async def run_scanners(args: argparse.Namespace, rt: Runtime) -> int:
    from kiosk.hardware.scanner_setup import scanner_options
    from kiosk.hardware.scanners import ScannerManager, SystemDeviceSource

    try:
        options = scanner_options(rt.config.hardware)
    except ValueError as exc:
        raise UsageError(f"hardware: {exc}") from None
    if args.all:  # found by capability: digits and Enter, not a pointer
        options = dataclasses.replace(options, by_capability=True)

    async def ignore(_name: str, _code: str) -> None:
        return None

    # Each found scanner is opened (and grabbed) once, as the till would, then let go.
    manager = ScannerManager(SystemDeviceSource(options), ignore)
    try:
        await manager.scan()
        try:
            found = await asyncio.wait_for(manager.tried(), OPEN_S)
        except TimeoutError:
            found = manager.list()
    finally:
        await manager.stop()
    rows = [
        {"name": s.name, "path": s.path, "kind": s.kind, "state": str(s.state), "detail": s.detail}
        for s in found
    ]
    where = ", ".join(options.patterns + tuple(p for p, _ in options.serial_ports))
    text = (
        "\n".join(
            f"{r['name']:24} {r['kind']:6} {r['state']:10} {r['path']}"
            + (f"  ({r['detail']})" if r["detail"] else "")
            for r in rows
        )
        if rows
        else f"No scanner found at {where}: check the cable, or name it in hardware.scanners."
    )
    emit(args.json, {"scanners": rows}, text)
    return 0
