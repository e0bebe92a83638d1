"""The simulated store's in-memory data, seeded from a catalog export, in WooCommerce's JSON shape.

Products, variations, orders and customers are kept as the dicts the REST API returns, so the
routes only filter, page and trim them. Every change goes through `touch` (or `changed`), which
stamps `date_modified(_gmt)` from the store clock and tells the listeners (webhooks) what changed.

Listings are memoised per `revision`: the store's own code paths (`stamp`, `touch`, `changed`,
`bump`) advance it, so a cached filtered/sorted list is never served after a change made through
them. Code that edits a field listings filter or sort on (status, dates, parent_id, sku, ...)
directly in the dicts must call `bump()`; values are rendered from the same dicts, so other
direct edits show up without it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Obj = dict[str, Any]
T = TypeVar("T")
Listener = Callable[[str, str, int], None]  # (resource, event, id)

DATE_FMT = "%Y-%m-%dT%H:%M:%S"
# Options the store has even when the export leaves them out (WooCommerce's own defaults).
DEFAULT_SETTINGS = {
    "woocommerce_default_country": "US:CA",
    "woocommerce_currency": "USD",
    "woocommerce_price_num_decimals": "2",
    "woocommerce_calc_taxes": "no",
    "woocommerce_prices_include_tax": "no",
    "woocommerce_tax_based_on": "shipping",
    "woocommerce_tax_round_at_subtotal": "no",
    "woocommerce_store_address": "",
    "woocommerce_store_city": "",
    "woocommerce_store_postcode": "",
    "woocommerce_tax_classes": "Reduced rate\nZero rate",
}
# Post statuses a product listing with status=any returns (everything but trash).
LISTED_STATUSES = ("publish", "future", "draft", "pending", "private")
# Distinct listing queries remembered per revision; a client pages one query at a time, so a
# small bound only guards against a caller that varies its query on every request.
MEMO_LIMIT = 256


def system_clock() -> datetime:
    return datetime.now(UTC)


def parse_gmt(text: str) -> datetime:
    """A WooCommerce `*_gmt` string (no offset) as an aware UTC datetime."""
    return datetime.fromisoformat(text[:19]).replace(tzinfo=UTC)


@dataclass
class WooStore:
    """The whole store. Tests may read and change these dicts directly."""

    settings: dict[str, str]
    shop: Obj
    products: dict[int, Obj]
    variations: dict[int, Obj]  # variation id -> variation (with "parent_id")
    categories: list[Obj]
    tax_rates: list[Obj]
    customers: dict[int, Obj]
    orders: dict[int, Obj] = field(default_factory=dict)
    webhooks: dict[int, Obj] = field(default_factory=dict)
    clock: Callable[[], datetime] = system_clock
    tz: tzinfo = UTC
    next_id: int = 1000  # products, variations and orders share WordPress's post id space
    next_item_id: int = 1
    next_meta_id: int = 1
    next_webhook_id: int = 1
    listeners: list[Listener] = field(default_factory=list)
    stock_reduced: set[int] = field(default_factory=set)  # orders whose stock was taken
    order_refunds: dict[int, list[Obj]] = field(default_factory=dict)  # order id -> newest first
    revision: int = 0  # advanced by every change made through the store's code (see `bump`)
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _memo_stamp: tuple[int, int, int] = field(default=(-1, 0, 0), init=False, repr=False)

    # -- time ---------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The store clock as an aware UTC datetime, truncated to seconds like MySQL."""
        now = self.clock()
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        return now.astimezone(UTC).replace(microsecond=0)

    def stamp(self, obj: Obj, *names: str, when: datetime | None = None) -> None:
        """Set `name` (site time) and `name_gmt` for each of `names` to `when` (default now)."""
        when = when or self.now()
        self.bump()
        for name in names:
            obj[name] = when.astimezone(self.tz).strftime(DATE_FMT)
            obj[f"{name}_gmt"] = when.strftime(DATE_FMT)

    def local_to_utc(self, text: str) -> datetime:
        """A site-time string (as in `date_modified`) as an aware UTC datetime."""
        return datetime.fromisoformat(text[:19]).replace(tzinfo=self.tz).astimezone(UTC)

    # -- ids ----------------------------------------------------------------------------------

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def new_item_id(self) -> int:
        self.next_item_id += 1
        return self.next_item_id - 1

    def new_meta_id(self) -> int:
        self.next_meta_id += 1
        return self.next_meta_id - 1

    # -- lookups ------------------------------------------------------------------------------

    def product_or_variation(self, pid: int) -> Obj | None:
        return self.products.get(pid) or self.variations.get(pid)

    def variations_of(self, parent_id: int) -> list[Obj]:
        """The variations of `parent_id`, in store order (a fresh list the caller may change)."""
        return list(self.variation_index().get(parent_id, ()))

    def variation_index(self) -> dict[int, list[Obj]]:
        """parent id -> its variations in store order; memoised, so callers must not change it."""

        def build() -> dict[int, list[Obj]]:
            index: dict[int, list[Obj]] = {}
            for v in self.variations.values():
                index.setdefault(v["parent_id"], []).append(v)
            return index

        return self.memo(("variation_index",), build)

    # -- memo ---------------------------------------------------------------------------------

    def bump(self) -> None:
        """Note a change: forget every memoised listing (call after editing the dicts directly)."""
        self.revision += 1

    def memo(self, key: Any, build: Callable[[], T]) -> T:
        """`build()`, remembered under `key` until the store changes; the result is shared, so
        callers must not change it."""
        # The dict sizes join the revision so that adding or removing objects behind the
        # store's back still invalidates.
        stamp = (self.revision, len(self.products), len(self.variations))
        if stamp != self._memo_stamp or len(self._memo) >= MEMO_LIMIT:
            self._memo.clear()
            self._memo_stamp = stamp
        if key in self._memo:
            return self._memo[key]  # type: ignore[no-any-return]
        value = build()
        self._memo[key] = value
        return value

    def option(self, name: str) -> str:
        return str(self.settings.get(name, DEFAULT_SETTINGS.get(name, "")))

    @property
    def decimals(self) -> int:
        return int(self.option("woocommerce_price_num_decimals") or 2)

    # -- changes ------------------------------------------------------------------------------

    def changed(self, resource: str, event: str, oid: int) -> None:
        self.bump()
        for listener in list(self.listeners):
            listener(resource, event, oid)

    def touch(self, obj: Obj, resource: str = "product") -> None:
        """Record that `obj` changed: bump its dates (a variation bumps its parent too)."""
        self.stamp(obj, "date_modified")
        self.changed(resource, "updated", int(obj["id"]))
        parent_id = obj.get("parent_id") if resource == "product" else None
        if parent_id and parent_id in self.products:
            self.stamp(self.products[parent_id], "date_modified")
            self.changed("product", "updated", int(parent_id))


