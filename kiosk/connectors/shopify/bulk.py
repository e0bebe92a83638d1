"""The initial copy of a large shop through a bulk operation, resumable by the operation's id.

What it relies on (shopify.dev: bulkOperationRunQuery, BulkOperation, the bulk operations
guide): the mutation starts the query (`groupObjects: false`) and answers the operation's id, or
userErrors (one bulk query at a time per app and shop: "already in progress"); `bulkOperation(id:)`
reads its status (CREATED, RUNNING, COMPLETED, FAILED, CANCELED, EXPIRED); once COMPLETED its
`url` is a JSONL file, kept seven days, in which each connection's nodes follow their parent on
lines of their own with `__parentId`. A product's lines are therefore complete when the next
product's line (one without `__parentId`) begins.

The cursor is `bulk:<operation GID>:<products done>`: a device that stops part-way reads the same
operation's file again and skips what it already wrote, instead of running a new operation; a
file that expired (or an operation that failed) is started over.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from kiosk.connectors.errors import BadResponse, ConnectorError
from kiosk.connectors.shopify import queries
from kiosk.connectors.shopify.client import ShopifyClient

log = logging.getLogger(__name__)

PREFIX = "bulk:"
_DONE = "COMPLETED"
_GONE = ("FAILED", "CANCELED", "EXPIRED")


@dataclass
class Group:
    """One product line and the variant and collection lines under it."""

    product: dict[str, Any]
    variants: list[dict[str, Any]] = field(default_factory=list)
    collections: list[dict[str, Any]] = field(default_factory=list)

    def as_product(self) -> dict[str, Any]:
        """The product in the paged queries' shape, so one mapping reads both."""
        return {
            **self.product,
            "variants": {"nodes": self.variants},
            "collections": {"nodes": self.collections},
        }


def parse_cursor(cursor: str) -> tuple[str, int]:
    op_id, _, done = cursor.removeprefix(PREFIX).rpartition(":")
    if not op_id or not done.isdigit():
        raise ValueError(f"cursor {cursor!r} is not a Shopify bulk cursor")
    return op_id, int(done)


def cursor_of(op_id: str, done: int) -> str:
    return f"{PREFIX}{op_id}:{done}"


class BulkCopy:
    """Runs (or finds again) the products bulk operation and reads its file."""

    def __init__(self, client: ShopifyClient, location: str, *, poll: float = 1.0) -> None:
        self.client = client
        self.location = location
        self.poll = poll
        # Status reads cost a point each: a gentle backoff, capped low, so that a finished
        # operation is noticed within two seconds (its own running time is what a copy waits).
        self.max_poll = 2.0

    async def start(self) -> str:
        data = await self.client.query(
            queries.BULK_RUN, {"query": queries.bulk_products(self.location)}, name="bulk run"
        )
        payload = data.get("bulkOperationRunQuery") or {}
        errors = payload.get("userErrors") or []
        if errors:
            message = "; ".join(str(e.get("message")) for e in errors)
            if "already in progress" in message:
                # Ours, from a run that lost the answer, or another app job: adopt it only if it
                # is the same query.
                current = (await self.client.query(queries.BULK_CURRENT, name="bulk current")).get(
                    "currentBulkOperation"
                ) or {}
                if current.get("query", "").split() == queries.bulk_products(self.location).split():
                    return str(current["id"])
            raise ConnectorError(f"Shopify refused the bulk copy: {message}")
        op = payload.get("bulkOperation") or {}
        if not isinstance(op.get("id"), str):
            raise BadResponse("bulkOperationRunQuery answered no operation")
        log.info("Shopify bulk copy started: %s", op["id"])
        return str(op["id"])

    async def url(self, op_id: str) -> str | None:
        """The finished file's address ("" for no file: nothing matched), waiting while it runs;
        None if the operation is gone."""
        delay = self.poll
        while True:
            data = await self.client.query(queries.BULK_STATUS, {"id": op_id}, name="bulk status")
            op = data.get("bulkOperation")
            status = op.get("status") if isinstance(op, dict) else None
            if status == _DONE and op is not None:
                return op.get("url") or ""  # an empty shop completes with no file
            if status is None or status in _GONE:
                log.warning("Shopify bulk operation %s is %s: starting over", op_id, status)
                return None
            # Polling, not pacing: the operation's own progress decides, so back off gently.
            await self.client.sleep(delay)
            delay = min(self.max_poll, delay * 1.5)

    async def groups(self, resume: str | None) -> AsyncIterator[tuple[str, int, Group]]:
        """(operation id, position, product group) for every product from `resume` on."""
        op_id, skip = parse_cursor(resume) if resume else ("", 0)
        url = await self.url(op_id) if op_id else None
        if url is None and op_id:
            op_id, skip = "", 0
        if not op_id:
            op_id = await self.start()
            url = await self.url(op_id)
            if url is None:
                raise ConnectorError(f"the Shopify bulk copy {op_id} did not finish")
        if not url:
            return
        position = 0
        group: Group | None = None
        async for raw in self.client.lines(url):
            try:
                line = json.loads(raw)
            except ValueError:
                raise BadResponse(
                    "the bulk operation's file holds a line that is not JSON"
                ) from None
            parent = line.pop("__parentId", None)
            if parent is None:
                if group is not None:
                    position += 1
                    if position > skip:
                        yield op_id, position, group
                group = Group(line)
            elif group is not None and parent == group.product.get("id"):
                kind = str(line.get("id", "")).split("/")[3:4]
                (group.collections if kind == ["Collection"] else group.variants).append(line)
        if group is not None:
            position += 1
            if position > skip:
                yield op_id, position, group
