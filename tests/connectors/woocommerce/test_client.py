"""WooClient's choke point against a scripted local server: errors, pacing, retries, paging."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from kiosk.connectors.errors import (
    AuthFailed,
    BadResponse,
    NotFound,
    OutcomeUnknown,
    PermissionDenied,
    RateLimited,
    Rejected,
    ServerError,
    StoreUnreachable,
    Timeout,
)
from kiosk.connectors.woocommerce.auth import Keys
from kiosk.connectors.woocommerce.client import (
    Page,
    Redirected,
    RouteMissing,
    WooClient,
    parse_retry_after,
)

KEYS = Keys("ck_test_key_1234", "cs_test_secret_5678")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Sleeps:
    """A fake sleep that records the delays asked for and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    servers: list[TestServer] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return str(server.make_url("")).rstrip("/")

    yield start
    for s in servers:
        await s.close()


def client(url: str, sleeps: Sleeps | None = None, **kw: Any) -> WooClient:
    return WooClient(url, KEYS, sleep=sleeps or Sleeps(), jitter=lambda: 1.0, **kw)


def error(status: int, code: str, message: str, **headers: str) -> web.Response:
    body = {"code": code, "message": message, "data": {"status": status}}
    return web.json_response(body, status=status, headers=headers)


# -- Retry-After ---------------------------------------------------------------------------------


def test_retry_after_seconds_and_http_dates() -> None:
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after(" 1.5 ", now) == 1.5
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90
    assert parse_retry_after(format_datetime(now - timedelta(seconds=5), usegmt=True), now) == 0
    assert parse_retry_after("-3", now) == 0
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("soon", now) is None


# -- pacing and retries --------------------------------------------------------------------------


async def test_429_is_paced_by_retry_after_then_succeeds(serve: Any) -> None:
    hits = 0

    async def handler(request: web.Request) -> web.Response:
        nonlocal hits
        hits += 1
        if hits <= 2:
            return web.Response(status=429, text="slow down", headers={"Retry-After": "3"})
        return web.json_response({"ok": True})

    sleeps = Sleeps()
    async with client(await serve(handler), sleeps) as c:
        assert await c.get("/products") == {"ok": True}
    assert hits == 3
    assert len(sleeps.delays) == 2
    assert all(d >= 3 for d in sleeps.delays)


async def test_429_storm_ends_in_rate_limited_with_retry_after(serve: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=429, headers={"Retry-After": "2"})

    sleeps = Sleeps()
    async with client(await serve(handler), sleeps, max_retries=3) as c:
        with pytest.raises(RateLimited) as caught:
            await c.get("/products")
    assert caught.value.retry_after == 2
    assert caught.value.retryable
    assert len(sleeps.delays) == 3
    # Exponential backoff, capped, never shorter than what the store asked.
    assert sleeps.delays == [2.0, 2.0, 4.0]


async def test_a_long_retry_after_is_handed_to_the_caller_at_once(serve: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=503, headers={"Retry-After": "600"})

    sleeps = Sleeps()
    async with client(await serve(handler), sleeps, max_retry_after=60) as c:
        with pytest.raises(RateLimited) as caught:
            await c.get("/products")
    assert caught.value.retry_after == 600
    assert sleeps.delays == []


async def test_5xx_reads_are_retried_then_server_error(serve: Any) -> None:
    hits = 0

    async def handler(request: web.Request) -> web.Response:
        nonlocal hits
        hits += 1
        return web.Response(status=502, text="<html>bad gateway</html>")

    sleeps = Sleeps()
    async with client(await serve(handler), sleeps, read_retries=2) as c:
        with pytest.raises(ServerError) as caught:
            await c.get("/products")
    assert caught.value.status == 502
    assert hits == 3
    assert len(sleeps.delays) == 2


async def test_a_5xx_on_a_write_is_an_unknown_outcome_never_resent(serve: Any) -> None:
    hits = 0

    async def handler(request: web.Request) -> web.Response:
        nonlocal hits
        hits += 1
        return web.Response(status=500)

    async with client(await serve(handler)) as c:
        with pytest.raises(OutcomeUnknown):
            await c._request("POST", "/orders", json={}, write=True)
    assert hits == 1


# -- failures mapped -----------------------------------------------------------------------------


