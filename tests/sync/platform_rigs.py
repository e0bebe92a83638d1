"""One device per store platform on the real engine and connector, selling against its simulator.

Each rig offers the same levers (sell, lose an answer, throttle, delete, reprice, sell elsewhere,
forge a webhook) over its own simulator, so the contract tests (test_platform_contract.py) are
written once and run against WooCommerce and Shopify alike.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from kiosk.checkout import Checkout, utc_now
from kiosk.cli.demo_cmd import demo_catalog_path
from kiosk.config import Config, StoreConfig, SyncConfig, save_config
from kiosk.config_platforms import ShopifyConfig
from kiosk.connectors.base import WebhookReader
from kiosk.connectors.shopify.client import ShopifyClient
from kiosk.connectors.shopify.connector import ShopifyConnector
from kiosk.connectors.shopify.platform import ShopifySecrets
from kiosk.connectors.shopify.webhooks import ShopifyWebhookReader
from kiosk.connectors.signatures import signature
from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.connectors.woocommerce.orders import META_ORDER_ID
from kiosk.connectors.woocommerce.platform import WooCommerceSecrets
from kiosk.connectors.woocommerce.refunds import META_REFUND_ID
from kiosk.connectors.woocommerce.webhooks import WooWebhookReader
from kiosk.core.models import Order, PaymentMethod, TaxRate
from kiosk.core.tender import Tender
from kiosk.secrets import Secrets, save_secrets
from kiosk.sim import shopify as shopify_sim
from kiosk.sim import woocommerce as woo_sim
from kiosk.store import catalog
from kiosk.store.db import Database
from kiosk.sync.engine import SyncEngine

PLATFORMS = ("woocommerce", "shopify")


def demo_export(**settings: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(demo_catalog_path().read_text())
    data["settings"].update(settings)
    return data


@dataclass
class FakeTime:
    """A monotonic clock that sleeping moves: pacing waits cost no real time, and the Shopify
    simulator's bucket (on the same clock) refills by exactly what was waited."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)


class Rig(Protocol):
    platform: str
    db: Database
    engine: SyncEngine
    checkout: Checkout
    time: FakeTime

    def sellable_skus(self) -> list[str]: ...
    def store_uuids(self) -> Counter[str]: ...
    def store_total(self, order_id: str) -> Decimal: ...
    def store_stock(self, sku: str) -> int: ...
    def lose_next_order_answer(self) -> None: ...
    def lose_next_refund_answer(self, order_id: str) -> None: ...
    def faults_left(self) -> int: ...
    def store_refunds(self, refund_id: str) -> list[Decimal]: ...
    def throttle(self, times: int) -> None: ...
    def delete(self, sku: str) -> None: ...
    def set_price(self, sku: str, price: str) -> None: ...
    def sell_elsewhere(self, sku: str, quantity: int) -> None: ...
    def product_id(self, sku: str) -> str: ...
    def reader(self, secret: str) -> WebhookReader: ...
    def delivery(self, sku: str, secret: str) -> tuple[dict[str, str], str, bytes]: ...


async def sell(rig: Rig, *skus: str) -> Order:
    """One cash sale of these codes, paid exactly."""
    cart = await rig.checkout.start()
    for sku in skus:
        await rig.checkout.add_code(cart, sku)
    due = cart.totals().total
    return await rig.checkout.complete(cart, [Tender(PaymentMethod.CASH, due)])


# -- WooCommerce -----------------------------------------------------------------------------------


