"""Whether uploads may be sent now: closed while the store cannot be reached, or asked us to wait.

One failed request says little: a dropped connection or a 5xx is that request's trouble, and the
orders behind it go on. What stops the sending is evidence about the link or the whole device:
- `threshold` connections in a row that could not be made (refused, no route, DNS, TLS) with no
  answer between: the link is down. Sending waits a backoff, then one probe goes; another failure
  waits longer, an answer opens the way for all. A probe is one cheap request, so its backoff
  is a fifth of an order's and is capped at a tenth of the order cap (30 s by default): a shop
  coming back online is noticed within seconds, not minutes.
- trouble no order can fix (keys revoked, API switched off): sending waits the policy's cap.
- the store's own Retry-After once its client has stopped pacing (RateLimited): honoured as is,
  even if another request meanwhile succeeds.
Any answer from the store, or the network saying the link is back, lifts the first two at once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kiosk.connectors.errors import (
    ConnectionLost,
    ConnectorError,
    RateLimited,
    Rejected,
    StoreUnreachable,
    TLSFailure,
)
from kiosk.sync.policy import RetryPolicy


def link_down(error: ConnectorError) -> bool:
    """True when `error` says no connection could be made at all (not one lost request)."""
    return isinstance(error, StoreUnreachable | TLSFailure) and not isinstance(
        error, ConnectionLost
    )


def device_wide(error: ConnectorError) -> bool:
    """True for trouble that no retry of an order can fix (auth, permissions, API off)."""
    return not error.retryable and not isinstance(error, Rejected) and not link_down(error)


@dataclass(slots=True)
class SendGate:
    """How many uploads may be in flight now; fed every outcome, read before every claim."""

    policy: RetryPolicy = field(default_factory=RetryPolicy)
    threshold: int = 3
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0  # connections in a row that could not be made
    closed_until: datetime | None = None  # link down or device-wide trouble
    paused_until: datetime | None = None  # the store's Retry-After
    reason: str = ""  # why the gate is closed, for reports and the status bar

    def allowance(self, now: datetime, concurrency: int) -> int:
        """Uploads that may be in flight at `now`: 0 while closed, 1 to probe, else all."""
        if self.paused_until is not None and now < self.paused_until:
            return 0
        if self.closed_until is not None and now < self.closed_until:
            return 0
        return 1 if self.failures >= self.threshold else concurrency

    def opens_at(self, now: datetime) -> datetime | None:
        """When sending may start again, if it is held back at `now`."""
        times = [t for t in (self.closed_until, self.paused_until) if t is not None and t > now]
        return max(times) if times else None

    @property
    def is_down(self) -> bool:
        """Whether sending is held back for the link or the device (not for a Retry-After)."""
        return self.failures >= self.threshold or self.closed_until is not None

    def reached(self) -> None:
        """The store answered a request (any answer, a refusal included): the link is up."""
        self.failures = 0
        self.closed_until = None
        self.reason = ""

    def link_restored(self) -> None:
        """The network says the link is back: try at once, without waiting out the backoff."""
        self.reached()

    def failed(self, error: ConnectorError, now: datetime) -> None:
        """Count an upload's failure; close the gate when it speaks for the link or the device."""
        if isinstance(error, RateLimited):
            wait = error.retry_after if error.retry_after is not None else self.policy.base_s
            until = now + timedelta(seconds=wait)
            self.paused_until = max(until, self.paused_until or until)
            self.reason = str(error)
        elif device_wide(error):
            self.closed_until = now + timedelta(seconds=self.policy.cap_s)
            self.reason = str(error)
        elif link_down(error):
            self.failures += 1
            if self.failures >= self.threshold:
                probes = RetryPolicy(self.policy.base_s / 5, self.policy.cap_s / 10)
                backoff = probes.delay(self.failures - self.threshold + 1, self.rng)
                self.closed_until = now + timedelta(seconds=backoff)
                self.reason = str(error)
