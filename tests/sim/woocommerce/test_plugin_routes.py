"""The companion plugin's kiosk/v1 routes in the simulator: shape, paging, filters, auth, faults."""

from __future__ import annotations

import argparse
import time
from collections.abc import AsyncIterator, Mapping
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from kiosk.cli.sim_cmd import add_woocommerce_parser
from kiosk.sim.woocommerce import SimHandle, plugin_routes, running_sim, sign_oauth
from kiosk.sim.woocommerce.plugin_routes import PLUGIN_API
from tests.sim.woocommerce.conftest import Clock, small_export

Answer = tuple[int, Any, Mapping[str, str]]


class Kiosk:
    """Signed GETs to /wp-json/kiosk/v1 (OAuth 1.0a over HTTP, as the device does)."""

    def __init__(self, sim: SimHandle, session: aiohttp.ClientSession) -> None:
        self.sim, self.session = sim, session

    async def get(
        self, path: str, *, key: str | None = None, secret: str | None = None, sign: bool = True
    ) -> Answer:
        url = f"{self.sim.url}{PLUGIN_API}/{path}"
        if sign:
            key, secret = key or self.sim.consumer_key, secret or self.sim.consumer_secret
            url = sign_oauth("GET", url, key, secret)
        async with self.session.get(url) as resp:
            return resp.status, await resp.json(content_type=None), resp.headers

    async def wc(self, path: str) -> Any:
        url = sign_oauth(
            "GET", f"{self.sim.api_url}/{path}", self.sim.consumer_key, self.sim.consumer_secret
        )
        async with self.session.get(url) as resp:
            assert resp.status == 200
            return await resp.json()


@pytest.fixture
async def kiosk(sim: SimHandle) -> AsyncIterator[Kiosk]:
    async with aiohttp.ClientSession() as session:
        yield Kiosk(sim, session)


@pytest.fixture
async def big() -> AsyncIterator[Kiosk]:
    """A generated store with 490 variations (2.45 default pages)."""
    store = running_sim(products=140, seed=4, variable_share=0.5, variations_per=7)
    async with store as sim, aiohttp.ClientSession() as session:
        yield Kiosk(sim, session)


def live_variations(sim: SimHandle) -> list[int]:
    return sorted(
        int(v["id"]) for v in sim.state.variations.values() if v["status"] in ("publish", "private")
    )


async def test_the_index_lists_the_namespace_only_with_the_plugin() -> None:
    for plugin in (True, False):
        store = running_sim(export=small_export(), plugin=plugin)
        async with store as sim, aiohttp.ClientSession() as session:
            async with session.get(f"{sim.url}/wp-json/") as resp:
                namespaces = (await resp.json())["namespaces"]
            status, body, _ = await Kiosk(sim, session).get("info")
        assert ("kiosk/v1" in namespaces) is plugin
        assert "wc/v3" in namespaces
        if plugin:
            assert status == 200
            assert body == {
                "version": plugin_routes.PLUGIN_VERSION,
                "namespace": "kiosk/v1",
                "endpoints": list(plugin_routes.ENDPOINTS),
            }
        else:
            assert (status, body["code"]) == (404, "rest_no_route")


async def test_variations_page_by_id_with_wordpress_headers(big: Kiosk) -> None:
    expected = live_variations(big.sim)
    assert len(expected) == 490
    status, first, headers = await big.get("variations")
    assert status == 200
    assert [v["id"] for v in first] == expected[:200]  # default per_page is 200
    assert headers["X-WP-Total"] == "490"
    assert headers["X-WP-TotalPages"] == "3"
    assert 'rel="next"' in headers["Link"]
    assert "page=2" in headers["Link"]
    _, last, headers = await big.get("variations?page=3")
    assert [v["id"] for v in last] == expected[400:]
    assert 'rel="next"' not in headers["Link"]
    _, whole, headers = await big.get("variations?per_page=500")
    assert [v["id"] for v in whole] == expected
    assert headers["X-WP-TotalPages"] == "1"
    assert (await big.get("variations?page=9"))[:2] == (200, [])


async def test_per_page_is_1_to_500(big: Kiosk) -> None:
    message = "per_page must be between 1 (inclusive) and 500 (inclusive)"
    for bad in ("0", "501"):
        status, body, _ = await big.get(f"variations?per_page={bad}")
        assert status == 400
        assert body["code"] == "rest_invalid_param"
        assert body["data"]["params"] == {"per_page": message}
    status, body, headers = await big.get("variations?per_page=1")
    assert (status, len(body), headers["X-WP-TotalPages"]) == (200, 1, "490")


