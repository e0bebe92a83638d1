"""The agent's WooCommerce webhook endpoint, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from kiosk.agent.webhooks import MAX_BODY
from kiosk.connectors.base import Hint
from kiosk.connectors.woocommerce import webhooks as woo
from tests.agent.raw_http import exchange, request_bytes
from tests.agent.receiver import serve_receiver

SECRET = "s3cret-for-tests"


@pytest.fixture
async def endpoint() -> AsyncIterator[tuple[str, list[Hint]]]:
    async with serve_receiver(SECRET) as served:
        yield served


def _headers(body: bytes, topic: str, delivery: str, secret: str = SECRET) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        woo.SIGNATURE: woo.signature(body, secret),
        woo.TOPIC: topic,
        woo.DELIVERY_ID: delivery,
        woo.WEBHOOK_ID: "7",
    }


async def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, object]]:
    data = io.BytesIO(body)  # aiohttp warns about large raw bytes bodies
    async with aiohttp.ClientSession() as s, s.post(url, data=data, headers=headers) as r:
        return r.status, await r.json(content_type=None) if r.status != 413 else {}


def test_signature_matches_woocommerces_formula() -> None:
    # base64(HMAC-SHA256(body, secret)), computed independently with openssl:
    # printf '{"id":1}' | openssl dgst -sha256 -hmac key -binary | base64
    assert woo.signature(b'{"id":1}', "key") == "yVxqfCx8dh6YTGjPZLS8qT8HJCkAqv27Mo07t1qw3LA="
    assert woo.verify(b'{"id":1}', "yVxqfCx8dh6YTGjPZLS8qT8HJCkAqv27Mo07t1qw3LA=", "key")
    assert not woo.verify(b'{"id":2}', "yVxqfCx8dh6YTGjPZLS8qT8HJCkAqv27Mo07t1qw3LA=", "key")
    assert not woo.verify(b'{"id":1}', None, "key")


async def test_signed_product_update_becomes_a_hint(endpoint: tuple[str, list[Hint]]) -> None:
    url, hints = endpoint
    body = json.dumps({"id": 42, "name": "Mug", "parent_id": 0}).encode()
    status, _ = await _post(url, body, _headers(body, "product.updated", "d1"))
    assert status == 200
    assert hints == [Hint("product", "42", False)]


async def test_variation_update_hints_its_parent(endpoint: tuple[str, list[Hint]]) -> None:
    url, hints = endpoint
    body = json.dumps({"id": 99, "parent_id": 42}).encode()
    assert (await _post(url, body, _headers(body, "product.updated", "d2")))[0] == 200
    body = json.dumps({"id": 7}).encode()
    assert (await _post(url, body, _headers(body, "product.deleted", "d3")))[0] == 200
    assert hints == [Hint("product", "42", False), Hint("product", "7", True)]


async def test_unsigned_or_wrongly_signed_is_401(endpoint: tuple[str, list[Hint]]) -> None:
    url, hints = endpoint
    body = json.dumps({"id": 42}).encode()
    wrong = _headers(body, "product.updated", "d4", secret="not-the-secret")
    assert (await _post(url, body, wrong))[0] == 401
    unsigned = _headers(body, "product.updated", "d5")
    del unsigned[woo.SIGNATURE]
    assert (await _post(url, body, unsigned))[0] == 401
    tampered = _headers(body, "product.updated", "d6")
    assert (await _post(url, body + b" ", tampered))[0] == 401
    assert hints == []


async def test_duplicate_delivery_is_acted_on_once(endpoint: tuple[str, list[Hint]]) -> None:
    url, hints = endpoint
    body = json.dumps({"id": 5}).encode()
    for _ in range(3):
        status, data = await _post(url, body, _headers(body, "product.updated", "same"))
        assert status == 200
    assert data == {"ok": True, "duplicate": True}
    assert hints == [Hint("product", "5", False)]


async def test_creation_ping_is_answered(endpoint: tuple[str, list[Hint]]) -> None:
    url, hints = endpoint
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert (await _post(url, b"webhook_id=12", headers))[0] == 200
    assert hints == []


async def test_oversized_body_is_refused(endpoint: tuple[str, list[Hint]]) -> None:
    url, hints = endpoint
    body = b'{"id": 1, "pad": "' + b"x" * MAX_BODY + b'"}'
    status, _ = await _post(url, body, _headers(body, "product.updated", "big"))
    assert status == 413
    assert hints == []


async def test_signed_garbage_is_400_and_ignored_topics_pass(
    endpoint: tuple[str, list[Hint]],
) -> None:
    url, hints = endpoint
    body = b"not json"
    assert (await _post(url, body, _headers(body, "product.updated", "g1")))[0] == 400
    body = json.dumps({"id": 3}).encode()
    assert (await _post(url, body, _headers(body, "order.created", "o1")))[0] == 200
    assert hints == []


# -- the verifier at the door: every malformed signature is a plain 401 -------------------------

GOOD_BODY = json.dumps({"id": 42, "parent_id": 0}).encode()
GOOD = woo.signature(GOOD_BODY, SECRET).encode()


@pytest.mark.parametrize(
    "given",
    [
        None,
        b"",
        b"   ",
        b"not base64 at all!!",
        base64.b64encode(b"\x00" * 16),  # base64, but half the length of a SHA-256 digest
        base64.b64encode(b"\x00" * 64),
        GOOD[:-4],
        GOOD + b"AAAA",
        b"\xff\xfe" + GOOD[2:],  # bytes that are not text at all
        "é".encode() + GOOD[1:],  # UTF-8, but not ASCII
        GOOD.lower(),
        woo.signature(GOOD_BODY, "another-secret").encode(),
    ],
)
async def test_a_bad_signature_header_is_401_and_hints_nothing(
    endpoint: tuple[str, list[Hint]], given: bytes | None
) -> None:
    url, hints = endpoint
    headers = {"Content-Type": b"application/json", woo.TOPIC: b"product.updated"}
    if given is not None:
        headers[woo.SIGNATURE] = given
    status, answer = await exchange(url, request_bytes(url, GOOD_BODY, headers))
    assert (status, json.loads(answer)) == (401, {"error": "bad signature"})
    assert hints == []
    # The same request, rightly signed, is taken: the refusal was the signature's alone.
    headers[woo.SIGNATURE] = GOOD
    assert (await exchange(url, request_bytes(url, GOOD_BODY, headers)))[0] == 200
    assert hints == [Hint("product", "42", False)]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (b"application/json", b"not json"),
        (b"application/json", b""),
        (b"application/x-www-form-urlencoded", b"webhook_id=12&then=more"),
        (b"application/x-www-form-urlencoded", b"webhook_id=\xff"),
        (b"text/plain", b"webhook_id=12"),
    ],
)
async def test_an_unsigned_body_that_is_not_the_ping_is_401(
    endpoint: tuple[str, list[Hint]], content_type: bytes, body: bytes
) -> None:
    url, hints = endpoint
    raw = request_bytes(url, body, {"Content-Type": content_type, woo.TOPIC: b"product.updated"})
    assert (await exchange(url, raw))[0] == 401
    assert hints == []


def test_the_verifier_never_raises() -> None:
    for given in ["\udcff" + GOOD.decode(), "é" * 44, "\x00", " " + GOOD.decode() + "\t"]:
        assert woo.verify(GOOD_BODY, given, SECRET) is given.startswith(" ")
    assert not woo.verify(GOOD_BODY, GOOD.decode(), "")


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # nested past the parser
        b"\xff\xfe{}",
        json.dumps({"id": True}).encode(),
        json.dumps({"id": "../orders"}).encode(),
        json.dumps({"id": 2**70}).encode(),
        json.dumps({"id": 5, "parent_id": "x"}).encode(),
    ],
)
async def test_signed_but_unusable_bodies_are_400(
    endpoint: tuple[str, list[Hint]], body: bytes
) -> None:
    url, hints = endpoint
    assert (await _post(url, body, _headers(body, "product.updated", "u1")))[0] == 400
    assert hints == []