@dataclass
class WooRig:
    sim: woo_sim.SimHandle
    db: Database
    engine: SyncEngine
    checkout: Checkout
    time: FakeTime
    platform: str = "woocommerce"

    def _product(self, sku: str) -> dict[str, Any]:
        return next(p for p in self.sim.state.products.values() if p["sku"] == sku)

    def product_id(self, sku: str) -> str:
        return str(self._product(sku)["id"])

    def sellable_skus(self) -> list[str]:
        return [
            p["sku"]
            for p in self.sim.state.products.values()
            if p["status"] == "publish"
            and p["type"] == "simple"
            and p["sku"]
            and p.get("manage_stock")
            and int(p.get("stock_quantity") or 0) > 5
        ]

    def store_uuids(self) -> Counter[str]:
        found: Counter[str] = Counter()
        for order in self.sim.state.orders.values():
            for meta in order.get("meta_data", []):
                if meta.get("key") == META_ORDER_ID:
                    found[str(meta.get("value"))] += 1
        return found

    def _order(self, order_id: str) -> dict[str, Any]:
        return next(
            o
            for o in self.sim.state.orders.values()
            if any(m.get("value") == order_id for m in o.get("meta_data", []))
        )

    def store_total(self, order_id: str) -> Decimal:
        return Decimal(self._order(order_id)["total"])

    def store_stock(self, sku: str) -> int:
        return int(self._product(sku)["stock_quantity"])

    def lose_next_order_answer(self) -> None:
        self.sim.faults.add("drop_after_commit", method="POST", path="orders")

    def lose_next_refund_answer(self, order_id: str) -> None:
        remote = self._order(order_id)["id"]
        self.sim.faults.add("drop_after_commit", method="POST", path=f"orders/{remote}/refunds")

    def faults_left(self) -> int:
        return len(self.sim.faults.pending)

    def store_refunds(self, refund_id: str) -> list[Decimal]:
        return [
            Decimal(str(r["amount"]))
            for rs in self.sim.state.order_refunds.values()
            for r in rs
            if any(m["key"] == META_REFUND_ID and m["value"] == refund_id for m in r["meta_data"])
        ]

    def throttle(self, times: int) -> None:
        self.sim.faults.add("429", path="products", count=times, retry_after=7)

    def delete(self, sku: str) -> None:
        self.sim.admin.delete_product(int(self.product_id(sku)), force=True)

    def set_price(self, sku: str, price: str) -> None:
        self.sim.admin.set_price(int(self.product_id(sku)), price)

    def sell_elsewhere(self, sku: str, quantity: int) -> None:
        pid = int(self.product_id(sku))
        self.sim.admin.place_online_order([{"product_id": pid, "quantity": quantity}])

    def reader(self, secret: str) -> WebhookReader:
        return WooWebhookReader(secret)

    def delivery(self, sku: str, secret: str) -> tuple[dict[str, str], str, bytes]:
        body = json.dumps({"id": int(self.product_id(sku)), "name": "x"}).encode()
        headers = {
            "X-WC-Webhook-Signature": signature(body, secret),
            "X-WC-Webhook-Topic": "product.updated",
            "X-WC-Webhook-Delivery-ID": "1",
            "X-WC-Webhook-ID": "1",
        }
        return headers, "application/json", body


@asynccontextmanager
async def woo_rig(tmp_path: Path, export: dict[str, Any]) -> AsyncIterator[WooRig]:
    time = FakeTime()
    async with woo_sim.running_sim(export=export) as sim:
        db = await Database.open(tmp_path / "kiosk.db")
        connector = WooConnector.connect(
            sim.url, sim.consumer_key, sim.consumer_secret, locale="en_GB", sleep=time.sleep
        )
        engine = SyncEngine(db, connector, clock=utc_now, settings=SyncConfig())
        try:
            yield WooRig(sim, db, engine, Checkout(db, order_prefix="K1-"), time)
        finally:
            await connector.close()
            await db.close()


# -- Shopify ---------------------------------------------------------------------------------------


