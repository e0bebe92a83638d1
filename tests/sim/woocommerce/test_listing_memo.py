"""Memoised listings: a repeated query is answered from the cache until the store changes."""

from __future__ import annotations

from kiosk.sim.woocommerce import running_sim
from tests.sim.woocommerce.conftest import Clock, Woo, small_export

QUERY = "products?orderby=id&order=asc&per_page=100&modified_after=2025-03-10T12:00:00"


async def test_admin_changes_reach_a_repeated_query(woo: Woo, clock: Clock) -> None:
    _, before, _ = await woo.get(QUERY)
    assert before == []
    clock.advance(60)
    woo.sim.admin.set_price(102, "1.25")
    _, after, _ = await woo.get(QUERY)
    assert [p["id"] for p in after] == [102]
    woo.sim.admin.delete_product(102)  # trashed: the default status=any leaves it out
    _, gone, _ = await woo.get(QUERY)
    assert gone == []


async def test_direct_edits_need_bump(woo: Woo) -> None:
    query = "products?status=publish&orderby=id&order=asc&per_page=100"
    _, first, _ = await woo.get(query)
    assert 101 in [p["id"] for p in first]
    woo.sim.state.products[101]["status"] = "draft"
    woo.sim.state.products[102]["name"] = "Renamed"  # rendered from the live dict: no bump needed
    _, cached, _ = await woo.get(query)
    assert next(p["name"] for p in cached if p["id"] == 102) == "Renamed"
    woo.sim.state.bump()
    _, fresh, _ = await woo.get(query)
    assert 101 not in [p["id"] for p in fresh]


async def test_include_order_is_part_of_the_key(woo: Woo) -> None:
    _, one, _ = await woo.get("products?include=103,101&orderby=include")
    _, other, _ = await woo.get("products?include=101,103&orderby=include")
    assert [p["id"] for p in one] == [103, 101]
    assert [p["id"] for p in other] == [101, 103]


async def test_variation_index_follows_deletes(clock: Clock) -> None:
    async with running_sim(export=small_export(), clock=clock) as sim:
        assert [v["id"] for v in sim.state.variations_of(110)] == [111, 112]
        sim.admin.delete_product(112, force=True)
        assert [v["id"] for v in sim.state.variations_of(110)] == [111]
        sim.admin.delete_product(110, force=True)
        assert sim.state.variations_of(110) == []
