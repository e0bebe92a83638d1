"""Shopify Admin GraphQL objects (as queries.py asks for them) to domain objects. Pure, no I/O.

Ids: the device keeps Shopify's GIDs whole ("gid://shopify/Product/123"), as kiosk.core.models
says: they are what every query and mutation takes back, they cannot collide between kinds
(a product and a variant may share a number), and webhooks carry them as
`admin_graphql_api_id`.

Products: every Shopify product has variants. One that has only its default variant
(`hasOnlyDefaultVariant`, the single "Default Title" variant) is a SIMPLE product whose id is the
product's GID and whose SKU, barcode, price and stock are that variant's; any other is a VARIABLE
product (its options as attributes, the cheapest variant's price) followed by one VARIATION per
variant (id: the variant's GID). Status ACTIVE is "publish" and UNLISTED "private" (both sold);
DRAFT and ARCHIVED are not sold. `price` is the selling price; a `compareAtPrice` above it is
the regular price (Shopify's "was" price). Money is Shopify's decimal string in the shop's
currency, parsed exactly (kiosk.core.money). Stock: an untracked inventory item has no count
(in stock); a tracked one adopts `available` at the chosen location, out of stock at 0 or below
unless the variant's inventoryPolicy is CONTINUE (sold on backorder).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kiosk.core.models import (
    Attribute,
    Category,
    Customer,
    Product,
    ProductKind,
    ShopSettings,
    StockLevel,
    StockStatus,
    TaxStatus,
)
from kiosk.core.money import Money, check_currency
from kiosk.core.text import (
    BARCODE_MAX,
    EMAIL_MAX,
    LABEL_MAX,
    NAME_MAX,
    PHONE_MAX,
    SKU_MAX,
    SLUG_MAX,
    URL_MAX,
    clean,
    clip,
)

# Whose tax arithmetic prices a sale. Shopify taxes each line and rounds it half up to the minor
# unit, extracting included tax as price * rate / (1 + rate): WooCommerce's per-line rounding
# (round_at_subtotal off) is the same arithmetic, so its policy is used until totals parity
# against Shopify's own (issue 13) shows a case where they part.
TAX_POLICY = "woocommerce"
_STATUSES = {"ACTIVE": "publish", "UNLISTED": "private", "DRAFT": "draft", "ARCHIVED": "archived"}

Obj = Mapping[str, Any]


class MappingError(ValueError):
    """A shop object the device cannot use; `kind` and `id` say which, `reason` says why."""

    def __init__(self, kind: str, id: str | None, reason: str) -> None:
        self.kind = kind
        self.id = id
        self.reason = reason
        super().__init__(f"{kind} {id if id is not None else '(no id)'}: {reason}")


def _id(kind: str, obj: Obj) -> str:
    value = obj.get("id")
    if not isinstance(value, str) or not value.startswith("gid://shopify/"):
        raise MappingError(kind, None, f"id {value!r} is not a Shopify GID")
    return value


def _text(obj: Obj, key: str, limit: int) -> str:
    value = obj.get(key)
    return clip(clean(value), limit) if isinstance(value, str) else ""


def _code(kind: str, oid: str, obj: Obj, key: str, limit: int) -> str:
    value = obj.get(key)
    text = clean(value) if isinstance(value, str) else ""
    if len(text) > limit:
        raise MappingError(kind, oid, f"{key} is longer than {limit} characters")
    return text


def _money(kind: str, oid: str, value: Any, currency: str) -> Money | None:
    if value is None or value == "":
        return None
    try:
        return Money.parse(str(value), currency)
    except ValueError as exc:
        raise MappingError(kind, oid, f"price {value!r}: {exc}") from None


def when(value: Any) -> datetime | None:
    """A Shopify DateTime ("2024-05-01T10:00:00Z") as an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _nodes(conn: Any) -> list[Obj]:
    if not isinstance(conn, Mapping):
        return []
    if isinstance(conn.get("nodes"), list):
        return [n for n in conn["nodes"] if isinstance(n, Mapping)]
    edges = conn.get("edges")
    if isinstance(edges, list):
        return [
            e["node"]
            for e in edges
            if isinstance(e, Mapping) and isinstance(e.get("node"), Mapping)
        ]
    return []


