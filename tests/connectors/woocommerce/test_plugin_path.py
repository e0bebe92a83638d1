"""WooConnector through the companion plugin (kiosk/v1) against the same store without it."""

from __future__ import annotations

from collections import Counter
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

from kiosk.connectors.base import Batch
from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.connectors.woocommerce.plugin import API as PLUGIN_API
from kiosk.core.models import Product, ProductKind
from kiosk.sim.woocommerce import SimHandle, running_sim


def catalog(**kw: Any) -> AbstractAsyncContextManager[SimHandle]:
    """The same 600-product store (30 % variable, 6 variations each), with or without the plugin."""
    return running_sim(products=600, seed=5, variable_share=0.3, variations_per=6, **kw)


def connect(sim: SimHandle, **kw: Any) -> WooConnector:
    async def no_sleep(_: float) -> None:
        return None

    return WooConnector.connect(
        sim.url,
        sim.consumer_key,
        sim.consumer_secret,
        locale="en_GB",
        sleep=no_sleep,
        jitter=lambda: 0.0,
        **kw,
    )


async def listing(c: WooConnector, **kw: Any) -> list[Batch[Product]]:
    return [b async for b in c.products(**kw)]


def flat(batches: list[Batch[Product]]) -> list[Product]:
    return [p for b in batches for p in b.items]


def rest_requests(sim: SimHandle) -> Counter[str]:
    """Requests per route family: "variations" (either kind), "products", "kiosk", ..."""
    out: Counter[str] = Counter()
    for r in sim.requests:
        if r.path.endswith("/variations"):
            out["variations"] += 1
        elif r.path.startswith(PLUGIN_API):
            out["kiosk"] += 1
        elif r.path.endswith("/products"):
            out["products"] += 1
        out["total"] += 1
    return out


def assert_variable_followed_by_all(items: list[Product], sim: SimHandle) -> None:
    for i, p in enumerate(items):
        if p.kind is not ProductKind.VARIABLE:
            continue
        expected = sorted(
            int(v["id"]) for v in sim.state.variations_of(int(p.id)) if v["status"] == "publish"
        )
        kids = items[i + 1 : i + 1 + len(expected)]
        assert [int(v.id) for v in kids] == expected
        assert all(v.kind is ProductKind.VARIATION and v.parent_id == p.id for v in kids)


async def test_plugin_and_rest_paths_yield_the_same_catalog_in_far_fewer_requests() -> None:
    async with catalog(plugin=False) as plain:
        async with connect(plain) as c:
            rest_batches = await listing(c)
            rest_ids = await c.product_ids()
        rest_count = rest_requests(plain)
    async with catalog() as sim:
        async with connect(sim) as c:
            plugin_batches = await listing(c)
            assert await c.has_plugin()
            plugin_ids = await c.product_ids()
        plugin_count = rest_requests(sim)
        rest_items, plugin_items = flat(rest_batches), flat(plugin_batches)
        assert_variable_followed_by_all(plugin_items, sim)
    # Same products and variations, batch by batch, with the same cursors.
    assert plugin_items == rest_items
    assert [b.cursor for b in plugin_batches] == [b.cursor for b in rest_batches]
    assert sum(p.kind is ProductKind.VARIATION for p in plugin_items) > 500
    assert plugin_ids == rest_ids
    # One variations listing per product page instead of one per variable product.
    assert rest_count["variations"] > 150
    assert plugin_count["variations"] == len(plugin_batches)
    assert plugin_count["kiosk"] == 1  # product-ids in one call
    assert plugin_count["total"] * 3 < rest_count["total"]


