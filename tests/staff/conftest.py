from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.staff.pins import PinParams
from tests.store.conftest import db

__all__ = ["db"]  # the same database fixture as the store tests

# The real cost is ~0.1 s a hash: the tests that are not about the cost use a cheap one.
CHEAP = PinParams(n=2**4, r=1, p=1)


class Clock:
    """An injected clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()
