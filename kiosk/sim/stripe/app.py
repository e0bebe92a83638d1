"""The aiohttp application: one dispatcher in front of every `/v1/...` route, and a request log.

Each API request is, in order: matched against the fault plan (a drop or a rate limit ends it
here), authenticated, routed ("Unrecognized request URL" otherwise), checked against the key's
permissions (the route's and each `expand[]`'s), its parameters checked, replayed or reserved
under its idempotency key (POST only), held by a "timeout" fault, run (or a "500"), answered
no sooner than `latency_ms` after it arrived (the whole answer time, the work included), and
recorded (method, path, decoded params, status, the JSON sent).

Relied on: every answer carries `Request-Id` (req_...) and `Stripe-Version` (the request's,
else the account's default); POST answers echo `Idempotency-Key`, replays add
`Idempotent-Replayed: true` and `Original-Request` (the first request's id). Errors carry
`request_log_url` into the Dashboard's log of that request, as Stripe's do. The default
version (DEFAULT_VERSION) is ours: stripe-python always sends the version it was built for.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from kiosk.sim.stripe import errors, forms
from kiosk.sim.stripe.faults import FaultPlan
from kiosk.sim.stripe.idempotency import IdempotencyStore, authenticate
from kiosk.sim.stripe.state import ApiKey, Obj, StripeState
from kiosk.sim.stripe.terminal import Terminal
from kiosk.sim.wire import drop, wait_until

DEFAULT_VERSION = "2023-10-16"


@dataclass(frozen=True)
class RequestRecord:
    """One API request: `params` as decoded from the wire, `response` None if it was dropped."""

    method: str
    path: str
    params: Obj
    status: int | None
    response: Any
    request_id: str
    idempotency_key: str | None
    replayed: bool
    at: datetime


@dataclass
class SimContext:
    """Everything the routes share."""

    state: StripeState
    terminal: Terminal
    faults: FaultPlan = field(default_factory=FaultPlan)
    latency_ms: float = 0
    requests: list[RequestRecord] = field(default_factory=list)
    idempotency: IdempotencyStore = field(init=False)
    _logged: asyncio.Event = field(default_factory=asyncio.Event, init=False)

    def __post_init__(self) -> None:
        self.idempotency = IdempotencyStore(self.state)

    def log(self, record: RequestRecord) -> None:
        self.requests.append(record)
        self._logged.set()
        self._logged = asyncio.Event()

    async def wait_for_records(self, n: int) -> None:
        """Return once `n` API requests have been answered (or dropped) in all."""
        while len(self.requests) < n:
            await self._logged.wait()


@dataclass
class Call:
    """One request as a route handler sees it."""

    ctx: SimContext
    key: ApiKey
    args: dict[str, str]  # path parameters
    params: Obj  # checked against the route's Spec

    @property
    def state(self) -> StripeState:
        return self.ctx.state


Handler = Callable[[Call], Awaitable[Obj]]
# Expandable fields of a returned object: dotted path -> (permission, id -> object).
Expander = Callable[[SimContext, str], Obj | None]


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # "/v1/payment_intents/{intent}"
    permission: str  # rak_..._read|write
    spec: forms.Spec
    handler: Handler
    expandable: Mapping[str, tuple[str, Expander]] = field(default_factory=dict)
    status: int = 200

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method != self.method:
            return None
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template))
        m = re.fullmatch(pattern, path)
        return None if m is None else m.groupdict()


def _expand(ctx: SimContext, body: Any, paths: list[str], route: Route) -> Any:
    for dotted in paths:
        _, find = route.expandable[dotted]
        parts = dotted.split(".")
        targets = body["data"] if body.get("object") == "list" else [body]
        if body.get("object") == "list":
            parts = parts[1:]  # "data.latest_charge"
        for target in targets:
            node = target
            for part in parts[:-1]:
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, dict) and isinstance(node.get(parts[-1]), str):
                node[parts[-1]] = find(ctx, node[parts[-1]])
    return body


def _headers(request: web.Request, request_id: str) -> dict[str, str]:
    headers = {
        "Request-Id": request_id,
        "Stripe-Version": request.headers.get("Stripe-Version", DEFAULT_VERSION),
        "Cache-Control": "no-cache, no-store",
    }
    if request.method == "POST" and "Idempotency-Key" in request.headers:
        headers["Idempotency-Key"] = request.headers["Idempotency-Key"]
    return headers


def _encode(body: Any) -> bytes:
    return json.dumps(body, indent=2).encode()


def _json(
    status: int, body: Any, headers: dict[str, str], data: bytes | None = None
) -> web.Response:
    return web.Response(
        status=status,
        body=_encode(body) if data is None else data,
        headers=headers,
        content_type="application/json",
    )


class Dispatcher:
    """The one aiohttp handler behind `/v1/...`."""

    def __init__(self, ctx: SimContext, routes: list[Route]) -> None:
        self.ctx = ctx
        self.routes = routes

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        ctx = self.ctx
        loop = asyncio.get_running_loop()
        due = loop.time() + ctx.latency_ms / 1000
        request_id = ctx.state.new_id("req", 14)
        raw = await request.read()
        query = request.query_string if request.method != "POST" else raw.decode("latin-1")
        record: dict[str, Any] = {"status": None, "response": None, "replayed": False}
        params: Obj = {}
        idem = request.headers.get("Idempotency-Key") if request.method == "POST" else None
        try:
            params = forms.decode(query)
            resp, body = await self._answer(request, request_id, params, idem, record, due)
            record.update(status=resp.status, response=body)
            await wait_until(due)
            return resp
        except errors.StripeError as exc:  # a body that cannot even be decoded
            resp = _json(exc.status, exc.body(), _headers(request, request_id))
            record.update(status=resp.status, response=exc.body())
            return resp
        finally:
            ctx.log(
                RequestRecord(
                    request.method,
                    request.path,
                    params,
                    record["status"],
                    record["response"],
                    request_id,
                    idem,
                    record["replayed"],
                    datetime.fromtimestamp(ctx.state.clock(), UTC),
                )
            )

    async def _answer(
        self,
        request: web.Request,
        request_id: str,
        params: Obj,
        idem: str | None,
        record: dict[str, Any],
        due: float,
    ) -> tuple[web.Response, Any]:
        ctx = self.ctx
        headers = _headers(request, request_id)
        fault = ctx.faults.take(request.method, request.path)
        if fault is not None and fault.kind == "drop":
            drop(request)
        key: ApiKey | None = None
        reserved = False
        try:
            if fault is not None and fault.kind in ("429", "lock_timeout"):
                raise errors.rate_limited("rate_limit" if fault.kind == "429" else fault.kind)
            key = authenticate(ctx.state, request.headers.get("Authorization"))
            route, args = self._route(request.method, request.path)
            expand = params.get("expand") or []
            if isinstance(expand, list):
                for path in expand:
                    if path not in route.expandable:
                        raise errors.not_expandable(str(path))
            for permission in [route.permission] + [route.expandable[p][0] for p in expand]:
                if not key.allows(permission):
                    raise errors.forbidden(key.secret, ctx.state.account_id, permission)
            checked = route.spec.parse(params)
            if idem is not None:
                saved = ctx.idempotency.begin(
                    key, idem, f"{route.method} {route.template}", params, request_id
                )
                if saved is not None:
                    record["replayed"] = True
                    headers.update(
                        {"Idempotent-Replayed": "true", "Original-Request": saved.request_id}
                    )
                    replay = json.loads(saved.body)
                    return _json(saved.status or 200, replay, headers, saved.body), replay
                reserved = True
            if fault is not None and fault.kind == "timeout":
                # Slow once it has begun: the key is taken, a duplicate meanwhile gets 409.
                await ctx.faults.hold(fault.hold_s)
            if fault is not None and fault.kind == "500":
                raise errors.server_error()  # after execution began: kept under the key
            obj = await route.handler(Call(ctx, key, args, checked))
            status, body = route.status, _expand(ctx, obj, checked.get("expand", []), route)
        except errors.StripeError as exc:
            if reserved and key is not None and idem is not None and not exc.saved:
                ctx.idempotency.forget(key, idem)
                reserved = False
            headers.update(exc.headers)
            mode = "" if key is not None and key.livemode else "test/"
            status = exc.status
            body = exc.body(f"https://dashboard.stripe.com/{mode}logs/{request_id}")
        data = _encode(body)
        resp = _json(status, body, headers, data)
        if reserved and key is not None and idem is not None:
            ctx.idempotency.finish(key, idem, status, data)
        if fault is not None and fault.kind == "drop_after_commit":
            # Carried out and saved; the answer was on its way when the line died.
            await wait_until(due)
            drop(request)
        return resp, body

    def _route(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        for route in self.routes:
            args = route.match(method, path)
            if args is not None:
                return route, args
        raise errors.unrecognized_url(method, path)


def build_app(
    ctx: SimContext, routes: list[Route], admin: Callable[[web.RouteTableDef], None] | None = None
) -> web.Application:
    """The whole simulator as an aiohttp Application."""
    table = web.RouteTableDef()
    if admin is not None:
        admin(table)
    dispatcher = Dispatcher(ctx, routes)

    @table.route("*", "/v1/{tail:.*}")
    async def api(request: web.Request) -> web.StreamResponse:
        return await dispatcher(request)

    @table.route("*", "/{tail:.*}")
    async def elsewhere(request: web.Request) -> web.Response:
        exc = errors.unrecognized_url(request.method, request.path)
        return _json(exc.status, exc.body(), {"Request-Id": ctx.state.new_id("req", 14)})

    app = web.Application()
    app.add_routes(table)
    return app
