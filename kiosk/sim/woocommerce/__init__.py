"""A WooCommerce 9.x store simulator: `/wp-json/wc/v3/...` over HTTP or HTTPS on 127.0.0.1.

    async with running_sim(products=30) as sim:
        sim.url, sim.consumer_key, sim.consumer_secret   # read_write key
        sim.readonly_key, sim.readonly_secret            # read key
        sim.state      # WooStore: products, variations, orders, customers, webhooks, settings
        sim.faults.add("503", path="orders", retry_after=2)
        sim.admin.set_price(101, "12.50"); sim.admin.place_online_order([...])
        await sim.deliveries.wait_for(2)                 # webhook POSTs made so far
        sim.requests                                     # RequestRecord log

With plugin=True (the default) the companion plugin's `/wp-json/kiosk/v1/...` routes are served
too, and the index lists the "kiosk/v1" namespace; plugin=False is a store without it.

Over plain HTTP only OAuth 1.0a (query string) authenticates, as on a real store; use
`sign_oauth` in tests. With tls=True the certificate comes from a throwaway CA in `ca_file`.
"""

from __future__ import annotations

import shutil
import ssl
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from kiosk.sim.catalog import generate_export
from kiosk.sim.wire import bound_socket
from kiosk.sim.woocommerce.admin import Admin, admin_routes
from kiosk.sim.woocommerce.app import RequestRecord, SimContext, build_app, render
from kiosk.sim.woocommerce.auth import ApiKey, Authenticator, sign_oauth
from kiosk.sim.woocommerce.faults import FaultPlan
from kiosk.sim.woocommerce.outage import Outage
from kiosk.sim.woocommerce.product_writes import add_product_write_routes
from kiosk.sim.woocommerce.state import WooStore, store_from_export
from kiosk.sim.woocommerce.webhooks import Delivery, DeliveryLog, Webhooks

__all__ = [
    "ApiKey",
    "Delivery",
    "DeliveryLog",
    "FaultPlan",
    "RequestRecord",
    "SimHandle",
    "WooStore",
    "running_sim",
    "sign_oauth",
]


@dataclass
class SimHandle:
    """A running simulator and the levers tests pull on it."""

    url: str
    consumer_key: str
    consumer_secret: str
    readonly_key: str
    readonly_secret: str
    ca_file: Path | None
    state: WooStore
    faults: FaultPlan
    admin: Admin
    webhooks: Webhooks
    context: SimContext
    outage: Outage  # the host going away: `await sim.outage.begin()` ... `end()`

    @property
    def requests(self) -> list[RequestRecord]:
        return self.context.requests

    @property
    def deliveries(self) -> DeliveryLog:
        return self.webhooks.log

    @property
    def api_url(self) -> str:
        return f"{self.url}/wp-json/wc/v3"

    def sign_in(self) -> dict[str, str]:
        """Where the store is and how to sign in with its read_write key (ca_file over TLS)."""
        line = {
            "url": self.url,
            "consumer_key": self.consumer_key,
            "consumer_secret": self.consumer_secret,
        }
        if self.ca_file is not None:
            line["ca_file"] = str(self.ca_file)
        return line

    def ssl_context(self) -> ssl.SSLContext | None:
        """A client SSL context that trusts the simulator's CA (None over plain HTTP)."""
        if self.ca_file is None:
            return None
        return ssl.create_default_context(cafile=str(self.ca_file))


def _tls(tmp: Path) -> tuple[ssl.SSLContext, Path]:
    import trustme  # only the --tls path needs it (kiosk[sim])

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    ca_file = tmp / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return server_ctx, ca_file


def _extra_routes(admin: Admin) -> Callable[[web.RouteTableDef], None]:
    """The /__sim/ admin routes and the REST product edits (both act through Admin)."""

    def add(routes: web.RouteTableDef) -> None:
        admin_routes(admin)(routes)
        add_product_write_routes(routes, admin)

    return add


@asynccontextmanager
async def running_sim(
    *,
    export: dict[str, Any] | None = None,
    products: int = 30,
    seed: int = 0,
    variable_share: float = 0.2,
    variations_per: int = 4,
    latency_ms: float = 0,
    tls: bool = False,
    port: int = 0,
    clock: Callable[[], datetime] | None = None,
    plugin: bool = True,
    pretty_permalinks: bool = True,
) -> AsyncIterator[SimHandle]:
    """Serve a simulated store on 127.0.0.1 until the block exits.

    The catalog is `export` (a catalog export dict) or one generated from products/seed/
    variable_share/variations_per. `clock` drives every date the store writes. `plugin` installs
    the companion plugin: its kiosk/v1 routes and namespace (plugin/kiosk-pos-companion).
    `pretty_permalinks=False` is a site with plain permalinks: the REST API answers only at
    `/?rest_route=/...` (kiosk.sim.woocommerce.rest_route).
    """
    if export is None:
        export = generate_export(
            products, variable_share=variable_share, variations_per=variations_per, seed=seed
        )
    store = store_from_export(export, clock=clock)
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-woo-sim-"))
    sock = bound_socket(port)
    runner: web.AppRunner | None = None
    webhooks: Webhooks | None = None
    outage: Outage | None = None
    try:
        bound = sock.getsockname()[1]
        server_ssl, ca_file = _tls(tmp) if tls else (None, None)
        url = f"{'https' if tls else 'http'}://127.0.0.1:{bound}"
        rw, ro = ApiKey.generate("read_write"), ApiKey.generate("read")
        ctx = SimContext(
            store=store,
            auth=Authenticator([rw, ro], base_url=url),
            faults=FaultPlan(seed),
            webhooks=None,  # type: ignore[arg-type]  # needs ctx for rendering: set below
            base_url=url,
            latency_ms=latency_ms,
            plugin=plugin,
            pretty_permalinks=pretty_permalinks,
        )
        webhooks = Webhooks(store, lambda resource, oid: render(ctx, resource, oid), url)
        ctx.webhooks = webhooks
        admin = Admin(ctx)
        runner = web.AppRunner(
            build_app(ctx, _extra_routes(admin)), handler_cancellation=True, access_log=None
        )
        await runner.setup()
        site = web.SockSite(runner, sock, ssl_context=server_ssl)
        await site.start()
        outage = ctx.outage = Outage(runner, site, bound, server_ssl)
        yield SimHandle(
            url=url,
            consumer_key=rw.consumer_key,
            consumer_secret=rw.consumer_secret,
            readonly_key=ro.consumer_key,
            readonly_secret=ro.consumer_secret,
            ca_file=ca_file,
            state=store,
            faults=ctx.faults,
            admin=admin,
            webhooks=webhooks,
            context=ctx,
            outage=outage,
        )
    finally:
        if outage is not None:
            await outage.close()
        if webhooks is not None:
            await webhooks.close()
        if runner is not None:
            ctx.faults.release()
            await runner.cleanup()
        sock.close()
        shutil.rmtree(tmp, ignore_errors=True)
