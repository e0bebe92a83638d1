"""`kiosk orders list|show|retry|refund`: the device's sales, their refunds and upload state."""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.cli import refund_cmd
from kiosk.cli.output import UsageError, emit
from kiosk.cli.render import STATE_WORDS, order_json, order_summary_json, order_text, orders_table
from kiosk.runtime import Runtime
from kiosk.store import catalog, orders, outbox, refunds
from kiosk.store.outbox import InvalidTransition, OutboxState


def add_parser(sub: Any) -> None:
    p = sub.add_parser("orders", help="list, show and retry the device's orders")
    osub = p.add_subparsers(dest="orders_command", metavar="ACTION", required=True)

    ls = osub.add_parser("list", help="orders, newest first")
    ls.add_argument(
        "--status", choices=[s.value for s in OutboxState], help="only orders in this upload state"
    )
    ls.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    ls.add_argument("--json", action="store_true", help="print one JSON object")
    ls.set_defaults(handler=run_list)

    show = osub.add_parser("show", help="one order in full")
    show.add_argument("id", metavar="ID", help="order id (UUID) or number")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(handler=run_show)

    retry = osub.add_parser("retry", help="queue a failed order (or its failed refunds) again")
    retry.add_argument("id", metavar="ID", help="order id (UUID) or number")
    retry.add_argument("--json", action="store_true", help="print one JSON object")
    retry.set_defaults(handler=run_retry)

    refund_cmd.add_parser(osub)


async def _locale(rt: Runtime) -> str:
    settings = await catalog.load_shop_settings(rt.db)
    return settings.locale if settings else rt.config.shop.locale


async def _get(rt: Runtime, ident: str) -> orders.StoredOrder:
    stored = await orders.get_order(rt.db, ident.strip())
    if stored is None:
        raise UsageError(f"no order with id or number {ident!r}")
    return stored


async def run_list(args: argparse.Namespace, rt: Runtime) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    state = OutboxState(args.status) if args.status else None
    items = await orders.list_orders(rt.db, state=state, limit=args.limit)
    locale = await _locale(rt)
    emit(
        args.json,
        {"orders": [order_summary_json(s, locale) for s in items]},
        orders_table(items, locale),
    )
    return 0


async def run_show(args: argparse.Namespace, rt: Runtime) -> int:
    stored = await _get(rt, args.id)
    locale = await _locale(rt)
    given = await refunds.refunds_of(rt.db, stored.order.id)
    data = order_json(stored, locale)
    data["refunds"] = [refund_cmd.refund_json(s, locale) for s in given]
    text = order_text(stored, locale) + refund_cmd.refunds_text(given, stored.order, locale)
    emit(args.json, data, text)
    return 0


async def run_retry(args: argparse.Namespace, rt: Runtime) -> int:
    stored = await _get(rt, args.id)
    failed = [
        s for s in await refunds.refunds_of(rt.db, stored.order.id) if s.state is OutboxState.FAILED
    ]
    if failed and stored.state is not OutboxState.FAILED:
        for s in failed:
            await refunds.retry(rt.db, s.refund_id, rt.checkout.now())
        emit(
            args.json,
            {"order_id": stored.order.id, "refunds": [s.refund_id for s in failed]},
            f"{len(failed)} refund(s) of order {stored.order.number} will be uploaded again.",
        )
        return 0
    try:
        state = await outbox.retry(rt.db, stored.order.id, rt.checkout.now())
    except InvalidTransition:
        raise UsageError(
            f"order {stored.order.number} is {STATE_WORDS[stored.state]}, not failed: "
            "only failed orders can be retried"
        ) from None
    emit(
        args.json,
        {"order_id": stored.order.id, "number": stored.order.number, "status": str(state)},
        f"Order {stored.order.number} will be uploaded again.",
    )
    return 0
