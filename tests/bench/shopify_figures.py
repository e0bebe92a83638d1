"""The Shopify initial-sync figures: bulk vs paged vs a naive client, in one run, same shop.

The shop is `kiosk sim shopify` in its own process (so its CPU does not share an event loop with
the clients timed), every answer `latency_ms` late, a bulk operation running at `bulk_rate`
objects a second (Shopify documents no rate; the figure that matters is the ratio to the
operation's own running time), and a Plus plan's cost bucket (1,000 points a second): the cost
pacing still applies, it just does not dominate the paged copy.

- bulk: the device's own initial sync (SyncEngine + ShopifyConnector), through a bulk
  operation (bulk_threshold 0), into a fresh database.
- paged: the same, with paged queries only (bulk_threshold above the shop's size).
- naive: one request per product (product(id:) with its variants), after listing the ids, no
  database: the client the bulk copy must beat by SPEEDUP_TARGET.
- floor: the bulk operation's own running time plus the JSONL download, measured by a bare
  client that starts the same operation, polls it every FLOOR_POLL_S and reads the file whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from kiosk.checkout import utc_now
from kiosk.config import SyncConfig
from kiosk.connectors.shopify import queries
from kiosk.connectors.shopify.client import ShopifyClient
from kiosk.connectors.shopify.connector import ShopifyConnector
from kiosk.store import catalog
from kiosk.store.db import Database
from kiosk.sync.engine import SyncEngine
from tests.bench.stats import figure

PRODUCTS = 4000  # with these shares, about 10,000 variants
VARIABLE_SHARE = 0.3
VARIATIONS_PER = 6
LATENCY_MS = 50.0
BULK_RATE = 1000.0  # objects a second
RESTORE_RATE = 1000.0  # a Plus plan's
BUCKET = 10_000.0
SPEEDUP_TARGET = 5.0
FLOOR_TARGET = 1.5
FLOOR_POLL_S = 0.02
SIM_START_S = 180.0
LOCATION = "gid://shopify/Location/1"

# What a naive client asks for each product: the product and its variants with their stock.
NAIVE = """
query NaiveProduct($id: ID!, $location: ID!) {
  product(id: $id) {
    id title status updatedAt
    variants(first: 100) {
      nodes {
        id sku barcode price compareAtPrice taxable
        inventoryItem {
          tracked
          inventoryLevel(locationId: $location) { quantities(names: ["available"]) { quantity } }
        }
      }
    }
  }
}
"""


@dataclass(frozen=True, slots=True)
class Shop:
    url: str
    token: str


@contextlib.contextmanager
def simulator(work: Path, **options: Any) -> Iterator[Shop]:
    """`kiosk sim shopify` as a child process, stopped on exit."""
    log = work / "shopify-sim.stderr"
    argv = [
        sys.executable, "-m", "kiosk", "sim", "shopify",
        "--products", str(options["products"]),
        "--variable-share", str(options["variable_share"]),
        "--variations-per", str(options["variations_per"]),
        "--seed", str(options["seed"]),
        "--latency-ms", str(options["latency_ms"]),
        "--bulk-rate", str(options["bulk_rate"]),
        "--restore-rate", str(RESTORE_RATE),
        "--bucket", str(BUCKET),
    ]  # fmt: skip
    with log.open("wb") as err:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], SIM_START_S)
        line = proc.stdout.readline() if ready else b""
        if not line:
            raise RuntimeError(f"the Shopify simulator did not start: {log.read_text()[-2000:]}")
        info = json.loads(line)
        yield Shop(info["url"], info["token"])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


class Counting(ShopifyClient):
    """A client that counts the GraphQL requests it sends (retries included)."""

    requests = 0

    async def _exchange(self, what: str, body: Any) -> tuple[int, Any, Any]:
        self.requests += 1
        return await super()._exchange(what, body)


async def device_sync(shop: Shop, db_path: Path, *, bulk: bool) -> dict[str, Any]:
    """The device's initial sync into a fresh database; wall time, requests, what it pulled."""
    db = await Database.open(db_path)
    client = Counting(shop.url, shop.token)
    connector = ShopifyConnector(
        client, location=LOCATION, bulk_threshold=0 if bulk else 10**9, bulk_poll=1.0
    )
    engine = SyncEngine(db, connector, clock=utc_now, settings=SyncConfig())
    try:
        t0 = time.perf_counter()
        report = await engine.run_once()
        wall = time.perf_counter() - t0
        counts = await catalog.counts(db)
    finally:
        await connector.close()
        await db.close()
    if report.errors:
        raise RuntimeError(f"the {'bulk' if bulk else 'paged'} sync failed: {report.errors}")
    return {
        "wall_s": wall,
        "requests": client.requests,
        "products": counts.products,
        "variations": counts.variations,
        "waits_s": round(sum(client.waits), 3),
    }


