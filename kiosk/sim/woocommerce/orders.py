"""Creating orders the way `POST /wc/v3/orders` does, and the stock a paid order takes.

WooCommerce checks no stock here and has no idempotency key: every accepted POST makes a new
order. `date_created` is always the server's now. A paid order (set_paid, or status processing,
completed or on-hold) reduces the stock of managed products once, the parent's when a variation
leaves stock to its parent, and stock may go negative.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from kiosk.sim.woocommerce import shipping as shipping_lines
from kiosk.sim.woocommerce import totals as tt
from kiosk.sim.woocommerce.listing import WooError
from kiosk.sim.woocommerce.state import Obj, WooStore

STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
)
STOCK_STATUSES = ("processing", "completed", "on-hold")
ADDRESS_KEYS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
)


def _address(posted: Any, billing: bool) -> Obj:
    posted = posted if isinstance(posted, dict) else {}
    keys = (*ADDRESS_KEYS, "email", "phone") if billing else (*ADDRESS_KEYS, "phone")
    return {k: str(posted.get(k) or "") for k in keys}


def _meta(store: WooStore, posted: Any) -> list[Obj]:
    out: list[Obj] = []
    for meta in posted if isinstance(posted, list) else []:
        if isinstance(meta, dict) and "key" in meta:
            out.append(
                {"id": store.new_meta_id(), "key": str(meta["key"]), "value": meta.get("value")}
            )
    return out


def _product_for(store: WooStore, posted: Obj) -> Obj:
    """`get_product_id` + `wc_get_product`: sku first, else variation_id, else product_id."""
    if posted.get("sku"):
        found = [
            p
            for p in [*store.products.values(), *store.variations.values()]
            if p.get("sku") == posted["sku"]
        ]
        pid = int(found[0]["id"]) if found else 0
    elif posted.get("variation_id"):
        pid = _int(posted["variation_id"], "variation_id")
    elif posted.get("product_id"):
        pid = _int(posted["product_id"], "product_id")
    else:
        raise WooError(
            "woocommerce_rest_required_product_reference", "Product ID or SKU is required.", 400
        )
    product = store.product_or_variation(pid)
    if product is None or product.get("status") == "trash":
        raise WooError(
            "woocommerce_rest_invalid_product_id", "Product ID provided is invalid.", 400
        )
    return product


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise WooError(
            "rest_invalid_param",
            "Invalid parameter(s): line_items",
            400,
            params={"line_items": f"line_items[0][{name}] is not of type integer."},
        ) from None


def _tax_class(store: WooStore, product: Obj) -> str:
    tax_class = str(product.get("tax_class") or "")
    if tax_class == "parent" and product.get("parent_id") in store.products:
        return str(store.products[product["parent_id"]].get("tax_class") or "")
    return tax_class


def create_order(store: WooStore, body: Any, *, created_via: str = "rest-api") -> Obj:
    """Build, total and store an order from a POST body; reduce stock if it is paid."""
    if not isinstance(body, dict):
        raise WooError("rest_invalid_json", "Invalid JSON body passed.", 400)
    status = str(body.get("status") or "pending")
    if status not in STATUSES:
        raise WooError(
            "rest_invalid_param",
            "Invalid parameter(s): status",
            400,
            params={"status": f"status is not one of {', '.join(STATUSES)}."},
        )
    customer_id = int(body.get("customer_id") or 0)
    if customer_id and customer_id not in store.customers:
        raise WooError("woocommerce_rest_invalid_customer_id", "Customer ID is invalid.", 400)
    ts = tt.TaxSettings.from_options(store.option)
    billing, shipping = _address(body.get("billing"), True), _address(body.get("shipping"), False)

    lines: list[tuple[Obj, Obj, tt.Line]] = []
    for posted in body.get("line_items") or []:
        if not isinstance(posted, dict):
            continue
        product = _product_for(store, posted)
        qty = tt.dec(posted.get("quantity", 1))
        taxable = product.get("tax_status", "taxable") == "taxable"
        tax_class = _tax_class(store, product)
        default = tt.price_excluding_tax(
            ts, store.tax_rates, tt.dec(product.get("price")), qty, tax_class, taxable
        )
        total = tt.dec(posted["total"]) if posted.get("total") not in (None, "") else default
        sub = tt.dec(posted["subtotal"]) if posted.get("subtotal") not in (None, "") else default
        lines.append((posted, product, tt.Line("line_item", total, sub, tax_class, taxable)))
    fees: list[tuple[Obj, tt.Line]] = []
    for posted in body.get("fee_lines") or []:
        if not isinstance(posted, dict):
            continue
        if not posted.get("name"):
            raise WooError("woocommerce_rest_invalid_fee_item", "Fee name is required.", 400)
        taxable = posted.get("tax_status", "taxable") != "none"
        total = tt.dec(posted.get("total"))
        fees.append(
            (posted, tt.Line("fee", total, total, str(posted.get("tax_class") or ""), taxable))
        )

    where = tt.tax_location(ts, billing, shipping)
    result = tt.calculate(
        ts, store.tax_rates, [ln for _, _, ln in lines], [ln for _, ln in fees], where
    )
    dp = ts.decimals
    oid = store.new_id()
    order: Obj = {
        "id": oid,
        "parent_id": 0,
        "status": "pending",
        "currency": str(body.get("currency") or store.option("woocommerce_currency")),
        "version": "9.9.3",
        "prices_include_tax": ts.prices_include_tax,
        "discount_total": tt.money(result.discount_total, dp),
        "discount_tax": tt.money(result.discount_tax, dp),
        "shipping_total": tt.money(tt.ZERO, dp),
        "shipping_tax": tt.money(tt.ZERO, dp),
        "cart_tax": tt.money(result.cart_tax, dp),
        "total": tt.money(result.total, dp),
        "total_tax": tt.money(result.total_tax, dp),
        "customer_id": customer_id,
        "order_key": f"wc_order_{secrets.token_hex(7)[:13]}",
        "billing": billing,
        "shipping": shipping,
        "payment_method": str(body.get("payment_method") or ""),
        "payment_method_title": str(body.get("payment_method_title") or ""),
        "transaction_id": str(body.get("transaction_id") or ""),
        "customer_ip_address": "",
        "customer_user_agent": "",
        "created_via": created_via,
        "customer_note": str(body.get("customer_note") or ""),
        "date_completed": None,
        "date_completed_gmt": None,
        "date_paid": None,
        "date_paid_gmt": None,
        "cart_hash": "",
        "number": str(oid),
        "meta_data": _meta(store, body.get("meta_data")),
        "line_items": [_line_json(store, p, prod, ln, dp) for p, prod, ln in lines],
        "tax_lines": _tax_lines(store, result, dp),
        "shipping_lines": [],
        "fee_lines": [_fee_json(store, p, ln, dp) for p, ln in fees],
        "coupon_lines": [],
        "refunds": [],
        "payment_url": "",
        "is_editable": True,
        "needs_payment": result.total > 0,
        "needs_processing": True,
        "currency_symbol": "",
    }
    shipping_lines.add_lines(store, order, body.get("shipping_lines"), dp)
    store.stamp(order, "date_created", "date_modified")
    store.orders[oid] = order
    if body.get("set_paid") is True:
        mark_paid(store, order, "processing" if status in ("pending", "") else status)
    else:
        order["status"] = status
        if status in STOCK_STATUSES:
            reduce_stock(store, order)
    store.changed("order", "created", oid)
    return order


def mark_paid(store: WooStore, order: Obj, status: str = "processing") -> None:
    """`payment_complete`: paid date, status, and the stock the order takes."""
    order["status"] = status
    order["needs_payment"] = False
    store.stamp(order, "date_paid", "date_modified")
    if status == "completed":
        store.stamp(order, "date_completed")
    reduce_stock(store, order)


def reduce_stock(store: WooStore, order: Obj) -> None:
    """`wc_reduce_stock_levels`, once per order; bumps each changed product's dates."""
    if order["id"] in store.stock_reduced:
        return
    store.stock_reduced.add(order["id"])
    for line in order["line_items"]:
        product = store.product_or_variation(int(line["variation_id"] or line["product_id"]))
        if product is None:
            continue
        if product.get("manage_stock") == "parent":
            product = store.products.get(int(product["parent_id"]), product)
        if product.get("manage_stock") is not True:
            continue
        qty = int(Decimal(str(line["quantity"])))
        product["stock_quantity"] = int(product.get("stock_quantity") or 0) - qty
        if product["stock_quantity"] <= 0:
            product["stock_status"] = (
                "outofstock" if product.get("backorders", "no") == "no" else "onbackorder"
            )
        product["total_sales"] = int(product.get("total_sales") or 0) + qty
        store.touch(product)
        for child in store.variations_of(int(product["id"])):
            if child.get("manage_stock") == "parent":
                child["stock_quantity"], child["stock_status"] = (
                    product["stock_quantity"],
                    product["stock_status"],
                )
    store.bump()  # the children above changed after `touch` bumped the revision


