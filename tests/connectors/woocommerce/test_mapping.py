"""WooCommerce REST v3 products and variations, shaped as a WooCommerce 9.x store sends them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.connectors.woocommerce.fields import MappingError
from kiosk.connectors.woocommerce.mapping import (
    BARCODE_META_KEYS,
    UnsupportedProductType,
    product_from_woo,
    variation_from_woo,
)
from kiosk.core.models import Attribute, ProductKind, StockStatus, TaxStatus
from kiosk.core.money import Money

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def gbp(text: str) -> Money:
    return Money.parse(text, "GBP")


# -- products -----------------------------------------------------------------------------------


def test_simple_product_maps_every_field() -> None:
    p = product_from_woo(fixture("product_simple"), "GBP")
    assert p.id == "794"
    assert p.kind is ProductKind.SIMPLE
    assert p.name == "Premium Quality"
    assert p.price == gbp("21.99")  # the sale price in force
    assert p.regular_price == gbp("24.99")
    assert p.sku == "PQ-794"
    assert p.barcode == "5012345678900"
    assert p.parent_id is None
    assert p.tax_status is TaxStatus.TAXABLE
    assert p.tax_class == "reduced-rate"
    assert (p.manage_stock, p.stock_quantity, p.stock_status) == (True, 12, StockStatus.IN_STOCK)
    assert p.status == "publish"
    assert p.attributes == (Attribute("Material", ("Cotton",)),)
    assert p.category_ids == ("9", "14")
    assert p.image_url == "https://example.com/wp-content/uploads/2024/05/T_2_front-4.jpg"
    assert p.modified_at == datetime(2024, 6, 12, 13, 5, 7, tzinfo=UTC)
    assert p.sellable


def test_variable_product_keeps_only_the_attributes_its_variations_use() -> None:
    p = product_from_woo(fixture("product_variable"), "GBP")
    assert p.kind is ProductKind.VARIABLE
    assert not p.sellable  # only its variations are sold
    assert p.attributes == (
        Attribute("Color", ("Black", "Green")),
        Attribute("Size", ("S", "M")),
    )
    assert p.manage_stock
    assert p.stock_quantity == 40


@pytest.mark.parametrize("price", ["", None])
def test_a_product_without_a_price_maps_but_cannot_be_sold(price: str | None) -> None:
    obj = fixture("product_simple")
    obj["price"] = price
    obj["regular_price"] = ""
    p = product_from_woo(obj, "GBP")
    assert p.price is None
    assert p.regular_price is None
    assert not p.sellable


def test_missing_optional_fields_take_woocommerce_defaults() -> None:
    p = product_from_woo({"id": 5, "name": "Bare", "price": "1"}, "GBP")
    assert p.kind is ProductKind.SIMPLE
    assert p.price == gbp("1.00")
    assert (p.sku, p.barcode, p.tax_class, p.image_url) == ("", "", "", "")
    assert p.tax_status is TaxStatus.TAXABLE
    assert (p.manage_stock, p.stock_quantity, p.stock_status) == (False, None, StockStatus.IN_STOCK)
    assert p.modified_at is None


def test_prices_follow_the_currency_exponent() -> None:
    obj = {"id": 5, "name": "Tea set", "price": "1250", "regular_price": "1250"}
    assert product_from_woo(obj, "JPY").price == Money(1250, "JPY")


def test_prices_with_more_decimals_than_the_currency_round_half_up() -> None:
    # Shops entering ex-tax prices keep 4 decimals so that the price with tax is round.
    p = product_from_woo({"id": 5, "price": "8.3350", "regular_price": "8.3333"}, "GBP")
    assert p.price == gbp("8.34")
    assert p.regular_price == gbp("8.33")


def test_standard_tax_class_slug_means_the_default_class() -> None:
    obj = fixture("product_simple")
    obj["tax_class"] = "standard"
    assert product_from_woo(obj, "GBP").tax_class == ""


def test_without_stock_management_no_quantity_is_kept() -> None:
    obj = fixture("product_simple")
    obj.update(manage_stock=False, stock_quantity=None, stock_status="outofstock")
    p = product_from_woo(obj, "GBP")
    assert (p.manage_stock, p.stock_quantity) == (False, None)
    assert p.stock_status is StockStatus.OUT_OF_STOCK


def test_stock_quantity_as_a_whole_float_is_accepted() -> None:
    obj = fixture("product_simple")
    obj["stock_quantity"] = 5.0
    assert product_from_woo(obj, "GBP").stock_quantity == 5


@pytest.mark.parametrize("key", BARCODE_META_KEYS)
def test_barcode_falls_back_to_meta_data(key: str) -> None:
    obj = fixture("product_simple")
    obj["global_unique_id"] = ""
    obj["meta_data"] = [
        {"id": 1, "key": "_wp_old_slug", "value": "old"},
        {"id": 2, "key": key, "value": " 4006381333931 "},
    ]
    assert product_from_woo(obj, "GBP").barcode == "4006381333931"


def test_barcode_meta_keys_are_tried_in_order_and_global_unique_id_wins() -> None:
    obj = fixture("product_simple")
    obj["global_unique_id"] = ""
    obj["meta_data"] = [
        {"id": 1, "key": "gtin", "value": "111"},
        {"id": 2, "key": "_barcode", "value": "222"},
        {"id": 3, "key": "_ean", "value": {"not": "a code"}},
    ]
    assert product_from_woo(obj, "GBP").barcode == "222"
    obj["global_unique_id"] = "333"
    assert product_from_woo(obj, "GBP").barcode == "333"


@pytest.mark.parametrize("type_", ["grouped", "external"])
def test_grouped_and_external_products_are_refused_as_unsupported(type_: str) -> None:
    obj = fixture("product_simple")
    obj["type"] = type_
    with pytest.raises(UnsupportedProductType, match=f"product 794: type '{type_}'"):
        product_from_woo(obj, "GBP")
    assert issubclass(UnsupportedProductType, MappingError)


# Each bad field: the error names the object's id and the field, so a skipped item can be found.
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id", None, r"product \(no id\): id is missing"),
        ("id", 0, r"product \(no id\): id 0 is not a positive integer id"),
        ("id", "abc", r"product \(no id\): id 'abc'"),
        ("price", "12,x", r"product 794: price '12,x' is not a price"),
        ("price", "abc", r"product 794: price 'abc' is not a price"),
        ("price", 12.5, r"product 794: price 12.5 is not a price"),
        ("regular_price", "-1.00", r"product 794: regular_price '-1.00' is negative"),
        ("type", "bundle", r"product 794: type 'bundle' is not one of"),
        ("type", ["simple"], r"product 794: type \['simple'\] is not text"),
        ("stock_quantity", 2.5, r"product 794: stock_quantity 2.5 is not a whole number"),
        ("stock_status", "lost", r"product 794: stock_status 'lost' is not one of"),
        ("tax_status", "sometimes", r"product 794: tax_status 'sometimes'"),
        ("manage_stock", "yes", r"product 794: manage_stock 'yes'"),
        ("date_modified_gmt", "yesterday", r"product 794: date_modified_gmt 'yesterday'"),
        ("categories", [{"name": "x"}], r"product 794: categories\[0\].id is missing"),
        ("categories", "Clothing", r"product 794: categories is not a list of objects"),
        ("images", [{"src": 5}], r"product 794: image src 5 is not text"),
        ("attributes", [{"name": "Size"}], r"product 794: attributes\[0\] \(Size\) options"),
        ("attributes", [{"options": ["S"]}], r"product 794: attributes\[0\] has no name"),
        ("sku", ["A"], r"product 794: sku \['A'\] is not text"),
    ],
)
def test_bad_product_fields_raise_mapping_error_naming_id_and_field(
    field: str, value: Any, message: str
) -> None:
    obj = fixture("product_simple")
    obj[field] = value
    with pytest.raises(MappingError, match=message) as info:
        product_from_woo(obj, "GBP")
    assert isinstance(info.value, ValueError)
    assert info.value.kind == "product"


def test_a_product_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(MappingError, match=r"product \(no id\): expected a JSON object, got list"):
        product_from_woo([], "GBP")  # type: ignore[arg-type]


def test_mapping_error_carries_its_parts() -> None:
    err = MappingError("product", "7", "price 'x' is not a price")
    assert (err.kind, err.id, err.reason) == ("product", "7", "price 'x' is not a price")
    assert str(err) == "product 7: price 'x' is not a price"


# -- variations ---------------------------------------------------------------------------------


@pytest.fixture
def parent() -> Any:
    return product_from_woo(fixture("product_variable"), "GBP")


def test_variation_maps_and_inherits_from_its_parent(parent: Any) -> None:
    v = variation_from_woo(fixture("variation"), parent, "GBP")
    assert v.id == "800"
    assert v.kind is ProductKind.VARIATION
    assert v.parent_id == "799"
    assert v.name == "Ship Your Idea - Black, S"  # no name of its own: parent and options
    assert v.attributes == (Attribute("Color", ("Black",)), Attribute("Size", ("S",)))
    assert v.category_ids == ("9",)  # variations have no categories of their own
    assert (v.price, v.regular_price) == (gbp("18.00"), gbp("20.00"))
    assert v.sku == "SYI-BLK-S"
    assert v.barcode == "5012345678917"  # from meta_data
    assert (v.manage_stock, v.stock_quantity) == (True, 7)
    assert v.image_url.endswith("T_4_front-black.jpg")
    assert v.modified_at == datetime(2024, 6, 3, 15, 20, 11, tzinfo=UTC)
    assert v.sellable


def test_variation_uses_its_own_name_when_the_store_sends_one(parent: Any) -> None:
    obj = fixture("variation")
    obj["name"] = "Ship Your Idea - Black, Small"
    assert variation_from_woo(obj, parent, "GBP").name == "Ship Your Idea - Black, Small"


def test_variation_with_stock_managed_by_its_parent_manages_none_itself(parent: Any) -> None:
    obj = fixture("variation")
    obj.update(manage_stock="parent", stock_quantity=40)
    v = variation_from_woo(obj, parent, "GBP")
    assert (v.manage_stock, v.stock_quantity) == (False, None)


def test_variation_takes_parent_image_and_tax_class_when_it_has_none(parent: Any) -> None:
    obj = fixture("variation")
    obj.update(image=None, tax_class="parent")
    p = product_from_woo({**fixture("product_variable"), "tax_class": "zero-rate"}, "GBP")
    v = variation_from_woo(obj, p, "GBP")
    assert v.image_url == parent.image_url != ""
    assert v.tax_class == "zero-rate"


def test_variation_any_value_attribute_is_left_out_of_the_name(parent: Any) -> None:
    obj = fixture("variation")
    obj["attributes"] = [
        {"id": 6, "name": "Color", "option": "Black"},
        {"name": "Size", "option": ""},
    ]
    v = variation_from_woo(obj, parent, "GBP")
    assert v.attributes == (Attribute("Color", ("Black",)),)
    assert v.name == "Ship Your Idea - Black"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id", None, r"variation \(no id\): id is missing"),
        ("price", "free", r"variation 800: price 'free' is not a price"),
        (
            "attributes",
            [{"name": "Color", "option": 3}],
            r"variation 800: attributes\[0\] \(Color\) option 3",
        ),
        ("attributes", [{"option": "Black"}], r"variation 800: attributes\[0\] has no name"),
        ("attributes", {"Color": "Black"}, r"variation 800: attributes is not a list of objects"),
        ("image", "black.jpg", r"variation 800: image is not an object"),
        ("manage_stock", "sometimes", r"variation 800: manage_stock 'sometimes'"),
    ],
)
def test_bad_variation_fields_raise_mapping_error_naming_id_and_field(
    parent: Any, field: str, value: Any, message: str
) -> None:
    obj = fixture("variation")
    obj[field] = value
    with pytest.raises(MappingError, match=message):
        variation_from_woo(obj, parent, "GBP")
