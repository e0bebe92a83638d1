"""WooCommerce REST v3 products and variations (as WooCommerce 9.x sends them) to domain objects.

Pure functions, no I/O. Every function raises MappingError, naming the object's id and the field,
when an object is not usable; callers skip and log such items and carry on with the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from kiosk.connectors.woocommerce.fields import (
    MappingError,
    Reader,
    required_id,
    shown,
    tax_class_of,
)

# Categories, customers, tax rates and settings moved to shop_mapping; they stay importable from
# here (see __all__) for code written against the single module.
from kiosk.connectors.woocommerce.shop_mapping import (
    category_from_woo,
    customer_from_woo,
    shop_settings_from_woo,
    tax_rate_from_woo,
)
from kiosk.core.models import Attribute, Product, ProductKind, StockStatus, TaxStatus
from kiosk.core.money import check_currency
from kiosk.core.text import (
    BARCODE_MAX,
    LABEL_MAX,
    NAME_MAX,
    SKU_MAX,
    SLUG_MAX,
    URL_MAX,
    clean,
    clip,
)

# Where barcodes live when the store predates `global_unique_id` (WC 9.2) or a plugin keeps them,
# in the order we trust them. A shop's own plugin key (WooCommerceConfig.barcode_meta_key) goes
# before these: the merchant named it, while these are guesses.
BARCODE_META_KEYS: tuple[str, ...] = (
    "_global_unique_id",
    "_barcode",
    "barcode",
    "_ean",
    "ean",
    "_gtin",
    "gtin",
)

# The top-level fields of a variation that variation_from_woo (and the plugin's grouping by
# parent_id and status) read: asking for only these (`_fields`) halves what the store sends and
# what the device parses. Reading a new field means adding it here.
VARIATION_FIELDS: tuple[str, ...] = (
    "id",
    "parent_id",
    "status",
    "name",
    "sku",
    "global_unique_id",
    "meta_data",
    "price",
    "regular_price",
    "tax_status",
    "tax_class",
    "manage_stock",
    "stock_quantity",
    "stock_status",
    "image",
    "attributes",
    "date_modified_gmt",
)

# The same for a product (product_from_woo and the connector's status filter); a product's
# description, HTML and links are most of what the store would otherwise send.
PRODUCT_FIELDS: tuple[str, ...] = (
    "id",
    "type",
    "status",
    "name",
    "sku",
    "global_unique_id",
    "meta_data",
    "price",
    "regular_price",
    "tax_status",
    "tax_class",
    "manage_stock",
    "stock_quantity",
    "stock_status",
    "attributes",
    "categories",
    "images",
    "date_modified_gmt",
)

# Product types the counter sells; grouped and external products have no price of their own to
# ring up (a group lists other products, an external one is sold on another site).
_SOLD_TYPES = {"simple": ProductKind.SIMPLE, "variable": ProductKind.VARIABLE}
_SKIPPED_TYPES = frozenset({"grouped", "external"})


class UnsupportedProductType(MappingError):
    """A well-formed product of a type that is not sold at a counter (grouped, external)."""


# -- products and variations --------------------------------------------------------------------


def product_from_woo(
    obj: Mapping[str, Any], currency: str, *, barcode_meta_key: str = ""
) -> Product:
    """Map a /products object (simple or variable) priced in `currency`.

    The barcode is `global_unique_id`, else the meta value under `barcode_meta_key` (the shop's
    barcode plugin's key, "" for none), else the first of BARCODE_META_KEYS that has one.

    Text is cleaned and held to core.text's limits: a long name is shortened with an ellipsis
    (the product stays sellable), while a SKU, barcode or tax class that is too long, or that
    held only invisible characters, cannot be matched, so the product is refused.

    Raises UnsupportedProductType (a MappingError) for grouped and external products, which a
    counter cannot sell, and MappingError for anything malformed or unusable.
    """
    r = Reader("product", obj)
    check_currency(currency)
    type_ = obj.get("type", "simple")
    if not isinstance(type_, str):
        raise r.fail(f"type {shown(type_)} is not text")
    if type_ in _SKIPPED_TYPES:
        raise UnsupportedProductType(
            "product", r.id, f"type {shown(type_)} products are not sold at the counter"
        )
    if type_ not in _SOLD_TYPES:
        raise r.fail(f"type {shown(type_)} is not one of simple, variable, grouped, external")
    kind = _SOLD_TYPES[type_]
    images = r.objects("images")
    stock = _stock(r)
    name = r.label("name", NAME_MAX)
    if not name and r.emptied("name"):
        # Text made only of controls and bidi marks is broken data, not a merchant's blank name.
        raise r.fail("name holds only control or invisible characters")
    return Product(
        id=required_id(r),
        kind=kind,
        name=name,
        price=r.money("price", currency),
        sku=r.code("sku", SKU_MAX),
        barcode=_barcode(r, barcode_meta_key),
        regular_price=r.money("regular_price", currency),
        tax_status=r.choice("tax_status", TaxStatus, TaxStatus.TAXABLE),
        tax_class=tax_class_of(r.code("tax_class", SLUG_MAX)),
        manage_stock=stock.manage_stock,
        stock_quantity=stock.stock_quantity,
        stock_status=stock.stock_status,
        status=r.code("status", SLUG_MAX, "publish"),
        attributes=_product_attributes(r, variations_only=kind is ProductKind.VARIABLE),
        category_ids=_category_ids(r),
        image_url=_image_src(r, images[0]) if images else "",
        modified_at=r.gmt_datetime("date_modified_gmt"),
    )


def variation_from_woo(
    obj: Mapping[str, Any], parent: Product, currency: str, *, barcode_meta_key: str = ""
) -> Product:
    """Map a /products/<id>/variations object of `parent` (already mapped) priced in `currency`.

    The barcode is found as product_from_woo finds it (`barcode_meta_key` likewise), and text is
    held to the same limits.

    A variation has no categories of its own (it takes the parent's), may name no image or tax
    class of its own (it takes the parent's), and `manage_stock: "parent"` means the parent counts
    the stock, so the variation itself does not manage any.
    """
    r = Reader("variation", obj)
    check_currency(currency)
    attributes = _variation_attributes(r)
    name = r.label("name", NAME_MAX)
    if not name:
        options = ", ".join(a.options[0] for a in attributes)
        name = clip(f"{parent.name} - {options}", NAME_MAX) if options else parent.name
    tax_class = r.code("tax_class", SLUG_MAX)
    image = obj.get("image")
    if image is not None and not isinstance(image, Mapping):
        raise r.fail("image is not an object")
    stock = _stock(r)
    return Product(
        id=required_id(r),
        kind=ProductKind.VARIATION,
        name=name,
        price=r.money("price", currency),
        sku=r.code("sku", SKU_MAX),
        barcode=_barcode(r, barcode_meta_key),
        parent_id=parent.id,
        regular_price=r.money("regular_price", currency),
        tax_status=r.choice("tax_status", TaxStatus, parent.tax_status),
        tax_class=parent.tax_class if tax_class == "parent" else tax_class_of(tax_class),
        manage_stock=stock.manage_stock,
        stock_quantity=stock.stock_quantity,
        stock_status=stock.stock_status,
        status=r.code("status", SLUG_MAX, "publish"),
        attributes=attributes,
        category_ids=parent.category_ids,
        image_url=(_image_src(r, image) if image else "") or parent.image_url,
        modified_at=r.gmt_datetime("date_modified_gmt"),
    )


# -- helpers ------------------------------------------------------------------------------------


def _category_ids(r: Reader) -> tuple[str, ...]:
    return tuple(
        r.id_of(c.get("id"), f"categories[{i}].id") for i, c in enumerate(r.objects("categories"))
    )


def _barcode(r: Reader, meta_key: str) -> str:
    code = r.code("global_unique_id", BARCODE_MAX)
    if code:
        return code
    own = meta_key.strip()
    keys = (own, *BARCODE_META_KEYS) if own else BARCODE_META_KEYS
    meta: dict[str, str] = {}
    for entry in r.objects("meta_data"):
        key, value = entry.get("key"), entry.get("value")
        # Importers write codes as numbers too; a blank entry must not hide a later one that
        # WordPress keeps under the same key. Only the keys that may hold a barcode are read:
        # other plugins' meta can be large, and is none of the till's business.
        if not isinstance(key, str) or key not in keys or isinstance(value, bool):
            continue
        if isinstance(value, int) and abs(value) < 10**BARCODE_MAX:
            value = str(value)
        if isinstance(value, str) and (text := clean(value)):
            meta.setdefault(key, text)
    found = next((k for k in keys if k in meta), None)
    return "" if found is None else r.fits(f"meta_data {found}", meta[found], BARCODE_MAX)


class _Stock(NamedTuple):
    manage_stock: bool
    stock_quantity: int | None
    stock_status: StockStatus


def _stock(r: Reader) -> _Stock:
    manage = r.obj.get("manage_stock")
    if manage == "parent":
        managed = False
    elif manage is None or isinstance(manage, bool):
        managed = bool(manage)
    else:
        raise r.fail(f"manage_stock {shown(manage)} is not true, false or 'parent'")
    quantity = r.integer("stock_quantity", None)
    return _Stock(
        managed,
        # Without stock management the number is either absent or the parent's shared count;
        # keeping it would invite the till to count it down as if it were this item's own.
        quantity if managed else None,
        r.choice("stock_status", StockStatus, StockStatus.IN_STOCK),
    )


def _product_attributes(r: Reader, *, variations_only: bool) -> tuple[Attribute, ...]:
    # A variable product's picker needs only the attributes its variations are made of; the
    # others ("Material: Cotton") are descriptions, kept on simple products for the display.
    result = []
    for i, a in enumerate(r.objects("attributes")):
        name, options = _attribute_name(r, i, a), a.get("options")
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            raise r.fail(f"attributes[{i}] ({name}) options is not a list of text")
        if variations_only and a.get("variation") is False:
            continue
        result.append(Attribute(name, tuple(clip(clean(o), LABEL_MAX) for o in options)))
    return tuple(result)


def _variation_attributes(r: Reader) -> tuple[Attribute, ...]:
    result = []
    for i, a in enumerate(r.objects("attributes")):
        name, option = _attribute_name(r, i, a), a.get("option")
        if not isinstance(option, str):
            raise r.fail(f"attributes[{i}] ({name}) option {shown(option)} is not text")
        # The option is clipped as the parent's options are, so that the two still match.
        if text := clip(clean(option), LABEL_MAX):  # "" means "any value": nothing to show
            result.append(Attribute(name, (text,)))
    return tuple(result)


def _attribute_name(r: Reader, i: int, attribute: Mapping[str, Any]) -> str:
    name = attribute.get("name")
    text = clip(clean(name), LABEL_MAX) if isinstance(name, str) else ""
    if not text:
        raise r.fail(f"attributes[{i}] has no name")
    return text


def _image_src(r: Reader, image: Mapping[str, Any]) -> str:
    src = image.get("src", "")
    if not isinstance(src, str):
        raise r.fail(f"image src {shown(src)} is not text")
    # A picture is decoration: an address too long to be one leaves the product without it.
    src = clean(src)
    return src if len(src) <= URL_MAX else ""


__all__ = [
    "BARCODE_META_KEYS",
    "PRODUCT_FIELDS",
    "VARIATION_FIELDS",
    "MappingError",
    "UnsupportedProductType",
    "category_from_woo",
    "customer_from_woo",
    "product_from_woo",
    "shop_settings_from_woo",
    "tax_rate_from_woo",
    "variation_from_woo",
]