def _line_json(store: WooStore, posted: Obj, product: Obj, line: tt.Line, dp: int) -> Obj:
    is_variation = product.get("type") == "variation"
    parent = store.products.get(int(product.get("parent_id") or 0)) if is_variation else None
    qty = tt.dec(posted.get("quantity", 1))
    return {
        "id": store.new_item_id(),
        "name": str(posted.get("name") or product.get("name", "")),
        "product_id": int(parent["id"]) if parent else int(product["id"]),
        "variation_id": int(product["id"]) if is_variation else 0,
        "quantity": int(qty) if qty == int(qty) else float(qty),
        "tax_class": line.tax_class,
        "subtotal": tt.money(line.subtotal, dp),
        "subtotal_tax": tt.money(line.subtotal_tax, dp),
        "total": tt.money(line.total, dp),
        "total_tax": tt.money(line.total_tax, dp),
        "taxes": [
            {
                "id": rid,
                "total": tt.raw(tax),
                "subtotal": tt.raw(line.subtotal_taxes.get(rid, tt.ZERO)),
            }
            for rid, tax in line.taxes.items()
        ],
        "meta_data": _meta(store, posted.get("meta_data")),
        "sku": product.get("sku") or "",
        "global_unique_id": product.get("global_unique_id") or "",
        "price": float(line.total / qty) if qty else 0,
        "image": {"id": "", "src": ""},
        "parent_name": parent.get("name") if parent else None,
    }


