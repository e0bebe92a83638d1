"""What the companion plugin keeps on the simulated store: its change feed, devices and notes.

The same rules as plugin/kiosk-pos-companion (contract.json is the shared description):
- The feed keeps one row per object (kind, id): a new change replaces the row with a higher
  seq; deletions stay as tombstones. `reset()` empties it and starts a new epoch, and a reader
  naming another epoch is told `reset: true` and gets the feed from its start.
- The store's own change notices (WooStore listeners) fill it: a variation's change is recorded
  as kind "variation" with its parent, an order only when it is for pickup at the shop. The
  simulator's product edits do not say which props changed, so a price or stock change is
  recorded as a product/variation upsert (the plugin adds a "price"/"stock" row besides); the
  device re-reads the object either way. Tax settings have no change notice here: the feed
  compares their fingerprint whenever it is read and records a "tax" change when it moved.
- Orders are taken once per UUID (kept in the `_kiosk_order_id` meta, as the device writes it
  through core REST too), under a lock per UUID; never refused for stock: oversold lines are
  noted on the order and the product.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kiosk.sim.woocommerce.state import Obj, WooStore

KINDS = ("product", "variation", "stock", "price", "tax", "order", "customer")
ACTIONS = ("upsert", "delete")
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_WAIT = 20
META_UUID = "_kiosk_order_id"
META_SOLD_AT = "_kiosk_sold_at"
PICKUP_METHODS = ("local_pickup", "pickup_location")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SOLD_AT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
TAX_OPTIONS = (
    "woocommerce_calc_taxes",
    "woocommerce_prices_include_tax",
    "woocommerce_tax_based_on",
    "woocommerce_tax_round_at_subtotal",
    "woocommerce_tax_classes",
    "woocommerce_default_country",
    "woocommerce_currency",
)


def normalise_uuid(value: Any) -> str:
    """The UUID as the plugin keys it (lower case), '' when `value` is not one."""
    if not isinstance(value, str):
        return ""
    key = value.strip().lower()
    return key if UUID_RE.match(key) else ""


def parse_sold_at(value: Any) -> datetime | None:
    """An RFC 3339 date-time with an offset, as an aware datetime."""
    if not isinstance(value, str) or not SOLD_AT_RE.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def fingerprint(settings: Any) -> str:
    """A stable hash of tax settings (keys sorted at every level)."""
    return hashlib.sha256(
        json.dumps(settings, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


@dataclass
class PluginState:
    """The plugin's data on one simulated store."""

    store: WooStore
    new_epoch: Callable[[], str] = lambda: str(uuid.uuid4())
    seq: int = 0
    rows: dict[tuple[str, int], Obj] = field(default_factory=dict)
    epoch: str = ""
    devices: dict[str, Obj] = field(default_factory=dict)
    order_notes: dict[int, list[str]] = field(default_factory=dict)
    product_notes: dict[int, list[str]] = field(default_factory=dict)
    hpos: bool = True
    # The routes this plugin serves (contract.json's names): fewer plays an older plugin
    # (0.1.0 had no status, changes or orders), none a deactivated one.
    served: tuple[str, ...] = (
        "GET /status",
        "GET /changes",
        "POST /orders",
        "GET /orders/by-uuid/{uuid}",
        "GET /info",
        "GET /product-ids",
        "GET /variations",
    )
    _tax_seen: str = ""
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _polling: asyncio.Event = field(default_factory=asyncio.Event)  # a long poll is waiting
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.epoch = self.epoch or self.new_epoch()
        self._tax_seen = self.tax_fingerprint()
        self.store.listeners.append(self.on_store_change)

    # -- the feed -------------------------------------------------------------------------------

    def record(self, kind: str, oid: int, action: str = "upsert", parent_id: int = 0) -> int:
        """One change; the object's earlier row is replaced. 0 when kind/action is unknown."""
        if kind not in KINDS or action not in ACTIONS:
            return 0
        self.seq += 1
        self.rows.pop((kind, oid), None)
        self.rows[(kind, oid)] = {
            "seq": self.seq,
            "kind": kind,
            "id": oid,
            "parent_id": parent_id,
            "action": action,
            "changed_gmt": self.store.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        }
        self._changed.set()
        self._changed = asyncio.Event()
        return self.seq

    def reset(self) -> str:
        """Empty the feed and start a new epoch."""
        self.rows.clear()
        self.epoch = self.new_epoch()
        self._changed.set()
        self._changed = asyncio.Event()
        return self.epoch

    def last_seq(self) -> int:
        return max((r["seq"] for r in self.rows.values()), default=0)

    def _note_tax(self) -> None:
        now = self.tax_fingerprint()
        if now != self._tax_seen:
            self._tax_seen = now
            self.record("tax", 0)

    def read(self, after: int, limit: int, epoch: str = "") -> Obj:
        """The changes after `after` (see contract.json, GET /changes)."""
        self._note_tax()
        reset = bool(epoch) and epoch != self.epoch
        after = 0 if reset else max(0, after)
        limit = min(MAX_LIMIT, max(1, limit))
        rows = sorted((r for r in self.rows.values() if r["seq"] > after), key=lambda r: r["seq"])
        page = rows[:limit]
        return {
            "epoch": self.epoch,
            "reset": reset,
            "changes": [dict(r) for r in page],
            "next": max([after, *(r["seq"] for r in page)]),
            "more": len(rows) > limit,
        }

    async def read_waiting(self, after: int, limit: int, epoch: str, wait: float) -> Obj:
        """`read`, waiting up to `wait` seconds for a change when there is none yet."""
        answer = self.read(after, limit, epoch)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(MAX_WAIT, max(0.0, wait))
        while not answer["changes"] and not answer["reset"] and loop.time() < deadline:
            changed = self._changed
            self._polling.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), deadline - loop.time())
            answer = self.read(after, limit, epoch)
        return answer

    async def poller_waiting(self) -> None:
        """Return once a long poll is waiting for a change (for tests: no sleeps)."""
        await self._polling.wait()
        self._polling.clear()

    def on_store_change(self, resource: str, event: str, oid: int) -> None:
        """A WooStore listener: the plugin's hooks."""
        action = "delete" if event == "deleted" else "upsert"
        if resource == "product":
            variation = self.store.variations.get(oid)
            if variation is not None:
                self.record("variation", oid, action, int(variation.get("parent_id") or 0))
            else:
                self.record("product", oid, action)
        elif resource == "order":
            order = self.store.orders.get(oid)
            methods = [str(s.get("method_id", "")) for s in (order or {}).get("shipping_lines", [])]
            if action == "delete" or set(methods) & set(PICKUP_METHODS):
                self.record("order", oid, action)
        elif resource == "customer":
            self.record("customer", oid, action)

    def tax_fingerprint(self) -> str:
        settings = self.store.settings
        return fingerprint(
            {
                "options": {k: settings.get(k, "") for k in TAX_OPTIONS},
                "rates": self.store.tax_rates,
            }
        )

    # -- devices and orders ---------------------------------------------------------------------

    def seen(self, device: str, queued: int) -> None:
        if re.fullmatch(r"[A-Za-z0-9._-]{1,64}", device):
            self.devices[device] = {"last_seen": self.store.now(), "queued": max(0, queued)}

    def lock(self, key: str) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    def order_by_uuid(self, key: str) -> Obj | None:
        for order in sorted(self.store.orders.values(), key=lambda o: int(o["id"])):
            for meta in order.get("meta_data", []):
                if meta.get("key") == META_UUID and meta.get("value") == key:
                    return order
        return None

    def stock_of(self, pid: int) -> int | None:
        obj = self.store.product_or_variation(pid)
        if obj is None:
            return None
        if obj.get("manage_stock") == "parent":
            obj = self.store.products.get(int(obj.get("parent_id") or 0), obj)
        if obj.get("manage_stock") is not True or obj.get("stock_quantity") is None:
            return None
        return int(obj["stock_quantity"])

    def oversold(self, lines: list[Any]) -> list[Obj]:
        wanted: dict[int, int] = {}
        for line in lines:
            if not isinstance(line, dict):
                continue
            pid = int(line.get("variation_id") or line.get("product_id") or 0)
            if pid > 0:
                wanted[pid] = wanted.get(pid, 0) + max(0, int(line.get("quantity") or 0))
        short = []
        for pid, qty in wanted.items():
            stock = self.stock_of(pid)
            if stock is not None and qty > stock:
                short.append({"product_id": pid, "stock": stock, "quantity": qty})
        return short

    def note_oversold(self, order_id: int, key: str, short: list[Obj]) -> None:
        for line in short:
            text = (
                f"Oversold while offline: product {line['product_id']} sold {line['quantity']} "
                f"with {line['stock']} in stock (device order {key})."
            )
            self.order_notes.setdefault(order_id, []).append(text)
            self.product_notes.setdefault(int(line["product_id"]), []).append(
                f"{text} Order {order_id}."
            )


__all__ = [
    "DEFAULT_LIMIT",
    "KINDS",
    "MAX_LIMIT",
    "MAX_WAIT",
    "META_SOLD_AT",
    "META_UUID",
    "PluginState",
    "fingerprint",
    "normalise_uuid",
    "parse_sold_at",
]
