"""`kiosk sale`: ring up a sale headlessly, through the same path as the touchscreen."""

from __future__ import annotations

import argparse
import re
from typing import Any

from kiosk.checkout import UnknownCode
from kiosk.cli import sale_card
from kiosk.cli.output import UsageError
from kiosk.core.cart import MAX_QUANTITY, Cart, CartError
from kiosk.core.models import PaymentMethod
from kiosk.core.money import Money, check_limit
from kiosk.core.tender import PaymentError, Tender
from kiosk.runtime import Runtime


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "sale",
        help="ring up a sale without the touchscreen",
        description="Ring up a sale from barcodes or SKUs and pay it in cash, or by card on "
        "the paired Stripe reader.",
    )
    p.add_argument(
        "--item",
        action="append",
        required=True,
        metavar="CODE[:QTY]",
        help="a barcode or SKU, optionally with a quantity after the last colon (repeatable)",
    )
    pay = p.add_mutually_exclusive_group()
    pay.add_argument(
        "--cash", metavar="AMOUNT", help="cash handed over, e.g. 20.00 (default: exact)"
    )
    pay.add_argument(
        "--card", action="store_true", help="the whole total by card, on the paired reader"
    )
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


async def fill_cart(args: argparse.Namespace, rt: Runtime, cart: Cart) -> Money:
    """Add each --item to `cart`; the total due, checked against the limits."""
    limits = rt.config.limits
    items = [(t, *parse_item(t, limits.max_quantity)) for t in args.item]
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
    due = cart.totals().total
    try:
        check_limit(due, limits.max_amount)
    except ValueError as exc:
        raise UsageError(f"--item: the total {exc} (limits.max_amount)") from None
    return due


async def run(args: argparse.Namespace, rt: Runtime) -> int:
    if args.card:
        return await sale_card.run_card(args, rt, lambda cart: fill_cart(args, rt, cart))
    cart = await rt.checkout.start()
    due = await fill_cart(args, rt, cart)
    limits = rt.config.limits
    currency = cart.currency
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
    await sale_card.report_sale(args, rt, order)
    return 0
