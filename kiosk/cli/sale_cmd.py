"""`kiosk sale`: ring up a sale headlessly, through the same path as the touchscreen."""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.cli.output import UsageError, emit
from kiosk.cli.render import order_text
from kiosk.core.models import PaymentMethod
from kiosk.core.money import Money
from kiosk.core.tender import PaymentError, Tender
from kiosk.runtime import Runtime
from kiosk.store import orders

MAX_QTY = 9999


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "sale",
        help="ring up a sale without the touchscreen",
        description="Ring up a sale from barcodes or SKUs and pay it in cash.",
    )
    p.add_argument(
        "--item",
        action="append",
        required=True,
        metavar="CODE[:QTY]",
        help="a barcode or SKU, optionally with a quantity after the last colon (repeatable)",
    )
    p.add_argument("--cash", metavar="AMOUNT", help="cash handed over, e.g. 20.00 (default: exact)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run)


def parse_item(text: str) -> tuple[str, int]:
    """Split CODE[:QTY]; anything after the last colon must be a whole quantity."""
    code, sep, qty_text = text.rpartition(":")
    if not sep:
        code, qty_text = text, "1"
    code = code.strip()
    if not code:
        raise UsageError(f"--item {text!r}: missing barcode or SKU")
    if not qty_text.strip().isdigit():
        raise UsageError(f"--item {text!r}: quantity {qty_text!r} is not a whole number")
    qty = int(qty_text)
    if not 1 <= qty <= MAX_QTY:
        raise UsageError(f"--item {text!r}: quantity must be between 1 and {MAX_QTY}")
    return code, qty


async def run(args: argparse.Namespace, rt: Runtime) -> int:
    items = [parse_item(t) for t in args.item]
    cart = await rt.checkout.start()
    for code, qty in items:
        await rt.checkout.add_code(cart, code, qty)
    currency = cart.currency
    due = cart.totals().total
    if args.cash is None:
        cash = due
    else:
        try:
            cash = Money.parse(args.cash, currency)
        except ValueError as exc:
            raise UsageError(f"--cash: {exc}") from None
        if cash.minor < 0:
            raise UsageError("--cash: the amount cannot be negative")
    try:
        order = await rt.checkout.complete(cart, [Tender(PaymentMethod.CASH, cash)])
    except PaymentError as exc:
        raise UsageError(f"--cash: {exc}") from None
    stored = await orders.get_order(rt.db, order.id)
    assert stored is not None  # committed a moment ago in this process
    locale = (await rt.checkout.pricing()).settings.locale
    emit(
        args.json,
        {
            "order_id": order.id,
            "number": order.number,
            "total": order.total.to_json(locale),
            "change": order.change.to_json(locale),
            "status": str(stored.state),
        },
        order_text(stored, locale),
    )
    return 0