def stock_of(variant: Obj) -> StockLevel:
    """The stock of a variant (its inventory item at the location the query named)."""
    item = variant.get("inventoryItem") or {}
    oid = str(variant.get("id"))
    if not item.get("tracked"):
        return StockLevel(oid, False, None, StockStatus.IN_STOCK)
    level = item.get("inventoryLevel") or {}
    quantity = 0  # tracked but not stocked at this location: none here
    for q in level.get("quantities") or ():
        if isinstance(q, Mapping) and q.get("name") == "available":
            quantity = int(q.get("quantity") or 0)
    if quantity > 0:
        status = StockStatus.IN_STOCK
    elif variant.get("inventoryPolicy") == "CONTINUE":
        status = StockStatus.ON_BACKORDER
    else:
        status = StockStatus.OUT_OF_STOCK
    return StockLevel(oid, True, quantity, status)


def _image(product: Obj) -> str:
    media = product.get("featuredMedia") or {}
    url = ((media.get("preview") or {}).get("image") or {}).get("url")
    url = clean(url) if isinstance(url, str) else ""
    return url if len(url) <= URL_MAX else ""


def products_from_shopify(product: Obj, currency: str) -> list[Product]:
    """A product (with its variants and collections) as the device's products, parent first.

    Raises MappingError for a product the device cannot use (no id, no variants, a bad price).
    """
    check_currency(currency)
    pid = _id("product", product)
    name = _text(product, "title", NAME_MAX)
    status = _STATUSES.get(str(product.get("status")), "draft")
    variants = _nodes(product.get("variants"))
    if not variants:
        raise MappingError("product", pid, "has no variants")
    categories = tuple(c["id"] for c in _nodes(product.get("collections")) if "id" in c)
    modified, image = when(product.get("updatedAt")), _image(product)
    sold = [_sold(v, pid, currency) for v in variants]
    if product.get("hasOnlyDefaultVariant") and len(variants) == 1:
        v, (price, regular, taxable) = variants[0], sold[0]
        stock = stock_of(v)
        return [
            Product(
                id=pid,
                kind=ProductKind.SIMPLE,
                name=name,
                price=price,
                sku=_code("product", pid, v, "sku", SKU_MAX),
                barcode=_code("product", pid, v, "barcode", BARCODE_MAX),
                regular_price=regular,
                tax_status=taxable,
                manage_stock=stock.manage_stock,
                stock_quantity=stock.quantity,
                stock_status=stock.status,
                status=status,
                category_ids=categories,
                image_url=image,
                modified_at=modified,
            )
        ]
    options = tuple(
        Attribute(
            clip(clean(o["name"]), LABEL_MAX),
            tuple(clip(clean(x), LABEL_MAX) for x in o.get("values") or ()),
        )
        for o in product.get("options") or ()
        if isinstance(o, Mapping) and isinstance(o.get("name"), str)
    )
    stocks = [stock_of(v) for v in variants]
    prices = [p for p, _, _ in sold if p is not None]
    parent = Product(
        id=pid,
        kind=ProductKind.VARIABLE,
        name=name,
        price=min(prices, key=lambda m: m.minor) if prices else None,
        status=status,
        attributes=options,
        category_ids=categories,
        image_url=image,
        modified_at=modified,
        stock_status=StockStatus.IN_STOCK
        if any(s.status is not StockStatus.OUT_OF_STOCK for s in stocks)
        else StockStatus.OUT_OF_STOCK,
    )
    out = [parent]
    for v, (price, regular, taxable), stock in zip(variants, sold, stocks, strict=True):
        vid = _id("variant", v)
        picked = tuple(
            Attribute(clip(clean(o["name"]), LABEL_MAX), (clip(clean(o["value"]), LABEL_MAX),))
            for o in v.get("selectedOptions") or ()
            if isinstance(o, Mapping)
            and isinstance(o.get("name"), str)
            and isinstance(o.get("value"), str)
        )
        title = _text(v, "title", NAME_MAX)
        out.append(
            Product(
                id=vid,
                kind=ProductKind.VARIATION,
                name=clip(f"{name} - {title}", NAME_MAX) if title else name,
                price=price,
                sku=_code("variant", vid, v, "sku", SKU_MAX),
                barcode=_code("variant", vid, v, "barcode", BARCODE_MAX),
                parent_id=pid,
                regular_price=regular,
                tax_status=taxable,
                manage_stock=stock.manage_stock,
                stock_quantity=stock.quantity,
                stock_status=stock.status,
                status=status,
                attributes=picked,
                category_ids=categories,
                image_url=image,
                modified_at=when(v.get("updatedAt")) or modified,
            )
        )
    return out


