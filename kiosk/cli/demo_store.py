"""The demo's store: a simulated WooCommerce or Shopify shop, and the device provisioned for it."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from kiosk.config import Config, DeviceConfig, StoreConfig, SyncConfig, load_config, save_config
from kiosk.config_platforms import ShopifyConfig
from kiosk.secrets import Secrets, save_secrets

PLATFORMS = ("woocommerce", "shopify")


def provision_shopify_device(
    data_dir: Path,
    *,
    url: str,
    shop: str,
    token: str,
    sync: SyncConfig | None = None,
    cashier: str = "",
) -> Config:
    """The settings and 0600 secrets `kiosk provision shopify` would leave for this shop."""
    from kiosk.connectors.shopify.platform import ShopifySecrets

    config = Config(
        data_dir=data_dir,
        device=DeviceConfig(cashier=cashier),
        store=StoreConfig(platform="shopify", url=url),
        sync=sync or SyncConfig(),
    ).with_section(ShopifyConfig(shop=shop))
    save_config(config)
    save_secrets(data_dir, ShopifySecrets(token).into(Secrets("")))
    return config


@asynccontextmanager
async def demo_store(
    platform: str, export: dict[str, Any], data_dir: Path, *, cashier: str = ""
) -> AsyncIterator[str]:
    """Serve `export` as a simulated `platform` store and provision `data_dir` for it; yields
    the store's address."""
    sync = SyncConfig(interval_s=10)
    if platform == "shopify":
        from kiosk.sim.shopify import running_sim as shopify_sim

        async with shopify_sim(export=export) as shop:
            provision_shopify_device(
                data_dir, url=shop.url, shop=shop.shop, token=shop.token, sync=sync, cashier=cashier
            )
            yield shop.url
        return
    from kiosk.sim.device import provision_device
    from kiosk.sim.woocommerce import running_sim as woo_sim

    async with woo_sim(export=export) as woo:
        provision_device(
            data_dir,
            url=woo.url,
            key=woo.consumer_key,
            secret=woo.consumer_secret,
            sync=sync,
            cashier=cashier,
        )
        yield woo.url


async def run_text_on_store(args: argparse.Namespace, *, cashier: str = "") -> int:
    """`kiosk demo --text --platform P`: the catalog synced from the simulated store through the
    real connector, one sale rung up, uploaded, and the store's order number shown."""
    from kiosk.checkout import utc_now
    from kiosk.cli.render import order_text
    from kiosk.connectors.factory import open_connector
    from kiosk.core.models import PaymentMethod
    from kiosk.core.tender import Tender
    from kiosk.runtime import open_runtime
    from kiosk.secrets import load_secrets
    from kiosk.sim.catalog import generate_export
    from kiosk.store import catalog, orders
    from kiosk.sync.engine import SyncEngine

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
    export = generate_export(40, variable_share=0.2, variations_per=3, seed=7)
    async with demo_store(args.platform, export, data_dir, cashier=cashier) as url:
        config = load_config(None, data_dir)
        async with open_runtime(config) as rt:
            engine = SyncEngine(
                rt.db,
                open_connector(config, load_secrets(data_dir), locale="en_GB"),
                clock=utc_now,
                settings=config.sync,
            )
            try:
                first = await engine.run_once()
                counts = await catalog.counts(rt.db)
                print(
                    f"Demo {args.platform} store at {url}: {counts.products} products and "
                    f"{counts.variations} variations synced into {data_dir}"
                    + (f" ({len(first.errors)} problems)" if first.errors else "")
                )
                sellable = [p for p in await catalog.listed(rt.db, limit=50) if p.sku]
                cart = await rt.checkout.start()
                for i, product in enumerate(sellable[:3], start=1):
                    await rt.checkout.add_code(cart, product.sku, i)
                due = cart.totals().total  # paid exactly: the store's total is the device's
                order = await rt.checkout.complete(cart, [Tender(PaymentMethod.CASH, due)])
                report = await engine.run_once()
                stored = await orders.get_order(rt.db, order.id)
                assert stored is not None  # just committed
                print("A sample sale, paid in cash:\n")
                print(order_text(stored, "en_GB"))
                state = f"uploaded ({stored.remote_id})" if report.push.synced else "not uploaded"
                print(f"The store's copy: {state}")
            finally:
                await engine.connector.close()
    return 0 if report.push.synced == 1 else 1
