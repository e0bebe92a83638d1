"""The catalog export file: parsing, skipping bad items, and clear errors for bad files."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from kiosk.catalog_export import (
    FORMAT,
    CatalogExport,
    ExportError,
    load_export,
    parse_export,
)
from kiosk.connectors.base import Skipped
from kiosk.core.models import ProductKind, ShopSettings
from kiosk.core.money import Money

SETTINGS = {
    "woocommerce_currency": "GBP",
    "woocommerce_prices_include_tax": "yes",
    "woocommerce_calc_taxes": "yes",
    "woocommerce_default_country": "GB",
}


def simple(pid: int, price: str = "2.50", **extra: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "name": f"Item {pid}",
        "type": "simple",
        "status": "publish",
        "price": price,
        "regular_price": price,
        "sku": f"SKU-{pid}",
        "categories": [{"id": 9, "name": "Cards", "slug": "cards"}],
        **extra,
    }


def variable(pid: int) -> dict[str, Any]:
    return {
        "id": pid,
        "name": "Tee",
        "type": "variable",
        "price": "20.00",
        "categories": [{"id": 9, "name": "Cards", "slug": "cards"}],
        "attributes": [{"id": 1, "name": "Size", "variation": True, "options": ["S", "M"]}],
    }


def variation(vid: int, size: str, price: str = "20.00") -> dict[str, Any]:
    return {
        "id": vid,
        "price": price,
        "regular_price": price,
        "sku": f"TEE-{size}",
        "attributes": [{"id": 1, "name": "Size", "option": size}],
    }


def export(**sections: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": FORMAT,
        "platform": "woocommerce",
        "shop": {"name": "Corner Shop", "locale": "en_GB"},
        "settings": dict(SETTINGS),
        "categories": [{"id": 9, "name": "Cards", "slug": "cards", "parent": 0}],
        "products": [simple(1), variable(2), simple(5)],
        "variations": {"2": [variation(3, "S"), variation(4, "M", "21.00")]},
        "tax_rates": [
            {"id": 1, "country": "GB", "rate": "20.0000", "name": "VAT", "class": "standard"}
        ],
        "customers": [{"id": 7, "email": "a@example.com", "first_name": "Ann"}],
    }
    data.update(sections)
    return data


def test_a_full_export_parses_every_section() -> None:
    result = parse_export(export())
    assert isinstance(result, CatalogExport)
    s = result.settings
    assert (s.currency, s.prices_include_tax, s.taxes_enabled, s.country) == (
        "GBP",
        True,
        True,
        "GB",
    )
    assert (s.name, s.locale) == ("Corner Shop", "en_GB")
    assert [c.id for c in result.categories] == ["9"]
    assert [t.tax_class for t in result.tax_rates] == [""]
    assert [c.first_name for c in result.customers] == ["Ann"]
    assert result.skipped == ()


def test_variations_follow_their_parent_in_product_order() -> None:
    products = parse_export(export()).products
    assert [(p.id, p.kind) for p in products] == [
        ("1", ProductKind.SIMPLE),
        ("2", ProductKind.VARIABLE),
        ("3", ProductKind.VARIATION),
        ("4", ProductKind.VARIATION),
        ("5", ProductKind.SIMPLE),
    ]
    m = products[3]
    assert (m.parent_id, m.name, m.price) == ("2", "Tee - M", Money(2100, "GBP"))
    assert m.category_ids == ("9",)


def test_bad_items_are_skipped_and_the_good_ones_kept() -> None:
    data = export(
        products=[
            simple(1),
            simple(6, price="one pound"),
            "not an object",
            simple(8, type="grouped"),
            variable(2),
            simple(1),  # the same id again
            simple(5),
        ],
        variations={"2": [variation(3, "S"), {"id": 4, "price": "x"}], "99": [variation(98, "L")]},
        categories=[{"id": 9, "name": "Cards"}, {"name": "No id"}],
        tax_rates=[{"id": 1, "rate": "20.0000"}, {"id": 2, "rate": "lots"}],
        customers=[{"id": 7}, {"id": -1}],
    )
    result = parse_export(data)
    assert [p.id for p in result.products] == ["1", "2", "3", "5"]
    assert [c.id for c in result.categories] == ["9"]
    assert [t.id for t in result.tax_rates] == ["1"]
    assert [c.id for c in result.customers] == ["7"]
    skipped = {(s.kind, s.id): s.reason for s in result.skipped}
    assert skipped[("product", "6")].startswith("price 'one pound' is not a price")
    assert skipped[("product", None)] == "expected a JSON object, got str"
    assert "not sold at the counter" in skipped[("product", "8")]
    assert skipped[("product", "1")] == "the same id appears twice"
    assert skipped[("variation", "4")].startswith("price 'x'")
    assert "parent product 99 is not a variable product" in skipped[("variation", "98")]
    assert skipped[("category", None)] == "id is missing"
    assert skipped[("tax rate", "2")].startswith("rate 'lots'")
    assert ("customer", None) in skipped
    assert len(result.skipped) == 9
    assert all(isinstance(s, Skipped) for s in result.skipped)


def test_variations_of_a_skipped_parent_say_so() -> None:
    bad_parent = {**variable(2), "price": "??"}
    result = parse_export(export(products=[bad_parent]))
    reasons = {s.id: s.reason for s in result.skipped if s.kind == "variation"}
    assert reasons == {
        "3": "its parent product 2 was skipped",
        "4": "its parent product 2 was skipped",
    }
    assert result.products == ()


def test_a_bare_list_of_products_uses_the_callers_settings() -> None:
    settings = ShopSettings(currency="EUR", locale="de_DE")
    result = parse_export([simple(1, "3,50"), simple(2)], default_settings=settings)
    assert result.settings is settings
    assert [p.price for p in result.products] == [Money(350, "EUR"), Money(250, "EUR")]


def test_a_bare_list_without_settings_is_refused_naming_what_is_missing() -> None:
    with pytest.raises(ExportError, match=r"no shop settings \(currency, tax\)"):
        parse_export([simple(1)])


def test_an_export_without_settings_falls_back_to_the_callers() -> None:
    data = export()
    del data["settings"]
    with pytest.raises(ExportError, match="no 'settings'"):
        parse_export(data)
    settings = ShopSettings(currency="GBP")
    assert parse_export(data, default_settings=settings).settings is settings


def test_the_exports_own_settings_win_over_the_callers() -> None:
    result = parse_export(export(), default_settings=ShopSettings(currency="EUR"))
    assert result.settings.currency == "GBP"


def test_the_locale_defaults_when_the_shop_section_is_missing() -> None:
    data = export()
    del data["shop"]
    assert parse_export(data).settings.locale == "en_US"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "kiosk.catalog/2"}, r"format 'kiosk.catalog/2' is not supported"),
        ({"format": None}, r"the 'format' field is missing"),
        (
            {"platform": "shopify"},
            r"platform 'shopify' is not supported \(expected one of woocommerce\)",
        ),
        ({"platform": None}, r"platform None is not supported"),
        (
            {"settings": {"woocommerce_currency": ""}},
            r"shop settings are unusable: .*currency is missing",
        ),
        ({"settings": ["GBP"]}, r"'settings' must be an object"),
        ({"products": {"1": {}}}, r"'products' must be a list, got dict"),
        ({"variations": [[]]}, r"'variations' must be an object"),
        ({"variations": {"2": {"id": 3}}}, r"'variations' of product 2 must be a list"),
        ({"shop": "Corner Shop"}, r"'shop' must be an object"),
    ],
)
def test_unusable_exports_are_refused_with_a_reason(change: dict[str, Any], message: str) -> None:
    data = export()
    data.update(change)
    with pytest.raises(ExportError, match=message):
        parse_export(data)


def test_something_that_is_neither_an_object_nor_a_list_is_refused() -> None:
    with pytest.raises(ExportError, match="got str"):
        parse_export("products")


def test_parse_does_not_change_its_input() -> None:
    data = export()
    before = copy.deepcopy(data)
    parse_export(data)
    assert data == before


# -- files --------------------------------------------------------------------------------------


def test_load_export_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(export()), encoding="utf-8")
    assert len(load_export(path).products) == 5


def test_load_export_of_a_missing_file_names_it(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(ExportError, match=r"catalog file .*nope.json does not exist"):
        load_export(path)


def test_load_export_of_a_directory_says_so(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is a directory"):
        load_export(tmp_path)


def test_load_export_of_broken_json_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "kiosk.catalog/1",\n  "products": [,]\n}\n', encoding="utf-8")
    with pytest.raises(ExportError, match=r"broken.json is not valid JSON: .* line 3 column 16"):
        load_export(path)


def test_load_export_of_non_utf8_text_says_so(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"name": "Café"}'.encode("latin-1"))
    with pytest.raises(ExportError, match="is not UTF-8 text"):
        load_export(path)


def test_load_export_names_the_file_in_format_errors(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "something/9"}), encoding="utf-8")
    with pytest.raises(ExportError, match=r"other.json: format 'something/9' is not supported"):
        load_export(path)


def test_load_export_passes_default_settings_for_a_bare_list(tmp_path: Path) -> None:
    path = tmp_path / "products.json"
    path.write_text(json.dumps([simple(1)]), encoding="utf-8")
    result = load_export(path, default_settings=ShopSettings(currency="GBP"))
    assert [p.id for p in result.products] == ["1"]