@dataclass
class ShopifyRig:
    sim: shopify_sim.SimHandle
    db: Database
    engine: SyncEngine
    checkout: Checkout
    time: FakeTime
    connector: ShopifyConnector
    platform: str = "shopify"

    def _variant(self, sku: str) -> dict[str, Any]:
        return next(v for v in self.sim.state.variants.values() if v["sku"] == sku)

    def product_id(self, sku: str) -> str:
        return str(self._variant(sku)["_product"])

    def sellable_skus(self) -> list[str]:
        state = self.sim.state
        return [
            v["sku"]
            for p in state.products.values()
            if p["status"] == "ACTIVE" and p["hasOnlyDefaultVariant"]
            for v in [state.variants[p["_variants"][0]]]
            if v["sku"]
            and state.items[v["_item"]]["tracked"]
            and state.items[v["_item"]]["_levels"][shopify_sim.LOCATION]["available"] > 5
        ]

    def store_uuids(self) -> Counter[str]:
        return Counter(str(o["sourceIdentifier"]) for o in self.sim.state.orders.values())

    def store_total(self, order_id: str) -> Decimal:
        order = next(o for o in self.sim.state.orders.values() if o["sourceIdentifier"] == order_id)
        return Decimal(order["totalPriceSet"]["shopMoney"]["amount"])

    def store_stock(self, sku: str) -> int:
        item = self.sim.state.items[self._variant(sku)["_item"]]
        return int(item["_levels"][shopify_sim.LOCATION]["available"])

    def lose_next_order_answer(self) -> None:
        self.sim.faults.add("drop_after_commit", match="orderCreate")

    def lose_next_refund_answer(self, order_id: str) -> None:
        del order_id  # refundCreate names the order in its variables, not its path
        self.sim.faults.add("drop_after_commit", match="refundCreate")

    def faults_left(self) -> int:
        return len(self.sim.faults.pending)

    def store_refunds(self, refund_id: str) -> list[Decimal]:
        return [
            Decimal(r["totalRefundedSet"]["shopMoney"]["amount"])
            for o in self.sim.state.orders.values()
            for r in o["_refunds"]
            if refund_id in str(r.get("note") or "")
        ]

    def throttle(self, times: int) -> None:
        self.sim.faults.add("throttled", match="products", count=times)

    def delete(self, sku: str) -> None:
        self.sim.state.delete_product(self.product_id(sku))

    def set_price(self, sku: str, price: str) -> None:
        self.sim.state.set_price(self._variant(sku)["id"], price)

    def sell_elsewhere(self, sku: str, quantity: int) -> None:
        self.sim.state.take_stock(self._variant(sku)["id"], quantity)  # an online order's claim

    def reader(self, secret: str) -> WebhookReader:
        return ShopifyWebhookReader(secret)

    def delivery(self, sku: str, secret: str) -> tuple[dict[str, str], str, bytes]:
        pid = self.product_id(sku)
        body = json.dumps({"id": int(pid.rsplit("/", 1)[1]), "admin_graphql_api_id": pid})
        raw = body.encode()
        headers = {
            "X-Shopify-Hmac-Sha256": signature(raw, secret),
            "X-Shopify-Topic": "products/update",
            "X-Shopify-Event-Id": "e1",
            "X-Shopify-Webhook-Id": "w1",
        }
        return headers, "application/json", raw


@asynccontextmanager
async def shopify_rig(tmp_path: Path, export: dict[str, Any]) -> AsyncIterator[ShopifyRig]:
    time = FakeTime()
    # A small plan's bucket (1,000 points, 50 a second) on the rig's clock: pacing is real.
    async with shopify_sim.running_sim(
        export=export, monotonic=time, bucket_size=1000, restore_rate=50
    ) as sim:
        db = await Database.open(tmp_path / "kiosk.db")
        client = ShopifyClient(sim.url, sim.token, sleep=time.sleep, clock=time)
        connector = ShopifyConnector(client, locale="en_GB", bulk_poll=0.01, monotonic=time)
        engine = SyncEngine(db, connector, clock=utc_now, settings=SyncConfig())
        try:
            yield ShopifyRig(sim, db, engine, Checkout(db, order_prefix="K1-"), time, connector)
        finally:
            await connector.close()
            await db.close()


@asynccontextmanager
async def rig_for(platform: str, tmp_path: Path, **settings: str) -> AsyncIterator[Rig]:
    """The platform's rig over the demo catalog (its settings overridden by `settings`)."""
    make: Callable[[Path, dict[str, Any]], Any] = {
        "woocommerce": woo_rig,
        "shopify": shopify_rig,
    }[platform]
    async with make(tmp_path, demo_export(**settings)) as rig:
        yield rig


async def device_rates(rig: Rig) -> None:
    """Shopify's API has no tax table: give its device the shop's rate, as the store's own
    rates reach a WooCommerce device through the sync."""
    if rig.platform == "shopify":
        await catalog.replace_tax_rates(rig.db, [TaxRate("gb-vat", Decimal("20.0000"), "VAT")])


# -- provisioning a data directory for `kiosk sync` in a child process -----------------------------


def provision_woo(data_dir: Path, sim: woo_sim.SimHandle) -> None:
    save_config(Config(data_dir=data_dir, store=StoreConfig(platform="woocommerce", url=sim.url)))
    keys = WooCommerceSecrets(sim.consumer_key, sim.consumer_secret)
    save_secrets(data_dir, keys.into(Secrets("hook-secret")))


def provision_shopify(data_dir: Path, sim: shopify_sim.SimHandle) -> None:
    config = Config(data_dir=data_dir, store=StoreConfig(platform="shopify", url=sim.url))
    save_config(config.with_section(ShopifyConfig(shop=sim.shop)))
    save_secrets(data_dir, ShopifySecrets(sim.token).into(Secrets("hook-secret")))


def committed_products(db_path: Path) -> int:
    """Products (not variations) the device has committed, read beside the writer (WAL)."""
    if not db_path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as c:
            row = c.execute("SELECT COUNT(*) FROM products WHERE parent_id IS NULL").fetchone()
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0
    return int(row[0])
