"""The sync engine copies a simulated Shopify shop: initial copy, deltas, deletions, bulk path."""

from __future__ import annotations

import pytest

from kiosk.core.models import ProductKind, StockStatus
from kiosk.core.money import Money
from kiosk.store import catalog, sync_state
from kiosk.sync.pull import PRODUCTS_CURSOR
from tests.connectors.shopify.conftest import Shop
from tests.connectors.shopify.schema_check import problems, shape_problems


def _sellable(shop: Shop) -> list[dict]:
    return [p for p in shop.sim.state.products.values() if p["status"] in ("ACTIVE", "UNLISTED")]


async def _expected_counts(shop: Shop) -> tuple[int, int]:
    products = _sellable(shop)
    variations = sum(len(p["_variants"]) for p in products if not p["hasOnlyDefaultVariant"])
    return len(products), variations


async def test_initial_sync_copies_the_shop(shop: Shop) -> None:
    report = await shop.engine.run_once()
    assert report.errors == []
    assert report.initial
    counts = await catalog.counts(shop.db)
    assert (counts.products, counts.variations) == await _expected_counts(shop)
    assert counts.categories == len(shop.sim.state.collections)
    assert counts.customers == len(shop.sim.state.customers)
    status = await sync_state.get_sync_status(shop.db)
    assert status.initial_sync.complete
    settings = await catalog.load_shop_settings(shop.db)
    assert settings is not None
    assert (settings.currency, settings.prices_include_tax) == ("GBP", True)
    # A product with variants: a VARIABLE parent and one VARIATION per variant, priced exactly.
    parent = next(p for p in _sellable(shop) if not p["hasOnlyDefaultVariant"])
    first = shop.sim.state.variants[parent["_variants"][0]]
    local = await catalog.get_product(shop.db, first["id"])
    assert local is not None
    assert local.kind is ProductKind.VARIATION
    assert local.parent_id == parent["id"]
    assert local.price == Money.parse(first["price"], "GBP")
    assert local.sku == first["sku"]
    assert local.barcode == first["barcode"]


async def test_every_query_is_valid_and_every_answer_has_the_schemas_shape(shop: Shop) -> None:
    await shop.engine.run_once()
    await shop.engine.puller.delta()
    await shop.engine.puller.audit()
    assert len({doc for doc, _, _ in shop.calls}) >= 6  # settings, listings, audit, stock
    for doc, variables, data in shop.calls:
        assert problems(doc) == [], doc
        assert shape_problems(doc, variables, data) == [], doc
    # And whatever reached the simulator validates too (it would have refused it otherwise).
    assert all(problems(q["query"]) == [] for q in shop.sim.queries)


async def test_a_delta_brings_a_new_price_and_stock(shop: Shop) -> None:
    await shop.engine.run_once()
    simple = next(p for p in _sellable(shop) if p["hasOnlyDefaultVariant"])
    variant_id = simple["_variants"][0]
    shop.sim.state.set_price(variant_id, "99.95")
    other = next(p for p in _sellable(shop) if p["hasOnlyDefaultVariant"] and p is not simple)
    shop.sim.state.set_available(other["_variants"][0], 7)  # stock alone: updatedAt stays put
    report = await shop.engine.puller.delta()
    assert report.products >= 2
    priced = await catalog.get_product(shop.db, simple["id"])
    stocked = await catalog.get_product(shop.db, other["id"])
    assert priced is not None
    assert priced.price == Money(9995, "GBP")
    assert stocked is not None
    assert (stocked.manage_stock, stocked.stock_quantity) == (True, 7)


async def test_the_audit_finds_a_deleted_product(shop: Shop) -> None:
    await shop.engine.run_once()
    gone = _sellable(shop)[0]["id"]
    assert await catalog.get_product(shop.db, gone) is not None
    shop.sim.state.delete_product(gone)
    report = await shop.engine.puller.audit()
    assert report.deleted >= 1
    assert await catalog.get_product(shop.db, gone) is None


@pytest.mark.parametrize(
    "shop", [{"products": 60, "bulk_threshold": 20, "batch": 10}], indirect=True
)
async def test_a_large_shop_is_copied_by_a_bulk_operation(shop: Shop) -> None:
    report = await shop.engine.run_once()
    assert report.errors == []
    assert shop.sim.bulk.started == 1
    assert not any("KioskProducts(" in q["query"] for q in shop.sim.queries)  # no paging
    counts = await catalog.counts(shop.db)
    assert (counts.products, counts.variations) == await _expected_counts(shop)


