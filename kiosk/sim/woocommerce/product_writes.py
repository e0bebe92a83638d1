"""PUT and DELETE /wp-json/wc/v3/products/<id>: the merchant's edits through the REST API.

As WooCommerce's products controller: PUT takes the fields to change and answers the product;
DELETE moves it to the trash, or deletes it for good with `force=true`, and answers the product
as it was. The edits are the simulator's merchant actions (Admin), so dates, listings and
webhooks follow as they do for edits in wp-admin.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from kiosk.sim.woocommerce.admin import EDITABLE, Admin
from kiosk.sim.woocommerce.app import _guard
from kiosk.sim.woocommerce.catalog_routes import API, render_product
from kiosk.sim.woocommerce.listing import Args, WooError, one


def add_product_write_routes(routes: web.RouteTableDef, admin: Admin) -> None:
    """Register PUT and DELETE products/<id> behind the store's authentication."""
    guard = _guard(admin.ctx)
    base_url = admin.ctx.base_url

    def found(pid: int) -> Any:
        obj = admin.store.product_or_variation(pid)
        if obj is None:
            raise WooError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
        return obj

    @routes.put(API + r"/products/{id:\d+}")
    @guard("create")
    async def update(request: web.Request) -> web.Response:
        pid = int(request.match_info["id"])
        found(pid)
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            raise WooError("rest_invalid_json", "Invalid JSON body passed.", 400) from None
        if not isinstance(body, dict):
            raise WooError("rest_invalid_json", "Invalid JSON body passed.", 400)
        admin.update_product(pid, **{k: v for k, v in body.items() if k in EDITABLE})
        return one(request, render_product(base_url, found(pid)))

    @routes.delete(API + r"/products/{id:\d+}")
    @guard("delete")
    async def delete(request: web.Request) -> web.Response:
        pid = int(request.match_info["id"])
        before = render_product(base_url, found(pid))
        admin.delete_product(pid, force=Args(request).flag("force"))
        return one(request, before)


__all__ = ["add_product_write_routes"]