def _fee_json(store: WooStore, posted: Obj, line: tt.Line, dp: int) -> Obj:
    return {
        "id": store.new_item_id(),
        "name": str(posted["name"]),
        "tax_class": line.tax_class,
        "tax_status": "taxable" if line.taxable else "none",
        "amount": str(posted.get("amount") or ""),
        "total": tt.money(line.total, dp),
        "total_tax": tt.money(line.total_tax, dp),
        "taxes": [
            {"id": rid, "total": tt.raw(tax), "subtotal": ""} for rid, tax in line.taxes.items()
        ],
        "meta_data": _meta(store, posted.get("meta_data")),
    }


def _tax_lines(store: WooStore, result: tt.Totals, dp: int) -> list[Obj]:
    rates = {int(r["id"]): r for r in store.tax_rates}
    out = []
    for rid, amount in result.tax_by_rate.items():
        rate = rates.get(rid, {})
        parts = [
            str(rate.get("country") or ""),
            str(rate.get("state") or ""),
            str(rate.get("name") or "TAX"),
            str(rate.get("priority", 1)),
        ]
        out.append(
            {
                "id": store.new_item_id(),
                "rate_code": "-".join(p for p in parts if p).upper(),
                "rate_id": rid,
                "label": str(rate.get("name") or "Tax"),
                "compound": bool(rate.get("compound")),
                "tax_total": tt.money(amount, dp),
                "shipping_tax_total": tt.money(tt.ZERO, dp),
                "rate_percent": float(tt.dec(rate.get("rate"))),
                "meta_data": [],
            }
        )
    return out
