"""The companion WordPress plugin (plugin/kiosk-pos-companion), from the device's side.

From 0.2.0 its GET kiosk/v1/status lists the routes it serves; the connector uses each one it
lists and falls back to core REST otherwise: POST kiosk/v1/orders (exactly once per order UUID,
instead of POST wc/v3/orders and a listing to find a lost upload), GET orders/by-uuid/<uuid>,
and GET changes, the change feed the agent long-polls (contract.json describes them all).

WooCommerce lists variations one variable product per request; the plugin's
`GET /wp-json/kiosk/v1/variations?parent=<up to 100 ids>` lists those of a whole product page in
one, and `GET /wp-json/kiosk/v1/product-ids` gives every live product id in one answer. Its items
are WooCommerce's own variation JSON plus `parent_id`, so the same mapping reads them.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from kiosk.connectors.base import Hint, RemoteOrder, Skipped
from kiosk.connectors.errors import (
    AuthFailed,
    BadResponse,
    NotFound,
    OutcomeUnknown,
    PermissionDenied,
)
from kiosk.connectors.feed import Changes
from kiosk.connectors.woocommerce.client import Page, RouteMissing, WooClient
from kiosk.connectors.woocommerce.mapping import (
    VARIATION_FIELDS,
    MappingError,
    variation_from_woo,
)
from kiosk.connectors.woocommerce.orders import order_payload, remote_order_from_woo
from kiosk.core.models import Order, Product

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


# -- status, orders by UUID and the change feed (plugin 0.2.0) -----------------------------------

STATUS_ROUTES = ("GET /changes", "POST /orders", "GET /orders/by-uuid/{uuid}")
FEED_LIMIT = 500  # the plugin's maximum per read
DEVICE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


async def status(client: WooClient) -> dict[str, Any] | None:
    """GET kiosk/v1/status, or None when the plugin is absent or older than 0.2.0."""
    try:
        data = await client.get(f"{API}/status")
    except (*GONE, NotFound):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("routes"), list):
        raise BadResponse(f"GET {API}/status: expected an object with routes")
    return data


def serves(answer: dict[str, Any] | None, route: str) -> bool:
    """Whether a /status answer lists `route` ("POST /orders", ...)."""
    return answer is not None and route in answer.get("routes", [])


def _remote(data: Any, order: Order, what: str) -> RemoteOrder:
    if not isinstance(data, dict):
        raise BadResponse(f"{what}: expected a JSON object")
    try:
        remote = remote_order_from_woo(data.get("order"), order.currency)
    except ValueError as exc:
        raise BadResponse(f"{what}: the order is unreadable ({exc})") from None
    return replace(remote, order_id=remote.order_id or order.id)


async def create_order(client: WooClient, order: Order) -> RemoteOrder:
    """POST kiosk/v1/orders: the order once per UUID (a retry answers the one already made),
    dated by the sale, never refused for stock (oversold lines are noted for the merchant)."""
    body = {
        "uuid": order.id,
        "sold_at": order.created_at.isoformat().replace("+00:00", "Z"),
        "order": order_payload(order),
    }
    resp = await client._request("POST", f"{API}/orders", json=body, write=True)
    try:
        remote = _remote(resp.data, order, f"POST {API}/orders")
    except BadResponse as exc:
        raise OutcomeUnknown(f"{exc}; look the order up") from None
    oversold = resp.data.get("oversold") if isinstance(resp.data, dict) else None
    if oversold:
        log.warning("order %s was oversold while offline: %s", order.id, oversold)
    return remote


async def find_order(client: WooClient, order: Order) -> RemoteOrder | None:
    """GET kiosk/v1/orders/by-uuid/<uuid>: the store's copy of `order`, if it has one."""
    try:
        data = await client.get(f"{API}/orders/by-uuid/{order.id.lower()}")
    except NotFound:
        return None
    return _remote(data, order, f"GET {API}/orders/by-uuid")


def _cursor(text: str) -> tuple[str, int]:
    epoch, _, seq = text.rpartition(":")
    return (epoch, int(seq)) if seq.isdigit() else ("", 0)


async def changes(
    client: WooClient, cursor: str, *, wait: float, device: str = "", queued: int = 0
) -> Changes:
    """GET kiosk/v1/changes after `cursor` ("epoch:seq") as hints; "" gives the feed's present
    position (from GET status) and no hints.

    A variation's change hints its parent (which the device fetches with its variations); a
    price or stock row hints its product the same way; deletions hint with deleted=True.
    """
    if not cursor:
        # A device that never read the feed starts where the feed is now, not at its history.
        now = await status(client)
        feed = now.get("feed") if now is not None else None
        if not isinstance(feed, dict) or not isinstance(feed.get("last_seq"), int):
            raise BadResponse(f"GET {API}/status: expected feed.epoch and feed.last_seq")
        return Changes(hints=(), cursor=f"{feed.get('epoch')}:{feed['last_seq']}")
    epoch, after = _cursor(cursor)
    params: dict[str, str | int] = {
        "after": after,
        "limit": FEED_LIMIT,
        "wait": max(0, min(20, int(wait))),
    }
    if epoch:
        params["epoch"] = epoch
    if device and DEVICE_ID.fullmatch(device):
        params["device"], params["queued"] = device, max(0, queued)
    data = await client.get(f"{API}/changes", params)
    if not isinstance(data, dict) or not isinstance(data.get("changes"), list):
        raise BadResponse(f"GET {API}/changes: expected an object with changes")
    hints: dict[tuple[str, str], Hint] = {}
    settings = pickups = False
    for row in data["changes"]:
        if not isinstance(row, dict):
            raise BadResponse(f"GET {API}/changes: a change is not a JSON object")
        kind, oid, parent = row.get("kind"), row.get("id"), row.get("parent_id") or 0
        deleted = row.get("action") == "delete"
        if kind in ("product", "price", "stock", "variation"):
            # A variation (or its price/stock) is fetched through its parent; a deleted
            # variation is its parent changed, not the parent deleted.
            if parent:
                hints[("product", str(parent))] = Hint("product", str(parent), False)
            else:
                hints[("product", str(oid))] = Hint("product", str(oid), deleted)
        elif kind == "customer":
            hints[("customer", str(oid))] = Hint("customer", str(oid), deleted)
        elif kind == "tax":
            settings = True
        elif kind == "order":
            pickups = True
    new_epoch, nxt = data.get("epoch"), data.get("next")
    if not isinstance(new_epoch, str) or not isinstance(nxt, int):
        raise BadResponse(f"GET {API}/changes: expected epoch and next")
    return Changes(
        hints=tuple(hints.values()),
        cursor=f"{new_epoch}:{nxt}",
        reset=data.get("reset") is True,
        more=data.get("more") is True,
        settings=settings,
        pickups=pickups,
    )


__all__ = [
    "API",
    "GONE",
    "NAMESPACE",
    "STATUS_ROUTES",
    "advertised",
    "changes",
    "create_order",
    "find_order",
    "product_ids",
    "serves",
    "status",
    "variations",
]
