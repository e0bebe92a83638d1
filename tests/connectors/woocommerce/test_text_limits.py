"""Store text at the door: names shortened, controls and bidi stripped, unusable items refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.connectors.woocommerce.fields import MappingError
from kiosk.connectors.woocommerce.mapping import product_from_woo, variation_from_woo
from kiosk.connectors.woocommerce.shop_mapping import (
    category_from_woo,
    customer_from_woo,
    tax_rate_from_woo,
)
from kiosk.core.models import Attribute
from kiosk.core.text import ELLIPSIS, LABEL_MAX, NAME_MAX
from kiosk.sim.woocommerce import running_sim

FIXTURES = Path(__file__).parent / "fixtures"
RLO, PDF, LRI, PDI, LRM = "\u202e", "\u202c", "\u2066", "\u2069", "\u200e"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def product(**fields: Any) -> dict[str, Any]:
    obj: dict[str, Any] = fixture("product_simple")
    obj.update(fields)
    return obj


def refusal(obj: dict[str, Any]) -> MappingError:
    with pytest.raises(MappingError) as info:
        product_from_woo(obj, "GBP")
    return info.value


# -- names are shortened, and the product stays sellable ----------------------------------------


def test_a_five_million_character_name_is_shortened_and_the_product_sold() -> None:
    p = product_from_woo(product(name="Mug " * 1_250_000), "GBP")
    assert len(p.name) == NAME_MAX
    assert p.name.startswith("Mug Mug ")
    assert p.name.endswith(ELLIPSIS)
    assert p.sellable
    assert (p.sku, p.barcode) == ("PQ-794", "5012345678900")


def test_a_variation_named_from_a_long_parent_is_shortened_too() -> None:
    parent = product_from_woo(product(type="variable", name="N" * 600), "GBP")
    obj = fixture("variation")
    obj["name"] = ""
    v = variation_from_woo(obj, parent, "GBP")
    assert len(v.name) == NAME_MAX
    assert v.name.endswith(ELLIPSIS)


def test_long_attribute_names_and_options_are_shortened_alike() -> None:
    long = "Blue" * 100
    p = product_from_woo(product(attributes=[{"name": "Colour", "options": [long]}]), "GBP")
    assert p.attributes == (Attribute("Colour", ("Blue" * 49 + "Blu" + ELLIPSIS,)),)
    assert len(p.attributes[0].options[0]) == LABEL_MAX


# -- control and bidi characters are stripped ---------------------------------------------------


def test_bidi_and_control_characters_are_stripped_from_product_text() -> None:
    p = product_from_woo(
        product(
            name=f"{RLO}Mug{PDF}\x00 with\nlid{LRM}",
            sku=f"{LRI}PQ-794{PDI}\u200b",
            global_unique_id="\ufeff5012345678900\x7f",
            tax_class=f"reduced-rate{RLO}",
            attributes=[{"name": f"Mate{RLO}rial", "options": [f"Cot\x1bton{PDF}"]}],
        ),
        "GBP",
    )
    assert p.name == "Mug with lid"
    assert (p.sku, p.barcode, p.tax_class) == ("PQ-794", "5012345678900", "reduced-rate")
    assert p.attributes == (Attribute("Material", ("Cotton",)),)


def test_bidi_and_control_characters_are_stripped_from_a_barcode_in_meta() -> None:
    obj = product(global_unique_id="", meta_data=[{"key": "_ean", "value": f"{RLO}4006381333931"}])
    assert product_from_woo(obj, "GBP").barcode == "4006381333931"


def test_shop_text_is_stripped_too() -> None:
    cat = fixture("category")
    cat["name"] = f"T-{RLO}shirts\t"
    assert category_from_woo(cat).name == "T-shirts"
    person = fixture("customer")
    person.update(first_name=f"{RLO}nhoJ", last_name="Doe\x00\x07", email=f"{LRM}john@example.com")
    c = customer_from_woo(person)
    assert (c.first_name, c.last_name, c.email) == ("nhoJ", "Doe", "john@example.com")
    rate = fixture("tax_rate")
    rate["name"] = f"VAT{PDI}\x85"
    assert tax_rate_from_woo(rate).name == "VAT"


def test_long_customer_names_are_shortened() -> None:
    person = fixture("customer")
    person.update(first_name="J" * 5_000_000)
    assert len(customer_from_woo(person).first_name) == LABEL_MAX


# -- what cannot be kept is refused, with the id and a reason -----------------------------------


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"sku": "S" * 5_000_000}, "sku is 5,000,000 characters long, more than the 100"),
        ({"sku": "S" * 101}, "sku is 101 characters long"),
        ({"sku": f"{RLO}{PDF}\u200b"}, "sku holds only control or invisible characters"),
        ({"global_unique_id": "5" * 101}, "global_unique_id is 101 characters long"),
        ({"tax_class": "t" * 201}, "tax_class is 201 characters long"),
        ({"name": f"{RLO}\x00{LRM}"}, "name holds only control or invisible characters"),
        (
            {"global_unique_id": "", "meta_data": [{"key": "_barcode", "value": "9" * 150}]},
            "meta_data _barcode is 150 characters long",
        ),
    ],
)
def test_an_unusable_identifier_refuses_the_product_naming_id_and_reason(
    fields: dict[str, Any], reason: str
) -> None:
    err = refusal(product(**fields))
    assert (err.kind, err.id) == ("product", "794")
    assert err.reason.startswith(reason)
    assert len(str(err)) < 200  # the refused value is described, not repeated


def test_a_refused_value_is_quoted_by_its_start_only() -> None:
    err = refusal(product(price=["1"] * 1_000_000))
    assert err.reason.startswith("price ['1', '1'")
    assert len(str(err)) < 200
    err = refusal(product(stock_quantity="9" * 5000))
    assert err.reason.startswith("stock_quantity '9999")
    assert len(str(err)) < 200


def test_numbers_too_long_to_be_prices_or_rates_are_refused_at_once() -> None:
    # Rounding five million digits through Decimal and Fraction would take minutes.
    err = refusal(product(price="1" * 5_000_000))
    assert err.reason.endswith("is not a price (5,000,000 characters)")
    rate = fixture("tax_rate")
    rate["rate"] = "2" * 5_000_000
    with pytest.raises(MappingError, match="tax rate 72: rate '222"):
        tax_rate_from_woo(rate)


@pytest.mark.parametrize("bad", ["\u00b2", "1" * 30, "\u0661\u0662", 2**64, "-5"])
def test_an_id_past_what_woocommerce_makes_is_refused_not_crashed_on(bad: object) -> None:
    err = refusal(product(id=bad))
    assert err.id is None
    assert "is not a positive integer id" in err.reason


def test_a_count_sqlite_cannot_hold_is_refused() -> None:
    assert "stock_quantity" in refusal(product(stock_quantity=1e300)).reason
    assert "stock_quantity" in refusal(product(stock_quantity=2**63)).reason


def test_an_image_address_too_long_to_be_one_leaves_the_product_without_it() -> None:
    p = product_from_woo(product(images=[{"src": "https://x/" + "a" * 5000}]), "GBP")
    assert p.image_url == ""
    assert p.sellable


def test_unusable_category_and_customer_text_is_refused() -> None:
    cat = fixture("category")
    cat["name"] = f"{RLO}{PDF}"
    with pytest.raises(MappingError, match="category 14: name holds only control"):
        category_from_woo(cat)
    cat = fixture("category")
    cat["slug"] = "s" * 201
    with pytest.raises(MappingError, match="category 14: slug is 201 characters long"):
        category_from_woo(cat)
    person = fixture("customer")
    person["email"] = "a" * 250 + "@example.com"
    with pytest.raises(MappingError, match="customer 25: email is 262 characters long"):
        customer_from_woo(person)
    person = fixture("customer")
    person["billing"]["phone"] = "5" * 65
    with pytest.raises(MappingError, match=r"customer 25: billing.phone is 65 characters long"):
        customer_from_woo(person)


# -- through a listing: the refused product is in the batch's skipped list ----------------------


async def test_a_listing_skips_the_unusable_product_by_id_and_keeps_the_rest() -> None:
    async with running_sim(products=20, seed=5, variable_share=0.0) as sim:
        simple = [pid for pid, o in sim.state.products.items() if o.get("type") == "simple"]
        bad, huge, hidden = simple[:3]
        sim.state.products[bad]["sku"] = "S" * 5_000
        sim.state.products[huge]["name"] = "Mug " * 1_250_000
        sim.state.products[hidden]["sku"] = f"{LRI}HID-1{PDI}"
        connector = WooConnector.connect(
            sim.url, sim.consumer_key, sim.consumer_secret, locale="en_GB"
        )
        async with connector as c:
            batches = [b async for b in c.products()]
    items = {p.id: p for b in batches for p in b.items}
    skipped = [s for b in batches for s in b.skipped]
    assert [(s.kind, s.id) for s in skipped] == [("product", str(bad))]
    assert skipped[0].reason.startswith("sku is 5,000 characters long")
    assert str(bad) not in items
    assert len(items[str(huge)].name) == NAME_MAX
    assert items[str(hidden)].sku == "HID-1"
    assert len(items) == len(sim.state.products) - 1
