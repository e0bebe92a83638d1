"""ShopifyConnector: the Connector Protocol over the Shopify Admin GraphQL API (read path).

Products: a delta (`since`) or a shop under `bulk_threshold` products is paged (queries.PRODUCTS,
cursor `page:<endCursor>`); the initial copy of a larger shop runs a bulk operation (bulk.py,
cursor `bulk:<operation>:<done>`), which is what the 25,000-object pagination cap and the cost
budget leave for large catalogs. Deltas use the search syntax `updated_at:>'<ISO time>'`; stock
changes do not move a product's updatedAt, so a delta also asks the location's inventory levels
changed since then and re-reads their products. Deletions are found by the id audit.

Tax rates: the Admin GraphQL API exposes no tax rate table (Shopify computes taxes itself), so
tax_rates() is what [shopify] tax_rate configures (none by default): Shopify computes taxes
itself and its API lists no rates, so the till charges the configured one, and an order carries
the taxes the device computed (orders.py).

Orders (orders.py): orderCreate, once: it has no idempotency key, so a lost answer is
OutcomeUnknown and find_order searches `source_identifier:"<UUID>"` before any retry. A search
index may trail a write, so "not found" within `search_lag` seconds of sending is OutcomeUnknown
too, never None. userErrors are Rejected with Shopify's messages (the engine parks the order).
Refunds (refunds.py): refundCreate with the refund UUID as its `@idempotent` key; find_refund
reads the order's refunds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from kiosk.connectors.base import Batch, Connector, RemoteOrder, RemoteRefund, Skipped, StoreInfo
from kiosk.connectors.errors import (
    BadResponse,
    NotFound,
    OutcomeUnknown,
    PermissionDenied,
    Rejected,
)
from kiosk.connectors.shopify import PLATFORM, orders, queries, refunds, stock
from kiosk.connectors.shopify import online_orders as shopify_online
from kiosk.connectors.shopify import pickup as shopify_pickup
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
from kiosk.core.pickup import PickupOrder, PickupState
from kiosk.core.refunds import Refund

log = logging.getLogger(__name__)

PAGE_PREFIX = "page:"
BULK_THRESHOLD = 2000  # products: above this the initial copy is one bulk operation
READ_SCOPES = ("read_products", "read_inventory", "read_customers", "read_locations")
SEARCH_LAG = 10.0  # seconds a new order may take to show in Shopify's order search


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
        search_lag: float = SEARCH_LAG,
        monotonic: Callable[[], float] = time.monotonic,
        tax_rates: Sequence[TaxRate] = (),
    ) -> None:
        """`location`: the POS location's GID ("" for the shop's primary location)."""
        self.client = client
        self.locale = locale
        self.bulk_threshold = bulk_threshold
        self.bulk_poll = bulk_poll
        self.batch = batch
        self._location = location
        self._currency: str | None = None
        self.search_lag = search_lag
        self._tax_rates = list(tax_rates)
        self._monotonic = monotonic
        self._default: dict[str, str] = {}  # a simple product's GID -> its one variant's GID
        self._sent: dict[str, float] = {}  # order UUID -> when orderCreate last went out

    @classmethod
    def connect(
        cls,
        shop: str,
        token: str,
        *,
        location: str = "",
        locale: str = "en_US",
        tax_rates: Sequence[TaxRate] = (),
        **client_options: Any,
    ) -> ShopifyConnector:
        return cls(
            ShopifyClient(shop, token, **client_options),
            location=location,
            locale=locale,
            tax_rates=tax_rates,
        )

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
        return list(self._tax_rates)  # configured on the device: Shopify's API lists none

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
            if node.get("hasOnlyDefaultVariant"):
                first = (node.get("variants") or {}).get("nodes") or ()
                if first and isinstance(first[0].get("id"), str):
                    self._default[node["id"]] = first[0]["id"]  # what an order line names
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

    # -- orders ----------------------------------------------------------------------------------

    async def _variants(self, ids: Sequence[str]) -> dict[str, str]:
        """Each device id (a variant's GID, or a simple product's) with its variant's GID."""
        missing = sorted({i for i in ids if "/ProductVariant/" not in i} - set(self._default))
        for i in range(0, len(missing), queries.FLAT_PAGE):
            data = await self.client.query(
                orders.DEFAULT_VARIANTS,
                {"ids": missing[i : i + queries.FLAT_PAGE]},
                name="default variants",
            )
            for node in data.get("nodes") or ():
                first = ((node or {}).get("variants") or {}).get("nodes") or ()
                if first and isinstance(first[0].get("id"), str):
                    self._default[node["id"]] = first[0]["id"]
        found = {i: i for i in ids if "/ProductVariant/" in i}
        found |= {i: self._default[i] for i in ids if i in self._default}
        return found

    async def create_order(self, order: Order) -> RemoteOrder:
        location = await self.location()
        sold = [line.variation_id or line.product_id for line in order.lines]
        variants = await self._variants(sold)
        gone = [i for i in sold if i not in variants]
        if gone:
            raise Rejected(
                f"the shop no longer has the product {', '.join(gone)}: it was deleted",
                status=422,
                code="INVALID",
            )
        try:
            variables = orders.order_input(order, variants, location)
        except ValueError as exc:
            raise Rejected(f"the order cannot be written for Shopify: {exc}", status=422) from None
        self._sent[order.id] = self._monotonic()
        data = await self.client.mutate(orders.CREATE, variables, name="orderCreate")
        payload = data.get("orderCreate") or {}
        if payload.get("userErrors"):
            errors = payload["userErrors"]
            raise Rejected(
                f"Shopify refused the order: {orders.user_errors(errors)}",
                status=422,
                code=str((errors[0] or {}).get("code") or ""),
            )
        owners = {v: k for k, v in variants.items()}
        try:
            remote = orders.remote_order(payload.get("order") or {}, order, owners)
        except ValueError as exc:
            raise OutcomeUnknown(f"orderCreate: the answer is unreadable ({exc})") from None
        if remote.total != order.total:
            log.error(
                "order %s: Shopify's total %s differs from the sale's %s",
                order.id,
                remote.total,
                order.total,
            )
        return remote

    async def find_order(self, order: Order, *, attempted_at: datetime) -> RemoteOrder | None:
        location = await self.location()
        data = await self.client.query(
            orders.FIND,
            {
                "query": orders.search_for(order.id),
                "location": location,
                "lines": orders.lines_for(order),
            },
            name="order lookup",
        )
        found = [
            n
            for n in (data.get("orders") or {}).get("nodes") or ()
            if isinstance(n, dict) and n.get("sourceIdentifier") == order.id
        ]
        if not found:
            sent = self._sent.get(order.id)
            if sent is not None and self._monotonic() - sent < self.search_lag:
                # Shopify's search index can trail a write by seconds: "not found" this soon
                # after sending is no proof the order is absent. Let the engine look again.
                raise OutcomeUnknown(
                    f"order {order.id}: not found yet, {self.search_lag:g} s may pass before "
                    "Shopify's search shows a new order"
                )
            return None
        if len(found) > 1:
            log.error(
                "order %s exists %d times in Shopify (%s)",
                order.id,
                len(found),
                ", ".join(str(n.get("id")) for n in found),
            )
        sold = [line.variation_id or line.product_id for line in order.lines]
        owners = {v: k for k, v in (await self._variants(sold)).items()}
        try:
            return orders.remote_order(found[0], order, owners)
        except ValueError as exc:
            raise BadResponse(f"order lookup: Shopify's order is unreadable ({exc})") from None

    # -- refunds ---------------------------------------------------------------------------------

    async def _refund_order(self, order_remote_id: str) -> dict[str, Any]:
        data = await self.client.query(
            refunds.ORDER, {"id": order_remote_id}, name="order for a refund"
        )
        order = data.get("order")
        if not isinstance(order, dict):
            raise Rejected(
                f"Shopify has no order {order_remote_id} to refund", status=404, code="NOT_FOUND"
            )
        return order

    async def create_refund(self, refund: Refund, *, order_remote_id: str) -> RemoteRefund:
        location = await self.location()
        order = await self._refund_order(order_remote_id)
        variants = await self._variants([rl.variation_id or rl.product_id for rl in refund.lines])
        try:
            variables = refunds.refund_input(refund, order, variants, location)
            document = refunds.create_document(refund.id)
        except ValueError as exc:
            raise Rejected(f"the refund cannot be written for Shopify: {exc}", status=422) from None
        data = await self.client.mutate(document, variables, name="refundCreate")
        payload = data.get("refundCreate") or {}
        if payload.get("userErrors"):
            raise Rejected(
                f"Shopify refused the refund: {orders.user_errors(payload['userErrors'])}",
                status=422,
            )
        try:
            return refunds.remote_refund(payload.get("refund") or {}, refund)
        except ValueError as exc:
            raise OutcomeUnknown(f"refundCreate: the answer is unreadable ({exc})") from None

    async def find_refund(self, refund: Refund, *, order_remote_id: str) -> RemoteRefund | None:
        order = await self._refund_order(order_remote_id)
        try:
            return refunds.find(refund, order.get("refunds") or ())
        except ValueError as exc:
            raise BadResponse(f"refund lookup: Shopify's refund is unreadable ({exc})") from None

    # -- pickups (pickup.py) ----------------------------------------------------------------------

    async def online_order(self, number: str) -> Order | None:
        return await shopify_online.find(self.client, number)

    async def pickup_orders(self, *, local_only: bool = True) -> list[PickupOrder]:
        location = await self.location()
        found: list[PickupOrder] = []
        after: str | None = None
        while True:
            data = await self.client.query(
                shopify_pickup.LIST,
                {"first": 10, "after": after, "query": shopify_pickup.location_query(location)},
                name="pickups",
            )
            nodes, after = _page(data, "fulfillmentOrders")
            for node in nodes:
                if shopify_pickup.waiting(node, location, local_only=local_only):
                    try:
                        found.append(shopify_pickup.pickup_from_shopify(node))
                    except (ValueError, KeyError) as exc:
                        raise BadResponse(f"a fulfillment order is unreadable ({exc})") from None
            if after is None:
                return found

    async def pickup_state(self, remote_id: str) -> PickupState:
        data = await self.client.query(shopify_pickup.STATE, {"id": remote_id}, name="pickup")
        return shopify_pickup.state_of(data.get("fulfillmentOrder"))

    async def complete_pickup(self, remote_id: str) -> None:
        data = await self.client.mutate(
            shopify_pickup.COMPLETE,
            shopify_pickup.complete_variables(remote_id),
            name="fulfillmentCreate",
        )
        payload = data.get("fulfillmentCreate") or {}
        if payload.get("userErrors"):
            # Shopify refuses a second fulfillment: one made already is no refusal.
            if await self.pickup_state(remote_id) is PickupState.COLLECTED:
                return
            raise Rejected(
                f"Shopify refused to complete the pickup: "
                f"{orders.user_errors(payload['userErrors'])}",
                status=422,
            )
        if not isinstance(payload.get("fulfillment"), dict):
            raise OutcomeUnknown("fulfillmentCreate: the answer holds no fulfillment")


def _conforms(connector: ShopifyConnector) -> Connector:
    return connector  # mypy proves ShopifyConnector implements the Protocol
