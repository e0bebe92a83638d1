"""A raw HTTP client for the webhook tests: exact header bytes in, the answer's bytes out."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit


def request_bytes(
    url: str, body: bytes, headers: dict[str, bytes], *, length: int | None = None
) -> bytes:
    """A POST to `url` carrying `body`, with each header value sent exactly as given.

    `length` is the Content-Length to announce, when it is not the body's own (a slow client).
    """
    path = urlsplit(url).path
    lines = [f"POST {path} HTTP/1.1".encode(), b"Host: 127.0.0.1", b"Connection: close"]
    lines += [name.encode() + b": " + value for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body) if length is None else length}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


async def open_to(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    return await asyncio.open_connection(parts.hostname, parts.port)


async def exchange(url: str, raw: bytes) -> tuple[int, bytes]:
    """Send `raw`, read until the server closes; (status, response body)."""
    reader, writer = await open_to(url)
    try:
        writer.write(raw)
        await writer.drain()
        async with asyncio.timeout(10):  # a safety net: the server answers in milliseconds
            answer = await reader.read()
    finally:
        writer.close()
    return status_of(answer), answer.partition(b"\r\n\r\n")[2]


def status_of(answer: bytes) -> int:
    """The status code of a raw HTTP answer, 0 for no answer at all."""
    first = answer.split(b"\r\n", 1)[0].split()
    return int(first[1]) if len(first) >= 2 else 0
