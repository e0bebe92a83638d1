"""The catalog export file: a store's catalog in the store's own JSON, in one file.

`kiosk catalog import FILE` reads it, the demo ships one and the store simulators serve one:

    {"format": "kiosk.catalog/1", "platform": "woocommerce",
     "shop": {"name": "...", "locale": "en_GB"},
     "settings": {"woocommerce_currency": "GBP", ...},   # option id -> value, /settings/general+tax
     "categories": [...], "products": [...],             # /products/categories, /products
     "variations": {"<parent id>": [...]},               # /products/<id>/variations
     "tax_rates": [...], "customers": [...]}             # /taxes, /customers

A bare JSON array of WooCommerce products is accepted too; the shop settings then come from the
caller. Items the device cannot use are skipped and listed; the rest still load.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from kiosk.connectors.woocommerce import mapping as woo
from kiosk.connectors.woocommerce import shop_mapping as woo_shop
from kiosk.connectors.woocommerce.fields import MappingError
from kiosk.core.models import Category, Customer, Product, ProductKind, ShopSettings, TaxRate

FORMAT = "kiosk.catalog/1"
DEFAULT_LOCALE = "en_US"

_T = TypeVar("_T")


class ExportError(ValueError):
    """The file or data is not a catalog export the device can read at all."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """One store object left out, and why (the reason names the field)."""

    kind: str
    id: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class CatalogExport:
    """A parsed export; `products` holds products and variations, each parent before its own."""

    settings: ShopSettings
    categories: tuple[Category, ...] = ()
    products: tuple[Product, ...] = ()
    tax_rates: tuple[TaxRate, ...] = ()
    customers: tuple[Customer, ...] = ()
    skipped: tuple[Skipped, ...] = ()


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building hundreds of thousands of objects.

    They are all kept, so every collection pass is wasted work: it halves the time of a 100k
    product catalog. Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_export(path: Path, *, default_settings: ShopSettings | None = None) -> CatalogExport:
    """Read and parse the export at `path`; ExportError says what is wrong with the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExportError(f"catalog file {path} does not exist") from None
    except IsADirectoryError:
        raise ExportError(f"catalog file {path} is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        raise ExportError(f"catalog file {path} is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ExportError(f"cannot read catalog file {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportError(
            f"catalog file {path} is not valid JSON: {exc.msg} at line {exc.lineno} "
            f"column {exc.colno}"
        ) from None
    try:
        return parse_export(data, default_settings=default_settings)
    except ExportError as exc:
        raise ExportError(f"catalog file {path}: {exc}") from None


def parse_export(data: Any, *, default_settings: ShopSettings | None = None) -> CatalogExport:
    """Parse an export object (or a bare list of WooCommerce products).

    The export's own settings win over `default_settings`, which are needed only when the data
    carries none. Raises ExportError when the data as a whole is unusable; single bad items are
    reported in `skipped` instead.
    """
    if isinstance(data, list):
        if default_settings is None:
            raise ExportError(
                "a bare list of products carries no shop settings (currency, tax): "
                "use a full catalog export, or set shop.currency in kiosk.toml first"
            )
        with paused_gc():
            return _PARSERS["woocommerce"]({"products": data}, default_settings)
    if not isinstance(data, Mapping):
        raise ExportError(
            f"expected a catalog export object or a list of products, got {type(data).__name__}"
        )
    fmt = data.get("format")
    if fmt != FORMAT:
        raise ExportError(
            f"format {fmt!r} is not supported (this device reads {FORMAT!r})"
            if fmt is not None
            else f"the 'format' field is missing (expected {FORMAT!r})"
        )
    platform = data.get("platform")
    parser = _PARSERS.get(platform) if isinstance(platform, str) else None
    if parser is None:
        raise ExportError(
            f"platform {platform!r} is not supported (expected one of {', '.join(_PARSERS)})"
        )
    with paused_gc():
        return parser(data, default_settings)


# -- WooCommerce --------------------------------------------------------------------------------


def _parse_woocommerce(
    data: Mapping[str, Any], default_settings: ShopSettings | None
) -> CatalogExport:
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


# -- shared -------------------------------------------------------------------------------------


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


# The one place a platform plugs in; Shopify's export parser joins here.
_PARSERS: dict[str, Callable[[Mapping[str, Any], ShopSettings | None], CatalogExport]] = {
    "woocommerce": _parse_woocommerce,
}
