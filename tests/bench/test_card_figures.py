"""The card-sale benchmark at a tiny latency, so its code cannot rot between bench runs."""

from __future__ import annotations

from pathlib import Path

from tests.bench import card_figures


async def test_card_sale_figures(tmp_path: Path) -> None:
    figures = {f["name"]: f for f in await card_figures.card_sale(tmp_path, latency_ms=5, sales=2)}
    assert set(figures) == {
        "card_sale_pay_to_approved_s",
        "card_sale_vs_latencies",
        "card_sale_requests",
    }
    timed = figures["card_sale_pay_to_approved_s"]
    assert len(timed["runs_s"]) == 2
    assert timed["value"] > timed["baseline_value"] > 0  # never faster than its requests
    requests = figures["card_sale_requests"]
    assert requests["value"] == 3  # create, process, capture
    assert requests["met"] is True
    assert all(n >= 1 for n in requests["polls_while_in_progress"])
    ratio = figures["card_sale_vs_latencies"]
    assert ratio["value"] > 1
    assert ratio["met"] == (ratio["value"] <= card_figures.OVERHEAD_TARGET)
