"""The retry policy: backoff grows, is capped and jittered; only a rejection parks an order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from kiosk.connectors.errors import AuthFailed, OutcomeUnknown, RateLimited, Rejected, ServerError
from kiosk.sync.policy import Park, Retry, RetryPolicy

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_backoff_grows_then_caps_with_jitter() -> None:
    policy = RetryPolicy(base_s=5, cap_s=300)
    rng = random.Random(1)
    for attempts in range(1, 12):
        ceiling = min(300, 5 * 2 ** (attempts - 1))
        samples = [policy.delay(attempts, rng) for _ in range(50)]
        assert all(ceiling / 2 <= s <= ceiling for s in samples)
        assert len({round(s, 6) for s in samples}) > 1  # jittered, so a fleet does not stampede


def test_rejection_parks_with_the_stores_reason() -> None:
    d = RetryPolicy().decide(
        Rejected("Invalid product ID 42.", status=400), 1, NOW, random.Random(0)
    )
    assert d == Park("Invalid product ID 42.")


def test_transient_errors_retry_later() -> None:
    policy = RetryPolicy(base_s=10, cap_s=600)
    for err in (ServerError("boom", 502), OutcomeUnknown("lost")):
        d = policy.decide(err, 3, NOW, random.Random(0))
        assert isinstance(d, Retry)
        assert NOW + timedelta(seconds=20) <= d.at <= NOW + timedelta(seconds=40)


def test_retry_after_is_a_floor() -> None:
    d = RetryPolicy(base_s=1).decide(RateLimited("slow down", 120), 1, NOW, random.Random(0))
    assert isinstance(d, Retry)
    assert d.at >= NOW + timedelta(seconds=120)


def test_device_wide_trouble_waits_at_the_cap_and_never_parks() -> None:
    d = RetryPolicy(cap_s=900).decide(AuthFailed("keys revoked"), 1, NOW, random.Random(0))
    assert d == Retry(NOW + timedelta(seconds=900), "keys revoked")
