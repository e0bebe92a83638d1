"""`kiosk orders refund`: give back all or some of a sale, in cash or to its card.

The refund is committed on the device at once (it works offline for cash) and uploaded by the
agent or `kiosk sync --once`: a card refund goes back to the card first, then to the store.
"""

from __future__ import annotations

import argparse
import re
import uuid
from typing import Any

from kiosk.cli.manager_pin import add_manager_arguments, approved_by
from kiosk.cli.output import UsageError, emit, table
from kiosk.cli.render import STATE_WORDS, iso, when
from kiosk.cli.web_order_lookup import web_order_finder
from kiosk.core.models import Order, PaymentMethod
from kiosk.core.refund_calc import RefundError
from kiosk.counter.web_orders import bring_web_order
from kiosk.runtime import Runtime
from kiosk.staff.overrides import Action
from kiosk.store import catalog, orders
from kiosk.store.orders import StoredOrder
from kiosk.store.outbox import OutboxState
from kiosk.store.refunds import StoredRefund, make_refund
from kiosk.sync.refund_push import give_back_now


def add_parser(osub: Any) -> None:
    """`refund` under `kiosk orders`."""
    r = osub.add_parser(
        "refund",
        help="refund all or some lines of an order, in cash or to its card",
        description="Refund an order: --line SKU:QTY for some items, --all (the default) for "
        "everything not yet refunded. Cash refunds work offline; all refunds upload later.",
    )
    r.add_argument(
        "id",
        metavar="ORDER",
        help="order number or id (UUID); a number no order on this till has is looked up as a "
        "web shop order number (see --online)",
    )
    r.add_argument(
        "--online",
        action="store_true",
        help="ORDER is the number of an order placed in the web shop: it is fetched from the "
        "store (once; later refunds find it offline) and refunded here, in cash unless the shop "
        "took it as a Stripe payment of this till's account",
    )
    r.add_argument(
        "--line",
        action="append",
        default=[],
        metavar="SKU:QTY",
        help="refund QTY of the item with this SKU (repeat for several)",
    )
    r.add_argument("--all", action="store_true", help="refund everything not yet refunded")
    tender = r.add_mutually_exclusive_group()
    tender.add_argument("--cash", action="store_true", help="give the money back in cash")
    tender.add_argument("--card", action="store_true", help="refund to the card that paid")
    r.add_argument("--restock", action="store_true", help="put the items back in stock")
    r.add_argument("--reason", default="", help="why, for the store's order notes")
    add_manager_arguments(r, "the refund")
    r.add_argument("--json", action="store_true", help="print one JSON object")
    r.set_defaults(handler=run_refund)


def parse_lines(specs: list[str]) -> dict[str, int]:
    """`SKU:QTY` arguments as units per SKU; UsageError naming the one that is not."""
    wanted: dict[str, int] = {}
    for spec in specs:
        sku, sep, qty = spec.rpartition(":")
        # ASCII digits only: str.isdigit() also passes "²", which int() refuses.
        if (
            not sep
            or not sku.strip()
            or not re.fullmatch(r"[0-9]{1,6}", qty.strip())
            or not int(qty)
        ):
            raise UsageError(
                f"--line {spec!r}: expected SKU:QTY with a quantity of at least 1, e.g. MUG-1:2"
            )
        wanted[sku.strip()] = wanted.get(sku.strip(), 0) + int(qty)
    return wanted


def refund_json(s: StoredRefund, locale: str) -> dict[str, Any]:
    r = s.refund
    return {
        "refund_id": r.id,
        "order_id": r.order_id,
        "order_number": s.order_number,
        "created_at": iso(r.created_at),
        "method": str(r.method),
        "amount": r.amount.to_json(locale),
        "restock": r.restock,
        "reason": r.reason,
        "status": str(s.state),
        "last_error": s.last_error,
        "card_refund": r.reference,
        "remote_id": s.remote_id,
        "lines": [
            {
                "line_no": rl.line_no,
                "sku": rl.sku,
                "quantity": rl.quantity,
                "total": rl.total.to_json(locale),
                "total_tax": rl.total_tax.to_json(locale),
            }
            for rl in r.lines
        ],
    }


