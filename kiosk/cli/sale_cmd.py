"""`kiosk sale`: ring up a sale headlessly, through the same path as the touchscreen."""

from __future__ import annotations

import argparse
import re
from typing import Any

from kiosk.checkout import UnknownCode
from kiosk.cli.output import UsageError, emit
from kiosk.cli.render import order_text
from kiosk.core.cart import MAX_QUANTITY, CartError
from kiosk.core.models import PaymentMethod
from kiosk.core.money import Money, check_limit
from kiosk.core.tender import PaymentError, Tender
from kiosk.runtime import Runtime
from kiosk.store import orders


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


def parse_item(text: str, max_quantity: int = MAX_QUANTITY) -> tuple[str, int]:
    """Split CODE[:QTY]; anything after the last colon must be a quantity of 1 to max_quantity."""
    code, sep, qty_text = text.rpartition(":")
    if not sep:
        code, qty_text = text, "1"
    code, qty_text = code.strip(), qty_text.strip()
    if not code:
        raise UsageError(f"--item {text!r}: missing barcode or SKU")
    # ASCII digits only: str.isdigit() also passes "²", which int() refuses.
    if not re.fullmatch(r"[0-9]+", qty_text):
        raise UsageError(f"--item {text!r}: quantity {qty_text!r} is not a whole number")
    qty = int(qty_text) if len(qty_text) <= 9 else max_quantity + 1  # int() caps its digits
    if not 1 <= qty <= max_quantity:
        raise UsageError(
            f"--item {text!r}: quantity must be between 1 and {max_quantity} (limits.max_quantity)"
        )
    return code, qty


async def run(args: argparse.Namespace, rt: Runtime) -> int:
    limits = rt.config.limits
    items = [(t, *parse_item(t, limits.max_quantity)) for t in args.item]
    cart = await rt.checkout.start()
    for text, code, qty in items:
        try:
            await rt.checkout.add_code(cart, code, qty)
        except (UnknownCode, CartError) as exc:
            raise UsageError(f"--item {text!r}: {exc}") from None
        # The same product named twice adds up on one line, past what either --item asked for.
        for line in cart.lines:
            if line.quantity > limits.max_quantity:
                raise UsageError(
                    f"--item {text!r}: {line.product.name} would come to {line.quantity}, more "
                    f"than {limits.max_quantity} on one line (limits.max_quantity)"
                )
    currency = cart.currency
    due = cart.totals().total
    try:
        check_limit(due, limits.max_amount)
    except ValueError as exc:
        raise UsageError(f"--item: the total {exc} (limits.max_amount)") from None
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
            check_limit(cash, limits.max_amount)
        except ValueError as exc:
            raise UsageError(f"--cash: {exc} (limits.max_amount)") from None
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
