"""The simulated Shopify store's data, as dicts in the Admin GraphQL API's own shape.

Each object is the dict a resolver returns (graphql-core's default resolver reads its keys), with
`__typename` for the Node interface and links to related objects under `_`-prefixed keys, which
no schema field has. The catalog is converted from kiosk.sim.catalog's generated export: a simple
product becomes a product with one default variant ("Default Title"), a variable product one
variant per variation; categories become collections. Ids are GIDs over the export's numbers.

Every change goes through a method that stamps `updatedAt` from the store clock, as Shopify does.
Inventory is per inventory item and location; changing it stamps the inventory level, not the
product (Shopify's product `updated_at` does not move when only stock changes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Obj = dict[str, Any]

LOCATION = "gid://shopify/Location/1"


def gid(kind: str, number: int | str) -> str:
    return f"gid://shopify/{kind}/{number}"


def number_of(gid_text: str) -> int:
    """The numeric tail of a GID (ValueError for anything else)."""
    return int(gid_text.rsplit("/", 1)[-1])


def iso(moment: datetime) -> str:
    """DateTime as Shopify writes it: UTC with a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class ShopifyStore:
    """The whole shop. Tests may read these dicts; change them through the methods."""

    shop: Obj
    products: dict[str, Obj] = field(default_factory=dict)
    variants: dict[str, Obj] = field(default_factory=dict)
    items: dict[str, Obj] = field(default_factory=dict)  # inventory items
    collections: dict[str, Obj] = field(default_factory=dict)
    customers: dict[str, Obj] = field(default_factory=dict)
    locations: dict[str, Obj] = field(default_factory=dict)
    orders: dict[str, Obj] = field(default_factory=dict)
    idempotent: dict[str, Obj] = field(default_factory=dict)  # @idempotent key -> first result
    order_seq: int = 0
    line_seq: int = 0
    transaction_seq: int = 0
    refund_seq: int = 0
    clock: Callable[[], datetime] = system_clock
    # What the app's token was granted (currentAppInstallation.accessScopes).
    scopes: tuple[str, ...] = (
        "read_products",
        "read_inventory",
        "read_customers",
        "read_locations",
        "read_orders",
        "write_orders",
    )
    webhooks: dict[str, Obj] = field(default_factory=dict)  # subscriptions, by GID
    webhook_seq: int = 0
    # Told of every change a webhook topic covers: (topic, resource); the deliveries send it.
    on_change: Callable[[str, Obj], None] = lambda _topic, _resource: None

    def now(self) -> str:
        return iso(self.clock())

    def node(self, id_: str) -> Obj | None:
        for table in (
            self.products,
            self.variants,
            self.items,
            self.collections,
            self.customers,
            self.locations,
            self.orders,
        ):
            if id_ in table:
                return table[id_]
        return None

    # -- the admin's levers ---------------------------------------------------------------------

    def set_price(self, variant_id: str, price: str) -> None:
        """Change a variant's price (the product's updatedAt moves with it)."""
        variant = self.variants[variant_id]
        variant["price"] = price
        variant["updatedAt"] = self.now()
        product = self.products[variant["_product"]]
        product["updatedAt"] = variant["updatedAt"]
        self.on_change("products/update", product)

    def set_available(self, variant_id: str, available: int, location: str = LOCATION) -> None:
        """Set a variant's `available` quantity at a location (tracking it from now on)."""
        item = self.items[self.variants[variant_id]["_item"]]
        item["tracked"] = True
        item["_levels"][location] = {"available": available, "updatedAt": self.now()}

    def take_stock(self, variant_id: str, quantity: int, location: str = LOCATION) -> None:
        """Claim `quantity` of a tracked variant at a location (negative: put back), as an
        order or a restocking refund does; an untracked one has no count to move."""
        item = self.items[self.variants[variant_id]["_item"]]
        if not item["tracked"]:
            return
        level = item["_levels"].setdefault(location, {"available": 0, "updatedAt": self.now()})
        level["available"] -= quantity
        level["updatedAt"] = self.now()

    def add_location(self, number: int, name: str, *, active: bool = True) -> str:
        """Another location (a second shop, a warehouse), stocking nothing yet."""
        lid = gid("Location", number)
        self.locations[lid] = {
            "__typename": "Location",
            "id": lid,
            "name": name,
            "isActive": active,
            "isPrimary": False,
            "fulfillsOnlineOrders": True,
        }
        return lid

    def delete_product(self, product_id: str) -> None:
        product = self.products.pop(product_id)
        for vid in product["_variants"]:
            self.items.pop(self.variants.pop(vid)["_item"], None)
        self.on_change("products/delete", product)

    def set_status(self, product_id: str, status: str) -> None:
        self.products[product_id]["status"] = status
        self.products[product_id]["updatedAt"] = self.now()
        self.on_change("products/update", self.products[product_id])


# -- built from a catalog export -------------------------------------------------------------------


def _stamp(text: str | None) -> str:
    # The export's *_gmt strings have no offset: they are UTC.
    return f"{text[:19]}Z" if text else "2024-01-01T00:00:00Z"