@pytest.mark.parametrize(
    "shop", [{"products": 60, "bulk_threshold": 20, "batch": 10}], indirect=True
)
async def test_an_interrupted_bulk_copy_resumes_from_the_same_operation(shop: Shop) -> None:
    seen: list[str] = []
    batches = 0
    async for batch in shop.connector.products():
        seen += [p.id for p in batch.items]
        batches += 1
        cursor = batch.cursor
        if batches == 2:
            break  # the device stops here (a kill -9 after writing two batches)
    assert cursor is not None
    assert cursor.startswith("bulk:")
    rest: list[str] = []
    async for batch in shop.connector.products(resume=cursor):
        rest += [p.id for p in batch.items]
    assert shop.sim.bulk.started == 1  # the same operation's file was read again
    assert not set(seen) & set(rest)
    everything: list[str] = []
    async for batch in shop.connector.products(resume=None):
        everything += [p.id for p in batch.items]
    assert sorted(seen + rest) == sorted(everything)


@pytest.mark.parametrize(
    "shop", [{"products": 60, "bulk_threshold": 20, "batch": 10}], indirect=True
)
async def test_the_engine_resumes_a_bulk_copy_after_a_crash(shop: Shop) -> None:
    # The first pass dies after its first batch (the file's download is cut there)...
    broken = 0
    original = shop.connector.client.lines

    async def lines(url: str):  # type: ignore[no-untyped-def]
        nonlocal broken
        count = 0
        async for line in original(url):
            count += 1
            if broken == 0 and count > 40:
                broken += 1
                raise ConnectionResetError("cut")
            yield line

    shop.connector.client.lines = lines  # type: ignore[method-assign]
    with pytest.raises(ConnectionResetError):
        await shop.engine.puller.initial()
    cursor = await sync_state.get_value(shop.db, PRODUCTS_CURSOR)
    assert cursor is not None
    assert cursor.startswith("bulk:")
    await shop.engine.puller.initial()  # ...and the next one carries on from its cursor
    assert shop.sim.bulk.started == 1
    counts = await catalog.counts(shop.db)
    assert (counts.products, counts.variations) == await _expected_counts(shop)


async def test_an_expired_bulk_file_is_started_over(shop: Shop) -> None:
    shop.connector.bulk_threshold = 5
    shop.connector.batch = 5
    cursor = None
    async for batch in shop.connector.products():
        cursor = batch.cursor
        break
    assert cursor is not None
    shop.sim.bulk.expire(next(iter(shop.sim.bulk.ops)))
    items = 0
    async for batch in shop.connector.products(resume=cursor):
        items += len(batch.items)
    assert shop.sim.bulk.started == 2
    assert items == sum(await _expected_counts(shop))


@pytest.mark.parametrize("shop", [{"products": 10, "variations_per": 12}], indirect=True)
async def test_products_with_more_variants_than_a_page_get_them_all(shop: Shop) -> None:
    await shop.engine.run_once()
    assert any("KioskVariants(" in q["query"] for q in shop.sim.queries)
    counts = await catalog.counts(shop.db)
    assert (counts.products, counts.variations) == await _expected_counts(shop)


async def test_stock_levels_and_a_hinted_refresh_read_the_location(shop: Shop) -> None:
    await shop.engine.run_once()
    simple = next(p for p in _sellable(shop) if p["hasOnlyDefaultVariant"])
    parent = next(p for p in _sellable(shop) if not p["hasOnlyDefaultVariant"])
    variant = parent["_variants"][0]
    shop.sim.state.set_available(simple["_variants"][0], 3)
    shop.sim.state.set_available(variant, 0)
    levels = await shop.connector.stock_levels([simple["id"], variant, "gid://shopify/Product/1"])
    assert [(lv.product_id, lv.quantity, lv.status) for lv in levels] == [
        (simple["id"], 3, StockStatus.IN_STOCK),
        (variant, 0, StockStatus.OUT_OF_STOCK),
    ]
    shop.sim.state.set_price(variant, "1.23")
    await shop.engine.puller.refresh([parent["id"], "gid://shopify/Product/1"])
    local = await catalog.get_product(shop.db, variant)
    assert local is not None
    assert local.price == Money(123, "GBP")
