"""`kiosk pickup list|collect|retry`: web orders waiting for collection, on the command line.

The list is the one the agent (or `kiosk sync --once`) last pulled; `--refresh` pulls it now.
Collecting is recorded on the device at once, offline too; the store completes the order when
it uploads.
"""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.checkout import utc_now
from kiosk.cli.output import UsageError, emit, table
from kiosk.cli.render import iso, when
from kiosk.connectors.factory import open_connector
from kiosk.counter.pickup_desk import PickupDesk, PickupRow
from kiosk.runtime import Runtime
from kiosk.secrets import load_secrets
from kiosk.store import catalog
from kiosk.store.outbox import InvalidTransition
from kiosk.store.pickups import UnknownPickup
from kiosk.sync.pickup_push import PickupPuller


def add_parser(sub: Any) -> None:
    p = sub.add_parser("pickup", help="web orders waiting for collection in the shop")
    psub = p.add_subparsers(dest="pickup_command", metavar="ACTION", required=True)
    ls = psub.add_parser("list", help="list the orders waiting for collection")
    ls.add_argument("--search", default="", metavar="TEXT", help="order number or customer name")
    ls.add_argument("--collected", action="store_true", help="also those already handed over")
    ls.add_argument("--refresh", action="store_true", help="pull the list from the store first")
    ls.add_argument("--json", action="store_true", help="print one JSON object")
    ls.set_defaults(handler=run_list)
    c = psub.add_parser("collect", help="the customer has collected this order")
    c.add_argument("id", metavar="ID", help="order number (e.g. 1001 or #1001) or store id")
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.set_defaults(handler=run_collect)
    r = psub.add_parser("retry", help="try again to complete an order the store refused")
    r.add_argument("id", metavar="ID", help="order number or store id")
    r.add_argument("--json", action="store_true", help="print one JSON object")
    r.set_defaults(handler=run_retry)


async def _locale(rt: Runtime) -> str:
    settings = await catalog.load_shop_settings(rt.db)
    return settings.locale if settings else rt.config.shop.locale


def _desk(rt: Runtime) -> PickupDesk:
    return PickupDesk(rt.db, clock=rt.checkout.now, staff=lambda: rt.checkout.cashier)


def pickup_json(row: PickupRow, locale: str) -> dict[str, Any]:
    return {
        "id": row.remote_id,
        "number": row.number,
        "customer": row.customer,
        "email": row.email,
        "phone": row.phone,
        "placed_at": iso(row.placed_at),
        "total": row.total.to_json(locale),
        "items": row.items,
        "lines": [{"name": li.name, "sku": li.sku, "quantity": li.quantity} for li in row.lines],
        "note": row.note,
        "store_status": row.store_status,
        "collected_at": iso(row.collected_at),
        "collected_by": row.collected_by,
        "status": str(row.state) if row.state is not None else "waiting",
        "words": row.words,
    }


def _label(row: PickupRow) -> str:
    number = row.number if row.number.startswith("#") else f"#{row.number}"
    return f"order {number}" + (f" for {row.customer}" if row.customer else "")


def detail_text(row: PickupRow, locale: str) -> str:
    rows = [[f"{li.quantity} x", li.name, li.sku] for li in row.lines]
    items = "1 item" if row.items == 1 else f"{row.items} items"
    label = _label(row)
    head = f"{label[:1].upper()}{label[1:]}: {items}, {row.total.format(locale)}"
    extra = [f"Note: {row.note}" if row.note else "", row.words + "."]
    return "\n".join([head, table(rows), *[e for e in extra if e]])


async def _refresh(rt: Runtime) -> str:
    """Pull the store's list now; the trouble in words ("" when it worked)."""
    connector = open_connector(
        rt.config, load_secrets(rt.config.data_dir), locale=await _locale(rt)
    )
    try:
        puller = PickupPuller(
            rt.db, connector, clock=utc_now, local_only=rt.config.pickup.local_only
        )
        await puller.pull()
        return puller.error
    finally:
        await connector.close()


async def run_list(args: argparse.Namespace, rt: Runtime) -> int:
    locale = await _locale(rt)
    trouble = await _refresh(rt) if args.refresh else ""
    found = await _desk(rt).find(args.search.strip(), collected=args.collected)
    lines = []
    if trouble:
        lines.append(f"The store could not be asked ({trouble}); showing the list pulled last.")
    if not found:
        what = f" matching {args.search.strip()!r}" if args.search.strip() else ""
        lines.append(f"No orders waiting for collection{what}.")
    else:
        rows = [
            [
                r.number,
                r.customer or "(no name)",
                f"{r.items} item{'s' if r.items != 1 else ''}",
                r.total.format(locale),
                when(r.placed_at),
                r.words,
            ]
            for r in found
        ]
        n = len(found)
        lines.append(f"{n} order{'s' if n != 1 else ''}:")
        lines.append(table(rows, right=frozenset({3})))
    data = {"pickups": [pickup_json(r, locale) for r in found], "error": trouble or None}
    emit(args.json, data, "\n".join(lines))
    return 0


async def run_collect(args: argparse.Namespace, rt: Runtime) -> int:
    locale = await _locale(rt)
    desk = _desk(rt)
    before = await desk.get(args.id)
    try:
        row = await desk.collect(args.id)
    except UnknownPickup as exc:
        raise UsageError(f"{exc} (kiosk pickup list shows them)") from None
    text = detail_text(row, locale)
    if before is not None and before.collected_at is not None:
        text = f"Already collected {when(before.collected_at)}.\n" + text
    else:
        text += "\nThe agent (or kiosk sync --once) completes it in the store when it can."
    emit(args.json, pickup_json(row, locale), text)
    return 0


async def run_retry(args: argparse.Namespace, rt: Runtime) -> int:
    locale = await _locale(rt)
    try:
        row = await _desk(rt).retry(args.id)
    except UnknownPickup as exc:
        raise UsageError(str(exc)) from None
    except InvalidTransition:
        raise UsageError(
            f"order {args.id!r} was not refused by the store: there is nothing to retry"
        ) from None
    emit(args.json, pickup_json(row, locale), detail_text(row, locale))
    return 0
