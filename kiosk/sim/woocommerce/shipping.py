"""Shipping lines on a posted order, as `POST /wc/v3/orders` keeps them.

Relied on (WooCommerce REST API v3 docs, "Order properties - Shipping lines properties"):
each line is {id, method_title, method_id, instance_id, total, total_tax, taxes, meta_data};
`method_id` names the method the shopper chose ("local_pickup", "pickup_location" for the
checkout block's Local Pickup, "flat_rate", ...). The simulator taxes no shipping: a line's
total is added to `shipping_total` and the order total as given.
"""

from __future__ import annotations

from typing import Any

from kiosk.sim.woocommerce import totals as tt
from kiosk.sim.woocommerce.state import Obj, WooStore


def add_lines(store: WooStore, order: Obj, posted: Any, dp: int) -> None:
    """Keep the posted shipping lines on `order` and add their totals to it."""
    lines: list[Obj] = []
    for item in posted if isinstance(posted, list) else []:
        if not isinstance(item, dict):
            continue
        total = tt.dec(item.get("total") or "0")
        lines.append(
            {
                "id": store.new_item_id(),
                "method_title": str(item.get("method_title") or ""),
                "method_id": str(item.get("method_id") or ""),
                "instance_id": str(item.get("instance_id") or ""),
                "total": tt.money(total, dp),
                "total_tax": tt.money(tt.ZERO, dp),
                "taxes": [],
                "meta_data": [],
            }
        )
    if not lines:
        return
    shipping = sum((tt.dec(li["total"]) for li in lines), tt.ZERO)
    order["shipping_lines"] = lines
    order["shipping_total"] = tt.money(shipping, dp)
    order["total"] = tt.money(tt.dec(order["total"]) + shipping, dp)
