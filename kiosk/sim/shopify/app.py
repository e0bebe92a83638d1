"""The aiohttp application: POST /admin/api/<version>/graphql.json, faults, and the /__sim levers.

Each GraphQL request is authenticated (`X-Shopify-Access-Token`; a wrong one gets Shopify's 401
body `{"errors": "[API] Invalid API key or access token (unrecognized login or wrong
password)"}`), matched against the fault plan, parsed and validated against the real schema
(errors come back with HTTP 200, as Shopify answers them), costed and charged to the leaky bucket
(THROTTLED when it cannot pay), executed over the shop, and answered with `extensions.cost`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    execute_sync,
    parse,
    validate,
)

from kiosk.sim.shopify.bulk import BulkRunner
from kiosk.sim.shopify.cost import MAX_QUERY_COST, Costing, LeakyBucket
from kiosk.sim.shopify.faults import FaultPlan
from kiosk.sim.shopify.state import ShopifyStore
from kiosk.sim.wire import drop

UNAUTHORIZED = "[API] Invalid API key or access token (unrecognized login or wrong password)"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class SimContext:
    """Everything the routes share."""

    schema: GraphQLSchema
    store: ShopifyStore
    token: str
    api_version: str
    bucket: LeakyBucket
    bulk: BulkRunner
    faults: FaultPlan
    queries: list[dict[str, Any]] = field(default_factory=list)  # every document received
    log_file: Path | None = None
    latency_ms: float = 0  # added to every request, as a distant shop's round trip
    checked: dict[str, tuple[DocumentNode, list[Any]]] = field(default_factory=dict)


def _errors(*messages: str, code: str | None = None) -> list[dict[str, Any]]:
    return [{"message": m, **({"extensions": {"code": code}} if code else {})} for m in messages]


def _answer(ctx: SimContext, body: Any) -> tuple[int, dict[str, Any]]:
    """The status and JSON of one GraphQL request's answer (before faults that drop it)."""
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return 400, {"errors": _errors("Parameter Missing or Invalid")}
    variables = body.get("variables") or {}
    checked = ctx.checked.get(body["query"])
    if checked is None:
        # A client sends the same few documents again and again: parse and validate each once
        # (validation is most of a request's time), the answer the same as the first time's.
        try:
            doc = parse(body["query"])
        except GraphQLError as exc:
            return 200, {"errors": [exc.formatted]}
        checked = doc, [e.formatted for e in validate(ctx.schema, doc)]
        if len(ctx.checked) < 1000:
            ctx.checked[body["query"]] = checked
    doc, problems = checked
    if problems:
        return 200, {"errors": problems}
    ops = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
    name = body.get("operationName")
    op = next((o for o in ops if name is None or (o.name and o.name.value == name)), None)
    if op is None or (name is None and len(ops) > 1):
        return 200, {"errors": _errors("An operation name is required")}
    frags = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    costing = Costing(ctx.schema, op, frags, variables)
    requested = costing.requested()
    if requested > MAX_QUERY_COST:
        message = (
            f"Query cost is {requested}, which exceeds the single query max cost limit "
            f"({MAX_QUERY_COST})."
        )
        return 200, {
            "errors": _errors(message, code="MAX_COST_EXCEEDED"),
            "extensions": {"cost": _cost(ctx, requested, None)},
        }
    if not ctx.bucket.take(requested):
        return 200, _throttled(ctx, requested)
    context = {"store": ctx.store, "bulk_runner": ctx.bulk}
    result = execute_sync(
        ctx.schema,
        doc,
        context_value=context,
        variable_values=variables,
        operation_name=name,
    )
    actual = costing.actual(result.data)
    ctx.bucket.refund(requested - actual)
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [e.formatted for e in result.errors]
    out["extensions"] = {"cost": _cost(ctx, requested, actual)}
    return 200, out


def _cost(ctx: SimContext, requested: int, actual: int | None) -> dict[str, Any]:
    return {
        "requestedQueryCost": requested,
        "actualQueryCost": actual,
        "throttleStatus": ctx.bucket.status(),
    }


