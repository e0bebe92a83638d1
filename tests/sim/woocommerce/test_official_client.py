"""The official `woocommerce` Python client (PyPI) against the simulator, as against a real store.

Over plain HTTP it signs with OAuth 1.0a and sends the query string twice (in the signed URL and
again as `params=`); WooCommerce accepts that because PHP keeps one value per name. Over HTTPS it
uses Basic auth, or the keys in the query string with `query_string_auth=True`. The client is
synchronous (requests), so each call runs in a thread while the simulator serves in the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from woocommerce import API

from kiosk.sim.woocommerce import SimHandle, running_sim
from tests.sim.woocommerce.conftest import small_export


def client(sim: SimHandle, **extra: Any) -> API:
    verify: Any = str(sim.ca_file) if sim.ca_file is not None else True
    return API(
        url=sim.url,
        consumer_key=sim.consumer_key,
        consumer_secret=sim.consumer_secret,
        version="wc/v3",
        timeout=10,
        verify_ssl=verify,
        **extra,
    )


async def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    response = await asyncio.to_thread(fn, *args, **kwargs)
    return response.status_code, response.json()


@pytest.fixture(params=["http-oauth", "https-basic", "https-query"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[tuple[SimHandle, API]]:
    tls = request.param != "http-oauth"
    async with running_sim(export=small_export(), tls=tls) as sim:
        yield sim, client(sim, query_string_auth=request.param == "https-query")


async def test_get_with_parameters(store: tuple[SimHandle, API]) -> None:
    sim, api = store
    status, body = await call(
        api.get, "products", params={"per_page": 2, "orderby": "id", "order": "asc"}
    )
    assert status == 200
    assert [p["id"] for p in body] == [101, 102]
    status, body = await call(
        api.get, "products", params={"include": "103,101", "orderby": "include"}
    )
    assert (status, [p["id"] for p in body]) == (200, [103, 101])
    if sim.url.startswith("http:"):
        # The client really did send each parameter twice, as it does against a real store.
        seen = [r for r in sim.requests if r.path.endswith("/products")][-1]
        assert seen.status == 200


async def test_post_put_and_delete(store: tuple[SimHandle, API]) -> None:
    sim, api = store
    status, order = await call(
        api.post, "orders", {"line_items": [{"product_id": 101, "quantity": 2}], "set_paid": True}
    )
    assert status == 201
    assert sim.state.orders[order["id"]]["line_items"][0]["quantity"] == 2
    status, product = await call(
        api.put, "products/102", {"regular_price": "1.25"}, params={"_fields": "id,price"}
    )
    assert (status, product) == (200, {"id": 102, "price": "1.25"})
    assert sim.state.products[102]["price"] == "1.25"
    status, gone = await call(api.delete, "products/103", params={"force": True})
    assert (status, gone["id"]) == (200, 103)
    assert 103 not in sim.state.products


async def test_wrong_secret_is_refused(store: tuple[SimHandle, API]) -> None:
    sim, api = store
    api.consumer_secret = "cs_" + "0" * 40
    status, body = await call(api.get, "products", params={"per_page": 1})
    assert status == 401
    assert body["code"] in ("woocommerce_rest_authentication_error", "woocommerce_rest_cannot_view")
    assert sim.state.orders == {}
