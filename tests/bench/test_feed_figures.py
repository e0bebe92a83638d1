"""The change-feed benchmark on a small store, so its code cannot rot between bench runs."""

from __future__ import annotations

from pathlib import Path

from tests.bench import feed_figures


async def test_price_to_device_figures(tmp_path: Path) -> None:
    figures = await feed_figures.price_to_device(tmp_path, latency_ms=5, changes=3, products=12)
    by_name = {f["name"]: f for f in figures}
    assert set(by_name) == {"price_to_device_feed_s", "price_to_device_poll_mean_s"}
    feed, poll = by_name["price_to_device_feed_s"], by_name["price_to_device_poll_mean_s"]
    assert len(feed["runs_s"]) == 3
    assert 0 < feed["value"] <= feed["max_s"]
    assert feed["met"] == (feed["max_s"] <= feed_figures.FEED_TARGET_S)
    assert poll["value"] == round(poll["interval_s"] / 2 + poll["delta_pull_s"], 4)
    assert feed["value"] < poll["value"]  # the feed beats half an interval of waiting
