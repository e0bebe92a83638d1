"""PHP's request parsing in the simulator: $_GET rules, OAuth over them, and ?rest_route=."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from kiosk.sim.woocommerce import SimHandle, running_sim, sign_oauth
from kiosk.sim.woocommerce.php_request import canonical_query, parse
from tests.sim.woocommerce.conftest import small_export


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a=1&a=2", {"a": "2"}),  # the last value of a name wins
        ("a[]=1&a[]=2", {"a": {"0": "1", "1": "2"}}),  # name[] appends, under "a"
        ("a[x]=1&a[y][]=2", {"a": {"x": "1", "y": {"0": "2"}}}),
        ("a[]=1&a=2", {"a": "2"}),  # a plain value replaces the array
        ("a=2&a[]=1", {"a": {"0": "1"}}),  # and the other way round
        ("q=a+b&r=a%20b&s=a%2Bb", {"q": "a b", "r": "a b", "s": "a+b"}),
        ("my.name=1&my name=2", {"my_name": "2"}),  # dots and spaces become _
        ("a[b=1", {"a_b": "1"}),  # an unclosed [ becomes _
        ("=1&&b", {"b": ""}),  # no name: dropped; no = : empty value
        ("%61=1", {"a": "1"}),  # names are decoded too
    ],
)
def test_parse_like_php(raw: str, expected: dict[str, Any]) -> None:
    assert parse(raw) == expected


def test_canonical_query_round_trips() -> None:
    params = parse("b=2&a[]=x+y&a[]=z&c[k]=1&b=3")
    assert canonical_query(params) == "b=3&a%5B%5D=x%20y&a%5B%5D=z&c[k]=1"
    assert parse(canonical_query(params)) == params


async def _get(session: aiohttp.ClientSession, url: str) -> tuple[int, Any]:
    async with session.get(url) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_a_query_sent_twice_signs_as_sent_once(sim: SimHandle) -> None:
    url = sign_oauth(
        "GET", f"{sim.api_url}/products?per_page=2", sim.consumer_key, sim.consumer_secret
    )
    async with aiohttp.ClientSession() as s:
        status, body = await _get(s, f"{url}&per_page=2")
        assert status == 200
        assert len(body) == 2
        # A different value later in the string: PHP keeps the last, the signature breaks.
        url = sign_oauth(
            "GET", f"{sim.api_url}/products?per_page=2", sim.consumer_key, sim.consumer_secret
        )
        status, body = await _get(s, f"{url}&per_page=3")
        assert (status, body["message"]) == (
            401,
            "Invalid signature - provided signature does not match.",
        )


async def test_routes_read_the_last_value_and_spaces_both_ways(sim: SimHandle) -> None:
    async with aiohttp.ClientSession() as s:
        url = sign_oauth(
            "GET",
            f"{sim.api_url}/products?per_page=1&per_page=3",
            sim.consumer_key,
            sim.consumer_secret,
        )
        assert len((await _get(s, url))[1]) == 3
        for raw in ("Product+101", "Product%20101"):
            url = sign_oauth(
                "GET", f"{sim.api_url}/products?search={raw}", sim.consumer_key, sim.consumer_secret
            )
            status, body = await _get(s, url)
            assert (status, [p["id"] for p in body]) == (200, [101])


async def test_array_parameters_sign_with_their_php_keys(sim: SimHandle) -> None:
    """WooCommerce signs `include[]=` as include[0], include[1]: a client that signs the names as
    sent (`include[]`, as RFC 5849 says) is refused; plain comma lists work for every client."""
    async with aiohttp.ClientSession() as s:
        url = sign_oauth(
            "GET",
            f"{sim.api_url}/products?include%5B%5D=101&include%5B%5D=102",
            sim.consumer_key,
            sim.consumer_secret,
        )
        assert (await _get(s, url))[0] == 401
        url = sign_oauth(
            "GET", f"{sim.api_url}/products?include=101,102", sim.consumer_key, sim.consumer_secret
        )
        status, body = await _get(s, url)
        assert (status, sorted(p["id"] for p in body)) == (200, [101, 102])


async def test_plain_permalinks_answer_only_at_rest_route() -> None:
    sim_cm = running_sim(export=small_export(), pretty_permalinks=False)
    async with sim_cm as sim, aiohttp.ClientSession() as s:
        signed = sign_oauth("GET", f"{sim.api_url}/products", sim.consumer_key, sim.consumer_secret)
        async with s.get(signed) as resp:
            assert resp.status == 404
            assert resp.content_type == "text/html"
        # WooCommerce signs for the home URL plus the path sent with the home's path cut off:
        # <home>/index.php for /index.php, but the bare <home> (no slash) for /, which an
        # RFC 5849 client never signs (it makes an empty path "/"). So /index.php it is.
        for entry, answer in (("/index.php", 200), ("/", 401)):
            url = sign_oauth(
                "GET",
                f"{sim.url}{entry}?rest_route=/wc/v3/products&per_page=2",
                sim.consumer_key,
                sim.consumer_secret,
            )
            status, body = await _get(s, url)
            assert status == answer, (entry, body)
            if answer == 200:
                assert len(body) == 2
        status, index = await _get(s, f"{sim.url}/?rest_route=/")
        assert status == 200
        assert "wc/v3" in index["namespaces"]
        status, missing = await _get(s, f"{sim.url}/?rest_route=/wc/v3/nothing")
        assert (status, missing["code"]) == (404, "rest_no_route")
    assert [r.path for r in sim.requests][-3:] == [
        "/wp-json/wc/v3/products",
        "/wp-json",
        "/wp-json/wc/v3/nothing",
    ]


async def test_rest_route_works_with_pretty_permalinks_too(sim: SimHandle) -> None:
    url = sign_oauth(
        "GET",
        f"{sim.url}/index.php?rest_route=/wc/v3/products/101",
        sim.consumer_key,
        sim.consumer_secret,
    )
    async with aiohttp.ClientSession() as s:
        status, body = await _get(s, url)
    assert (status, body["id"]) == (200, 101)


def test_the_cli_serves_plain_permalinks_on_request() -> None:
    import argparse

    from kiosk.cli.sim_cmd import add_woocommerce_parser

    parser = argparse.ArgumentParser()
    add_woocommerce_parser(parser.add_subparsers())
    assert parser.parse_args(["woocommerce"]).pretty_permalinks is True
    assert parser.parse_args(["woocommerce", "--plain-permalinks"]).pretty_permalinks is False
