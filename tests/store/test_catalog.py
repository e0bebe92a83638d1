"""The local catalog: batch upserts, lookups, deletes, and the FTS index kept in step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from kiosk.core.models import (
    SELLABLE_STATUSES,
    Attribute,
    Category,
    Customer,
    Product,
    ProductKind,
    ShopSettings,
    StockStatus,
    TaxRate,
    TaxStatus,
)
from kiosk.core.money import Money
from kiosk.store import catalog, search
from kiosk.store.db import Database
from tests.store.factory import eur, simple, variable, variation


async def _fts_ok(db: Database) -> None:
    """FTS5's own check that the index matches the content table exactly."""
    await db.read(
        lambda c: c.execute("INSERT INTO products_fts (products_fts) VALUES ('integrity-check')")
    )


def test_sql_knows_the_sellable_statuses() -> None:
    # The generated columns `listed` and `sellable` in 0001_initial.sql spell these out.
    assert frozenset({"publish", "private"}) == SELLABLE_STATUSES


async def test_a_product_round_trips_every_field(db: Database) -> None:
    full = Product(
        id="42",
        kind=ProductKind.SIMPLE,
        name="Ceramic Mug «Ünïcode»",
        price=Money(1250, "GBP"),
        sku="MUG-42",
        barcode="5012345678900",
        regular_price=Money(1500, "GBP"),
        tax_status=TaxStatus.SHIPPING,
        tax_class="reduced-rate",
        manage_stock=True,
        stock_quantity=7,
        stock_status=StockStatus.ON_BACKORDER,
        status="private",
        attributes=(Attribute("Colour", ("Blue", "Red")),),
        category_ids=("9", "3"),
        image_url="https://shop.example/mug.jpg",
        modified_at=datetime(2026, 2, 3, 4, 5, 6, 789, tzinfo=UTC),
    )
    assert await catalog.upsert_products(db, [full]) == 1
    assert await catalog.get_product(db, "42") == full
    assert await catalog.get_product(db, "nope") is None


async def test_upsert_updates_in_place_and_counts(db: Database) -> None:
    await catalog.upsert_products(
        db,
        [
            simple("1", "Mug"),
            variable("2", "Tee"),
            variation("2a", "2", "Tee - S"),
            variation("2b", "2", "Tee - M"),
        ],
    )
    await catalog.upsert_products(db, [simple("1", "Big Mug", price=1999, stock_quantity=3)])
    got = await catalog.get_product(db, "1")
    assert got is not None
    assert got.name == "Big Mug"
    assert got.price == eur(1999)
    counts = await catalog.counts(db)
    assert counts == catalog.CatalogCounts(products=2, variations=2, categories=0, customers=0)
    assert [p.id for p in await catalog.variations_of(db, "2")] == ["2a", "2b"]
    assert await catalog.upsert_products(db, []) == 0


async def test_bad_products_are_refused_before_anything_is_written(db: Database) -> None:
    mixed = Product(
        id="x", kind=ProductKind.SIMPLE, name="X", price=eur(1), regular_price=Money(1, "GBP")
    )
    with pytest.raises(ValueError, match="product x: price and regular_price"):
        await catalog.upsert_products(db, [simple("ok", "Fine"), mixed])
    orphan = Product(id="v", kind=ProductKind.VARIATION, name="V", price=eur(1))
    with pytest.raises(ValueError, match="product v: a variation needs a parent_id"):
        await catalog.upsert_products(db, [orphan])
    naive = simple("n", "Naive", modified_at=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="product n modified_at must be an aware datetime"):
        await catalog.upsert_products(db, [naive])
    assert (await catalog.counts(db)).products == 0


