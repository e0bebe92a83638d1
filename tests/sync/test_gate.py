"""The send gate: what stops uploads for everyone, and what lets them go again."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from kiosk.connectors.errors import (
    AuthFailed,
    ConnectionLost,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    ServerError,
    StoreUnreachable,
    Timeout,
    TLSFailure,
)
from kiosk.sync.gate import SendGate, device_wide, link_down
from kiosk.sync.policy import RetryPolicy

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
REFUSED = StoreUnreachable("no connection to shop.example: refused")


def _gate() -> SendGate:
    return SendGate(RetryPolicy(base_s=10, cap_s=300), threshold=3, rng=random.Random(0))


def test_only_a_connection_that_could_not_be_made_speaks_for_the_link() -> None:
    assert link_down(REFUSED)
    assert link_down(TLSFailure("certificate of shop.example could not be verified"))
    for one_request in (
        ConnectionLost("GET /orders: the connection was lost"),
        OutcomeUnknown("POST /orders: no answer"),
        ServerError("502", 502),
        Timeout("GET /orders: no answer within 30 s"),
        Rejected("Invalid product ID 4.", status=400),
    ):
        assert not link_down(one_request), one_request
    assert device_wide(AuthFailed("keys revoked"))
    assert not device_wide(Rejected("Invalid product ID 4.", status=400))
    assert not device_wide(REFUSED)


def test_single_request_trouble_never_closes_the_gate() -> None:
    gate = _gate()
    for _ in range(20):
        gate.failed(ConnectionLost("lost"), NOW)
        gate.failed(OutcomeUnknown("lost"), NOW)
        gate.failed(ServerError("boom", 503), NOW)
    assert gate.allowance(NOW, 4) == 4
    assert gate.opens_at(NOW) is None


def test_refusals_in_a_row_close_it_then_one_probe_goes() -> None:
    gate = _gate()
    gate.failed(REFUSED, NOW)
    gate.failed(REFUSED, NOW)
    assert gate.allowance(NOW, 4) == 4  # two could be chance
    gate.failed(REFUSED, NOW)
    assert gate.allowance(NOW, 4) == 0
    opens = gate.opens_at(NOW)
    assert opens is not None
    # A probe's backoff: a fifth of an order's (base 10 s), so one to two seconds.
    assert NOW + timedelta(seconds=1) <= opens <= NOW + timedelta(seconds=2)
    assert gate.is_down
    assert gate.allowance(opens, 4) == 1  # a probe, not the whole queue
    gate.failed(REFUSED, opens)
    later = gate.opens_at(opens)
    assert later is not None
    assert later - opens >= timedelta(seconds=2)  # longer each time
    for _ in range(20):
        gate.failed(REFUSED, opens)
    capped = gate.opens_at(opens)
    assert capped is not None
    assert capped - opens <= timedelta(seconds=30)  # a tenth of the order cap


def test_an_answer_opens_it_for_all() -> None:
    gate = _gate()
    for _ in range(5):
        gate.failed(REFUSED, NOW)
    gate.reached()
    assert (gate.allowance(NOW, 4), gate.is_down, gate.reason) == (4, False, "")


def test_the_network_saying_the_link_is_back_opens_it() -> None:
    gate = _gate()
    for _ in range(3):
        gate.failed(REFUSED, NOW)
    gate.link_restored()
    assert gate.allowance(NOW, 4) == 4


def test_device_wide_trouble_closes_it_at_the_cap() -> None:
    gate = _gate()
    gate.failed(AuthFailed("the store refused the API keys"), NOW)
    assert gate.opens_at(NOW) == NOW + timedelta(seconds=300)
    assert gate.reason == "the store refused the API keys"


def test_retry_after_holds_even_after_an_answer() -> None:
    gate = _gate()
    gate.failed(RateLimited("slow down", retry_after=45), NOW)
    gate.reached()
    assert gate.allowance(NOW + timedelta(seconds=44), 4) == 0
    assert gate.allowance(NOW + timedelta(seconds=45), 4) == 4
    assert not gate.is_down  # the link is fine; the store asked for time
