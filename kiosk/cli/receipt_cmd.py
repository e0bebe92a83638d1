"""`kiosk receipt ORDER_ID`: print an order's receipt again (the sale stands whatever the printer
did; its receipt can always be had again)."""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.cli.output import UsageError, emit
from kiosk.core.receipt import build_receipt, device_zone
from kiosk.hardware.printers import printer_at, printer_uri, receipt_columns, receipts_folder
from kiosk.hardware.receipt_image import image_path
from kiosk.runtime import Runtime
from kiosk.store import orders
from kiosk.store.outbox import OutboxState


def add_parser(sub: Any) -> None:
    p = sub.add_parser("receipt", help="print an order's receipt again")
    p.add_argument("id", metavar="ORDER_ID", help="order id (UUID) or number")
    p.add_argument("--printer", metavar="URI", help="this printer instead of the configured one")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run)


async def run(args: argparse.Namespace, rt: Runtime) -> int:
    stored = await orders.get_order(rt.db, args.id.strip())
    if stored is None:
        raise UsageError(f"no order with id or number {args.id!r}")
    settings = (await rt.checkout.pricing()).settings
    receipt = build_receipt(
        stored.order,
        settings,
        width=receipt_columns(rt.config.hardware),
        header=rt.config.receipt.header_lines,
        footer=rt.config.receipt.footer_lines,
        timezone=device_zone(),
        unsynced=stored.state is not OutboxState.SYNCED,
    )
    uri = printer_uri(rt.config.hardware, args.printer)
    try:
        printer = printer_at(rt.config.hardware, rt.config.data_dir, uri)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    await printer.print_receipt(receipt)  # PrinterError: its message, exit 1
    number = receipt.reference
    saved = image_path(receipts_folder(rt.config.data_dir), number)
    where = f"printed on {uri}" if uri else f"saved as {saved} (no printer is set)"
    emit(
        args.json,
        {"order_id": stored.order.id, "number": number, "printer": uri or None},
        f"Receipt for order {number} {where}.",
    )
    return 0