def store_from_export(
    export: dict[str, Any],
    *,
    clock: Callable[[], datetime] = system_clock,
    shop_name: str = "sim-shop",
) -> ShopifyStore:
    """A shop holding `export`'s catalog (kiosk.sim.catalog.generate_export's format)."""
    settings = export.get("settings", {})
    country, _, state = str(settings.get("woocommerce_default_country", "GB")).partition(":")
    shop = {
        "__typename": "Shop",
        "id": gid("Shop", 1),
        "name": export.get("shop", {}).get("name", "Simulated Shop"),
        "currencyCode": settings.get("woocommerce_currency", "GBP"),
        "taxesIncluded": settings.get("woocommerce_prices_include_tax", "yes") == "yes",
        "taxShipping": False,
        "myshopifyDomain": f"{shop_name}.myshopify.com",
        "ianaTimezone": "Europe/London",
        "shopAddress": {
            "__typename": "ShopAddress",
            "countryCodeV2": country or None,
            "provinceCode": state or None,
            "zip": settings.get("woocommerce_store_postcode") or None,
            "city": settings.get("woocommerce_store_city") or None,
        },
    }
    store = ShopifyStore(shop=shop, clock=clock)
    store.locations[LOCATION] = {
        "__typename": "Location",
        "id": LOCATION,
        "name": "Shop floor",
        "isActive": True,
        "isPrimary": True,
        "fulfillsOnlineOrders": True,
    }
    for cat in export.get("categories", []):
        cid = gid("Collection", cat["id"])
        store.collections[cid] = {
            "__typename": "Collection",
            "id": cid,
            "title": cat["name"],
            "handle": cat.get("slug", ""),
            "updatedAt": "2024-01-01T00:00:00Z",
        }
    variations = export.get("variations", {})
    for obj in export.get("products", []):
        _add_product(store, obj, variations.get(str(obj["id"]), []))
    for cust in export.get("customers", []):
        cid = gid("Customer", cust["id"])
        phone = (cust.get("billing") or {}).get("phone") or None
        store.customers[cid] = {
            "__typename": "Customer",
            "id": cid,
            "firstName": cust.get("first_name") or None,
            "lastName": cust.get("last_name") or None,
            "displayName": f"{cust.get('first_name', '')} {cust.get('last_name', '')}".strip(),
            "defaultEmailAddress": {"emailAddress": cust.get("email")}
            if cust.get("email")
            else None,
            "defaultPhoneNumber": {"phoneNumber": phone} if phone else None,
            "updatedAt": _stamp(cust.get("date_modified_gmt")),
        }
    return store


def _add_product(store: ShopifyStore, obj: Obj, children: list[Obj]) -> None:
    pid = gid("Product", obj["id"])
    status = {"publish": "ACTIVE", "private": "UNLISTED", "draft": "DRAFT"}.get(
        obj.get("status", "publish"), "ARCHIVED"
    )
    if obj.get("type") == "variable":
        options = [
            {"name": a["name"], "values": list(a.get("options", []))}
            for a in obj.get("attributes", [])
        ]
        rows = children
    else:
        options = [{"name": "Title", "values": ["Default Title"]}]
        rows = [obj]
    product: Obj = {
        "__typename": "Product",
        "id": pid,
        "title": obj["name"],
        "handle": obj.get("slug", f"product-{obj['id']}"),
        "status": status,
        "updatedAt": _stamp(obj.get("date_modified_gmt")),
        "hasOnlyDefaultVariant": obj.get("type") != "variable",
        "options": [
            {"__typename": "ProductOption", "id": gid("ProductOption", f"{obj['id']}{i}"), **o}
            | {"position": i + 1}
            for i, o in enumerate(options)
        ],
        "_variants": [],
        "_collections": [gid("Collection", c["id"]) for c in obj.get("categories", [])],
    }
    store.products[pid] = product
    for position, row in enumerate(rows, start=1):
        vid = gid("ProductVariant", row["id"])
        item_id = gid("InventoryItem", row["id"])
        if obj.get("type") == "variable":
            selected = [
                {"name": a["name"], "value": a["option"]} for a in row.get("attributes", [])
            ]
            title = " / ".join(s["value"] for s in selected)
        else:
            selected, title = [{"name": "Title", "value": "Default Title"}], "Default Title"
        regular, price = row.get("regular_price") or "", row.get("price") or "0.00"
        store.variants[vid] = {
            "__typename": "ProductVariant",
            "id": vid,
            "title": title,
            "sku": row.get("sku") or None,
            "barcode": row.get("global_unique_id") or None,
            "price": price,
            "compareAtPrice": regular if regular and regular != price else None,
            "taxable": row.get("tax_status", "taxable") == "taxable",
            "position": position,
            "inventoryPolicy": "CONTINUE" if row.get("backorders") == "yes" else "DENY",
            "selectedOptions": selected,
            "updatedAt": _stamp(row.get("date_modified_gmt")),
            "_product": pid,
            "_item": item_id,
        }
        managed = row.get("manage_stock") is True
        store.items[item_id] = {
            "__typename": "InventoryItem",
            "id": item_id,
            "tracked": managed,
            "updatedAt": store.variants[vid]["updatedAt"],
            "_variant": vid,
            "_levels": {
                LOCATION: {
                    "available": int(row.get("stock_quantity") or 0) if managed else 0,
                    "updatedAt": store.variants[vid]["updatedAt"],
                }
            },
        }
        product["_variants"].append(vid)
