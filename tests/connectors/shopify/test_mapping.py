"""Shopify objects as the device's products, stock, categories, customers and settings."""

from __future__ import annotations

import pytest

from kiosk.connectors.shopify.mapping import (
    MappingError,
    category_from_shopify,
    customer_from_shopify,
    products_from_shopify,
    sellable,
    shop_settings_from_shopify,
)
from kiosk.core.models import ProductKind, StockStatus, TaxStatus
from kiosk.core.money import Money


def _variant(n: int, **over: object) -> dict[str, object]:
    return {
        "id": f"gid://shopify/ProductVariant/{n}",
        "title": "Default Title",
        "sku": f"SKU-{n}",
        "barcode": "5012345678900",
        "price": "12.50",
        "compareAtPrice": None,
        "taxable": True,
        "inventoryPolicy": "DENY",
        "selectedOptions": [{"name": "Title", "value": "Default Title"}],
        "inventoryItem": {
            "tracked": True,
            "inventoryLevel": {"quantities": [{"name": "available", "quantity": 4}]},
        },
        **over,
    }


def _product(*variants: dict[str, object], **over: object) -> dict[str, object]:
    return {
        "id": "gid://shopify/Product/7",
        "title": "Mug",
        "status": "ACTIVE",
        "updatedAt": "2026-01-02T03:04:05Z",
        "hasOnlyDefaultVariant": len(variants) == 1,
        "options": [{"name": "Size", "values": ["S", "L"]}],
        "collections": {"nodes": [{"id": "gid://shopify/Collection/3"}]},
        "variants": {"nodes": list(variants)},
        **over,
    }


def test_a_default_variant_product_is_one_simple_product() -> None:
    (mug,) = products_from_shopify(_product(_variant(1, compareAtPrice="15.00")), "GBP")
    assert mug.kind is ProductKind.SIMPLE
    assert mug.id == "gid://shopify/Product/7"
    assert (mug.price, mug.regular_price) == (Money(1250, "GBP"), Money(1500, "GBP"))
    assert (mug.sku, mug.barcode) == ("SKU-1", "5012345678900")
    assert (mug.manage_stock, mug.stock_quantity, mug.stock_status) == (
        True,
        4,
        StockStatus.IN_STOCK,
    )
    assert mug.category_ids == ("gid://shopify/Collection/3",)
    assert mug.modified_at is not None
    assert mug.modified_at.year == 2026


def test_variants_follow_their_variable_parent() -> None:
    small = _variant(1, title="S", selectedOptions=[{"name": "Size", "value": "S"}])
    large = _variant(
        2,
        title="L",
        price="14.00",
        taxable=False,
        inventoryPolicy="CONTINUE",
        selectedOptions=[{"name": "Size", "value": "L"}],
        inventoryItem={"tracked": True, "inventoryLevel": None},
    )
    parent, s, big = products_from_shopify(_product(small, large), "GBP")
    assert parent.kind is ProductKind.VARIABLE
    assert parent.price == Money(1250, "GBP")  # the cheapest
    assert [a.name for a in parent.attributes] == ["Size"]
    assert (s.parent_id, s.name, s.attributes[0].options) == (parent.id, "Mug - S", ("S",))
    assert big.tax_status is TaxStatus.NONE
    # Tracked but not stocked at this location, sold on backorder.
    assert (big.stock_quantity, big.stock_status) == (0, StockStatus.ON_BACKORDER)


def test_untracked_stock_has_no_count() -> None:
    (mug,) = products_from_shopify(_product(_variant(1, inventoryItem={"tracked": False})), "GBP")
    assert (mug.manage_stock, mug.stock_quantity, mug.stock_status) == (
        False,
        None,
        StockStatus.IN_STOCK,
    )


def test_statuses_and_unusable_products() -> None:
    assert sellable({"status": "ACTIVE"})
    assert sellable({"status": "UNLISTED"})
    assert not sellable({"status": "DRAFT"})
    assert not sellable({"status": "ARCHIVED"})
    with pytest.raises(MappingError, match="has no variants"):
        products_from_shopify(_product(), "GBP")
    with pytest.raises(MappingError, match="price"):
        products_from_shopify(_product(_variant(1, price="12.505")), "GBP")
    with pytest.raises(MappingError, match="not a Shopify GID"):
        products_from_shopify(_product(_variant(1), id="7"), "GBP")


def test_collections_customers_and_the_shop() -> None:
    cat = category_from_shopify(
        {"id": "gid://shopify/Collection/3", "title": "Mugs", "handle": "mugs"}, 2
    )
    assert (cat.name, cat.slug, cat.position, cat.parent_id) == ("Mugs", "mugs", 2, None)
    person = customer_from_shopify(
        {
            "id": "gid://shopify/Customer/9",
            "firstName": "Ada",
            "lastName": None,
            "defaultEmailAddress": {"emailAddress": "ada@example.com"},
            "defaultPhoneNumber": None,
            "updatedAt": "2026-01-01T00:00:00Z",
        }
    )
    assert (person.first_name, person.last_name, person.email, person.phone) == (
        "Ada",
        "",
        "ada@example.com",
        "",
    )
    settings = shop_settings_from_shopify(
        {
            "name": "Mug Shop",
            "currencyCode": "JPY",
            "taxesIncluded": False,
            "shopAddress": {
                "countryCodeV2": "JP",
                "provinceCode": "JP-13",
                "zip": "100",
                "city": "Tokyo",
            },
        },
        locale="ja_JP",
    )
    assert (settings.currency, settings.prices_include_tax, settings.country) == (
        "JPY",
        False,
        "JP",
    )
    assert settings.tax_policy == "woocommerce"
    with pytest.raises(MappingError, match="currencyCode"):
        shop_settings_from_shopify({"currencyCode": "XXXX"}, locale="en_GB")
