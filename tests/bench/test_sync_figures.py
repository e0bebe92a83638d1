"""The initial-sync benchmark on a tiny catalog, so its code cannot rot between bench runs."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from kiosk.sim.catalog import generate_export
from tests.bench import sync_figures

PRODUCTS = 50
SEED = 3


def test_initial_sync_figures_on_a_tiny_catalog(tmp_path: Path) -> None:
    figures = sync_figures.initial_sync(
        tmp_path, products=PRODUCTS, variations_per=3, latency_ms=1, seed=SEED, timeout_s=60
    )
    by_name = {f["name"]: f for f in figures}
    assert set(by_name) == {
        "initial_sync_wall_s",
        "initial_sync_requests",
        "naive_sync_requests",
        "initial_sync_floor_s",
        "initial_sync_vs_floor",
        "initial_sync_peak_rss_mib",
    }
    for f in figures:
        assert isinstance(f["value"], int | float), f
        assert math.isfinite(f["value"]), f
        assert f["unit"], f
        assert f.get("met") in (None, True, False), f

    export = generate_export(PRODUCTS, variable_share=0.2, variations_per=3, seed=SEED)
    variable = sum(1 for p in export["products"] if p["type"] == "variable")
    assert variable > 0
    pages = math.ceil(PRODUCTS / sync_figures.PER_PAGE) + 1  # then the empty page that ends it
    naive = by_name["naive_sync_requests"]
    assert naive["value"] == pages + variable
    assert naive["fetched"] == {"products": PRODUCTS, "variations": variable * 3}

    wall = by_name["initial_sync_wall_s"]
    assert wall["value"] > 0
    runs = wall["runs_s"]
    assert len(runs) == sync_figures.DEVICE_RUNS
    assert runs == sorted(runs)
    assert wall["value"] == pytest.approx(runs[len(runs) // 2], abs=1e-3)  # the median run
    assert wall["baseline_value"] > 0
    assert wall["met"] == (wall["speedup"] >= sync_figures.SPEEDUP_TARGET)
    assert wall["pulled"]["products"] > 0, "the device synced nothing"
    assert wall["device_cpu_s"] > 0
    assert wall["startup_s"] > 0
    assert by_name["initial_sync_requests"]["value"] > 0
    floor = by_name["initial_sync_floor_s"]["value"]
    requests = by_name["initial_sync_requests"]["value"]
    assert floor == pytest.approx(requests * 0.001 / 4, abs=1e-4)  # 1 ms each, 4 in flight
    vs_floor = by_name["initial_sync_vs_floor"]
    assert vs_floor["value"] == pytest.approx(wall["value"] / (requests * 0.001 / 4), rel=1e-3)
    assert vs_floor["met"] == (vs_floor["value"] <= sync_figures.FLOOR_TARGET)
    # The sync process alone: a tiny catalog needs far less than the benchmark process around it.
    assert 5 < by_name["initial_sync_peak_rss_mib"]["value"] < 300
