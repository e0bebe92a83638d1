"""The client's copy of Shopify's leaky bucket, so that it waits before a query is refused.

Shopify reports its bucket with every answer (`extensions.cost.throttleStatus`: maximumAvailable,
currentlyAvailable, restoreRate points a second). Between answers the bucket refills at the
restore rate; a query is refused (THROTTLED) when it costs more than the bucket holds. So before
sending a query whose cost we know (the `requestedQueryCost` Shopify reported for the same
document last time) the client waits exactly (cost - available now) / restoreRate seconds, and
reserves the cost locally so that concurrent requests queue behind it instead of all sending.
A query never seen costs nothing in advance: its first answer teaches us.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ThrottleStatus:
    maximum: float
    available: float
    restore_rate: float

    @classmethod
    def of(cls, extensions: Any) -> ThrottleStatus | None:
        """From a response's `extensions` (None when it has no cost data)."""
        try:
            status = extensions["cost"]["throttleStatus"]
            return cls(
                float(status["maximumAvailable"]),
                float(status["currentlyAvailable"]),
                float(status["restoreRate"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


def requested_cost(extensions: Any) -> int | None:
    try:
        return int(extensions["cost"]["requestedQueryCost"])
    except (KeyError, TypeError, ValueError):
        return None


class Pacer:
    """What the bucket holds as far as we know, and how long a query of some cost must wait."""

    def __init__(self) -> None:
        self.status: ThrottleStatus | None = None
        self._at = 0.0
        self._reserved = 0.0
        self.costs: dict[str, int] = {}  # document -> its last requested cost

    def available(self, now: float) -> float | None:
        if self.status is None:
            return None
        refill = (now - self._at) * self.status.restore_rate
        return min(self.status.maximum, self.status.available + refill) - self._reserved

    def wait_for(self, cost: float, now: float) -> float:
        """Seconds until the bucket holds `cost` points (0 when it does, or when unknown)."""
        available = self.available(now)
        if available is None or self.status is None or self.status.restore_rate <= 0:
            return 0.0
        cost = min(cost, self.status.maximum)  # never wait for more than the bucket can hold
        return max(0.0, (cost - available) / self.status.restore_rate)

    def reserve(self, cost: float) -> None:
        self._reserved += cost

    def settle(self, reserved: float, status: ThrottleStatus | None, now: float) -> None:
        """An answer came: drop its reservation and adopt the bucket Shopify reported."""
        self._reserved = max(0.0, self._reserved - reserved)
        if status is not None:
            self.status, self._at = status, now

    def learn(self, document: str, extensions: Mapping[str, Any] | None) -> None:
        cost = requested_cost(extensions)
        if cost is not None:
            self.costs[document] = cost
