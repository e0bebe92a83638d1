"""Reading the store's stock numbers for products and variations."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kiosk.connectors.errors import NotFound
from kiosk.connectors.woocommerce.client import WooClient
from kiosk.connectors.woocommerce.mapping import MappingError
from kiosk.connectors.woocommerce.paging import BY_ID, chunks, skipped
from kiosk.core.models import StockLevel, StockStatus

_STOCK_FIELDS = "id,parent_id,type,status,manage_stock,stock_quantity,stock_status"


def stock_level_from_woo(obj: Mapping[str, Any]) -> StockLevel:
    """The stock fields of a product or variation; "parent" stock is not the item's own."""
    manage = obj.get("manage_stock")
    managed = manage is True
    qty = obj.get("stock_quantity")
    status = obj.get("stock_status")
    try:
        stock_status = StockStatus(status) if status else StockStatus.IN_STOCK
    except ValueError:
        raise MappingError("product", str(obj.get("id")), f"stock_status {status!r}") from None
    return StockLevel(
        product_id=str(obj.get("id")),
        manage_stock=managed,
        quantity=int(qty) if managed and isinstance(qty, int | float) else None,
        status=stock_status,
    )


class StockReader:
    """Stock look-ups through `client`; `parents` (variation -> parent id) is shared with the
    connector, which learns it from listings, and grows with what this reader sees."""

    def __init__(self, client: WooClient, parents: dict[str, str]) -> None:
        self.client = client
        self._parents = parents

    async def levels(self, ids: Sequence[str], parents: Mapping[str, str]) -> list[StockLevel]:
        """Stock of products and variations; `parents` (variation -> parent) saves look-ups."""
        wanted = list(dict.fromkeys(ids))
        known = {**self._parents, **parents}
        levels: dict[str, StockLevel] = {}

        async def listing(path: str, include: list[str]) -> list[Any]:
            params = {**BY_ID, "include": ",".join(include), "_fields": _STOCK_FIELDS}
            try:
                return await self.client.get_all(path, params)
            except NotFound:
                return []

        by_parent: dict[str, list[str]] = {}
        plain = []
        for i in wanted:
            if i in known:
                by_parent.setdefault(known[i], []).append(i)
            else:
                plain.append(i)
        jobs = [listing("/products", chunk) for chunk in chunks(plain)]
        jobs += [
            listing(f"/products/{parent}/variations", chunk)
            for parent, vids in by_parent.items()
            for chunk in chunks(vids)
        ]
        for objs in await asyncio.gather(*jobs):
            self._add_levels(levels, objs)
        # Ids that are neither products nor known variations: ask for each one; GET
        # /products/<id> answers for a variation too, and names its parent.
        missing = [i for i in plain if i not in levels]

        async def single(i: str) -> list[Any]:
            try:
                return [await self.client.get(f"/products/{i}", {"_fields": _STOCK_FIELDS})]
            except NotFound:
                return []

        for objs in await asyncio.gather(*(single(i) for i in missing)):
            self._add_levels(levels, objs)
        return [levels[i] for i in wanted if i in levels]

    def _add_levels(self, levels: dict[str, StockLevel], objs: Iterable[Any]) -> None:
        for obj in objs:
            if not isinstance(obj, dict):
                continue
            try:
                level = stock_level_from_woo(obj)
            except MappingError as exc:
                skipped(exc)
                continue
            parent = obj.get("parent_id")
            if isinstance(parent, int) and parent > 0:
                self._parents[level.product_id] = str(parent)
            levels[level.product_id] = level
