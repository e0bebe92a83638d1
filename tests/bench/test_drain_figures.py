"""The drain benchmark on a few sales, so its code cannot rot between bench runs."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest

from tests.bench import drain_figures
from tests.bench.sync_figures import FLOOR_TARGET, BenchError

ORDERS = 20
LOSS_RATE = 0.3  # high, so that a few of 20 answers are surely lost (the store's draws are seeded)


def test_drain_figures_on_a_few_sales(tmp_path: Path) -> None:
    figures = drain_figures.drain(
        tmp_path, orders=ORDERS, latency_ms=1, loss_rate=LOSS_RATE, timeout_s=60
    )
    by_name = {f["name"]: f for f in figures}
    runs = ("drain_fault_free", "drain_lossy")
    assert set(by_name) == {f"{r}{s}" for r in runs for s in ("_s", "_requests", "_floor_s")}
    for f in figures:
        assert isinstance(f["value"], int | float), f
        assert math.isfinite(f["value"]), f
        assert f["unit"], f
        assert f.get("met") in (None, True, False), f

    for run in runs:
        wall, requests = by_name[f"{run}_s"], by_name[f"{run}_requests"]
        # The run checked exactly-once itself (a BenchError otherwise); the report agrees.
        uploaded = dict(wall["uploaded"])
        assert uploaded.pop("refunds")["synced"] == 0  # cash sales only: nothing else to send
        assert uploaded.pop("pickups")["synced"] == 0
        assert uploaded == {
            "synced": ORDERS,
            "failed": 0,
            "retrying": 0,
            "waiting": 0,
            "next_attempt_at": None,
        }
        assert 0 < wall["value"] < wall["wall_s"]
        assert requests["by_kind"]["create"] == ORDERS  # a lost answer is looked up, not re-sent
        assert requests["by_kind"]["read_back"] > 0
        assert requests["pull_requests"] > 0
        floor = requests["value"] * 0.001 / 4  # 1 ms each, 4 in flight
        assert by_name[f"{run}_floor_s"]["value"] == pytest.approx(floor, abs=1e-4)
        assert wall["ratio"] == pytest.approx(wall["value"] / floor, rel=1e-3)
        assert wall["met"] == (wall["ratio"] <= FLOOR_TARGET)

    assert "lookup" not in by_name["drain_fault_free_requests"]["by_kind"]
    lossy = by_name["drain_lossy_s"]
    assert lossy["lost"] > 0
    assert by_name["drain_lossy_requests"]["by_kind"]["lookup"] >= lossy["lost"]
    assert lossy["max_attempts"] == 1  # each lost answer was settled by its own look-up


def test_a_sale_on_the_store_twice_fails_the_run() -> None:
    sold = ["a", "b"]
    synced = {"a", "b"}
    drain_figures._check(sold, Counter(synced=2), synced, Counter(a=1, b=1))
    with pytest.raises(BenchError, match="more than once"):
        drain_figures._check(sold, Counter(synced=2), synced, Counter(a=1, b=2))
    with pytest.raises(BenchError, match="never reached"):
        drain_figures._check(sold, Counter(synced=2), synced, Counter(a=1))
    with pytest.raises(BenchError, match="not all synced"):
        drain_figures._check(sold, Counter(synced=1, pending_sync=1), {"a"}, Counter(a=1, b=1))
