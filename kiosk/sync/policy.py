"""When to try an upload again, and when an order must be parked for staff instead."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.connectors.errors import ConnectorError, RateLimited, Rejected


@dataclass(frozen=True, slots=True)
class Retry:
    """Try this order again at `at`; nothing about it is wrong, the store or the link is."""

    at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Park:
    """The store refused this order for good: park it as failed, with the store's reason."""

    reason: str


Decision = Retry | Park


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Capped exponential backoff with jitter; only the store's own refusal parks an order.

    Device-wide trouble (bad keys, TLS, API switched off) is retried at the cap rather than
    parked: it is not the order's fault, and parking would strand every sale behind it. The cap
    is five minutes: a shop's takings never wait longer than that for a link that is back (and
    usually not at all: an answer from the store cuts every backoff short).
    """

    base_s: float = 5.0
    cap_s: float = 300.0

    def __post_init__(self) -> None:
        if not 0 < self.base_s <= self.cap_s:
            raise ValueError(f"backoff needs 0 < base ({self.base_s}) <= cap ({self.cap_s})")

    def delay(self, failures: int, rng: random.Random) -> float:
        """Seconds to wait after the `failures`-th failure in a row: half fixed, half random."""
        ceiling = min(self.cap_s, self.base_s * 2.0 ** max(0, failures - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)

    def decide(
        self, error: ConnectorError, failures: int, now: datetime, rng: random.Random
    ) -> Decision:
        """Park a refused order; otherwise retry after the `failures`-th failure's backoff."""
        if isinstance(error, Rejected):
            return Park(str(error))
        wait = self.delay(failures, rng) if error.retryable else self.cap_s
        if isinstance(error, RateLimited) and error.retry_after is not None:
            wait = max(wait, error.retry_after)
        return Retry(now + timedelta(seconds=wait), str(error))
