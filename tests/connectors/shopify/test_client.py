"""The client's one `_request`: pacing on throttleStatus, retries, errors, a secret token."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from kiosk.connectors.errors import AuthFailed, BadResponse, NotAStore, RateLimited, ServerError
from kiosk.connectors.shopify import queries
from kiosk.connectors.shopify.client import ShopifyClient
from kiosk.connectors.shopify.connector import ShopifyConnector
from kiosk.connectors.shopify.pacing import Pacer, ThrottleStatus
from kiosk.sim.shopify import SimHandle, running_sim

LOCATION = "gid://shopify/Location/1"
PAGE = {"first": queries.PRODUCT_PAGE, "after": None, "query": None, "location": LOCATION}


@dataclass
class FakeTime:
    """One clock for the shop's bucket and the client: the client's sleeps move it."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def sim(time: FakeTime) -> AsyncIterator[SimHandle]:
    async with running_sim(products=40, monotonic=time, bucket_size=1000, restore_rate=50) as s:
        yield s


def _client(sim: SimHandle, time: FakeTime, **options: object) -> ShopifyClient:
    return ShopifyClient(sim.url, sim.token, sleep=time.sleep, clock=time, **options)  # type: ignore[arg-type]


def test_the_wait_is_what_the_restore_rate_needs_for_the_cost() -> None:
    pacer = Pacer()
    assert pacer.wait_for(500, now=0) == 0  # nothing known yet: send, and learn
    pacer.settle(0, ThrottleStatus(maximum=1000, available=100, restore_rate=50), now=10)
    assert pacer.wait_for(500, now=10) == pytest.approx(8.0)  # (500 - 100) / 50
    assert pacer.wait_for(500, now=14) == pytest.approx(4.0)  # 200 points came back meanwhile
    assert pacer.wait_for(90, now=10) == 0
    pacer.reserve(100)  # a request in flight holds its points
    assert pacer.wait_for(90, now=10) == pytest.approx(1.8)
    assert pacer.wait_for(5000, now=10) == pytest.approx(20.0)  # never more than the bucket


async def test_queries_are_paced_on_the_reported_bucket(sim: SimHandle, time: FakeTime) -> None:
    async with _client(sim, time) as client:
        await client.query(queries.PRODUCTS, PAGE)
        status = client.pacer.status
        assert status is not None
        cost = client.pacer.costs[queries.PRODUCTS]
        assert cost > status.available  # the same page again does not fit: it must wait
        await client.query(queries.PRODUCTS, PAGE)
    assert time.sleeps == [pytest.approx((cost - status.available) / status.restore_rate)]
    assert "THROTTLED" not in str(sim.faults.fired)  # it waited instead of being refused


async def test_a_throttled_query_waits_for_its_cost_and_is_sent_again(
    sim: SimHandle, time: FakeTime
) -> None:
    async with _client(sim, time) as client:
        await client.query(queries.SHOP)
        cost = client.pacer.costs[queries.SHOP]
        sim.faults.add("throttled")  # someone else's app emptied the bucket
        data = await client.query(queries.SHOP)
    assert data["shop"]["currencyCode"] == "GBP"
    assert time.sleeps == [pytest.approx(cost / 50)]  # from empty, at 50 points a second


async def test_server_errors_on_queries_are_retried_then_reported(
    sim: SimHandle, time: FakeTime
) -> None:
    async with _client(sim, time, jitter=lambda: 0.0) as client:
        sim.faults.add("503", count=2)
        assert (await client.query(queries.SHOP))["shop"]["name"]
        sim.faults.add("500", count=3)
        with pytest.raises(ServerError):
            await client.query(queries.SHOP)
    assert time.sleeps == [0.5, 1.0, 0.5, 1.0]


async def test_a_dropped_answer_to_a_query_is_asked_again(sim: SimHandle, time: FakeTime) -> None:
    async with _client(sim, time, jitter=lambda: 0.0) as client:
        sim.faults.add("drop")
        assert (await client.query(queries.SHOP))["shop"]["name"]


async def test_refusals_are_named(sim: SimHandle, time: FakeTime) -> None:
    async with ShopifyClient(sim.url, "shpat_wrong", sleep=time.sleep, clock=time) as client:
        with pytest.raises(AuthFailed, match="refused the Admin API access token"):
            await client.query(queries.SHOP)
    async with _client(sim, time, api_version="1999-01") as client:
        with pytest.raises(NotAStore, match="no Admin API 1999-01"):
            await client.query(queries.SHOP)
    async with _client(sim, time) as client:
        with pytest.raises(BadResponse, match="Cannot query field"):
            await client.query("{ shop { noSuchField } }")


async def test_the_token_is_never_logged(
    sim: SimHandle, time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sim.faults.add("503")
    sim.faults.add("throttled")
    sim.faults.add("drop")
    connector = ShopifyConnector(_client(sim, time, jitter=lambda: 0.0), locale="en_GB")
    async with connector:
        await connector.check()
        async for _ in connector.products():
            pass
        assert sim.token not in repr(connector.client.__dict__.get("pacer"))
    async with ShopifyClient(sim.url, sim.token + "x", sleep=time.sleep, clock=time) as client:
        with pytest.raises(AuthFailed) as refused:
            await client.query(queries.SHOP)
    assert sim.token not in str(refused.value)
    assert caplog.records  # the run did log (waits, retries, requests)
    assert not [r for r in caplog.records if sim.token in r.getMessage()]


async def test_a_429_waits_as_long_as_retry_after_says(sim: SimHandle, time: FakeTime) -> None:
    async with _client(sim, time) as client:
        sim.faults.add("429")
        sim.faults.pending[0].retry_after = 2.0
        assert (await client.query(queries.SHOP))["shop"]["name"]
    assert time.sleeps == [2.0]


async def test_a_shop_that_stays_throttled_is_reported(sim: SimHandle, time: FakeTime) -> None:
    async with _client(sim, time, throttle_retries=2) as client:
        sim.faults.add("throttled", count=5)
        with pytest.raises(RateLimited, match="still throttled after 3 tries"):
            await client.query(queries.SHOP)


async def test_a_query_with_no_answer_in_time_is_asked_again(
    sim: SimHandle, time: FakeTime
) -> None:
    # The held request never answers within the client's timeout (a real one: it is what is
    # being tested); the shop is released once the client has given up on it.
    async with _client(sim, time, timeout=0.2, jitter=lambda: 0.0) as client:
        sim.faults.add("timeout")
        assert (await client.query(queries.SHOP))["shop"]["name"]
        sim.faults.release()
    assert time.sleeps == [0.5]


async def test_a_lost_answer_to_the_bulk_run_adopts_the_operation_it_started(
    sim: SimHandle, time: FakeTime
) -> None:
    sim.bucket.restore_rate = 1e6
    sim.faults.add("drop_after_commit", match="bulkOperationRunQuery")
    connector = ShopifyConnector(
        _client(sim, time, jitter=lambda: 0.0), bulk_threshold=5, bulk_poll=0.01
    )
    async with connector:
        items = [p async for b in connector.products() for p in b.items]
    assert sim.bulk.started == 1  # the retry found it running and read its file
    assert len({p.id for p in items if p.parent_id is None}) == len(
        [p for p in sim.state.products.values() if p["status"] in ("ACTIVE", "UNLISTED")]
    )
