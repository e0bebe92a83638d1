"""Updating an order's status the way `PUT /wc/v3/orders/<id>` does (what completes a pickup).

Relied on (WooCommerce 9.x source: WC_REST_CRUD_Controller::update_item, WC_REST_Orders_V2_
Controller::prepare_object_for_database and get_collection_params' status enum, WC_Order::
set_status, status_transition, maybe_set_date_completed, maybe_set_date_paid,
wc_maybe_reduce_stock_levels; REST API docs "Update an order"):
- PUT, PATCH and POST to /orders/<id> all update. An id that is no order answers **400**
  `woocommerce_rest_shop_order_invalid_id` "Invalid ID." (a GET answers 404).
- `status` must be one of the order statuses (without "wc-"), else 400 `rest_invalid_param`.
  REST applies any status change, even from cancelled or refunded.
- A status change is a transition (WooCommerce notes "Order status changed from X to Y."; the
  simulator logs it in `status_changes`): for "completed" `date_completed` is stamped (and
  `date_paid` when it was never paid); processing, completed and on-hold take stock if the
  order has not yet. Setting the status the order already has is no transition: nothing but
  date_modified moves.
- `customer_note` and `meta_data` (added, or updated by key) are kept; other fields are ignored
  here (the device sends nothing else).
`completions` counts an order's transitions to completed: how tests prove a pickup completed once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from aiohttp import web

from kiosk.sim.woocommerce import orders as order_ops
from kiosk.sim.woocommerce.catalog_routes import API, links
from kiosk.sim.woocommerce.listing import Guard, WooError, one
from kiosk.sim.woocommerce.state import Obj, WooStore

_LOG = "_pickup_status_changes"  # kept beside the store's dicts (the dataclass has no slots)


def status_changes(store: WooStore) -> list[tuple[int, str, str]]:
    """Every status transition made through an update: (order id, from, to), in order."""
    return cast(list[tuple[int, str, str]], vars(store).setdefault(_LOG, []))


def completions(store: WooStore, oid: int) -> int:
    """How many times order `oid` became completed through an update."""
    return sum(1 for o, _, new in status_changes(store) if o == oid and new == "completed")


def _words(status: str) -> str:
    return status.replace("-", " ").title()


def update_order(store: WooStore, oid: int, body: Any) -> Obj:
    """Apply an update body to order `oid` (see the module docstring)."""
    order = store.orders.get(oid)
    if order is None or order.get("status") == "trash":
        raise WooError("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", 400)
    if not isinstance(body, dict):
        raise WooError("rest_invalid_json", "Invalid JSON body passed.", 400)
    status = body.get("status")
    if status is not None and status not in order_ops.STATUSES:
        raise WooError(
            "rest_invalid_param",
            "Invalid parameter(s): status",
            400,
            params={"status": f"status is not one of {', '.join(order_ops.STATUSES)}."},
        )
    if "customer_note" in body:
        order["customer_note"] = str(body.get("customer_note") or "")
    for meta in body.get("meta_data") or []:
        if isinstance(meta, dict) and "key" in meta:
            kept = next((m for m in order["meta_data"] if m["key"] == meta["key"]), None)
            if kept is None:
                order["meta_data"].append(
                    {"id": store.new_meta_id(), "key": str(meta["key"]), "value": meta.get("value")}
                )
            else:
                kept["value"] = meta.get("value")
    store.stamp(order, "date_modified")
    old = str(order["status"])
    if status is not None and status != old:
        order["status"] = status
        status_changes(store).append((oid, old, str(status)))
        if status in ("processing", "completed") and order.get("date_paid") is None:
            store.stamp(order, "date_paid")
            order["needs_payment"] = False
        if status == "completed" and order.get("date_completed") is None:
            store.stamp(order, "date_completed")
        if status in order_ops.STOCK_STATUSES:
            order_ops.reduce_stock(store, order)
    store.changed("order", "updated", oid)
    return order


def add_pickup_routes(
    routes: web.RouteTableDef, store: WooStore, base_url: str, guard: Guard
) -> None:
    """PUT/PATCH/POST /orders/<id>."""

    def render(order: Obj) -> Obj:
        return {**order, "_links": links(base_url, f"orders/{order['id']}", "orders")}

    async def update(request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = await request.json() if raw else {}
        except ValueError:
            raise WooError("rest_invalid_json", "Invalid JSON body passed.", 400) from None
        return one(request, render(update_order(store, int(request.match_info["id"]), body)))

    path = API + r"/orders/{id:\d+}"
    # Updating needs the write permission POST has (the guard's refusal words are its own).
    handler: Callable[[web.Request], Any] = guard("create")(update)
    routes.put(path)(handler)
    routes.patch(path)(handler)
    routes.post(path)(handler)
