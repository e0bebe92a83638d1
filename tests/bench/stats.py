"""Percentiles and the shape of one figure in bench/results.json."""

from __future__ import annotations

from typing import Any


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def figure(name: str, value: float, unit: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "value": round(value, 4), "unit": unit, **extra}
