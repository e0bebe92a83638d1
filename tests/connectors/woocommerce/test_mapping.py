"""WooCommerce REST v3 objects, shaped as a WooCommerce 9.x store sends them, to domain objects."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk.connectors.woocommerce.mapping import (
    BARCODE_META_KEYS,
    MappingError,
    UnsupportedProductType,
    category_from_woo,
    customer_from_woo,
    product_from_woo,
    shop_settings_from_woo,
    tax_rate_from_woo,
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


# -- categories, customers, tax rates -----------------------------------------------------------


def test_category_maps_parent_and_position() -> None:
    c = category_from_woo(fixture("category"))
    assert (c.id, c.name, c.slug, c.parent_id, c.position) == ("14", "T-shirts", "t-shirts", "9", 3)


def test_top_level_category_has_no_parent() -> None:
    obj = fixture("category")
    obj["parent"] = 0
    assert category_from_woo(obj).parent_id is None


def test_bad_category_names_id_and_field() -> None:
    obj = fixture("category")
    obj["parent"] = "root"
    with pytest.raises(MappingError, match=r"category 14: parent 'root'"):
        category_from_woo(obj)


def test_customer_maps_names_contacts_and_date() -> None:
    c = customer_from_woo(fixture("customer"))
    assert (c.id, c.first_name, c.last_name) == ("25", "John", "Doe")
    assert (c.email, c.phone, c.company) == ("john.doe@example.com", "(555) 555-5555", "")
    assert c.modified_at == datetime(2024, 7, 1, 8, 0, 3, tzinfo=UTC)


def test_customer_falls_back_to_billing_then_shipping_details() -> None:
    obj = fixture("customer")
    obj.update(email="", first_name="", last_name="")
    obj["billing"].update(phone="", company="Doe & Co")
    obj["shipping"]["phone"] = "+44 7700 900123"
    c = customer_from_woo(obj)
    assert (c.first_name, c.last_name, c.email) == ("John", "Doe", "john.doe@example.com")
    assert c.phone == "+44 7700 900123"
    assert c.company == "Doe & Co"
    assert c.display_name == "John Doe"


def test_customer_without_addresses_still_maps() -> None:
    c = customer_from_woo({"id": 3, "email": "a@example.com", "billing": None})
    assert (c.email, c.phone) == ("a@example.com", "")


def test_bad_customer_address_names_the_nested_field() -> None:
    obj = fixture("customer")
    obj["billing"]["phone"] = ["555"]
    with pytest.raises(MappingError, match=r"customer 25: billing.phone \['555'\] is not text"):
        customer_from_woo(obj)
    obj["billing"] = "969 Market"
    with pytest.raises(MappingError, match=r"customer 25: billing.expected a JSON object"):
        customer_from_woo(obj)


def test_tax_rate_maps_every_field() -> None:
    t = tax_rate_from_woo(fixture("tax_rate"))
    assert t.id == "72"
    assert t.rate == Decimal("4.0000")
    assert (t.name, t.tax_class, t.priority, t.order) == ("State Tax", "", 0, 1)
    assert (t.compound, t.shipping) == (False, False)
    assert (t.country, t.state) == ("US", "AL")
    assert t.postcodes == ("35041", "35042")
    assert t.cities == ("CARDIFF",)


def test_tax_rate_of_a_named_class_and_deprecated_location_fields() -> None:
    obj = {"id": 3, "rate": "5.0000", "class": "reduced-rate", "country": "gb",
           "postcode": "BS1*; BS2*", "city": "", "compound": True}  # fmt: skip
    t = tax_rate_from_woo(obj)
    assert t.tax_class == "reduced-rate"
    assert t.country == "GB"
    assert t.postcodes == ("BS1*", "BS2*")
    assert t.cities == ()
    assert t.compound
    assert t.shipping  # defaults to true, as in WooCommerce
    assert (t.name, t.priority) == ("Tax", 1)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rate", "twenty", r"tax rate 72: rate 'twenty' is not a percentage"),
        ("rate", "", r"tax rate 72: rate '' is not a percentage"),
        ("rate", 20, r"tax rate 72: rate 20 is not a percentage"),
        ("rate", "-5", r"tax rate 72: rate '-5' is not a percentage"),
        ("compound", "no", r"tax rate 72: compound 'no' is not true or false"),
        ("postcodes", "35041", r"tax rate 72: postcodes is not a list of text"),
        ("priority", "high", r"tax rate 72: priority 'high' is not a whole number"),
    ],
)
def test_bad_tax_rate_fields_name_id_and_field(field: str, value: Any, message: str) -> None:
    obj = fixture("tax_rate")
    obj[field] = value
    with pytest.raises(MappingError, match=message):
        tax_rate_from_woo(obj)


# -- settings -----------------------------------------------------------------------------------


def options_of(*groups: str) -> dict[str, str]:
    """The flat option map a caller builds from /settings/<group> responses."""
    return {s["id"]: s["value"] for g in groups for s in fixture(f"settings_{g}")}


def test_shop_settings_from_general_and_tax_groups() -> None:
    s = shop_settings_from_woo(options_of("general", "tax"), locale="en_US", name="Demo")
    assert s.currency == "USD"
    assert (s.country, s.state, s.postcode, s.city) == ("US", "CA", "95814", "Sacramento")
    assert s.taxes_enabled
    assert not s.prices_include_tax
    assert s.round_at_subtotal
    assert (s.locale, s.name) == ("en_US", "Demo")


def test_shop_settings_of_a_uk_shop_with_prices_including_tax() -> None:
    options = {
        "woocommerce_currency": "GBP",
        "woocommerce_default_country": "GB",
        "woocommerce_prices_include_tax": "yes",
        "woocommerce_calc_taxes": "yes",
    }
    s = shop_settings_from_woo(options, locale="en_GB")
    assert (s.currency, s.country, s.state) == ("GBP", "GB", "")
    assert (s.prices_include_tax, s.taxes_enabled, s.round_at_subtotal) == (True, True, False)


def test_shop_settings_default_like_a_fresh_woocommerce_store() -> None:
    s = shop_settings_from_woo({"woocommerce_currency": "EUR"}, locale="de_DE")
    assert (s.taxes_enabled, s.prices_include_tax, s.round_at_subtotal) == (False, False, False)
    assert (s.country, s.postcode, s.city, s.name) == ("", "", "", "")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, r"settings woocommerce_currency: the shop currency is missing"),
        ({"woocommerce_currency": "XXY"}, r"settings woocommerce_currency: unknown currency"),
        (
            {"woocommerce_currency": "GBP", "woocommerce_prices_include_tax": "maybe"},
            r"settings woocommerce_prices_include_tax: value 'maybe' is not 'yes' or 'no'",
        ),
        (
            {"woocommerce_currency": "GBP", "woocommerce_store_city": 5},
            r"settings woocommerce_store_city: value 5 is not text",
        ),
    ],
)
def test_bad_shop_settings_name_the_option(options: dict[str, Any], message: str) -> None:
    with pytest.raises(MappingError, match=message):
        shop_settings_from_woo(options, locale="en_GB")
