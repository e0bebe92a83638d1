"""ShopifyConnector: the Connector Protocol over the Shopify Admin GraphQL API (read path).

Products: a delta (`since`) or a shop under `bulk_threshold` products is paged (queries.PRODUCTS,
cursor `page:<endCursor>`); the initial copy of a larger shop runs a bulk operation (bulk.py,
cursor `bulk:<operation>:<done>`), which is what the 25,000-object pagination cap and the cost
budget leave for large catalogs. Deltas use the search syntax `updated_at:>'<ISO time>'`; stock
changes do not move a product's updatedAt, so a delta also asks the location's inventory levels
changed since then and re-reads their products. Deletions are found by the id audit.

Tax rates: the Admin GraphQL API exposes no tax rate table (Shopify computes taxes itself), so
tax_rates() is empty until the order path brings Shopify's own tax lines (issue 13).
Orders are not uploaded to Shopify yet: create_order and find_order raise OrdersNotBuilt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

from kiosk.connectors.base import Batch, Connector, RemoteOrder, RemoteRefund, Skipped, StoreInfo
from kiosk.connectors.errors import (
    BadResponse,
    ConnectorError,
    NotFound,
    PermissionDenied,
    RefundsNotBuilt,
)
from kiosk.connectors.shopify import PLATFORM, queries, stock
from kiosk.connectors.shopify.bulk import PREFIX as BULK_PREFIX
from kiosk.connectors.shopify.bulk import BulkCopy, cursor_of
from kiosk.connectors.shopify.client import ShopifyClient
from kiosk.connectors.shopify.mapping import (
    MappingError,
    category_from_shopify,
    customer_from_shopify,
    products_from_shopify,
    sellable,
    shop_settings_from_shopify,
)
from kiosk.core.models import (
    Category,
    Customer,
    Order,
    Product,
    ShopSettings,
    StockLevel,
    TaxRate,
)
from kiosk.core.refunds import Refund

log = logging.getLogger(__name__)

PAGE_PREFIX = "page:"
BULK_THRESHOLD = 2000  # products: above this the initial copy is one bulk operation
READ_SCOPES = ("read_products", "read_inventory", "read_customers", "read_locations")


class OrdersNotBuilt(ConnectorError):
    """Uploading orders to Shopify is the next increment of issue 13."""


def _since(moment: datetime) -> str:
    return f"updated_at:>'{moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}'"


def _page(data: dict[str, Any], key: str) -> tuple[list[dict[str, Any]], str | None]:
    conn = data.get(key)
    if not isinstance(conn, dict) or not isinstance(conn.get("nodes"), list):
        raise BadResponse(f"Shopify answered no {key} list")
    info = conn.get("pageInfo") or {}
    return conn["nodes"], info.get("endCursor") if info.get("hasNextPage") else None


class ShopifyConnector:
    """One Shopify shop. Ids are GIDs (see mapping.py)."""

    platform = PLATFORM

    def __init__(
        self,
        client: ShopifyClient,
        *,
        location: str = "",
        locale: str = "en_US",
        bulk_threshold: int = BULK_THRESHOLD,
        bulk_poll: float = 1.0,
        batch: int = 250,
    ) -> None:
        """`location`: the POS location's GID ("" for the shop's primary location)."""
        self.client = client
        self.locale = locale
        self.bulk_threshold = bulk_threshold
        self.bulk_poll = bulk_poll
        self.batch = batch
        self._location = location
        self._currency: str | None = None

    @classmethod
    def connect(
        cls,
        shop: str,
        token: str,
        *,
        location: str = "",
        locale: str = "en_US",
        **client_options: Any,
    ) -> ShopifyConnector:
        return cls(ShopifyClient(shop, token, **client_options), location=location, locale=locale)

    async def __aenter__(self) -> ShopifyConnector:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.client.close()

    # -- shop -----------------------------------------------------------------------------------

    async def location(self) -> str:
        if not self._location:
            data = await self.client.query(queries.CHECK, {"location": None}, name="location")
            loc = data.get("location")
            if not isinstance(loc, dict) or not isinstance(loc.get("id"), str):
                raise BadResponse("the shop has no primary location")
            self._location = loc["id"]
        return self._location

    async def check(self) -> StoreInfo:
        data = await self.client.query(
            queries.CHECK, {"location": self._location or None}, name="check"
        )
        shop, loc = data.get("shop") or {}, data.get("location")
        if not isinstance(loc, dict):
            raise NotFound(
                f"the shop has no location {self._location or '(primary)'}: pick one of its "
                "locations (Settings > Locations) as the till's"
            )
        self._location = self._location or str(loc["id"])
        scopes = {
            s.get("handle")
            for s in (data.get("currentAppInstallation") or {}).get("accessScopes") or ()
        }
        missing = [s for s in READ_SCOPES if s not in scopes]
        if missing:
            raise PermissionDenied(
                f"the access token lacks the scopes {', '.join(missing)}: grant them in the app's "
                "Admin API configuration"
            )
        return StoreInfo(
            platform=PLATFORM,
            url=self.client.url,
            name=str(shop.get("name", "")),
            currency=str(shop.get("currencyCode", "")),
            can_write="write_orders" in scopes,
        )

    async def shop_settings(self) -> ShopSettings:
        data = await self.client.query(queries.SHOP, name="shop")
        try:
            settings = shop_settings_from_shopify(data.get("shop") or {}, locale=self.locale)
        except MappingError as exc:
            raise BadResponse(f"the shop's settings are unusable: {exc}") from None
        self._currency = settings.currency
        return settings

    async def _currency_code(self) -> str:
        if self._currency is None:
            self._currency = (await self.shop_settings()).currency
        return self._currency

    async def tax_rates(self) -> list[TaxRate]:
        return []

    async def categories(self) -> AsyncIterator[Batch[Category]]:
        after, position = None, 0
        while True:
            data = await self.client.query(
                queries.COLLECTIONS,
                {"first": queries.FLAT_PAGE, "after": after},
                name="collections",
            )
            nodes, after = _page(data, "collections")
            items, skipped = [], []
            for obj in nodes:
                try:
                    items.append(category_from_shopify(obj, position))
                except MappingError as exc:
                    skipped.append(Skipped(exc.kind, exc.id, exc.reason))
                position += 1
            yield Batch(tuple(items), after, None, tuple(skipped))
            if after is None:
                return

    async def customers(
        self, *, since: datetime | None = None, resume: str | None = None
    ) -> AsyncIterator[Batch[Customer]]:
        after = resume.removeprefix(PAGE_PREFIX) if resume else None
        search = _since(since) if since else None
        while True:
            data = await self.client.query(
                queries.CUSTOMERS,
                {"first": queries.CUSTOMER_PAGE, "after": after, "query": search},
                name="customers",
            )
            nodes, after = _page(data, "customers")
            items, skipped = [], []
            for obj in nodes:
                try:
                    items.append(customer_from_shopify(obj))
                except MappingError as exc:
                    skipped.append(Skipped(exc.kind, exc.id, exc.reason))
            yield Batch(tuple(items), PAGE_PREFIX + after if after else None, None, tuple(skipped))
            if after is None:
                return

    # -- products -------------------------------------------------------------------------------

    async def products(
        self, *, since: datetime | None = None, resume: str | None = None
    ) -> AsyncIterator[Batch[Product]]:
        if resume == "":
            return  # the listing this cursor belonged to was finished
        currency, location = await self._currency_code(), await self.location()
        if resume is not None and resume.startswith(BULK_PREFIX):
            async for b in self._bulk(currency, location, resume):
                yield b
            return
        total = None
        if resume is None and since is None:
            data = await self.client.query(queries.PRODUCTS_COUNT, name="products count")
            total = int((data.get("productsCount") or {}).get("count") or 0)
            if total > self.bulk_threshold:
                async for b in self._bulk(currency, location, None, total):
                    yield b
                return
        async for b in self._paged(currency, location, since, resume, total):
            yield b
        if since is not None:
            async for b in self._stock_changed(since):
                yield b

    async def _paged(
        self,
        currency: str,
        location: str,
        since: datetime | None,
        resume: str | None,
        total: int | None,
    ) -> AsyncIterator[Batch[Product]]:
        after = resume.removeprefix(PAGE_PREFIX) if resume else None
        search = _since(since) if since else None
        while True:
            data = await self.client.query(
                queries.PRODUCTS,
                {
                    "first": queries.PRODUCT_PAGE,
                    "after": after,
                    "query": search,
                    "location": location,
                },
                name="products",
            )
            nodes, after = _page(data, "products")
            items, skipped = await self._map(nodes, currency, location)
            yield Batch(items, PAGE_PREFIX + after if after else None, total, skipped)
            if after is None:
                return

    async def _bulk(
        self, currency: str, location: str, resume: str | None, total: int | None = None
    ) -> AsyncIterator[Batch[Product]]:
        copy = BulkCopy(self.client, location, poll=self.bulk_poll)
        pending: list[dict[str, Any]] = []
        op_id, done = "", 0
        async for op_id, done, group in copy.groups(resume):
            pending.append(group.as_product())
            if len(pending) >= self.batch:
                items, skipped = await self._map(pending, currency, location, complete=True)
                pending = []
                yield Batch(items, cursor_of(op_id, done), total, skipped)
        items, skipped = await self._map(pending, currency, location, complete=True)
        yield Batch(items, None, total, skipped)

    async def _map(
        self,
        nodes: Sequence[dict[str, Any]],
        currency: str,
        location: str,
        *,
        complete: bool = False,
    ) -> tuple[tuple[Product, ...], tuple[Skipped, ...]]:
        """Sellable products of a page, each followed by all its variants (fetched if more)."""
        items: list[Product] = []
        skipped: list[Skipped] = []
        wanted = [n for n in nodes if isinstance(n, dict) and sellable(n)]
        if not complete:
            await asyncio.gather(*(self._more_variants(n, location) for n in wanted))
        for node in wanted:
            try:
                items.extend(products_from_shopify(node, currency))
            except MappingError as exc:
                skipped.append(Skipped(exc.kind, exc.id, exc.reason))
        return tuple(items), tuple(skipped)

    async def _more_variants(self, product: dict[str, Any], location: str) -> None:
        conn = product.get("variants") or {}
        info = conn.get("pageInfo") or {}
        after = info.get("endCursor") if info.get("hasNextPage") else None
        while after:
            data = await self.client.query(
                queries.VARIANTS_MORE,
                {"id": product["id"], "after": after, "location": location},
                name="variants",
            )
            more = (data.get("product") or {}).get("variants") or {}
            conn.setdefault("nodes", []).extend(more.get("nodes") or [])
            page = more.get("pageInfo") or {}
            after = page.get("endCursor") if page.get("hasNextPage") else None

    async def _stock_changed(self, since: datetime) -> AsyncIterator[Batch[Product]]:
        ids = await stock.changed_products(self.client, await self.location(), _since(since))
        if ids:
            yield await self.fetch_products(sorted(ids))

    async def product_ids(self) -> set[str]:
        ids: set[str] = set()
        after = None
        while True:
            data = await self.client.query(
                queries.PRODUCT_IDS, {"first": queries.FLAT_PAGE, "after": after}, name="ids"
            )
            nodes, after = _page(data, "products")
            ids |= {n["id"] for n in nodes if isinstance(n, dict) and sellable(n)}
            if after is None:
                return ids

    async def fetch_products(self, ids: Sequence[str]) -> Batch[Product]:
        currency, location = await self._currency_code(), await self.location()
        chunks = [ids[i : i + queries.NODES_PAGE] for i in range(0, len(ids), queries.NODES_PAGE)]
        answers = await asyncio.gather(
            *(
                self.client.query(
                    queries.PRODUCTS_BY_ID,
                    {"ids": list(chunk), "location": location},
                    name="products by id",
                )
                for chunk in chunks
            )
        )
        nodes = [n for a in answers for n in a.get("nodes") or () if isinstance(n, dict) and n]
        items, skipped = await self._map(nodes, currency, location)
        return Batch(items, None, len(items), skipped)

    async def stock_levels(self, ids: Sequence[str]) -> list[StockLevel]:
        return await stock.levels(self.client, await self.location(), ids)

    # -- orders: the next increment --------------------------------------------------------------

    async def create_order(self, order: Order) -> RemoteOrder:
        raise OrdersNotBuilt("uploading orders to Shopify is not built yet")

    async def find_order(self, order: Order, *, attempted_at: datetime) -> RemoteOrder | None:
        raise OrdersNotBuilt("uploading orders to Shopify is not built yet")

    async def create_refund(self, refund: Refund, *, order_remote_id: str) -> RemoteRefund:
        raise RefundsNotBuilt("uploading refunds to this store is not built yet")

    async def find_refund(self, refund: Refund, *, order_remote_id: str) -> RemoteRefund | None:
        raise RefundsNotBuilt("uploading refunds to this store is not built yet")


def _conforms(connector: ShopifyConnector) -> Connector:
    return connector  # mypy proves ShopifyConnector implements the Protocol
