"""Order refunds the way `POST/GET /wc/v3/orders/<id>/refunds` make and list them.

Relied on (WooCommerce 9.x source: WC_REST_Order_Refunds_Controller::prepare_object_for_database,
RestApiUtil::adjust_create_refund_request_parameters, wc_create_refund, wc_refund_payment,
wc_restock_refunded_items; REST API docs "Order refunds"):
- `api_refund` and `api_restock` default to true when missing or not booleans. A refund through
  the API asks the order's gateway to pay back; a counter order's "cash"/"card" is no gateway, so
  that fails with "The payment gateway for this order does not exist." and the refund is undone.
- `line_items` [{id, quantity, refund_total, refund_tax: [{id, refund_total}]}]: ids the order
  does not hold are skipped; `amount`, when missing, is the line items' totals with their taxes.
- A negative amount: 400 woocommerce_rest_invalid_order_refund "Refund amount must be greater
  than zero."; more than the order total less its refunds: wc_create_refund's "Invalid refund
  amount.", answered as **500** woocommerce_rest_cannot_create_order_refund (the controller wraps
  every wc_create_refund error so); an unknown order: 404 woocommerce_rest_invalid_order_id.
- Restocking raises a managed product's stock by the refunded quantity, only for items whose
  order took stock; a refund that leaves nothing to refund sets the order's status to refunded.
- The order's `refunds` lists {id, reason, total (negative)}, newest first.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from aiohttp import web

from kiosk.sim.woocommerce import totals as tt
from kiosk.sim.woocommerce.catalog_routes import API, links
from kiosk.sim.woocommerce.listing import Args, Guard, WooError, one, page_response
from kiosk.sim.woocommerce.state import Obj, WooStore

CANNOT = "woocommerce_rest_cannot_create_order_refund"


def _bool(value: Any) -> bool:
    return value if isinstance(value, bool) else True


def _order(store: WooStore, oid: int) -> Obj:
    order = store.orders.get(oid)
    if order is None:
        raise WooError("woocommerce_rest_invalid_order_id", "Invalid order ID.", 404)
    return order


def remaining(store: WooStore, order: Obj) -> Decimal:
    """`get_remaining_refund_amount`: the order total less what its refunds took back."""
    taken = sum((tt.dec(r["amount"]) for r in store.order_refunds.get(order["id"], [])), tt.ZERO)
    return tt.dec(order["total"]) - taken


def _lines(body: Obj) -> dict[int, Obj]:
    """RestApiUtil: the list form keyed by item id, `quantity` read as `qty`."""
    out: dict[int, Obj] = {}
    for item in body.get("line_items") or []:
        if not isinstance(item, dict) or "id" not in item:
            continue
        taxes = {
            int(t["id"]): tt.dec(t.get("refund_total"))
            for t in item.get("refund_tax") or []
            if isinstance(t, dict) and "id" in t
        }
        out[int(item["id"])] = {
            "qty": int(tt.dec(item.get("quantity"))),
            "refund_total": tt.dec(item.get("refund_total")),
            "refund_tax": taxes,
        }
    return out


def create_refund(store: WooStore, oid: int, body: Any) -> Obj:
    """Make the refund (see the module docstring); raises WooError as WooCommerce answers."""
    if not isinstance(body, dict):
        raise WooError("rest_invalid_json", "Invalid JSON body passed.", 400)
    order = _order(store, oid)
    lines = _lines(body)
    if body.get("amount") in (None, ""):
        amount = sum(
            (li["refund_total"] + sum(li["refund_tax"].values(), tt.ZERO) for li in lines.values()),
            tt.ZERO,
        )
    else:
        amount = tt.dec(body.get("amount"))
    if amount < 0:
        raise WooError(
            "woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero.", 400
        )
    left = remaining(store, order)
    if amount > left:
        raise WooError(CANNOT, "Invalid refund amount.", 500)
    if _bool(body.get("api_refund")):
        raise WooError(CANNOT, "The payment gateway for this order does not exist.", 500)
    dp = store.decimals
    items = []
    for item in order["line_items"]:
        asked = lines.get(int(item["id"]))
        if asked is None or not (asked["qty"] or asked["refund_total"] or asked["refund_tax"]):
            continue
        tax = sum(asked["refund_tax"].values(), tt.ZERO)
        items.append(
            {
                "id": store.new_item_id(),
                "name": item["name"],
                "product_id": item["product_id"],
                "variation_id": item["variation_id"],
                "quantity": -asked["qty"],
                "tax_class": item["tax_class"],
                "subtotal": tt.money(-asked["refund_total"], dp),
                "subtotal_tax": tt.money(-tax, dp),
                "total": tt.money(-asked["refund_total"], dp),
                "total_tax": tt.money(-tax, dp),
                "taxes": [
                    {"id": rid, "total": tt.raw(-t), "subtotal": tt.raw(-t)}
                    for rid, t in asked["refund_tax"].items()
                ],
                "meta_data": [
                    {"id": store.new_meta_id(), "key": "_refunded_item_id", "value": item["id"]}
                ],
                "sku": item.get("sku", ""),
                "price": item.get("price", 0),
            }
        )
    rid = store.new_id()
    refund: Obj = {
        "id": rid,
        "amount": tt.money(amount, dp),
        "reason": str(body.get("reason") or ""),
        "refunded_by": 1,
        "refunded_payment": False,
        "meta_data": [
            {"id": store.new_meta_id(), "key": str(m["key"]), "value": m.get("value")}
            for m in body.get("meta_data") or []
            if isinstance(m, dict) and "key" in m
        ],
        "line_items": items,
        "shipping_lines": [],
        "tax_lines": [],
        "fee_lines": [],
    }
    store.stamp(refund, "date_created")
    store.order_refunds.setdefault(oid, []).insert(0, refund)
    order["refunds"].insert(
        0, {"id": rid, "reason": refund["reason"], "total": tt.money(-amount, dp)}
    )
    if _bool(body.get("api_restock")):
        _restock(store, order, lines)
    if left - amount <= 0:
        order["status"] = "refunded"
    store.stamp(order, "date_modified")
    store.changed("order", "updated", oid)
    return refund


def _restock(store: WooStore, order: Obj, lines: dict[int, Obj]) -> None:
    if order["id"] not in store.stock_reduced:  # no item of it took stock (_reduced_stock)
        return
    for item in order["line_items"]:
        qty = lines.get(int(item["id"]), {}).get("qty", 0)
        product = store.product_or_variation(int(item["variation_id"] or item["product_id"]))
        if not qty or product is None:
            continue
        if product.get("manage_stock") == "parent":
            product = store.products.get(int(product["parent_id"]), product)
        if product.get("manage_stock") is not True:
            continue
        product["stock_quantity"] = int(product.get("stock_quantity") or 0) + qty
        if product["stock_quantity"] > 0:
            product["stock_status"] = "instock"
        store.touch(product)


def add_refund_routes(
    routes: web.RouteTableDef, store: WooStore, base_url: str, guard: Guard
) -> None:
    def render(oid: int) -> Callable[[Obj], Obj]:
        def out(refund: Obj) -> Obj:
            path = f"orders/{oid}/refunds"
            return {
                **refund,
                "_links": links(base_url, f"{path}/{refund['id']}", path, up=f"orders/{oid}"),
            }

        return out

    @routes.post(API + r"/orders/{id:\d+}/refunds")
    @guard("create")
    async def create(request: web.Request) -> web.Response:
        oid = int(request.match_info["id"])
        raw = await request.read()
        try:
            body = await request.json() if raw else {}
        except ValueError:
            raise WooError("rest_invalid_json", "Invalid JSON body passed.", 400) from None
        return one(request, render(oid)(create_refund(store, oid, body)), status=201)

    @routes.get(API + r"/orders/{id:\d+}/refunds")
    @guard("list")
    async def listing(request: web.Request) -> web.Response:
        oid = int(request.match_info["id"])
        _order(store, oid)
        items = list(store.order_refunds.get(oid, []))
        return page_response(request, Args(request), items, base_url, render(oid))