async def test_items_are_wc_v3_variation_items_plus_parent_id(kiosk: Kiosk) -> None:
    _, items, _ = await kiosk.get("variations")
    own = await kiosk.wc("products/110/variations?orderby=id&order=asc")
    assert [v["id"] for v in items] == [111, 112]
    assert items == [{**v, "parent_id": 110} for v in own]
    assert items[0]["_links"]["up"][0]["href"].endswith("/wp-json/wc/v3/products/110")


async def test_parent_filter_and_its_limit(big: Kiosk) -> None:
    parents = sorted(p["id"] for p in big.sim.state.products.values() if p["type"] == "variable")
    wanted = parents[3:5]
    _, items, headers = await big.get(f"variations?parent={wanted[0]},{wanted[1]}")
    expected = sorted(
        int(v["id"]) for v in big.sim.state.variations.values() if v["parent_id"] in wanted
    )
    assert [v["id"] for v in items] == expected
    assert {v["parent_id"] for v in items} == set(wanted)
    assert headers["X-WP-Total"] == str(len(expected))
    too_many = ",".join(str(i) for i in range(1, 102))
    status, body, _ = await big.get(f"variations?parent={too_many}")
    assert status == 400
    assert body["data"]["params"] == {"parent": "parent must contain at most 100 items."}


async def test_modified_after_in_gmt_and_site_time(kiosk: Kiosk, clock: Clock) -> None:
    clock.advance(3600)
    kiosk.sim.admin.set_price(112, "15.00")
    changed_at = clock.now.replace(tzinfo=None)
    before = (changed_at - timedelta(minutes=1)).isoformat()
    _, body, headers = await kiosk.get(f"variations?modified_after={before}&dates_are_gmt=true")
    assert [v["id"] for v in body] == [112]
    assert body[0]["regular_price"] == "15.00"
    assert headers["X-WP-Total"] == "1"
    _, body, _ = await kiosk.get(f"variations?modified_after={changed_at.isoformat()}")
    assert body == []  # strictly after, like WooCommerce
    status, body, _ = await kiosk.get("variations?modified_after=yesterday")
    assert (status, body["data"]["params"]) == (400, {"modified_after": "Invalid date."})


async def test_product_ids_are_the_live_products_in_one_answer(kiosk: Kiosk) -> None:
    status, body, _ = await kiosk.get("product-ids")
    # 104 is a draft; 105 is private; variations (111, 112) are not products.
    assert (status, body) == (200, {"ids": [101, 102, 103, 105, 110]})
    kiosk.sim.admin.delete_product(102)
    assert (await kiosk.get("product-ids"))[1] == {"ids": [101, 103, 105, 110]}


@pytest.mark.parametrize("path", ["info", "product-ids", "variations"])
async def test_the_routes_take_woocommerce_keys_only(kiosk: Kiosk, path: str) -> None:
    status, body, _ = await kiosk.get(path, sign=False)
    assert (status, body["code"]) == (401, "woocommerce_rest_cannot_view")
    status, body, _ = await kiosk.get(path, secret="cs_" + "0" * 40)
    assert (status, body["code"]) == (401, "woocommerce_rest_authentication_error")
    sim = kiosk.sim
    status, _, _ = await kiosk.get(path, key=sim.readonly_key, secret=sim.readonly_secret)
    assert status == 200


async def test_faults_and_latency_apply_to_the_plugin_routes(kiosk: Kiosk) -> None:
    kiosk.sim.faults.add("503", path=f"{PLUGIN_API}/variations", retry_after=3)
    async with kiosk.session.get(
        sign_oauth(
            "GET",
            f"{kiosk.sim.url}{PLUGIN_API}/variations",
            kiosk.sim.consumer_key,
            kiosk.sim.consumer_secret,
        )
    ) as resp:
        assert (resp.status, resp.headers["Retry-After"]) == (503, "3")
    assert (await kiosk.get("variations"))[0] == 200
    kiosk.sim.context.latency_ms = 40
    started = time.monotonic()
    assert (await kiosk.get("product-ids"))[0] == 200
    assert time.monotonic() - started >= 0.04
    assert [(r.path, r.status) for r in kiosk.sim.requests[-3:]] == [
        (f"{PLUGIN_API}/variations", 503),
        (f"{PLUGIN_API}/variations", 200),
        (f"{PLUGIN_API}/product-ids", 200),
    ]


def test_the_cli_serves_without_the_plugin_on_request() -> None:
    parser = argparse.ArgumentParser()
    add_woocommerce_parser(parser.add_subparsers())
    assert parser.parse_args(["woocommerce"]).plugin is True
    assert parser.parse_args(["woocommerce", "--no-plugin"]).plugin is False
