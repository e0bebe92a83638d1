"""The failover decision benchmark on a few decisions, so its code cannot rot between bench runs."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from tests.bench import failover_figures

pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None, reason="dbus-daemon is not installed (package `dbus`)"
)


async def test_failover_decision_figures(tmp_path: Path) -> None:
    figures = {
        f["name"]: f for f in await failover_figures.failover_decision(tmp_path, decisions=3)
    }
    assert set(figures) == {
        "failover_decision_p50_ms",
        "failover_decision_p95_ms",
        "bus_round_trip_p50_ms",
        "failover_decide_us",
    }
    for f in figures.values():
        assert math.isfinite(f["value"]), f
        assert f["value"] > 0, f
    p50 = figures["failover_decision_p50_ms"]
    trip = figures["bus_round_trip_p50_ms"]["value"]
    assert p50["runs"] == 3
    assert p50["baseline_value"] == pytest.approx(trip, abs=1e-4)
    # A decision reads every device and profile and then acts: never cheaper than one trip.
    assert p50["value"] > trip
    assert p50["ratio"] == pytest.approx(p50["value"] / trip, rel=1e-2)
    assert p50["met"] == (p50["ratio"] <= failover_figures.RATIO_TARGET)
    assert figures["failover_decision_p95_ms"]["value"] >= p50["value"]
    assert figures["failover_decide_us"]["value"] < 1000  # the pure policy: microseconds