async def test_resume_and_delta_through_the_plugin() -> None:
    now = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

    def clock() -> datetime:
        return now

    async with catalog(clock=clock) as sim:
        async with connect(sim) as c:
            full = await listing(c)
            resumed = await listing(c, resume=full[1].cursor)
            assert [b.items for b in resumed] == [b.items for b in full[2:]]
            now += timedelta(hours=1)
            since = now
            now += timedelta(minutes=5)
            parent = next(p for p in flat(full) if p.kind is ProductKind.VARIABLE)
            variation = sim.state.variations_of(int(parent.id))[0]["id"]
            sim.admin.set_price(variation, "9.99")
            sim.requests.clear()
            delta = flat(await listing(c, since=since))
        queries = [r.query for r in sim.requests if r.path == f"{PLUGIN_API}/variations"]
    # The variation's change bumped its parent, which comes back with ALL its variations.
    assert [p.id for p in delta if p.kind is not ProductKind.VARIATION] == [parent.id]
    kids = [p for p in delta if p.kind is ProductKind.VARIATION]
    assert {v.id for v in kids} == {
        v.id for v in flat(full) if v.kind is ProductKind.VARIATION and v.parent_id == parent.id
    }
    changed = next(v for v in kids if v.id == str(variation))
    assert changed.price is not None
    assert changed.price.amount_str() == "9.99"
    assert [q["parent"] for q in queries] == [parent.id]


async def test_fetch_products_and_stock_levels_use_the_plugins_variations() -> None:
    async with catalog() as sim:
        variable = [p for p in sim.state.products.values() if p["type"] == "variable"][:3]
        ids = [str(p["id"]) for p in variable]
        async with connect(sim) as c:
            batch = await c.fetch_products(ids)
            kids = [p for p in batch.items if p.kind is ProductKind.VARIATION]
            levels = await c.stock_levels([k.id for k in kids])
        per_parent = [r for r in sim.requests if "/products/" in r.path]
    assert [p.id for p in batch.items if p.kind is ProductKind.VARIABLE] == ids
    assert_variable_followed_by_all(list(batch.items), sim)
    assert [lv.product_id for lv in levels] == [k.id for k in kids]
    # Parents learned from the plugin's listing: stock is read per parent, never per variation.
    assert len(per_parent) == len(ids)


async def test_the_plugin_is_detected_once_from_the_index() -> None:
    async with catalog() as sim:
        async with connect(sim, currency="GBP") as c:  # no shop_settings: detection asks itself
            await listing(c)
        index = [r for r in sim.requests if r.path in ("/wp-json", "/wp-json/")]
    assert len(index) == 1


async def test_without_the_plugin_nothing_asks_for_it() -> None:
    async with running_sim(products=40, seed=2, plugin=False) as sim, connect(sim) as c:
        await listing(c)
        await c.product_ids()
        assert not await c.has_plugin()
    assert not [r for r in sim.requests if r.path.startswith(PLUGIN_API)]


async def test_a_vanished_plugin_falls_back_to_the_rest_api() -> None:
    # Told the plugin is there, the connector meets rest_no_route and carries on without it.
    async with running_sim(products=40, seed=2, plugin=False) as plain:
        async with connect(plain, plugin=False) as c:
            expected = flat(await listing(c))
            expected_ids = await c.product_ids()
        async with connect(plain, plugin=True) as c:
            assert flat(await listing(c)) == expected
            assert not await c.has_plugin()
            assert await c.product_ids() == expected_ids
        missed = [r.status for r in plain.requests if r.path.startswith(PLUGIN_API)]
    assert missed == [404]


async def test_faults_on_the_plugin_routes_are_retried() -> None:
    async with catalog() as sim:
        sim.faults.add("500", path=f"{PLUGIN_API}/variations", count=2)
        sim.faults.add("503", path=f"{PLUGIN_API}/product-ids", count=1)
        async with connect(sim) as c:
            items = flat(await listing(c))
            ids = await c.product_ids()
        fired = [kind for kind, _, _ in sim.faults.fired]
        assert_variable_followed_by_all(items, sim)
    assert fired == ["500", "500", "503"]
    assert ids == {p.id for p in items if p.kind is not ProductKind.VARIATION}
