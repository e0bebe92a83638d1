"""Read-only catalog routes: products, variations, categories, taxes, settings, customers."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from kiosk.sim.woocommerce.listing import (
    Args,
    Guard,
    WooError,
    date_filter,
    listing_key,
    one,
    page_response,
    sort_objects,
)
from kiosk.sim.woocommerce.state import LISTED_STATUSES, Obj, WooStore

API = "/wp-json/wc/v3"
PRODUCT_ORDERBY = (
    "date",
    "modified",
    "id",
    "include",
    "title",
    "slug",
    "price",
    "popularity",
    "rating",
    "menu_order",
)
PRODUCT_STATUS = ("any", "future", "trash", "draft", "pending", "private", "publish")
TAX_OPTIONS = {
    "woocommerce_prices_include_tax": ("Prices entered with tax", "radio", "no"),
    "woocommerce_tax_based_on": ("Calculate tax based on", "select", "shipping"),
    "woocommerce_shipping_tax_class": ("Shipping tax class", "select", "inherit"),
    "woocommerce_tax_round_at_subtotal": ("Rounding", "checkbox", "no"),
    "woocommerce_tax_classes": ("Additional tax classes", "textarea", ""),
    "woocommerce_tax_display_shop": ("Display prices in the shop", "select", "excl"),
    "woocommerce_tax_display_cart": ("Display prices during cart and checkout", "select", "excl"),
    "woocommerce_price_display_suffix": ("Price display suffix", "text", ""),
    "woocommerce_tax_total_display": ("Display tax totals", "select", "itemized"),
}
GENERAL_LABELS = {
    "woocommerce_store_address": "Address line 1",
    "woocommerce_store_address_2": "Address line 2",
    "woocommerce_store_city": "City",
    "woocommerce_default_country": "Country / State",
    "woocommerce_store_postcode": "Postcode / ZIP",
    "woocommerce_calc_taxes": "Enable taxes",
    "woocommerce_currency": "Currency",
    "woocommerce_price_num_decimals": "Number of decimals",
}

Render = Callable[[Obj], Obj]


def links(base_url: str, path: str, collection: str, **extra: str) -> Obj:
    out: Obj = {
        "self": [{"href": f"{base_url}{API}/{path}"}],
        "collection": [{"href": f"{base_url}{API}/{collection}"}],
    }
    for rel, href in extra.items():
        out[rel] = [{"href": f"{base_url}{API}/{href}"}]
    return out


def render_product(base_url: str, obj: Obj) -> Obj:
    if obj.get("type") == "variation":
        parent = obj["parent_id"]
        link = links(
            base_url,
            f"products/{parent}/variations/{obj['id']}",
            f"products/{parent}/variations",
            up=f"products/{parent}",
        )
    else:
        link = links(base_url, f"products/{obj['id']}", "products")
    return {**obj, "_links": link}


def render_customer(base_url: str, obj: Obj) -> Obj:
    return {**obj, "_links": links(base_url, f"customers/{obj['id']}", "customers")}


def _product_filter(args: Args, store: WooStore, items: list[Obj]) -> list[Obj]:
    status = args.choice("status", PRODUCT_STATUS, "any")
    include, exclude = args.ids("include"), set(args.ids("exclude"))
    skus = set(args.words("sku"))
    gtin = args.text("global_unique_id")
    ptype = args.text("type")
    search = args.text("search").lower()
    category = args.text("category")
    stock_status = args.text("stock_status")
    dates = date_filter(args, store.local_to_utc)
    args.check()
    out = []
    for obj in items:
        if status == "any" and obj.get("status") not in LISTED_STATUSES:
            continue
        if status != "any" and obj.get("status") != status:
            continue
        if (include and obj["id"] not in include) or obj["id"] in exclude:
            continue
        if (skus and obj.get("sku") not in skus) or (gtin and obj.get("global_unique_id") != gtin):
            continue
        if ptype and obj.get("type") != ptype:
            continue
        if (
            search
            and search not in str(obj.get("name", "")).lower()
            and search not in str(obj.get("description", "")).lower()
        ):
            continue
        if category and not any(str(c.get("id")) == category for c in obj.get("categories", [])):
            continue
        if stock_status and obj.get("stock_status") != stock_status:
            continue
        if dates(obj):
            out.append(obj)
    return out


def add_catalog_routes(
    routes: web.RouteTableDef, store: WooStore, base_url: str, guard: Guard
) -> None:
    """Register the catalog routes; `guard(kind)` wraps a handler with authentication."""

    def product_json(obj: Obj) -> Obj:
        return render_product(base_url, obj)

    @routes.get(f"{API}/products")
    @guard("list")
    async def list_products(request: web.Request) -> web.Response:
        args = Args(request)

        def build() -> list[Obj]:
            items = _product_filter(args, store, list(store.products.values()))
            orderby = args.choice("orderby", PRODUCT_ORDERBY, "date")
            order = args.choice("order", ("asc", "desc"), "desc")
            args.check()
            return sort_objects(items, orderby, order, args.ids("include"))

        # Paging through a big catalog repeats one query; filter and sort it once per revision.
        items = store.memo(("products", *listing_key(request)), build)
        return page_response(request, args, items, base_url, product_json)

    @routes.get(API + r"/products/{id:\d+}")
    @guard("view")
    async def get_product(request: web.Request) -> web.Response:
        obj = store.product_or_variation(int(request.match_info["id"]))
        if obj is None:
            raise WooError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
        return one(request, product_json(obj))

    @routes.get(API + r"/products/{id:\d+}/variations")
    @guard("list")
    async def list_variations(request: web.Request) -> web.Response:
        args = Args(request)
        items = _product_filter(args, store, store.variations_of(int(request.match_info["id"])))
        orderby = args.choice("orderby", PRODUCT_ORDERBY, "menu_order")
        order = args.choice("order", ("asc", "desc"), "asc" if orderby == "menu_order" else "desc")
        args.check()
        items = sort_objects(items, orderby, order, args.ids("include"))
        return page_response(request, args, items, base_url, product_json)

    @routes.get(API + r"/products/{pid:\d+}/variations/{id:\d+}")
    @guard("view")
    async def get_variation(request: web.Request) -> web.Response:
        obj = store.variations.get(int(request.match_info["id"]))
        if obj is None or obj["parent_id"] != int(request.match_info["pid"]):
            raise WooError("woocommerce_rest_product_variation_invalid_id", "Invalid ID.", 404)
        return one(request, product_json(obj))

    @routes.get(f"{API}/products/categories")
    @guard("list")
    async def list_categories(request: web.Request) -> web.Response:
        args = Args(request)
        orderby = args.choice(
            "orderby",
            ("id", "include", "name", "slug", "term_group", "description", "count"),
            "name",
        )
        order = args.choice("order", ("asc", "desc"), "asc")
        args.check()
        items = sort_objects(list(store.categories), orderby, order, args.ids("include"))
        return page_response(
            request,
            args,
            items,
            base_url,
            lambda c: {
                **c,
                "_links": links(base_url, f"products/categories/{c['id']}", "products/categories"),
            },
        )

    @routes.get(f"{API}/taxes")
    @guard("list")
    async def list_taxes(request: web.Request) -> web.Response:
        args = Args(request)
        orderby = args.choice("orderby", ("id", "order", "priority"), "order")
        order = args.choice("order", ("asc", "desc"), "asc")
        wanted = args.text("class")
        args.check()
        items = [r for r in store.tax_rates if not wanted or r.get("class") == wanted]
        items = sort_objects(items, orderby, order, [])
        return page_response(
            request,
            args,
            items,
            base_url,
            lambda r: {**r, "_links": links(base_url, f"taxes/{r['id']}", "taxes")},
        )

    @routes.get(f"{API}/taxes/classes")
    @guard("list")
    async def tax_classes(request: web.Request) -> web.Response:
        names = [
            n.strip() for n in store.option("woocommerce_tax_classes").splitlines() if n.strip()
        ]
        body = [{"slug": "standard", "name": "Standard rate"}]
        body += [{"slug": "-".join(n.lower().split()), "name": n} for n in names]
        return web.json_response(body)

    @routes.get(API + r"/settings/{group:(general|tax)}")
    @guard("list")
    async def settings(request: web.Request) -> web.Response:
        group = request.match_info["group"]
        body = []
        for key, value in store.settings.items():
            if (key in TAX_OPTIONS) != (group == "tax"):
                continue
            label, kind, default = TAX_OPTIONS.get(key) or (
                GENERAL_LABELS.get(key, key),
                "text",
                "",
            )
            body.append(
                {
                    "id": key,
                    "label": label,
                    "description": "",
                    "type": kind,
                    "default": default,
                    "tip": "",
                    "value": value,
                    "group_id": group,
                    "_links": links(base_url, f"settings/{group}/{key}", f"settings/{group}"),
                }
            )
        return web.json_response(body)

    @routes.get(f"{API}/customers")
    @guard("list")
    async def list_customers(request: web.Request) -> web.Response:
        args = Args(request)
        orderby = args.choice("orderby", ("id", "include", "name", "registered_date"), "name")
        order = args.choice("order", ("asc", "desc"), "asc")
        role = args.text("role", "customer")
        email, search = args.text("email").lower(), args.text("search").lower()
        include, exclude = args.ids("include"), set(args.ids("exclude"))
        dates = date_filter(args, store.local_to_utc)
        args.check()
        items = [
            c
            for c in store.customers.values()
            if (role == "all" or c.get("role", "customer") == role)
            and (not email or str(c.get("email", "")).lower() == email)
            and (
                not search
                or any(
                    search in str(c.get(k, "")).lower()
                    for k in ("email", "first_name", "last_name", "username")
                )
            )
            and (not include or c["id"] in include)
            and c["id"] not in exclude
            and dates(c)
        ]
        items = sort_objects(items, orderby, order, include)
        return page_response(request, args, items, base_url, lambda c: render_customer(base_url, c))

    @routes.get(API + r"/customers/{id:\d+}")
    @guard("view")
    async def get_customer(request: web.Request) -> web.Response:
        obj = store.customers.get(int(request.match_info["id"]))
        if obj is None:
            raise WooError("woocommerce_rest_invalid_id", "Invalid resource ID.", 404)
        return one(request, render_customer(base_url, obj))
