"""The merchant's hand: changes made in wp-admin or by online shoppers, in Python and over HTTP.

Every action bumps modified dates and fires webhooks as the real store would, so sync code can be
tested against a store that changes under it. HTTP routes live under `/__sim/` (no auth):
POST /__sim/products/{id} {price?, regular_price?, sale_price?, stock_quantity?, name?, status?},
DELETE /__sim/products/{id}[?force=true], POST /__sim/orders {"line_items": [...]},
POST /__sim/faults {kind, method?, path?, count?, retry_after?, hold_s?}, the same with `rate`
(0..1) instead of count for a fault that hits that share of requests until cleared,
{"kind": "outage", "seconds": N} (connections refused for N seconds) or {"clear": true},
POST /__sim/faults/release, GET /__sim/requests.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from aiohttp import web

from kiosk.sim.woocommerce import orders as order_ops
from kiosk.sim.woocommerce.app import SimContext
from kiosk.sim.woocommerce.state import Obj

EDITABLE = (
    "name",
    "status",
    "price",
    "regular_price",
    "sale_price",
    "stock_quantity",
    "manage_stock",
)


class Admin:
    """Merchant actions on a running simulator."""

    def __init__(self, ctx: SimContext) -> None:
        self.ctx = ctx
        self.store = ctx.store

    def _product(self, pid: int) -> Obj:
        obj = self.store.product_or_variation(pid)
        if obj is None:
            raise KeyError(f"no product or variation with id {pid}")
        return obj

    def update_product(self, pid: int, **changes: Any) -> Obj:
        """Edit a product or variation like the product screen does; returns it."""
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ValueError(
                f"cannot edit {', '.join(sorted(unknown))} (editable: {', '.join(EDITABLE)})"
            )
        obj = self._product(pid)
        if "regular_price" in changes or "price" in changes:
            price = str(changes.get("regular_price", changes.get("price")))
            obj["regular_price"] = price
            if not obj.get("sale_price"):
                obj["price"] = price
        if "sale_price" in changes:
            obj["sale_price"] = str(changes["sale_price"] or "")
            obj["on_sale"] = bool(obj["sale_price"])
            obj["price"] = obj["sale_price"] or obj.get("regular_price", "")
        if "stock_quantity" in changes:
            qty = changes["stock_quantity"]
            if obj.get("manage_stock") == "parent":
                obj = self._product(int(obj["parent_id"]))
            obj["manage_stock"] = qty is not None
            obj["stock_quantity"] = None if qty is None else int(qty)
            obj["stock_status"] = "instock" if qty is None or int(qty) > 0 else "outofstock"
        for key in ("name", "status", "manage_stock"):
            if key in changes:
                obj[key] = changes[key]
        self.store.touch(obj)
        return obj

    def set_price(self, pid: int, price: str) -> Obj:
        return self.update_product(pid, regular_price=price)

    def set_stock(self, pid: int, qty: int | None) -> Obj:
        return self.update_product(pid, stock_quantity=qty)

    def delete_product(self, pid: int, *, force: bool = False) -> None:
        """Trash a product (listings stop showing it) or, with force, delete it for good."""
        obj = self._product(pid)
        if force:
            self.store.products.pop(pid, None)
            self.store.variations.pop(pid, None)
            if obj.get("type") == "variable":
                for child in self.store.variations_of(pid):
                    self.store.variations.pop(int(child["id"]), None)
        else:
            obj["status"] = "trash"
            self.store.stamp(obj, "date_modified")
        self.store.changed("product", "deleted", pid)

    def place_online_order(
        self, lines: list[dict[str, Any]], *, pickup: str | None = None, **extra: Any
    ) -> Obj:
        """A paid checkout order, as if a shopper bought online: it takes stock at once.

        `pickup` is the shipping method the shopper chose to collect it in the shop
        ("local_pickup", or "pickup_location" for the checkout block's Local Pickup).
        """
        if pickup is not None:
            title = "Local pickup" if pickup == "local_pickup" else "Pickup location"
            extra.setdefault(
                "shipping_lines", [{"method_id": pickup, "method_title": title, "total": "0.00"}]
            )
        body = {
            "payment_method": "stripe",
            "payment_method_title": "Credit card",
            "set_paid": True,
            "line_items": lines,
            **extra,
        }
        return order_ops.create_order(self.store, body, created_via="checkout")

    def set_option(self, name: str, value: str) -> None:
        """Change a store setting (e.g. woocommerce_prices_include_tax)."""
        self.store.settings[name] = value
        self.store.bump()


def admin_routes(admin: Admin) -> Any:
    """A function adding the `/__sim/` routes to a RouteTableDef."""

    def add(routes: web.RouteTableDef) -> None:
        async def body(request: web.Request) -> dict[str, Any]:
            raw = await request.read()
            data = json.loads(raw) if raw else {}
            if not isinstance(data, dict):
                raise web.HTTPBadRequest(text="expected a JSON object")
            return data

        def bad(exc: Exception) -> web.Response:
            return web.json_response({"error": str(exc)}, status=400)

        @routes.post(r"/__sim/products/{id:\d+}")
        async def edit(request: web.Request) -> web.Response:
            try:
                obj = admin.update_product(int(request.match_info["id"]), **await body(request))
            except KeyError as exc:
                return web.json_response({"error": exc.args[0]}, status=404)
            except (ValueError, TypeError) as exc:
                return bad(exc)
            return web.json_response(obj)

        @routes.delete(r"/__sim/products/{id:\d+}")
        async def delete(request: web.Request) -> web.Response:
            try:
                admin.delete_product(
                    int(request.match_info["id"]), force=request.query.get("force") == "true"
                )
            except KeyError as exc:
                return web.json_response({"error": exc.args[0]}, status=404)
            return web.json_response({"deleted": True})

        @routes.post("/__sim/orders")
        async def order(request: web.Request) -> web.Response:
            data = await body(request)
            lines = data.pop("line_items", [])
            return web.json_response(admin.place_online_order(lines, **data), status=201)

        @routes.post("/__sim/faults")
        async def faults(request: web.Request) -> web.Response:
            data = await body(request)
            plan = admin.ctx.faults
            if data.get("clear"):
                plan.clear()
                return web.json_response({"pending": 0})
            try:
                if data.get("kind") == "outage":
                    return outage(float(data.get("seconds", 0)))
                where = {"method": data.get("method"), "path": data.get("path")}
                extra = {"retry_after": data.get("retry_after"), "hold_s": data.get("hold_s")}
                if "rate" in data:
                    plan.add_random(str(data.get("kind")), float(data["rate"]), **where, **extra)
                else:
                    plan.add(
                        str(data.get("kind")), count=int(data.get("count", 1)), **where, **extra
                    )
            except (TypeError, ValueError) as exc:
                return bad(exc)
            return web.json_response(
                {"pending": len(plan.pending), "random": len(plan.random)}, status=201
            )

        def outage(seconds: float) -> web.Response:
            if not 0 < seconds <= 3600 or admin.ctx.outage is None:
                raise ValueError(
                    f"an outage lasts more than 0 and at most 3600 seconds, not {seconds}"
                )
            admin.ctx.outage.start(seconds)
            return web.json_response({"outage_s": seconds}, status=201)

        @routes.post("/__sim/faults/release")
        async def release(request: web.Request) -> web.Response:
            admin.ctx.faults.release()
            return web.json_response({"released": True})

        @routes.get("/__sim/requests")
        async def requests(request: web.Request) -> web.Response:
            records = [{**asdict(r), "at": r.at.isoformat()} for r in admin.ctx.requests]
            return web.json_response(records)

    return add
