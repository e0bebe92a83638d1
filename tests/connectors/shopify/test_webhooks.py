"""Shopify's webhook reader: the signature, each topic's hint, the dedupe key, and the receiver."""

from __future__ import annotations

import base64
import json

import aiohttp
import pytest
from aiohttp import web

from kiosk.agent.webhooks import WebhookReceiver, make_app
from kiosk.connectors.base import Delivery, Hint
from kiosk.connectors.shopify import webhooks as shop
from kiosk.connectors.shopify.platform import SHOPIFY

SECRET = "shpss-test-secret"


def _headers(body: bytes, topic: str, event: str = "ev-1", secret: str = SECRET) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        shop.SIGNATURE: shop.signature(body, secret),
        shop.TOPIC: topic,
        shop.EVENT_ID: event,
        shop.WEBHOOK_ID: f"wh-{event}",
    }


def _read(headers: dict[str, str], body: bytes) -> Delivery:
    return shop.ShopifyWebhookReader(SECRET).read(headers, "application/json", body)


def test_signature_is_base64_of_hmac_sha256_over_the_raw_body() -> None:
    # RFC 4231 test case 2: the digest is the RFC's, not one this code computed.
    digest = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    expected = base64.b64encode(bytes.fromhex(digest)).decode()
    assert shop.signature(b"what do ya want for nothing?", "Jefe") == expected
    assert shop.verify(b"what do ya want for nothing?", expected, "Jefe")


BODY = json.dumps({"id": 632910392, "title": "IPod Nano"}).encode()


@pytest.mark.parametrize(
    "given",
    [
        None,  # missing
        "",
        "   ",
        "not base64 at all!",
        shop.signature(BODY, "another-secret"),
        shop.signature(BODY + b" ", SECRET),  # the body was altered on the way
        shop.signature(BODY, SECRET)[:-4],  # wrongly sized
        shop.signature(BODY, SECRET).lower(),
        "é" + shop.signature(BODY, SECRET)[1:],  # non-ASCII
        "\udcff" + shop.signature(BODY, SECRET)[1:],  # how aiohttp passes undecodable bytes
    ],
)
def test_every_bad_signature_is_401(given: str | None) -> None:
    headers = _headers(BODY, "products/update")
    if given is None:
        del headers[shop.SIGNATURE]
    else:
        headers[shop.SIGNATURE] = given
    delivery = _read(headers, BODY)
    assert (delivery.status, delivery.hint, delivery.key) == (401, None, "")


def test_no_secret_refuses_even_a_signature_made_with_an_empty_key() -> None:
    reader = shop.ShopifyWebhookReader("")
    headers = _headers(BODY, "products/update", secret="")
    assert reader.read(headers, "application/json", BODY).status == 401


@pytest.mark.parametrize(
    ("topic", "payload", "expected"),
    [
        (
            "products/create",
            {
                "id": 788032119674292922,
                "admin_graphql_api_id": "gid://shopify/Product/788032119674292922",
            },
            Hint("product", "gid://shopify/Product/788032119674292922", False),
        ),
        (
            "products/update",
            {"id": 632910392, "admin_graphql_api_id": "gid://shopify/Product/632910392"},
            Hint("product", "gid://shopify/Product/632910392", False),
        ),
        (
            "products/delete",  # a delete carries only the numeric id
            {"id": 632910392},
            Hint("product", "gid://shopify/Product/632910392", True),
        ),
        (
            "customers/create",
            {
                "id": 706405506930370084,
                "admin_graphql_api_id": "gid://shopify/Customer/706405506930370084",
            },
            Hint("customer", "gid://shopify/Customer/706405506930370084", False),
        ),
        (
            "customers/update",
            {"admin_graphql_api_id": "gid://shopify/Customer/207119551"},
            Hint("customer", "gid://shopify/Customer/207119551", False),
        ),
        (
            "customers/delete",
            {"id": "207119551"},
            Hint("customer", "gid://shopify/Customer/207119551", True),
        ),
    ],
)
def test_each_topic_hints_the_gid_the_device_stores(
    topic: str, payload: dict[str, object], expected: Hint
) -> None:
    body = json.dumps(payload).encode()
    delivery = _read(_headers(body, topic), body)
    assert (delivery.status, delivery.hint) == (200, expected)