async def test_write_timeout_is_outcome_unknown_and_read_timeout_is_timeout(serve: Any) -> None:
    release = asyncio.Event()

    async def handler(request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response({})

    async with client(await serve(handler), timeout=0.2) as c:
        with pytest.raises(OutcomeUnknown, match="may or may not"):
            await c._request("POST", "/orders", json={"a": 1}, write=True)
        with pytest.raises(Timeout):
            await c.get("/products")
    release.set()


async def test_lost_connection_on_write_is_outcome_unknown(serve: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        await request.read()
        assert request.transport is not None
        request.transport.abort()
        raise asyncio.CancelledError

    async with client(await serve(handler)) as c:
        with pytest.raises(OutcomeUnknown):
            await c._request("POST", "/orders", json={}, write=True)


async def test_refused_connection_is_unreachable() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with client(f"http://127.0.0.1:{port}") as c:
        with pytest.raises(StoreUnreachable, match=r"127\.0\.0\.1"):
            await c._request("POST", "/orders", json={}, write=True)


@pytest.mark.parametrize(
    ("status", "code", "message", "write", "expected"),
    [
        (
            401,
            "woocommerce_rest_authentication_error",
            "Consumer key is invalid.",
            False,
            AuthFailed,
        ),
        (
            401,
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot list resources.",
            False,
            AuthFailed,
        ),
        (
            401,
            "woocommerce_rest_authentication_error",
            "The API key provided does not have write permissions.",
            True,
            PermissionDenied,
        ),
        (
            401,
            "woocommerce_rest_cannot_create",
            "Sorry, you are not allowed.",
            True,
            PermissionDenied,
        ),
        (403, "woocommerce_rest_cannot_view", "Sorry.", False, PermissionDenied),
        (404, "rest_no_route", "No route was found.", False, RouteMissing),
        (404, "woocommerce_rest_product_invalid_id", "Invalid ID.", False, NotFound),
        (400, "woocommerce_rest_invalid_product_id", "Invalid product ID 99.", True, Rejected),
    ],
)
async def test_store_errors_map_to_the_tree(
    serve: Any, status: int, code: str, message: str, write: bool, expected: type[Exception]
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return error(status, code, message)

    async with client(await serve(handler)) as c:
        with pytest.raises(expected) as caught:
            await c._request("POST" if write else "GET", "/orders", json={}, write=write)
    assert message.rstrip(".") in str(caught.value)
    if isinstance(caught.value, Rejected):
        assert (caught.value.status, caught.value.code) == (status, code)
        assert str(caught.value) == message


async def test_non_json_is_bad_response_and_redirects_say_where(serve: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        if request.path.endswith("/moved"):
            raise web.HTTPFound("https://elsewhere.example/?consumer_secret=cs_leak")
        return web.Response(text="<html>Hello</html>", content_type="text/html")

    async with client(await serve(handler)) as c:
        with pytest.raises(BadResponse, match="text/html"):
            await c.get("/products")
        with pytest.raises(Redirected) as caught:
            await c.get("/moved")
    assert "elsewhere.example" in str(caught.value)
    assert "cs_leak" not in str(caught.value)


async def test_keys_never_reach_error_messages(serve: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=400, text=f"bad request {request.query_string}")

    async with client(await serve(handler), query_auth=False) as c:
        with pytest.raises(Rejected) as caught:
            await c.get("/products", {"search": "x"})
    assert KEYS.secret not in str(caught.value)
    assert KEYS.key not in str(caught.value)


# -- paging --------------------------------------------------------------------------------------


class Gate:
    """Holds requests in the handler until `bound` of them are in, so they surely overlap.

    Once the bound is reached the gate stays open; `most` is the most requests ever inside.
    """

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self.inside = self.most = 0
        self.full = asyncio.Event()

    async def hold(self) -> None:
        self.inside += 1
        self.most = max(self.most, self.inside)
        if self.inside >= self.bound:
            self.full.set()
        try:
            await self.full.wait()
        finally:
            self.inside -= 1


def paged(total: int, per_page_seen: list[int], gate: Gate | None = None) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        page, per_page = int(request.query["page"]), int(request.query["per_page"])
        per_page_seen.append(per_page)
        if gate is not None and page > 1:  # page 1 comes alone: it says how many follow
            await gate.hold()
        items = [{"id": i} for i in range(1, total + 1)][(page - 1) * per_page : page * per_page]
        pages = -(-total // per_page)
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        return web.Response(
            text=json.dumps(items), headers=headers, content_type="application/json"
        )

    return handler


async def test_pages_come_in_order_with_bounded_concurrency(serve: Any) -> None:
    seen: list[int] = []
    gate = Gate(3)
    url = await serve(paged(1050, seen, gate))
    done = {n: asyncio.Event() for n in range(1, 12)}
    finished: list[int] = []

    async def numbers(page: Page) -> tuple[int, list[int], str | None]:
        # Each even page waits until the page after it is done: pages finish out of order.
        if page.number % 2 == 0 and page.number + 1 in done:
            await done[page.number + 1].wait()
        finished.append(page.number)
        done[page.number].set()
        return page.number, [o["id"] for o in page.items], page.next_cursor

    got = []
    async with asyncio.timeout(60), client(url, concurrency=3) as c:  # a hang fails, not waits
        async for result in c.pages("/products", {}, then=numbers):
            got.append(result)
    assert finished.index(3) < finished.index(2)
    assert [g[0] for g in got] == list(range(1, 12))
    assert [i for g in got for i in g[1]] == list(range(1, 1051))
    assert [g[2] for g in got] == [*(str(n) for n in range(2, 12)), None]
    assert gate.most == 3
    assert set(seen) == {100}


async def test_resume_starts_at_the_cursor_page(serve: Any) -> None:
    url = await serve(paged(250, []))
    async with client(url) as c:
        assert [o["id"] for o in await c.get_all("/products")] == list(range(1, 251))
        firsts = [p async for p in c.pages("/products", {}, start=3, then=_first_id)]
    assert firsts == [201]


async def _first_id(page: Page) -> int:
    return int(page.items[0]["id"])
