"""The companion WordPress plugin (plugin/kiosk-pos-companion), from the device's side.

WooCommerce lists variations one variable product per request; the plugin's
`GET /wp-json/kiosk/v1/variations?parent=<up to 100 ids>` lists those of a whole product page in
one, and `GET /wp-json/kiosk/v1/product-ids` gives every live product id in one answer. Its items
are WooCommerce's own variation JSON plus `parent_id`, so the same mapping reads them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from kiosk.connectors.base import Skipped
from kiosk.connectors.errors import AuthFailed, BadResponse, PermissionDenied
from kiosk.connectors.woocommerce.client import Page, RouteMissing, WooClient
from kiosk.connectors.woocommerce.mapping import (
    VARIATION_FIELDS,
    MappingError,
    variation_from_woo,
)
from kiosk.core.models import Product

log = logging.getLogger(__name__)

NAMESPACE = "kiosk/v1"
API = f"/wp-json/{NAMESPACE}"
PER_PAGE = 500  # the plugin's maximum
MAX_PARENTS = 100  # `parent=` ids the plugin takes per request: one product page's worth
# What a plugin that stopped answering looks like (deactivated, or a host whose WooCommerce
# authentication skips its routes): the connector falls back to the REST API alone.
GONE = (RouteMissing, AuthFailed, PermissionDenied)
# A variation the merchant disabled has status "private"; only "publish" ones are for sale.
SOLD_STATUS = "publish"
# Only the fields the mapping reads (WordPress honours `_fields` on every REST route).
_FIELDS = ",".join(VARIATION_FIELDS)


def advertised(index: Any) -> bool | None:
    """Whether the site's REST index (GET /wp-json/) lists the plugin; None if it is unreadable."""
    if not isinstance(index, dict):
        return None
    namespaces = index.get("namespaces")
    return isinstance(namespaces, list) and NAMESPACE in namespaces


async def variations(
    client: WooClient,
    parents: Sequence[Product],
    currency: str,
    *,
    barcode_meta_key: str = "",
) -> tuple[dict[str, list[Product]], list[Skipped]]:
    """The sellable variations of each of `parents` (mapped VARIABLE products), by parent id.

    Every parent gets an entry, empty if it has none, so a batch can carry ALL of them.
    `barcode_meta_key` is the mapping's (see variation_from_woo).
    """
    by_id = {p.id: p for p in parents}
    children: dict[str, list[Product]] = {p.id: [] for p in parents}
    skipped: list[Skipped] = []

    async def items(page: Page) -> list[Any]:
        return page.items

    async def listing(chunk: list[str]) -> list[Any]:
        out: list[Any] = []
        params = {"parent": ",".join(chunk), "_fields": _FIELDS}
        async for objs in client.pages(f"{API}/variations", params, per_page=PER_PAGE, then=items):
            out.extend(objs)
        return out

    ids = list(by_id)
    chunks = [ids[i : i + MAX_PARENTS] for i in range(0, len(ids), MAX_PARENTS)]
    for objs in await asyncio.gather(*(listing(c) for c in chunks)):
        for obj in objs:
            if not isinstance(obj, dict):
                raise BadResponse(f"GET {API}/variations: expected a list of JSON objects")
            parent = by_id.get(str(obj.get("parent_id")))
            if parent is None or obj.get("status", "publish") != SOLD_STATUS:
                continue
            try:
                children[parent.id].append(
                    variation_from_woo(obj, parent, currency, barcode_meta_key=barcode_meta_key)
                )
            except MappingError as exc:
                log.warning("skipped %s", exc)
                skipped.append(Skipped(exc.kind, exc.id, exc.reason))
    return children, skipped


async def product_ids(client: WooClient) -> set[str]:
    """Every published or private product id, in one request."""
    data = await client.get(f"{API}/product-ids")
    ids = data.get("ids") if isinstance(data, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise BadResponse(f'GET {API}/product-ids: expected {{"ids": [integers]}}')
    return {str(i) for i in ids}


__all__ = ["API", "GONE", "NAMESPACE", "advertised", "product_ids", "variations"]
