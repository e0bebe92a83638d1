"""A Shopify Admin GraphQL API simulator on 127.0.0.1, built on the real schema for 2026-10.

    async with running_sim(products=30) as sim:
        sim.graphql_url, sim.token          # POST here with X-Shopify-Access-Token
        sim.state                           # ShopifyStore: products, variants, inventory, ...
        sim.state.set_price(variant_gid, "12.50"); sim.state.delete_product(product_gid)
        sim.faults.add("throttled"); sim.bucket.drain()
        sim.bulk.hold()                     # bulk operations stay RUNNING until release()
        sim.queries                         # every {"query", "variables"} received

Documents are validated against Shopify's own schema (kiosk.sim.shopify.schema), so a query the
real API would refuse is refused here too.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from kiosk.sim.catalog import generate_export
from kiosk.sim.shopify.app import SimContext, build_app
from kiosk.sim.shopify.bulk import BulkRunner
from kiosk.sim.shopify.cost import LeakyBucket
from kiosk.sim.shopify.deliveries import Deliveries
from kiosk.sim.shopify.faults import FaultPlan
from kiosk.sim.shopify.pickup import attach_pickups
from kiosk.sim.shopify.resolvers import attach
from kiosk.sim.shopify.schema import API_VERSION, load_schema
from kiosk.sim.shopify.state import LOCATION, ShopifyStore, store_from_export, system_clock

__all__ = ["LOCATION", "FaultPlan", "ShopifyStore", "SimHandle", "running_sim"]

_attached: set[int] = set()


@dataclass
class SimHandle:
    """A running simulator and the levers tests pull on it."""

    url: str
    shop: str
    token: str
    api_version: str
    state: ShopifyStore
    faults: FaultPlan
    bucket: LeakyBucket
    bulk: BulkRunner
    context: SimContext
    deliveries: Deliveries  # the signed webhooks sent, and where (forward) they really go

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/admin/api/{self.api_version}/graphql.json"

    @property
    def queries(self) -> list[dict[str, Any]]:
        return self.context.queries

    @property
    def app_secret(self) -> str:
        """The app's client secret, which signs the webhooks."""
        return self.deliveries.secret

    def sign_in(self) -> dict[str, str]:
        """Where the shop is, its Admin API access token and the app's client secret (which
        signs webhooks): `kiosk sim shopify`'s line."""
        return {
            "url": self.url,
            "shop": self.shop,
            "token": self.token,
            "app_secret": self.app_secret,
        }


@asynccontextmanager
async def running_sim(
    *,
    export: dict[str, Any] | None = None,
    products: int = 30,
    seed: int = 0,
    variable_share: float = 0.2,
    variations_per: int = 4,
    port: int = 0,
    clock: Callable[[], datetime] = system_clock,
    monotonic: Callable[[], float] = time.monotonic,
    bucket_size: float = 2000.0,
    restore_rate: float = 100.0,
    log_queries: Path | None = None,
    latency_ms: float = 0,
    bulk_rate: float | None = None,
) -> AsyncIterator[SimHandle]:
    """Serve a simulated shop on 127.0.0.1 until the block exits.

    The catalog is `export` or one generated from products/seed/variable_share/variations_per.
    `clock` stamps updatedAt; `monotonic` drives the leaky bucket (a test's fake clock makes
    throttling deterministic); `log_queries` appends every document received, a JSON line each;
    `latency_ms` delays every answer (GraphQL and bulk files) as a distant shop's would be;
    `bulk_rate` (objects a second) makes a bulk operation take as long as its size needs.
    """
    if export is None:
        export = generate_export(
            products, variable_share=variable_share, variations_per=variations_per, seed=seed
        )
    schema = load_schema(API_VERSION)
    if id(schema) not in _attached:
        attach(schema)
        attach_pickups(schema)
        _attached.add(id(schema))
    store = store_from_export(export, clock=clock)
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-shopify-sim-"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    runner: web.AppRunner | None = None
    deliveries: Deliveries | None = None
    faults = FaultPlan()
    try:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        bulk = BulkRunner(schema, store, tmp, objects_per_s=bulk_rate, monotonic=monotonic)
        bulk.base_url = url
        ctx = SimContext(
            schema=schema,
            store=store,
            token=f"shpat_{secrets.token_hex(16)}",
            api_version=API_VERSION,
            bucket=LeakyBucket(maximum=bucket_size, restore_rate=restore_rate, clock=monotonic),
            bulk=bulk,
            faults=faults,
            log_file=log_queries,
            latency_ms=latency_ms,
        )
        deliveries = Deliveries(store, secrets.token_hex(16), API_VERSION)
        store.on_change = deliveries.changed
        runner = web.AppRunner(build_app(ctx), handler_cancellation=True, access_log=None)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        yield SimHandle(
            url=url,
            shop=store.shop["myshopifyDomain"],
            token=ctx.token,
            api_version=API_VERSION,
            state=store,
            faults=faults,
            bucket=ctx.bucket,
            bulk=bulk,
            context=ctx,
            deliveries=deliveries,
        )
    finally:
        faults.release()
        if deliveries is not None:
            await deliveries.drain()
        if runner is not None:
            await runner.cleanup()
        sock.close()
        shutil.rmtree(tmp, ignore_errors=True)
