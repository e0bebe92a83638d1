"""The aiohttp application: WordPress's index, the wc/v3 routes, faults, latency and a request log.

Every request passes the middleware: matched against the fault plan, routed, held until the
simulated latency has passed since it arrived, and recorded. API routes authenticate inside
`guard`, so the WordPress index and the `/__sim/` admin routes stay open like the real (and
imaginary) ones.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from kiosk.sim.wire import drop, wait_until
from kiosk.sim.woocommerce import orders as order_ops
from kiosk.sim.woocommerce import rest_route
from kiosk.sim.woocommerce.auth import ApiKey, Authenticator
from kiosk.sim.woocommerce.catalog_routes import (
    API,
    add_catalog_routes,
    links,
    render_customer,
    render_product,
)
from kiosk.sim.woocommerce.faults import FaultPlan, fault_response
from kiosk.sim.woocommerce.listing import (
    Args,
    Guard,
    Handler,
    WooError,
    date_filter,
    one,
    page_response,
    sort_objects,
)
from kiosk.sim.woocommerce.outage import Outage
from kiosk.sim.woocommerce.pickup import add_pickup_routes
from kiosk.sim.woocommerce.plugin_routes import NAMESPACE, add_plugin_routes
from kiosk.sim.woocommerce.plugin_state import PluginState
from kiosk.sim.woocommerce.refunds import add_refund_routes
from kiosk.sim.woocommerce.state import Obj, WooStore
from kiosk.sim.woocommerce.webhooks import Webhooks

ORDER_STATUSES = ("any", "trash", *order_ops.STATUSES)
DENIED = {
    "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "view": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    "create": (
        "woocommerce_rest_cannot_create",
        "Sorry, you are not allowed to create resources.",
    ),
    "delete": (
        "woocommerce_rest_cannot_delete",
        "Sorry, you are not allowed to delete this resource.",
    ),
}
NOT_WORDPRESS = (
    "<!DOCTYPE html><html><head><title>404 Not Found</title></head>"
    "<body><h1>Not Found</h1></body></html>"
)


@dataclass(frozen=True)
class RequestRecord:
    """One request the simulator saw; `status` is None when the connection was dropped."""

    method: str
    path: str
    query: dict[str, str]
    status: int | None
    at: datetime


@dataclass
class SimContext:
    """Everything the routes share."""

    store: WooStore
    auth: Authenticator
    faults: FaultPlan
    webhooks: Webhooks
    base_url: str
    latency_ms: float = 0
    plugin: bool = True  # the companion plugin (kiosk/v1 routes) is installed
    pretty_permalinks: bool = True  # False: the API answers only at ?rest_route= (rest_route.py)
    plugin_state: PluginState | None = None  # the plugin's feed, devices, notes (with plugin)
    requests: list[RequestRecord] = field(default_factory=list)
    outage: Outage | None = None  # set once the site is listening


def render(ctx: SimContext, resource: str, oid: int) -> Obj | None:
    """The JSON of a resource as the REST API (and so a webhook payload) shows it."""
    store = ctx.store
    if resource == "product":
        obj = store.product_or_variation(oid)
        return None if obj is None else render_product(ctx.base_url, obj)
    if resource == "order":
        order = store.orders.get(oid)
        return (
            None
            if order is None
            else {**order, "_links": links(ctx.base_url, f"orders/{oid}", "orders")}
        )
    if resource == "customer":
        cust = store.customers.get(oid)
        return None if cust is None else render_customer(ctx.base_url, cust)
    return None


def _middleware(ctx: SimContext) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        status: int | None = None
        # The simulated latency is the whole time to answer, the store's own work included, as a
        # real store's response time is: the answer is held until `latency_ms` after arrival.
        # (Sleeping first and then working would make every request slower than the setting by
        # however long this process took to build the answer.)
        due = asyncio.get_running_loop().time() + ctx.latency_ms / 1000
        try:
            fault = (
                None
                if request.path.startswith("/__sim")
                else ctx.faults.take(request.method, rest_route.rest_path(request))
            )
            if fault is not None and fault.kind in ("429", "503", "500"):
                resp: web.StreamResponse = fault_response(fault)
            elif fault is not None and fault.kind == "drop":
                drop(request)
            else:
                if fault is not None and fault.kind == "timeout":
                    await ctx.faults.hold(fault.hold_s)
                try:
                    resp = await handler(request)
                except WooError as exc:
                    resp = exc.response()
                if fault is not None and fault.kind == "drop_after_commit":
                    # The answer was on its way when the line died: as late as an answer.
                    await wait_until(due)
                    drop(request)
            status = resp.status
            await wait_until(due)
            return resp
        finally:
            ctx.requests.append(
                RequestRecord(
                    request.method,
                    rest_route.rest_path(request),
                    dict(request.query),
                    status,
                    ctx.store.now(),
                )
            )

    return middleware


def _guard(ctx: SimContext) -> Guard:
    def guard(kind: str) -> Callable[[Handler], Handler]:
        def wrap(handler: Handler) -> Handler:
            async def guarded(request: web.Request) -> web.StreamResponse:
                # Handlers read the parameters as PHP parsed them (last value of a name wins);
                # the view shares the request's body, so it is made before the body is read.
                view = rest_route.php_view(request)
                body = await view.read()
                key = ctx.auth.authenticate(request, body)
                if key is None:
                    code, message = DENIED[kind]
                    raise WooError(code, message, 401)
                return await handler(view)

            return guarded

        return wrap

    return guard


async def _json_body(request: web.Request) -> Any:
    raw = await request.read()
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise WooError("rest_invalid_json", "Invalid JSON body passed.", 400, details={}) from None


def _order_routes(routes: web.RouteTableDef, ctx: SimContext, guard: Guard) -> None:
    store = ctx.store

    def order_json(order: Obj) -> Obj:
        return render(ctx, "order", int(order["id"])) or order

    @routes.post(f"{API}/orders")
    @guard("create")
    async def create_order(request: web.Request) -> web.Response:
        order = order_ops.create_order(store, await _json_body(request))
        return one(request, order_json(order), status=201)

    @routes.get(API + r"/orders/{id:\d+}")
    @guard("view")
    async def get_order(request: web.Request) -> web.Response:
        order = store.orders.get(int(request.match_info["id"]))
        if order is None:
            raise WooError("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", 404)
        return one(request, order_json(order))

    @routes.get(f"{API}/orders")
    @guard("list")
    async def list_orders(request: web.Request) -> web.Response:
        args = Args(request)
        statuses = args.words("status") or ["any"]
        for status in statuses:
            if status not in ORDER_STATUSES:
                args.problems["status"] = (
                    "rest_not_in_enum",
                    f"status[0] is not one of {', '.join(ORDER_STATUSES)}.",
                )
        orderby = args.choice(
            "orderby", ("date", "modified", "id", "include", "title", "slug"), "date"
        )
        order = args.choice("order", ("asc", "desc"), "desc")
        include, exclude = args.ids("include"), set(args.ids("exclude"))
        search = args.text("search").lower()
        customer = args.text("customer")
        dates = date_filter(args, store.local_to_utc)
        args.check()
        items = [
            o
            for o in store.orders.values()
            if (("any" in statuses and o["status"] != "trash") or o["status"] in statuses)
            and (not include or o["id"] in include)
            and o["id"] not in exclude
            and (not customer or str(o["customer_id"]) == customer)
            and (not search or _order_matches(o, search))
            and dates(o)
        ]
        items = sort_objects(items, orderby, order, include)
        return page_response(request, args, items, ctx.base_url, order_json)


def _order_matches(order: Obj, needle: str) -> bool:
    """HPOS search: id, transaction id, customer names/email/phone, item names; never meta."""
    hay = [str(order["id"]), order["transaction_id"]]
    for addr in (order["billing"], order["shipping"]):
        hay += [addr.get(k, "") for k in ("first_name", "last_name", "company", "email", "phone")]
    hay += [li["name"] for li in order["line_items"]]
    return any(needle in str(h).lower() for h in hay)


def _webhook_routes(routes: web.RouteTableDef, ctx: SimContext, guard: Guard) -> None:
    hooks = ctx.webhooks

    def hook_json(hook: Obj, with_secret: bool = False) -> Obj:
        return {
            **hooks.public(hook, with_secret=with_secret),
            "_links": links(ctx.base_url, f"webhooks/{hook['id']}", "webhooks"),
        }

    @routes.post(f"{API}/webhooks")
    @guard("create")
    async def create_webhook(request: web.Request) -> web.Response:
        hook = hooks.create(await _json_body(request))
        return one(request, hook_json(hook, with_secret=True), status=201)

    @routes.get(f"{API}/webhooks")
    @guard("list")
    async def list_webhooks(request: web.Request) -> web.Response:
        args = Args(request)
        status = args.choice("status", ("all", "active", "paused", "disabled"), "all")
        args.check()
        items = [h for h in ctx.store.webhooks.values() if status in ("all", h["status"])]
        items = sort_objects(items, "id", "desc", [])
        return page_response(request, args, items, ctx.base_url, hook_json)

    @routes.get(API + r"/webhooks/{id:\d+}")
    @guard("view")
    async def get_webhook(request: web.Request) -> web.Response:
        hook = ctx.store.webhooks.get(int(request.match_info["id"]))
        if hook is None:
            raise WooError("woocommerce_rest_webhook_invalid_id", "Invalid ID.", 404)
        return one(request, hook_json(hook))

    @routes.delete(API + r"/webhooks/{id:\d+}")
    @guard("delete")
    async def delete_webhook(request: web.Request) -> web.Response:
        hook = ctx.store.webhooks.get(int(request.match_info["id"]))
        if hook is None:
            raise WooError("woocommerce_rest_webhook_invalid_id", "Invalid ID.", 404)
        if not Args(request).flag("force"):
            raise WooError(
                "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.", 501
            )
        del ctx.store.webhooks[hook["id"]]
        return one(request, hook_json(hook))


def _index(ctx: SimContext) -> Obj:
    return {
        "name": str(ctx.store.shop.get("name") or "Simulated Shop"),
        "description": "",
        "url": ctx.base_url,
        "home": ctx.base_url,
        "gmt_offset": "0",
        "timezone_string": str(getattr(ctx.store.tz, "key", "UTC")),
        "namespaces": [
            "oembed/1.0",
            "wc/store/v1",
            "wc/v1",
            "wc/v2",
            "wc/v3",
            "wc-telemetry",
            "wp/v2",
            *([NAMESPACE] if ctx.plugin else []),
        ],
        "authentication": [],
        "routes": {},
    }


def build_app(
    ctx: SimContext, admin_routes: Callable[[web.RouteTableDef], None] | None = None
) -> web.Application:
    """The whole simulator as an aiohttp Application."""
    routes = web.RouteTableDef()
    guard = _guard(ctx)

    @routes.get("/wp-json")
    @routes.get("/wp-json/")
    async def index(request: web.Request) -> web.Response:
        return web.json_response(_index(ctx))

    add_catalog_routes(routes, ctx.store, ctx.base_url, guard)
    _order_routes(routes, ctx, guard)
    add_refund_routes(routes, ctx.store, ctx.base_url, guard)
    add_pickup_routes(routes, ctx.store, ctx.base_url, guard)
    _webhook_routes(routes, ctx, guard)
    if ctx.plugin:
        ctx.plugin_state = add_plugin_routes(
            routes,
            ctx.store,
            ctx.base_url,
            guard,
            pretty_permalinks=lambda: ctx.pretty_permalinks,
        )
    if admin_routes is not None:
        admin_routes(routes)

    @routes.route("*", "/wp-json/{tail:.*}")
    async def no_route(request: web.Request) -> web.Response:
        raise WooError(
            "rest_no_route", "No route was found matching the URL and request method.", 404
        )

    @routes.route("*", "/{tail:.*}")
    async def not_wordpress(request: web.Request) -> web.Response:
        return web.Response(status=404, text=NOT_WORDPRESS, content_type="text/html")

    app = web.Application(
        middlewares=[_middleware(ctx), rest_route.middleware(lambda: ctx.pretty_permalinks)]
    )
    app.add_routes(routes)
    return app


__all__ = ["ApiKey", "RequestRecord", "SimContext", "build_app", "render"]
