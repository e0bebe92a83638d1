"""WooCommerce REST v3 categories, customers, tax rates and settings, as a 9.x store sends them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk.connectors.woocommerce.fields import MappingError
from kiosk.connectors.woocommerce.shop_mapping import (
    category_from_woo,
    customer_from_woo,
    shop_settings_from_woo,
    tax_rate_from_woo,
)

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


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
    assert s.tax_policy == "woocommerce"  # the device prices its sales as WC_Tax does


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
