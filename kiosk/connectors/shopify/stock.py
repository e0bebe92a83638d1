"""Stock at the till's location: the levels of some products, and which changed since a moment.

What it relies on (shopify.dev: InventoryItem, InventoryLevel, Location.inventoryLevels): a
variant's inventory item has one level per location with named quantities (`available`,
`on_hand`, ...); the device adopts `available`. A level's `updatedAt` moves when its quantities
do, while the product's `updatedAt` does not, so deltas ask the location's levels with
`updated_at:>'...'` to learn whose stock changed.
"""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.connectors.errors import BadResponse
from kiosk.connectors.shopify import queries
from kiosk.connectors.shopify.client import ShopifyClient
from kiosk.connectors.shopify.mapping import stock_of
from kiosk.core.models import StockLevel


async def levels(client: ShopifyClient, location: str, ids: Sequence[str]) -> list[StockLevel]:
    """The stock of these products (a simple one's single variant) or variants; unknown ids are
    left out."""
    found: list[StockLevel] = []
    for i in range(0, len(ids), queries.STOCK_PAGE):
        chunk = list(ids[i : i + queries.STOCK_PAGE])
        data = await client.query(queries.STOCK, {"ids": chunk, "location": location}, name="stock")
        for asked, node in zip(chunk, data.get("nodes") or (), strict=False):
            if not isinstance(node, dict) or not node:
                continue
            variants = (node.get("variants") or {}).get("nodes")
            level = stock_of(variants[0] if variants else node)
            found.append(StockLevel(asked, level.manage_stock, level.quantity, level.status))
    return found


async def changed_products(client: ShopifyClient, location: str, search: str) -> set[str]:
    """The products whose stock at `location` changed as `search` (updated_at:>...) says."""
    ids: set[str] = set()
    after = None
    while True:
        data = await client.query(
            queries.STOCK_CHANGED,
            {"location": location, "first": queries.LEVEL_PAGE, "after": after, "query": search},
            name="stock changed",
        )
        conn = (data.get("location") or {}).get("inventoryLevels")
        if not isinstance(conn, dict) or not isinstance(conn.get("nodes"), list):
            raise BadResponse("Shopify answered no inventory levels for the location")
        for lv in conn["nodes"]:
            product = (((lv.get("item") or {}).get("variant") or {}).get("product")) or {}
            if isinstance(product.get("id"), str):
                ids.add(product["id"])
        info = conn.get("pageInfo") or {}
        after = info.get("endCursor") if info.get("hasNextPage") else None
        if after is None:
            return ids
