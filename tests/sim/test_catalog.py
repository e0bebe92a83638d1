"""The catalog generator: deterministic, unique valid barcodes and SKUs, loadable, big enough."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from kiosk.catalog_export import parse_export
from kiosk.core.models import ProductKind, StockStatus
from kiosk.sim.catalog import MAX_VARIATIONS, ean13, generate_export, is_valid_ean13


def all_items(data: dict[str, Any]) -> list[dict[str, Any]]:
    return data["products"] + [v for vs in data["variations"].values() for v in vs]


@pytest.fixture(scope="module")
def catalog() -> dict[str, Any]:
    return generate_export(2_000, seed=7)


def test_ean13_check_digits_match_known_codes() -> None:
    assert ean13("400638133393") == "4006381333931"
    assert ean13("978030640615") == "9780306406157"  # ISBN-13 of a real book
    assert is_valid_ean13("5012345678900")
    assert not is_valid_ean13("5012345678901")
    assert not is_valid_ean13("50123456789")
    with pytest.raises(ValueError, match="12 digits"):
        ean13("12345")


def test_the_same_seed_gives_the_identical_catalog() -> None:
    a = generate_export(300, seed=42)
    b = generate_export(300, seed=42)
    assert json.dumps(a) == json.dumps(b)  # key order too
    c = generate_export(300, seed=43)
    assert json.dumps(a) != json.dumps(c)


def test_counts_follow_the_arguments(catalog: dict[str, Any]) -> None:
    products = catalog["products"]
    assert len(products) == 2_000
    variable = [p for p in products if p["type"] == "variable"]
    assert len(variable) == 400  # 20 % exactly
    assert all(len(catalog["variations"][str(p["id"])]) == 10 for p in variable)
    assert len(catalog["customers"]) == 20
    assert 10 <= len(catalog["categories"]) <= 20


def test_barcodes_are_valid_and_unique_and_skus_unique(catalog: dict[str, Any]) -> None:
    items = all_items(catalog)
    codes = [i["global_unique_id"] for i in items if i["global_unique_id"]]
    assert len(codes) == len(items) - 400  # every item but the variable parents has one
    assert all(is_valid_ean13(c) for c in codes)
    assert len(set(codes)) == len(codes)
    skus = [i["sku"] for i in items]
    assert all(skus)
    assert len(set(skus)) == len(skus)
    ids = [i["id"] for i in items]
    assert len(set(ids)) == len(ids)  # products and variations share one id space
    assert any(c.startswith("978") for c in codes)  # books carry ISBN-13s


def test_variations_use_existing_unique_combinations(catalog: dict[str, Any]) -> None:
    for parent in (p for p in catalog["products"] if p["type"] == "variable"):
        options = {a["name"]: set(a["options"]) for a in parent["attributes"]}
        kids = catalog["variations"][str(parent["id"])]
        combos = [tuple((a["name"], a["option"]) for a in v["attributes"]) for v in kids]
        assert len(set(combos)) == len(combos)
        for combo in combos:
            assert all(option in options[name] for name, option in combo)
        used = {name: {o for c in combos for n, o in c if n == name} for name in options}
        assert used == options  # the parent lists no option that no variation has
        assert parent["variations"] == [v["id"] for v in kids]


def test_the_catalog_looks_like_a_real_shop(catalog: dict[str, Any]) -> None:
    products = catalog["products"]
    tax_classes = Counter(p["tax_class"] for p in products)
    assert set(tax_classes) == {"", "reduced-rate", "zero-rate"}
    managed = Counter(p["manage_stock"] for p in products if p["type"] == "simple")
    assert managed[True] > managed[False] > 0
    statuses = Counter(i["stock_status"] for i in all_items(catalog))
    assert 0 < statuses["outofstock"] < statuses["instock"] / 5
    assert any(v["manage_stock"] == "parent" for v in all_items(catalog))
    names = {p["name"] for p in products}
    assert len(names) > len(products) / 2  # word lists combine into varied names
    assert all(" " in n for n in names)
    rates = {(t["class"], t["rate"]) for t in catalog["tax_rates"]}
    assert rates == {("standard", "20.0000"), ("reduced-rate", "5.0000"), ("zero-rate", "0.0000")}
    assert catalog["settings"]["woocommerce_prices_include_tax"] == "yes"
    assert all(p["date_modified_gmt"] >= "2024-01-01T00:00:00" for p in products)


def test_the_generated_catalog_loads_with_nothing_skipped(catalog: dict[str, Any]) -> None:
    result = parse_export(catalog)
    assert result.skipped == ()
    kinds = Counter(p.kind for p in result.products)
    assert kinds == {
        ProductKind.SIMPLE: 1_600,
        ProductKind.VARIABLE: 400,
        ProductKind.VARIATION: 4_000,
    }
    assert result.settings.prices_include_tax
    assert result.settings.currency == "GBP"
    assert len(result.customers) == 20
    assert any(p.stock_status is StockStatus.OUT_OF_STOCK for p in result.products)
    assert all(p.modified_at is not None for p in result.products)
    assert all(p.price is not None for p in result.products if p.kind is not ProductKind.VARIABLE)


def test_other_currencies_price_in_their_own_minor_units() -> None:
    data = generate_export(50, seed=1, currency="JPY", customers=0)
    assert data["settings"]["woocommerce_price_num_decimals"] == "0"
    assert all(i["price"].isdigit() for i in all_items(data))  # yen have no decimals
    result = parse_export(data)
    assert result.skipped == ()
    assert result.settings.currency == "JPY"
    by_id = {str(i["id"]): i["price"] for i in all_items(data)}
    assert all(p.price is not None for p in result.products)
    assert all(str(p.price.minor) == by_id[p.id] for p in result.products if p.price)


@pytest.mark.parametrize("per", [1, 6, 7, MAX_VARIATIONS])
def test_any_variation_count_up_to_the_grid_works(per: int) -> None:
    data = generate_export(20, variable_share=1.0, variations_per=per, seed=3, customers=0)
    assert all(len(v) == per for v in data["variations"].values())
    assert len(data["variations"]) == 20
    assert parse_export(data).skipped == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"products": -1}, "must not be negative"),
        ({"products": 1, "variable_share": 1.5}, "variable_share"),
        ({"products": 1, "variations_per": 0}, "variations_per"),
        ({"products": 1, "variations_per": MAX_VARIATIONS + 1}, "variations_per"),
        ({"products": 1, "currency": "XXY"}, "unknown currency"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_export(**kwargs)


def test_an_empty_catalog_is_still_an_export() -> None:
    data = generate_export(0, customers=0)
    assert (data["products"], data["variations"], data["customers"]) == ([], {}, [])
    assert parse_export(data).products == ()


def test_one_hundred_thousand_products_generate() -> None:
    # The benchmark's size; no timing assertion here, the benchmark measures it.
    data = generate_export(100_000, seed=1)
    assert len(data["products"]) == 100_000
    assert sum(len(v) for v in data["variations"].values()) == 200_000
    codes = {i["global_unique_id"] for i in all_items(data)} - {""}
    assert len(codes) == 280_000