def refund_text(s: StoredRefund, order: Order, locale: str) -> str:
    r = s.refund
    names = {li.line_no: li.name for li in order.lines}
    to = "in cash" if r.method is PaymentMethod.CASH else "to the card"
    rows = []
    for rl in r.lines:
        amount = rl.total + rl.total_tax
        rows.append([f"{rl.quantity} x", names.get(rl.line_no, rl.sku), amount.format(locale)])
    rows.append(["", "Refund " + to, r.amount.format(locale)])
    state = STATE_WORDS[s.state] + (f": {s.last_error}" if s.last_error else "")
    head = f"Refund of order {s.order_number} ({when(r.created_at)}): {state}"
    extra = ["Items put back in stock." if r.restock else ""]
    return "\n".join([head, table(rows, right=frozenset({2})), *[e for e in extra if e]])


def refunds_text(items: list[StoredRefund], order: Order, locale: str) -> str:
    """The refunds block of `kiosk orders show`."""
    if not items:
        return ""
    return "\nRefunds:\n" + "\n\n".join(refund_text(s, order, locale) for s in items) + "\n"


async def _order(args: argparse.Namespace, rt: Runtime) -> StoredOrder:
    """The till's order ORDER, else (or with --online) the web shop's order by that number."""
    stored = None if args.online else await orders.get_order(rt.db, args.id.strip())
    if stored is not None:
        return stored
    finder = web_order_finder(rt.config, locale=rt.config.shop.locale)
    if finder is None and not args.online:
        raise UsageError(f"no order with id or number {args.id!r}")
    try:
        return await bring_web_order(rt.db, finder, args.id)
    except RefundError as exc:
        if args.online:
            raise UsageError(f"--online {args.id}: {exc}") from None
        raise UsageError(f"no order with id or number {args.id!r} on this till; {exc}") from None


async def run_refund(args: argparse.Namespace, rt: Runtime) -> int:
    stored = await _order(args, rt)
    if args.line and args.all:
        raise UsageError("--line and --all cannot go together: name the lines, or refund all")
    settings = await catalog.load_shop_settings(rt.db)
    locale = settings.locale if settings else rt.config.shop.locale
    method = PaymentMethod.CARD if args.card else PaymentMethod.CASH
    refund_id = str(uuid.uuid4())  # minted now: the approval names the refund it allows
    approver = await approved_by(
        args,
        rt.db,
        Action.REFUND,
        subject=refund_id,
        detail=f"refund of order {stored.order.number} from the command line",
    )
    try:
        made = await make_refund(
            rt.db,
            stored.order.id,
            method,
            now=rt.checkout.now(),
            skus=parse_lines(args.line) or None,
            restock=args.restock,
            reason=args.reason.strip(),
            staff=approver or rt.checkout.cashier,
            refund_id=refund_id,
        )
    except RefundError as exc:
        raise UsageError(str(exc)) from None
    if method is PaymentMethod.CARD:
        made = await _to_card_now(rt, made)
    text = refund_text(made, stored.order, locale)
    if method is PaymentMethod.CASH:
        text += f"\nGive the customer {made.refund.amount.format(locale)} in cash."
    elif made.refund.reference:
        text += f"\n{made.refund.amount.format(locale)} went back to the card."
    elif made.state is not OutboxState.FAILED:
        text += "\nThe money goes back to the card when the refund uploads (kiosk sync --once)."
    emit(args.json, refund_json(made, locale), text)
    return 1 if made.state is OutboxState.FAILED else 0


async def _to_card_now(rt: Runtime, made: StoredRefund) -> StoredRefund:
    """Give a card refund back at once through the paired reader's account, when provisioned."""
    from kiosk.config_platforms import StripeConfig
    from kiosk.runtime import stripe_provisioned

    if not stripe_provisioned(rt.config):
        return made
    # Imported only now: stripe comes with the payments extra, which a cash-only till may lack.
    from kiosk.payments.stripe_refunds import stripe_card_refunds
    from kiosk.payments.stripe_setup import StripeSecrets
    from kiosk.secrets import load_secrets

    key = StripeSecrets.of(load_secrets(rt.config.data_dir)).api_key
    if not key:
        return made
    async with stripe_card_refunds(key, rt.config.section(StripeConfig).api_base) as card:
        now = await give_back_now(rt.db, card, made.refund_id, clock=rt.checkout.now)
    return now or made
