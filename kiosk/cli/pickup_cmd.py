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
from kiosk.runtime import Runtime
from kiosk.secrets import load_secrets
from kiosk.store import catalog, pickups
from kiosk.store.outbox import InvalidTransition, OutboxState
from kiosk.store.pickups import StoredPickup, UnknownPickup
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


# Where a pickup is, in the cashier's words (None: not collected yet).
STATE_WORDS = {
    None: "Waiting for collection",
    OutboxState.PENDING_SYNC: "Collected, to be completed in the store",
    OutboxState.SYNCING: "Collected, completing in the store",
    OutboxState.SYNCED: "Collected and completed in the store",
    OutboxState.FAILED: "Collected, but the store refused to complete it",
}


def words(s: StoredPickup) -> str:
    said = STATE_WORDS[s.state]
    return f"{said}: {s.last_error}" if s.state is OutboxState.FAILED and s.last_error else said


def pickup_json(s: StoredPickup, locale: str) -> dict[str, Any]:
    p = s.pickup
    return {
        "id": p.remote_id,
        "number": p.number,
        "customer": p.customer,
        "email": p.email,
        "phone": p.phone,
        "placed_at": iso(p.placed_at),
        "total": p.total.to_json(locale),
        "items": p.items,
        "lines": [{"name": li.name, "sku": li.sku, "quantity": li.quantity} for li in p.lines],
        "note": p.note,
        "store_status": p.status,
        "collected_at": iso(s.collected_at),
        "collected_by": s.collected_by,
        "status": str(s.state) if s.state is not None else "waiting",
        "words": words(s),
    }


def _label(s: StoredPickup) -> str:
    p = s.pickup
    number = p.number if p.number.startswith("#") else f"#{p.number}"
    return f"order {number}" + (f" for {p.customer}" if p.customer else "")


def detail_text(s: StoredPickup, locale: str) -> str:
    p = s.pickup
    rows = [[f"{li.quantity} x", li.name, li.sku] for li in p.lines]
    items = "1 item" if p.items == 1 else f"{p.items} items"
    label = _label(s)
    head = f"{label[:1].upper()}{label[1:]}: {items}, {p.total.format(locale)}"
    extra = [f"Note: {p.note}" if p.note else "", words(s) + "."]
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
    found = await pickups.list_pickups(rt.db, search=args.search.strip(), collected=args.collected)
    lines = []
    if trouble:
        lines.append(f"The store could not be asked ({trouble}); showing the list pulled last.")
    if not found:
        what = f" matching {args.search.strip()!r}" if args.search.strip() else ""
        lines.append(f"No orders waiting for collection{what}.")
    else:
        rows = [
            [
                s.pickup.number,
                s.pickup.customer or "(no name)",
                f"{s.pickup.items} item{'s' if s.pickup.items != 1 else ''}",
                s.pickup.total.format(locale),
                when(s.pickup.placed_at),
                words(s),
            ]
            for s in found
        ]
        n = len(found)
        lines.append(f"{n} order{'s' if n != 1 else ''}:")
        lines.append(table(rows, right=frozenset({3})))
    data = {"pickups": [pickup_json(r, locale) for r in found], "error": trouble or None}
    emit(args.json, data, "\n".join(lines))
    return 0


async def run_collect(args: argparse.Namespace, rt: Runtime) -> int:
    locale = await _locale(rt)
    before = await pickups.get_pickup(rt.db, args.id)
    try:
        row = await pickups.collect(
            rt.db, args.id, now=rt.checkout.now(), staff=rt.checkout.cashier
        )
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
        row = await pickups.retry(rt.db, args.id, rt.checkout.now())
    except UnknownPickup as exc:
        raise UsageError(str(exc)) from None
    except InvalidTransition:
        raise UsageError(
            f"order {args.id!r} was not refused by the store: there is nothing to retry"
        ) from None
    emit(args.json, pickup_json(row, locale), detail_text(row, locale))
    return 0
