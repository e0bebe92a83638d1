"""The shipped demo catalog: a small UK gift shop and cafe that loads with nothing skipped."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from kiosk.catalog_export import CatalogExport, load_export
from kiosk.core.models import ProductKind, StockStatus, TaxStatus
from kiosk.sim.catalog import is_valid_ean13

DEMO = Path(str(resources.files("kiosk.sim") / "data" / "demo_catalog.json"))


@pytest.fixture(scope="module")
def demo() -> CatalogExport:
    return load_export(DEMO)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO.read_text(encoding="utf-8"))
    return data


def test_the_demo_loads_with_nothing_skipped(demo: CatalogExport) -> None:
    assert demo.skipped == ()
    kinds = Counter(p.kind for p in demo.products)
    assert kinds == {ProductKind.SIMPLE: 33, ProductKind.VARIABLE: 2, ProductKind.VARIATION: 14}
    assert len(demo.categories) == 12
    assert len(demo.customers) == 5
    assert len(demo.tax_rates) == 3


def test_the_demo_shop_is_a_uk_shop_with_vat_included(demo: CatalogExport) -> None:
    s = demo.settings
    assert (s.currency, s.country, s.locale) == ("GBP", "GB", "en_GB")
    assert s.prices_include_tax
    assert s.taxes_enabled
    rates = {t.tax_class: t.rate for t in demo.tax_rates}
    assert rates == {"": Decimal(20), "reduced-rate": Decimal(5), "zero-rate": Decimal(0)}


def test_every_barcode_is_a_valid_unique_ean13_and_skus_are_unique(demo: CatalogExport) -> None:
    codes = [p.barcode for p in demo.products if p.barcode]
    assert len(codes) > 30
    assert all(is_valid_ean13(c) for c in codes)
    assert len(set(codes)) == len(codes)
    skus = [p.sku for p in demo.products]
    assert all(skus)
    assert len(set(skus)) == len(skus)
    books = [p for p in demo.products if p.barcode.startswith("978")]
    assert len(books) >= 4  # ISBN-13s


def test_the_demo_covers_the_cases_a_counter_meets(demo: CatalogExport) -> None:
    by_name = {p.name: p for p in demo.products}
    tee = [p for p in demo.products if p.name.startswith("Harbourside T-Shirt - ")]
    assert {a.name for p in tee for a in p.attributes} == {"Size", "Colour"}
    hoodie = [p for p in demo.products if p.name.startswith("Harbourside Hoodie - ")]
    assert [p.attributes[0].options[0] for p in hoodie] == ["S", "M", "L", "XL"]
    assert all(not p.manage_stock for p in hoodie)  # its stock is counted on the parent
    classes = Counter(p.tax_class for p in demo.products if p.sellable)
    assert classes["reduced-rate"] >= 1
    assert classes["zero-rate"] >= 5
    assert any(p.tax_status is TaxStatus.NONE for p in demo.products)
    sold_out = [p for p in demo.products if p.stock_status is StockStatus.OUT_OF_STOCK]
    assert len(sold_out) >= 3
    assert any(p.sellable and not p.manage_stock for p in demo.products)
    assert by_name["Beeswax Pillar Candle"].barcode  # found in meta_data
    assert not by_name["Pumpkin Spice Blend 250g"].sellable  # a draft
    assert (
        by_name["Cold Brew Coffee Bags (10)"].price
        != by_name["Cold Brew Coffee Bags (10)"].regular_price
    )


def test_the_demo_objects_are_woocommerce_shaped(raw: dict[str, Any]) -> None:
    fields = {"id", "type", "status", "sku", "price", "regular_price", "sale_price",
              "global_unique_id", "manage_stock", "stock_quantity", "stock_status",
              "tax_status", "tax_class", "categories", "attributes", "images",
              "date_modified_gmt", "meta_data"}  # fmt: skip
    assert all(fields <= set(p) for p in raw["products"])
    for kids in raw["variations"].values():
        assert all({"id", "price", "attributes", "manage_stock", "image"} <= set(v) for v in kids)
    assert all(isinstance(p["price"], str) for p in raw["products"])