def _sold(variant: Obj, pid: str, currency: str) -> tuple[Money | None, Money | None, TaxStatus]:
    vid = str(variant.get("id", pid))
    price = _money("variant", vid, variant.get("price"), currency)
    compare = _money("variant", vid, variant.get("compareAtPrice"), currency)
    regular = compare if compare is not None and price is not None and compare > price else price
    taxable = TaxStatus.TAXABLE if variant.get("taxable", True) else TaxStatus.NONE
    return price, regular, taxable


def category_from_shopify(obj: Obj, position: int = 0) -> Category:
    """A collection as a category (Shopify's collections are flat: no parent)."""
    cid = _id("collection", obj)
    return Category(
        id=cid,
        name=_text(obj, "title", LABEL_MAX),
        slug=_code("collection", cid, obj, "handle", SLUG_MAX),
        position=position,
    )


def customer_from_shopify(obj: Obj) -> Customer:
    cid = _id("customer", obj)
    email = (obj.get("defaultEmailAddress") or {}).get("emailAddress") or ""
    phone = (obj.get("defaultPhoneNumber") or {}).get("phoneNumber") or ""
    return Customer(
        id=cid,
        first_name=_text(obj, "firstName", LABEL_MAX),
        last_name=_text(obj, "lastName", LABEL_MAX),
        email=_code("customer", cid, {"email": email}, "email", EMAIL_MAX),
        phone=_code("customer", cid, {"phone": phone}, "phone", PHONE_MAX),
        modified_at=when(obj.get("updatedAt")),
    )


def shop_settings_from_shopify(shop: Obj, *, locale: str) -> ShopSettings:
    """The `shop` query's answer as the device's settings (taxes are always on in Shopify)."""
    currency = shop.get("currencyCode")
    try:
        check_currency(str(currency))
    except ValueError as exc:
        raise MappingError("shop", None, f"currencyCode: {exc}") from None
    address = shop.get("shopAddress") or {}
    return ShopSettings(
        currency=str(currency),
        prices_include_tax=bool(shop.get("taxesIncluded")),
        round_at_subtotal=False,
        taxes_enabled=True,
        country=str(address.get("countryCodeV2") or "").upper(),
        state=str(address.get("provinceCode") or "").upper(),
        postcode=str(address.get("zip") or ""),
        city=str(address.get("city") or ""),
        locale=locale,
        name=_text(shop, "name", LABEL_MAX),
        tax_policy=TAX_POLICY,
    )


def sellable(product: Obj) -> bool:
    return _STATUSES.get(str(product.get("status"))) in ("publish", "private")


__all__ = [
    "TAX_POLICY",
    "MappingError",
    "category_from_shopify",
    "customer_from_shopify",
    "products_from_shopify",
    "sellable",
    "shop_settings_from_shopify",
    "stock_of",
    "when",
]
