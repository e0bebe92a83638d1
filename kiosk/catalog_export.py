"""The catalog export file: a store's catalog in the store's own JSON, in one file.

`kiosk catalog import FILE` reads it, the demo ships one and the store simulators serve one:

    {"format": "kiosk.catalog/1", "platform": "woocommerce",
     "shop": {"name": "...", "locale": "en_GB"},
     "settings": {"woocommerce_currency": "GBP", ...},   # option id -> value, /settings/general+tax
     "categories": [...], "products": [...],             # /products/categories, /products
     "variations": {"<parent id>": [...]},               # /products/<id>/variations
     "tax_rates": [...], "customers": [...]}             # /taxes, /customers

A bare JSON array of WooCommerce products is accepted too; the shop settings then come from the
caller. Items the device cannot use are skipped and listed; the rest still load. This module
checks the envelope and picks the platform's parser (kiosk.connectors.woocommerce.export reads
the sections above).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.connectors.base import CatalogExport, ExportError
from kiosk.connectors.woocommerce import export as woocommerce_export
from kiosk.core.models import ShopSettings

__all__ = ["FORMAT", "CatalogExport", "ExportError", "load_export", "parse_export", "paused_gc"]

FORMAT = "kiosk.catalog/1"


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


# The one place a platform plugs in; Shopify's export parser joins here.
_PARSERS: dict[str, Callable[[Mapping[str, Any], ShopSettings | None], CatalogExport]] = {
    "woocommerce": woocommerce_export.parse_export,
}