def test_inventory_levels_update_is_taken_without_a_hint() -> None:
    body = json.dumps(
        {
            "inventory_item_id": 271878346596884015,
            "location_id": 24826418,
            "available": 6,
            "admin_graphql_api_id": "gid://shopify/InventoryLevel/24826418?inventory_item_id=1",
        }
    ).encode()
    delivery = _read(_headers(body, "inventory_levels/update"), body)
    assert (delivery.status, delivery.hint) == (200, None)
    assert "stock delta" in delivery.note
    assert "inventory_levels/update" in shop.TOPICS


def test_a_topic_the_device_does_not_follow_is_taken_without_a_hint() -> None:
    body = json.dumps({"id": 450789469}).encode()
    delivery = _read(_headers(body, "orders/create"), body)
    assert (delivery.status, delivery.hint) == (200, None)


def test_the_dedupe_key_is_the_event_id_else_the_webhook_id() -> None:
    headers = _headers(BODY, "products/update", event="e-42")
    assert _read(headers, BODY).key == "products/update e-42"
    del headers[shop.EVENT_ID]
    assert _read(headers, BODY).key == "products/update wh-e-42"
    del headers[shop.WEBHOOK_ID]
    assert _read(headers, BODY).key == ""
    # One event id under two topics stays two deliveries.
    other = _headers(BODY, "products/delete", event="e-42")
    assert _read(other, BODY).key != "products/update e-42"


@pytest.mark.parametrize(
    ("topic", "body"),
    [
        ("products/update", b"{not json"),
        ("products/update", b"\xff\xfe"),
        ("products/update", b"[" * 100_000),
        ("products/update", b"[1, 2]"),
        ("inventory_levels/update", b"nope"),
        ("orders/create", b"nope"),
        ("products/update", b"{}"),  # no id
        ("products/update", b'{"id": 0}'),
        ("products/update", b'{"id": true}'),
        ("products/update", b'{"id": -5}'),
        ("products/update", b'{"id": 1, "admin_graphql_api_id": "gid://shopify/Customer/1"}'),
        ("products/update", b'{"id": 1, "admin_graphql_api_id": "gid://shopify/Product/2"}'),
        ("products/update", b'{"admin_graphql_api_id": "gid://shopify/Product/1/../2"}'),
        ("", b'{"id": 1}'),  # no topic
    ],
)
def test_a_signed_but_unreadable_body_is_400(topic: str, body: bytes) -> None:
    delivery = _read(_headers(body, topic), body)
    assert (delivery.status, delivery.hint) == (400, None)
    assert delivery.note


async def test_the_receiver_answers_on_the_shopify_route_and_acts_on_a_repeat_once() -> None:
    hints: list[Hint] = []
    receiver = WebhookReceiver(SHOPIFY.webhooks(SECRET), hints.append)
    assert receiver.path == "/webhooks/shopify"
    runner = web.AppRunner(make_app(receiver))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/webhooks/shopify"
    body = json.dumps({"id": 632910392, "admin_graphql_api_id": "gid://shopify/Product/632910392"})
    try:
        async with aiohttp.ClientSession() as s:

            async def post(data: bytes, headers: dict[str, str]) -> tuple[int, object]:
                async with s.post(url, data=data, headers=headers) as r:
                    return r.status, await r.json()

            signed = _headers(body.encode(), "products/update", event="e-7")
            assert await post(body.encode(), signed) == (200, {"ok": True})
            # Shopify's retry of the same event, through another webhook delivery id.
            retry = {**signed, shop.WEBHOOK_ID: "wh-other"}
            assert await post(body.encode(), retry) == (200, {"ok": True, "duplicate": True})
            forged = {**signed, shop.EVENT_ID: "e-8", shop.SIGNATURE: "AAAA"}
            assert (await post(body.encode(), forged))[0] == 401
            assert (await post(b"{oops", _headers(b"{oops", "products/update", "e-9")))[0] == 400
    finally:
        await runner.cleanup()
    assert hints == [Hint("product", "gid://shopify/Product/632910392", False)]
