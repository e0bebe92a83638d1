"""WooCommerce's catalog export parser: the store's own REST JSON, one file (kiosk.catalog_export).

Sections are /settings/general+tax (option id -> value), /products/categories, /products,
/products/<id>/variations (keyed by parent id), /taxes and /customers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any, TypeVar

from kiosk.connectors.base import CatalogExport, ExportError, Skipped
from kiosk.connectors.woocommerce import mapping as woo
from kiosk.connectors.woocommerce import shop_mapping as woo_shop
from kiosk.connectors.woocommerce.fields import MappingError
from kiosk.core.models import Product, ProductKind, ShopSettings

DEFAULT_LOCALE = "en_US"

_T = TypeVar("_T")


def parse_export(data: Mapping[str, Any], default_settings: ShopSettings | None) -> CatalogExport:
    """The export's sections as domain objects; an item that does not map is skipped, not fatal.

    `default_settings` stand in when the data has no 'settings' (a bare list of products);
    ExportError when a section as a whole is unusable.
    """
    skipped: list[Skipped] = []
    settings = _woo_settings(data, default_settings)
    currency = settings.currency

    categories = _map_all(_section(data, "categories"), woo_shop.category_from_woo, skipped)
    tax_rates = _map_all(_section(data, "tax_rates"), woo_shop.tax_rate_from_woo, skipped)
    customers = _map_all(_section(data, "customers"), woo_shop.customer_from_woo, skipped)

    variations = data.get("variations") or {}
    if not isinstance(variations, Mapping):
        raise ExportError("'variations' must be an object of parent id -> list of variations")
    claimed: set[str] = set()
    products: list[Product] = []
    seen: set[str] = set()
    for obj in _section(data, "products"):
        parent = _map_one(obj, partial(woo.product_from_woo, currency=currency), skipped)
        if parent is None:
            continue
        if parent.id in seen:
            skipped.append(Skipped("product", parent.id, "the same id appears twice"))
            continue
        seen.add(parent.id)
        products.append(parent)
        if parent.kind is not ProductKind.VARIABLE:
            continue
        claimed.add(parent.id)
        for vobj in _variation_list(variations, parent.id):
            to_variation = partial(woo.variation_from_woo, parent=parent, currency=currency)
            variation = _map_one(vobj, to_variation, skipped)
            if variation is None:
                continue
            if variation.id in seen:
                skipped.append(Skipped("variation", variation.id, "the same id appears twice"))
                continue
            seen.add(variation.id)
            products.append(variation)

    skipped_products = {s.id for s in skipped if s.kind == "product"}
    for key, orphans in variations.items():
        if str(key) in claimed:
            continue
        why = (
            f"its parent product {key} was skipped"
            if str(key) in skipped_products
            else f"its parent product {key} is not a variable product in this export"
        )
        for vobj in orphans if isinstance(orphans, list) else [orphans]:
            vid = vobj.get("id") if isinstance(vobj, Mapping) else None
            skipped.append(Skipped("variation", None if vid is None else str(vid), why))

    return CatalogExport(
        settings=settings,
        categories=tuple(categories),
        products=tuple(products),
        tax_rates=tuple(tax_rates),
        customers=tuple(customers),
        skipped=tuple(skipped),
    )


def _woo_settings(data: Mapping[str, Any], default: ShopSettings | None) -> ShopSettings:
    options = data.get("settings")
    if options is None:
        if default is None:
            raise ExportError(
                "the export has no 'settings' (currency, tax options) and none were given"
            )
        return default
    shop = data.get("shop") or {}
    if not isinstance(shop, Mapping):
        raise ExportError("'shop' must be an object with 'name' and 'locale'")
    if not isinstance(options, Mapping):
        raise ExportError("'settings' must be an object of WooCommerce option ids and values")
    locale = shop.get("locale") or (default.locale if default else DEFAULT_LOCALE)
    name = shop.get("name") or (default.name if default else "")
    if not isinstance(locale, str) or not isinstance(name, str):
        raise ExportError("'shop' name and locale must be text")
    try:
        return woo_shop.shop_settings_from_woo(options, locale=locale, name=name)
    except MappingError as exc:
        raise ExportError(f"the shop settings are unusable: {exc}") from None


def _variation_list(variations: Mapping[str, Any], parent_id: str) -> list[Any]:
    found = variations.get(parent_id)
    if found is None:
        return []
    if not isinstance(found, list):
        raise ExportError(f"'variations' of product {parent_id} must be a list")
    return found


def _section(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ExportError(f"'{key}' must be a list, got {type(value).__name__}")
    return value


def _map_one(obj: Any, fn: Callable[[Any], _T], skipped: list[Skipped]) -> _T | None:
    try:
        return fn(obj)
    except MappingError as exc:
        skipped.append(Skipped(exc.kind, exc.id, exc.reason))
        return None


def _map_all(objs: Iterable[Any], fn: Callable[[Any], _T], skipped: list[Skipped]) -> list[_T]:
    return [m for m in (_map_one(o, fn, skipped) for o in objs) if m is not None]