async def naive_sync(shop: Shop) -> dict[str, Any]:
    """List every product id, then one request per product for it and its variants."""
    client = Counting(shop.url, shop.token, concurrency=1)
    try:
        t0 = time.perf_counter()
        ids: list[str] = []
        after = None
        while True:
            data = await client.query(
                queries.PRODUCT_IDS, {"first": queries.FLAT_PAGE, "after": after}, name="ids"
            )
            conn = data["products"]
            ids += [n["id"] for n in conn["nodes"]]
            info = conn["pageInfo"]
            after = info["endCursor"] if info["hasNextPage"] else None
            if after is None:
                break
        variants = 0
        for pid in ids:
            data = await client.query(NAIVE, {"id": pid, "location": LOCATION}, name="product")
            variants += len(((data.get("product") or {}).get("variants") or {}).get("nodes") or ())
        wall = time.perf_counter() - t0
    finally:
        await client.close()
    return {"wall_s": wall, "requests": client.requests, "products": len(ids), "variants": variants}


async def bulk_floor(shop: Shop) -> dict[str, Any]:
    """The bulk operation's own running time plus the JSONL download, polled tightly."""
    endpoint = f"{shop.url}/admin/api/2026-10/graphql.json"
    headers = {"X-Shopify-Access-Token": shop.token}
    async with aiohttp.ClientSession(headers=headers) as session:

        async def call(document: str, variables: dict[str, Any]) -> dict[str, Any]:
            body = {"query": document, "variables": variables}
            async with session.post(endpoint, json=body) as resp:
                answer = await resp.json()
            data: dict[str, Any] = answer["data"]
            return data

        t0 = time.perf_counter()
        started = await call(queries.BULK_RUN, {"query": queries.bulk_products(LOCATION)})
        op = started["bulkOperationRunQuery"]["bulkOperation"]
        while True:
            status = (await call(queries.BULK_STATUS, {"id": op["id"]}))["bulkOperation"]
            if status["status"] == "COMPLETED":
                break
            await asyncio.sleep(FLOOR_POLL_S)
        ran = time.perf_counter() - t0
        async with session.get(status["url"]) as resp:
            size = len(await resp.read())
        total = time.perf_counter() - t0
    return {"wall_s": total, "running_s": ran, "bytes": size, "objects": status["objectCount"]}


async def _measure(shop: Shop, work: Path) -> dict[str, dict[str, Any]]:
    bulk = await device_sync(shop, work / "bulk.db", bulk=True)
    floor = await bulk_floor(shop)  # after the device's: one bulk operation at a time
    paged = await device_sync(shop, work / "paged.db", bulk=False)
    naive = await naive_sync(shop)
    return {"bulk": bulk, "floor": floor, "paged": paged, "naive": naive}


def shopify_sync(
    tmp: Path,
    *,
    products: int = PRODUCTS,
    variable_share: float = VARIABLE_SHARE,
    variations_per: int = VARIATIONS_PER,
    latency_ms: float = LATENCY_MS,
    bulk_rate: float = BULK_RATE,
    seed: int = 11,
) -> list[dict[str, Any]]:
    """Every figure of the group (blocking: run it in a thread from an event loop)."""
    work = Path(tempfile.mkdtemp(prefix="shopify-sync-", dir=tmp))
    options = {
        "products": products,
        "variable_share": variable_share,
        "variations_per": variations_per,
        "latency_ms": latency_ms,
        "bulk_rate": bulk_rate,
        "seed": seed,
    }
    with simulator(work, **options) as shop:
        runs = asyncio.run(_measure(shop, work))
    bulk, paged, naive, floor = runs["bulk"], runs["paged"], runs["naive"], runs["floor"]
    if (bulk["products"], bulk["variations"]) != (paged["products"], paged["variations"]):
        raise RuntimeError(f"bulk and paged copies differ: {bulk} vs {paged}")
    speedup = naive["wall_s"] / bulk["wall_s"]
    vs_floor = bulk["wall_s"] / floor["wall_s"]
    shape = {
        "products": products,
        "variants": naive["variants"],
        "latency_ms": latency_ms,
        "bulk_rate_objects_s": bulk_rate,
        "restore_rate": RESTORE_RATE,
    }
    return [
        figure(
            "shopify_sync_bulk_s",
            bulk["wall_s"],
            "s",
            baseline="shopify_sync_naive_s",
            baseline_value=round(naive["wall_s"], 3),
            speedup=round(speedup, 2),
            target=f">= {SPEEDUP_TARGET:g}x naive",
            met=speedup >= SPEEDUP_TARGET,
            requests=bulk["requests"],
            pulled={"products": bulk["products"], "variations": bulk["variations"]},
            **shape,
        ),
        figure(
            "shopify_sync_bulk_vs_floor",
            vs_floor,
            "x",
            floor_s=round(floor["wall_s"], 3),
            operation_s=round(floor["running_s"], 3),
            file_bytes=floor["bytes"],
            target=f"<= {FLOOR_TARGET:g}x the operation's running time plus the download",
            met=vs_floor <= FLOOR_TARGET,
        ),
        figure(
            "shopify_sync_paged_s",
            paged["wall_s"],
            "s",
            requests=paged["requests"],
            paced_s=paged["waits_s"],
            speedup_vs_naive=round(naive["wall_s"] / paged["wall_s"], 2),
        ),
        figure(
            "shopify_sync_naive_s",
            naive["wall_s"],
            "s",
            requests=naive["requests"],
            fetched={"products": naive["products"], "variants": naive["variants"]},
        ),
    ]
