"""`kiosk sim woocommerce` prints one JSON line, then serves until terminated."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import aiohttp

from kiosk.sim.woocommerce import sign_oauth


def _command() -> list[str]:
    return [sys.executable, "-m", "kiosk", "sim", "woocommerce"]


async def _two_requests(line: dict[str, str]) -> list[tuple[int, str | None]]:
    url = f"{line['url']}/wp-json/wc/v3/products?per_page=100"
    out = []
    async with aiohttp.ClientSession() as s:
        for _ in range(2):
            async with s.get(
                sign_oauth("GET", url, line["consumer_key"], line["consumer_secret"])
            ) as r:
                out.append((r.status, r.headers.get("X-WP-Total")))
    return out


def test_cli_prints_its_json_line_and_serves() -> None:
    cmd = [*_command(), "--port", "0", "--products", "15", "--fault", "503:products:1"]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        try:
            assert proc.stdout is not None
            line = json.loads(proc.stdout.readline())
            assert set(line) == {"url", "consumer_key", "consumer_secret"}
            assert line["url"].startswith("http://127.0.0.1:")
            # The --fault flag answers the first request; the next one sees the 15 products.
            assert asyncio.run(_two_requests(line)) == [(503, None), (200, "15")]
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    assert proc.returncode == 0
