"""`kiosk shift open|cash-in|cash-out|close|report`: the till's shift and its cash.

Each change names who makes it (`--staff NAME`) and is signed with their PIN, read from stdin
as `kiosk staff` reads it (with the same lockout as at the till). Amounts are in the shop's
currency ("150.00"); a count by note and coin is `--count 20=3 --count 0.50=4`.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from kiosk.cli.output import UsageError, emit
from kiosk.cli.staff_cmd import read_pin
from kiosk.core.models import ShopSettings
from kiosk.core.money import Money, check_limit
from kiosk.core.receipt import device_zone
from kiosk.hardware.printers import printer_at, printer_uri, receipt_columns, receipts_folder
from kiosk.hardware.receipt_image import image_path
from kiosk.runtime import Runtime
from kiosk.shifts import close, shift
from kiosk.shifts.denominations import Count, CountError, count
from kiosk.shifts.printout import report_receipt
from kiosk.shifts.report import ShiftReport, report_json
from kiosk.shifts.shift import MovementKind, ShiftError, Who
from kiosk.staff import accounts
from kiosk.staff.accounts import StaffError

_COUNT = re.compile(r"\s*([0-9]+(?:[.,][0-9]+)?)\s*=\s*([0-9]{1,6})\s*")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("shift", help="open and close the till's shift, move cash, X/Z reports")
    ssub = p.add_subparsers(dest="shift_command", metavar="ACTION", required=True)

    def signed(q: argparse.ArgumentParser) -> None:
        q.add_argument("--staff", required=True, metavar="NAME", help="who does it")
        q.add_argument("--pin-stdin", action="store_true", help="read their PIN from stdin")
        q.add_argument("--json", action="store_true", help="print one JSON object")

    def counted(q: argparse.ArgumentParser, flag: str, what: str) -> None:
        g = q.add_mutually_exclusive_group(required=True)
        g.add_argument(flag, metavar="AMOUNT", help=f"the {what}, e.g. 150.00")
        g.add_argument(
            "--count",
            action="append",
            metavar="NOTE=N",
            help="how many of one note or coin, e.g. 20=3 (repeatable)",
        )

    op = ssub.add_parser("open", help="open a shift with the float counted into the drawer")
    counted(op, "--float", "cash put in the drawer to start")
    signed(op)
    op.set_defaults(handler=run_open)

    for name, kind in (("cash-in", MovementKind.IN), ("cash-out", MovementKind.OUT)):
        mv = ssub.add_parser(name, help=f"cash {kind.value} of the drawer, with the reason")
        mv.add_argument("amount", metavar="AMOUNT")
        mv.add_argument("--reason", required=True, help="why, in a few words")
        signed(mv)
        mv.set_defaults(handler=run_move, kind=kind)

    cl = ssub.add_parser("close", help="close the shift with the cash counted: the Z report")
    counted(cl, "--counted", "cash counted in the drawer")
    signed(cl)
    printing(cl, default=True)
    cl.set_defaults(handler=run_close)

    rp = ssub.add_parser("report", help="the open shift's X report, or a closed one's Z report")
    rp.add_argument("--shift", type=int, metavar="N", help="the Z report of shift N")
    rp.add_argument("--json", action="store_true", help="print one JSON object")
    printing(rp, default=False)
    rp.set_defaults(handler=run_report)


def printing(q: argparse.ArgumentParser, *, default: bool) -> None:
    q.add_argument(
        "--print",
        action=argparse.BooleanOptionalAction,
        default=default,
        help="print it on the receipt printer" + (" (default)" if default else ""),
    )
    q.add_argument("--printer", metavar="URI", help="this printer instead of the configured one")


async def _shop(rt: Runtime) -> ShopSettings:
    return (await rt.checkout.pricing()).settings


def _amount(text: str, flag: str, settings: ShopSettings, rt: Runtime) -> Money:
    try:
        amount = Money.parse(text, settings.currency)
        check_limit(amount, rt.config.limits.max_amount)
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None
    if amount.minor < 0:
        raise UsageError(f"{flag}: the amount cannot be negative")
    return amount


def _counted(
    args: argparse.Namespace, flag: str, settings: ShopSettings, rt: Runtime
) -> Money | Count:
    if args.count is None:
        return _amount(getattr(args, flag.lstrip("-")), flag, settings, rt)
    pieces: dict[Money, int] = {}
    for text in args.count:
        m = _COUNT.fullmatch(text)
        if m is None:
            raise UsageError(f"--count {text!r}: expected a note or coin and how many, e.g. 20=3")
        value = _amount(m.group(1), f"--count {text!r}", settings, rt)
        pieces[value] = pieces.get(value, 0) + int(m.group(2))
    try:
        return count(settings.currency, pieces)
    except CountError as exc:
        raise UsageError(f"--count: {exc}") from None


async def _who(args: argparse.Namespace, rt: Runtime) -> Who:
    """The staff member named, signed with their PIN."""
    pin = read_pin(args, f"PIN for {args.staff.strip()}: ")
    try:
        member = await accounts.verify_pin(rt.db, args.staff.strip(), pin)
    except StaffError as exc:
        raise UsageError(f"--staff {args.staff.strip()}: {exc}") from None
    return Who(member.name, member.id)


async def run_open(args: argparse.Namespace, rt: Runtime) -> int:
    settings = await _shop(rt)
    float_ = _counted(args, "--float", settings, rt)
    who = await _who(args, rt)
    try:
        opened = await shift.open_shift(rt.db, float_=float_, by=who, now=rt.checkout.now())
    except ShiftError as exc:
        raise UsageError(str(exc)) from None
    loc = settings.locale
    emit(
        args.json,
        {
            "shift": opened.number,
            "shift_id": opened.id,
            "float": opened.float.to_json(loc),
            "opened_by": opened.opened_by,
        },
        f"Shift {opened.number} opened by {opened.opened_by} with a float of "
        f"{opened.float.format(loc)}.",
    )
    return 0


async def run_move(args: argparse.Namespace, rt: Runtime) -> int:
    settings = await _shop(rt)
    amount = _amount(args.amount, "AMOUNT", settings, rt)
    who = await _who(args, rt)
    try:
        move = await shift.move_cash(
            rt.db, args.kind, amount, reason=args.reason, by=who, now=rt.checkout.now()
        )
    except ShiftError as exc:
        raise UsageError(str(exc)) from None
    loc = settings.locale
    words = "into" if move.kind is MovementKind.IN else "out of"
    emit(
        args.json,
        {
            "kind": move.kind.value,
            "amount": move.amount.to_json(loc),
            "reason": move.reason,
            "staff": move.staff,
        },
        f"{move.amount.format(loc)} {words} the drawer ({move.reason}), by {move.staff}.",
    )
    return 0


async def run_close(args: argparse.Namespace, rt: Runtime) -> int:
    settings = await _shop(rt)
    counted = _counted(args, "--counted", settings, rt)
    who = await _who(args, rt)
    try:
        report = await close.close_shift(
            rt.db, counted=counted, by=who, locale=settings.locale, now=rt.checkout.now()
        )
    except ShiftError as exc:
        raise UsageError(str(exc)) from None
    return await _show(args, rt, report, settings)


async def run_report(args: argparse.Namespace, rt: Runtime) -> int:
    settings = await _shop(rt)
    try:
        if args.shift is None and await shift.current_shift(rt.db) is not None:
            report = await close.x_report(rt.db, now=rt.checkout.now())
        else:
            report = await close.z_report(rt.db, args.shift)
    except ShiftError as exc:
        raise UsageError(str(exc)) from None
    return await _show(args, rt, report, settings)


async def _show(
    args: argparse.Namespace, rt: Runtime, report: ShiftReport, settings: ShopSettings
) -> int:
    paper = report_receipt(
        report,
        shop=settings.name,
        locale=settings.locale,
        width=receipt_columns(rt.config.hardware),
        timezone=device_zone(),
    )
    data = report_json(report, settings.locale)
    text = paper.text()
    if args.print:
        uri = printer_uri(rt.config.hardware, args.printer)
        try:
            printer = printer_at(rt.config.hardware, rt.config.data_dir, uri)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        await printer.print_receipt(paper)  # PrinterError: its message, exit 1
        saved = image_path(receipts_folder(rt.config.data_dir), paper.reference)
        data["printed"] = uri or str(saved)
        text += "\n\n" + (f"Printed on {uri}." if uri else f"Saved as {saved} (no printer is set).")
    emit(args.json, data, text)
    return 0
