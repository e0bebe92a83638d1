"""test_connection: each thing a vendor can get wrong gives its own error and a useful message."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from kiosk.connectors.errors import (
    ApiDisabled,
    AuthFailed,
    NotAStore,
    PermissionDenied,
    StoreUnreachable,
    TLSFailure,
)
from kiosk.connectors.woocommerce import setup as woo_setup
from kiosk.sim.woocommerce import SimHandle, running_sim


@pytest.fixture
async def sim() -> AsyncIterator[SimHandle]:
    async with running_sim(products=5) as handle:
        yield handle


async def test_good_keys_describe_the_store(sim: SimHandle) -> None:
    info = await woo_setup.test_connection(
        sim.url + "/", sim.consumer_key, sim.consumer_secret, require_write=True
    )
    assert (info.platform, info.url, info.can_write) == ("woocommerce", sim.url, True)
    assert info.currency == sim.state.settings["woocommerce_currency"]
    assert info.name
    assert not sim.state.orders  # the write check created nothing


async def test_read_only_keys_are_detected_without_writing(sim: SimHandle) -> None:
    info = await woo_setup.test_connection(sim.url, sim.readonly_key, sim.readonly_secret)
    assert info.can_write is False
    with pytest.raises(PermissionDenied, match=r"read-only.*Read/Write"):
        await woo_setup.test_connection(
            sim.url, sim.readonly_key, sim.readonly_secret, require_write=True
        )
    assert not sim.state.orders


async def test_wrong_keys(sim: SimHandle) -> None:
    with pytest.raises(AuthFailed, match="consumer key and secret") as caught:
        await woo_setup.test_connection(sim.url, "ck_wrong", "cs_wrong")
    assert "cs_wrong" not in str(caught.value)
    with pytest.raises(AuthFailed, match="consumer secret"):
        await woo_setup.test_connection(sim.url, "ck_x", "")


async def test_unreachable_host() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StoreUnreachable, match="check the address"):
        await woo_setup.test_connection(f"https://127.0.0.1:{port}", "ck_a", "cs_b")


async def test_untrusted_certificate_then_trusted_with_its_ca() -> None:
    async with running_sim(products=3, tls=True) as sim:
        with pytest.raises(TLSFailure, match="CA certificate"):
            await woo_setup.test_connection(sim.url, sim.consumer_key, sim.consumer_secret)
        info = await woo_setup.test_connection(
            sim.url, sim.consumer_key, sim.consumer_secret, ca_file=sim.ca_file
        )
        assert info.can_write
        query = await woo_setup.test_connection(
            sim.url, sim.consumer_key, sim.consumer_secret, ca_file=sim.ca_file, query_auth=True
        )
        assert query == info


async def test_not_wordpress(sim: SimHandle) -> None:
    with pytest.raises(NotAStore, match="WordPress"):
        await woo_setup.test_connection(sim.url + "/blog", sim.consumer_key, sim.consumer_secret)
    with pytest.raises(NotAStore, match="https://"):
        await woo_setup.test_connection("shop.example", "ck_a", "cs_b")


async def _server(index: object, *, status: int = 200) -> TestServer:
    async def handler(request: web.Request) -> web.Response:
        if request.path.rstrip("/") == "/wp-json":
            return web.json_response(index, status=status)
        if request.path == "/moved/wp-json/":
            raise web.HTTPMovedPermanently("https://www.shop.example/wp-json/")
        body = {"code": "rest_no_route", "message": "No route was found.", "data": {}}
        return web.json_response(body, status=404)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


async def test_woocommerce_rest_disabled() -> None:
    server = await _server({"name": "Blog", "namespaces": ["oembed/1.0", "wp/v2"]})
    try:
        url = str(server.make_url("")).rstrip("/")
        with pytest.raises(ApiDisabled, match="WooCommerce REST API"):
            await woo_setup.test_connection(url, "ck_a", "cs_b")
        with pytest.raises(NotAStore, match=r"redirects to https://www\.shop\.example"):
            await woo_setup.test_connection(url + "/moved", "ck_a", "cs_b")
    finally:
        await server.close()


async def test_listed_but_not_served_and_locked_index() -> None:
    server = await _server({"name": "Shop", "namespaces": ["wc/v3"]})
    locked = await _server(
        {"code": "rest_login_required", "message": "REST API restricted"}, status=401
    )
    try:
        with pytest.raises(ApiDisabled, match="does not serve it"):
            await woo_setup.test_connection(str(server.make_url("")), "ck_a", "cs_b")
        with pytest.raises(ApiDisabled, match="security plugin"):
            await woo_setup.test_connection(str(locked.make_url("")), "ck_a", "cs_b")
    finally:
        await server.close()
        await locked.close()
