"""Slow clients on the webhook endpoint: each is cut off within its bound, others are served.

The server's timeouts are injected short; each slow client waits for the server to close its
connection (a read returning b""), under an overall asyncio.timeout that is the bound: the
defaults (10 s, and aiohttp's own hour-long keep-alive) would not be met within it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from kiosk.connectors.base import Hint
from kiosk.connectors.woocommerce import webhooks as woo
from tests.agent.raw_http import open_to, request_bytes, status_of
from tests.agent.receiver import serve_receiver

SECRET = "s3cret-for-tests"
TIMEOUT = 0.3  # header and body timeouts, in seconds
LINGER = 0.1
BOUND = 5.0  # far past TIMEOUT + LINGER, far short of the defaults
PACE = 0.02  # a dribbling client sends a byte this often unless the server has closed

HEAD = b"POST /webhooks/woocommerce HTTP/1.1\r\nHost: 127.0.0.1\r\n"


@pytest.fixture
async def endpoint() -> AsyncIterator[tuple[str, list[Hint]]]:
    async with serve_receiver(
        SECRET, body_timeout=TIMEOUT, header_timeout=TIMEOUT, linger=LINGER
    ) as served:
        yield served


async def stall(url: str, sent: bytes) -> bytes:
    """Send `sent`, then nothing: what the server answers before it closes the connection."""
    reader, writer = await open_to(url)
    try:
        writer.write(sent)
        await writer.drain()
        return await reader.read()  # b"" or an answer, once the server has closed
    finally:
        writer.close()


async def dribble(url: str, sent: bytes, more: bytes) -> tuple[bytes, int]:
    """Send `sent`, then `more` a byte at a time until the server closes: (answer, bytes sent)."""
    reader, writer = await open_to(url)
    answer, count = b"", 0
    try:
        writer.write(sent)
        while True:
            try:
                async with asyncio.timeout(PACE):
                    chunk = await reader.read(65536)
            except TimeoutError:
                assert count < len(more), "the server never closed the connection"
                writer.write(more[count : count + 1])  # not closed yet: one byte more
                count += 1
                continue
            if not chunk:
                return answer, count
            answer += chunk
    except ConnectionError:
        return answer, count  # the server closed as we wrote: the same outcome
    finally:
        writer.close()


def delivery(ident: int) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"id": ident}).encode()
    headers = {
        "Content-Type": "application/json",
        woo.SIGNATURE: woo.signature(body, SECRET),
        woo.TOPIC: "product.updated",
    }
    return body, headers


def slow_body_head(length: int) -> bytes:
    """A signed delivery's request line and headers, announcing a body of `length` bytes."""
    _, headers = delivery(1)
    raw = {k: v.encode() for k, v in headers.items()}
    return request_bytes("http://127.0.0.1/webhooks/woocommerce", b"", raw, length=length)


async def test_headers_that_never_finish_are_cut_off(
    endpoint: tuple[str, list[Hint]],
) -> None:
    url, hints = endpoint
    async with asyncio.timeout(BOUND):
        assert await stall(url, HEAD) == b""  # closed without an answer
    assert hints == []


async def test_headers_dribbled_in_are_cut_off_though_bytes_keep_coming(
    endpoint: tuple[str, list[Hint]],
) -> None:
    url, hints = endpoint
    async with asyncio.timeout(BOUND):
        answer, sent = await dribble(url, HEAD + b"X-Pad: ", b"a" * 4000)
    # An idle timeout would have been reset by every byte and never fired.
    assert answer == b""
    assert 1 < sent < 4000
    assert hints == []


async def test_a_body_that_stops_coming_is_408_then_closed(
    endpoint: tuple[str, list[Hint]],
) -> None:
    url, hints = endpoint
    async with asyncio.timeout(BOUND):
        answer = await stall(url, slow_body_head(100) + b'{"id": 1')
    assert status_of(answer) == 408
    assert b"Connection: close" in answer
    assert hints == []


async def test_a_body_dribbled_in_is_408_then_closed(
    endpoint: tuple[str, list[Hint]],
) -> None:
    url, hints = endpoint
    async with asyncio.timeout(BOUND):
        answer, sent = await dribble(url, slow_body_head(100_000), b" " * 100_000)
    assert status_of(answer) == 408
    assert 1 < sent < 100_000
    assert hints == []


async def test_a_normal_delivery_is_served_while_slow_clients_hang_on(
    endpoint: tuple[str, list[Hint]],
) -> None:
    url, hints = endpoint
    async with asyncio.timeout(BOUND):
        slow = [
            asyncio.create_task(stall(url, HEAD)),
            asyncio.create_task(stall(url, slow_body_head(100))),
            asyncio.create_task(dribble(url, HEAD, b"X" * 4000)),
            asyncio.create_task(dribble(url, slow_body_head(100_000), b" " * 100_000)),
        ]
        body, headers = delivery(42)
        async with aiohttp.ClientSession() as s, s.post(url, data=body, headers=headers) as r:
            assert r.status == 200
        assert hints == [Hint("product", "42", False)]
        header_stall, body_stall, header_dribble, body_dribble = await asyncio.gather(*slow)
    assert header_stall == b""
    assert header_dribble[0] == b""
    assert status_of(body_stall) == status_of(body_dribble[0]) == 408
    assert hints == [Hint("product", "42", False)]


async def test_an_idle_keep_alive_connection_is_closed(
    endpoint: tuple[str, list[Hint]],
) -> None:
    url, hints = endpoint
    body, headers = delivery(7)
    raw = request_bytes(url, body, {k: v.encode() for k, v in headers.items()})
    raw = raw.replace(b"Connection: close", b"Connection: keep-alive")
    reader, writer = await open_to(url)
    try:
        writer.write(raw)
        async with asyncio.timeout(BOUND):
            answer = await reader.read()  # the answer, then the close once idle
    finally:
        writer.close()
    assert status_of(answer) == 200
    assert hints == [Hint("product", "7", False)]