async def test_upsert_update_delete_keep_the_search_index_right(db: Database) -> None:
    await catalog.upsert_products(
        db,
        [
            simple("1", "Walnut Board", sku="WB-1"),
            variable("2", "Linen Apron", sku="AP"),
            variation("2a", "2", "Linen Apron - Navy", sku="AP-NVY",
                      attributes=(Attribute("Colour", ("Navy",)),)),
        ],
    )  # fmt: skip
    assert [p.id for p in await search.search(db, "walnut")] == ["1"]
    assert [p.id for p in await search.search(db, "navy")] == ["2"]  # options find the parent
    await _fts_ok(db)

    await catalog.upsert_products(db, [simple("1", "Oak Board", sku="OB-1")])
    assert await search.search(db, "walnut") == []
    assert await search.search(db, "wb-1") == []
    assert [p.id for p in await search.search(db, "oak")] == ["1"]
    await catalog.upsert_products(
        db,
        [variation("2a", "2", "Linen Apron - Sage", sku="AP-SGE",
                   attributes=(Attribute("Colour", ("Sage",)),))],
    )  # fmt: skip
    assert await search.search(db, "navy") == []
    assert [p.id for p in await search.search(db, "sage")] == ["2"]
    await _fts_ok(db)

    assert await catalog.delete_products(db, ["2", "missing"]) == 2  # the parent and its variation
    assert await search.search(db, "apron") == []
    assert await search.search(db, "ap-sge") == []
    assert await catalog.get_product(db, "2a") is None
    assert [p.id for p in await search.search(db, "board")] == ["1"]
    await _fts_ok(db)
    assert await catalog.delete_products(db, []) == 0


async def test_deleting_a_variation_refreshes_its_parents_search_text(db: Database) -> None:
    await catalog.upsert_products(
        db,
        [
            variable("t", "Tee"),
            variation("t1", "t", "Tee - Red", attributes=(Attribute("Colour", ("Red",)),)),
            variation("t2", "t", "Tee - Blue", attributes=(Attribute("Colour", ("Blue",)),)),
        ],
    )
    assert [p.id for p in await search.search(db, "blue")] == ["t"]
    await catalog.delete_products(db, ["t2"])
    assert await search.search(db, "blue") == []
    assert [p.id for p in await search.search(db, "red")] == ["t"]
    await _fts_ok(db)


async def test_variations_arriving_before_their_parent_still_find_it(db: Database) -> None:
    opts = (Attribute("Size", ("XL",)),)
    await catalog.upsert_products(db, [variation("v1", "p", "Hoodie - XL", attributes=opts)])
    await catalog.upsert_products(db, [variable("p", "Hoodie")])
    assert [p.id for p in await search.search(db, "xl hoodie")] == ["p"]


async def test_find_by_code(db: Database) -> None:
    await catalog.upsert_products(
        db,
        [
            simple("1", "Mug", sku="MUG-1", barcode="4006381333931"),
            simple("2", "Cup", sku="4006381333931"),  # a SKU that looks like another's barcode
            simple("3", "Old Tea", sku="TEA", status="draft"),
            simple("4", "Tea", sku="tea"),
            simple("5", "Unpriced", sku="FREE", price=None),
            variable("6", "Tee", sku="TEE"),
            variation("6a", "6", "Tee - S", sku="TEE-S", barcode="111"),
            simple("7", "Ümlaut", sku="ÄBC"),
        ],
    )

    async def code(c: str) -> str | None:
        p = await catalog.find_by_code(db, c)
        return None if p is None else p.id

    assert await code("4006381333931") == "1"  # barcode beats SKU
    assert await code("mug-1") == "1"  # SKU, case-insensitively
    assert await code(" MUG-1 ") == "1"
    assert await code("TEA") == "4"  # the sellable one beats the draft
    assert await code("FREE") == "5"  # unsellable, but the only match
    assert await code("tee-s") == "6a"
    assert await code("111") == "6a"
    assert await code("äbc") == "7"  # folding is not ASCII-only
    assert await code("") is None
    assert await code("   ") is None
    assert await code("nothing") is None