def _site_timezone(export: Obj, settings: dict[str, str]) -> tzinfo:
    shop = export.get("shop") or {}
    name = shop.get("timezone")
    if not name:
        country = settings.get("woocommerce_default_country", "").split(":")[0]
        name = {"GB": "Europe/London", "IE": "Europe/Dublin"}.get(country, "UTC")
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _fill_dates(store: WooStore, obj: Obj) -> None:
    """Give an exported object both site-time and GMT dates, as the REST API returns them."""
    for name in ("date_created", "date_modified"):
        gmt = obj.get(f"{name}_gmt")
        if gmt:
            if not obj.get(name):
                store.stamp(obj, name, when=parse_gmt(gmt))
        else:
            store.stamp(obj, name, when=datetime(2024, 1, 1, tzinfo=UTC))


def _product_defaults(obj: Obj) -> None:
    for key, value in (
        ("status", "publish"),
        ("sku", ""),
        ("global_unique_id", ""),
        ("price", ""),
        ("regular_price", ""),
        ("sale_price", ""),
        ("tax_status", "taxable"),
        ("tax_class", ""),
        ("manage_stock", False),
        ("stock_quantity", None),
        ("stock_status", "instock"),
        ("backorders", "no"),
        ("meta_data", []),
        ("menu_order", 0),
        ("total_sales", 0),
    ):
        obj.setdefault(key, copy.deepcopy(value))


def store_from_export(export: Obj, *, clock: Callable[[], datetime] | None = None) -> WooStore:
    """A store holding a deep copy of the catalog export `export` (see kiosk.catalog_export)."""
    export = copy.deepcopy(export)
    settings = {
        **DEFAULT_SETTINGS,
        **{k: str(v) for k, v in (export.get("settings") or {}).items()},
    }
    store = WooStore(
        settings=settings,
        shop=dict(export.get("shop") or {}),
        products={},
        variations={},
        categories=list(export.get("categories") or []),
        tax_rates=list(export.get("tax_rates") or []),
        customers={},
        clock=clock or system_clock,
        tz=_site_timezone(export, settings),
    )
    top = 0
    for obj in export.get("products") or []:
        _product_defaults(obj)
        _fill_dates(store, obj)
        obj.setdefault("type", "simple")
        obj.setdefault("variations", [])
        obj.setdefault("parent_id", 0)
        store.products[int(obj["id"])] = obj
        top = max(top, int(obj["id"]))
    for parent, children in (export.get("variations") or {}).items():
        for obj in children:
            _product_defaults(obj)
            _fill_dates(store, obj)
            obj["parent_id"] = int(parent)
            obj["type"] = "variation"
            store.variations[int(obj["id"])] = obj
            top = max(top, int(obj["id"]))
    for obj in export.get("customers") or []:
        _fill_dates(store, obj)
        obj.setdefault("meta_data", [])
        store.customers[int(obj["id"])] = obj
    store.next_id = max(store.next_id, top)
    return store