def _throttled(ctx: SimContext, requested: int) -> dict[str, Any]:
    error = {
        "message": "Throttled",
        "extensions": {
            "code": "THROTTLED",
            "documentation": "https://shopify.dev/api/usage/rate-limits",
        },
    }
    return {"errors": [error], "extensions": {"cost": _cost(ctx, requested, None)}}


def build_app(ctx: SimContext) -> web.Application:
    routes = web.RouteTableDef()

    @routes.post(f"/admin/api/{ctx.api_version}/graphql.json")
    async def graphql_endpoint(request: web.Request) -> web.StreamResponse:
        if ctx.latency_ms:
            await asyncio.sleep(ctx.latency_ms / 1000)
        if request.headers.get("X-Shopify-Access-Token") != ctx.token:
            return web.json_response({"errors": UNAUTHORIZED}, status=401)
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            return web.json_response(
                {"errors": _errors("Invalid JSON in request body")}, status=400
            )
        if isinstance(body, dict):
            entry = {"query": body.get("query"), "variables": body.get("variables")}
            ctx.queries.append(entry)
            if ctx.log_file is not None:
                with ctx.log_file.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(entry) + "\n")
        fault = ctx.faults.take(str(body.get("query", "")) if isinstance(body, dict) else "")
        kind = fault.kind if fault else None
        if fault is not None and kind in ("429", "500", "503"):
            headers = {"Retry-After": f"{fault.retry_after:g}"} if kind == "429" else {}
            return web.json_response(
                {
                    "errors": "Exceeded 2 calls per second for api client."
                    if kind == "429"
                    else "Internal Server Error"
                },
                status=int(kind),
                headers=headers,
            )
        if kind == "drop":
            drop(request)
        if kind == "throttled":
            ctx.bucket.drain()  # the request below then finds the bucket empty, as on Shopify
        if fault is not None and kind == "timeout":
            await ctx.faults.hold(fault.hold_s)
        status, answer = _answer(ctx, body)
        if kind == "drop_after_commit":
            drop(request)
        return web.json_response(answer, status=status)

    # Another version: real Shopify serves a retired one as its oldest supported version; the
    # simulator knows only its own, and answers any other path as Shopify answers an unknown one.
    @routes.route("*", "/admin/{tail:.*}")
    async def not_found(_request: web.Request) -> web.Response:
        return web.json_response({"errors": "Not Found"}, status=404)

    @routes.get("/__sim/bulk/{name}")
    async def bulk_file(request: web.Request) -> web.StreamResponse:
        if ctx.latency_ms:
            await asyncio.sleep(ctx.latency_ms / 1000)
        path = ctx.bulk.file(request.match_info["name"])
        if path is None:
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={"Content-Type": "application/jsonl"})

    @routes.post("/__sim/faults")
    async def add_fault(request: web.Request) -> web.Response:
        spec = await request.json()
        ctx.faults.add(
            spec["kind"],
            match=spec.get("match", ""),
            count=int(spec.get("count", 1)),
            hold_s=spec.get("hold_s"),
        )
        return web.json_response({"pending": len(ctx.faults.pending)})

    @routes.delete("/__sim/faults")
    async def clear_faults(_request: web.Request) -> web.Response:
        ctx.faults.clear()
        ctx.faults.release()
        return web.json_response({"pending": 0})

    @routes.post("/__sim/admin/{lever}")
    async def admin(request: web.Request) -> web.Response:
        spec, lever, store = await request.json(), request.match_info["lever"], ctx.store
        try:
            if lever == "price":
                store.set_price(spec["id"], str(spec["price"]))
            elif lever == "available":
                store.set_available(spec["id"], int(spec["available"]))
            elif lever == "delete":
                store.delete_product(spec["id"])
            else:
                raise web.HTTPNotFound()
        except KeyError as exc:
            return web.json_response({"error": f"no such object {exc}"}, status=404)
        return web.json_response({"ok": True})

    app = web.Application()
    app.add_routes(routes)
    return app
