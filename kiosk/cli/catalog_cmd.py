"""`kiosk catalog import`: load a catalog file in the store's own JSON format."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from kiosk.catalog_export import CatalogExport, load_export
from kiosk.cli.output import emit
from kiosk.runtime import Runtime, fallback_settings
from kiosk.store import catalog

log = logging.getLogger(__name__)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("catalog", help="manage the local catalog")
    csub = p.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    imp = csub.add_parser(
        "import",
        help="load products from a JSON file in the store's own format",
        description="Load a catalog export, or a bare list of WooCommerce products.",
    )
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--json", action="store_true", help="print one JSON object")
    imp.set_defaults(handler=run_import)


async def store_export(rt: Runtime, export: CatalogExport) -> None:
    """Write everything an export holds into the local store."""
    await catalog.save_shop_settings(rt.db, export.settings)
    await catalog.upsert_categories(rt.db, export.categories)
    await catalog.replace_tax_rates(rt.db, export.tax_rates)
    await catalog.upsert_products(rt.db, export.products)
    await catalog.upsert_customers(rt.db, export.customers)


async def run_import(args: argparse.Namespace, rt: Runtime) -> int:
    export = load_export(args.file, default_settings=fallback_settings(rt.config))
    for s in export.skipped:
        log.warning("skipped %s %s: %s", s.kind, s.id, s.reason)
    await store_export(rt, export)
    counts = await catalog.counts(rt.db)
    variations = sum(1 for p in export.products if p.parent_id is not None)
    lines = [
        f"Imported {len(export.products) - variations} products, {variations} variations, "
        f"{len(export.categories)} categories, {len(export.customers)} customers, "
        f"{len(export.tax_rates)} tax rates from {args.file}.",
        f"The device now holds {counts.products} products and {counts.variations} variations.",
    ]
    if export.skipped:
        lines.append(f"Skipped {len(export.skipped)} item(s) the device cannot use:")
        lines += [f"  {s.kind} {s.id}: {s.reason}" for s in export.skipped]
    emit(
        args.json,
        {
            "imported": {
                "products": len(export.products) - variations,
                "variations": variations,
                "categories": len(export.categories),
                "customers": len(export.customers),
                "tax_rates": len(export.tax_rates),
            },
            "skipped": [{"kind": s.kind, "id": s.id, "reason": s.reason} for s in export.skipped],
        },
        "\n".join(lines),
    )
    return 0