async def test_categories_and_browsing_by_category(db: Database) -> None:
    await catalog.upsert_categories(
        db,
        [
            Category("c2", "Tea", slug="tea", position=2),
            Category("c1", "Coffee", slug="coffee", position=1),
            Category("c3", "Green", parent_id="c2", slug="green", position=2),
        ],
    )
    await catalog.upsert_categories(db, [Category("c2", "Teas", slug="tea", position=2)])
    assert [(c.id, c.name) for c in await catalog.list_categories(db)] == [
        ("c1", "Coffee"),
        ("c3", "Green"),
        ("c2", "Teas"),
    ]
    await catalog.upsert_products(
        db,
        [
            simple("1", "Sencha", category_ids=("c2", "c3")),
            simple("2", "Assam", category_ids=("c2",)),
            simple("3", "Espresso", category_ids=("c1",)),
            simple("4", "Draft tea", category_ids=("c2",), status="draft"),
        ],
    )
    assert [p.id for p in await catalog.in_category(db, "c2")] == ["2", "1"]
    await catalog.upsert_products(db, [simple("1", "Sencha", category_ids=("c3",))])
    assert [p.id for p in await catalog.in_category(db, "c2")] == ["2"]
    assert [p.id for p in await catalog.in_category(db, "c3")] == ["1"]
    await catalog.delete_products(db, ["1"])
    assert await catalog.in_category(db, "c3") == []
    assert (await catalog.counts(db)).categories == 3


async def test_tax_rates_are_replaced_whole_and_kept_exact(db: Database) -> None:
    await catalog.replace_tax_rates(db, [TaxRate("9", Decimal("1.0000"))])
    rates = [
        TaxRate("1", Decimal("20.0000"), name="VAT", order=1, postcodes=("BS1*",)),
        TaxRate(
            "2",
            Decimal("5.5000"),
            name="Reduced",
            tax_class="reduced-rate",
            priority=2,
            compound=True,
            shipping=False,
            country="GB",
            state="ENG",
            cities=("Bristol", "Bath"),
            order=0,
        ),
    ]
    assert await catalog.replace_tax_rates(db, rates) == 2
    got = await catalog.tax_rates(db)
    assert got == [rates[1], rates[0]]  # the store's order
    assert str(got[1].rate) == "20.0000"
    assert await catalog.replace_tax_rates(db, []) == 0
    assert await catalog.tax_rates(db) == []


async def test_shop_settings(db: Database) -> None:
    assert await catalog.load_shop_settings(db) is None
    s = ShopSettings(
        currency="GBP",
        prices_include_tax=True,
        round_at_subtotal=True,
        taxes_enabled=False,
        country="GB",
        state="ENG",
        postcode="BS1 4DJ",
        city="Bristol",
        locale="en_GB",
        name="Gift Shop",
        tax_policy="another-platform",  # kept as the connector named it, known here or not
    )
    await catalog.save_shop_settings(db, s)
    assert await catalog.load_shop_settings(db) == s
    s2 = ShopSettings(currency="EUR")
    await catalog.save_shop_settings(db, s2)
    assert await catalog.load_shop_settings(db) == s2


async def test_customers_upsert_and_search(db: Database) -> None:
    when = datetime(2026, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=2)))
    people = [
        Customer("1", "Ann", "Lee", "ann@example.com", "+44 117 496 0000", modified_at=when),
        Customer("2", "Bob", "Stone", "bob@example.com", "0117 496 0999"),
        Customer("3", company="50% Off Ltd", email="sales@off.example"),
        Customer("4", "Zoë", "Brown", "zoe_b@example.com"),
    ]
    assert await catalog.upsert_customers(db, people) == 4
    await catalog.upsert_customers(db, [Customer("2", "Bob", "Stoner", "bob@example.com")])

    async def ids(text: str, limit: int = 20) -> list[str]:
        return [c.id for c in await catalog.search_customers(db, text, limit)]

    assert await ids("ann lee") == ["1"]
    assert await ids("STONER") == ["2"]
    assert await ids("496 0000") == ["1"]
    assert await ids("example.com") == ["4", "1", "2"]  # by last name
    assert await ids("example.com", limit=1) == ["4"]
    assert await ids("50%") == ["3"]  # % is literal
    assert await ids("e_b") == ["4"]  # _ is literal
    assert await ids("%") == ["3"]
    got = (await catalog.search_customers(db, "ann", 5))[0]
    assert got.modified_at == when
    assert (await catalog.counts(db)).customers == 4
