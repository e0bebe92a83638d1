"""The simulator's levers over HTTP, under `/__sim/` (no auth), for scripts and `kiosk demo`.

POST /__sim/faults {kind, method?, path?, count?, hold_s?} (kinds in faults.KINDS) or
{"clear": true}; POST /__sim/faults/release; POST /__sim/declines {"code": "insufficient_funds"}
(the next presented card is declined); POST /__sim/readers/{id} {online?, busy?, timeout?:
{"delivered": bool, "count": n}}; POST /__sim/readers/{id}/present {number?};
POST /__sim/readers/{id}/customer_cancel; POST /__sim/pairing_codes {code, device_type?};
POST /__sim/settings {auto_present_ms?: number|null, auto_present_card?, latency_ms?};
GET /__sim/requests (the request log).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from kiosk.sim.stripe import errors
from kiosk.sim.stripe.app import SimContext


def admin_routes(ctx: SimContext) -> Callable[[web.RouteTableDef], None]:
    """A function adding the `/__sim/` routes to a RouteTableDef."""
    terminal = ctx.terminal

    async def body(request: web.Request) -> dict[str, Any]:
        raw = await request.read()
        data = json.loads(raw) if raw else {}
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return data

    def answer(handler: Callable[[web.Request], Any]) -> Callable[[web.Request], Any]:
        async def run(request: web.Request) -> web.Response:
            try:
                return web.json_response(await handler(request))
            except KeyError as exc:
                return web.json_response({"error": f"no such reader: {exc.args[0]}"}, status=404)
            except (TypeError, ValueError) as exc:
                return web.json_response({"error": str(exc)}, status=400)
            except errors.StripeError as exc:
                return web.json_response(exc.body(), status=exc.status)

        return run

    def add(routes: web.RouteTableDef) -> None:
        @routes.post("/__sim/faults")
        @answer
        async def faults(request: web.Request) -> Any:
            data = await body(request)
            if data.get("clear"):
                ctx.faults.clear()
            else:
                ctx.faults.add(
                    str(data.get("kind")),
                    method=data.get("method"),
                    path=data.get("path"),
                    count=int(data.get("count", 1)),
                    hold_s=data.get("hold_s"),
                )
            return {"pending": len(ctx.faults.pending)}

        @routes.post("/__sim/faults/release")
        @answer
        async def release(request: web.Request) -> Any:
            ctx.faults.release()
            return {"released": True}

        @routes.post("/__sim/declines")
        @answer
        async def declines(request: web.Request) -> Any:
            terminal.decline_next(str((await body(request)).get("code")))
            return {"pending": list(terminal.declines)}

        @routes.post("/__sim/readers/{id}")
        @answer
        async def reader(request: web.Request) -> Any:
            rid, data = request.match_info["id"], await body(request)
            if "online" in data:
                terminal.set_online(rid, bool(data["online"]))
            if "busy" in data:
                terminal.set_busy(rid, bool(data["busy"]))
            if "timeout" in data:
                spec = data["timeout"] or {}
                terminal.time_out_next(
                    rid, delivered=bool(spec.get("delivered")), count=int(spec.get("count", 1))
                )
            return terminal.reader(rid)

        @routes.post("/__sim/readers/{id}/present")
        @answer
        async def present(request: web.Request) -> Any:
            data = await body(request)
            return terminal.tap(request.match_info["id"], **data)

        @routes.post("/__sim/readers/{id}/customer_cancel")
        @answer
        async def customer_cancel(request: web.Request) -> Any:
            return terminal.customer_cancels(request.match_info["id"])

        @routes.post("/__sim/pairing_codes")
        @answer
        async def pairing(request: web.Request) -> Any:
            data = await body(request)
            terminal.show_pairing_code(
                str(data["code"]), str(data.get("device_type", "stripe_s710"))
            )
            return {"code": data["code"]}

        @routes.post("/__sim/settings")
        @answer
        async def settings(request: web.Request) -> Any:
            data = await body(request)
            if "auto_present_ms" in data:
                ms = data["auto_present_ms"]
                terminal.auto_present_ms = None if ms is None else float(ms)
            if "auto_present_card" in data:
                terminal.auto_present_card = str(data["auto_present_card"])
            if "latency_ms" in data:
                ctx.latency_ms = float(data["latency_ms"])
            return {
                "auto_present_ms": terminal.auto_present_ms,
                "auto_present_card": terminal.auto_present_card,
                "latency_ms": ctx.latency_ms,
            }

        @routes.get("/__sim/requests")
        @answer
        async def requests(request: web.Request) -> Any:
            return [
                {
                    "method": r.method,
                    "path": r.path,
                    "params": r.params,
                    "status": r.status,
                    "request_id": r.request_id,
                    "idempotency_key": r.idempotency_key,
                    "replayed": r.replayed,
                    "at": r.at.isoformat(),
                }
                for r in ctx.requests
            ]

    return add
