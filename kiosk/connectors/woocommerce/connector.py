"""WooConnector: the Connector Protocol over WooCommerce REST v3 (and the companion plugin)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.connectors.base import Batch, Connector, RemoteOrder, RemoteRefund, Skipped, StoreInfo
from kiosk.connectors.errors import BadResponse, ConnectorError, NotFound
from kiosk.connectors.feed import Changes
from kiosk.connectors.woocommerce import PLATFORM, order_upload, paging
from kiosk.connectors.woocommerce import online_orders as woo_online
from kiosk.connectors.woocommerce import pickup as woo_pickup
from kiosk.connectors.woocommerce import plugin as woo_plugin
from kiosk.connectors.woocommerce import refunds as woo_refunds
from kiosk.connectors.woocommerce import setup as woo_setup
from kiosk.connectors.woocommerce.auth import Keys
from kiosk.connectors.woocommerce.client import PER_PAGE, Page, WooClient
from kiosk.connectors.woocommerce.mapping import (
    PRODUCT_FIELDS,
    VARIATION_FIELDS,
    MappingError,
    category_from_woo,
    customer_from_woo,
    product_from_woo,
    shop_settings_from_woo,
    tax_rate_from_woo,
    variation_from_woo,
)
from kiosk.connectors.woocommerce.paging import gmt
from kiosk.connectors.woocommerce.stock import StockReader, stock_level_from_woo
from kiosk.core.models import (
    SELLABLE_STATUSES,
    Category,
    Customer,
    Order,
    Product,
    ProductKind,
    ShopSettings,
    StockLevel,
    TaxRate,
)
from kiosk.core.pickup import PickupOrder, PickupState
from kiosk.core.refunds import Refund

log = logging.getLogger(__name__)

# Listings ask for only the fields the mapping reads (`_fields`): less to send and to parse.
_PRODUCTS = {**paging.BY_ID, "_fields": ",".join(PRODUCT_FIELDS)}
_VARIATIONS = {**paging.BY_ID, "_fields": ",".join(VARIATION_FIELDS)}
# How far before an upload attempt find_order looks: the store's clock may differ from ours.
CLOCK_SKEW = timedelta(minutes=10)


def _page_of(resume: str | None) -> int:
    if resume is None:
        return 1
    if not resume.isdigit() or int(resume) < 1:
        raise ValueError(f"cursor {resume!r} is not a WooCommerce page number")
    return int(resume)


class WooConnector:
    """One WooCommerce store. Ids are the store's integer ids as text."""

    platform = PLATFORM

    def __init__(
        self,
        client: WooClient,
        *,
        locale: str = "en_US",
        currency: str | None = None,
        per_page: int = PER_PAGE,
        plugin: bool | None = None,
        barcode_meta_key: str = "",
        device: str = "",
    ) -> None:
        """`plugin`: use the companion plugin always (True), never (False), or if present (None).
        `barcode_meta_key`: the product meta key the shop's barcode plugin keeps codes in, if any.
        `device`: this device's name, which the plugin's admin page lists.
        """
        # WordPress does not expose its locale through the REST API: the device configures it.
        self.client = client
        self.locale = locale
        self._currency_code = currency
        self.per_page = per_page
        self._plugin = plugin
        self._plugin_lock = asyncio.Lock()
        self.barcode_meta_key = barcode_meta_key
        self.device = device
        # The plugin's GET kiosk/v1/status (None: no plugin, or one older than 0.2.0), asked once.
        self._status: dict[str, Any] | None = None
        self._status_known = False
        # variation id -> parent id, learned from listings, so stock_levels can find variations.
        self._parents: dict[str, str] = {}
        self._stock = StockReader(client, self._parents)

    @classmethod
    def connect(
        cls,
        url: str,
        key: str,
        secret: str,
        *,
        query_auth: bool = False,
        ca_file: Path | str | None = None,
        locale: str = "en_US",
        currency: str | None = None,
        plugin: bool | None = None,
        barcode_meta_key: str = "",
        device: str = "",
        **client_options: Any,
    ) -> WooConnector:
        """A connector with its own client (options as WooClient's: timeout, concurrency, ...)."""
        client = WooClient(
            url, Keys(key, secret), query_auth=query_auth, ca_file=ca_file, **client_options
        )
        return cls(
            client,
            locale=locale,
            currency=currency,
            plugin=plugin,
            barcode_meta_key=barcode_meta_key,
            device=device,
        )

    async def __aenter__(self) -> WooConnector:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.client.close()

    # -- shop -----------------------------------------------------------------------------------

    async def check(self) -> StoreInfo:
        return await woo_setup.check_client(self.client)

    async def _currency(self) -> str:
        if self._currency_code is None:
            self._currency_code = (await self.shop_settings()).currency
        return self._currency_code

    async def shop_settings(self) -> ShopSettings:
        general, tax, index = await asyncio.gather(
            self.client.get("/settings/general"),
            self.client.get("/settings/tax"),
            self.client._request("GET", "/wp-json/", authenticate=False),
        )
        options: dict[str, str] = {}
        for group in (general, tax):
            if not isinstance(group, list):
                raise BadResponse("GET /settings: expected a list of settings")
            for item in group:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    value = item.get("value")
                    if isinstance(value, str):
                        options[item["id"]] = value
        self._note_plugin(index.data)
        name = index.data.get("name") if isinstance(index.data, dict) else None
        try:
            settings = shop_settings_from_woo(
                options, locale=self.locale, name=name if isinstance(name, str) else ""
            )
        except MappingError as exc:
            raise BadResponse(f"the store's settings are unusable: {exc}") from None
        self._currency_code = settings.currency
        return settings

    # -- the companion plugin -------------------------------------------------------------------

    def _note_plugin(self, index: Any) -> None:
        """Learn from the site's REST index whether the companion plugin is installed."""
        if self._plugin is None:
            self._plugin = woo_plugin.advertised(index)
            if self._plugin:
                log.info("the store has the kiosk companion plugin: using %s", woo_plugin.API)

    async def has_plugin(self) -> bool:
        """Whether the store has the companion plugin (asked once, from the public REST index)."""
        if self._plugin is None:
            async with self._plugin_lock:  # concurrent pages ask once between them
                if self._plugin is None:
                    index = await self.client._request("GET", "/wp-json/", authenticate=False)
                    self._note_plugin(index.data)
                    self._plugin = bool(self._plugin)  # an unreadable index: no plugin
        return self._plugin

    def _plugin_failed(self, exc: ConnectorError) -> None:
        log.warning("the companion plugin did not answer (%s); using the REST API alone", exc)
        self._plugin = False
        self._status, self._status_known = None, True

    async def plugin_status(self) -> dict[str, Any] | None:
        """The plugin's GET kiosk/v1/status, asked once (None: not there, or too old to have it).

        Connection errors are raised, not remembered: the next call asks again.
        """
        if self._plugin is False:
            return None
        if not self._status_known:
            async with self._plugin_lock:
                if not self._status_known:
                    self._status = await woo_plugin.status(self.client)
                    self._status_known = True
                    if self._status is not None:
                        log.info(
                            "companion plugin %s serves %s",
                            self._status.get("plugin_version"),
                            ", ".join(r for r in woo_plugin.STATUS_ROUTES if self._serves(r)),
                        )
        return self._status

    def _serves(self, route: str) -> bool:
        return woo_plugin.serves(self._status, route)

    async def changes(self, cursor: str, *, wait: float, queued: int = 0) -> Changes | None:
        """The plugin's change feed after `cursor` (kiosk.connectors.feed), None without it."""
        if not woo_plugin.serves(await self.plugin_status(), "GET /changes"):
            return None
        try:
            return await woo_plugin.changes(
                self.client, cursor, wait=wait, device=self.device, queued=queued
            )
        except woo_plugin.GONE as exc:
            self._plugin_failed(exc)
            return None

    async def tax_rates(self) -> list[TaxRate]:
        rates = []
        for obj in await self.client.get_all("/taxes", paging.BY_ID):
            try:
                rates.append(tax_rate_from_woo(obj))
            except MappingError as exc:
                paging.skipped(exc)
        return rates

    async def categories(self) -> AsyncIterator[Batch[Category]]:
        async def batch(page: Page) -> Batch[Category]:
            items, skipped = [], []
            for obj in page.items:
                try:
                    items.append(category_from_woo(obj))
                except MappingError as exc:
                    skipped.append(paging.skipped(exc))
            return Batch(tuple(items), page.next_cursor, page.total, tuple(skipped))

        async for b in self.client.pages("/products/categories", paging.BY_ID, then=batch):
            yield b

    async def customers(
        self, *, since: datetime | None = None, resume: str | None = None
    ) -> AsyncIterator[Batch[Customer]]:
        # /customers has no modified_after: list them all and keep the changed ones.
        async def batch(page: Page) -> Batch[Customer]:
            items, skipped = [], []
            for obj in page.items:
                try:
                    c = customer_from_woo(obj)
                except MappingError as exc:
                    skipped.append(paging.skipped(exc))
                    continue
                if since is None or c.modified_at is None or c.modified_at >= since:
                    items.append(c)
            return Batch(tuple(items), page.next_cursor, page.total, tuple(skipped))

        params = {**paging.BY_ID, "role": "all"}
        start = _page_of(resume)
        async for b in self.client.pages("/customers", params, start=start, then=batch):
            yield b

    # -- products -------------------------------------------------------------------------------

    async def products(
        self, *, since: datetime | None = None, resume: str | None = None
    ) -> AsyncIterator[Batch[Product]]:
        currency = await self._currency()
        params: dict[str, str | int] = dict(_PRODUCTS)
        if since is not None:
            params |= {"modified_after": gmt(since), "dates_are_gmt": "true"}

        async def batch(page: Page) -> Batch[Product]:
            items, skipped = await self._map_products(page.items, currency)
            return Batch(items, page.next_cursor, page.total, skipped)

        start = _page_of(resume)
        async for b in self.client.pages(
            "/products", params, start=start, per_page=self.per_page, then=batch
        ):
            yield b

    async def _map_products(
        self, objs: Sequence[Any], currency: str
    ) -> tuple[tuple[Product, ...], tuple[Skipped, ...]]:
        """Sellable products of one page, each variable one followed by all its variations."""
        mapped: list[Product] = []
        skipped: list[Skipped] = []
        for obj in objs:
            if isinstance(obj, dict) and obj.get("status", "publish") not in SELLABLE_STATUSES:
                continue
            try:
                mapped.append(
                    product_from_woo(obj, currency, barcode_meta_key=self.barcode_meta_key)
                )
            except MappingError as exc:
                skipped.append(paging.skipped(exc))
        variable = [p for p in mapped if p.kind is ProductKind.VARIABLE]
        children: dict[str, list[Product]] = {}
        if variable and await self.has_plugin():
            try:
                children, bad = await woo_plugin.variations(
                    self.client, variable, currency, barcode_meta_key=self.barcode_meta_key
                )
            except woo_plugin.GONE as exc:
                self._plugin_failed(exc)
            else:
                skipped.extend(bad)
                self._parents |= {v.id: pid for pid, kids in children.items() for v in kids}
                return self._in_order(mapped, children), tuple(skipped)
        found = await asyncio.gather(
            *(self._variations(p, currency) for p in variable), return_exceptions=True
        )
        for parent, result in zip(variable, found, strict=True):
            if isinstance(result, NotFound):  # deleted since the page was listed
                skipped.append(Skipped("product", parent.id, "deleted while it was being read"))
                continue
            if isinstance(result, BaseException):
                raise result
            kids, bad = result
            children[parent.id] = kids
            skipped.extend(bad)
        return self._in_order(mapped, children), tuple(skipped)

    @staticmethod
    def _in_order(
        mapped: Sequence[Product], children: Mapping[str, list[Product]]
    ) -> tuple[Product, ...]:
        """Products in listing order, each variable one followed by its variations (one without
        an entry in `children` was deleted meanwhile and is left out)."""
        items: list[Product] = []
        for p in mapped:
            if p.kind is ProductKind.VARIABLE:
                if p.id not in children:
                    continue
                items.append(p)
                items.extend(children[p.id])
            else:
                items.append(p)
        return tuple(items)

    async def _variations(
        self, parent: Product, currency: str
    ) -> tuple[list[Product], list[Skipped]]:
        objs = await self.client.get_all(f"/products/{parent.id}/variations", _VARIATIONS)
        kids: list[Product] = []
        bad: list[Skipped] = []
        for obj in objs:
            if isinstance(obj, dict) and obj.get("status", "publish") != woo_plugin.SOLD_STATUS:
                continue
            try:
                v = variation_from_woo(
                    obj, parent, currency, barcode_meta_key=self.barcode_meta_key
                )
            except MappingError as exc:
                bad.append(paging.skipped(exc))
                continue
            self._parents[v.id] = parent.id
            kids.append(v)
        return kids, bad

    async def product_ids(self) -> set[str]:
        if await self.has_plugin():
            try:
                return await woo_plugin.product_ids(self.client)
            except woo_plugin.GONE as exc:
                self._plugin_failed(exc)
        objs = await self.client.get_all("/products", {**paging.BY_ID, "_fields": "id,status"})
        return {
            str(o["id"])
            for o in objs
            if isinstance(o, dict)
            and isinstance(o.get("id"), int)
            and o.get("status", "publish") in SELLABLE_STATUSES
        }

    async def fetch_products(self, ids: Sequence[str]) -> Batch[Product]:
        currency = await self._currency()
        chunks = await asyncio.gather(
            *(
                self.client.get_all("/products", {**_PRODUCTS, "include": ",".join(chunk)})
                for chunk in paging.chunks(ids)
            )
        )
        items, skipped = await self._map_products([o for c in chunks for o in c], currency)
        return Batch(items, None, len(items), skipped)

    async def stock_levels(self, ids: Sequence[str]) -> list[StockLevel]:
        return await self._stock.levels(ids, {})

    # -- orders ---------------------------------------------------------------------------------

    async def create_order(self, order: Order) -> RemoteOrder:
        remote: RemoteOrder | None = None
        if woo_plugin.serves(await self.plugin_status(), "POST /orders"):
            try:
                remote = await woo_plugin.create_order(self.client, order)
            except woo_plugin.GONE as exc:
                # Refused before anything was written (no route, or not signed in there): the
                # core REST path carries the same UUID, so either finds the other's order.
                self._plugin_failed(exc)
        if remote is None:
            remote = await order_upload.create(self.client, order)
        # Remember which product each sold variation belongs to: the stock read back after a
        # batch of uploads then lists variations under their parent, not one request each.
        for line in order.lines:
            if line.variation_id and line.variation_id != line.product_id:
                self._parents[line.variation_id] = line.product_id
        return remote

    async def find_order(self, order: Order, *, attempted_at: datetime) -> RemoteOrder | None:
        if woo_plugin.serves(await self.plugin_status(), "GET /orders/by-uuid/{uuid}"):
            try:
                return await woo_plugin.find_order(self.client, order)
            except woo_plugin.GONE as exc:
                self._plugin_failed(exc)
        return await order_upload.find(self.client, order, since=attempted_at - CLOCK_SKEW)

    async def create_refund(self, refund: Refund, *, order_remote_id: str) -> RemoteRefund:
        return await woo_refunds.create(self.client, refund, order_remote_id=order_remote_id)

    async def find_refund(self, refund: Refund, *, order_remote_id: str) -> RemoteRefund | None:
        return await woo_refunds.find(self.client, refund, order_remote_id=order_remote_id)

    async def online_order(self, number: str) -> Order | None:
        return await woo_online.find(self.client, number, await self._currency())

    # -- pickups (pickup.py) ----------------------------------------------------------------------

    async def pickup_orders(self, *, local_only: bool = True) -> list[PickupOrder]:
        currency = await self._currency()
        return await woo_pickup.pickup_orders(self.client, currency, local_only=local_only)

    async def complete_pickup(self, remote_id: str) -> None:
        await woo_pickup.complete(self.client, remote_id)

    async def pickup_state(self, remote_id: str) -> PickupState:
        return await woo_pickup.pickup_state(self.client, remote_id)


def _conforms(connector: WooConnector) -> Connector:
    return connector  # mypy proves WooConnector implements the Protocol


__all__ = ["CLOCK_SKEW", "PLATFORM", "WooConnector", "stock_level_from_woo"]
