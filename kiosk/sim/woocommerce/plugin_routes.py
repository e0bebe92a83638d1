"""The companion plugin's `kiosk/v1` routes, as plugin/kiosk-pos-companion serves them.

plugin/kiosk-pos-companion/contract.json describes them (tests check both the PHP and these
against it): GET status, GET changes (the change feed, long-polled with `wait=`), POST orders
(exactly once per UUID), GET orders/by-uuid/<uuid>, and the bulk reads: every variation of the
store in one paged listing (optionally only those of some parents) instead of one listing per
variable product, and every live product id in one call. Authentication and errors are
WooCommerce's; the plugin's own state is kiosk.sim.woocommerce.plugin_state.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from kiosk.sim.woocommerce import orders as order_ops
from kiosk.sim.woocommerce import plugin_state as ps
from kiosk.sim.woocommerce.catalog_routes import links, render_product
from kiosk.sim.woocommerce.listing import (
    Args,
    Guard,
    Obj,
    WooError,
    listing_key,
    page_response,
)
from kiosk.sim.woocommerce.state import WooStore, parse_gmt

NAMESPACE = "kiosk/v1"
PLUGIN_API = f"/wp-json/{NAMESPACE}"
PLUGIN_VERSION = "0.2.0"  # the `Version:` of plugin/kiosk-pos-companion (a test keeps them equal)
ENDPOINTS = ("status", "changes", "orders", "info", "product-ids", "variations")
# The routes as contract.json names them, in its order.
ROUTES = (
    "GET /status",
    "GET /changes",
    "POST /orders",
    "GET /orders/by-uuid/{uuid}",
    "GET /info",
    "GET /product-ids",
    "GET /variations",
)
WP_VERSION = "6.8.1"
WC_VERSION = "9.9.5"
PHP_VERSION = "8.2.28"
DEFAULT_PER_PAGE = 200
MAX_PER_PAGE = 500
MAX_PARENTS = 100  # `parent=` ids per request: one product page's worth
# Post statuses the plugin lists: WooCommerce keeps variations and live products in these two.
LIVE_STATUSES = ("publish", "private")


def _modified_filter(args: Args, store: WooStore) -> Callable[[Obj], bool]:
    """`modified_after`/`modified_before`, site time or GMT (`dates_are_gmt`), as WooCommerce."""
    gmt = args.flag("dates_are_gmt")
    after, before = args.date("modified_after"), args.date("modified_before")

    def bound(when: datetime | None) -> datetime | None:
        if when is None:
            return None
        if when.tzinfo is not None:
            return when.astimezone(UTC)
        return when.replace(tzinfo=UTC) if gmt else store.local_to_utc(when.isoformat())

    low, high = bound(after), bound(before)
    if low is None and high is None:
        return lambda obj: True

    def keep(obj: Obj) -> bool:
        modified = (
            parse_gmt(obj["date_modified_gmt"]) if gmt else store.local_to_utc(obj["date_modified"])
        )
        return not ((low and modified <= low) or (high and modified >= high))

    return keep


def _parents(args: Args) -> set[int]:
    ids = args.ids("parent")
    if len(ids) > MAX_PARENTS:
        args.problems["parent"] = (
            "rest_too_many_items",
            f"parent must contain at most {MAX_PARENTS} items.",
        )
    return set(ids)


def _error(code: str, message: str, status: int) -> WooError:
    return WooError(code, message, status)


def add_plugin_routes(
    routes: web.RouteTableDef,
    store: WooStore,
    base_url: str,
    guard: Guard,
    *,
    pretty_permalinks: Callable[[], bool] = lambda: True,
) -> ps.PluginState:
    """Register the kiosk/v1 routes behind `guard`; returns the plugin's state on `store`."""
    state = ps.PluginState(store)

    def served(route: str) -> None:
        # An older or deactivated plugin: WordPress has no such route.
        if route not in state.served:
            raise WooError(
                "rest_no_route", "No route was found matching the URL and request method.", 404
            )

    def order_json(order: Obj) -> Obj:
        return {**order, "_links": links(base_url, f"orders/{order['id']}", "orders")}

    @routes.get(f"{PLUGIN_API}/status")
    @guard("view")
    async def status(request: web.Request) -> web.Response:
        served("GET /status")
        pretty = pretty_permalinks()
        return web.json_response(
            {
                "plugin_version": PLUGIN_VERSION,
                "namespace": NAMESPACE,
                "routes": list(ROUTES),
                "wordpress_version": WP_VERSION,
                "woocommerce_version": WC_VERSION,
                "php_version": PHP_VERSION,
                "hpos": state.hpos,
                "tax_fingerprint": state.tax_fingerprint(),
                "permalinks": {
                    "pretty": pretty,
                    "structure": "/%postname%/" if pretty else "",
                    "rest_base": "wp-json",
                },
                "feed": {"epoch": state.epoch, "last_seq": state.last_seq()},
                "time_gmt": store.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            }
        )

    @routes.get(f"{PLUGIN_API}/changes")
    @guard("list")
    async def changes(request: web.Request) -> web.Response:
        served("GET /changes")
        args = Args(request)
        after = args.integer("after", 0, low=0)
        limit = args.integer("limit", ps.DEFAULT_LIMIT, low=1, high=ps.MAX_LIMIT)
        wait = args.integer("wait", 0, low=0, high=ps.MAX_WAIT)
        queued = args.integer("queued", 0, low=0)
        args.check()
        if args.text("device"):
            state.seen(args.text("device"), queued)
        answer = await state.read_waiting(after, limit, args.text("epoch"), wait)
        return web.json_response(answer, headers={"Cache-Control": "no-store"})

    @routes.post(f"{PLUGIN_API}/orders")
    @guard("create")
    async def create_order(request: web.Request) -> web.Response:
        served("POST /orders")
        try:
            body: Any = json.loads(await request.read() or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise _error("kiosk_pos_invalid_order", "The body must be a JSON object.", 400)
        key = ps.normalise_uuid(body.get("uuid"))
        if not key:
            raise _error("kiosk_pos_invalid_uuid", "uuid must be an RFC 4122 UUID.", 400)
        sold_at = ps.parse_sold_at(body.get("sold_at"))
        if sold_at is None:
            raise _error(
                "kiosk_pos_invalid_sold_at",
                "sold_at must be a date-time with a time zone offset.",
                400,
            )
        payload = body.get("order")
        if not isinstance(payload, dict) or not isinstance(payload.get("line_items"), list):
            raise _error(
                "kiosk_pos_invalid_order", "order must be a WooCommerce order with line_items.", 400
            )
        async with state.lock(key):
            existing = state.order_by_uuid(key)
            if existing is not None:
                return web.json_response(
                    {"created": False, "uuid": key, "oversold": [], "order": order_json(existing)}
                )
            short = state.oversold(payload["line_items"])
            meta = [
                m
                for m in payload.get("meta_data") or []
                if isinstance(m, dict) and m.get("key") not in (ps.META_UUID, ps.META_SOLD_AT)
            ]
            meta += [
                {"key": ps.META_UUID, "value": key},
                {"key": ps.META_SOLD_AT, "value": body["sold_at"]},
            ]
            order = order_ops.create_order(store, {**payload, "meta_data": meta})
            # Core REST ignores date_created; the plugin sets the sale's real time afterwards.
            store.stamp(order, "date_created", when=sold_at.astimezone(UTC))
            state.note_oversold(int(order["id"]), key, short)
            return web.json_response(
                {"created": True, "uuid": key, "oversold": short, "order": order_json(order)},
                status=201,
            )

    @routes.get(PLUGIN_API + r"/orders/by-uuid/{uuid:[0-9a-fA-F-]{36}}")
    @guard("view")
    async def order_by_uuid(request: web.Request) -> web.Response:
        served("GET /orders/by-uuid/{uuid}")
        key = ps.normalise_uuid(request.match_info["uuid"])
        if not key:
            raise _error("kiosk_pos_invalid_uuid", "uuid must be an RFC 4122 UUID.", 400)
        order = state.order_by_uuid(key)
        if order is None:
            raise _error("kiosk_pos_order_not_found", "No order has this uuid.", 404)
        return web.json_response({"uuid": key, "order": order_json(order)})

    def variation_json(obj: Obj) -> Obj:
        return {**render_product(base_url, obj), "parent_id": obj["parent_id"]}

    @routes.get(f"{PLUGIN_API}/info")
    @guard("view")
    async def info(request: web.Request) -> web.Response:
        served("GET /info")
        return web.json_response(
            {"version": PLUGIN_VERSION, "namespace": NAMESPACE, "endpoints": list(ENDPOINTS)}
        )

    @routes.get(f"{PLUGIN_API}/product-ids")
    @guard("list")
    async def product_ids(request: web.Request) -> web.Response:
        served("GET /product-ids")
        ids = store.memo(
            ("product-ids",),
            lambda: sorted(
                pid for pid, p in store.products.items() if p.get("status") in LIVE_STATUSES
            ),
        )
        return web.json_response({"ids": ids})

    @routes.get(f"{PLUGIN_API}/variations")
    @guard("list")
    async def variations(request: web.Request) -> web.Response:
        served("GET /variations")
        args = Args(request)
        parents = _parents(args)
        modified = _modified_filter(args, store)
        args.check()

        def build() -> list[Obj]:
            if parents:
                index = store.variation_index()
                pool: Iterable[Obj] = (v for p in parents for v in index.get(p, ()))
            else:
                pool = store.variations.values()
            return sorted(
                (v for v in pool if v.get("status") in LIVE_STATUSES and modified(v)),
                key=lambda v: int(v["id"]),
            )

        # With `parent=` each request names different parents, so the index does the work; the
        # full listing pages through one query, remembered per store revision.
        items = build() if parents else store.memo(("variations", *listing_key(request)), build)
        return page_response(
            request,
            args,
            items,
            base_url,
            variation_json,
            default_per_page=DEFAULT_PER_PAGE,
            max_per_page=MAX_PER_PAGE,
        )

    return state


__all__ = [
    "DEFAULT_PER_PAGE",
    "ENDPOINTS",
    "MAX_PARENTS",
    "MAX_PER_PAGE",
    "NAMESPACE",
    "PLUGIN_API",
    "PLUGIN_VERSION",
    "ROUTES",
    "add_plugin_routes",
]
