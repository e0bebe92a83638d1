"""Authentication as WC_REST_Authentication does it: OAuth over HTTP, Basic/query keys over TLS."""

from __future__ import annotations

import base64
import time

import aiohttp

from kiosk.sim.woocommerce import SimHandle, running_sim, sign_oauth
from tests.sim.woocommerce.conftest import small_export


async def _get(session: aiohttp.ClientSession, url: str, **kw: object) -> tuple[int, dict]:  # type: ignore[type-arg]
    async with session.get(url, **kw) as resp:  # type: ignore[arg-type]
        return resp.status, await resp.json(content_type=None)


def _basic(key: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


def _keys_in_query(sim: SimHandle) -> str:
    keys = f"consumer_key={sim.consumer_key}&consumer_secret={sim.consumer_secret}"
    return f"{sim.api_url}/products?{keys}"


def _auth_error(message: str) -> dict:  # type: ignore[type-arg]
    return {
        "code": "woocommerce_rest_authentication_error",
        "message": message,
        "data": {"status": 401},
    }


async def test_oauth_good_bad_stale_and_replayed(sim: SimHandle) -> None:
    url = f"{sim.api_url}/products"
    async with aiohttp.ClientSession() as s:
        signed = sign_oauth("GET", url, sim.consumer_key, sim.consumer_secret)
        assert (await _get(s, signed))[0] == 200
        assert await _get(s, signed) == (
            401,
            _auth_error("Invalid nonce - nonce has already been used."),
        )
        wrong = sign_oauth("GET", url, sim.consumer_key, "cs_" + "0" * 40)
        assert await _get(s, wrong) == (
            401,
            _auth_error("Invalid signature - provided signature does not match."),
        )
        stale = sign_oauth(
            "GET", url, sim.consumer_key, sim.consumer_secret, timestamp=int(time.time()) - 16 * 60
        )
        assert await _get(s, stale) == (401, _auth_error("Invalid timestamp."))
        unknown = sign_oauth("GET", url, "ck_" + "1" * 40, sim.consumer_secret)
        assert await _get(s, unknown) == (401, _auth_error("Consumer key is invalid."))
        # Signed for another host name than the store's own URL: the base string differs.
        other = sign_oauth(
            "GET", url.replace("127.0.0.1", "localhost"), sim.consumer_key, sim.consumer_secret
        )
        assert (await _get(s, other.replace("localhost", "127.0.0.1")))[1]["message"].startswith(
            "Invalid signature"
        )
        status, body = await _get(s, f"{url}?oauth_consumer_key={sim.consumer_key}")
        assert status == 401
        assert body["code"] == "woocommerce_rest_authentication_missing_parameter"
        assert body["message"].startswith("Missing OAuth parameters oauth_timestamp, oauth_nonce")


async def test_basic_and_query_keys_are_ignored_over_http(sim: SimHandle) -> None:
    denied = {
        "code": "woocommerce_rest_cannot_view",
        "message": "Sorry, you cannot list resources.",
        "data": {"status": 401},
    }
    async with aiohttp.ClientSession() as s:
        basic = _basic(sim.consumer_key, sim.consumer_secret)
        assert await _get(s, f"{sim.api_url}/products", headers=basic) == (401, denied)
        assert await _get(s, _keys_in_query(sim)) == (401, denied)


async def test_basic_and_query_keys_over_tls() -> None:
    async with running_sim(export=small_export(), tls=True) as sim:
        assert sim.url.startswith("https://127.0.0.1:")
        assert sim.ca_file is not None
        ctx = sim.ssl_context()
        assert ctx is not None
        conn = aiohttp.TCPConnector(ssl=ctx)
        async with aiohttp.ClientSession(connector=conn) as s:
            basic = _basic(sim.consumer_key, sim.consumer_secret)
            status, body = await _get(s, f"{sim.api_url}/products?per_page=1", headers=basic)
            assert status == 200
            assert len(body) == 1
            assert (await _get(s, _keys_in_query(sim)))[0] == 200
            bad = _basic(sim.consumer_key, "cs_wrong")
            assert await _get(s, f"{sim.api_url}/products", headers=bad) == (
                401,
                _auth_error("Consumer secret is invalid."),
            )
            stranger = _basic("ck_nobody", "cs_nobody")
            status, body = await _get(s, f"{sim.api_url}/products", headers=stranger)
            assert (status, body["code"]) == (401, "woocommerce_rest_cannot_view")


async def test_read_only_key_reads_but_cannot_write(sim: SimHandle) -> None:
    async with aiohttp.ClientSession() as s:
        url = sign_oauth("GET", f"{sim.api_url}/orders", sim.readonly_key, sim.readonly_secret)
        assert (await _get(s, url))[0] == 200
        post = sign_oauth("POST", f"{sim.api_url}/orders", sim.readonly_key, sim.readonly_secret)
        async with s.post(post, json={"line_items": [{"product_id": 101, "quantity": 1}]}) as resp:
            assert resp.status == 401
            assert await resp.json() == _auth_error(
                "The API key provided does not have write permissions."
            )
    assert sim.state.orders == {}
    assert len(sim.readonly_key) == len(sim.consumer_key) == 43
    assert sim.consumer_key.startswith("ck_")
