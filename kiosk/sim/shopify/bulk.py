"""Bulk operations: `bulkOperationRunQuery` runs a query over the whole shop into a JSONL file.

What the simulator relies on (shopify.dev, BulkOperation, bulkOperationRunQuery and the bulk
operations guide): the mutation takes the query as a string (and `groupObjects`), checks it and
answers `bulkOperation {id status}` or `userErrors {field message}`; one bulk query runs at a time
per app and shop. The operation goes CREATED/RUNNING -> COMPLETED, read through
`bulkOperation(id:)` (or the deprecated `currentBulkOperation`, or `node(id:)`); once COMPLETED
its `url` is a JSONL file: one JSON object a line, each connection's nodes on lines of their own
after their parent with `__parentId` naming it, nested non-connection objects inline.

Here the file is written when the operation starts and served at /__sim/bulk/<n>.jsonl; the
status reads RUNNING for `polls` reads (or while `hold()` is in force), then COMPLETED. With
`objects_per_s` set, an operation also runs as long as its objects take at that rate (Shopify
documents no rate: it is a lever, so a benchmark has a running time to measure against), its
`objectCount` growing meanwhile as Shopify's does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema, execute_sync, parse, validate

from kiosk.sim.shopify.state import Obj, ShopifyStore


class BulkRunner:
    """The shop's bulk operations and their files."""

    def __init__(
        self,
        schema: GraphQLSchema,
        store: ShopifyStore,
        folder: Path,
        *,
        objects_per_s: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.schema = schema
        self.objects_per_s = objects_per_s
        self._monotonic = monotonic
        self.store = store
        self.folder = folder
        self.base_url = ""  # set once the site listens
        self.ops: dict[str, Obj] = {}
        self.polls = 1  # status reads that still say RUNNING before it completes
        self.held = False
        self.started = 0
        self._next = 1

    def hold(self) -> None:
        """Keep every operation RUNNING until release()."""
        self.held = True

    def release(self) -> None:
        self.held = False

    def expire(self, op_id: str) -> None:
        """Let an operation's file lapse (Shopify keeps it seven days)."""
        op = self.ops[op_id]
        op.update(status="EXPIRED", url=None)

    def run(self, _root: Any, info: GraphQLResolveInfo, query: str, groupObjects: bool) -> Obj:
        del groupObjects  # the file is never grouped: lines follow their parents anyway
        if any(op["status"] in ("CREATED", "RUNNING") for op in self.ops.values()):
            return _refused("A bulk query operation for this app and shop is already in progress.")
        try:
            doc = parse(query)
        except GraphQLError as exc:
            return _refused(f"Invalid bulk query: {exc.message}")
        errors = validate(self.schema, doc)
        if errors:
            return _refused(f"Invalid bulk query: {errors[0].message}")
        result = execute_sync(self.schema, doc, context_value={**info.context, "bulk": True})
        if result.errors:
            return _refused(f"Invalid bulk query: {result.errors[0].message}")
        number = self._next
        self._next += 1
        path = self.folder / f"bulk-{number}.jsonl"
        count = roots = 0
        with path.open("w", encoding="utf-8") as out:
            for line, is_root in _lines(result.data or {}):
                out.write(json.dumps(line, separators=(",", ":")) + "\n")
                count += 1
                roots += is_root
        op_id = f"gid://shopify/BulkOperation/{number}"
        running_s = count / self.objects_per_s if self.objects_per_s else 0.0
        self.ops[op_id] = {
            "__typename": "BulkOperation",
            "id": op_id,
            "status": "RUNNING",
            "type": "QUERY",
            "query": query,
            "createdAt": self.store.now(),
            "completedAt": None,
            "errorCode": None,
            "objectCount": str(count),
            "rootObjectCount": str(roots),
            "fileSize": str(path.stat().st_size),
            "url": None,
            "partialDataUrl": None,
            "_polls": self.polls,
            "_url": f"{self.base_url}/__sim/bulk/{path.name}",
            "_count": count,
            "_started": self._monotonic(),
            "_ready_at": self._monotonic() + running_s,
        }
        if self.objects_per_s:
            self.ops[op_id]["objectCount"] = "0"
        self.started += 1
        return {"bulkOperation": self.ops[op_id], "userErrors": []}

    def read(self, op_id: str) -> Obj | None:
        """The operation as a status read sees it (each read brings completion nearer)."""
        op = self.ops.get(op_id)
        if op is None or op["status"] != "RUNNING" or self.held:
            return op
        now = self._monotonic()
        if self.objects_per_s:
            done = min(op["_count"], int((now - op["_started"]) * self.objects_per_s))
            op["objectCount"] = str(done)
        if op["_polls"] > 0 or now < op["_ready_at"]:
            op["_polls"] = max(0, op["_polls"] - 1)
            return op
        op.update(objectCount=str(op["_count"]))
        op.update(status="COMPLETED", url=op["_url"], completedAt=self.store.now())
        return op

    def current(self) -> Obj | None:
        return self.read(next(reversed(self.ops))) if self.ops else None

    def file(self, name: str) -> Path | None:
        path = self.folder / name
        return path if path.parent == self.folder and path.is_file() else None


def _refused(message: str) -> Obj:
    return {"bulkOperation": None, "userErrors": [{"field": ["query"], "message": message}]}


def _is_connection(value: Any) -> bool:
    return isinstance(value, dict) and ("edges" in value or "nodes" in value)


def _nodes(conn: Obj) -> list[Obj]:
    if "nodes" in conn:
        return list(conn["nodes"])
    return [edge["node"] for edge in conn.get("edges", [])]


def _lines(data: Obj) -> Iterator[tuple[Obj, bool]]:
    for value in data.values():
        if _is_connection(value):
            for node in _nodes(value):
                yield from _flatten(node, None)


def _flatten(node: Obj, parent: str | None) -> Iterator[tuple[Obj, bool]]:
    line = {k: v for k, v in node.items() if not _is_connection(v)}
    if parent is not None:
        line["__parentId"] = parent
    yield line, parent is None
    for value in node.values():
        if _is_connection(value):
            for child in _nodes(value):
                yield from _flatten(child, node.get("id"))
