"""`kiosk status`: what the device holds and how far its sync has got."""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.cli.output import emit
from kiosk.cli.render import iso, when
from kiosk.network.system import read_link
from kiosk.runtime import Runtime
from kiosk.store import catalog, outbox, pickups, refunds, stock, sync_state
from kiosk.store.outbox import OutboxState


def add_parser(sub: Any) -> None:
    p = sub.add_parser("status", help="catalog, orders waiting to upload, and sync state")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run)


async def collect(rt: Runtime) -> dict[str, Any]:
    counts = await catalog.counts(rt.db)
    states = await outbox.counts(rt.db)
    refund_states = await refunds.counts(rt.db)
    sync = await sync_state.get_sync_status(rt.db)
    return {
        "catalog": {
            "products": counts.products,
            "variations": counts.variations,
            "categories": counts.categories,
            "customers": counts.customers,
        },
        "orders": {s.value: states[s] for s in OutboxState},
        "refunds": {s.value: refund_states[s] for s in OutboxState},
        # Web orders waiting for collection, and the collected ones' completion in the store.
        "pickups": await pickups.summary(rt.db),
        "sync": {
            "last_pull_at": iso(sync.last_pull_at),
            "last_push_at": iso(sync.last_push_at),
            "initial_sync": {
                "done": sync.initial_sync.done,
                "total": sync.initial_sync.total,
                "complete": sync.initial_sync.complete,
            },
        },
        "store": {
            "platform": rt.config.store.platform or None,
            "url": rt.config.store.url or None,
        },
        # Each time the device adopted a stock number from the store that differed from its own.
        "stock": {"discrepancies": await stock.discrepancy_count(rt.db)},
        # NetworkManager's view (kind "unknown" without it); `kiosk network status` says more.
        "uplink": (await read_link()).as_dict(),
    }


async def run(args: argparse.Namespace, rt: Runtime) -> int:
    data = await collect(rt)
    c, o, s = data["catalog"], data["orders"], data["sync"]
    sync = await sync_state.get_sync_status(rt.db)
    store = (
        f"{rt.config.store.platform} at {rt.config.store.url}"
        if rt.config.store.platform
        else "none connected (local catalog only)"
    )
    init = s["initial_sync"]
    if init["complete"]:
        progress = "complete"
    elif init["total"]:
        progress = f"{init['done']} of {init['total']} done"
    else:
        progress = "not started"
    text = "\n".join(
        [
            f"Store:    {store}",
            f"Catalog:  {c['products']} products, {c['variations']} variations, "
            f"{c['categories']} categories, {c['customers']} customers",
            f"Orders:   {o['pending_sync']} waiting to upload, {o['syncing']} uploading, "
            f"{o['synced']} uploaded, {o['failed']} failed",
            *_refunds_line(data["refunds"]),
            *_pickups_line(data["pickups"]),
            f"Sync:     last pull {when(sync.last_pull_at)}, "
            f"last upload {when(sync.last_push_at)}; "
            f"initial sync {progress}",
            f"Stock:    {data['stock']['discrepancies']} corrections taken from the store",
            f"Uplink:   {data['uplink']['label']}"
            + (" (metered)" if data["uplink"]["metered"] else ""),
        ]
    )
    emit(args.json, data, text)
    return 0


def _pickups_line(p: dict[str, int]) -> list[str]:
    """Web orders for pickup, when there are any."""
    if not any(p.values()):
        return []
    todo = p["pending_sync"] + p["syncing"]
    return [
        f"Pickups:  {p['waiting']} waiting for collection; collected: {todo} to complete in "
        f"the store, {p['synced']} completed, {p['failed']} refused"
    ]


def _refunds_line(r: dict[str, int]) -> list[str]:
    """The refunds' upload states, when the device has made any."""
    if not any(r.values()):
        return []
    return [
        f"Refunds:  {r['pending_sync']} waiting to upload, {r['syncing']} uploading, "
        f"{r['synced']} uploaded, {r['failed']} failed"
    ]
