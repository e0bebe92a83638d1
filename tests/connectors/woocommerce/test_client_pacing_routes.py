"""The Woo client's shared 429 pause, and sites without pretty permalinks (?rest_route=)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from kiosk.config import load_config
from kiosk.config_platforms import WooCommerceConfig
from kiosk.connectors.errors import NotAStore
from kiosk.connectors.woocommerce.auth import Keys
from kiosk.connectors.woocommerce.client import WooClient
from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.connectors.woocommerce.setup import check_client, test_connection
from kiosk.sim.woocommerce import running_sim
from tests.cli.test_provision import kiosk
from tests.sim.woocommerce.conftest import small_export

KEYS = Keys("ck_test", "cs_test")


class HeldSleep:
    """A sleep that returns only when the test lets it: the 429's pause, held open."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, delay: float) -> None:
        self.asked.append(delay)
        self.started.set()
        await self.release.wait()


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[str]]]:
    seen: list[str] = []
    first = True

    async def handler(request: web.Request) -> web.Response:
        nonlocal first
        seen.append(request.path)
        if request.path.endswith("/orders") and first:
            first = False
            return web.Response(status=429, headers={"Retry-After": "5"})
        return web.json_response([])

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    yield str(test_server.make_url("")).rstrip("/"), seen
    await test_server.close()


async def test_one_429_holds_back_the_clients_other_requests(
    server: tuple[str, list[str]],
) -> None:
    url, seen = server
    sleep = HeldSleep()
    async with WooClient(url, KEYS, sleep=sleep, jitter=lambda: 1.0, query_auth=True) as c:
        paced = asyncio.ensure_future(c.get("/orders"))
        await sleep.started.wait()  # /orders got its 429 and is pausing
        other = asyncio.ensure_future(c.get("/products"))
        for _ in range(20):  # let /products run as far as it can
            await asyncio.sleep(0)
        assert not other.done()
        assert seen == ["/wp-json/wc/v3/orders"], "nothing else is sent during the pause"
        sleep.release.set()
        assert await paced == []
        assert await other == []
    assert sorted(seen[1:]) == ["/wp-json/wc/v3/orders", "/wp-json/wc/v3/products"]
    assert sleep.asked == [5.0]


async def test_the_pause_lifts_when_the_longest_wait_is_over() -> None:
    sleep = HeldSleep()
    c = WooClient("https://shop.example", KEYS, sleep=sleep)
    first = asyncio.ensure_future(c._pause(1))
    await sleep.started.wait()
    second = asyncio.ensure_future(c._pause(2))
    await asyncio.sleep(0)
    assert not c._go.is_set()
    sleep.release.set()
    await asyncio.gather(first, second)
    assert c._go.is_set()
    assert sleep.asked == [1, 2]


@pytest.mark.parametrize("tls", [False, True], ids=["http-oauth", "https-basic"])
async def test_provisioning_finds_rest_route_and_the_connector_uses_it(tls: bool) -> None:
    async with running_sim(export=small_export(), pretty_permalinks=False, tls=tls) as sim:
        info = await test_connection(
            sim.url, sim.consumer_key, sim.consumer_secret, ca_file=sim.ca_file, require_write=True
        )
        assert dict(info.settings) == {"api_route": "rest_route"}
        assert info.currency == "GBP"
        async with WooConnector.connect(
            sim.url, sim.consumer_key, sim.consumer_secret, ca_file=sim.ca_file, rest_route=True
        ) as conn:
            ids = await conn.product_ids()
            assert "101" in ids
            batches = [b async for b in conn.products()]
            assert sum(len(b.items) for b in batches) >= 4
        entry = {r.path for r in sim.requests}
        assert "/wp-json/wc/v3/products" in entry  # reached through /index.php?rest_route=


async def test_a_site_with_pretty_permalinks_stays_on_wp_json() -> None:
    async with running_sim(export=small_export()) as sim:
        client = WooClient(sim.url, Keys(sim.consumer_key, sim.consumer_secret))
        async with client:
            info = await check_client(client)
        assert dict(info.settings) == {"api_route": "pretty"}
        assert client.rest_route is False


async def test_a_site_that_is_not_wordpress_either_way_is_still_not_a_store() -> None:
    async def html(request: web.Request) -> web.Response:
        return web.Response(status=404, text="<html>no</html>", content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", html)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        client = WooClient(str(server.make_url("")).rstrip("/"), KEYS)
        async with client:
            with pytest.raises(NotAStore):
                await check_client(client)
        assert client.rest_route is False
    finally:
        await server.close()


async def test_provisioning_a_plain_permalink_site_saves_rest_route_and_sync_uses_it(
    tmp_path: Path,
) -> None:
    async with running_sim(products=12, pretty_permalinks=False) as sim:
        code, _, err = await kiosk(
            tmp_path,
            "provision",
            "woocommerce",
            "--url",
            sim.url,
            "--key",
            sim.consumer_key,
            "--secret",
            sim.consumer_secret,
        )
        assert code == 0, err
        config = load_config(None, tmp_path)
        assert config.section(WooCommerceConfig).api_route == "rest_route"
        code, _, err = await kiosk(tmp_path, "sync", "--once")
        assert code == 0, err
        products = [r for r in sim.requests if r.path == "/wp-json/wc/v3/products"]
        assert products
        assert all(r.status == 200 for r in products)
