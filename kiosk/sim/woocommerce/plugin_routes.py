"""The companion plugin's `kiosk/v1` routes, as plugin/kiosk-pos-companion serves them.

The plugin gives the device what WooCommerce's REST API lacks: every variation of the store in
one paged listing (optionally only those of some parents) instead of one listing per variable
product, and every live product id in one call. Authentication and errors are WooCommerce's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from aiohttp import web

from kiosk.sim.woocommerce.catalog_routes import render_product
from kiosk.sim.woocommerce.listing import Args, Guard, Obj, listing_key, page_response
from kiosk.sim.woocommerce.state import WooStore, parse_gmt

NAMESPACE = "kiosk/v1"
PLUGIN_API = f"/wp-json/{NAMESPACE}"
PLUGIN_VERSION = "0.2.0"  # the `Version:` of plugin/kiosk-pos-companion (a test keeps them equal)
ENDPOINTS = ("info", "product-ids", "variations")
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


def add_plugin_routes(
    routes: web.RouteTableDef, store: WooStore, base_url: str, guard: Guard
) -> None:
    """Register GET /wp-json/kiosk/v1/{info,product-ids,variations} behind `guard`."""

    def variation_json(obj: Obj) -> Obj:
        return {**render_product(base_url, obj), "parent_id": obj["parent_id"]}

    @routes.get(f"{PLUGIN_API}/info")
    @guard("view")
    async def info(request: web.Request) -> web.Response:
        return web.json_response(
            {"version": PLUGIN_VERSION, "namespace": NAMESPACE, "endpoints": list(ENDPOINTS)}
        )

    @routes.get(f"{PLUGIN_API}/product-ids")
    @guard("list")
    async def product_ids(request: web.Request) -> web.Response:
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


__all__ = [
    "DEFAULT_PER_PAGE",
    "ENDPOINTS",
    "MAX_PARENTS",
    "MAX_PER_PAGE",
    "NAMESPACE",
    "PLUGIN_API",
    "PLUGIN_VERSION",
    "add_plugin_routes",
]
