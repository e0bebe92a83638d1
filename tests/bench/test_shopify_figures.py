"""The Shopify sync benchmark on a tiny shop, so its code cannot rot between bench runs."""

from __future__ import annotations

import math
from pathlib import Path

from tests.bench import figures, shopify_figures


def test_shopify_sync_figures_on_a_tiny_shop(tmp_path: Path) -> None:
    assert "shopify" in figures.GROUPS
    found = shopify_figures.shopify_sync(
        tmp_path, products=40, variations_per=3, latency_ms=1, bulk_rate=400
    )
    by_name = {f["name"]: f for f in found}
    assert set(by_name) == {
        "shopify_sync_bulk_s",
        "shopify_sync_bulk_vs_floor",
        "shopify_sync_paged_s",
        "shopify_sync_naive_s",
    }
    for f in found:
        assert math.isfinite(f["value"]), f
        assert f["value"] > 0, f
        assert f["unit"], f
    bulk, naive = by_name["shopify_sync_bulk_s"], by_name["shopify_sync_naive_s"]
    # The same shop copied three ways: the bulk copy and the paged one hold the same catalog.
    assert bulk["pulled"]["products"] > 0
    assert naive["fetched"]["products"] == 40
    # The naive client: one request per product, after the id listing (one page of 250).
    assert naive["requests"] == 40 + 1
    assert bulk["speedup"] == round(naive["value"] / bulk["value"], 2)
    assert bulk["met"] == (bulk["speedup"] >= shopify_figures.SPEEDUP_TARGET)
    floor = by_name["shopify_sync_bulk_vs_floor"]
    # The floor is the operation's own running time (its objects at 400 a second) and more.
    assert floor["floor_s"] >= floor["operation_s"] > 0
    assert math.isclose(floor["value"], bulk["value"] / floor["floor_s"], rel_tol=1e-2)
    assert floor["met"] == (floor["value"] <= shopify_figures.FLOOR_TARGET)
    assert by_name["shopify_sync_paged_s"]["requests"] > 1
